use super::*;
use aws_adapters::rekognition::RekognitionFaceDetector;
use aws_sdk_rekognition::operation::detect_faces::{DetectFacesError, DetectFacesOutput};
use aws_sdk_rekognition::types::error::{
    ImageTooLargeException, InternalServerError, ProvisionedThroughputExceededException, ThrottlingException,
};
use aws_sdk_rekognition::types::{BoundingBox, FaceDetail};
use aws_sdk_rekognition::Client;
use aws_smithy_mocks::{mock, mock_client};

fn input() -> Value {
    let path = format!("{}/../../events/detect-faces.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn detects_faces_of_the_exact_version() {
    let rule = mock!(Client::detect_faces)
        .match_requests(|r| {
            r.image().and_then(|i| i.s3_object()).and_then(|o| o.version())
                == Some("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
        })
        .then_output(|| {
            DetectFacesOutput::builder()
                .face_details(
                    FaceDetail::builder()
                        .bounding_box(
                            BoundingBox::builder()
                                .left(0.3)
                                .top(0.2)
                                .width(0.4)
                                .height(0.6)
                                .build(),
                        )
                        .confidence(99.9)
                        .build(),
                )
                .build()
        });
    let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
    let analysis = handle(input(), &detector).await.unwrap();
    assert_eq!(analysis.faces.len(), 1);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn rekognition_throttling_is_transient() {
    let rule = mock!(Client::detect_faces).then_error(|| {
        DetectFacesError::ProvisionedThroughputExceededException(
            ProvisionedThroughputExceededException::builder().build(),
        )
    });
    let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
    let err = handle(input(), &detector).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "Transient");
}

#[tokio::test]
async fn a_throttle_is_counted_for_the_dashboard_and_a_server_error_is_not() {
    let throttled = mock!(Client::detect_faces)
        .then_error(|| DetectFacesError::ThrottlingException(ThrottlingException::builder().build()));
    let failing = mock!(Client::detect_faces)
        .then_error(|| DetectFacesError::InternalServerError(InternalServerError::builder().build()));
    let photo = PhotoRef::new("b", "uploads/a.jpg");
    for (rule, counted) in [(&throttled, 1), (&failing, 0)] {
        let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [rule]));
        let err = detector.detect_faces(&photo).await.unwrap_err();
        let sets = throttle_metrics(&err);
        assert_eq!(sets.len(), counted, "{err}");
        for doc in sets.iter().map(|s| s.document("PassportPhoto", 0)) {
            assert_eq!(doc["RekognitionThrottles"], 1.0);
            assert_eq!(doc["Step"], "detect-faces");
        }
    }
}

#[tokio::test]
async fn an_image_rekognition_refuses_is_answered_not_failed() {
    let rule = mock!(Client::detect_faces)
        .then_error(|| DetectFacesError::ImageTooLargeException(ImageTooLargeException::builder().build()));
    let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
    let analysis = handle(input(), &detector).await.unwrap();
    assert!(analysis.refused.unwrap().contains("too large"));
}

#[tokio::test]
async fn malformed_input_is_invalid_input() {
    let rule = mock!(Client::detect_faces).then_output(|| DetectFacesOutput::builder().build());
    let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
    let err = handle(serde_json::json!({}), &detector).await.unwrap_err();
    assert_eq!(err.error_name(), ErrorName::InvalidInput);
    assert_eq!(rule.num_calls(), 0);
}

mod queue_consumer {
    use std::sync::Mutex;
    use std::time::Duration;

    use passport_model::{FaceAnalysis, PhotoRef, PortError, TaskAnswer, TaskCallback};
    use serde_json::{json, Value};

    use crate::queue::{consume, Pacer, GIVE_UP_AFTER_RECEIVES, TIME_FOR_ONE_RECORD};

    /// Answers with the given results in turn, counting calls.
    struct ScriptedDetector(Mutex<Vec<Result<FaceAnalysis, PortError>>>, Mutex<u32>);
    impl ScriptedDetector {
        fn new(results: Vec<Result<FaceAnalysis, PortError>>) -> Self {
            Self(Mutex::new(results), Mutex::new(0))
        }
        fn calls(&self) -> u32 {
            *self.1.lock().unwrap()
        }
    }
    impl passport_model::FaceDetector for ScriptedDetector {
        async fn detect_faces(&self, _: &PhotoRef) -> Result<FaceAnalysis, PortError> {
            *self.1.lock().unwrap() += 1;
            let mut results = self.0.lock().unwrap();
            if results.len() > 1 {
                results.remove(0)
            } else {
                match &results[0] {
                    Ok(a) => Ok(a.clone()),
                    Err(e) => Err(PortError::new(e.kind, e.message.clone())),
                }
            }
        }
    }

    /// A task's answer: its output, or (error, cause).
    type Answer = Result<Value, (String, String)>;

    #[derive(Default)]
    struct RecordingCallback {
        answers: Mutex<Vec<(String, Answer)>>,
        gone: bool,
    }
    impl TaskCallback for RecordingCallback {
        async fn succeed(&self, token: &str, output: &str) -> Result<TaskAnswer, PortError> {
            let output = serde_json::from_str(output).unwrap();
            self.answers.lock().unwrap().push((token.into(), Ok(output)));
            Ok(if self.gone {
                TaskAnswer::TaskGone
            } else {
                TaskAnswer::Delivered
            })
        }
        async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<TaskAnswer, PortError> {
            self.answers
                .lock()
                .unwrap()
                .push((token.into(), Err((error.into(), cause.into()))));
            Ok(TaskAnswer::Delivered)
        }
    }

    fn record(id: &str, body: Value, receives: u32) -> Value {
        json!({
            "messageId": id,
            "receiptHandle": format!("handle-{id}"),
            "body": body.to_string(),
            "attributes": {"ApproximateReceiveCount": receives.to_string(), "SentTimestamp": "1764590400000"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:detect-faces",
            "awsRegion": "eu-west-1"
        })
    }

    fn task(token: &str) -> Value {
        let step: Value = super::input();
        json!({"taskToken": token, "photo": step["photo"]})
    }

    /// One batch through the consumer with time to spare and no pacing; the ids it hands
    /// back to the queue.
    async fn handed_back(
        records: Vec<Value>,
        detector: &ScriptedDetector,
        callback: &RecordingCallback,
        time_left: fn() -> Duration,
    ) -> Vec<String> {
        let pacer = Pacer::new(f64::INFINITY, 1);
        consume(
            json!({ "Records": records }),
            detector,
            callback,
            &pacer,
            time_left,
        )
        .await
        .unwrap()
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect()
    }

    fn no_faces() -> FaceAnalysis {
        FaceAnalysis {
            source: passport_model::FaceSource::Rekognition,
            faces: Vec::new(),
            refused: None,
            omitted_faces: 0,
        }
    }

    const PLENTY: fn() -> Duration = || Duration::from_secs(30);

    #[tokio::test]
    async fn every_task_is_answered_with_its_faces_and_the_batch_is_deleted() {
        let detector = ScriptedDetector::new(vec![Ok(no_faces())]);
        let callback = RecordingCallback::default();
        let failed = handed_back(
            vec![record("m1", task("t1"), 1), record("m2", task("t2"), 1)],
            &detector,
            &callback,
            PLENTY,
        )
        .await;
        assert!(failed.is_empty());
        let answers = callback.answers.lock().unwrap();
        assert_eq!(
            answers.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
            ["t1", "t2"]
        );
        assert!(answers
            .iter()
            .all(|(_, a)| a.as_ref().is_ok_and(|v| v["faces"].is_array())));
    }

    #[tokio::test]
    async fn throttling_leaves_the_message_for_redelivery_then_fails_the_task_as_transient() {
        let detector = ScriptedDetector::new(vec![Err(PortError::transient("ThrottlingException"))]);
        let callback = RecordingCallback::default();
        for receives in 1..GIVE_UP_AFTER_RECEIVES {
            let failed = handed_back(
                vec![record("m1", task("t1"), receives)],
                &detector,
                &callback,
                PLENTY,
            )
            .await;
            assert_eq!(failed, ["m1"], "receive {receives} is handed back");
            assert!(callback.answers.lock().unwrap().is_empty());
        }
        let last = record("m1", task("t1"), GIVE_UP_AFTER_RECEIVES);
        let failed = handed_back(vec![last], &detector, &callback, PLENTY).await;
        assert!(failed.is_empty(), "answered, so deleted");
        let answers = callback.answers.lock().unwrap();
        let (error, cause) = answers[0].1.as_ref().unwrap_err();
        assert_eq!(error, "Transient");
        assert!(
            cause.contains("after 5 receives") && cause.contains("ThrottlingException"),
            "{cause}"
        );
    }

    #[tokio::test]
    async fn business_errors_fail_the_task_at_once_with_their_name() {
        let detector = ScriptedDetector::new(vec![Err(PortError::not_found("NoSuchVersion"))]);
        let callback = RecordingCallback::default();
        let no_photo = json!({"taskToken": "t2", "photo": "nonsense"});
        let failed = handed_back(
            vec![record("m1", task("t1"), 1), record("m2", no_photo, 1)],
            &detector,
            &callback,
            PLENTY,
        )
        .await;
        assert!(failed.is_empty());
        let answers = callback.answers.lock().unwrap();
        assert_eq!(answers[0].1.as_ref().unwrap_err().0, "PhotoNotFound");
        assert_eq!(answers[1].1.as_ref().unwrap_err().0, "InvalidInput");
        assert_eq!(detector.calls(), 1, "a malformed photo costs no DetectFaces call");
    }

    #[tokio::test]
    async fn a_message_without_a_token_goes_back_to_the_queue_towards_the_dead_letter_queue() {
        let detector = ScriptedDetector::new(vec![Ok(no_faces())]);
        let callback = RecordingCallback::default();
        let failed = handed_back(
            vec![record("m1", json!({"photo": {}}), 1)],
            &detector,
            &callback,
            PLENTY,
        )
        .await;
        assert_eq!(failed, ["m1"]);
        assert_eq!(detector.calls(), 0);
    }

    #[tokio::test]
    async fn a_task_that_no_longer_waits_is_dropped() {
        let detector = ScriptedDetector::new(vec![Ok(no_faces())]);
        let callback = RecordingCallback {
            gone: true,
            ..Default::default()
        };
        let failed = handed_back(vec![record("m1", task("t1"), 3)], &detector, &callback, PLENTY).await;
        assert!(failed.is_empty());
    }

    #[tokio::test]
    async fn records_that_would_outlast_the_invocation_are_handed_back_untouched() {
        let detector = ScriptedDetector::new(vec![Ok(no_faces())]);
        let callback = RecordingCallback::default();
        let failed = handed_back(
            vec![record("m1", task("t1"), 1), record("m2", task("t2"), 1)],
            &detector,
            &callback,
            || TIME_FOR_ONE_RECORD / 2,
        )
        .await;
        assert_eq!(failed, ["m1", "m2"]);
        assert_eq!(detector.calls(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_calls_so_that_all_instances_together_stay_under_the_quota() {
        // 50 TPS shared by 10 instances: each calls at most every 200 ms.
        let pacer = Pacer::new(50.0, 10);
        assert_eq!(pacer.interval(), Duration::from_millis(200));
        let start = tokio::time::Instant::now();
        for _ in 0..6 {
            pacer.wait_turn().await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(1),
            "six turns: the first at once, five intervals"
        );
    }

    #[tokio::test]
    async fn an_event_that_is_not_an_sqs_batch_is_invalid_input() {
        let detector = ScriptedDetector::new(vec![Ok(no_faces())]);
        let err = consume(
            json!({"photo": {}}),
            &detector,
            &RecordingCallback::default(),
            &Pacer::new(1.0, 1),
            PLENTY,
        )
        .await
        .unwrap_err();
        assert_eq!(
            crate::StepError::error_name(&err),
            lambda_support::ErrorName::InvalidInput
        );
    }
}
