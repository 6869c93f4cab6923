//! Face detectors for offline runs: a recorded Rekognition DetectFaces response, or the
//! embedded analyzer.

use std::path::Path;
use std::sync::Arc;

use face_local::LocalAnalyzer;
use photo_measures::DecodeLimits;

use passport_model::rekognition_json::DetectFacesResponse;
use passport_model::{FaceAnalysis, FaceDetector, PhotoRef, PortError};

pub enum LocalFaces {
    /// The same answer for every photo, as Rekognition gave it (through the adapter's conversion).
    Recorded(FaceAnalysis),
    /// The embedded YuNet analyzer, reading the photo from its folder.
    Embedded(Arc<LocalAnalyzer>),
}

impl LocalFaces {
    pub fn recorded(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let response: DetectFacesResponse = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a Rekognition DetectFaces response: {e}",
                path.display()
            )
        })?;
        Ok(Self::Recorded(response.into_analysis()))
    }

    /// The embedded offline analyzer, with the model from the checkout's or the user's
    /// cache (fetched there once when neither has it).
    pub fn embedded() -> Result<Self, String> {
        let model = crate::model_fetch::ensure_model()?;
        let analyzer = LocalAnalyzer::load(&model).map_err(|e| e.to_string())?;
        Ok(Self::Embedded(Arc::new(analyzer)))
    }
}

impl LocalFaces {
    /// Which detector this is, for keeping its analyses apart from another's: a recording
    /// by its content, the embedded analyzer by its model.
    pub fn identity(&self) -> String {
        match self {
            Self::Recorded(a) => {
                let json = serde_json::to_vec(a).unwrap_or_default();
                format!("recorded-{}", &crate::store::content_etag(&json)[..12])
            }
            Self::Embedded(_) => format!("embedded-{}", &crate::model_fetch::WHEEL_SHA256[..12]),
        }
    }
}

impl FaceDetector for LocalFaces {
    async fn detect_faces(&self, photo: &PhotoRef) -> Result<FaceAnalysis, PortError> {
        match self {
            Self::Recorded(a) => Ok(a.clone()),
            Self::Embedded(analyzer) => {
                let path = crate::store::object_path(photo)?;
                let bytes = tokio::fs::read(&path)
                    .await
                    .map_err(|e| PortError::not_found(format!("{}: {e}", path.display())))?;
                let analyzer = analyzer.clone();
                // Inference is CPU work: keep it off the async workers.
                tokio::task::spawn_blocking(move || analyzer.analyze_bytes(&bytes, &DecodeLimits::default()))
                    .await
                    .map_err(|e| PortError::permanent(format!("the face analyzer stopped: {e}")))?
                    .map_err(|e| PortError::permanent(e.to_string()))
            }
        }
    }
}
