//! Issuer profiles: the numbers of RULES.md, where each comes from, and how a deployment
//! overrides them. Every threshold is configuration, not a constant in a check.

use std::collections::BTreeMap;

use passport_model::ImageFormat;
use serde::{Deserialize, Serialize};

use crate::catalogue::CheckId;

/// What a violated check does to the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// The photo is rejected.
    Fail,
    /// Reported for a human to look at; the photo can still be approved.
    Warn,
    /// Not evaluated (reported as SKIPPED, disabled by configuration).
    Off,
}

/// An inclusive range; an absent end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
}

impl Range {
    pub const fn between(min: f64, max: f64) -> Self {
        Self {
            min: Some(min),
            max: Some(max),
        }
    }
    pub const fn at_least(min: f64) -> Self {
        Self {
            min: Some(min),
            max: None,
        }
    }
    pub const fn at_most(max: f64) -> Self {
        Self {
            min: None,
            max: Some(max),
        }
    }

    /// Inclusive at both ends; a non-finite value is never inside.
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite() && self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }

    /// "0.70–0.80", "≥ 90", "≤ 240000" with a unit and a number of decimals.
    pub fn describe(&self, decimals: usize, unit: &str) -> String {
        let n = |v: f64| format!("{v:.decimals$}{unit}");
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{}–{}", n(a), n(b)),
            (Some(a), None) => format!("≥ {}", n(a)),
            (None, Some(b)) => format!("≤ {}", n(b)),
            (None, None) => "any".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackgroundLimits {
    /// Mean CIELAB L* outside the head, 0..100.
    pub min_lightness: f64,
    /// Luminance standard deviation outside the head, 0..255.
    pub max_luminance_std_dev: f64,
    /// Mean luminance gradient outside the head, 0..255.
    pub max_mean_gradient: f64,
}

/// Every number a check uses. JSON names are camelCase; unknown names are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Limits {
    pub formats: Vec<ImageFormat>,
    /// Bytes; 1 KB = 1000 bytes.
    pub file_size_bytes: Range,
    pub width_px: Range,
    pub height_px: Range,
    /// Width / height.
    pub aspect: Range,
    pub require_8_bit: bool,
    /// Faces below this confidence are not faces (0..100).
    pub min_face_confidence: f64,
    /// Faces smaller than this share of the primary face's area are ignored (reported).
    pub ignore_faces_smaller_than: f64,
    /// A yes/no attribute below this confidence is a WARN whatever its value (0..100).
    pub decision_confidence: f64,
    pub max_yaw_deg: f64,
    pub max_pitch_deg: f64,
    pub max_roll_deg: f64,
    pub max_gaze_deg: f64,
    /// Crown-to-chin (estimated as 2·T) over image height.
    pub head_size: Range,
    /// Eye-line height from the bottom over image height.
    pub eye_line: Range,
    /// |eye midpoint x / width − 0.5|.
    pub max_centre_offset: f64,
    pub min_inter_eye_px: f64,
    /// Margin (ratio of the image side) the head must keep from every edge.
    pub frame_margin: f64,
    /// Rekognition Quality.Brightness, 0..100.
    pub face_brightness: Range,
    /// Rekognition Quality.Sharpness, 0..100.
    pub min_face_sharpness: f64,
    pub background: BackgroundLimits,
    pub min_lighting_overlap: f64,
    pub max_under_exposed_share: f64,
    pub max_over_exposed_share: f64,
    /// Mean CIELAB a* of the cheeks.
    pub skin_a: Range,
    /// Mean CIELAB b* of the cheeks.
    pub skin_b: Range,
    pub min_laplacian_variance: f64,
    /// W·H·3 / bytes, JPEG only.
    pub max_compression_ratio: f64,
    /// Closed eyes accepted when AgeRange.High is below this many years.
    #[serde(default)]
    pub eyes_closed_allowed_below_age: Option<u32>,
    /// Any expression accepted when AgeRange.High is below this many years.
    #[serde(default)]
    pub expression_exempt_below_age: Option<u32>,
    /// A smile passes `face.expression` (mouth openness is `face.mouth_closed`'s job).
    pub smile_allowed: bool,
}

/// A named profile: limits plus the severity of every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: String,
    pub limits: Limits,
    pub severity: BTreeMap<CheckId, Severity>,
}

impl Profile {
    pub fn severity(&self, id: CheckId) -> Severity {
        self.severity.get(&id).copied().unwrap_or(Severity::Fail)
    }

    /// A built-in profile by name: `icao`, `us` or `uk`.
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "icao" => Some(icao()),
            "us" => Some(us()),
            "uk" => Some(uk()),
            _ => None,
        }
    }

    pub const BUILTIN_NAMES: &'static [&'static str] = &["icao", "us", "uk"];
}

/// Checks whose numbers no authority publishes: they start as WARN (RULES.md).
const CALIBRATED: &[CheckId] = &[
    CheckId::FaceGaze,
    CheckId::FaceBrightness,
    CheckId::FaceSharpness,
    CheckId::ImageBackground,
    CheckId::ImageLighting,
    CheckId::ImageExposure,
    CheckId::ImageNaturalColour,
    CheckId::ImageSharpness,
    CheckId::ImageCompression,
];

fn severities(extra: &[(CheckId, Severity)]) -> BTreeMap<CheckId, Severity> {
    let mut map: BTreeMap<_, _> = CheckId::ALL.iter().map(|&id| (id, Severity::Fail)).collect();
    for &id in CALIBRATED {
        map.insert(id, Severity::Warn);
    }
    for &(id, s) in extra {
        map.insert(id, s);
    }
    map
}

/// Limits shared by all profiles unless a profile says otherwise.
fn common() -> Limits {
    Limits {
        formats: vec![ImageFormat::Jpeg, ImageFormat::Png],
        // Rekognition DetectFaces: S3 objects up to 15 MB.
        file_size_bytes: Range::between(1.0, 15_000_000.0),
        width_px: Range::at_least(480.0),
        height_px: Range::at_least(600.0),
        // ICAO 9303 / ISO 19794-5 35:45 portrait shape, with tolerance.
        aspect: Range::between(0.74, 0.80),
        require_8_bit: false,
        // RULES.md: a face is a detection with confidence ≥ 90.
        min_face_confidence: 90.0,
        // Calibrated guess: a face under 5 % of the primary's area is a background face.
        ignore_faces_smaller_than: 0.05,
        // RULES.md default decision confidence.
        decision_confidence: 80.0,
        // ISO/IEC 19794-5:2011 §7.2.2: |yaw| ≤ 5°, |pitch| ≤ 5°, |roll| ≤ 8°.
        max_yaw_deg: 5.0,
        max_pitch_deg: 5.0,
        max_roll_deg: 8.0,
        // No number published: WARN at 10° (RULES.md).
        max_gaze_deg: 10.0,
        // ICAO 9303 Part 3: chin to crown 70–80 % of the image height.
        head_size: Range::between(0.70, 0.80),
        // Derived from the ICAO head size and usual eye placement (RULES.md).
        eye_line: Range::between(0.48, 0.70),
        // RULES.md: eye midpoint x within 0.5 ± 0.05 of the width.
        max_centre_offset: 0.05,
        // ISO/IEC 19794-5 token image minimum of 90 px between eye centres.
        min_inter_eye_px: 90.0,
        frame_margin: 0.0,
        // Calibrated guesses (Rekognition publishes no thresholds).
        face_brightness: Range::between(30.0, 95.0),
        min_face_sharpness: 20.0,
        // Calibrated guesses on synthetic and sample photos: a light (L* ≥ 60), plain
        // (σ ≤ 25, mean gradient ≤ 6) background.
        background: BackgroundLimits {
            min_lightness: 60.0,
            max_luminance_std_dev: 25.0,
            max_mean_gradient: 6.0,
        },
        // Calibrated guess on OFIQ IlluminationUniformity's histogram overlap.
        min_lighting_overlap: 0.5,
        // Calibrated guesses on OFIQ Under/OverExposure (luminance ≤ 25 / ≥ 247).
        max_under_exposed_share: 0.05,
        max_over_exposed_share: 0.05,
        // OFIQ NaturalColour: mean a* in [5, 25], b* in [5, 35].
        skin_a: Range::between(5.0, 25.0),
        skin_b: Range::between(5.0, 35.0),
        // Calibrated guess: blur drives the Laplacian variance of faces below ~15.
        min_laplacian_variance: 15.0,
        // Calibrated guess outside the US rule of 20:1.
        max_compression_ratio: 30.0,
        eyes_closed_allowed_below_age: None,
        expression_exempt_below_age: None,
        smile_allowed: false,
    }
}

/// ICAO Doc 9303 Part 3 / ISO/IEC 19794-5 portrait requirements.
pub fn icao() -> Profile {
    Profile {
        name: "icao".into(),
        limits: common(),
        severity: severities(&[(CheckId::FaceEyeglasses, Severity::Warn)]),
    }
}

/// US Department of State digital photo rules.
pub fn us() -> Profile {
    let limits = Limits {
        // JPEG only.
        formats: vec![ImageFormat::Jpeg],
        // ≤ 240 KB.
        file_size_bytes: Range::between(1.0, 240_000.0),
        // Square, 600×600 to 1200×1200.
        width_px: Range::between(600.0, 1200.0),
        height_px: Range::between(600.0, 1200.0),
        aspect: Range::between(0.99, 1.01),
        // 24-bit sRGB colour.
        require_8_bit: true,
        // Head (chin to top of hair) 50–69 % of the image height.
        head_size: Range::between(0.50, 0.69),
        // Eye line 56–69 % of the height from the bottom.
        eye_line: Range::between(0.56, 0.69),
        // Compression ratio ≤ 20:1.
        max_compression_ratio: 20.0,
        // Infants' eyes may be closed (under one year: AgeRange.High < 1).
        eyes_closed_allowed_below_age: Some(1),
        // Neutral expression or a natural closed-mouth smile.
        smile_allowed: true,
        ..common()
    };
    Profile {
        name: "us".into(),
        limits,
        // No glasses since 2016; the 20:1 ratio is a published rule.
        severity: severities(&[
            (CheckId::FaceEyeglasses, Severity::Fail),
            (CheckId::ImageCompression, Severity::Fail),
        ]),
    }
}

/// UK HMPO digital photo rules.
pub fn uk() -> Profile {
    let limits = Limits {
        // 50 KB–10 MB.
        file_size_bytes: Range::between(50_000.0, 10_000_000.0),
        // At least 600 px wide and 750 px tall.
        width_px: Range::at_least(600.0),
        height_px: Range::at_least(750.0),
        // Derived from ICAO head size, tightened to the HMPO guidance (RULES.md).
        head_size: Range::between(0.64, 0.76),
        // Derived from the head size and the usual placement of the eyes (RULES.md).
        eye_line: Range::between(0.53, 0.67),
        // Under one: eyes may be closed; under six: expression is not judged.
        eyes_closed_allowed_below_age: Some(1),
        expression_exempt_below_age: Some(6),
        ..common()
    };
    Profile {
        name: "uk".into(),
        limits,
        // Glasses allowed without glare or tint: a human looks.
        severity: severities(&[(CheckId::FaceEyeglasses, Severity::Warn)]),
    }
}
