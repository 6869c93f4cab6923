use passport_model::{CheckStatus, MetadataProblem, Undecodable};
use serde_json::json;

use super::Outcome;
use crate::catalogue::CheckId;
use crate::context::{judge, num, result, skipped, Ctx};

/// The whole image decodes: header intact, data not truncated, accepted by the detector.
pub(super) fn decodable(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageDecodable;
    let fail = |measured: &str, message: String| {
        Ok(result(
            id,
            CheckStatus::Fail,
            json!(measured),
            "decodes completely",
            message,
        ))
    };
    if let Some(m) = ctx.metadata {
        if m.problems.contains(&MetadataProblem::EmptyFile) {
            return fail("empty", "The file is empty. Upload the photo again.".into());
        }
        if m.problems.contains(&MetadataProblem::CorruptHeader) {
            return fail("corrupt header", "The image file is damaged and cannot be read. Export the photo again and upload the new file.".into());
        }
        if m.problems.contains(&MetadataProblem::UnsupportedFormat) {
            return Err(skipped(id, "the file format is not supported"));
        }
    }
    if let Some(image) = ctx.image {
        if !image.decodable {
            return match &image.undecodable {
                Some(Undecodable::UnsupportedFormat) => {
                    Err(skipped(id, "the file format is not supported"))
                }
                Some(Undecodable::TooManyPixels {
                    width,
                    height,
                    max_pixels,
                }) => fail(
                    "too many pixels",
                    format!(
                        "The photo has {width}×{height} pixels ({:.0} megapixels), more than the {:.0} megapixels that can be analysed. It is not damaged: resize it (for example to 1200 pixels wide) and upload it again.",
                        f64::from(*width) * f64::from(*height) / 1e6,
                        *max_pixels as f64 / 1e6
                    ),
                ),
                Some(Undecodable::TooManyBytes { bytes, max_bytes }) => fail(
                    "too many bytes",
                    format!(
                        "The file is {:.1} MB, more than the {:.1} MB that can be analysed. Save it with a little more compression or fewer pixels and upload it again.",
                        *bytes as f64 / 1e6,
                        *max_bytes as f64 / 1e6
                    ),
                ),
                Some(Undecodable::Truncated) => fail(
                    "truncated",
                    "The image file is damaged: it ends before the picture is complete (the upload or copy was cut short). Upload the original photo again.".into(),
                ),
                Some(Undecodable::Damaged) | None => {
                    let why = image
                        .decode_error
                        .as_deref()
                        .unwrap_or("the image data is corrupt");
                    fail(
                        "damaged",
                        format!(
                            "The image file is damaged and cannot be read ({why}). Export the photo again and upload the new file."
                        ),
                    )
                }
            };
        }
    }
    if let Some(reason) = ctx.refused {
        return fail("refused", format!("The photo could not be analysed: {reason}. Export it again as a standard JPEG and upload the new file."));
    }
    match ctx.image {
        Some(_) => Ok(result(
            id,
            CheckStatus::Pass,
            json!("decoded"),
            "decodes completely",
            "The image data is complete.",
        )),
        None if ctx.metadata.is_some_and(|m| !m.analyzable) => {
            Err(skipped(id, "the file could not be analyzed"))
        }
        None => Err(skipped(id, "the image was not decoded")),
    }
}

/// Each side within the profile's bounds, after EXIF orientation.
pub(super) fn dimensions(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageDimensions;
    let (w, h) = ctx
        .dims
        .ok_or_else(|| skipped(id, "the image size could not be read"))?;
    let (rw, rh) = (ctx.limits.width_px, ctx.limits.height_px);
    let limit = format!(
        "width {}, height {}",
        rw.describe(0, " px"),
        rh.describe(0, " px")
    );
    let ok = rw.contains(w) && rh.contains(h);
    let message = if ok {
        format!("The photo is {w:.0}×{h:.0} pixels.")
    } else {
        format!("The photo is {w:.0}×{h:.0} pixels; it must be {limit}. Resize or retake it at the required size.")
    };
    Ok(result(
        id,
        judge(ok, true),
        json!({"width": w as u64, "height": h as u64}),
        limit,
        message,
    ))
}

/// Width over height (squareness or the 35:45 shape).
pub(super) fn aspect(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageAspect;
    let (w, h) = ctx
        .dims
        .ok_or_else(|| skipped(id, "the image size could not be read"))?;
    let ratio = w / h;
    let range = ctx.limits.aspect;
    let limit = range.describe(2, "");
    let ok = range.contains(ratio);
    let message = if ok {
        format!("The width-to-height ratio is {ratio:.2}.")
    } else if range.max.is_some_and(|m| ratio > m) {
        format!("The photo is too wide for its height (ratio {ratio:.2}, allowed {limit}). Crop the sides.")
    } else {
        format!("The photo is too tall for its width (ratio {ratio:.2}, allowed {limit}). Crop the top or bottom.")
    };
    Ok(result(
        id,
        judge(ok, ratio.is_finite()),
        num(ratio, 3),
        limit,
        message,
    ))
}

/// Three colour channels (alpha ignored), not grey everywhere, 8 bits where required.
pub(super) fn colour(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::ImageColour;
    let channels = ctx.metadata.and_then(|m| m.color_channels);
    let bits = ctx.metadata.and_then(|m| m.bit_depth);
    let greyscale = ctx.image.and_then(|i| i.greyscale);
    if channels.is_none() && greyscale.is_none() {
        return Err(skipped(id, "the colour layout could not be read"));
    }
    let limit = if ctx.limits.require_8_bit {
        "colour, 8 bits per channel"
    } else {
        "colour"
    };
    let measured = json!({"channels": channels, "bitDepth": bits, "greyscale": greyscale});
    let problem = if channels.is_some_and(|c| c < 3) {
        Some("The photo is black and white. Upload a colour photo.")
    } else if greyscale == Some(true) {
        Some("The photo has no colour (every pixel is grey). Upload a colour photo without filters.")
    } else if ctx.limits.require_8_bit && bits.is_some_and(|b| b != 8) {
        Some("The photo must use 8 bits per colour channel (24-bit colour). Export it as a standard JPEG.")
    } else {
        None
    };
    let status = judge(problem.is_none(), true);
    Ok(result(
        id,
        status,
        measured,
        limit,
        problem.unwrap_or("The photo is in colour."),
    ))
}
