//! The one photo every simulated upload carries, its recorded faces, and what the real
//! analyze-image handler measures in it (computed once per run: decoding is real CPU work
//! that virtual time cannot skip).

use analyze_image::AnalyzeConfig;
use passport_model::rekognition_json::DetectFacesResponse;
use passport_model::{FaceAnalysis, ObjectHead, ObjectStore, PhotoRef, PortError, PortErrorKind};
use serde_json::{json, Value};

/// A recorded Rekognition response for a compliant portrait.
const FACES: &str = include_str!("../../../passport-rules/fixtures/rekognition/compliant.json");

pub fn faces() -> Result<FaceAnalysis, String> {
    serde_json::from_str::<DetectFacesResponse>(FACES)
        .map(DetectFacesResponse::into_analysis)
        .map_err(|e| format!("the recorded faces do not parse: {e}"))
}

/// A plain 600×750 portrait-shaped JPEG.
pub fn photo() -> Result<Vec<u8>, String> {
    let img = image::RgbImage::from_fn(600, 750, |x, y| {
        let (dx, dy) = ((x as f64 - 300.0) / 150.0, (y as f64 - 330.0) / 200.0);
        image::Rgb(if dx * dx + dy * dy <= 1.0 {
            [206, 160, 132]
        } else {
            [238, 238, 234]
        })
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| format!("cannot encode the sample photo: {e}"))?;
    Ok(out.into_inner())
}

/// The photo's bytes as a store, with no latency.
pub struct InMemory<'a>(pub &'a [u8]);

impl ObjectStore for InMemory<'_> {
    async fn head(&self, _: &PhotoRef) -> Result<ObjectHead, PortError> {
        Ok(ObjectHead {
            size: self.0.len() as u64,
            content_type: Some("image/jpeg".into()),
            e_tag: None,
            version_id: None,
        })
    }
    async fn read_range(&self, _: &PhotoRef, start: u64, len: u64) -> Result<Vec<u8>, PortError> {
        let from = usize::try_from(start).unwrap_or(usize::MAX).min(self.0.len());
        let to = from
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
            .min(self.0.len());
        Ok(self.0[from..to].to_vec())
    }
    async fn read_all(&self, _: &PhotoRef, max_bytes: u64) -> Result<Vec<u8>, PortError> {
        if self.0.len() as u64 > max_bytes {
            return Err(PortError::new(PortErrorKind::TooLarge, "over the size limit"));
        }
        Ok(self.0.to_vec())
    }
}

/// analyze-image's result for the sample photo and faces, from the real handler.
pub async fn measures(photo: &[u8], faces: &FaceAnalysis) -> Result<Value, String> {
    let payload = json!({"photo": PhotoRef::new("sample", "sample.jpg"), "faces": faces});
    let measured = analyze_image::handle(payload, &InMemory(photo), &AnalyzeConfig::default())
        .await
        .map_err(|e| format!("analyze-image failed on the sample: {e}"))?;
    serde_json::to_value(measured).map_err(|e| e.to_string())
}
