use passport_model::CheckStatus;
use serde_json::json;

use super::Outcome;
use crate::catalogue::CheckId;
use crate::context::{judge, result, skipped, Ctx};

/// JPEG or PNG by magic bytes (RULES.md `file.format`).
pub(super) fn format(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FileFormat;
    let m = ctx
        .metadata
        .ok_or_else(|| skipped(id, "the file header was not read"))?;
    let allowed: Vec<&str> = ctx.limits.formats.iter().map(|f| f.name()).collect();
    let limit = allowed.join(" or ");
    if m.size_bytes == 0 {
        return Ok(result(
            id,
            CheckStatus::Fail,
            json!("empty"),
            limit,
            "The file is empty. Upload the photo again.",
        ));
    }
    let ok = ctx.limits.formats.contains(&m.format);
    let message = if ok {
        format!("The file is a {} image.", m.format.name())
    } else if m.format == passport_model::ImageFormat::Unknown {
        format!("The file is not an image we recognise. Save the photo as {limit} and upload it again.")
    } else if m.format == passport_model::ImageFormat::Heic {
        format!(
            "The file is a HEIC image (the iPhone's default format). Export it as {limit}: on the iPhone, share the photo and choose Options → Most Compatible, or set Settings → Camera → Formats → Most Compatible before taking it."
        )
    } else {
        format!(
            "The file is a {} image. Save the photo as {limit} and upload it again.",
            m.format.name()
        )
    };
    Ok(result(id, judge(ok, true), json!(m.format), limit, message))
}

fn kb(bytes: f64) -> String {
    if bytes >= 1_000_000.0 {
        format!("{:.1} MB", bytes / 1_000_000.0)
    } else {
        format!("{:.0} KB", bytes / 1000.0)
    }
}

/// Byte size within the profile's range (1 KB = 1000 bytes).
pub(super) fn size(ctx: &Ctx<'_>) -> Outcome {
    let id = CheckId::FileSize;
    let m = ctx
        .metadata
        .ok_or_else(|| skipped(id, "the file size is unknown"))?;
    let range = ctx.limits.file_size_bytes;
    let size = m.size_bytes as f64;
    let limit = match (range.min, range.max) {
        (Some(a), Some(b)) if a > 1.0 => format!("{}–{}", kb(a), kb(b)),
        (_, Some(b)) => format!("≤ {}", kb(b)),
        (Some(a), None) => format!("≥ {}", kb(a)),
        (None, None) => "any".into(),
    };
    let ok = range.contains(size);
    let message = if ok {
        format!("The file size, {}, is within the limits.", kb(size))
    } else if range.max.is_some_and(|max| size > max) {
        format!("The file is {}, larger than the {} allowed. Save it with a little more compression or fewer pixels.", kb(size), kb(range.max.unwrap_or_default()))
    } else {
        format!(
            "The file is {}, smaller than the {} required. Save it with less compression.",
            kb(size),
            kb(range.min.unwrap_or_default())
        )
    };
    Ok(result(id, judge(ok, true), json!(m.size_bytes), limit, message))
}
