//! `TaskCallback` over AWS Step Functions SendTaskSuccess / SendTaskFailure: the answers of
//! a queue consumer to the workflow tasks that wait for them.

use aws_sdk_sfn::operation::send_task_failure::SendTaskFailureError;
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessError;
use aws_sdk_sfn::Client;
use passport_model::{PortError, PortErrorKind, TaskAnswer, TaskCallback};

use crate::port_error;

/// Answers waiting tasks through the Step Functions API.
#[derive(Debug, Clone)]
pub struct SfnTaskCallback {
    client: Client,
}

impl SfnTaskCallback {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// SendTaskFailure takes an error name of at most 256 and a cause of at most 32 768
/// characters (API reference); longer text is cut on a character boundary.
fn at_most(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

macro_rules! task_answer {
    ($result:expr, $op:literal, $error:ident) => {
        match $result {
            Ok(_) => Ok(TaskAnswer::Delivered),
            Err(e) => match e.as_service_error() {
                // The task timed out, its execution stopped, or it was answered before (a
                // redelivered message): nobody waits for this answer any more.
                Some($error::TaskTimedOut(_) | $error::TaskDoesNotExist(_) | $error::InvalidToken(_)) => {
                    Ok(TaskAnswer::TaskGone)
                }
                Some($error::KmsThrottlingException(_)) => {
                    Err(port_error($op, e, Some(PortErrorKind::Transient)))
                }
                Some($error::KmsAccessDeniedException(_) | $error::KmsInvalidStateException(_)) => {
                    Err(port_error($op, e, Some(PortErrorKind::Permanent)))
                }
                // InvalidOutput (400) is permanent; unmodelled throttling and 5xx transient.
                _ => Err(port_error($op, e, None)),
            },
        }
    };
}

impl TaskCallback for SfnTaskCallback {
    async fn succeed(&self, token: &str, output: &str) -> Result<TaskAnswer, PortError> {
        let result = self
            .client
            .send_task_success()
            .task_token(token)
            .output(output)
            .send()
            .await;
        task_answer!(result, "Step Functions SendTaskSuccess", SendTaskSuccessError)
    }

    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<TaskAnswer, PortError> {
        let result = self
            .client
            .send_task_failure()
            .task_token(token)
            .error(at_most(error, 256))
            .cause(at_most(cause, 32_768))
            .send()
            .await;
        task_answer!(result, "Step Functions SendTaskFailure", SendTaskFailureError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn a_task_that_no_longer_waits_is_gone_not_an_error() {
        use aws_sdk_sfn::types::error::{InvalidOutput, TaskTimedOut};
        let rule = mock!(Client::send_task_success)
            .match_requests(|r| r.task_token() == Some("tok") && r.output() == Some("{}"))
            .then_output(|| {
                aws_sdk_sfn::operation::send_task_success::SendTaskSuccessOutput::builder().build()
            });
        let callback = SfnTaskCallback::new(mock_client!(aws_sdk_sfn, [&rule]));
        assert_eq!(
            callback.succeed("tok", "{}").await.unwrap(),
            TaskAnswer::Delivered
        );
        let rule = mock!(Client::send_task_success)
            .then_error(|| SendTaskSuccessError::TaskTimedOut(TaskTimedOut::builder().build()));
        let callback = SfnTaskCallback::new(mock_client!(aws_sdk_sfn, [&rule]));
        assert_eq!(callback.succeed("tok", "{}").await.unwrap(), TaskAnswer::TaskGone);
        let rule = mock!(Client::send_task_success)
            .then_error(|| SendTaskSuccessError::InvalidOutput(InvalidOutput::builder().build()));
        let callback = SfnTaskCallback::new(mock_client!(aws_sdk_sfn, [&rule]));
        assert_eq!(
            callback.succeed("tok", "{}").await.unwrap_err().kind,
            PortErrorKind::Permanent
        );
    }

    #[tokio::test]
    async fn failures_are_sent_with_their_name_and_bounded_cause() {
        let long_cause = "é".repeat(40_000);
        let rule = mock!(Client::send_task_failure)
            .match_requests(|r| {
                r.error() == Some("Transient") && r.cause().map(|c| c.chars().count()) == Some(32_768)
            })
            .then_output(|| {
                aws_sdk_sfn::operation::send_task_failure::SendTaskFailureOutput::builder().build()
            });
        let callback = SfnTaskCallback::new(mock_client!(aws_sdk_sfn, [&rule]));
        assert_eq!(
            callback.fail("tok", "Transient", &long_cause).await.unwrap(),
            TaskAnswer::Delivered
        );
        let rule = mock!(Client::send_task_failure)
            .sequence()
            .http_status(
                400,
                Some(r#"{"__type":"ThrottlingException","message":"x"}"#.to_owned()),
            )
            .times(5)
            .build();
        let callback = SfnTaskCallback::new(mock_client!(aws_sdk_sfn, [&rule]));
        assert_eq!(
            callback.fail("tok", "Transient", "x").await.unwrap_err().kind,
            PortErrorKind::Transient
        );
    }
}
