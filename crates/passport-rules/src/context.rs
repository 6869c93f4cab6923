//! What every check may look at, computed once per evaluation.

use passport_model::{
    CheckResult, CheckStatus, ExecutionDocument, Face, FaceSource, ImageMeasures, ImageMetadata,
};
use serde_json::Value;

use crate::catalogue::CheckId;
use crate::geometry::{self, EyeGeometry, FaceGeometry};
use crate::profile::{Limits, Profile};

pub(crate) struct Ctx<'a> {
    pub limits: &'a Limits,
    pub metadata: Option<&'a ImageMetadata>,
    pub image: Option<&'a ImageMeasures>,
    pub source: Option<FaceSource>,
    /// The face detector's refusal of the image, if it refused it.
    pub refused: Option<&'a str>,
    /// Pixel size after orientation: from the header, else from decoding.
    pub dims: Option<(f64, f64)>,
    pub primary: Option<&'a Face>,
    /// Faces with enough confidence and size to count.
    pub counted_faces: usize,
    /// Small background faces that were ignored.
    pub ignored_faces: usize,
    /// Faces the detector found beyond those the document lists (the smallest).
    pub omitted_faces: u32,
    /// Why face checks cannot run, when they cannot.
    pub face_unavailable: Option<FaceUnavailable>,
}

/// Why there is no primary face to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FaceUnavailable {
    NotAnalyzable,
    Refused(String),
    NotRun,
    NoFace,
}

impl FaceUnavailable {
    /// The cause only, for sentences of other checks.
    fn reason_alone(&self) -> String {
        match self {
            Self::NotAnalyzable => "the file could not be analysed".into(),
            Self::Refused(why) => why.clone(),
            Self::NotRun => "face detection did not run".into(),
            Self::NoFace => "no face was found".into(),
        }
    }

    fn reason(&self) -> String {
        match self {
            Self::NotAnalyzable => "the file could not be analyzed, so the face was not checked".into(),
            Self::Refused(why) => format!("{why}, so the face was not checked"),
            Self::NotRun => "face detection did not run".into(),
            Self::NoFace => "no face was found".into(),
        }
    }
}

impl<'a> Ctx<'a> {
    pub fn new(doc: &'a ExecutionDocument, profile: &'a Profile) -> Self {
        let limits = &profile.limits;
        let metadata = doc.metadata.as_ref();
        let image = doc.image.as_ref();
        let dims = metadata
            .and_then(|m| Some((f64::from(m.width?), f64::from(m.height?))))
            .or_else(|| image.and_then(|i| Some((f64::from(i.width?), f64::from(i.height?)))))
            .filter(|(w, h)| *w > 0.0 && *h > 0.0);
        let faces = doc.faces.as_ref();
        let primary = faces.and_then(|f| f.primary_face(limits.min_face_confidence));
        let (mut counted, mut ignored) = (0, 0);
        if let (Some(faces), Some(p)) = (faces, primary) {
            let min_area = p.bounding_box.area() * limits.ignore_faces_smaller_than;
            for f in faces
                .faces
                .iter()
                .filter(|f| f.confidence >= limits.min_face_confidence)
            {
                if f.bounding_box.area() >= min_area {
                    counted += 1;
                } else {
                    ignored += 1;
                }
            }
        }
        let face_unavailable = if metadata.is_some_and(|m| !m.analyzable) {
            Some(FaceUnavailable::NotAnalyzable)
        } else if let Some(reason) = faces.and_then(|f| f.refused.as_deref()) {
            Some(FaceUnavailable::Refused(reason.to_owned()))
        } else if faces.is_none() {
            Some(FaceUnavailable::NotRun)
        } else if primary.is_none() {
            Some(FaceUnavailable::NoFace)
        } else {
            None
        };
        Self {
            limits,
            metadata,
            image,
            source: faces.map(|f| f.source),
            refused: faces.and_then(|f| f.refused.as_deref()),
            dims,
            primary,
            counted_faces: counted,
            omitted_faces: faces.map_or(0, |f| f.omitted_faces),
            ignored_faces: ignored,
            face_unavailable,
        }
    }

    /// Why no face was examined, when none was: the verdict may then not be APPROVED.
    pub fn face_not_examined(&self) -> Option<String> {
        match (&self.face_unavailable, self.primary) {
            (None, Some(_)) => None,
            (Some(why), _) => Some(why.reason_alone()),
            (None, None) => Some(FaceUnavailable::NoFace.reason_alone()),
        }
    }

    /// The primary face, or the SKIPPED result saying why there is none.
    pub fn face(&self, id: CheckId) -> Result<&'a Face, CheckResult> {
        match (self.primary, &self.face_unavailable) {
            (Some(f), None) => Ok(f),
            (_, why) => Err(skipped(
                id,
                &why.clone().unwrap_or(FaceUnavailable::NoFace).reason(),
            )),
        }
    }

    /// SKIPPED for an attribute the analyzer did not report, saying whether that is
    /// because the offline analyzer cannot see it.
    pub fn attribute_missing(&self, id: CheckId, what: &str) -> CheckResult {
        match self.source {
            Some(FaceSource::Local) => result(
                id,
                CheckStatus::Skipped,
                Value::Null,
                "",
                format!("Not evaluated offline: the embedded analyzer cannot tell {what}; Rekognition checks it when deployed."),
            ),
            _ => skipped(id, &format!("the face detector did not report {what}")),
        }
    }

    pub fn geometry(&self, id: CheckId) -> Result<FaceGeometry, CheckResult> {
        let face = self.face(id)?;
        let (w, h) = self
            .dims
            .ok_or_else(|| skipped(id, "the image size is unknown"))?;
        geometry::face_geometry(face, w, h)
            .ok_or_else(|| skipped(id, "the eye and chin landmarks were not found"))
    }

    pub fn eye_geometry(&self, id: CheckId) -> Result<EyeGeometry, CheckResult> {
        let face = self.face(id)?;
        let (w, h) = self
            .dims
            .ok_or_else(|| skipped(id, "the image size is unknown"))?;
        geometry::eyes(face, w, h).ok_or_else(|| skipped(id, "the eye landmarks were not found"))
    }

    /// The pixel measures, or why they are missing.
    pub fn measures(&self, id: CheckId) -> Result<&'a ImageMeasures, CheckResult> {
        if self.metadata.is_some_and(|m| !m.analyzable) {
            return Err(skipped(id, "the file could not be analyzed"));
        }
        match self.image {
            Some(m) if m.decodable => Ok(m),
            Some(_) => Err(skipped(id, "the image could not be decoded")),
            None => Err(skipped(id, "the image was not analysed")),
        }
    }

    /// The reason a pixel measure is missing, from analyze-image's own notes.
    pub fn measure_missing(&self, id: CheckId, part: &str) -> CheckResult {
        let note = self
            .image
            .and_then(|m| m.skipped.iter().find(|s| s.starts_with(part)))
            .and_then(|s| s.split_once(": ").map(|(_, why)| why.to_owned()));
        skipped(id, note.as_deref().unwrap_or("it was not measured"))
    }
}

pub(crate) fn result(
    id: CheckId,
    status: CheckStatus,
    measured: Value,
    limit: impl Into<String>,
    message: impl Into<String>,
) -> CheckResult {
    CheckResult {
        id: id.as_str().to_owned(),
        status,
        measured,
        limit: limit.into(),
        message: message.into(),
    }
}

pub(crate) fn skipped(id: CheckId, why: &str) -> CheckResult {
    result(
        id,
        CheckStatus::Skipped,
        Value::Null,
        "",
        format!("Not checked: {why}."),
    )
}

/// PASS with `ok_message` when nothing is wrong, else FAIL with every problem's message.
pub(crate) fn from_problems(
    id: CheckId,
    problems: &[String],
    measured: Value,
    limit: impl Into<String>,
    ok_message: &str,
) -> CheckResult {
    if problems.is_empty() {
        result(id, CheckStatus::Pass, measured, limit, ok_message)
    } else {
        result(id, CheckStatus::Fail, measured, limit, problems.join(" "))
    }
}

/// A number rounded for people and JSON (non-finite numbers become null).
pub(crate) fn num(v: f64, decimals: i32) -> Value {
    let p = 10f64.powi(decimals);
    serde_json::Number::from_f64((v * p).round() / p).map_or(Value::Null, Value::Number)
}

/// PASS when `ok`, FAIL otherwise; a non-finite measure always fails (fail safe).
pub(crate) fn judge(ok: bool, measured_finite: bool) -> CheckStatus {
    if ok && measured_finite {
        CheckStatus::Pass
    } else {
        CheckStatus::Fail
    }
}
