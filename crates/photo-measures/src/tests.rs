use super::*;
use image::{ImageFormat as Enc, Rgb, RgbImage};
use passport_model::{BoundingBox, Face};

const W: u32 = 300;
const H: u32 = 400;

/// A face box in the middle of a 300×400 portrait.
fn face() -> Face {
    Face::new(
        BoundingBox {
            left: 0.3,
            top: 0.25,
            width: 0.4,
            height: 0.4,
        },
        99.0,
    )
}

fn encode(img: &RgbImage, format: Enc) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Deterministic pseudo-noise in 0..=255.
fn noise(x: u32, y: u32) -> u8 {
    let mut v = x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263);
    v = (v ^ (v >> 13)).wrapping_mul(1_274_126_177);
    (v >> 24) as u8
}

/// A skin-toned face area over a given background.
fn portrait(background: impl Fn(u32, u32) -> [u8; 3], skin: impl Fn(u32, u32) -> [u8; 3]) -> RgbImage {
    let f = face().bounding_box;
    RgbImage::from_fn(W, H, |x, y| {
        let (fx, fy) = (f64::from(x) / f64::from(W), f64::from(y) / f64::from(H));
        // Drawn a little inside the region the measures exclude as head, so edges do not blur it.
        let in_head =
            fx >= f.left - 0.2 * f.width && fx <= f.left + 1.2 * f.width && fy >= f.top - 0.4 * f.height;
        Rgb(if in_head { skin(x, y) } else { background(x, y) })
    })
}

fn measure_png(img: &RgbImage) -> ImageMeasures {
    measure(&encode(img, Enc::Png), Some(&face()), &DecodeLimits::default())
}

const SKIN: [u8; 3] = [224, 172, 140];

#[test]
fn uniform_light_background_is_uniform_and_light() {
    let m = measure_png(&portrait(|_, _| [240, 240, 240], |_, _| SKIN));
    let bg = m.background.unwrap();
    assert!(bg.luminance_std_dev < 0.5, "{bg:?}");
    assert!(bg.mean_gradient < 0.5, "{bg:?}");
    assert!(bg.mean_lightness > 90.0, "{bg:?}");
}

#[test]
fn noisy_background_is_not_uniform() {
    let m = measure_png(&portrait(
        |x, y| {
            let n = noise(x, y) / 2 + 100;
            [n, n, n]
        },
        |_, _| SKIN,
    ));
    let bg = m.background.unwrap();
    assert!(bg.luminance_std_dev > 20.0, "{bg:?}");
    assert!(bg.mean_gradient > 20.0, "{bg:?}");
    assert!(bg.mean_lightness < 75.0, "{bg:?}");
}

#[test]
fn shadowed_half_lowers_the_histogram_overlap() {
    let even = measure_png(&portrait(|_, _| [240; 3], |_, _| SKIN))
        .lighting
        .unwrap();
    let split_x = W / 2;
    let shadowed = measure_png(&portrait(
        |_, _| [240; 3],
        |x, _| if x < split_x { [90, 60, 50] } else { SKIN },
    ))
    .lighting
    .unwrap();
    assert!(even.histogram_overlap > 0.99, "{even:?}");
    assert!(shadowed.histogram_overlap < 0.2, "{shadowed:?}");
    assert!(shadowed.left_mean_luminance < shadowed.right_mean_luminance);
}

#[test]
fn greyscale_versus_colour_and_natural_skin_colour() {
    let colour = measure_png(&portrait(|_, _| [240; 3], |_, _| SKIN));
    assert_eq!(colour.greyscale, Some(false));
    let c = colour.colour.unwrap();
    assert!(
        (5.0..=25.0).contains(&c.mean_a) && (5.0..=35.0).contains(&c.mean_b),
        "{c:?}"
    );
    let grey = measure_png(&portrait(|_, _| [240; 3], |_, _| [180; 3]));
    assert_eq!(grey.greyscale, Some(true));
    let g = grey.colour.unwrap();
    assert!(g.mean_a.abs() < 0.5 && g.mean_b.abs() < 0.5, "{g:?}");
}

#[test]
fn exposure_counts_clipped_face_pixels() {
    let m = measure_png(&portrait(
        |_, _| [240; 3],
        |_, y| if y % 2 == 0 { [255; 3] } else { SKIN },
    ));
    let e = m.exposure.unwrap();
    assert!((e.over_exposed_share - 0.5).abs() < 0.02, "{e:?}");
    assert_eq!(e.under_exposed_share, 0.0);
}

#[test]
fn blurred_is_less_sharp_than_sharp() {
    let sharp = portrait(
        |_, _| [240; 3],
        |x, y| {
            let n = noise(x, y);
            [n, n / 2, n / 3]
        },
    );
    let blurred = image::imageops::blur(&sharp, 3.0);
    let s = measure_png(&sharp).sharpness.unwrap();
    let b = measure_png(&blurred).sharpness.unwrap();
    assert_eq!(s.region, "face");
    assert!(
        s.laplacian_variance > 20.0 * b.laplacian_variance,
        "{s:?} vs {b:?}"
    );
}

#[test]
fn jpeg_compression_ratio_is_pixels_times_three_over_bytes() {
    let img = portrait(|_, _| [240; 3], |_, _| SKIN);
    let bytes = encode(&img, Enc::Jpeg);
    let m = measure(&bytes, Some(&face()), &DecodeLimits::default());
    let expected = f64::from(W * H * 3) / bytes.len() as f64;
    assert!((m.compression.unwrap().ratio - expected).abs() < 1e-9);
    // PNG is lossless: no ratio.
    assert!(measure_png(&img).compression.is_none());
}

#[test]
fn without_a_face_it_measures_what_it_can_and_says_what_it_skipped() {
    let bytes = encode(&portrait(|_, _| [240; 3], |_, _| SKIN), Enc::Jpeg);
    let m = measure(&bytes, None, &DecodeLimits::default());
    assert!(m.decodable);
    assert_eq!(m.sharpness.unwrap().region, "image");
    assert!(m.background.is_none() && m.lighting.is_none() && m.exposure.is_none());
    assert!(
        m.skipped.iter().any(|s| s.starts_with("background: no face")),
        "{:?}",
        m.skipped
    );
}

#[test]
fn undecodable_bytes_are_a_measure_not_a_crash() {
    let m = measure(
        b"\xFF\xD8\xFF\xE0 not really a jpeg",
        Some(&face()),
        &DecodeLimits::default(),
    );
    assert!(!m.decodable);
    assert!(m.decode_error.is_some());
    let m = measure(b"plain text", None, &DecodeLimits::default());
    assert!(!m.decodable);
}

#[test]
fn truncated_jpeg_is_reported_as_truncated() {
    let bytes = encode(&portrait(|x, y| [noise(x, y); 3], |_, _| SKIN), Enc::Jpeg);
    let cut = &bytes[..bytes.len() * 2 / 3];
    let m = measure(cut, Some(&face()), &DecodeLimits::default());
    assert!(!m.decodable);
    assert!(m.decode_error.unwrap().contains("truncated"));
}

#[test]
fn decompression_bombs_are_refused_before_decoding() {
    // A 10000×10000 PNG of one colour compresses to a few hundred KB.
    let big = image::GrayImage::new(10_000, 10_000);
    let mut bytes = std::io::Cursor::new(Vec::new());
    big.write_to(&mut bytes, Enc::Png).unwrap();
    let limits = DecodeLimits {
        max_pixels: 50_000_000,
        ..DecodeLimits::default()
    };
    let err = decode(bytes.get_ref(), &limits).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::TooManyPixels {
                width: 10_000,
                height: 10_000,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_face_outside_the_image_skips_face_measures() {
    let img = portrait(|_, _| [240; 3], |_, _| SKIN);
    let mut f = face();
    f.bounding_box.left = 1.5;
    let m = measure(&encode(&img, Enc::Png), Some(&f), &DecodeLimits::default());
    assert!(m.lighting.is_none());
    assert!(m.skipped.iter().any(|s| s.contains("outside")));
}

proptest::proptest! {
    #[test]
    fn never_panics_on_any_face_box(l in -2.0f64..2.0, t in -2.0f64..2.0, w in -1.0f64..3.0, h in -1.0f64..3.0, nan in proptest::bool::ANY) {
        let img = RgbImage::from_fn(64, 80, |x, y| Rgb([noise(x, y), 128, 64]));
        let photo = DecodedPhoto { rgb: img, format: passport_model::ImageFormat::Png };
        let mut f = Face::new(BoundingBox { left: l, top: t, width: w, height: h }, 99.0);
        if nan { f.bounding_box.width = f64::NAN; }
        let m = measure_decoded(&photo, 1000, Some(&f));
        proptest::prop_assert!(m.decodable);
    }
}
