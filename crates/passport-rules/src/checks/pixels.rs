use passport_model::{CheckStatus, ImageFormat};
use serde_json::json;

use super::Outcome;
use crate::catalogue::CheckId;
use crate::context::{from_problems, judge, num, result, skipped, Ctx};

/// Uniform and light outside the head: lightness, luminance spread and mean gradient.
pub(super) fn background(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageBackground;
    let m = ctx.measures(id)?;
    let Some(bg) = m.background else {
        return Err(ctx.measure_missing(id, "background"));
    };
    let l = ctx.limits.background;
    let mut problems = Vec::new();
    if !(bg.mean_lightness >= l.min_lightness) {
        problems.push("The background is too dark; use a white or light grey background.".to_owned());
    }
    if !(bg.luminance_std_dev <= l.max_luminance_std_dev && bg.mean_gradient <= l.max_mean_gradient) {
        problems.push("The background is not plain; stand in front of a plain wall without patterns, objects or shadows.".to_owned());
    }
    let measured = json!({
        "lightness": num(bg.mean_lightness, 1),
        "luminanceStdDev": num(bg.luminance_std_dev, 1),
        "meanGradient": num(bg.mean_gradient, 2),
    });
    let limit = format!(
        "lightness ≥ {}, std dev ≤ {}, gradient ≤ {}",
        l.min_lightness, l.max_luminance_std_dev, l.max_mean_gradient
    );
    Ok(from_problems(
        id,
        &problems,
        measured,
        limit,
        "The background is plain and light.",
    ))
}

/// Left and right halves of the face lit alike (OFIQ histogram overlap).
pub(super) fn lighting(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageLighting;
    let m = ctx.measures(id)?;
    let Some(li) = m.lighting else {
        return Err(ctx.measure_missing(id, "lighting"));
    };
    let min = ctx.limits.min_lighting_overlap;
    let ok = li.histogram_overlap >= min;
    let message = if ok {
        "Your face is evenly lit.".to_owned()
    } else {
        let darker = if li.left_mean_luminance < li.right_mean_luminance {
            "left"
        } else {
            "right"
        };
        format!("One side of your face is in shadow (the {darker} side of the photo is darker). Face the light or add light from the other side.")
    };
    let measured = json!({
        "overlap": num(li.histogram_overlap, 3),
        "leftLuminance": num(li.left_mean_luminance, 1),
        "rightLuminance": num(li.right_mean_luminance, 1),
    });
    Ok(result(
        id,
        judge(ok, li.histogram_overlap.is_finite()),
        measured,
        format!("overlap ≥ {min}"),
        message,
    ))
}

/// Share of face pixels clipped dark or bright.
pub(super) fn exposure(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageExposure;
    let m = ctx.measures(id)?;
    let Some(e) = m.exposure else {
        return Err(ctx.measure_missing(id, "exposure"));
    };
    let l = ctx.limits;
    let under = !(e.under_exposed_share <= l.max_under_exposed_share);
    let over = !(e.over_exposed_share <= l.max_over_exposed_share);
    let message = match (under, over) {
        (false, false) => "Your face is well exposed.",
        (true, false) => "Parts of your face are too dark to see. Use brighter, even light.",
        (false, true) => "Parts of your face are washed out by light. Avoid flash glare and strong light.",
        (true, true) => "Parts of your face are too dark and others washed out. Use soft, even light.",
    };
    let measured = json!({"under": num(e.under_exposed_share, 3), "over": num(e.over_exposed_share, 3)});
    let limit = format!(
        "≤ {} under- and ≤ {} over-exposed",
        l.max_under_exposed_share, l.max_over_exposed_share
    );
    Ok(result(id, judge(!under && !over, true), measured, limit, message))
}

/// Mean CIELAB a*, b* of the cheeks within OFIQ's natural-colour box.
pub(super) fn natural_colour(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageNaturalColour;
    let m = ctx.measures(id)?;
    let Some(c) = m.colour else {
        return Err(ctx.measure_missing(id, "colour"));
    };
    let (ra, rb) = (ctx.limits.skin_a, ctx.limits.skin_b);
    let ok = ra.contains(c.mean_a) && rb.contains(c.mean_b);
    let message = if ok {
        "Your skin colour looks natural."
    } else {
        "The colours look unnatural (a filter, a colour cast or wrong white balance). Take the photo in daylight-balanced light without filters."
    };
    let measured = json!({"a": num(c.mean_a, 1), "b": num(c.mean_b, 1)});
    Ok(result(
        id,
        judge(ok, true),
        measured,
        format!("a* {}, b* {}", ra.describe(0, ""), rb.describe(0, "")),
        message,
    ))
}

/// Laplacian variance over the face (or the whole image without a face).
pub(super) fn sharpness(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageSharpness;
    let m = ctx.measures(id)?;
    let Some(s) = m.sharpness.as_ref() else {
        return Err(ctx.measure_missing(id, "sharpness"));
    };
    let min = ctx.limits.min_laplacian_variance;
    let ok = s.laplacian_variance >= min;
    let message = if ok {
        "The photo is sharp."
    } else {
        "The photo is blurred. Hold the camera still and make sure it focuses on your face."
    };
    let measured = json!({"laplacianVariance": num(s.laplacian_variance, 1), "region": s.region});
    Ok(result(
        id,
        judge(ok, s.laplacian_variance.is_finite()),
        measured,
        format!("≥ {min}"),
        message,
    ))
}

/// W·H·3 / bytes for JPEG: heavy compression destroys facial detail.
pub(super) fn compression(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageCompression;
    if ctx.metadata.is_some_and(|m| m.format != ImageFormat::Jpeg) {
        return Err(skipped(id, "the file is not a JPEG"));
    }
    let m = ctx.measures(id)?;
    let Some(c) = m.compression else {
        return Err(ctx.measure_missing(id, "compression"));
    };
    let max = ctx.limits.max_compression_ratio;
    let ok = c.ratio <= max;
    let message = if ok {
        format!("The compression ratio is {:.1}:1.", c.ratio)
    } else {
        format!(
            "The photo is compressed too much ({:.1}:1, at most {max}:1). Save it at a higher JPEG quality.",
            c.ratio
        )
    };
    let status = if c.ratio.is_finite() {
        judge(ok, true)
    } else {
        CheckStatus::Fail
    };
    Ok(result(id, status, num(c.ratio, 2), format!("≤ {max}:1"), message))
}
