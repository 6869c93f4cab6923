//! The embedded offline face analyzer: YuNet run with tract, producing the project's own
//! face types with `source: "local"`. It implements what the local twin needs from
//! Rekognition; it is never a dependency of a Lambda function.

mod detect;
mod face;
mod model;
mod refine;

use image::RgbImage;
use passport_model::{FaceAnalysis, FaceSource};
use photo_measures::DecodeLimits;

pub use detect::{detect, Detection, NMS_IOU, SCORE_THRESHOLD};
pub use face::to_face;
pub use model::{
    default_model_path, find_model, user_cache_model_path, ModelError, YuNet, INPUT_SIZE, MODEL_ENV,
    MODEL_FILE, MODEL_SHA256,
};

pub struct LocalAnalyzer {
    model: YuNet,
}

impl LocalAnalyzer {
    pub fn load(path: &std::path::Path) -> Result<Self, ModelError> {
        Ok(Self {
            model: YuNet::load(path)?,
        })
    }

    pub fn load_default() -> Result<Self, ModelError> {
        Self::load(&default_model_path())
    }

    /// Faces of an oriented RGB image, largest first.
    pub fn analyze_image(&self, img: &RgbImage) -> Result<FaceAnalysis, ModelError> {
        let mut faces = Vec::new();
        for d in detect(&self.model, img)? {
            let (refined, roll) = refine::refine(&self.model, img, &d)?;
            faces.push(to_face(&refined, roll, img));
        }
        faces.sort_by(|a, b| b.bounding_box.area().total_cmp(&a.bounding_box.area()));
        Ok(FaceAnalysis {
            source: FaceSource::Local,
            faces,
            refused: None,
            omitted_faces: 0,
        })
    }

    /// Faces of a JPEG or PNG file, oriented as Rekognition orients it. Bytes that cannot be
    /// decoded are refused, as Rekognition refuses them: an answer, not an error.
    pub fn analyze_bytes(&self, bytes: &[u8], limits: &DecodeLimits) -> Result<FaceAnalysis, ModelError> {
        match photo_measures::decode(bytes, limits) {
            Ok(photo) => self.analyze_image(&photo.rgb),
            Err(e) => Ok(FaceAnalysis {
                source: FaceSource::Local,
                faces: Vec::new(),
                refused: Some(format!("the face detector cannot read this image ({e})")),
                omitted_faces: 0,
            }),
        }
    }
}
