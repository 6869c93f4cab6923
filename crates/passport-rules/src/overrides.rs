//! Deployment overrides of a profile, as JSON:
//!
//! ```json
//! { "extends": "uk",
//!   "severity": { "face.eyeglasses": "FAIL", "image.background": "OFF" },
//!   "limits": { "headSize": { "min": 0.66, "max": 0.76 }, "decisionConfidence": 85 } }
//! ```
//!
//! Unknown check ids, unknown limit names and impossible values are errors, reported at
//! start-up, never ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use passport_model::ImageFormat;

use crate::catalogue::CheckId;
use crate::profile::{Limits, Profile, Range, Severity};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("unknown rules profile {0:?} (known: icao, us, uk)")]
    UnknownProfile(String),
    #[error("rules overrides are not valid JSON of the expected shape: {0}")]
    Malformed(String),
    #[error("rules overrides name an unknown check {0:?}")]
    UnknownCheck(String),
    #[error("rules overrides set invalid limits: {0}")]
    InvalidLimits(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
    #[serde(default)]
    limits: Option<Value>,
}

/// The profile a deployment runs: a built-in one by name, with optional JSON overrides
/// (whose `extends` wins over `profile_name`).
pub fn load_profile(profile_name: &str, overrides_json: Option<&str>) -> Result<Profile, ConfigError> {
    let overrides: Option<Overrides> = overrides_json
        .filter(|s| !s.trim().is_empty())
        .map(|s| serde_json::from_str(s).map_err(|e| ConfigError::Malformed(e.to_string())))
        .transpose()?;
    let base_name = overrides
        .as_ref()
        .and_then(|o| o.extends.clone())
        .unwrap_or_else(|| profile_name.to_owned());
    let mut profile = Profile::builtin(&base_name).ok_or(ConfigError::UnknownProfile(base_name))?;
    let Some(o) = overrides else { return Ok(profile) };
    for (id, severity) in o.severity {
        let id: CheckId = id.parse().map_err(|_| ConfigError::UnknownCheck(id))?;
        if id == CheckId::FaceCount && severity != Severity::Fail {
            return Err(ConfigError::InvalidLimits(
                "face.count cannot be softened or turned off: a photo whose face was not examined is never approved"
                    .into(),
            ));
        }
        profile.severity.insert(id, severity);
    }
    if let Some(patch) = o.limits {
        let mut merged =
            serde_json::to_value(&profile.limits).map_err(|e| ConfigError::Malformed(e.to_string()))?;
        merge(&mut merged, patch);
        profile.limits =
            serde_json::from_value(merged).map_err(|e| ConfigError::InvalidLimits(e.to_string()))?;
    }
    validate(&profile.limits)?;
    profile.name = format!("{}+overrides", profile.name);
    Ok(profile)
}

/// JSON merge patch: objects merge key by key, everything else replaces.
fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p,
    }
}

fn validate(l: &Limits) -> Result<(), ConfigError> {
    let bad = |what: &str| Err(ConfigError::InvalidLimits(what.to_owned()));
    let ranges: [(&str, Range); 8] = [
        ("fileSizeBytes", l.file_size_bytes),
        ("widthPx", l.width_px),
        ("heightPx", l.height_px),
        ("aspect", l.aspect),
        ("headSize", l.head_size),
        ("eyeLine", l.eye_line),
        ("skinA", l.skin_a),
        ("skinB", l.skin_b),
    ];
    for (name, r) in ranges {
        if r.min.is_some_and(|v| !v.is_finite()) || r.max.is_some_and(|v| !v.is_finite()) {
            return bad(&format!("{name} must be finite"));
        }
        if let (Some(a), Some(b)) = (r.min, r.max) {
            if a > b {
                return bad(&format!("{name}: min {a} is above max {b}"));
            }
        }
    }
    for (name, v) in [
        ("minFaceConfidence", l.min_face_confidence),
        ("decisionConfidence", l.decision_confidence),
    ] {
        if !(0.0..=100.0).contains(&v) {
            return bad(&format!("{name} must be within 0..100, not {v}"));
        }
    }
    for (name, v) in [
        ("maxYawDeg", l.max_yaw_deg),
        ("maxPitchDeg", l.max_pitch_deg),
        ("maxRollDeg", l.max_roll_deg),
        ("maxGazeDeg", l.max_gaze_deg),
        ("maxCentreOffset", l.max_centre_offset),
        ("minInterEyePx", l.min_inter_eye_px),
        ("frameMargin", l.frame_margin),
        ("maxCompressionRatio", l.max_compression_ratio),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return bad(&format!("{name} must be a non-negative number, not {v}"));
        }
    }
    if l.formats.is_empty() {
        return bad("formats must name at least one format");
    }
    within_what_is_analysable(l)
}

/// Amazon Rekognition DetectFaces takes JPEG and PNG S3 objects of at most 15 MB with at
/// least 80 px on each side; analyze-image decodes at most [`ANALYSER_MAX_PIXELS`]. A
/// limit that admits more would approve photos whose face nobody examined.
pub const DETECTOR_MAX_FILE_BYTES: f64 = 15_000_000.0;
pub const DETECTOR_MIN_SIDE_PX: f64 = 80.0;
/// analyze-image's default pixel limit (`MAX_PIXELS`).
pub const ANALYSER_MAX_PIXELS: f64 = 64_000_000.0;

fn within_what_is_analysable(l: &Limits) -> Result<(), ConfigError> {
    let bad = |what: String| Err(ConfigError::InvalidLimits(what));
    match l.file_size_bytes.max {
        None => {
            return bad(format!(
                "fileSizeBytes needs a max of at most {DETECTOR_MAX_FILE_BYTES} bytes (Rekognition's limit for S3 objects)"
            ))
        }
        Some(max) if max > DETECTOR_MAX_FILE_BYTES => {
            return bad(format!(
                "fileSizeBytes max {max} exceeds the {DETECTOR_MAX_FILE_BYTES} bytes Rekognition can analyse"
            ))
        }
        _ => {}
    }
    for (name, r) in [("widthPx", l.width_px), ("heightPx", l.height_px)] {
        if r.min.unwrap_or(0.0) < DETECTOR_MIN_SIDE_PX {
            return bad(format!(
                "{name} min must be at least {DETECTOR_MIN_SIDE_PX} px, the smallest side Rekognition can analyse"
            ));
        }
    }
    if let (Some(w), Some(h)) = (l.width_px.max, l.height_px.max) {
        if w * h > ANALYSER_MAX_PIXELS {
            return bad(format!(
                "widthPx max × heightPx max is {} pixels, more than the {ANALYSER_MAX_PIXELS} the image analysis decodes",
                w * h
            ));
        }
    }
    if let Some(f) = l
        .formats
        .iter()
        .find(|f| !matches!(f, ImageFormat::Jpeg | ImageFormat::Png))
    {
        return bad(format!(
            "formats may only name jpeg and png, the formats Rekognition reads, not {}",
            f.name()
        ));
    }
    Ok(())
}
