//! detect-faces: finds the faces of the exact uploaded version and converts them into our
//! own face types. Rekognition reads the image from S3 itself; the function never holds it.
//! Deployed as the consumer of the detect-faces queue ([`queue`]), which paces the calls.

pub mod queue;

use lambda_support::{parse_input, ErrorName, StepError};
use passport_model::{FaceAnalysis, FaceDetector, PhotoRef, PortError};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Input {
    photo: PhotoRef,
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("the input has no valid photo reference: {0}")]
    InvalidInput(#[source] serde_json::Error),
    #[error("face detection failed")]
    Detector(#[source] PortError),
}

impl StepError for DetectError {
    fn error_name(&self) -> ErrorName {
        match self {
            Self::InvalidInput(_) => ErrorName::InvalidInput,
            Self::Detector(e) => ErrorName::of_port(e),
        }
    }
}

pub async fn handle<D: FaceDetector>(payload: Value, detector: &D) -> Result<FaceAnalysis, DetectError> {
    let Input { photo } = parse_input(payload).map_err(DetectError::InvalidInput)?;
    // Bounded whatever the photo: the largest faces, the landmarks the rules use, rounded
    // numbers (Step Functions' 256 KiB payload limit, and the history's 90 days).
    let analysis = detector
        .detect_faces(&photo)
        .await
        .map_err(DetectError::Detector)?
        .for_document();
    // Identifiers and counts only: face attributes are biometric data.
    tracing::info!(
        photo = %photo.uri(),
        faces = analysis.faces.len(),
        omitted_faces = analysis.omitted_faces,
        refused = analysis.refused.is_some(),
        "faces detected"
    );
    Ok(analysis)
}

/// The deployed detector: a refusal for rate (the pacing notwithstanding) is counted as the
/// `RekognitionThrottles` metric, which the dashboard shows beside the quota. Only the
/// Lambda uses it; the local twin runs the bare detector.
pub struct Metered<D>(pub D);

impl<D: FaceDetector + Sync> FaceDetector for Metered<D> {
    async fn detect_faces(&self, photo: &PhotoRef) -> Result<FaceAnalysis, PortError> {
        let result = self.0.detect_faces(photo).await;
        if let Err(e) = &result {
            lambda_support::metrics::emit(&throttle_metrics(e));
        }
        result
    }
}

/// One `RekognitionThrottles` count when `error` is a throttle, nothing otherwise.
pub fn throttle_metrics(error: &PortError) -> Vec<lambda_support::metrics::MetricSet> {
    use lambda_support::metrics::{MetricSet, Unit};
    if !error.throttled {
        return Vec::new();
    }
    vec![MetricSet::new(&[("Step", "detect-faces")]).with("RekognitionThrottles", Unit::Count, 1.0)]
}

#[cfg(test)]
mod tests;
