use serde::{Deserialize, Serialize};

/// Faces found in a photo, in the project's own types (never SDK types).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaceAnalysis {
    /// Which analyzer produced this: every verdict says so.
    pub source: FaceSource,
    pub faces: Vec<Face>,
    /// Set when the detector refused the image itself (bad format, too large, invalid
    /// object): a file problem that ends in REJECTED, not a workflow error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl FaceAnalysis {
    /// The face every face check looks at: the largest with at least `min_confidence`.
    /// Non-finite boxes and confidences never win.
    pub fn primary_face(&self, min_confidence: f64) -> Option<&Face> {
        self.faces
            .iter()
            .filter(|f| f.confidence.is_finite() && f.confidence >= min_confidence)
            .filter(|f| f.bounding_box.area().is_finite())
            .max_by(|a, b| a.bounding_box.area().total_cmp(&b.bounding_box.area()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaceSource {
    /// Amazon Rekognition DetectFaces.
    Rekognition,
    /// The embedded offline analyzer: it cannot see every attribute.
    Local,
}

/// One detected face. Ratios are of the image width/height, from the top-left corner, and
/// may fall outside 0..1 for faces cut off at an edge. Attributes an analyzer cannot see are
/// `None`, so the rules SKIP their checks instead of guessing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Face {
    pub bounding_box: BoundingBox,
    /// 0..100.
    pub confidence: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pose: Option<Pose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
    #[serde(default)]
    pub landmarks: Vec<Landmark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eyes_open: Option<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mouth_open: Option<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smile: Option<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eyeglasses: Option<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sunglasses: Option<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_occluded: Option<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eye_direction: Option<EyeDirection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_range: Option<AgeRange>,
}

impl Face {
    /// A face with only a box and a confidence; attributes are filled in by analyzers.
    pub fn new(bounding_box: BoundingBox, confidence: f64) -> Self {
        Self {
            bounding_box,
            confidence,
            pose: None,
            quality: None,
            landmarks: Vec::new(),
            eyes_open: None,
            mouth_open: None,
            smile: None,
            eyeglasses: None,
            sunglasses: None,
            face_occluded: None,
            eye_direction: None,
            age_range: None,
        }
    }

    pub fn landmark(&self, kind: LandmarkType) -> Option<&Landmark> {
        self.landmarks.iter().find(|l| l.kind == kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoundingBox {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl BoundingBox {
    pub fn area(&self) -> f64 {
        (self.width.max(0.0)) * (self.height.max(0.0))
    }
}

/// Degrees, −180..180.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pose {
    pub roll: f64,
    pub yaw: f64,
    pub pitch: f64,
}

/// 0..100 each; Rekognition publishes no thresholds for these.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quality {
    pub brightness: f64,
    pub sharpness: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Landmark {
    #[serde(rename = "type")]
    pub kind: LandmarkType,
    /// Ratio of the image width, from the left.
    pub x: f64,
    /// Ratio of the image height, from the top.
    pub y: f64,
}

/// Rekognition's 30 landmark types, with its own names on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LandmarkType {
    EyeLeft,
    EyeRight,
    LeftPupil,
    RightPupil,
    Nose,
    NoseLeft,
    NoseRight,
    MouthLeft,
    MouthRight,
    MouthUp,
    MouthDown,
    ChinBottom,
    UpperJawlineLeft,
    MidJawlineLeft,
    MidJawlineRight,
    UpperJawlineRight,
    LeftEyeBrowLeft,
    LeftEyeBrowRight,
    LeftEyeBrowUp,
    RightEyeBrowLeft,
    RightEyeBrowRight,
    RightEyeBrowUp,
    LeftEyeLeft,
    LeftEyeRight,
    LeftEyeUp,
    LeftEyeDown,
    RightEyeLeft,
    RightEyeRight,
    RightEyeUp,
    RightEyeDown,
}

/// A yes/no attribute with the analyzer's confidence (0..100) in that answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    pub value: bool,
    pub confidence: f64,
}

/// Where the eyes look, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EyeDirection {
    pub yaw: f64,
    pub pitch: f64,
    pub confidence: f64,
}

/// Estimated age in years.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgeRange {
    pub low: u32,
    pub high: u32,
}
