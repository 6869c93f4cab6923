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
    /// Faces found but left out of the document by [`FaceAnalysis::for_document`]: all
    /// smaller than every face kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted_faces: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// At most this many faces travel in the execution document (the largest ones). A group
/// photo fails `face.count` either way, and 100 faces with every attribute would break
/// Step Functions' 256 KiB payload limit.
pub const MAX_FACES_IN_DOCUMENT: usize = 10;

/// The landmarks the rules and the overlay use; Rekognition's other twenty are dropped
/// before the document, so the execution history keeps no more face geometry than needed.
pub const DOCUMENT_LANDMARKS: [LandmarkType; 10] = [
    LandmarkType::EyeLeft,
    LandmarkType::EyeRight,
    LandmarkType::LeftPupil,
    LandmarkType::RightPupil,
    LandmarkType::Nose,
    LandmarkType::MouthLeft,
    LandmarkType::MouthRight,
    LandmarkType::MouthUp,
    LandmarkType::MouthDown,
    LandmarkType::ChinBottom,
];

/// Ratios to 1/10 000 (0.1 px at 1000 px), degrees and scores to 1/100: what the
/// numbers mean, no more.
fn round_to(v: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    if v.is_finite() {
        (v * scale).round() / scale
    } else {
        v
    }
}

impl FaceAnalysis {
    /// A detector's refusal of the image itself (its format or size).
    pub fn refused(source: FaceSource, reason: impl Into<String>) -> Self {
        Self {
            source,
            faces: Vec::new(),
            refused: Some(reason.into()),
            omitted_faces: 0,
        }
    }

    /// What the execution document carries: the largest faces only (see
    /// [`MAX_FACES_IN_DOCUMENT`]), the landmarks of [`DOCUMENT_LANDMARKS`] and numbers
    /// rounded to what they mean. Bounded in size whatever the photo.
    pub fn for_document(mut self) -> Self {
        self.faces
            .sort_by(|a, b| b.bounding_box.area().total_cmp(&a.bounding_box.area()));
        if self.faces.len() > MAX_FACES_IN_DOCUMENT {
            let extra = self.faces.len() - MAX_FACES_IN_DOCUMENT;
            self.omitted_faces = self
                .omitted_faces
                .saturating_add(u32::try_from(extra).unwrap_or(u32::MAX));
            self.faces.truncate(MAX_FACES_IN_DOCUMENT);
        }
        for face in &mut self.faces {
            face.round_for_document();
        }
        if let Some(reason) = &mut self.refused {
            let end = (0..=reason.len().min(200))
                .rev()
                .find(|&i| reason.is_char_boundary(i))
                .unwrap_or(0);
            reason.truncate(end);
        }
        self
    }

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

    fn round_for_document(&mut self) {
        let b = &mut self.bounding_box;
        for v in [&mut b.left, &mut b.top, &mut b.width, &mut b.height] {
            *v = round_to(*v, 4);
        }
        self.confidence = round_to(self.confidence, 2);
        if let Some(p) = &mut self.pose {
            for v in [&mut p.roll, &mut p.yaw, &mut p.pitch] {
                *v = round_to(*v, 2);
            }
        }
        if let Some(q) = &mut self.quality {
            q.brightness = round_to(q.brightness, 2);
            q.sharpness = round_to(q.sharpness, 2);
        }
        self.landmarks.retain(|l| DOCUMENT_LANDMARKS.contains(&l.kind));
        // One of each kind: a repeated landmark adds nothing the rules read.
        let mut seen = Vec::with_capacity(self.landmarks.len());
        self.landmarks.retain(|l| {
            let first = !seen.contains(&l.kind);
            seen.push(l.kind);
            first
        });
        for l in &mut self.landmarks {
            l.x = round_to(l.x, 4);
            l.y = round_to(l.y, 4);
        }
        for a in [
            &mut self.eyes_open,
            &mut self.mouth_open,
            &mut self.smile,
            &mut self.eyeglasses,
            &mut self.sunglasses,
            &mut self.face_occluded,
        ]
        .into_iter()
        .flatten()
        {
            a.confidence = round_to(a.confidence, 2);
        }
        if let Some(e) = &mut self.eye_direction {
            e.yaw = round_to(e.yaw, 2);
            e.pitch = round_to(e.pitch, 2);
            e.confidence = round_to(e.confidence, 2);
        }
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
