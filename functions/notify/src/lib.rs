//! notify: publishes the verdict to the approved or rejected topic, or, in its failure
//! mode (the document carries `error` from a Catch), an error report to the alerts topic.

mod message;

use lambda_support::{parse_input, ErrorName, StepError};
use passport_model::{ExecutionDocument, NotificationReceipt, Notifier, PortError};
use serde::Deserialize;
use serde_json::Value;

pub use message::{failure_message, verdict_message};
pub use passport_model::notification::{console_url, subject};

/// The state machine passes the document and the execution ARN (`$$.Execution.Id`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Input {
    document: ExecutionDocument,
    #[serde(default)]
    execution_arn: String,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the input is not a valid notification request: {0}")]
    InvalidInput(#[source] serde_json::Error),
    #[error("the document has neither a verdict nor an error to report")]
    NothingToReport,
    #[error("publishing failed")]
    Publish(#[source] PortError),
}

impl StepError for NotifyError {
    fn error_name(&self) -> ErrorName {
        match self {
            Self::InvalidInput(_) | Self::NothingToReport => ErrorName::InvalidInput,
            // Throttling and 5xx are retried; authorisation and KMS denials, a missing topic
            // or invalid parameters go to the operators at once: no retry heals them.
            Self::Publish(e) => match ErrorName::of_port(e) {
                ErrorName::PhotoNotFound => ErrorName::Permanent,
                name => name,
            },
        }
    }
}

pub async fn handle<N: Notifier>(payload: Value, notifier: &N) -> Result<NotificationReceipt, NotifyError> {
    let Input {
        document,
        execution_arn,
    } = parse_input(payload).map_err(NotifyError::InvalidInput)?;
    // A failure report wins: ReportFailure may run after a verdict existed.
    let message = match (&document.error, &document.verdict) {
        (Some(failure), _) => failure_message(&document, failure, &execution_arn),
        (None, Some(verdict)) => verdict_message(&document, verdict, &execution_arn),
        (None, None) => return Err(NotifyError::NothingToReport),
    };
    let message_id = notifier.publish(&message).await.map_err(NotifyError::Publish)?;
    tracing::info!(photo = %document.photo.uri(), topic = message.topic.as_str(), %message_id, "published");
    Ok(NotificationReceipt {
        topic: message.topic,
        message_id,
    })
}

#[cfg(test)]
mod tests;
