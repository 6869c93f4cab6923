use super::*;
use aws_adapters::rekognition::RekognitionFaceDetector;
use aws_sdk_rekognition::operation::detect_faces::{DetectFacesError, DetectFacesOutput};
use aws_sdk_rekognition::types::error::{ImageTooLargeException, ProvisionedThroughputExceededException};
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
