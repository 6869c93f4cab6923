//! Damaged and camera-style files through the decoder: a file that is not a complete,
//! valid image is never measured; a whole one, in any camera layout, always is.

use crate::testkit::{self, JpegStyle};
use crate::{decode, measure, DecodeError, DecodeLimits};

fn limits() -> DecodeLimits {
    DecodeLimits::default()
}

fn damaged(bytes: &[u8]) -> bool {
    matches!(
        decode(bytes, &limits()),
        Err(DecodeError::Truncated | DecodeError::Corrupt(_))
    )
}

#[test]
fn every_camera_layout_decodes_whole() {
    let img = testkit::portrait(160, 200, 1);
    for style in JpegStyle::all() {
        let file = testkit::jpeg(&img, style);
        let photo = decode(&file, &limits()).unwrap_or_else(|e| panic!("{style:?}: {e}"));
        assert_eq!(photo.rgb.dimensions(), (160, 200), "{style:?}");
    }
    for file in [testkit::cmyk_jpeg(&img), testkit::grey_jpeg(&img)] {
        assert_eq!(decode(&file, &limits()).unwrap().rgb.dimensions(), (160, 200));
    }
    for color in [
        image::ColorType::L8,
        image::ColorType::Rgb8,
        image::ColorType::Rgba8,
        image::ColorType::Rgb16,
        image::ColorType::Rgba16,
    ] {
        let file = testkit::png(&img, color);
        assert_eq!(
            decode(&file, &limits()).unwrap().rgb.dimensions(),
            (160, 200),
            "{color:?}"
        );
    }
}

#[test]
fn a_camera_jpeg_cut_short_is_damaged_even_with_a_whole_thumbnail_inside() {
    let img = testkit::portrait(320, 400, 2);
    for style in JpegStyle::all() {
        let file = testkit::jpeg(&img, style);
        let scan = testkit::first_scan_data(&file);
        // Cuts everywhere after the header, the thumbnail's own EOI included.
        for cut in (scan.start / 2..file.len())
            .step_by(97)
            .chain([file.len() - 1, file.len() - 2])
        {
            let m = measure(&file[..cut], None, &limits());
            assert!(!m.decodable, "{style:?} cut at {cut}/{} was measured", file.len());
            assert!(damaged(&file[..cut]), "{style:?} cut at {cut}");
        }
    }
}

#[test]
fn random_bytes_over_the_image_data_are_damage() {
    let img = testkit::portrait(320, 400, 3);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut missed = Vec::new();
    for style in JpegStyle::all() {
        let file = testkit::jpeg(&img, style);
        let scan = testkit::first_scan_data(&file);
        for trial in 0..50 {
            let mut bad = file.clone();
            let len = 64 + (next() % 192) as usize;
            let at = scan.start + (next() as usize % (scan.len() - len));
            for b in &mut bad[at..at + len] {
                *b = next() as u8;
            }
            if !damaged(&bad) {
                missed.push(format!("{style:?} trial {trial} at {at}+{len}"));
            }
        }
    }
    // Huffman codes resynchronise by themselves, so now and then a damaged stream lands
    // exactly on the frame's last block with every DC value plausible: about 1 in 300
    // here. Everything else must be caught.
    let trials = JpegStyle::all().len() * 50;
    println!("{} of {trials} overwrites decoded as whole", missed.len());
    assert!(
        missed.len() * 100 <= trials,
        "{} of {trials} overwrites decoded as whole: {missed:#?}",
        missed.len()
    );
}

#[test]
fn a_png_cut_short_or_overwritten_is_damaged() {
    let img = testkit::portrait(120, 150, 4);
    let file = testkit::png(&img, image::ColorType::Rgb8);
    for cut in (8..file.len()).step_by(53) {
        assert!(damaged(&file[..cut]), "cut at {cut}");
    }
    let mut bad = file.clone();
    let mid = file.len() / 2;
    for b in &mut bad[mid..mid + 32] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    assert!(damaged(&bad));
}

#[test]
fn a_photo_over_the_pixel_limit_is_too_large_not_damaged() {
    let img = testkit::portrait(400, 300, 5);
    let file = testkit::jpeg(&img, JpegStyle::default());
    let small = DecodeLimits {
        max_pixels: 100_000,
        ..DecodeLimits::default()
    };
    let m = measure(&file, None, &small);
    assert!(!m.decodable);
    assert_eq!(
        m.undecodable,
        Some(passport_model::Undecodable::TooManyPixels {
            width: 400,
            height: 300,
            max_pixels: 100_000
        })
    );
    // 50 MP (a phone's full-resolution mode) is within the default limit.
    assert!(50_000_000 <= DecodeLimits::default().max_pixels);
}

#[test]
fn every_exif_orientation_decodes_to_the_upright_picture() {
    let upright = testkit::portrait(120, 160, 6);
    let reference = decode(&testkit::jpeg(&upright, JpegStyle::camera(1)), &limits()).unwrap();
    for orientation in 1..=8 {
        let stored = testkit::stored_for_orientation(&upright, orientation);
        let file = testkit::jpeg(&stored, JpegStyle::camera(orientation));
        let photo = decode(&file, &limits()).unwrap();
        assert_eq!(photo.rgb.dimensions(), (120, 160), "orientation {orientation}");
        let diff: f64 = photo
            .rgb
            .as_raw()
            .iter()
            .zip(reference.rgb.as_raw())
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / photo.rgb.as_raw().len() as f64;
        assert!(diff < 6.0, "orientation {orientation}: mean difference {diff:.1}");
    }
}
