use crate::{HeaderError, RawHeader};

/// Walks the JPEG markers up to the first frame header (SOFn), picking up the EXIF
/// orientation from an APP1 `Exif` segment on the way.
pub(crate) fn read_header(bytes: &[u8]) -> Result<RawHeader, HeaderError> {
    let mut pos = 2; // after SOI
    let mut orientation = None;
    loop {
        // Markers are 0xFF followed by a code; extra 0xFF fill bytes are allowed.
        let Some(&first) = bytes.get(pos) else {
            return Err(HeaderError::Incomplete);
        };
        if first != 0xFF {
            return Err(HeaderError::Corrupt);
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(HeaderError::Incomplete);
        };
        pos += 1;
        match marker {
            0x01 | 0xD0..=0xD7 => continue,
            // End of image or start of scan before any frame header.
            0xD9 | 0xDA | 0xD8 | 0x00 => return Err(HeaderError::Corrupt),
            _ => {}
        }
        let Some(len_bytes) = bytes.get(pos..pos + 2) else {
            return Err(HeaderError::Incomplete);
        };
        let seg_len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if seg_len < 2 {
            return Err(HeaderError::Corrupt);
        }
        let data_start = pos + 2;
        let data_end = pos + seg_len;
        let is_frame_header = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame_header || marker == 0xE1 {
            let Some(data) = bytes.get(data_start..data_end) else {
                return Err(HeaderError::Incomplete);
            };
            if is_frame_header {
                return frame_header(data, orientation);
            }
            if let Some(tiff) = data.strip_prefix(b"Exif\0\0") {
                orientation = orientation.or_else(|| exif_orientation(tiff));
            }
        }
        pos = data_end;
    }
}

fn frame_header(data: &[u8], exif_orientation: Option<u16>) -> Result<RawHeader, HeaderError> {
    if data.len() < 6 {
        return Err(HeaderError::Corrupt);
    }
    let bit_depth = data[0];
    let height = u32::from(u16::from_be_bytes([data[1], data[2]]));
    let width = u32::from(u16::from_be_bytes([data[3], data[4]]));
    let components = data[5];
    // Height 0 (defined later by a DNL marker) is legal but unheard of in photos; treat
    // it, and impossible component counts, as damage.
    if width == 0 || height == 0 || !matches!(components, 1 | 3 | 4) || bit_depth == 0 {
        return Err(HeaderError::Corrupt);
    }
    if data.len() < 6 + 3 * usize::from(components) {
        return Err(HeaderError::Corrupt);
    }
    Ok(RawHeader {
        width,
        height,
        color_channels: components,
        bit_depth,
        exif_orientation,
    })
}

/// The primary image's Orientation tag (1..=8) from IFD0 of the EXIF TIFF block; anything
/// else is ignored as absent.
///
/// Only IFD0 is read, on purpose: phone files carry maker notes and sub-IFDs whose offsets
/// often point outside the APP1 segment, and a full EXIF parser gives up on the whole block
/// then, so a sideways photo would be measured as stored while decoders (and Rekognition,
/// which reads IFD0 too) show it rotated.
pub(crate) fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(..4)? {
        [b'M', b'M', 0, 42] => true,
        [b'I', b'I', 42, 0] => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = tiff.get(at..at + 2)?;
        Some(if big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = tiff.get(at..at + 4)?;
        Some(if big_endian {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        })
    };
    let ifd0 = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::from(u16_at(ifd0)?);
    (0..entries).find_map(|i| {
        let entry = ifd0 + 2 + 12 * i;
        // Tag 0x0112 Orientation, type SHORT, one value, stored in the entry itself.
        (u16_at(entry)? == 0x0112 && u16_at(entry + 2)? == 3 && u32_at(entry + 4)? == 1)
            .then(|| u16_at(entry + 8))
            .flatten()
            .filter(|v| (1..=8).contains(v))
    })
}
