//! Landmark refinement. A light detector's landmarks lean towards an upright face (a head
//! tilted 10° reads 4–6°) and carry about ±2° of noise. So each face is looked at again in
//! three crops centred on its eyes, four eye-distances wide (56 px between the eyes at the
//! network's crop input, `CROP_SIZE`), rotated by the first estimate −6°, 0° and +6°. In each
//! crop the detector reports a residual tilt; the residual falls as the crop's angle nears
//! the true roll, so a straight line fitted through (crop angle, residual) crosses zero at
//! the roll. The detector also has a handedness: its "level" for a face and for the same
//! face mirrored differ by 3–7° on the sample portraits. So every crop is measured mirrored
//! too, and the two readings are combined so that the bias cancels (flip test-time
//! augmentation): residual = (r − r_mirrored) / 2, landmarks averaged with the mirrored
//! ones flipped back (left and right swapped). The landmarks of all passes, mapped back
//! into the photo, are averaged.

use image::{Rgb, RgbImage};

use crate::detect::{detect_at, Detection};
use crate::model::{ModelError, YuNet, CROP_SIZE};

const CROP_EYE_DISTANCES: f64 = 4.0;

/// Eye midpoint, eye distance and eye-line angle (radians) of a detection.
fn eyes(d: &Detection) -> ((f64, f64), f64, f64) {
    let (a, b) = (d.landmarks[0], d.landmarks[1]);
    let (l, r) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    let (l, r) = ((f64::from(l.0), f64::from(l.1)), (f64::from(r.0), f64::from(r.1)));
    (
        ((l.0 + r.0) / 2.0, (l.1 + r.1) / 2.0),
        (r.0 - l.0).hypot(r.1 - l.1),
        (r.1 - l.1).atan2(r.0 - l.0),
    )
}

/// A crop-to-photo mapping: crop pixel (u, v) ↦ centre + R(angle)·((u, v) − half)·scale.
#[derive(Clone, Copy)]
struct View {
    centre: (f64, f64),
    angle: f64,
    scale: f64,
}

impl View {
    fn photo_point(&self, (u, v): (f64, f64)) -> (f64, f64) {
        let half = CROP_SIZE as f64 / 2.0;
        let (x, y) = ((u - half) * self.scale, (v - half) * self.scale);
        let (s, c) = self.angle.sin_cos();
        (self.centre.0 + x * c - y * s, self.centre.1 + x * s + y * c)
    }

    fn render(&self, img: &RgbImage) -> RgbImage {
        let (w, h) = (f64::from(img.width()), f64::from(img.height()));
        let (raw, stride) = (img.as_raw(), img.width() as usize * 3);
        let n = CROP_SIZE as u32;
        let mut out = RgbImage::new(n, n);
        for (u, v, pixel) in out.enumerate_pixels_mut() {
            let (x, y) = self.photo_point((f64::from(u), f64::from(v)));
            if x < 0.0 || y < 0.0 || x >= w - 1.0 || y >= h - 1.0 {
                continue; // black outside the photo
            }
            let (fx, fy) = (x - x.floor(), y - y.floor());
            let i = y as usize * stride + x as usize * 3;
            let mut rgb = [0u8; 3];
            for (c, o) in rgb.iter_mut().enumerate() {
                let p = |k: usize| f64::from(raw[k + c]);
                *o = (p(i) * (1.0 - fx) * (1.0 - fy)
                    + p(i + 3) * fx * (1.0 - fy)
                    + p(i + stride) * (1.0 - fx) * fy
                    + p(i + stride + 3) * fx * fy)
                    .round() as u8;
            }
            *pixel = Rgb(rgb);
        }
        out
    }

    /// A detection in crop pixels, mapped into photo pixels.
    fn map_back(&self, d: &Detection, score: f32) -> Detection {
        let pt = |(u, v): (f32, f32)| {
            let (x, y) = self.photo_point((f64::from(u), f64::from(v)));
            (x as f32, y as f32)
        };
        let centre = pt((d.x + d.w / 2.0, d.y + d.h / 2.0));
        let (w, h) = (d.w * self.scale as f32, d.h * self.scale as f32);
        Detection {
            score,
            x: centre.0 - w / 2.0,
            y: centre.1 - h / 2.0,
            w,
            h,
            landmarks: d.landmarks.map(pt),
        }
    }
}

/// A refined detection and its roll (radians); the first detection and its eye-line angle
/// if the face is not found again in enough crops.
pub fn refine(model: &YuNet, img: &RgbImage, first: &Detection) -> Result<(Detection, f64), ModelError> {
    let (centre, distance, first_angle) = eyes(first);
    let scale = CROP_EYE_DISTANCES * distance / CROP_SIZE as f64;
    let half = CROP_SIZE as f32 / 2.0;
    let mut samples = Vec::new();
    let mut mapped = Vec::new();
    let nearest = |crop: &RgbImage| -> Result<Option<Detection>, ModelError> {
        Ok(detect_at(model, crop, CROP_SIZE)?.into_iter().min_by(|a, b| {
            let d = |x: &Detection| (x.x + x.w / 2.0 - half).hypot(x.y + x.h / 2.0 - half);
            d(a).total_cmp(&d(b))
        }))
    };
    for offset in OFFSETS_DEG {
        let view = View {
            centre,
            angle: first_angle + offset.to_radians(),
            scale,
        };
        let crop = view.render(img);
        let (Some(found), Some(mirrored)) = (
            nearest(&crop)?,
            nearest(&image::imageops::flip_horizontal(&crop))?,
        ) else {
            continue;
        };
        let unflipped = unflip(&mirrored);
        samples.push((view.angle, (eyes(&found).2 + eyes(&unflipped).2) / 2.0));
        mapped.push(view.map_back(&found, first.score));
        mapped.push(view.map_back(&unflipped, first.score));
    }
    if samples.len() < 3 {
        return Ok((*first, first_angle));
    }
    Ok((average(&mapped), zero_crossing(&samples)))
}

const OFFSETS_DEG: [f64; 3] = [-6.0, 0.0, 6.0];

/// A detection in a horizontally mirrored crop, in the unmirrored crop's coordinates, with
/// the subject's left and right landmarks swapped back.
fn unflip(d: &Detection) -> Detection {
    let n = CROP_SIZE as f32 - 1.0;
    let l = d.landmarks.map(|(x, y)| (n - x, y));
    Detection {
        x: n - (d.x + d.w),
        landmarks: [l[1], l[0], l[2], l[4], l[3]],
        ..*d
    }
}

/// Where the least-squares line through (angle, residual) crosses zero; the mean of
/// angle + residual when the line is too flat to trust.
fn zero_crossing(samples: &[(f64, f64)]) -> f64 {
    let n = samples.len() as f64;
    let (ma, mr) = samples
        .iter()
        .fold((0.0, 0.0), |(a, r), s| (a + s.0 / n, r + s.1 / n));
    let (mut cov, mut var) = (0.0, 0.0);
    for (a, r) in samples {
        cov += (a - ma) * (r - mr);
        var += (a - ma) * (a - ma);
    }
    let slope = cov / var;
    if var > 0.0 && slope < -0.2 {
        ma - mr / slope
    } else {
        samples.iter().map(|(a, r)| a + r).sum::<f64>() / n
    }
}

fn average(ds: &[Detection]) -> Detection {
    let n = ds.len() as f32;
    let mut out = ds[0];
    out.x = ds.iter().map(|d| d.x).sum::<f32>() / n;
    out.y = ds.iter().map(|d| d.y).sum::<f32>() / n;
    out.w = ds.iter().map(|d| d.w).sum::<f32>() / n;
    out.h = ds.iter().map(|d| d.h).sum::<f32>() / n;
    for (k, l) in out.landmarks.iter_mut().enumerate() {
        *l = (
            ds.iter().map(|d| d.landmarks[k].0).sum::<f32>() / n,
            ds.iter().map(|d| d.landmarks[k].1).sum::<f32>() / n,
        );
    }
    out
}
