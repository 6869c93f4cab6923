//! Builders of execution documents for rule tests.
#![allow(dead_code)]

use passport_model::rekognition_json::DetectFacesResponse;
use passport_model::*;

pub const W: u32 = 600;
pub const H: u32 = 750;

pub fn fixture(name: &str) -> FaceAnalysis {
    let path = format!("{}/fixtures/rekognition/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let response: DetectFacesResponse = serde_json::from_str(&text).unwrap();
    response.into_analysis()
}

pub fn metadata(width: u32, height: u32, size: u64) -> ImageMetadata {
    ImageMetadata {
        format: ImageFormat::Jpeg,
        content_type: Some("image/jpeg".into()),
        size_bytes: size,
        width: Some(width),
        height: Some(height),
        color_channels: Some(3),
        bit_depth: Some(8),
        exif_orientation: Some(1),
        analyzable: true,
        problems: vec![],
    }
}

pub fn good_measures(width: u32, height: u32, size: u64) -> ImageMeasures {
    ImageMeasures {
        decodable: true,
        decode_error: None,
        undecodable: None,
        width: Some(width),
        height: Some(height),
        greyscale: Some(false),
        background: Some(BackgroundMeasures {
            mean_lightness: 92.0,
            luminance_std_dev: 3.0,
            mean_gradient: 1.0,
            sampled_pixels: 100_000,
        }),
        lighting: Some(LightingMeasures {
            histogram_overlap: 0.9,
            left_mean_luminance: 150.0,
            right_mean_luminance: 148.0,
        }),
        colour: Some(ColourMeasures {
            mean_a: 14.0,
            mean_b: 18.0,
        }),
        exposure: Some(ExposureMeasures {
            under_exposed_share: 0.0,
            over_exposed_share: 0.01,
        }),
        sharpness: Some(SharpnessMeasures {
            laplacian_variance: 120.0,
            region: "face".into(),
        }),
        compression: Some(CompressionMeasures {
            ratio: f64::from(width) * f64::from(height) * 3.0 / size as f64,
        }),
        skipped: vec![],
    }
}

/// A complete document for a 600×750 JPEG of 300 KB with the given faces.
pub fn doc(faces: FaceAnalysis) -> ExecutionDocument {
    doc_sized(faces, W, H, 300_000)
}

pub fn doc_sized(faces: FaceAnalysis, width: u32, height: u32, size: u64) -> ExecutionDocument {
    let mut d = ExecutionDocument::new(PhotoRef::new("bucket", "uploads/test.jpg"));
    d.metadata = Some(metadata(width, height, size));
    d.faces = Some(faces);
    d.image = Some(good_measures(width, height, size));
    d
}

/// A single face whose geometry is given directly: head size (2T/H), eye line from the
/// bottom, eye midpoint x and inter-eye distance in pixels, for an image of `w`×`h`.
pub fn face_with_geometry(
    head_size: f64,
    eye_line: f64,
    centre_x: f64,
    inter_eye_px: f64,
    w: f64,
    _h: f64,
) -> Face {
    let mid_y = 1.0 - eye_line;
    let half = inter_eye_px / 2.0 / w;
    let chin_y = mid_y + head_size / 2.0;
    let mut f = Face::new(
        BoundingBox {
            left: centre_x - 0.2,
            top: (mid_y - 0.2).max(0.01),
            width: 0.4,
            height: (chin_y + 0.02 - (mid_y - 0.2).max(0.01)).min(0.98),
        },
        99.9,
    );
    f.landmarks = vec![
        Landmark {
            kind: LandmarkType::EyeLeft,
            x: centre_x - half,
            y: mid_y,
        },
        Landmark {
            kind: LandmarkType::EyeRight,
            x: centre_x + half,
            y: mid_y,
        },
        Landmark {
            kind: LandmarkType::ChinBottom,
            x: centre_x,
            y: chin_y,
        },
    ];
    f.pose = Some(Pose {
        roll: 0.0,
        yaw: 0.0,
        pitch: 0.0,
    });
    f.quality = Some(Quality {
        brightness: 70.0,
        sharpness: 80.0,
    });
    let yes = |value| {
        Some(Attribute {
            value,
            confidence: 99.0,
        })
    };
    f.eyes_open = yes(true);
    f.mouth_open = yes(false);
    f.smile = yes(false);
    f.eyeglasses = yes(false);
    f.sunglasses = yes(false);
    f.face_occluded = yes(false);
    f.eye_direction = Some(EyeDirection {
        yaw: 0.0,
        pitch: 0.0,
        confidence: 99.0,
    });
    f.age_range = Some(AgeRange { low: 30, high: 40 });
    f
}

pub fn analysis(faces: Vec<Face>) -> FaceAnalysis {
    FaceAnalysis {
        source: FaceSource::Rekognition,
        faces,
        refused: None,
        omitted_faces: 0,
    }
}

pub fn status(v: &Verdict, id: &str) -> CheckStatus {
    check(v, id).status
}

pub fn check<'v>(v: &'v Verdict, id: &str) -> &'v CheckResult {
    v.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

pub fn failed_ids(v: &Verdict) -> Vec<String> {
    v.failed().map(|c| c.id.clone()).collect()
}
