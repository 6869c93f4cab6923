//! `WorkflowStarter` over AWS Step Functions StartExecution.

use aws_sdk_sfn::operation::start_execution::StartExecutionError;
use aws_sdk_sfn::Client;
use passport_model::{PortError, PortErrorKind, StartOutcome, WorkflowStarter};

use crate::port_error;

#[derive(Debug, Clone)]
pub struct SfnWorkflowStarter {
    client: Client,
    state_machine_arn: String,
}

impl SfnWorkflowStarter {
    pub fn new(client: Client, state_machine_arn: impl Into<String>) -> Self {
        Self {
            client,
            state_machine_arn: state_machine_arn.into(),
        }
    }
}

impl WorkflowStarter for SfnWorkflowStarter {
    async fn start_execution(&self, name: &str, input: &str) -> Result<StartOutcome, PortError> {
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(name)
            .input(input)
            .send()
            .await;
        match result {
            Ok(out) => Ok(StartOutcome::Started {
                execution_arn: out.execution_arn().to_owned(),
            }),
            // The name is derived from the photo's identity: it was started already.
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(StartExecutionError::ExecutionAlreadyExists(_))
                ) =>
            {
                Ok(StartOutcome::AlreadyStarted)
            }
            // Too many running executions drains by itself: worth retrying later.
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(StartExecutionError::ExecutionLimitExceeded(_))
                ) =>
            {
                Err(port_error(
                    "Step Functions StartExecution",
                    e,
                    Some(PortErrorKind::Transient),
                ))
            }
            Err(e) => {
                let modelled = e.as_service_error().and_then(|s| match s {
                    StartExecutionError::KmsThrottlingException(_) => Some(PortErrorKind::Transient),
                    StartExecutionError::InvalidArn(_)
                    | StartExecutionError::InvalidExecutionInput(_)
                    | StartExecutionError::InvalidName(_)
                    | StartExecutionError::KmsAccessDeniedException(_)
                    | StartExecutionError::KmsInvalidStateException(_)
                    | StartExecutionError::StateMachineDeleting(_)
                    | StartExecutionError::StateMachineDoesNotExist(_)
                    | StartExecutionError::ValidationException(_) => Some(PortErrorKind::Permanent),
                    _ => None,
                });
                Err(port_error("Step Functions StartExecution", e, modelled))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sfn::operation::start_execution::StartExecutionOutput;
    use aws_sdk_sfn::types::error::{
        ExecutionAlreadyExists, ExecutionLimitExceeded, StateMachineDoesNotExist,
    };
    use aws_smithy_mocks::{mock, mock_client};

    #[tokio::test]
    async fn starts_with_the_given_name() {
        let rule = mock!(Client::start_execution)
            .match_requests(|r| r.name() == Some("photo-abc") && r.state_machine_arn() == Some("arn:sm"))
            .then_output(|| {
                StartExecutionOutput::builder()
                    .execution_arn("arn:exec")
                    .start_date(aws_smithy_types::DateTime::from_secs(0))
                    .build()
                    .unwrap()
            });
        let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
        assert_eq!(
            starter.start_execution("photo-abc", "{}").await.unwrap(),
            StartOutcome::Started {
                execution_arn: "arn:exec".into()
            }
        );
    }

    #[tokio::test]
    async fn already_exists_is_success_and_the_execution_limit_is_transient() {
        let rule = mock!(Client::start_execution).then_error(|| {
            StartExecutionError::ExecutionAlreadyExists(ExecutionAlreadyExists::builder().build())
        });
        let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
        assert_eq!(
            starter.start_execution("n", "{}").await.unwrap(),
            StartOutcome::AlreadyStarted
        );
        let rule = mock!(Client::start_execution).then_error(|| {
            StartExecutionError::ExecutionLimitExceeded(ExecutionLimitExceeded::builder().build())
        });
        let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
        assert_eq!(
            starter.start_execution("n", "{}").await.unwrap_err().kind,
            PortErrorKind::Transient
        );
        let rule = mock!(Client::start_execution).then_error(|| {
            StartExecutionError::StateMachineDoesNotExist(StateMachineDoesNotExist::builder().build())
        });
        let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
        assert_eq!(
            starter.start_execution("n", "{}").await.unwrap_err().kind,
            PortErrorKind::Permanent
        );
    }

    #[tokio::test]
    async fn unmodelled_throttling_and_server_errors_are_transient() {
        for (status, code) in [
            (400, "ThrottlingException"),
            (500, "InternalFailure"),
            (503, "ServiceUnavailable"),
        ] {
            let body = format!("{{\"__type\":\"{code}\",\"message\":\"x\"}}");
            let rule = mock!(Client::start_execution)
                .sequence()
                .http_status(status, Some(body))
                .times(5)
                .build();
            let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
            let err = starter.start_execution("n", "{}").await.unwrap_err();
            assert_eq!(err.kind, PortErrorKind::Transient, "{status} {code}: {err}");
        }
    }
}
