//! `Notifier` over Amazon SNS: one topic ARN per outcome topic.

use aws_sdk_sns::operation::publish::PublishError;
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;
use passport_model::{Notifier, OutboundMessage, PortError, PortErrorKind, Topic};

use crate::port_error;

#[derive(Debug, Clone)]
pub struct TopicArns {
    pub approved: String,
    pub rejected: String,
    pub alerts: String,
}

impl TopicArns {
    pub fn arn(&self, topic: Topic) -> &str {
        match topic {
            Topic::Approved => &self.approved,
            Topic::Rejected => &self.rejected,
            Topic::Alerts => &self.alerts,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SnsNotifier {
    client: Client,
    topics: TopicArns,
}

impl SnsNotifier {
    pub fn new(client: Client, topics: TopicArns) -> Self {
        Self { client, topics }
    }
}

impl Notifier for SnsNotifier {
    async fn publish(&self, message: &OutboundMessage) -> Result<String, PortError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(self.topics.arn(message.topic))
            .subject(&message.subject)
            .message_structure("json")
            .message(message.structured());
        for (name, value) in &message.attributes {
            let attribute = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| PortError::permanent("invalid SNS message attribute").with_source(e))?;
            request = request.message_attributes(name, attribute);
        }
        let out = request.send().await.map_err(|e| {
            // Authorisation and KMS denials do not heal by retrying: they go to the
            // operators at once. Unmodelled errors (SNS throttling is one) are read by
            // status and code.
            let modelled = e.as_service_error().and_then(|s| match s {
                PublishError::InternalErrorException(_) | PublishError::KmsThrottlingException(_) => {
                    Some(PortErrorKind::Transient)
                }
                PublishError::AuthorizationErrorException(_)
                | PublishError::EndpointDisabledException(_)
                | PublishError::InvalidParameterException(_)
                | PublishError::InvalidParameterValueException(_)
                | PublishError::InvalidSecurityException(_)
                | PublishError::KmsAccessDeniedException(_)
                | PublishError::KmsDisabledException(_)
                | PublishError::KmsInvalidStateException(_)
                | PublishError::KmsNotFoundException(_)
                | PublishError::KmsOptInRequired(_)
                | PublishError::NotFoundException(_)
                | PublishError::PlatformApplicationDisabledException(_)
                | PublishError::ValidationException(_) => Some(PortErrorKind::Permanent),
                _ => None,
            });
            port_error("SNS Publish", e, modelled)
        })?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sns::operation::publish::PublishOutput;
    use aws_sdk_sns::types::error::{
        AuthorizationErrorException, InternalErrorException, KmsAccessDeniedException, KmsDisabledException,
        NotFoundException,
    };
    use aws_smithy_mocks::{mock, mock_client};

    fn topics() -> TopicArns {
        TopicArns {
            approved: "arn:aws:sns:eu-west-1:1:approved".into(),
            rejected: "arn:aws:sns:eu-west-1:1:rejected".into(),
            alerts: "arn:aws:sns:eu-west-1:1:alerts".into(),
        }
    }

    fn message() -> OutboundMessage {
        OutboundMessage {
            topic: Topic::Rejected,
            subject: "Passport photo rejected: uploads/a.jpg".into(),
            body: "{}".into(),
            email: "Your photo was rejected.".into(),
            attributes: [("outcome".to_string(), "REJECTED".to_string())]
                .into_iter()
                .collect(),
        }
    }

    #[tokio::test]
    async fn publishes_to_the_outcome_topic_with_attributes() {
        let rule = mock!(Client::publish)
            .match_requests(|r| {
                r.topic_arn() == Some("arn:aws:sns:eu-west-1:1:rejected")
                    && r.message_structure() == Some("json")
                    && r.message() == Some(r#"{"default":"{}","email":"Your photo was rejected."}"#)
                    && r.message_attributes()
                        .and_then(|a| a.get("outcome"))
                        .and_then(|v| v.string_value())
                        == Some("REJECTED")
            })
            .then_output(|| PublishOutput::builder().message_id("m-1").build());
        let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
        assert_eq!(notifier.publish(&message()).await.unwrap(), "m-1");
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn sns_internal_error_is_transient_and_missing_topic_is_not() {
        let rule = mock!(Client::publish)
            .then_error(|| PublishError::InternalErrorException(InternalErrorException::builder().build()));
        let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
        assert_eq!(
            notifier.publish(&message()).await.unwrap_err().kind,
            PortErrorKind::Transient
        );
        let rule = mock!(Client::publish)
            .then_error(|| PublishError::NotFoundException(NotFoundException::builder().build()));
        let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
        assert_ne!(
            notifier.publish(&message()).await.unwrap_err().kind,
            PortErrorKind::Transient
        );
    }

    #[tokio::test]
    async fn authorisation_and_kms_denials_are_permanent() {
        let errors: [fn() -> PublishError; 3] = [
            || PublishError::AuthorizationErrorException(AuthorizationErrorException::builder().build()),
            || PublishError::KmsAccessDeniedException(KmsAccessDeniedException::builder().build()),
            || PublishError::KmsDisabledException(KmsDisabledException::builder().build()),
        ];
        for error in errors {
            let rule = mock!(Client::publish).then_error(error);
            let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
            let err = notifier.publish(&message()).await.unwrap_err();
            assert_eq!(err.kind, PortErrorKind::Permanent, "{err}");
        }
    }

    #[tokio::test]
    async fn unmodelled_throttling_and_server_errors_are_transient() {
        let throttled = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttled</Code><Message>Rate exceeded</Message></Error></ErrorResponse>";
        let unavailable = "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>x</Message></Error></ErrorResponse>";
        for (status, body) in [(400, throttled), (503, unavailable), (502, "")] {
            let rule = mock!(Client::publish)
                .sequence()
                .http_status(status, Some(body.to_owned()))
                .times(5)
                .build();
            let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
            let err = notifier.publish(&message()).await.unwrap_err();
            assert_eq!(err.kind, PortErrorKind::Transient, "{status}: {err}");
        }
    }
}
