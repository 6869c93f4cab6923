//! Pixel measures for analyze-image (and the offline face analyzer): decoding with a pixel
//! limit, EXIF orientation as Rekognition applies it, and the statistics of RULES.md.
//!
//! Regions come from the primary face's bounding box (ratios of the oriented image):
//! - *face*: the box shrunk by 10 % on each side, so hair and background stay out;
//! - *head*: the box grown by 25 % of its width on each side and 50 % of its height upwards
//!   (hair), and extended to the bottom edge (neck, shoulders); *background* is the rest;
//! - *cheeks*: two patches at 20–40 % and 60–80 % of the box width, 50–70 % of its height.

mod colour;
mod decode;
mod entropy;
pub mod integrity;
mod regions;
mod stats;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

use passport_model::{
    BackgroundMeasures, ColourMeasures, CompressionMeasures, ExposureMeasures, Face, ImageFormat,
    ImageMeasures, LightingMeasures, SharpnessMeasures,
};

pub use decode::{decode, DecodeError, DecodeLimits, DecodedPhoto, DEFAULT_MAX_PIXELS};

/// JPEG or PNG by their magic bytes; anything else is not decoded.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some(ImageFormat::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(ImageFormat::Png),
        _ => None,
    }
}
pub use regions::PixelRect;
pub use stats::{laplacian_variance, luminance, mean_luminance};

/// Everything analyze-image reports for one photo. Never panics on any input.
pub fn measure(bytes: &[u8], face: Option<&Face>, limits: &DecodeLimits) -> ImageMeasures {
    let photo = match decode(bytes, limits) {
        Ok(p) => p,
        Err(e) => {
            return ImageMeasures {
                decodable: false,
                decode_error: Some(e.to_string()),
                undecodable: Some(e.undecodable()),
                skipped: vec!["every pixel measure: the image could not be decoded".into()],
                ..ImageMeasures::default()
            }
        }
    };
    measure_decoded(&photo, bytes.len() as u64, face)
}

/// The measures of an already decoded photo; `file_bytes` is the file's size.
pub fn measure_decoded(photo: &DecodedPhoto, file_bytes: u64, face: Option<&Face>) -> ImageMeasures {
    let img = &photo.rgb;
    let (w, h) = img.dimensions();
    let mut m = ImageMeasures {
        decodable: true,
        width: Some(w),
        height: Some(h),
        greyscale: Some(stats::is_greyscale(img)),
        ..ImageMeasures::default()
    };
    if photo.format == ImageFormat::Jpeg && file_bytes > 0 {
        m.compression = Some(CompressionMeasures {
            ratio: f64::from(w) * f64::from(h) * 3.0 / file_bytes as f64,
        });
    }
    let face_rect = face.and_then(|f| regions::face_rect(&f.bounding_box, w, h));
    let Some(face_rect) = face_rect else {
        m.sharpness = Some(SharpnessMeasures {
            laplacian_variance: laplacian_variance(img, PixelRect::whole(w, h)),
            region: "image".into(),
        });
        let why = if face.is_some() {
            "the face lies outside the image"
        } else {
            "no face was found"
        };
        for part in ["background", "lighting", "colour", "exposure"] {
            m.skipped.push(format!("{part}: {why}"));
        }
        return m;
    };
    let face = face.expect("face_rect exists only with a face");
    let head = regions::head_rect(&face.bounding_box, w, h);
    m.background = background(img, head);
    if m.background.is_none() {
        m.skipped
            .push("background: the head fills the whole image".into());
    }
    m.lighting = lighting(img, face_rect);
    m.exposure = Some(exposure(img, face_rect));
    m.colour = colour_of_cheeks(img, &face.bounding_box);
    if m.colour.is_none() {
        m.skipped.push("colour: the cheeks lie outside the image".into());
    }
    m.sharpness = Some(SharpnessMeasures {
        laplacian_variance: laplacian_variance(img, face_rect),
        region: "face".into(),
    });
    m
}

fn background(img: &image::RgbImage, head: PixelRect) -> Option<BackgroundMeasures> {
    let (w, h) = img.dimensions();
    let step = regions::sampling_step(w, h);
    let (raw, stride) = (img.as_raw(), w as usize * 3);
    let px = |x: u32, y: u32| {
        let i = y as usize * stride + x as usize * 3;
        [raw[i], raw[i + 1], raw[i + 2]]
    };
    let mut lightness = stats::Mean::default();
    let mut luma = stats::Welford::default();
    let mut gradient = stats::Mean::default();
    for y in (0..h.saturating_sub(1)).step_by(step) {
        for x in (0..w.saturating_sub(1)).step_by(step) {
            if head.contains(x, y) || head.contains(x + 1, y) || head.contains(x, y + 1) {
                continue;
            }
            let p = px(x, y);
            let l = luminance(p);
            lightness.add(colour::lightness(p));
            luma.add(l);
            let gx = luminance(px(x + 1, y)) - l;
            let gy = luminance(px(x, y + 1)) - l;
            gradient.add((gx * gx + gy * gy).sqrt());
        }
    }
    (luma.count() > 0).then(|| BackgroundMeasures {
        mean_lightness: lightness.value(),
        luminance_std_dev: luma.std_dev(),
        mean_gradient: gradient.value(),
        sampled_pixels: luma.count(),
    })
}

fn lighting(img: &image::RgbImage, face: PixelRect) -> Option<LightingMeasures> {
    let (left, right) = face.split_vertically()?;
    let hl = stats::Histogram::of(img, left);
    let hr = stats::Histogram::of(img, right);
    Some(LightingMeasures {
        histogram_overlap: hl.overlap(&hr),
        left_mean_luminance: mean_luminance(img, left),
        right_mean_luminance: mean_luminance(img, right),
    })
}

fn exposure(img: &image::RgbImage, face: PixelRect) -> ExposureMeasures {
    let (mut under, mut over, mut n) = (0u64, 0u64, 0u64);
    for (x, y) in face.pixels() {
        let l = luminance(img.get_pixel(x, y).0);
        n += 1;
        if l <= 25.0 {
            under += 1;
        }
        if l >= 247.0 {
            over += 1;
        }
    }
    let n = n.max(1) as f64;
    ExposureMeasures {
        under_exposed_share: under as f64 / n,
        over_exposed_share: over as f64 / n,
    }
}

fn colour_of_cheeks(img: &image::RgbImage, face: &passport_model::BoundingBox) -> Option<ColourMeasures> {
    let (w, h) = img.dimensions();
    let mut a = stats::Mean::default();
    let mut b = stats::Mean::default();
    for cheek in regions::cheek_rects(face, w, h) {
        for (x, y) in cheek.pixels() {
            let lab = colour::lab(img.get_pixel(x, y).0);
            a.add(lab.1);
            b.add(lab.2);
        }
    }
    (a.count() > 0).then(|| ColourMeasures {
        mean_a: a.value(),
        mean_b: b.value(),
    })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod damage_tests;
