use passport_model::ImageFormat;

/// The format by magic bytes alone.
pub fn sniff_format(bytes: &[u8]) -> ImageFormat {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => ImageFormat::Jpeg,
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => ImageFormat::Png,
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => ImageFormat::Gif,
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => ImageFormat::Webp,
        [b'B', b'M', ..] => ImageFormat::Bmp,
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => ImageFormat::Tiff,
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..]
            if brand.len() >= 4
                && matches!(
                    &brand[..4],
                    b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" | b"heif"
                ) =>
        {
            ImageFormat::Heic
        }
        [_, _, _, _, b'f', b't', b'y', b'p', b'a', b'v', b'i', b'f' | b's', ..] => ImageFormat::Avif,
        _ if looks_like_svg(bytes) => ImageFormat::Svg,
        _ => ImageFormat::Unknown,
    }
}

/// SVG is text: an XML declaration or an `<svg` element near the start.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    (text.starts_with("<?xml") || text.starts_with("<svg") || text.starts_with("<!DOCTYPE svg"))
        && text.contains("<svg")
}
