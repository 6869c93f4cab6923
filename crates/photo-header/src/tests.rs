use super::*;
use image::{ImageFormat as Enc, RgbImage};
use proptest::prelude::*;

fn encode(img: image::DynamicImage, format: Enc) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encode(RgbImage::new(w, h).into(), Enc::Jpeg)
}

/// A minimal big-endian TIFF with one IFD entry: Orientation.
fn exif_app1(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2A\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut seg = vec![0xFF, 0xE1];
    let len = (2 + 6 + tiff.len()) as u16;
    seg.extend_from_slice(&len.to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}

fn with_segment_after_soi(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn inspect_all(bytes: &[u8]) -> ImageMetadata {
    let prefix = &bytes[..bytes.len().min(HEADER_PREFIX_BYTES as usize)];
    inspect(prefix, bytes.len() as u64, None)
}

#[test]
fn reads_a_colour_jpeg() {
    let m = inspect_all(&jpeg(600, 750));
    assert_eq!(m.format, ImageFormat::Jpeg);
    assert_eq!((m.width, m.height), (Some(600), Some(750)));
    assert_eq!((m.color_channels, m.bit_depth), (Some(3), Some(8)));
    assert!(m.analyzable, "{:?}", m.problems);
    assert!(m.problems.is_empty());
}

#[test]
fn reads_a_greyscale_jpeg_as_one_channel() {
    let bytes = encode(image::GrayImage::new(200, 300).into(), Enc::Jpeg);
    let m = inspect_all(&bytes);
    assert_eq!(m.color_channels, Some(1));
    assert!(m.analyzable);
}

#[test]
fn swaps_width_and_height_for_rotated_exif_orientations() {
    for (orientation, swapped) in [(1, false), (3, false), (5, true), (6, true), (8, true)] {
        let bytes = with_segment_after_soi(&jpeg(400, 300), &exif_app1(orientation));
        let m = inspect_all(&bytes);
        assert_eq!(m.exif_orientation, Some(orientation));
        let expected = if swapped { (300, 400) } else { (400, 300) };
        assert_eq!(
            (m.width.unwrap(), m.height.unwrap()),
            expected,
            "orientation {orientation}"
        );
    }
}

#[test]
fn ignores_out_of_range_orientation_values() {
    let bytes = with_segment_after_soi(&jpeg(400, 300), &exif_app1(42));
    let m = inspect_all(&bytes);
    assert_eq!(m.exif_orientation, None);
    assert_eq!((m.width, m.height), (Some(400), Some(300)));
}

#[test]
fn reads_png_colour_types() {
    let rgba = encode(image::RgbaImage::new(90, 120).into(), Enc::Png);
    let m = inspect_all(&rgba);
    assert_eq!(m.format, ImageFormat::Png);
    assert_eq!((m.width, m.height), (Some(90), Some(120)));
    assert_eq!(
        (m.color_channels, m.bit_depth),
        (Some(3), Some(8)),
        "alpha is not a colour channel"
    );
    let grey16 = encode(
        image::ImageBuffer::<image::Luma<u16>, _>::new(100, 100).into(),
        Enc::Png,
    );
    let m = inspect_all(&grey16);
    assert_eq!((m.color_channels, m.bit_depth), (Some(1), Some(16)));
}

#[test]
fn empty_file_is_a_problem_not_an_error() {
    let m = inspect(&[], 0, None);
    assert!(!m.analyzable);
    assert_eq!(m.problems, vec![MetadataProblem::EmptyFile]);
}

#[test]
fn unsupported_formats_are_named_and_not_analyzable() {
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec();
    let m = inspect_all(&gif);
    assert_eq!(m.format, ImageFormat::Gif);
    assert_eq!(m.problems, vec![MetadataProblem::UnsupportedFormat]);
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    assert_eq!(inspect_all(&heic).format, ImageFormat::Heic);
    let text = b"hello, this is not a photo".to_vec();
    let m = inspect_all(&text);
    assert_eq!(m.format, ImageFormat::Unknown);
    assert!(!m.analyzable);
}

#[test]
fn content_type_and_extension_do_not_decide_the_format() {
    let png = encode(RgbImage::new(100, 100).into(), Enc::Png);
    let m = inspect(&png, png.len() as u64, Some("image/jpeg".into()));
    assert_eq!(m.format, ImageFormat::Png);
    assert_eq!(m.content_type.as_deref(), Some("image/jpeg"));
}

#[test]
fn truncated_whole_file_is_a_corrupt_header() {
    let bytes = jpeg(300, 300);
    // Cut inside the quantisation tables, before the frame header.
    let cut = &bytes[..30];
    let m = inspect(cut, cut.len() as u64, None);
    assert_eq!(m.problems, vec![MetadataProblem::CorruptHeader]);
    assert!(!m.analyzable);
}

#[test]
fn header_beyond_the_prefix_is_incomplete_but_still_analyzable() {
    // A 70 KB APP2 segment pushes the frame header past 64 KiB.
    let mut big = vec![0xFF, 0xE2, 0xFF, 0xFF];
    big.resize(2 + 0xFFFF, 0);
    let bytes = with_segment_after_soi(&jpeg(300, 300), &[big.clone(), big].concat());
    let prefix = &bytes[..HEADER_PREFIX_BYTES as usize];
    let m = inspect(prefix, bytes.len() as u64, None);
    assert_eq!(m.problems, vec![MetadataProblem::HeaderIncomplete]);
    assert!(m.analyzable);
    assert_eq!(m.width, None);
}

#[test]
fn corrupt_frame_header_is_reported() {
    let mut bytes = jpeg(300, 300);
    // Find SOF0 and zero its width.
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 7] = 0;
    bytes[sof + 8] = 0;
    assert_eq!(inspect_all(&bytes).problems, vec![MetadataProblem::CorruptHeader]);
}

#[test]
fn size_limits_follow_rekognition() {
    let bytes = jpeg(79, 200);
    assert_eq!(
        inspect_all(&bytes).problems,
        vec![MetadataProblem::TooSmallForAnalysis]
    );
    let bytes = jpeg(80, 80);
    assert!(inspect_all(&bytes).analyzable);
    let bytes = jpeg(300, 300);
    let m = inspect(&bytes, MAX_ANALYZABLE_BYTES + 1, None);
    assert_eq!(m.problems, vec![MetadataProblem::TooLargeForAnalysis]);
    let m = inspect(&bytes, MAX_ANALYZABLE_BYTES, None);
    assert!(m.analyzable);
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512), total in 0u64..20_000_000) {
        let m = inspect(&bytes, total, None);
        if m.analyzable {
            prop_assert!(matches!(m.format, ImageFormat::Jpeg | ImageFormat::Png));
        }
    }

    #[test]
    fn never_panics_on_mutated_jpeg_headers(pos in 0usize..700, byte in any::<u8>()) {
        let mut bytes = jpeg(120, 90);
        let p = pos.min(bytes.len() - 1);
        bytes[p] = byte;
        let m = inspect_all(&bytes);
        if let (Some(w), Some(h)) = (m.width, m.height) {
            prop_assert!(w > 0 && h > 0);
        }
    }
}

#[test]
fn camera_jpegs_in_every_orientation_report_the_displayed_size() {
    use photo_measures::testkit::{jpeg, portrait, stored_for_orientation, JpegStyle};
    let upright = portrait(300, 400, 11);
    for orientation in 1..=8u16 {
        let stored = stored_for_orientation(&upright, orientation);
        for style in [
            JpegStyle::camera(orientation),
            JpegStyle {
                progressive: true,
                ..JpegStyle::camera(orientation)
            },
        ] {
            let file = jpeg(&stored, style);
            let m = inspect_all(&file);
            assert_eq!(m.exif_orientation, Some(orientation), "{style:?}");
            assert_eq!(
                (m.width, m.height),
                (Some(300), Some(400)),
                "orientation {orientation}"
            );
            // From a 64 KiB prefix too, as fetch-metadata reads it.
            let prefix = &file[..file.len().min(65536)];
            let m = inspect(prefix, file.len() as u64, None);
            assert_eq!(
                (m.width, m.height),
                (Some(300), Some(400)),
                "orientation {orientation}, prefix"
            );
        }
    }
}

/// A phone's EXIF block: IFD0 with Make, an Exif sub-IFD pointer and a maker-note style
/// offset that points past the end of the segment, then Orientation.
fn phone_exif_app1(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II\x2A\0\x08\0\0\0".to_vec();
    let entries: [(u16, u16, u32, u32); 3] = [
        (0x010F, 2, 64, 0x0000_F000), // Make, ASCII, 64 bytes far outside the block
        (0x0112, 3, 1, u32::from(orientation)),
        (0x8769, 4, 1, 0x00FF_FFF0), // Exif IFD pointer out of range
    ];
    tiff.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    seg.extend_from_slice(b"Exif\0\0");
    seg.extend_from_slice(&tiff);
    seg
}

#[test]
fn orientation_is_read_even_when_the_rest_of_the_exif_block_is_broken() {
    for orientation in [6u16, 8] {
        let bytes = with_segment_after_soi(&jpeg(400, 300), &phone_exif_app1(orientation));
        let m = inspect_all(&bytes);
        assert_eq!(m.exif_orientation, Some(orientation));
        assert_eq!((m.width, m.height), (Some(300), Some(400)));
        // The decoder agrees: the pixels are turned too.
        let photo = photo_measures::decode(&bytes, &photo_measures::DecodeLimits::default()).unwrap();
        assert_eq!(photo.rgb.dimensions(), (300, 400));
    }
}
