use super::*;
use aws_adapters::sfn::SfnWorkflowStarter;
use aws_sdk_sfn::operation::start_execution::{StartExecutionError, StartExecutionOutput};
use aws_sdk_sfn::types::error::{ExecutionAlreadyExists, ExecutionLimitExceeded};
use aws_sdk_sfn::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};

fn event(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn started() -> StartExecutionOutput {
    StartExecutionOutput::builder()
        .execution_arn("arn:aws:states:eu-west-1:1:execution:PhotoValidation:x")
        .start_date(aws_smithy_types::DateTime::from_secs(0))
        .build()
        .unwrap()
}

#[tokio::test]
async fn starts_one_execution_with_the_decoded_key_and_a_derived_name() {
    let rule = mock!(Client::start_execution)
        .match_requests(|r| {
            let input: ExecutionDocument = serde_json::from_str(r.input().unwrap()).unwrap();
            input.photo.key == "uploads/jane doe+1 100%é.jpg"
                && input.photo.version_id.as_deref() == Some("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
                && r.name() == Some(execution_name(&input.photo).as_str())
                && !r.name().unwrap().contains("jane")
                && r.state_machine_arn() == Some("arn:sm")
        })
        .then_output(started);
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    let report = handle(event("s3-put.json"), &starter).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(report.started.len(), 1);
}

#[tokio::test]
async fn a_repeated_event_is_absorbed() {
    let rule = mock!(Client::start_execution).then_error(|| {
        StartExecutionError::ExecutionAlreadyExists(ExecutionAlreadyExists::builder().build())
    });
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    let report = handle(event("s3-put.json"), &starter).await.unwrap();
    assert_eq!(report.already_started.len(), 1);
    assert!(report.started.is_empty());
}

#[tokio::test]
async fn the_same_photo_always_gets_the_same_execution_name() {
    let rule = mock!(Client::start_execution)
        .sequence()
        .output(started)
        .times(2)
        .build();
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    let a = handle(event("s3-put.json"), &starter).await.unwrap();
    let b = handle(event("s3-put.json"), &starter).await.unwrap();
    assert_eq!(a.started, b.started);
}

#[tokio::test]
async fn test_events_and_events_other_than_object_created_are_skipped() {
    let rule = mock!(Client::start_execution).then_output(started);
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    let report = handle(event("s3-test-event.json"), &starter).await.unwrap();
    assert_eq!(report.skipped, 1);
    for other in [
        "ObjectRemoved:Delete",
        "ObjectRestore:Completed",
        "LifecycleExpiration:Delete",
    ] {
        let mut removed = event("s3-put.json");
        removed["Records"][0]["eventName"] = other.into();
        let report = handle(removed, &starter).await.unwrap();
        assert_eq!(report.skipped, 1, "{other}");
    }
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
async fn every_kind_of_object_creation_starts_a_validation() {
    // `aws s3 cp` uses multipart above 8 MB, browser forms POST, copies COPY (S3 event
    // notification types, S3 User Guide).
    let rule = mock!(Client::start_execution)
        .sequence()
        .output(started)
        .times(4)
        .build();
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    for kind in [
        "ObjectCreated:Put",
        "ObjectCreated:Post",
        "ObjectCreated:Copy",
        "ObjectCreated:CompleteMultipartUpload",
    ] {
        let mut created = event("s3-put.json");
        created["Records"][0]["eventName"] = kind.into();
        let report = handle(created, &starter).await.unwrap();
        assert_eq!(report.started.len(), 1, "{kind}");
    }
    assert_eq!(rule.num_calls(), 4);
}

#[tokio::test]
async fn a_folder_marker_is_skipped_not_validated() {
    // The console's "Create folder" writes a 0-byte object whose key ends in '/'.
    let rule = mock!(Client::start_execution).then_output(started);
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    let mut folder = event("s3-put.json");
    folder["Records"][0]["s3"]["object"]["key"] = "uploads/class+2026/".into();
    folder["Records"][0]["s3"]["object"]["size"] = 0.into();
    let report = handle(folder, &starter).await.unwrap();
    assert_eq!(report.skipped, 1);
    assert!(report.started.is_empty());
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
async fn a_batch_tries_every_record_then_fails_for_the_bad_one() {
    // Record 2 has an invalid escape; records 1 and 3 must still be started.
    let rule = mock!(Client::start_execution)
        .sequence()
        .output(started)
        .times(2)
        .build();
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    let err = handle(event("s3-put-batch.json"), &starter).await.unwrap_err();
    assert_eq!(rule.num_calls(), 2);
    assert_eq!(err.error_name(), ErrorName::InvalidInput);
    assert!(err.to_string().contains("1 of 3 records failed"), "{err}");
    assert!(err.to_string().contains("invalid percent escape"), "{err}");
}

#[tokio::test]
async fn a_throttled_record_makes_the_batch_retryable() {
    let first = |r: &aws_sdk_sfn::operation::start_execution::StartExecutionInput| {
        r.input().unwrap_or_default().contains("uploads/first")
    };
    let ok = mock!(Client::start_execution)
        .match_requests(move |r| !first(r))
        .then_output(started);
    let limited = mock!(Client::start_execution)
        .match_requests(move |r| first(r))
        .then_error(|| {
            StartExecutionError::ExecutionLimitExceeded(ExecutionLimitExceeded::builder().build())
        });
    let starter = SfnWorkflowStarter::new(
        mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&limited, &ok]),
        "arn:sm",
    );
    let mut batch = event("s3-put-batch.json");
    batch["Records"][1]["s3"]["object"]["key"] = "uploads/second.jpg".into();
    let err = handle(batch, &starter).await.unwrap_err();
    assert_eq!(err.error_name(), ErrorName::Transient);
    assert_eq!(ok.num_calls(), 2);
}

#[tokio::test]
async fn something_that_is_not_an_s3_event_is_invalid_input() {
    let rule = mock!(Client::start_execution).then_output(started);
    let starter = SfnWorkflowStarter::new(mock_client!(aws_sdk_sfn, [&rule]), "arn:sm");
    let err = handle(serde_json::json!({"hello": "world"}), &starter)
        .await
        .unwrap_err();
    assert_eq!(err.error_name(), ErrorName::InvalidInput);
    assert_eq!(lambda_support::diagnostic(err).error_type, "InvalidInput");
}
