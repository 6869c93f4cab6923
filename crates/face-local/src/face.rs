//! From a YuNet detection to the project's face type.
//!
//! - Landmarks: YuNet's five points map to `eyeLeft`/`eyeRight` (the eye on the image's
//!   left/right), `nose`, `mouthLeft`/`mouthRight`; `leftPupil`/`rightPupil` repeat the eyes.
//! - Roll: from the refinement (`refine.rs`). On the sample portraits rotated by ±5° and
//!   ±10° it tracks the rotation within 2°, and a mirrored photo reads the opposite roll
//!   within 2°.
//! - Yaw and pitch are coarse estimates from the landmarks in the eye-aligned frame: yaw from
//!   the nose tip's sideways offset from the eye midpoint, relative to 0.6 × the eye
//!   distance (the nose tip's typical depth); pitch from where the nose tip sits between the
//!   eye line and the mouth (0.55 of the way when level). Expect ±5–10°: enough to flag a
//!   clearly turned or nodding head, not to judge a 5° limit precisely.
//! - Chin: the mouth-to-eyes vector extended by 1.6 from the eye midpoint (face thirds:
//!   eyes sit ~0.2, the mouth ~1.33 and the chin 2 thirds below the brow), as no chin
//!   landmark exists.
//! - Quality: brightness is the face box's mean luminance on 0..100; sharpness maps the
//!   face's Laplacian variance v to 100·v/(v + 100) (monotone, 50 at v = 100).
//! - Confidence: YuNet's score mapped so its detection threshold (0.6) is the rules'
//!   minimum face confidence (90) and 1.0 is 100.
//! - Eyes open, mouth open, smile, glasses, occlusion, eye direction and age are not seen
//!   offline: they stay absent, and the rules report them as not evaluated offline.

use image::RgbImage;
use passport_model::{BoundingBox, Face, Landmark, LandmarkType, Pose, Quality};
use photo_measures::{laplacian_variance, mean_luminance, PixelRect};

use crate::detect::{Detection, SCORE_THRESHOLD};

const NOSE_DEPTH_PER_EYE_DISTANCE: f64 = 0.6;
const LEVEL_NOSE_POSITION: f64 = 0.55;
const CHIN_PER_MOUTH_DISTANCE: f64 = 1.6;

fn rotate((x, y): (f64, f64), (cx, cy): (f64, f64), angle: f64) -> (f64, f64) {
    let (s, c) = angle.sin_cos();
    let (dx, dy) = (x - cx, y - cy);
    (cx + dx * c - dy * s, cy + dx * s + dy * c)
}

/// `roll` (radians) is the refined head roll; the landmarks' own eye line may differ by
/// their noise.
pub fn to_face(d: &Detection, roll: f64, img: &RgbImage) -> Face {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let p = |i: usize| (f64::from(d.landmarks[i].0), f64::from(d.landmarks[i].1));
    let (eye_a, eye_b) = (p(0), p(1));
    let (left_eye, right_eye) = if eye_a.0 <= eye_b.0 {
        (eye_a, eye_b)
    } else {
        (eye_b, eye_a)
    };
    let (mouth_a, mouth_b) = (p(3), p(4));
    let (mouth_left, mouth_right) = if mouth_a.0 <= mouth_b.0 {
        (mouth_a, mouth_b)
    } else {
        (mouth_b, mouth_a)
    };
    let nose = p(2);
    let mid = ((left_eye.0 + right_eye.0) / 2.0, (left_eye.1 + right_eye.1) / 2.0);
    let eye_distance = (right_eye.0 - left_eye.0)
        .hypot(right_eye.1 - left_eye.1)
        .max(1.0);
    // Into the eye-aligned frame: eyes on a horizontal line through `mid`.
    let nose_a = rotate(nose, mid, -roll);
    let mouth = (
        (mouth_left.0 + mouth_right.0) / 2.0,
        (mouth_left.1 + mouth_right.1) / 2.0,
    );
    let mouth_a = rotate(mouth, mid, -roll);
    let yaw = ((nose_a.0 - mid.0) / (NOSE_DEPTH_PER_EYE_DISTANCE * eye_distance))
        .clamp(-1.0, 1.0)
        .asin();
    let mouth_drop = (mouth_a.1 - mid.1).max(1.0);
    let nose_position = (nose_a.1 - mid.1) / mouth_drop;
    let pitch = ((nose_position - LEVEL_NOSE_POSITION) / 0.5)
        .clamp(-1.0, 1.0)
        .asin();
    let chin = rotate((mid.0, mid.1 + CHIN_PER_MOUTH_DISTANCE * mouth_drop), mid, roll);

    let ratio = |(x, y): (f64, f64)| (x / w, y / h);
    let landmark = |kind, pt: (f64, f64)| {
        let (x, y) = ratio(pt);
        Landmark { kind, x, y }
    };
    let confidence = 90.0
        + 10.0 * ((f64::from(d.score) - f64::from(SCORE_THRESHOLD)) / (1.0 - f64::from(SCORE_THRESHOLD)));
    let bounding_box = BoundingBox {
        left: f64::from(d.x) / w,
        top: f64::from(d.y) / h,
        width: f64::from(d.w) / w,
        height: f64::from(d.h) / h,
    };
    let mut face = Face::new(bounding_box, confidence.clamp(0.0, 100.0));
    face.landmarks = vec![
        landmark(LandmarkType::EyeLeft, left_eye),
        landmark(LandmarkType::EyeRight, right_eye),
        landmark(LandmarkType::LeftPupil, left_eye),
        landmark(LandmarkType::RightPupil, right_eye),
        landmark(LandmarkType::Nose, nose),
        landmark(LandmarkType::MouthLeft, mouth_left),
        landmark(LandmarkType::MouthRight, mouth_right),
        landmark(LandmarkType::ChinBottom, chin),
    ];
    face.pose = Some(Pose {
        roll: roll.to_degrees(),
        yaw: yaw.to_degrees(),
        pitch: pitch.to_degrees(),
    });
    let rect = PixelRect::from_ratios(
        bounding_box.left,
        bounding_box.top,
        bounding_box.left + bounding_box.width,
        bounding_box.top + bounding_box.height,
        img.width(),
        img.height(),
    );
    face.quality = rect.map(|r| {
        let v = laplacian_variance(img, r);
        Quality {
            brightness: mean_luminance(img, r) / 255.0 * 100.0,
            sharpness: 100.0 * v / (v + 100.0),
        }
    });
    face
}
