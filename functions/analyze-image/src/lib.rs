//! analyze-image: downloads the exact version (bounded), decodes it safely and measures
//! the pixels around the primary face.

use lambda_support::{parse_input, ErrorName, StepError};
use passport_model::{
    FaceAnalysis, ImageMeasures, ObjectStore, PhotoRef, PortError, PortErrorKind, Undecodable,
};
use photo_measures::DecodeLimits;
use serde::Deserialize;
use serde_json::Value;

/// Read once at cold start.
#[derive(Debug, Clone, Copy)]
pub struct AnalyzeConfig {
    /// Objects above this many bytes are not downloaded.
    pub max_object_bytes: u64,
    pub decode: DecodeLimits,
    /// The primary face is the largest at or above this confidence (RULES.md: 90).
    pub min_face_confidence: f64,
}

impl Default for AnalyzeConfig {
    fn default() -> Self {
        Self {
            // Rekognition's own limit: nothing larger reaches this step.
            max_object_bytes: 15_000_000,
            decode: DecodeLimits::default(),
            min_face_confidence: 90.0,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Input {
    photo: PhotoRef,
    #[serde(default)]
    faces: Option<FaceAnalysis>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("the input is not a valid execution document: {0}")]
    InvalidInput(#[source] serde_json::Error),
    #[error("reading the photo failed")]
    Store(#[source] PortError),
}

impl StepError for AnalyzeError {
    fn error_name(&self) -> ErrorName {
        match self {
            Self::InvalidInput(_) => ErrorName::InvalidInput,
            Self::Store(e) => ErrorName::of_port(e),
        }
    }
}

pub async fn handle<S: ObjectStore>(
    payload: Value,
    store: &S,
    config: &AnalyzeConfig,
) -> Result<ImageMeasures, AnalyzeError> {
    let Input { photo, faces } = parse_input(payload).map_err(AnalyzeError::InvalidInput)?;
    let bytes = match store.read_all(&photo, config.max_object_bytes).await {
        Ok(b) => b,
        Err(e) if e.kind == PortErrorKind::TooLarge => {
            return Ok(ImageMeasures {
                decodable: false,
                decode_error: Some(format!(
                    "the file is larger than the {} bytes analysed",
                    config.max_object_bytes
                )),
                undecodable: Some(Undecodable::TooManyBytes {
                    bytes: photo.size.unwrap_or(0).max(config.max_object_bytes + 1),
                    max_bytes: config.max_object_bytes,
                }),
                skipped: vec!["every pixel measure: the file is too large".into()],
                ..ImageMeasures::default()
            })
        }
        Err(e) => return Err(AnalyzeError::Store(e)),
    };
    let face = faces
        .as_ref()
        .and_then(|f| f.primary_face(config.min_face_confidence));
    let measures = photo_measures::measure(&bytes, face, &config.decode);
    tracing::info!(
        photo = %photo.uri(),
        bytes = bytes.len(),
        decodable = measures.decodable,
        with_face = face.is_some(),
        "image analysed"
    );
    Ok(measures)
}

#[cfg(test)]
mod tests;
