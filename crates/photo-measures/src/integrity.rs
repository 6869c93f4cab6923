//! Whole-file structure checks that decoders skip: a JPEG or PNG must be complete and
//! well formed from its first byte to its end marker before any pixel is measured.
//!
//! Decoders are lenient on purpose (browsers show half a photo): a JPEG decoder fills a
//! truncated scan with grey, and a camera JPEG cut short still holds the complete EXIF
//! thumbnail (with its own SOS and EOI) inside its APP1 segment. So the segments are walked
//! by their lengths, as ITU-T T.81 (B.1.1) lays them out, and the entropy-coded data of
//! every scan is followed to the marker that ends it; for PNG every chunk's length and CRC
//! is checked up to IEND (PNG specification, 5.3).

use crate::entropy::EntropyCheck;

/// Why a file is not a complete, well-formed image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The data stops before the image is complete.
    Truncated,
    /// The structure contradicts the format.
    Corrupt(String),
}

/// Checks a whole JPEG file: its marker structure up to the End Of Image marker, then
/// every scan's entropy-coded data against the frame (see [`crate::entropy`]).
pub fn check_jpeg(bytes: &[u8]) -> Result<(), Damage> {
    let parts = jpeg_structure(bytes)?;
    let mut entropy = EntropyCheck::new();
    for part in parts {
        match part {
            Part::Segment { marker, body } => entropy.segment(marker, &bytes[body])?,
            Part::Scan { header, data, end } => {
                let stop = entropy.scan(&bytes[header], bytes, data)?;
                // The blocks must use the data up to the marker, fill bytes aside.
                if stop > end || bytes[stop..end].iter().any(|&b| b != 0xFF) {
                    return Err(Damage::Corrupt(format!(
                        "{} bytes of image data left over where the scan should end",
                        end.saturating_sub(stop)
                    )));
                }
            }
        }
    }
    Ok(())
}

/// A segment (its body without the length) or a scan (its header, and where its data
/// starts and its ending marker's 0xFF is).
enum Part {
    Segment {
        marker: u8,
        body: std::ops::Range<usize>,
    },
    Scan {
        header: std::ops::Range<usize>,
        data: usize,
        end: usize,
    },
}

/// The marker structure of a whole JPEG, in order, up to its End Of Image marker.
fn jpeg_structure(bytes: &[u8]) -> Result<Vec<Part>, Damage> {
    let mut parts = Vec::new();
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(Damage::Corrupt("no JPEG start-of-image marker".into()));
    }
    let corrupt = |why: &str| Err(Damage::Corrupt(why.to_owned()));
    let mut pos = 2;
    let mut seen_frame = false;
    let mut scans = 0usize;
    loop {
        // Every marker is 0xFF then a code; 0xFF fill bytes may precede it.
        match bytes.get(pos) {
            None => return Err(Damage::Truncated),
            Some(0xFF) => {}
            Some(_) => return corrupt("data where a marker belongs"),
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(Damage::Truncated);
        };
        pos += 1;
        match marker {
            0xD9 if scans > 0 => return Ok(parts),
            0xD9 => return corrupt("the image ends before any image data"),
            0xD8 => return corrupt("a second start-of-image marker"),
            0x00 => return corrupt("a stuffed byte outside the image data"),
            // Restart markers and TEM stand alone; outside a scan they carry nothing.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = bytes.get(pos..pos + 2) else {
            return Err(Damage::Truncated);
        };
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        if len < 2 {
            return corrupt("a segment length below 2");
        }
        let end = pos + len;
        if end > bytes.len() {
            return Err(Damage::Truncated);
        }
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            if seen_frame {
                return corrupt("a second frame header");
            }
            seen_frame = true;
        }
        let body = pos + 2..end;
        pos = end;
        if marker == 0xDA {
            if !seen_frame {
                return corrupt("image data before the frame header");
            }
            scans += 1;
            let data = pos;
            pos = skip_entropy_coded(bytes, pos)?;
            // `pos` is the last 0xFF before the marker code; the first of a fill run ends the data.
            let mut end = pos;
            while end > data && bytes[end - 1] == 0xFF {
                end -= 1;
            }
            parts.push(Part::Scan {
                header: body,
                data,
                end,
            });
            // What may follow a scan: another scan's tables and header, or the end.
            match bytes.get(pos + 1) {
                Some(0xD9 | 0xDA | 0xC4 | 0xDB | 0xDD | 0xDC | 0xFE | 0xCC) => {}
                Some(0xE0..=0xEF) => {}
                Some(m) => {
                    return Err(Damage::Corrupt(format!(
                        "an unexpected marker FF{m:02X} after the image data"
                    )))
                }
                None => return Err(Damage::Truncated),
            }
        } else {
            parts.push(Part::Segment { marker, body });
        }
    }
}

/// From the first byte of a scan's entropy-coded data to the 0xFF of the marker after it.
/// Inside the data a 0xFF is followed by 0x00 (stuffing), a restart marker, or more 0xFF.
fn skip_entropy_coded(bytes: &[u8], mut pos: usize) -> Result<usize, Damage> {
    loop {
        let rest = bytes.get(pos..).unwrap_or_default();
        let Some(ff) = rest.iter().position(|&b| b == 0xFF) else {
            return Err(Damage::Truncated);
        };
        pos += ff;
        let mut next = pos + 1;
        while bytes.get(next) == Some(&0xFF) {
            next += 1;
        }
        match bytes.get(next) {
            None => return Err(Damage::Truncated),
            Some(0x00 | 0xD0..=0xD7) => pos = next + 1,
            Some(_) => return Ok(next - 1),
        }
    }
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Checks a whole PNG file: every chunk complete with a matching CRC, IHDR first, image
/// data present, IEND last.
pub fn check_png(bytes: &[u8]) -> Result<(), Damage> {
    if !bytes.starts_with(&PNG_SIGNATURE) {
        return Err(Damage::Corrupt("no PNG signature".into()));
    }
    let mut pos = PNG_SIGNATURE.len();
    let mut first = true;
    let mut seen_data = false;
    loop {
        let Some(head) = bytes.get(pos..pos + 8) else {
            return Err(Damage::Truncated);
        };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        if len > 0x7FFF_FFFF {
            return Err(Damage::Corrupt("a chunk length over 2^31 - 1".into()));
        }
        let kind = [head[4], head[5], head[6], head[7]];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(Damage::Corrupt("a chunk with an invalid type".into()));
        }
        let data_end = pos + 8 + len as usize;
        let Some(crc) = bytes.get(data_end..data_end + 4) else {
            return Err(Damage::Truncated);
        };
        let stored = u32::from_be_bytes([crc[0], crc[1], crc[2], crc[3]]);
        if crc32fast::hash(&bytes[pos + 4..data_end]) != stored {
            return Err(Damage::Corrupt(format!(
                "the {} chunk fails its checksum",
                String::from_utf8_lossy(&kind)
            )));
        }
        if first && &kind != b"IHDR" {
            return Err(Damage::Corrupt("the first chunk is not IHDR".into()));
        }
        first = false;
        match &kind {
            b"IDAT" => seen_data = true,
            b"IEND" if seen_data => return Ok(()),
            b"IEND" => return Err(Damage::Corrupt("no image data before IEND".into())),
            _ => {}
        }
        pos = data_end + 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    /// SOI, a frame header, one scan with stuffing and a restart marker, EOI.
    fn minimal_jpeg() -> Vec<u8> {
        let mut f = vec![0xFF, 0xD8];
        f.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
        f.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        f.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        f.extend([0xFF, 0xD9]);
        f
    }

    #[test]
    fn a_complete_structure_passes_and_every_cut_of_it_is_truncated() {
        let f = minimal_jpeg();
        assert!(jpeg_structure(&f).is_ok());
        for cut in 2..f.len() {
            assert!(jpeg_structure(&f[..cut]).is_err(), "cut at {cut} passed");
        }
    }

    #[test]
    fn a_real_jpeg_passes_and_every_cut_of_it_fails() {
        let img = crate::testkit::portrait(48, 40, 9);
        for style in crate::testkit::JpegStyle::all() {
            let f = crate::testkit::jpeg(&img, style);
            assert_eq!(check_jpeg(&f), Ok(()), "{style:?}");
            for cut in (2..f.len()).step_by(7) {
                assert!(check_jpeg(&f[..cut]).is_err(), "{style:?}: cut at {cut} passed");
            }
        }
    }

    #[test]
    fn a_thumbnail_inside_app1_does_not_stand_for_the_image() {
        // The APP1 segment holds a whole small JPEG (SOS, EOI); the main image is cut
        // inside its scan.
        let thumb = minimal_jpeg();
        let mut f = vec![0xFF, 0xD8];
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(&thumb);
        f.extend(segment(0xE1, &app1));
        let main = minimal_jpeg();
        f.extend(&main[2..main.len() - 4]);
        assert_eq!(jpeg_structure(&f).err(), Some(Damage::Truncated));
    }

    #[test]
    fn an_unexpected_marker_inside_the_scan_is_corrupt() {
        let mut f = minimal_jpeg();
        let eoi = f.len() - 2;
        f.splice(eoi..eoi, [0xFF, 0xC5, 0x00]);
        assert!(
            matches!(check_jpeg(&f), Err(Damage::Corrupt(_))),
            "{:?}",
            check_jpeg(&f)
        );
    }

    #[test]
    fn png_chunks_are_checked_to_iend() {
        let mut png = Vec::new();
        image::RgbImage::from_pixel(4, 4, image::Rgb([10, 20, 30]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(check_png(&png), Ok(()));
        for cut in 0..png.len() {
            assert!(check_png(&png[..cut]).is_err(), "cut at {cut} passed");
        }
        let mut flipped = png.clone();
        let mid = flipped.len() - 20;
        flipped[mid] ^= 0x40;
        assert!(matches!(check_png(&flipped), Err(Damage::Corrupt(_))));
    }
}
