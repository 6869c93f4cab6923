//! summarize-run: the last step of a re-validation run. It reads the results the Distributed
//! Map wrote (manifest and result files) and publishes one summary to the topic that fits;
//! when the Map failed (more failures than tolerated), it publishes why to the alerts topic.

mod message;
pub mod summary;

use lambda_support::{parse_input, ErrorName, StepError};
use passport_model::{FailureInfo, Notifier, ObjectStore, PhotoRef, PortError, Topic};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use message::{run_failure_message, summary_message, summary_topic};
use summary::{FailedCheck, Manifest, NotProcessed, Tally, UnreadableResults};

/// The run as the revalidate definition keeps it (`$.run`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRequest {
    pub profile: String,
    #[serde(default)]
    pub prefix: String,
}

/// The Map's output with a `ResultWriter` (`{"MapRunArn", "ResultWriterDetails"}`).
#[derive(Debug, Deserialize)]
struct MapResults {
    #[serde(rename = "ResultWriterDetails")]
    details: WriterDetails,
}

#[derive(Debug, Deserialize)]
struct WriterDetails {
    #[serde(rename = "Bucket")]
    bucket: String,
    #[serde(rename = "Key")]
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Input {
    run: RunRequest,
    /// The bucket the run read and wrote, and the prefix of its results (for the failure
    /// report: the results so far are there).
    bucket: String,
    results_prefix: String,
    #[serde(default)]
    results: Option<MapResults>,
    /// Set by the Map's Catch.
    #[serde(default)]
    error: Option<FailureInfo>,
    #[serde(default)]
    execution_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsLocation {
    pub bucket: String,
    pub manifest: String,
}

/// What a run came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub profile: String,
    pub items: u64,
    pub approved: u64,
    pub rejected: u64,
    /// Photos that could not be judged (their child execution failed, or never finished).
    pub not_processed: u64,
    pub top_failed_checks: Vec<FailedCheck>,
    pub not_processed_examples: Vec<NotProcessed>,
    pub results: ResultsLocation,
}

/// The step's output: the summary (none when the run failed) and where it was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub summary: Option<RunSummary>,
    pub topic: Topic,
    pub message_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SummarizeError {
    #[error("the input is not a run to summarize: {0}")]
    InvalidInput(#[source] serde_json::Error),
    #[error("the input has neither the run's results nor its error")]
    NothingToSummarize,
    #[error("reading s3://{bucket}/{key} failed")]
    Read {
        bucket: String,
        key: String,
        #[source]
        source: PortError,
    },
    #[error(transparent)]
    Unreadable(UnreadableResults),
    #[error("publishing failed")]
    Publish(#[source] PortError),
}

impl StepError for SummarizeError {
    fn error_name(&self) -> ErrorName {
        match self {
            Self::InvalidInput(_) | Self::NothingToSummarize => ErrorName::InvalidInput,
            // A result file that is gone, too large or damaged will not heal on a retry.
            Self::Read { source, .. } | Self::Publish(source) => match ErrorName::of_port(source) {
                ErrorName::Transient => ErrorName::Transient,
                _ => ErrorName::Permanent,
            },
            Self::Unreadable(_) => ErrorName::Permanent,
        }
    }
}

async fn read<S: ObjectStore>(
    store: &S,
    bucket: &str,
    key: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, SummarizeError> {
    store
        .read_all(&PhotoRef::new(bucket, key), max_bytes)
        .await
        .map_err(|source| SummarizeError::Read {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            source,
        })
}

/// Reads the manifest and every result file it names (each refused beyond `max_bytes`).
pub async fn summarize<S: ObjectStore>(
    store: &S,
    profile: &str,
    bucket: &str,
    manifest_key: &str,
    max_bytes: u64,
) -> Result<RunSummary, SummarizeError> {
    let manifest = Manifest::parse(manifest_key, &read(store, bucket, manifest_key, max_bytes).await?)
        .map_err(SummarizeError::Unreadable)?;
    let files_bucket = manifest.destination_bucket.as_deref().unwrap_or(bucket);
    let mut tally = Tally::default();
    for (file, succeeded) in manifest.files() {
        let bytes = read(store, files_bucket, &file.key, max_bytes).await?;
        tally
            .add_file(&file.key, succeeded, &bytes)
            .map_err(SummarizeError::Unreadable)?;
    }
    Ok(RunSummary {
        profile: profile.to_owned(),
        items: tally.items,
        approved: tally.approved,
        rejected: tally.rejected,
        not_processed: tally.not_processed,
        top_failed_checks: tally.top_failed_checks(),
        not_processed_examples: tally.not_processed_examples().to_vec(),
        results: ResultsLocation {
            bucket: bucket.to_owned(),
            manifest: manifest_key.to_owned(),
        },
    })
}

pub async fn handle<S: ObjectStore, N: Notifier>(
    payload: Value,
    store: &S,
    notifier: &N,
    max_bytes: u64,
) -> Result<RunReport, SummarizeError> {
    let input: Input = parse_input(payload).map_err(SummarizeError::InvalidInput)?;
    let (message, summary) = match (&input.error, &input.results) {
        (Some(failure), _) => (
            run_failure_message(
                &input.run,
                &input.bucket,
                &input.results_prefix,
                failure,
                &input.execution_arn,
            ),
            None,
        ),
        (None, Some(results)) => {
            let summary = summarize(
                store,
                &input.run.profile,
                &results.details.bucket,
                &results.details.key,
                max_bytes,
            )
            .await?;
            (
                summary_message(&input.run, &summary, &input.execution_arn),
                Some(summary),
            )
        }
        (None, None) => return Err(SummarizeError::NothingToSummarize),
    };
    let message_id = notifier
        .publish(&message)
        .await
        .map_err(SummarizeError::Publish)?;
    tracing::info!(
        topic = message.topic.as_str(),
        items = summary.as_ref().map(|s| s.items),
        %message_id,
        "run summarized"
    );
    Ok(RunReport {
        summary,
        topic: message.topic,
        message_id,
    })
}

#[cfg(test)]
mod tests;
