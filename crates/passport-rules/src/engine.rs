use passport_model::{
    CheckResult, CheckStatus, ExecutionDocument, Face, FaceOverlay, LandmarkType, Outcome, Point, Verdict,
};

use crate::catalogue::CheckId;
use crate::checks;
use crate::context::{skipped, Ctx};
use crate::profile::{Profile, Severity};

/// Evaluates every check of the catalogue against one execution document. Pure and
/// deterministic; never panics, whatever the numbers in the document.
pub fn evaluate(doc: &ExecutionDocument, profile: &Profile) -> Verdict {
    let ctx = Ctx::new(doc, profile);
    let mut checks: Vec<CheckResult> = CheckId::ALL
        .iter()
        .map(|&id| match profile.severity(id) {
            Severity::Off => skipped(id, "disabled by configuration"),
            Severity::Warn => soften(checks::run(id, &ctx)),
            Severity::Fail => checks::run(id, &ctx),
        })
        .collect();
    // A photo whose face was never examined is never approved, whatever the
    // configuration (RULES.md): face.count fails and says why.
    if let Some(why) = ctx.face_not_examined() {
        for c in checks.iter_mut().filter(|c| c.id == CheckId::FaceCount.as_str()) {
            if c.status != CheckStatus::Fail {
                *c = face_not_examined(why.clone());
            }
        }
    }
    // Failures first, then warnings, passes and skipped checks; catalogue order within.
    checks.sort_by_key(|c| match c.status {
        CheckStatus::Fail => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Pass => 2,
        CheckStatus::Skipped => 3,
    });
    let outcome = if checks.iter().any(|c| c.status == CheckStatus::Fail) {
        Outcome::Rejected
    } else {
        Outcome::Approved
    };
    Verdict {
        outcome,
        profile: profile.name.clone(),
        analyzer: doc.faces.as_ref().map(|f| f.source),
        checks,
        geometry: ctx.primary.map(|face| overlay(face, ctx.dims)),
    }
}

/// The primary face's overlay, with the crown of `geometry::face_geometry` when the image
/// size and the landmarks allow it.
fn overlay(face: &Face, dims: Option<(f64, f64)>) -> FaceOverlay {
    let point = |kind| face.landmark(kind).map(|l| Point { x: l.x, y: l.y });
    let geometry = dims.and_then(|(w, h)| crate::geometry::face_geometry(face, w, h));
    FaceOverlay {
        face_box: face.bounding_box,
        eye_left: point(LandmarkType::EyeLeft),
        eye_right: point(LandmarkType::EyeRight),
        chin_y: point(LandmarkType::ChinBottom).map(|p| p.y),
        // Four decimals, like Rekognition's ratios: a tenth of a pixel on a 1 000 px photo.
        crown_y: geometry.map(|g| (g.head_top * 1e4).round() / 1e4),
    }
}

fn face_not_examined(why: String) -> CheckResult {
    CheckResult {
        id: CheckId::FaceCount.as_str().to_owned(),
        status: CheckStatus::Fail,
        measured: serde_json::Value::Null,
        limit: "exactly 1".into(),
        message: format!(
            "Your face could not be checked: {why}. A photo is only approved once its face has been examined; fix the problems listed and upload the photo again."
        ),
    }
}

/// A WARN-severity check reports its violation without rejecting the photo.
fn soften(mut result: CheckResult) -> CheckResult {
    if result.status == CheckStatus::Fail {
        result.status = CheckStatus::Warn;
    }
    result
}
