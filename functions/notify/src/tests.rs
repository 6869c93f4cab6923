use super::*;
use aws_adapters::sns::{SnsNotifier, TopicArns};
use aws_sdk_sns::operation::publish::{PublishError, PublishOutput};
use aws_sdk_sns::types::error::KmsThrottlingException;
use aws_sdk_sns::Client;
use aws_smithy_mocks::{mock, mock_client};
use passport_model::Topic;

fn event(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The JSON body and the e-mail text of a structured Publish request.
fn published(message: Option<&str>) -> (Value, String) {
    let structure: Value = serde_json::from_str(message.unwrap()).unwrap();
    let body = serde_json::from_str(structure["default"].as_str().unwrap()).unwrap();
    (body, structure["email"].as_str().unwrap_or_default().to_owned())
}

fn topics() -> TopicArns {
    TopicArns {
        approved: "arn:aws:sns:eu-west-1:123456789012:approved".into(),
        rejected: "arn:aws:sns:eu-west-1:123456789012:rejected".into(),
        alerts: "arn:aws:sns:eu-west-1:123456789012:alerts".into(),
    }
}

#[tokio::test]
async fn a_rejection_goes_to_the_rejected_topic_with_reasons_and_attributes() {
    let rule = mock!(Client::publish)
        .match_requests(|r| {
            let (body, email) = published(r.message());
            let attrs = r.message_attributes().unwrap();
            r.topic_arn() == Some("arn:aws:sns:eu-west-1:123456789012:rejected")
                && r.message_structure() == Some("json")
                && body["schemaVersion"] == 1
                && body["executionName"]
                    .as_str()
                    .is_some_and(|n| !n.is_empty() && !n.contains(':'))
                && email.contains("was rejected under the US rules")
                && email.contains("What to change")
                && email.contains("For staff: https://eu-west-1.console.aws.amazon.com/states/")
                && r.subject() == Some("Passport photo rejected: uploads/jane doe+1 100%?.jpg")
                && body["failedChecks"][0]["id"] == "face.head_size"
                && body["consoleUrl"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://eu-west-1.console.aws.amazon.com/states/")
                && attrs["outcome"].string_value() == Some("REJECTED")
                && attrs["profile"].string_value() == Some("us")
        })
        .then_output(|| PublishOutput::builder().message_id("msg-1").build());
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
    let receipt = handle(event("notify.json"), &notifier).await.unwrap();
    assert_eq!(
        receipt,
        NotificationReceipt {
            topic: Topic::Rejected,
            message_id: "msg-1".into()
        }
    );
}

#[tokio::test]
async fn the_failure_mode_publishes_to_alerts() {
    let rule = mock!(Client::publish)
        .match_requests(|r| {
            let (body, email) = published(r.message());
            r.topic_arn() == Some("arn:aws:sns:eu-west-1:123456789012:alerts")
                && body["error"] == "PhotoNotFound"
                && email.contains("could not finish: PhotoNotFound")
                && r.message_attributes().unwrap()["outcome"].string_value() == Some("FAILED")
        })
        .then_output(|| PublishOutput::builder().message_id("msg-2").build());
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
    let receipt = handle(event("notify-failure.json"), &notifier).await.unwrap();
    assert_eq!(receipt.topic, Topic::Alerts);
}

#[tokio::test]
async fn kms_and_authorisation_denials_are_not_retried() {
    let rule = mock!(Client::publish).then_error(|| {
        PublishError::KmsAccessDeniedException(
            aws_sdk_sns::types::error::KmsAccessDeniedException::builder().build(),
        )
    });
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
    let err = handle(event("notify.json"), &notifier).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "Permanent");
    let rule = mock!(Client::publish).then_error(|| {
        PublishError::NotFoundException(aws_sdk_sns::types::error::NotFoundException::builder().build())
    });
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
    let err = handle(event("notify.json"), &notifier).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "Permanent");
}

#[tokio::test]
async fn sns_throttling_is_transient() {
    let rule = mock!(Client::publish)
        .then_error(|| PublishError::KmsThrottlingException(KmsThrottlingException::builder().build()));
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
    let err = handle(event("notify.json"), &notifier).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "Transient");
}

#[tokio::test]
async fn a_document_without_verdict_or_error_is_invalid_input() {
    let rule = mock!(Client::publish).then_output(|| PublishOutput::builder().build());
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&rule]), topics());
    let input = serde_json::json!({"document": {"photo": {"bucket": "b", "key": "k"}}, "executionArn": "x"});
    let err = handle(input, &notifier).await.unwrap_err();
    assert_eq!(err.error_name(), ErrorName::InvalidInput);
    assert_eq!(rule.num_calls(), 0);
}

#[test]
fn subjects_are_short_ascii_lines() {
    let s = subject(&format!(
        "Passport photo rejected: uploads/{}\n.jpg",
        "é".repeat(200)
    ));
    assert!(s.len() <= 100 && s.is_ascii() && !s.contains('\n'));
    assert_eq!(console_url("not-an-arn"), None);
    assert_eq!(
        console_url("arn:aws:states:local:000000000000:execution:PhotoValidation:x"),
        None
    );
}

/// A verdict with a great many long checks still fits SNS's 256 KiB, and says what it left out.
#[test]
fn every_message_fits_sns_whatever_the_number_of_checks() {
    use passport_model::notification::SNS_MAX_MESSAGE_BYTES;
    use passport_model::{CheckResult, CheckStatus, ExecutionDocument, Verdict};
    use serde_json::json;
    let input = event("notify.json");
    let doc: ExecutionDocument = serde_json::from_value(input["document"].clone()).unwrap();
    let mut verdict: Verdict = doc.verdict.clone().unwrap();
    verdict.checks = (0..5000)
        .map(|i| CheckResult {
            id: format!("check.{i}"),
            status: if i % 3 == 0 {
                CheckStatus::Warn
            } else {
                CheckStatus::Fail
            },
            measured: json!("x".repeat(50)),
            limit: "0.70–0.80".into(),
            message: format!("check {i}: {}", "é".repeat(80)),
        })
        .collect();
    let arn = "arn:aws:states:eu-west-1:123456789012:execution:PhotoValidation:abc";
    let message = verdict_message(&doc, &verdict, arn);
    let structured = message.structured();
    assert!(
        structured.len() <= SNS_MAX_MESSAGE_BYTES,
        "{} bytes",
        structured.len()
    );
    let body: Value = serde_json::from_str(&message.body).unwrap();
    let kept = body["failedChecks"].as_array().unwrap().len() + body["warnings"].as_array().unwrap().len();
    assert!(kept > 0);
    assert_eq!(body["omittedChecks"].as_u64().unwrap() as usize + kept, 5000);
    assert!(message
        .email
        .ends_with("[message shortened: see the console for everything]\n"));

    // A short verdict is left whole.
    verdict.checks.truncate(3);
    let message = verdict_message(&doc, &verdict, arn);
    let body: Value = serde_json::from_str(&message.body).unwrap();
    assert!(body.get("omittedChecks").is_none());
    assert_eq!(body["failedChecks"].as_array().unwrap().len(), 2);
    assert!(!message.email.contains("shortened"));
}

/// The rejected message carries the verdict's face geometry for drawing the overlay.
#[test]
fn the_message_carries_the_face_geometry() {
    use passport_model::{BoundingBox, ExecutionDocument, FaceOverlay, Point};
    let input = event("notify.json");
    let doc: ExecutionDocument = serde_json::from_value(input["document"].clone()).unwrap();
    let mut verdict = doc.verdict.clone().unwrap();
    verdict.geometry = Some(FaceOverlay {
        face_box: BoundingBox {
            left: 0.3,
            top: 0.2,
            width: 0.4,
            height: 0.5,
        },
        eye_left: Some(Point { x: 0.42, y: 0.4 }),
        eye_right: Some(Point { x: 0.58, y: 0.4 }),
        chin_y: Some(0.7),
        crown_y: Some(0.1),
    });
    let arn = "arn:aws:states:eu-west-1:123456789012:execution:PhotoValidation:abc";
    let body: Value = serde_json::from_str(&verdict_message(&doc, &verdict, arn).body).unwrap();
    assert_eq!(body["geometry"]["faceBox"]["width"], 0.4);
    assert_eq!(body["geometry"]["eyeLeft"]["x"], 0.42);
    assert_eq!(body["geometry"]["crownY"], 0.1);
    assert_eq!(body["geometry"]["chinY"], 0.7);
}
