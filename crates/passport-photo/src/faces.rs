//! Face detectors for offline runs: a recorded Rekognition DetectFaces response, or the
//! embedded analyzer.

use std::path::Path;

use passport_model::rekognition_json::DetectFacesResponse;
use passport_model::{FaceAnalysis, FaceDetector, PhotoRef, PortError};

pub enum LocalFaces {
    /// The same answer for every photo, as Rekognition gave it (through the adapter's conversion).
    Recorded(FaceAnalysis),
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

    /// The embedded offline analyzer.
    pub fn embedded() -> Result<Self, String> {
        Err("no offline face analyzer is built in yet: pass --faces RESPONSE.json (a recorded Rekognition DetectFaces response)".into())
    }
}

impl FaceDetector for LocalFaces {
    async fn detect_faces(&self, _photo: &PhotoRef) -> Result<FaceAnalysis, PortError> {
        match self {
            Self::Recorded(a) => Ok(a.clone()),
        }
    }
}
