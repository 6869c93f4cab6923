//! Header inspection for fetch-metadata: everything is read from a prefix of the file (the
//! first 64 KiB), never the whole object.
//!
//! The format comes from magic bytes only. For JPEG the frame header (SOFn) gives the
//! precision and component count, and the APP1 Exif segment the orientation (parsed with
//! our IFD0 reader); for PNG the IHDR chunk gives bit depth and colour type. The small marker
//! walk is ours because header-only crates report dimensions but not precision and
//! components, and full decoders want the whole stream.

mod jpeg;
mod png;
mod sniff;

use passport_model::{ImageFormat, ImageMetadata, MetadataProblem};

pub use sniff::sniff_format;

/// How many bytes fetch-metadata reads from the start of an object.
pub const HEADER_PREFIX_BYTES: u64 = 64 * 1024;
/// Rekognition DetectFaces refuses S3 objects over 15 MB.
pub const MAX_ANALYZABLE_BYTES: u64 = 15_000_000;
/// Rekognition needs at least 80 px on each side.
pub const MIN_ANALYZABLE_SIDE: u32 = 80;

/// What a header says before orientation is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawHeader {
    pub width: u32,
    pub height: u32,
    /// Colour channels without alpha: 1 grey, 3 colour (RGB, YCbCr, palette), 4 CMYK.
    pub color_channels: u8,
    pub bit_depth: u8,
    pub exif_orientation: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderError {
    /// The bytes contradict the format.
    Corrupt,
    /// The header continues past the prefix that was read.
    Incomplete,
}

/// Inspects the first bytes of a photo. `total_size` is the object's full size (from
/// HeadObject), `prefix` at most its first `HEADER_PREFIX_BYTES`.
pub fn inspect(prefix: &[u8], total_size: u64, content_type: Option<String>) -> ImageMetadata {
    let format = sniff_format(prefix);
    let mut meta = ImageMetadata {
        format,
        content_type,
        size_bytes: total_size,
        width: None,
        height: None,
        color_channels: None,
        bit_depth: None,
        exif_orientation: None,
        analyzable: false,
        problems: Vec::new(),
    };
    if total_size == 0 || prefix.is_empty() {
        meta.problems.push(MetadataProblem::EmptyFile);
        return meta;
    }
    let prefix_is_whole_file = prefix.len() as u64 >= total_size;
    let header = match format {
        ImageFormat::Jpeg => Some(jpeg::read_header(prefix)),
        ImageFormat::Png => Some(png::read_header(prefix)),
        _ => None,
    };
    match header {
        None => meta.problems.push(MetadataProblem::UnsupportedFormat),
        Some(Ok(h)) => {
            let rotated = matches!(h.exif_orientation, Some(5..=8));
            let (w, h2) = if rotated {
                (h.height, h.width)
            } else {
                (h.width, h.height)
            };
            meta.width = Some(w);
            meta.height = Some(h2);
            meta.color_channels = Some(h.color_channels);
            meta.bit_depth = Some(h.bit_depth);
            meta.exif_orientation = h.exif_orientation;
            if w < MIN_ANALYZABLE_SIDE || h2 < MIN_ANALYZABLE_SIDE {
                meta.problems.push(MetadataProblem::TooSmallForAnalysis);
            }
        }
        // A header cut off inside the whole file is damage; cut off by our prefix it is
        // only unknown yet (huge EXIF blocks), and decoding will tell the size later.
        Some(Err(HeaderError::Incomplete)) if !prefix_is_whole_file => {
            meta.problems.push(MetadataProblem::HeaderIncomplete)
        }
        Some(Err(_)) => meta.problems.push(MetadataProblem::CorruptHeader),
    }
    if total_size > MAX_ANALYZABLE_BYTES {
        meta.problems.push(MetadataProblem::TooLargeForAnalysis);
    }
    meta.analyzable = !meta.problems.iter().any(|p| p.blocks_analysis());
    meta
}

#[cfg(test)]
mod tests;
