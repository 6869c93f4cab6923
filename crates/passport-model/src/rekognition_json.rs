//! Amazon Rekognition `DetectFaces` responses in their JSON wire shape (PascalCase), and
//! their conversion into our face types. The detect-faces adapter maps SDK values onto
//! these structs, so a recorded response file and a live call go through the same code.
//!
//! Gender and Emotions are deliberately not carried: AWS asks that they not be used for
//! decisions about individuals, and dropping them keeps less biometric data in flight.

use serde::{Deserialize, Serialize};

use crate::faces::{self, Face, FaceAnalysis, FaceSource};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DetectFacesResponse {
    #[serde(default)]
    pub face_details: Vec<FaceDetail>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FaceDetail {
    pub bounding_box: Option<BoundingBox>,
    pub confidence: Option<f64>,
    pub pose: Option<Pose>,
    pub quality: Option<Quality>,
    #[serde(default)]
    pub landmarks: Vec<Landmark>,
    pub eyes_open: Option<BoolAttribute>,
    pub mouth_open: Option<BoolAttribute>,
    pub smile: Option<BoolAttribute>,
    pub eyeglasses: Option<BoolAttribute>,
    pub sunglasses: Option<BoolAttribute>,
    pub face_occluded: Option<BoolAttribute>,
    pub eye_direction: Option<EyeDirection>,
    pub age_range: Option<AgeRange>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BoundingBox {
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub left: Option<f64>,
    pub top: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pose {
    pub roll: Option<f64>,
    pub yaw: Option<f64>,
    pub pitch: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Quality {
    pub brightness: Option<f64>,
    pub sharpness: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Landmark {
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub x: Option<f64>,
    pub y: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BoolAttribute {
    pub value: Option<bool>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EyeDirection {
    pub yaw: Option<f64>,
    pub pitch: Option<f64>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AgeRange {
    pub low: Option<i64>,
    pub high: Option<i64>,
}

impl DetectFacesResponse {
    /// Our face analysis. A face without a bounding box or confidence is dropped: no rule
    /// could use it.
    pub fn into_analysis(self) -> FaceAnalysis {
        FaceAnalysis {
            source: FaceSource::Rekognition,
            faces: self
                .face_details
                .into_iter()
                .filter_map(FaceDetail::into_face)
                .collect(),
            refused: None,
            omitted_faces: 0,
        }
    }
}

impl FaceDetail {
    pub fn into_face(self) -> Option<Face> {
        let b = self.bounding_box?;
        let bounding_box = faces::BoundingBox {
            left: b.left?,
            top: b.top?,
            width: b.width?,
            height: b.height?,
        };
        let mut face = Face::new(bounding_box, self.confidence?);
        face.pose = self.pose.and_then(|p| {
            Some(faces::Pose {
                roll: p.roll?,
                yaw: p.yaw?,
                pitch: p.pitch?,
            })
        });
        face.quality = self.quality.and_then(|q| {
            Some(faces::Quality {
                brightness: q.brightness?,
                sharpness: q.sharpness?,
            })
        });
        face.landmarks = self
            .landmarks
            .into_iter()
            .filter_map(Landmark::into_landmark)
            .collect();
        face.eyes_open = self.eyes_open.and_then(BoolAttribute::into_attribute);
        face.mouth_open = self.mouth_open.and_then(BoolAttribute::into_attribute);
        face.smile = self.smile.and_then(BoolAttribute::into_attribute);
        face.eyeglasses = self.eyeglasses.and_then(BoolAttribute::into_attribute);
        face.sunglasses = self.sunglasses.and_then(BoolAttribute::into_attribute);
        face.face_occluded = self.face_occluded.and_then(BoolAttribute::into_attribute);
        face.eye_direction = self.eye_direction.and_then(|e| {
            Some(faces::EyeDirection {
                yaw: e.yaw?,
                pitch: e.pitch?,
                confidence: e.confidence?,
            })
        });
        face.age_range = self.age_range.and_then(|a| {
            Some(faces::AgeRange {
                low: u32::try_from(a.low?).ok()?,
                high: u32::try_from(a.high?).ok()?,
            })
        });
        Some(face)
    }
}

impl Landmark {
    /// Unknown landmark types (a newer API) are dropped rather than failing the photo.
    fn into_landmark(self) -> Option<faces::Landmark> {
        let kind = serde_json::from_value(serde_json::Value::String(self.kind?)).ok()?;
        Some(faces::Landmark {
            kind,
            x: self.x?,
            y: self.y?,
        })
    }
}

impl BoolAttribute {
    fn into_attribute(self) -> Option<faces::Attribute> {
        Some(faces::Attribute {
            value: self.value?,
            confidence: self.confidence?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LandmarkType;

    #[test]
    fn converts_the_wire_shape_and_drops_what_rules_must_not_use() {
        let json = r#"{"FaceDetails":[{
            "BoundingBox":{"Width":0.4,"Height":0.5,"Left":0.3,"Top":0.2},
            "AgeRange":{"Low":25,"High":35},
            "Smile":{"Value":false,"Confidence":97.5},
            "Gender":{"Value":"Female","Confidence":99.0},
            "Emotions":[{"Type":"CALM","Confidence":90.0}],
            "Landmarks":[{"Type":"eyeLeft","X":0.4,"Y":0.4},{"Type":"someNewPoint","X":0.1,"Y":0.1}],
            "Pose":{"Roll":1.5,"Yaw":-2.0,"Pitch":3.0},
            "Quality":{"Brightness":80.0,"Sharpness":90.0},
            "EyeDirection":{"Yaw":1.0,"Pitch":-1.0,"Confidence":99.0},
            "Confidence":99.9}]}"#;
        let response: DetectFacesResponse = serde_json::from_str(json).unwrap();
        let analysis = response.into_analysis();
        assert_eq!(analysis.source, FaceSource::Rekognition);
        let face = &analysis.faces[0];
        assert_eq!(face.bounding_box.width, 0.4);
        assert_eq!(face.age_range.unwrap().high, 35);
        assert!(!face.smile.unwrap().value);
        assert_eq!(face.landmarks.len(), 1);
        assert_eq!(face.landmarks[0].kind, LandmarkType::EyeLeft);
        assert_eq!(face.pose.unwrap().yaw, -2.0);
        assert!(face.eyes_open.is_none());
        let out = serde_json::to_string(face).unwrap();
        assert!(!out.contains("Female") && !out.contains("CALM"));
    }

    #[test]
    fn a_face_without_box_is_dropped() {
        let r = DetectFacesResponse {
            face_details: vec![FaceDetail {
                confidence: Some(99.0),
                ..Default::default()
            }],
        };
        assert!(r.into_analysis().faces.is_empty());
    }
}
