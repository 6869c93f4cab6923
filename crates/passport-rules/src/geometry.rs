//! Face geometry from landmarks, in one place for every check (RULES.md conventions).
//!
//! Landmarks are ratios of the image width/height from the top-left. With W×H the image
//! size in pixels (after EXIF orientation):
//! - eye centres are the `eyeLeft` / `eyeRight` landmarks; M is their midpoint;
//! - inter-eye distance = |eyeLeft − eyeRight| in pixels;
//! - T = |M − chinBottom| in pixels; the crown-to-chin head height is estimated as 2·T
//!   (the eye line sits near the vertical middle of the head);
//! - head size = 2·T / H; eye line = (1 − M.y), the eye height from the bottom over H;
//! - centring = M.x; the estimated top of the head is M.y·H − T;
//! - roll from the eye line = the angle of the line through both eyes, in degrees.

use passport_model::{Face, LandmarkType};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceGeometry {
    pub inter_eye_px: f64,
    pub head_size: f64,
    pub eye_line: f64,
    pub centre_x: f64,
    /// Top of the head estimate, as a ratio of the height (negative when cut off).
    pub head_top: f64,
    /// chinBottom y as a ratio of the height.
    pub chin_y: f64,
    pub roll_deg: f64,
}

/// Eye-only geometry (needs no chin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EyeGeometry {
    pub inter_eye_px: f64,
    pub mid_x: f64,
    pub mid_y: f64,
    pub roll_deg: f64,
}

pub fn eyes(face: &Face, width: f64, height: f64) -> Option<EyeGeometry> {
    let l = face.landmark(LandmarkType::EyeLeft)?;
    let r = face.landmark(LandmarkType::EyeRight)?;
    let (first, second) = if l.x <= r.x { (l, r) } else { (r, l) };
    let dx = (second.x - first.x) * width;
    let dy = (second.y - first.y) * height;
    let g = EyeGeometry {
        inter_eye_px: dx.hypot(dy),
        mid_x: (l.x + r.x) / 2.0,
        mid_y: (l.y + r.y) / 2.0,
        roll_deg: dy.atan2(dx).to_degrees(),
    };
    [g.inter_eye_px, g.mid_x, g.mid_y, g.roll_deg]
        .iter()
        .all(|v| v.is_finite())
        .then_some(g)
}

pub fn face_geometry(face: &Face, width: f64, height: f64) -> Option<FaceGeometry> {
    let e = eyes(face, width, height)?;
    let chin = face.landmark(LandmarkType::ChinBottom)?;
    let t = ((chin.x - e.mid_x) * width).hypot((chin.y - e.mid_y) * height);
    let g = FaceGeometry {
        inter_eye_px: e.inter_eye_px,
        head_size: 2.0 * t / height,
        eye_line: 1.0 - e.mid_y,
        centre_x: e.mid_x,
        head_top: (e.mid_y * height - t) / height,
        chin_y: chin.y,
        roll_deg: e.roll_deg,
    };
    [g.head_size, g.head_top, g.chin_y]
        .iter()
        .all(|v| v.is_finite())
        .then_some(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use passport_model::{BoundingBox, Landmark};

    fn face(points: &[(LandmarkType, f64, f64)]) -> Face {
        let mut f = Face::new(
            BoundingBox {
                left: 0.3,
                top: 0.2,
                width: 0.4,
                height: 0.6,
            },
            99.0,
        );
        f.landmarks = points
            .iter()
            .map(|&(kind, x, y)| Landmark { kind, x, y })
            .collect();
        f
    }

    #[test]
    fn measures_a_level_centred_face() {
        let f = face(&[
            (LandmarkType::EyeLeft, 0.4, 0.4),
            (LandmarkType::EyeRight, 0.6, 0.4),
            (LandmarkType::ChinBottom, 0.5, 0.775),
        ]);
        let g = face_geometry(&f, 600.0, 800.0).unwrap();
        assert!((g.inter_eye_px - 120.0).abs() < 1e-9);
        // T = 0.375 × 800 = 300 px, head = 600 px of 800.
        assert!((g.head_size - 0.75).abs() < 1e-9);
        assert!((g.eye_line - 0.6).abs() < 1e-9);
        assert!((g.centre_x - 0.5).abs() < 1e-9);
        assert!((g.head_top - 0.025).abs() < 1e-9);
        assert!(g.roll_deg.abs() < 1e-9);
    }

    #[test]
    fn roll_follows_the_eye_line_in_pixels() {
        // 100 px across, 100 px down: 45°, whichever eye is named left.
        let f = face(&[
            (LandmarkType::EyeLeft, 0.6, 0.5),
            (LandmarkType::EyeRight, 0.4, 0.4),
        ]);
        let e = eyes(&f, 500.0, 1000.0).unwrap();
        assert!((e.roll_deg - 45.0).abs() < 1e-9, "{}", e.roll_deg);
    }

    #[test]
    fn missing_landmarks_give_no_geometry() {
        let f = face(&[(LandmarkType::EyeLeft, 0.4, 0.4)]);
        assert!(eyes(&f, 100.0, 100.0).is_none());
        let f = face(&[
            (LandmarkType::EyeLeft, f64::NAN, 0.4),
            (LandmarkType::EyeRight, 0.6, 0.4),
        ]);
        assert!(eyes(&f, 100.0, 100.0).is_none());
    }
}
