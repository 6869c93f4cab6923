use serde_json::json;

use super::Outcome;
use crate::catalogue::CheckId;
use crate::context::{judge, num, result, skipped, Ctx};

fn pct(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

/// The bounding box, the chin and the estimated top of the head lie inside the image,
/// keeping the profile's margin.
pub(super) fn in_frame(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceInFrame;
    let face = ctx.face(id)?;
    let m = ctx.limits.frame_margin;
    let b = face.bounding_box;
    let inside = |v: f64| v.is_finite() && v >= m && v <= 1.0 - m;
    let mut cut = Vec::new();
    if !inside(b.left) {
        cut.push("left");
    }
    if !inside(b.left + b.width) {
        cut.push("right");
    }
    if !inside(b.top) {
        cut.push("top");
    }
    if !inside(b.top + b.height) {
        cut.push("bottom");
    }
    let geometry = ctx.geometry(id).ok();
    if let Some(g) = geometry {
        if !inside(g.head_top) && !cut.contains(&"top") {
            cut.push("top");
        }
        if !inside(g.chin_y) && !cut.contains(&"bottom") {
            cut.push("bottom");
        }
    }
    let measured = json!({
        "box": {"left": num(b.left, 3), "top": num(b.top, 3), "width": num(b.width, 3), "height": num(b.height, 3)},
        "headTop": geometry.map(|g| num(g.head_top, 3)),
        "chin": geometry.map(|g| num(g.chin_y, 3)),
        "cutOff": cut,
    });
    let limit = if m > 0.0 {
        format!("inside the image with a {} margin", pct(m))
    } else {
        "inside the image".to_owned()
    };
    let message = if cut.is_empty() {
        "Your whole head is in the photo.".to_owned()
    } else {
        format!("Your head is cut off at the {} of the photo. Step back or move so that your whole head and shoulders are in the frame.", cut.join(" and "))
    };
    Ok(result(id, judge(cut.is_empty(), true), measured, limit, message))
}

/// Crown-to-chin height (2·T) over image height.
pub(super) fn head_size(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceHeadSize;
    let g = ctx.geometry(id)?;
    let range = ctx.limits.head_size;
    let ok = range.contains(g.head_size);
    let limit = format!(
        "{}–{} of the height",
        pct(range.min.unwrap_or(0.0)),
        pct(range.max.unwrap_or(1.0))
    );
    let message = if ok {
        format!("Your head fills {} of the photo's height.", pct(g.head_size))
    } else if range.max.is_some_and(|m| g.head_size > m) {
        format!("Your head fills {} of the photo's height; it must be {limit}. Move further from the camera or crop less tightly.", pct(g.head_size))
    } else {
        format!("Your head fills only {} of the photo's height; it must be {limit}. Move closer to the camera or crop closer.", pct(g.head_size))
    };
    Ok(result(id, judge(ok, true), num(g.head_size, 3), limit, message))
}

/// Eye height from the bottom over image height.
pub(super) fn eye_line(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceEyeLine;
    let e = ctx.eye_geometry(id)?;
    let line = 1.0 - e.mid_y;
    let range = ctx.limits.eye_line;
    let ok = range.contains(line);
    let limit = format!(
        "{}–{} of the height from the bottom",
        pct(range.min.unwrap_or(0.0)),
        pct(range.max.unwrap_or(1.0))
    );
    let message = if ok {
        format!("Your eyes are at {} of the photo's height.", pct(line))
    } else if range.max.is_some_and(|m| line > m) {
        format!("Your eyes are too high in the photo ({} from the bottom; allowed {limit}). Leave less space above your head.", pct(line))
    } else {
        format!("Your eyes are too low in the photo ({} from the bottom; allowed {limit}). Leave less space below your chin.", pct(line))
    };
    Ok(result(id, judge(ok, true), num(line, 3), limit, message))
}

/// Eye midpoint near the vertical centre line.
pub(super) fn centred(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceCentred;
    let e = ctx.eye_geometry(id)?;
    let max = ctx.limits.max_centre_offset;
    let offset = e.mid_x - 0.5;
    let ok = offset.abs() <= max;
    let limit = format!("0.5 ± {max} of the width");
    let message = if ok {
        "Your face is centred.".to_owned()
    } else {
        let side = if offset < 0.0 { "left" } else { "right" };
        format!("Your face is off-centre, towards the {side} edge ({} of the width). Centre your face in the photo.", pct(offset.abs()))
    };
    Ok(result(id, judge(ok, true), num(e.mid_x, 3), limit, message))
}

/// Distance between the eye centres in pixels (face resolution).
pub(super) fn inter_eye(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FaceInterEye;
    let e = ctx.eye_geometry(id)?;
    let min = ctx.limits.min_inter_eye_px;
    if !e.inter_eye_px.is_finite() {
        return Err(skipped(id, "the eye distance could not be measured"));
    }
    let ok = e.inter_eye_px >= min;
    let message = if ok {
        format!("Your eyes are {:.0} pixels apart.", e.inter_eye_px)
    } else {
        format!("Your face is too small in the photo ({:.0} pixels between the eyes, at least {min:.0} needed). Use a higher resolution or move closer.", e.inter_eye_px)
    };
    Ok(result(
        id,
        judge(ok, true),
        num(e.inter_eye_px, 1),
        format!("≥ {min:.0} px"),
        message,
    ))
}
