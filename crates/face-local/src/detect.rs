//! YuNet pre- and post-processing: letterbox to 320², BGR NCHW floats in; per-stride
//! class/objectness/box/keypoint maps out, decoded, thresholded and suppressed (NMS).

use image::imageops::FilterType;
use image::RgbImage;
use tract_onnx::prelude::{tract_ndarray, Tensor};

use crate::model::{ModelError, YuNet, INPUT_SIZE};

/// Scores below this are not faces.
pub const SCORE_THRESHOLD: f32 = 0.6;
/// Overlapping detections above this IoU are the same face.
pub const NMS_IOU: f32 = 0.3;
const STRIDES: [usize; 3] = [8, 16, 32];

/// One face in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub score: f32,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// Right eye, left eye, nose tip, right mouth corner, left mouth corner (the subject's
    /// right and left: the subject's right eye is on the image's left).
    pub landmarks: [(f32, f32); 5],
}

impl Detection {
    fn iou(&self, o: &Detection) -> f32 {
        let ix = (self.x + self.w).min(o.x + o.w) - self.x.max(o.x);
        let iy = (self.y + self.h).min(o.y + o.h) - self.y.max(o.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        inter / (self.w * self.h + o.w * o.h - inter)
    }
}

/// Detects faces in an RGB image of any size, at the network's whole-photo input size.
pub fn detect(model: &YuNet, img: &RgbImage) -> Result<Vec<Detection>, ModelError> {
    detect_at(model, img, INPUT_SIZE)
}

/// Detects faces with the network's input `side` pixels square (an image of that size is
/// used as it is; others are scaled to fit and padded).
pub fn detect_at(model: &YuNet, img: &RgbImage, side: usize) -> Result<Vec<Detection>, ModelError> {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return Ok(Vec::new());
    }
    let scale = side as f32 / w.max(h) as f32;
    let (sw, sh) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    // Crops from the refinement are already the network's size.
    let resized;
    let small = if (w, h) == (sw, sh) {
        img
    } else {
        resized = image::imageops::resize(img, sw, sh, FilterType::Triangle);
        &resized
    };
    let s = side;
    // NCHW, BGR order, 0–255, padded with zeros at the bottom and right.
    let mut input = tract_ndarray::Array4::<f32>::zeros((1, 3, s, s));
    for (x, y, p) in small.enumerate_pixels() {
        for c in 0..3 {
            input[[0, c, y as usize, x as usize]] = f32::from(p.0[2 - c]);
        }
    }
    let input: Tensor = input.into();
    let outputs = model.run(side, input)?;
    let get = |name: &str| {
        outputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
            .ok_or_else(|| ModelError::Run(format!("the model has no output {name}")))
    };
    let mut found = Vec::new();
    for stride in STRIDES {
        let (cls, obj, bbox, kps) = (
            get(&format!("cls_{stride}"))?,
            get(&format!("obj_{stride}"))?,
            get(&format!("bbox_{stride}"))?,
            get(&format!("kps_{stride}"))?,
        );
        let cols = s / stride;
        for i in 0..cls.len().min(obj.len()) {
            let score = (cls[i].clamp(0.0, 1.0) * obj[i].clamp(0.0, 1.0)).sqrt();
            if score < SCORE_THRESHOLD {
                continue;
            }
            let (col, row) = ((i % cols) as f32, (i / cols) as f32);
            let st = stride as f32;
            let b = &bbox[i * 4..i * 4 + 4];
            let (cx, cy) = ((col + b[0]) * st, (row + b[1]) * st);
            let (bw, bh) = (b[2].exp() * st, b[3].exp() * st);
            let k = &kps[i * 10..i * 10 + 10];
            let mut landmarks = [(0.0, 0.0); 5];
            for (j, l) in landmarks.iter_mut().enumerate() {
                *l = ((k[2 * j] + col) * st / scale, (k[2 * j + 1] + row) * st / scale);
            }
            found.push(Detection {
                score,
                x: (cx - bw / 2.0) / scale,
                y: (cy - bh / 2.0) / scale,
                w: bw / scale,
                h: bh / scale,
                landmarks,
            });
        }
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    // Non-maximum suppression that keeps the best box and averages the landmarks of every
    // detection it suppresses, weighted by score: single anchors' landmarks are noisy.
    let mut kept: Vec<(Detection, Vec<Detection>)> = Vec::new();
    for d in found {
        match kept.iter_mut().find(|(k, _)| k.iou(&d) > NMS_IOU) {
            Some((_, group)) => group.push(d),
            None => kept.push((d, vec![d])),
        }
    }
    Ok(kept
        .into_iter()
        .map(|(best, group)| with_mean_landmarks(best, &group))
        .collect())
}

fn with_mean_landmarks(mut best: Detection, group: &[Detection]) -> Detection {
    let total: f32 = group.iter().map(|d| d.score).sum();
    for (k, l) in best.landmarks.iter_mut().enumerate() {
        *l = (
            group.iter().map(|d| d.landmarks[k].0 * d.score).sum::<f32>() / total,
            group.iter().map(|d| d.landmarks[k].1 * d.score).sum::<f32>() / total,
        );
    }
    best
}
