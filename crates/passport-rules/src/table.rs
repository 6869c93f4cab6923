//! The rules as a Markdown table, generated from the catalogue and the built-in profiles
//! so that the documentation cannot drift from the code (`docs/rules.md`, checked by a test;
//! regenerate with `cargo run -p passport-rules --example rules-table > docs/rules.md`).

use crate::catalogue::CheckId;
use crate::profile::{icao, uk, us, Profile, Range, Severity};

/// Where each check's numbers come from (RULES.md's sources, in brief).
pub fn source(id: CheckId) -> &'static str {
    use CheckId::*;
    match id {
        FileFormat => "US DoS (JPEG); HMPO; Rekognition accepts JPEG/PNG",
        FileSize => "US DoS ≤ 240 KB; HMPO 50 KB–10 MB; Rekognition ≤ 15 MB",
        ImageDecodable => "every issuer: a complete, undamaged image",
        ImageDimensions => "US DoS 600–1200 px; HMPO ≥ 600×750; ICAO minimum (480×600) derived from 35:45 at 90 px between the eyes",
        ImageAspect => "ICAO 9303 35:45 portrait shape; US DoS square",
        ImageColour => "US DoS 24-bit sRGB colour; HMPO colour; ICAO colour portrait",
        FaceCount => "ICAO 9303: one person; confidence ≥ 90 (RULES.md)",
        FaceInFrame => "ICAO 9303 / ISO 19794-5: whole head visible",
        FaceHeadSize => "ICAO 9303 70–80 %; US DoS 50–69 %; HMPO (derived) 64–76 %",
        FacePose => "ISO/IEC 19794-5:2011 §7.2.2: |yaw| ≤ 5°, |pitch| ≤ 5°, |roll| ≤ 8°",
        FaceEyesOpen => "ICAO 9303; US DoS (infants exempt); HMPO (under one exempt)",
        FaceSunglasses => "every issuer: no tinted glasses",
        FaceOcclusion => "ICAO 9303: face fully visible",
        FaceEyeglasses => "US DoS: no glasses since 2016; ICAO/HMPO allow clear glasses (human review)",
        FaceMouthClosed => "ICAO 9303 / HMPO / US DoS: mouth closed",
        FaceExpression => "ICAO neutral; US DoS allows a closed-mouth smile; HMPO (under six exempt)",
        FaceGaze => "no number published: WARN at 10° (RULES.md)",
        FaceEyeLine => "US DoS 56–69 %; ICAO/HMPO derived from the head size",
        FaceCentred => "ICAO 9303: face centred (0.5 ± 0.05, RULES.md)",
        FaceInterEye => "ISO/IEC 19794-5: ≥ 90 px between the eye centres",
        ImageBackground => "issuers: plain, light (US: white/off-white); numbers calibrated (OFIQ BackgroundUniformity)",
        ImageLighting => "OFIQ IlluminationUniformity (histogram overlap); threshold calibrated",
        ImageExposure => "OFIQ Under/OverExposure (luminance ≤ 25 / ≥ 247); threshold calibrated",
        ImageNaturalColour => "OFIQ NaturalColour: a* 5–25, b* 5–35",
        ImageSharpness => "Laplacian variance; threshold calibrated",
        FaceSharpness => "Rekognition Quality.Sharpness; no published threshold, calibrated",
        FaceBrightness => "Rekognition Quality.Brightness; no published threshold, calibrated",
        ImageCompression => "US DoS ≤ 20:1; elsewhere calibrated",
    }
}

fn r(range: Range, decimals: usize, unit: &str) -> String {
    range.describe(decimals, unit)
}

/// The limit a profile applies for a check, in brief.
pub fn limit(id: CheckId, p: &Profile) -> String {
    use CheckId::*;
    let l = &p.limits;
    match id {
        FileFormat => l.formats.iter().map(|f| f.name()).collect::<Vec<_>>().join("/"),
        FileSize => match (l.file_size_bytes.min, l.file_size_bytes.max) {
            (Some(a), Some(b)) if a > 1.0 => format!("{} KB–{} MB", a / 1000.0, b / 1_000_000.0),
            (_, Some(b)) if b < 1_000_000.0 => format!("≤ {} KB", b / 1000.0),
            (_, Some(b)) => format!("≤ {} MB", b / 1_000_000.0),
            _ => "any".into(),
        },
        ImageDecodable => "required".into(),
        ImageDimensions => format!("w {}, h {}", r(l.width_px, 0, ""), r(l.height_px, 0, "")),
        ImageAspect => r(l.aspect, 2, ""),
        ImageColour => {
            if l.require_8_bit {
                "colour, 8 bit".into()
            } else {
                "colour".into()
            }
        }
        FaceCount => format!("exactly 1 (≥ {} %)", l.min_face_confidence),
        FaceInFrame => format!("margin {}", l.frame_margin),
        FaceHeadSize => r(l.head_size, 2, ""),
        FacePose => format!("{}°, {}°, {}°", l.max_yaw_deg, l.max_pitch_deg, l.max_roll_deg),
        FaceEyesOpen => match l.eyes_closed_allowed_below_age {
            Some(a) => format!("open (under {a} exempt)"),
            None => "open".into(),
        },
        FaceSunglasses => "none".into(),
        FaceOcclusion => "none".into(),
        FaceEyeglasses => "none".into(),
        FaceMouthClosed => "closed".into(),
        FaceExpression => match (l.smile_allowed, l.expression_exempt_below_age) {
            (true, _) => "neutral or smile".into(),
            (false, Some(a)) => format!("neutral (under {a} exempt)"),
            (false, None) => "neutral".into(),
        },
        FaceGaze => format!("≤ {}°", l.max_gaze_deg),
        FaceEyeLine => r(l.eye_line, 2, ""),
        FaceCentred => format!("0.5 ± {}", l.max_centre_offset),
        FaceInterEye => format!("≥ {} px", l.min_inter_eye_px),
        ImageBackground => format!(
            "L* ≥ {}, σ ≤ {}, ∇ ≤ {}",
            l.background.min_lightness, l.background.max_luminance_std_dev, l.background.max_mean_gradient
        ),
        ImageLighting => format!("overlap ≥ {}", l.min_lighting_overlap),
        ImageExposure => format!("≤ {} / ≤ {}", l.max_under_exposed_share, l.max_over_exposed_share),
        ImageNaturalColour => format!("a* {}, b* {}", r(l.skin_a, 0, ""), r(l.skin_b, 0, "")),
        ImageSharpness => format!("≥ {}", l.min_laplacian_variance),
        FaceSharpness => format!("≥ {}", l.min_face_sharpness),
        FaceBrightness => r(l.face_brightness, 0, ""),
        ImageCompression => format!("≤ {}:1", l.max_compression_ratio),
    }
}

fn cell(id: CheckId, p: &Profile) -> String {
    let text = limit(id, p);
    match p.severity(id) {
        Severity::Fail => text,
        Severity::Warn => format!("{text} (WARN)"),
        Severity::Off => "off".into(),
    }
}

/// The whole table, in catalogue order.
pub fn markdown() -> String {
    let profiles = [icao(), us(), uk()];
    let mut out = String::from(
        "# Rules\n\nGenerated from `crates/passport-rules` (`cargo run -p passport-rules --example rules-table`); \
         a test fails when this file is out of date. Checks are listed in the order a verdict reports \
         failures; \"(WARN)\" marks a calibrated check that warns instead of rejecting.\n\n\
         | id | check | icao | us | uk | source |\n|---|---|---|---|---|---|\n",
    );
    for &id in CheckId::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            id.as_str(),
            id.title(),
            cell(id, &profiles[0]),
            cell(id, &profiles[1]),
            cell(id, &profiles[2]),
            source(id)
        ));
    }
    out
}
