use crate::{HeaderError, RawHeader};

/// Reads the IHDR chunk, which the PNG specification requires first.
pub(crate) fn read_header(bytes: &[u8]) -> Result<RawHeader, HeaderError> {
    const IHDR_END: usize = 8 + 8 + 13;
    if bytes.len() < IHDR_END {
        return Err(HeaderError::Incomplete);
    }
    let chunk_len = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if chunk_len != 13 || &bytes[12..16] != b"IHDR" {
        return Err(HeaderError::Corrupt);
    }
    let d = &bytes[16..29];
    let width = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
    let height = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
    let bit_depth = d[8];
    let color_channels = match (d[9], bit_depth) {
        (0, 1 | 2 | 4 | 8 | 16) | (4, 8 | 16) => 1,
        (2 | 6, 8 | 16) => 3,
        // Palette entries are 8-bit RGB whatever the index depth.
        (3, 1 | 2 | 4 | 8) => 3,
        _ => return Err(HeaderError::Corrupt),
    };
    let bit_depth = if d[9] == 3 { 8 } else { bit_depth };
    if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
        return Err(HeaderError::Corrupt);
    }
    Ok(RawHeader {
        width,
        height,
        color_channels,
        bit_depth,
        // Rekognition applies EXIF orientation to JPEGs only; so do we, to agree on geometry.
        exif_orientation: None,
    })
}
