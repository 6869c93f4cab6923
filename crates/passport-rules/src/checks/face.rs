use passport_model::{Attribute, CheckStatus};
use serde_json::json;

use super::Outcome;
use crate::catalogue::CheckId;
use crate::context::{from_problems, judge, num, result, Ctx, FaceUnavailable};

/// Exactly one face with confidence ≥ the profile's minimum; tiny background faces are
/// ignored but reported.
pub(super) fn count(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceCount;
    if ctx.primary.is_none() || ctx.face_unavailable.is_some() {
        // No face at all is this check's own finding, unless detection never ran.
        if ctx.face_unavailable != Some(FaceUnavailable::NoFace) {
            ctx.face(id)?;
        }
        return Ok(result(
            id,
            CheckStatus::Fail,
            json!(0),
            "exactly 1",
            "We could not find a face. Face the camera with your whole face visible, in good light.",
        ));
    }
    let n = ctx.counted_faces;
    // Faces left out of the document are smaller than every face kept: when a kept face
    // was too small to count they are too; otherwise there are more than n faces.
    let omitted = ctx.omitted_faces;
    let measured = if omitted > 0 {
        json!({"faces": n, "ignoredSmallFaces": ctx.ignored_faces, "notListed": omitted})
    } else {
        json!({"faces": n, "ignoredSmallFaces": ctx.ignored_faces})
    };
    let note = if ctx.ignored_faces > 0 {
        format!(
            " ({} very small face(s) in the background were ignored.)",
            ctx.ignored_faces
        )
    } else {
        String::new()
    };
    let message = if n == 1 {
        format!("One face was found.{note}")
    } else if omitted > 0 && ctx.ignored_faces == 0 {
        format!("More than {n} faces were found. Only you may be in the photo.")
    } else {
        format!("{n} faces were found. Only you may be in the photo.{note}")
    };
    Ok(result(id, judge(n == 1, true), measured, "exactly 1", message))
}

/// |yaw|, |pitch|, |roll| within the ISO limits.
pub(super) fn pose(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FacePose;
    let face = ctx.face(id)?;
    let Some(p) = face.pose else {
        return Err(ctx.attribute_missing(id, "the head pose"));
    };
    let l = ctx.limits;
    let limit = format!(
        "|yaw| ≤ {}°, |pitch| ≤ {}°, |roll| ≤ {}°",
        l.max_yaw_deg, l.max_pitch_deg, l.max_roll_deg
    );
    let mut problems = Vec::new();
    if !(p.yaw.abs() <= l.max_yaw_deg) {
        problems.push(format!(
            "Your head is turned {:.0}° to one side; face the camera directly (at most {}°).",
            p.yaw.abs(),
            l.max_yaw_deg
        ));
    }
    if !(p.pitch.abs() <= l.max_pitch_deg) {
        problems.push(format!(
            "Your head is tilted {:.0}° up or down; keep your chin level (at most {}°).",
            p.pitch.abs(),
            l.max_pitch_deg
        ));
    }
    if !(p.roll.abs() <= l.max_roll_deg) {
        problems.push(format!(
            "Your head is tilted {:.0}° to the side; keep it level (at most {}°).",
            p.roll.abs(),
            l.max_roll_deg
        ));
    }
    let measured = json!({"yaw": num(p.yaw, 1), "pitch": num(p.pitch, 1), "roll": num(p.roll, 1)});
    Ok(from_problems(
        id,
        &problems,
        measured,
        limit,
        "Your head is straight.",
    ))
}

/// Eye direction within the (unpublished, WARN by default) gaze limit.
pub(super) fn gaze(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceGaze;
    let face = ctx.face(id)?;
    let Some(e) = face.eye_direction else {
        return Err(ctx.attribute_missing(id, "where the eyes look"));
    };
    let max = ctx.limits.max_gaze_deg;
    let ok = e.yaw.abs() <= max && e.pitch.abs() <= max;
    let message = if ok {
        "You are looking at the camera.".to_owned()
    } else {
        format!(
            "Your eyes look {:.0}° away from the camera; look straight into the lens.",
            e.yaw.abs().max(e.pitch.abs())
        )
    };
    let measured = json!({"yaw": num(e.yaw, 1), "pitch": num(e.pitch, 1)});
    Ok(result(
        id,
        judge(ok, true),
        measured,
        format!("≤ {max}° each way"),
        message,
    ))
}

/// How a yes/no attribute check reads its attribute.
struct AttributeRule<'s> {
    id: CheckId,
    /// For "not evaluated" messages: "whether the eyes are open".
    what: &'s str,
    /// The attribute value that passes.
    good: bool,
    pass: &'s str,
    fail: &'s str,
    limit: &'s str,
}

fn attribute(
    ctx: &Ctx<'_>,
    rule: AttributeRule<'_>,
    pick: fn(&passport_model::Face) -> Option<Attribute>,
    exempt: Option<String>,
) -> Outcome {
    let face = ctx.face(rule.id)?;
    let Some(a) = pick(face) else {
        return Err(ctx.attribute_missing(rule.id, rule.what));
    };
    let measured = json!({"value": a.value, "confidence": num(a.confidence, 1)});
    if !(a.confidence >= ctx.limits.decision_confidence) {
        let msg = format!(
            "The detector is unsure ({:.0} % confident) {}; a person will look at this photo.",
            a.confidence, rule.what
        );
        return Ok(result(rule.id, CheckStatus::Warn, measured, rule.limit, msg));
    }
    if a.value == rule.good {
        return Ok(result(
            rule.id,
            CheckStatus::Pass,
            measured,
            rule.limit,
            rule.pass,
        ));
    }
    if let Some(why) = exempt {
        return Ok(result(rule.id, CheckStatus::Pass, measured, rule.limit, why));
    }
    Ok(result(
        rule.id,
        CheckStatus::Fail,
        measured,
        rule.limit,
        rule.fail,
    ))
}

/// An age exemption applies when AgeRange.High is below the profile's age.
fn exempt_below(ctx: &Ctx<'_>, age: Option<u32>, what: &str) -> Option<String> {
    let limit = age?;
    let high = ctx.primary?.age_range?.high;
    (high < limit).then(|| {
        format!("Accepted: {what} is not required for a child under {limit} (estimated age at most {high}).")
    })
}

pub(super) fn eyes_open(ctx: &Ctx<'_>) -> Outcome {
    let exempt = exempt_below(ctx, ctx.limits.eyes_closed_allowed_below_age, "open eyes");
    attribute(
        ctx,
        AttributeRule {
            id: CheckId::FaceEyesOpen,
            what: "whether the eyes are open",
            good: true,
            pass: "Your eyes are open.",
            fail: "Your eyes seem closed. Keep both eyes open and look at the camera.",
            limit: "eyes open",
        },
        |f| f.eyes_open,
        exempt,
    )
}

pub(super) fn mouth_closed(ctx: &Ctx<'_>) -> Outcome {
    attribute(
        ctx,
        AttributeRule {
            id: CheckId::FaceMouthClosed,
            what: "whether the mouth is closed",
            good: false,
            pass: "Your mouth is closed.",
            fail: "Your mouth is open. Close your mouth.",
            limit: "mouth closed",
        },
        |f| f.mouth_open,
        None,
    )
}

pub(super) fn expression(ctx: &Ctx<'_>) -> Outcome {
    let exempt = exempt_below(
        ctx,
        ctx.limits.expression_exempt_below_age,
        "a neutral expression",
    );
    let (pass, limit) = if ctx.limits.smile_allowed {
        ("Your expression is acceptable.", "neutral or a natural smile")
    } else {
        ("Your expression is neutral.", "neutral, no smile")
    };
    let face = ctx.face(CheckId::FaceExpression)?;
    if ctx.limits.smile_allowed {
        if let Some(a) = face.smile {
            // Any smile passes; whether the mouth is open is face.mouth_closed's job.
            let measured = json!({"value": a.value, "confidence": num(a.confidence, 1)});
            return Ok(result(
                CheckId::FaceExpression,
                CheckStatus::Pass,
                measured,
                limit,
                pass,
            ));
        }
    }
    attribute(
        ctx,
        AttributeRule {
            id: CheckId::FaceExpression,
            what: "whether you are smiling",
            good: false,
            pass,
            fail: "You are smiling. Keep a neutral expression.",
            limit,
        },
        |f| f.smile,
        exempt,
    )
}

pub(super) fn sunglasses(ctx: &Ctx<'_>) -> Outcome {
    attribute(
        ctx,
        AttributeRule {
            id: CheckId::FaceSunglasses,
            what: "whether sunglasses are worn",
            good: false,
            pass: "No sunglasses.",
            fail: "You are wearing sunglasses or tinted glasses. Take them off.",
            limit: "no sunglasses",
        },
        |f| f.sunglasses,
        None,
    )
}

pub(super) fn eyeglasses(ctx: &Ctx<'_>) -> Outcome {
    attribute(
        ctx,
        AttributeRule {
            id: CheckId::FaceEyeglasses,
            what: "whether glasses are worn",
            good: false,
            pass: "No glasses.",
            fail: "You are wearing glasses. Take them off for the photo (where glasses are allowed, there must be no glare or tint and your eyes must be clearly visible).",
            limit: "no glasses",
        },
        |f| f.eyeglasses,
        None,
    )
}

pub(super) fn occlusion(ctx: &Ctx<'_>) -> Outcome {
    attribute(
        ctx,
        AttributeRule {
            id: CheckId::FaceOcclusion,
            what: "whether something covers the face",
            good: false,
            pass: "Nothing covers your face.",
            fail: "Something covers part of your face (a hand, hair, a mask or an object). Keep your whole face visible.",
            limit: "face uncovered",
        },
        |f| f.face_occluded,
        None,
    )
}

/// Rekognition Quality.Brightness within a calibrated range.
pub(super) fn brightness(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceBrightness;
    let face = ctx.face(id)?;
    let Some(q) = face.quality else {
        return Err(ctx.attribute_missing(id, "the face brightness"));
    };
    let range = ctx.limits.face_brightness;
    let ok = range.contains(q.brightness);
    let message = if ok {
        "Your face is well lit.".to_owned()
    } else if range.min.is_some_and(|m| q.brightness < m) {
        "Your face is too dark. Take the photo in brighter, even light.".to_owned()
    } else {
        "Your face is too bright. Avoid direct flash or strong light on your face.".to_owned()
    };
    Ok(result(
        id,
        judge(ok, q.brightness.is_finite()),
        num(q.brightness, 1),
        range.describe(0, ""),
        message,
    ))
}

/// Rekognition Quality.Sharpness above a calibrated minimum.
pub(super) fn sharpness(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceSharpness;
    let face = ctx.face(id)?;
    let Some(q) = face.quality else {
        return Err(ctx.attribute_missing(id, "the face sharpness"));
    };
    let min = ctx.limits.min_face_sharpness;
    let ok = q.sharpness >= min;
    let message = if ok {
        "Your face is in focus."
    } else {
        "Your face is blurred. Hold the camera still and focus on your face."
    };
    Ok(result(
        id,
        judge(ok, q.sharpness.is_finite()),
        num(q.sharpness, 1),
        format!("≥ {min}"),
        message,
    ))
}
