use super::*;
use aws_adapters::s3::S3ObjectStore;
use aws_adapters::sns::{SnsNotifier, TopicArns};
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_sdk_sns::operation::publish::PublishOutput;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use serde_json::json;

const BUCKET: &str = "passport-photos-dev-123456789012-eu-west-1-1a2b3c4d";
const RUN: &str = "revalidation/2b0c1e3a-5d8f-4c1e-9a7b-3f2e1d0c9b8a";

fn event() -> Value {
    let path = format!("{}/../../events/summarize-run.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn topics() -> TopicArns {
    TopicArns {
        approved: "arn:aws:sns:eu-west-1:123456789012:approved".into(),
        rejected: "arn:aws:sns:eu-west-1:123456789012:rejected".into(),
        alerts: "arn:aws:sns:eu-west-1:123456789012:alerts".into(),
    }
}

/// Serves `body` for exactly `bucket`/`key`.
fn object(key: String, body: Value) -> Rule {
    let wanted = key.clone();
    mock!(aws_sdk_s3::Client::get_object)
        .match_requests(move |r| r.bucket() == Some(BUCKET) && r.key() == Some(wanted.as_str()))
        .then_output(move || {
            let bytes = body.to_string().into_bytes();
            GetObjectOutput::builder()
                .content_length(bytes.len() as i64)
                .body(ByteStream::from(bytes))
                .build()
        })
}

fn manifest(failed: bool) -> Rule {
    let failed_files = if failed {
        json!([{"Key": format!("{RUN}/FAILED_0.json"), "Size": 1}])
    } else {
        json!([])
    };
    object(
        format!("{RUN}/manifest.json"),
        json!({
            "DestinationBucket": BUCKET,
            "MapRunArn": "arn:aws:states:eu-west-1:123456789012:mapRun:Revalidate/Revalidate:2b0c",
            "ResultFiles": {"FAILED": failed_files, "PENDING": [], "SUCCEEDED": [{"Key": format!("{RUN}/SUCCEEDED_0.json"), "Size": 1}]}
        }),
    )
}

fn child(key: &str, outcome: &str, failed: &[&str]) -> Value {
    json!({
        "ExecutionArn": format!("arn:aws:states:eu-west-1:123456789012:execution:Revalidate/Revalidate:{key}"),
        "Input": json!({"photo": {"bucket": BUCKET, "key": key}}).to_string(),
        "InputDetails": {"Included": true},
        "Output": json!({"key": key, "outcome": outcome, "failedChecks": failed}).to_string(),
        "OutputDetails": {"Included": true},
        "Status": "SUCCEEDED",
    })
}

fn succeeded(children: Vec<Value>) -> Rule {
    object(format!("{RUN}/SUCCEEDED_0.json"), Value::Array(children))
}

fn failed_file() -> Rule {
    object(
        format!("{RUN}/FAILED_0.json"),
        json!([{
            "Input": json!({"photo": {"key": "uploads/gone.jpg"}}).to_string(),
            "Status": "FAILED", "Error": "PhotoNotFound", "Cause": "uploads/gone.jpg was deleted"
        }]),
    )
}

/// The topic, subject, JSON body and e-mail text of the one Publish request.
fn publish_rule(check: impl Fn(&str, &str, &Value, &str) -> bool + Send + Sync + 'static) -> Rule {
    mock!(aws_sdk_sns::Client::publish)
        .match_requests(move |r| {
            let structure: Value = serde_json::from_str(r.message().unwrap()).unwrap();
            let body: Value = serde_json::from_str(structure["default"].as_str().unwrap()).unwrap();
            check(
                r.topic_arn().unwrap_or_default(),
                r.subject().unwrap_or_default(),
                &body,
                structure["email"].as_str().unwrap_or_default(),
            )
        })
        .then_output(|| PublishOutput::builder().message_id("msg-1").build())
}

#[tokio::test]
async fn a_run_with_rejections_is_summarized_once_to_the_rejected_topic() {
    let (m, s) = (
        manifest(false),
        succeeded(vec![
            child("uploads/a.jpg", "APPROVED", &[]),
            child(
                "uploads/b.jpg",
                "REJECTED",
                &["face.head_size", "image.background"],
            ),
            child("uploads/c.jpg", "REJECTED", &["face.head_size"]),
        ]),
    );
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&m, &s]));
    let publish = publish_rule(|topic, subject, body, email| {
        topic.ends_with(":rejected")
            && subject == "Re-validation under the UK rules: 3 photos, 2 rejected, 0 not processed"
            && body["kind"] == "revalidationSummary"
            && body["summary"]["topFailedChecks"][0] == json!({"check": "face.head_size", "photos": 2})
            && body["summary"]["results"]["manifest"] == format!("{RUN}/manifest.json")
            && email.contains("3 photos: 1 approved, 2 rejected, 0 could not be processed")
            && email.contains(&format!("s3://{BUCKET}/{RUN}/manifest.json"))
    });
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&publish]), topics());
    let report = handle(event(), &store, &notifier, 1 << 20).await.unwrap();
    let summary = report.summary.unwrap();
    assert_eq!(
        (
            summary.items,
            summary.approved,
            summary.rejected,
            summary.not_processed
        ),
        (3, 1, 2, 0)
    );
    assert_eq!(report.topic, Topic::Rejected);
    assert_eq!(publish.num_calls(), 1, "exactly one message per run");
}

#[tokio::test]
async fn photos_that_could_not_be_judged_send_the_summary_to_the_alerts_topic_with_examples() {
    let (m, s, f) = (
        manifest(true),
        succeeded(vec![child("uploads/a.jpg", "APPROVED", &[])]),
        failed_file(),
    );
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&m, &s, &f]));
    let publish = publish_rule(|topic, _, body, email| {
        topic.ends_with(":alerts")
            && body["summary"]["notProcessed"] == 1
            && body["summary"]["notProcessedExamples"][0]["key"] == "uploads/gone.jpg"
            && email.contains("uploads/gone.jpg: PhotoNotFound")
    });
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&publish]), topics());
    let report = handle(event(), &store, &notifier, 1 << 20).await.unwrap();
    assert_eq!(report.topic, Topic::Alerts);
    assert_eq!(publish.num_calls(), 1);
}

#[tokio::test]
async fn an_all_approved_run_goes_to_the_approved_topic() {
    let (m, s) = (
        manifest(false),
        succeeded(vec![child("uploads/a.jpg", "APPROVED", &[])]),
    );
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&m, &s]));
    let publish = publish_rule(|topic, _, _, _| topic.ends_with(":approved"));
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&publish]), topics());
    let report = handle(event(), &store, &notifier, 1 << 20).await.unwrap();
    assert_eq!(report.topic, Topic::Approved);
}

#[tokio::test]
async fn a_failed_run_is_reported_to_the_alerts_topic_with_its_error_and_where_partial_results_are() {
    let mut input = event();
    input.as_object_mut().unwrap().remove("results");
    input["error"] = json!({"Error": "States.ExceedToleratedFailureThreshold", "Cause": "The specified tolerated failure threshold was exceeded"});
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, []));
    let publish = publish_rule(|topic, subject, body, email| {
        topic.ends_with(":alerts")
            && subject == "Re-validation under the UK rules failed: States.ExceedToleratedFailureThreshold"
            && body["kind"] == "revalidationFailure"
            && body["results"] == format!("s3://{BUCKET}/revalidation/")
            && email.contains("tolerated failure threshold")
    });
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&publish]), topics());
    let report = handle(input, &store, &notifier, 1 << 20).await.unwrap();
    assert_eq!((report.topic, report.summary), (Topic::Alerts, None));
    assert_eq!(publish.num_calls(), 1);
}

#[tokio::test]
async fn missing_damaged_or_oversized_results_are_permanent_errors_that_name_the_file() {
    let publish = publish_rule(|_, _, _, _| true);
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, [&publish]), topics());

    let gone = mock!(aws_sdk_s3::Client::get_object)
        .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&gone]));
    let err = handle(event(), &store, &notifier, 1 << 20).await.unwrap_err();
    assert!(err.to_string().contains("manifest.json"), "{err}");
    assert_eq!(lambda_support::diagnostic(err).error_type, "Permanent");

    let (m, damaged) = (
        manifest(false),
        object(format!("{RUN}/SUCCEEDED_0.json"), json!({"not": "an array"})),
    );
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&m, &damaged]));
    let err = handle(event(), &store, &notifier, 1 << 20).await.unwrap_err();
    assert!(
        err.to_string().contains("SUCCEEDED_0.json is not a result file"),
        "{err}"
    );
    assert_eq!(lambda_support::diagnostic(err).error_type, "Permanent");

    let (m, big) = (
        manifest(false),
        succeeded(vec![child("uploads/a.jpg", "APPROVED", &[]); 50]),
    );
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&m, &big]));
    let err = handle(event(), &store, &notifier, 2_000).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "Permanent");
    assert_eq!(publish.num_calls(), 0, "nothing is published from partial counts");
}

#[tokio::test]
async fn s3_throttling_is_transient_and_a_request_without_results_is_invalid() {
    // SlowDown and other 5xx answers, past the SDK's own retries.
    let slow = mock!(aws_sdk_s3::Client::get_object)
        .sequence()
        .http_status(503, None)
        .times(5)
        .build();
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&slow]));
    let notifier = SnsNotifier::new(mock_client!(aws_sdk_sns, []), topics());
    let err = handle(event(), &store, &notifier, 1 << 20).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "Transient");

    let mut input = event();
    input.as_object_mut().unwrap().remove("results");
    let err = handle(input, &store, &notifier, 1 << 20).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "InvalidInput");
}
