//! start-validation: an S3 `ObjectCreated:*` notification (Put, Post, Copy,
//! CompleteMultipartUpload) starts one workflow execution per photo, named after the photo's
//! identity so repeated deliveries are absorbed. Folder markers (keys ending in `/`) are skipped.

mod key;
mod name;

use aws_lambda_events::event::s3::{S3Event, S3EventRecord};
use lambda_support::{ErrorName, StepError};
use passport_model::{ExecutionDocument, PhotoRef, PortError, StartOutcome, WorkflowStarter};
use serde::Serialize;
use serde_json::Value;

pub use key::{decode_event_key, KeyError};
pub use name::{execution_name, MAX_NAME_LEN};

/// What one invocation did, record by record.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartReport {
    pub started: Vec<String>,
    pub already_started: Vec<String>,
    pub skipped: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the event is not an S3 notification: {0}")]
    NotAnS3Event(#[source] serde_json::Error),
    #[error("record {index}: {source}")]
    Key {
        index: usize,
        #[source]
        source: KeyError,
    },
    #[error("the execution input could not be encoded: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("record {index}: the bucket name or object key is missing")]
    Incomplete { index: usize },
    #[error("record {index}: {source}")]
    Start {
        index: usize,
        #[source]
        source: PortError,
    },
    /// Several records failed; the first is kept as the cause.
    #[error(
        "{failed} of {total} records failed (the others were started and are safe to repeat); first: {first}"
    )]
    Batch {
        failed: usize,
        total: usize,
        first: Box<StartError>,
        name: ErrorName,
    },
}

impl StepError for StartError {
    fn error_name(&self) -> ErrorName {
        match self {
            Self::NotAnS3Event(_) | Self::Key { .. } | Self::Incomplete { .. } | Self::Encode(_) => {
                ErrorName::InvalidInput
            }
            Self::Start { source, .. } => ErrorName::of_port(source),
            Self::Batch { name, .. } => *name,
        }
    }
}

/// Handles one S3 notification. Every record is tried; if any failed, the invocation fails
/// after the others were started, so a retry only repeats what is idempotent.
pub async fn handle<W: WorkflowStarter>(event: Value, starter: &W) -> Result<StartReport, StartError> {
    if event.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        tracing::info!("skipping s3:TestEvent");
        return Ok(StartReport {
            skipped: 1,
            ..StartReport::default()
        });
    }
    let event: S3Event = serde_json::from_value(event).map_err(StartError::NotAnS3Event)?;
    let total = event.records.len();
    let mut report = StartReport::default();
    let mut failures = Vec::new();
    for (index, record) in event.records.iter().enumerate() {
        let event_name = record.event_name.as_deref().unwrap_or_default();
        if !is_object_created(event_name) {
            tracing::info!(index, event_name, "skipping event that is not ObjectCreated");
            report.skipped += 1;
            continue;
        }
        match start_one(index, record, starter).await {
            Ok(None) => {
                tracing::info!(index, "skipping a folder marker (key ends in '/')");
                report.skipped += 1;
            }
            Ok(Some((name, StartOutcome::Started { .. }))) => report.started.push(name),
            Ok(Some((name, StartOutcome::AlreadyStarted))) => {
                tracing::info!(index, execution = %name, "already started for this photo");
                report.already_started.push(name)
            }
            Err(e) => {
                tracing::error!(index, error = %e, "record failed");
                failures.push(e);
            }
        }
    }
    match failures.len() {
        0 => Ok(report),
        1 if total == 1 => Err(failures.remove(0)),
        failed => {
            // Retry when any failure might heal; otherwise the batch is invalid input.
            let names: Vec<ErrorName> = failures.iter().map(StepError::error_name).collect();
            let name = if names.contains(&ErrorName::Transient) {
                ErrorName::Transient
            } else {
                names[0]
            };
            Err(StartError::Batch {
                failed,
                total,
                first: Box::new(failures.remove(0)),
                name,
            })
        }
    }
}

/// The photo reference of one record, with its key decoded exactly once.
pub fn photo_from_record(index: usize, record: &S3EventRecord) -> Result<PhotoRef, StartError> {
    let object = &record.s3.object;
    let (Some(bucket), Some(raw_key)) = (record.s3.bucket.name.as_deref(), object.key.as_deref()) else {
        return Err(StartError::Incomplete { index });
    };
    let key = decode_event_key(raw_key).map_err(|source| StartError::Key { index, source })?;
    let mut photo = PhotoRef::new(bucket, key);
    photo.version_id = object.version_id.clone().filter(|v| !v.is_empty() && v != "null");
    photo.e_tag = object.e_tag.clone();
    photo.size = object.size.and_then(|s| u64::try_from(s).ok());
    photo.sequencer = object.sequencer.clone();
    photo.event_time = serde_json::to_value(record.event_time)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned));
    Ok(photo)
}

/// Every kind of object creation S3 reports (`ObjectCreated:Put`, `:Post`, `:Copy`,
/// `:CompleteMultipartUpload`); the `s3:` prefix appears in configurations, not in events,
/// but is accepted too.
pub fn is_object_created(event_name: &str) -> bool {
    event_name
        .strip_prefix("s3:")
        .unwrap_or(event_name)
        .starts_with("ObjectCreated:")
}

/// Starts the workflow for one record; `None` for a folder marker, which is no photo.
async fn start_one<W: WorkflowStarter>(
    index: usize,
    record: &S3EventRecord,
    starter: &W,
) -> Result<Option<(String, StartOutcome)>, StartError> {
    let photo = photo_from_record(index, record)?;
    if photo.key.ends_with('/') {
        return Ok(None);
    }
    let name = execution_name(&photo);
    let input = serde_json::to_string(&ExecutionDocument::new(photo.clone())).map_err(StartError::Encode)?;
    let outcome = starter
        .start_execution(&name, &input)
        .await
        .map_err(|source| StartError::Start { index, source })?;
    tracing::info!(index, execution = %name, photo = %photo.uri(), "workflow started");
    Ok(Some((name, outcome)))
}

#[cfg(test)]
mod tests;
