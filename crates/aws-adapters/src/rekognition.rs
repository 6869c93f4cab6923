//! `FaceDetector` over Amazon Rekognition DetectFaces (Attributes ALL), reading the image
//! straight from S3 (exact version), so the Lambda never holds the photo's bytes.

use aws_sdk_rekognition::operation::detect_faces::{DetectFacesError, DetectFacesOutput};
use aws_sdk_rekognition::types::{self as rk, Attribute, Image, S3Object};
use aws_sdk_rekognition::Client;
use passport_model::rekognition_json as wire;
use passport_model::{FaceAnalysis, FaceDetector, PhotoRef, PortError, PortErrorKind};

use crate::port_error;

#[derive(Debug, Clone)]
pub struct RekognitionFaceDetector {
    client: Client,
}

impl RekognitionFaceDetector {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl FaceDetector for RekognitionFaceDetector {
    async fn detect_faces(&self, photo: &PhotoRef) -> Result<FaceAnalysis, PortError> {
        let image = Image::builder()
            .s3_object(
                S3Object::builder()
                    .bucket(&photo.bucket)
                    .name(&photo.key)
                    .set_version(photo.version_id.clone())
                    .build(),
            )
            .build();
        let result = self
            .client
            .detect_faces()
            .image(image)
            .attributes(Attribute::All)
            .send()
            .await;
        match result {
            Ok(out) => Ok(analysis_from_output(&out)),
            Err(e) => {
                // Only these two are the image's own fault, answered with a verdict. Every
                // other refusal (InvalidS3ObjectException is also what IAM, bucket policy,
                // KMS and region trouble look like) is the operators' to fix, never the
                // applicant's.
                let refusal = e.as_service_error().and_then(|s| match s {
                    DetectFacesError::InvalidImageFormatException(_) => {
                        Some("the face detector cannot read this image format")
                    }
                    DetectFacesError::ImageTooLargeException(_) => {
                        Some("the image is too large for the face detector")
                    }
                    _ => None,
                });
                if let Some(reason) = refusal {
                    tracing::info!(photo = %photo.uri(), reason, "face detector refused the image");
                    return Ok(FaceAnalysis::refused(
                        passport_model::FaceSource::Rekognition,
                        reason,
                    ));
                }
                Err(classify_detect_error(e))
            }
        }
    }
}

/// Modelled errors by their meaning; unmodelled ones (`Unhandled`) fall through to the
/// generic reading of status and code, so an unmodelled 5xx or throttle stays transient.
fn classify_detect_error(
    e: aws_smithy_runtime_api::client::result::SdkError<
        DetectFacesError,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> PortError {
    let modelled = e.as_service_error().and_then(|s| match s {
        DetectFacesError::ThrottlingException(_)
        | DetectFacesError::ProvisionedThroughputExceededException(_)
        | DetectFacesError::InternalServerError(_) => Some(PortErrorKind::Transient),
        DetectFacesError::InvalidS3ObjectException(_) => Some(PortErrorKind::Permanent),
        DetectFacesError::AccessDeniedException(_)
        | DetectFacesError::InvalidParameterException(_)
        | DetectFacesError::InvalidImageFormatException(_)
        | DetectFacesError::ImageTooLargeException(_) => Some(PortErrorKind::Permanent),
        _ => None,
    });
    let throttled = matches!(
        e.as_service_error(),
        Some(
            DetectFacesError::ThrottlingException(_)
                | DetectFacesError::ProvisionedThroughputExceededException(_)
        )
    );
    let invalid_object = matches!(
        e.as_service_error(),
        Some(DetectFacesError::InvalidS3ObjectException(_))
    );
    let mut err = port_error("Rekognition DetectFaces", e, modelled);
    err.throttled |= throttled;
    if invalid_object {
        err.message.push_str(
            " (Rekognition could not read the object: check the function's s3:GetObjectVersion \
             permission, the bucket policy, the bucket's KMS key and that the bucket is in \
             Rekognition's region)",
        );
    }
    // Rekognition reads the photo itself: a 404 from it is not the photo vanishing.
    if err.kind == PortErrorKind::NotFound {
        err.kind = PortErrorKind::Permanent;
    }
    err
}

/// Our face analysis from the SDK output, through the wire-shape conversion that recorded
/// responses use too.
pub fn analysis_from_output(out: &DetectFacesOutput) -> FaceAnalysis {
    wire::DetectFacesResponse {
        face_details: out.face_details().iter().map(wire_face).collect(),
    }
    .into_analysis()
}

fn f(v: Option<f32>) -> Option<f64> {
    v.map(f64::from)
}

fn bool_attr(value: bool, confidence: Option<f32>) -> wire::BoolAttribute {
    wire::BoolAttribute {
        value: Some(value),
        confidence: f(confidence),
    }
}

fn wire_face(d: &rk::FaceDetail) -> wire::FaceDetail {
    wire::FaceDetail {
        bounding_box: d.bounding_box().map(|b| wire::BoundingBox {
            width: f(b.width()),
            height: f(b.height()),
            left: f(b.left()),
            top: f(b.top()),
        }),
        confidence: f(d.confidence()),
        pose: d.pose().map(|p| wire::Pose {
            roll: f(p.roll()),
            yaw: f(p.yaw()),
            pitch: f(p.pitch()),
        }),
        quality: d.quality().map(|q| wire::Quality {
            brightness: f(q.brightness()),
            sharpness: f(q.sharpness()),
        }),
        landmarks: d
            .landmarks()
            .iter()
            .map(|l| wire::Landmark {
                kind: l.r#type().map(|t| t.as_str().to_owned()),
                x: f(l.x()),
                y: f(l.y()),
            })
            .collect(),
        eyes_open: d.eyes_open().map(|a| bool_attr(a.value(), a.confidence())),
        mouth_open: d.mouth_open().map(|a| bool_attr(a.value(), a.confidence())),
        smile: d.smile().map(|a| bool_attr(a.value(), a.confidence())),
        eyeglasses: d.eyeglasses().map(|a| bool_attr(a.value(), a.confidence())),
        sunglasses: d.sunglasses().map(|a| bool_attr(a.value(), a.confidence())),
        face_occluded: d.face_occluded().map(|a| bool_attr(a.value(), a.confidence())),
        eye_direction: d.eye_direction().map(|e| wire::EyeDirection {
            yaw: f(e.yaw()),
            pitch: f(e.pitch()),
            confidence: f(e.confidence()),
        }),
        age_range: d.age_range().map(|a| wire::AgeRange {
            low: a.low().map(i64::from),
            high: a.high().map(i64::from),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_rekognition::types::error::{
        InvalidImageFormatException, InvalidParameterException, InvalidS3ObjectException, ThrottlingException,
    };
    use aws_sdk_rekognition::types::{BoundingBox, EyeOpen, Landmark, LandmarkType, Pose};
    use aws_smithy_mocks::{mock, mock_client};
    use passport_model::LandmarkType as Ours;

    fn photo() -> PhotoRef {
        let mut p = PhotoRef::new("b", "uploads/a.jpg");
        p.version_id = Some("v7".into());
        p
    }

    fn one_face() -> DetectFacesOutput {
        DetectFacesOutput::builder()
            .face_details(
                rk::FaceDetail::builder()
                    .bounding_box(
                        BoundingBox::builder()
                            .width(0.5)
                            .height(0.6)
                            .left(0.25)
                            .top(0.2)
                            .build(),
                    )
                    .confidence(99.5)
                    .pose(Pose::builder().roll(1.0).yaw(-2.0).pitch(3.0).build())
                    .eyes_open(EyeOpen::builder().value(true).confidence(98.0).build())
                    .landmarks(
                        Landmark::builder()
                            .r#type(LandmarkType::ChinBottom)
                            .x(0.5)
                            .y(0.8)
                            .build(),
                    )
                    .build(),
            )
            .build()
    }

    #[tokio::test]
    async fn asks_for_all_attributes_on_the_exact_version_and_converts() {
        let rule = mock!(Client::detect_faces)
            .match_requests(|r| {
                let s3 = r.image().and_then(|i| i.s3_object());
                r.attributes() == [Attribute::All]
                    && s3.and_then(|o| o.version()) == Some("v7")
                    && s3.and_then(|o| o.name()) == Some("uploads/a.jpg")
            })
            .then_output(one_face);
        let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
        let analysis = detector.detect_faces(&photo()).await.unwrap();
        assert_eq!(rule.num_calls(), 1);
        let face = &analysis.faces[0];
        assert!((face.confidence - 99.5).abs() < 1e-4);
        assert!(face.eyes_open.unwrap().value);
        assert_eq!(face.landmarks[0].kind, Ours::ChinBottom);
        assert!((face.pose.unwrap().pitch - 3.0).abs() < 1e-6);
    }

    #[tokio::test]
    async fn throttling_is_transient() {
        let rule = mock!(Client::detect_faces)
            .then_error(|| DetectFacesError::ThrottlingException(ThrottlingException::builder().build()));
        let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
        let err = detector.detect_faces(&photo()).await.unwrap_err();
        assert_eq!(err.kind, PortErrorKind::Transient, "{err}");
    }

    #[tokio::test]
    async fn an_unreadable_s3_object_is_an_operator_fault_not_the_applicants() {
        let rule = mock!(Client::detect_faces).then_error(|| {
            DetectFacesError::InvalidS3ObjectException(InvalidS3ObjectException::builder().build())
        });
        let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
        let err = detector.detect_faces(&photo()).await.unwrap_err();
        assert_eq!(err.kind, PortErrorKind::Permanent, "{err}");
        assert!(err.message.contains("KMS"), "{err}");
        let rule = mock!(Client::detect_faces).then_error(|| {
            DetectFacesError::InvalidParameterException(InvalidParameterException::builder().build())
        });
        let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
        assert_eq!(
            detector.detect_faces(&photo()).await.unwrap_err().kind,
            PortErrorKind::Permanent
        );
    }

    #[tokio::test]
    async fn unmodelled_server_errors_and_throttles_are_transient() {
        for (status, code) in [
            (500, "InternalFailure"),
            (503, "ServiceUnavailable"),
            (400, "ThrottlingException"),
            (429, "TooManyRequests"),
        ] {
            let body = format!("{{\"__type\":\"{code}\",\"message\":\"x\"}}");
            let rule = mock!(Client::detect_faces)
                .sequence()
                .http_status(status, Some(body))
                .times(5)
                .build();
            let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
            let err = detector.detect_faces(&photo()).await.unwrap_err();
            assert_eq!(err.kind, PortErrorKind::Transient, "{status} {code}: {err}");
            // Rate refusals are told apart from server faults (the throttle metric).
            assert_eq!(
                err.throttled,
                status == 429 || code.starts_with("Throttling"),
                "{status} {code}"
            );
        }
    }

    #[tokio::test]
    async fn an_unreadable_image_is_a_refusal_not_an_error() {
        let rule = mock!(Client::detect_faces).then_error(|| {
            DetectFacesError::InvalidImageFormatException(InvalidImageFormatException::builder().build())
        });
        let detector = RekognitionFaceDetector::new(mock_client!(aws_sdk_rekognition, [&rule]));
        let analysis = detector.detect_faces(&photo()).await.unwrap();
        assert!(analysis.faces.is_empty());
        assert!(analysis.refused.unwrap().contains("format"));
    }
}
