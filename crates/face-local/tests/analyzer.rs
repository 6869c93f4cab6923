//! The offline analyzer on real photos from pinned PyPI wheels (fetched and verified by
//! `scripts/fetch_assets.py`, which the test command runs first).

use std::path::PathBuf;
use std::sync::OnceLock;

use face_local::LocalAnalyzer;
use image::{Rgb, RgbImage};
use passport_model::*;

fn analyzer() -> &'static LocalAnalyzer {
    static A: OnceLock<LocalAnalyzer> = OnceLock::new();
    A.get_or_init(|| LocalAnalyzer::load_default().unwrap_or_else(|e| panic!("{e}")))
}

fn photo(name: &str) -> RgbImage {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../.cache/assets/photos")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `python3 scripts/fetch_assets.py` (the test command does)",
            path.display()
        )
    });
    photo_measures::decode(&bytes, &Default::default()).unwrap().rgb
}

fn faces(img: &RgbImage) -> Vec<Face> {
    analyzer().analyze_image(img).unwrap().faces
}

/// Bilinear rotation about the centre by `degrees` (clockwise on screen for positive).
fn rotate(img: &RgbImage, degrees: f64) -> RgbImage {
    let (w, h) = img.dimensions();
    let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
    let (s, c) = degrees.to_radians().sin_cos();
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
        let (sx, sy) = (cx + dx * c + dy * s, cy - dx * s + dy * c);
        if sx < 0.0 || sy < 0.0 || sx >= f64::from(w - 1) || sy >= f64::from(h - 1) {
            return Rgb([128, 128, 128]);
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (fx, fy) = (sx - sx.floor(), sy - sy.floor());
        let mut out = [0u8; 3];
        for (i, o) in out.iter_mut().enumerate() {
            let p = |x: u32, y: u32| f64::from(img.get_pixel(x, y).0[i]);
            let v = p(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + p(x0 + 1, y0) * fx * (1.0 - fy)
                + p(x0, y0 + 1) * (1.0 - fx) * fy
                + p(x0 + 1, y0 + 1) * fx * fy;
            *o = v.round() as u8;
        }
        Rgb(out)
    })
}

#[test]
fn one_face_on_each_portrait_marked_local() {
    for name in ["astronaut.png", "grace_hopper.jpg", "camera.png"] {
        let a = analyzer().analyze_image(&photo(name)).unwrap();
        assert_eq!(a.faces.len(), 1, "{name}");
        assert_eq!(a.source, FaceSource::Local);
        let f = &a.faces[0];
        assert!(f.confidence >= 90.0, "{name}: {}", f.confidence);
        for kind in [
            LandmarkType::EyeLeft,
            LandmarkType::EyeRight,
            LandmarkType::Nose,
            LandmarkType::ChinBottom,
        ] {
            assert!(f.landmark(kind).is_some(), "{name}: {kind:?}");
        }
        assert!(
            f.eyes_open.is_none() && f.smile.is_none() && f.age_range.is_none(),
            "unseen attributes stay absent"
        );
    }
}

#[test]
fn no_face_where_there_is_no_person() {
    for name in ["coffee.png", "chelsea.png", "rocket.jpg"] {
        assert!(faces(&photo(name)).is_empty(), "{name}");
    }
}

#[test]
fn two_faces_on_a_composite_of_two_portraits() {
    let a = image::imageops::resize(
        &photo("astronaut.png"),
        400,
        400,
        image::imageops::FilterType::Triangle,
    );
    let b = image::imageops::resize(
        &photo("grace_hopper.jpg"),
        400,
        400 * 600 / 512,
        image::imageops::FilterType::Triangle,
    );
    let mut both = RgbImage::from_pixel(800, b.height().max(400), Rgb([200, 200, 200]));
    image::imageops::overlay(&mut both, &a, 0, 0);
    image::imageops::overlay(&mut both, &b, 400, 0);
    let found = faces(&both);
    assert_eq!(found.len(), 2);
    let centres: Vec<f64> = found
        .iter()
        .map(|f| f.bounding_box.left + f.bounding_box.width / 2.0)
        .collect();
    assert!(
        centres.iter().any(|c| *c < 0.5) && centres.iter().any(|c| *c > 0.5),
        "{centres:?}"
    );
}

#[test]
fn roll_tracks_known_rotations_within_two_degrees() {
    let base = photo("grace_hopper.jpg");
    let level = faces(&base)[0].pose.unwrap().roll;
    for degrees in [-10.0, -5.0, 5.0, 10.0] {
        let f = faces(&rotate(&base, degrees));
        assert_eq!(f.len(), 1, "{degrees}°");
        let roll = f[0].pose.unwrap().roll - level;
        assert!(
            (roll.abs() - f64::abs(degrees)).abs() <= 2.0,
            "rotated {degrees}°, measured roll change {roll:.2}°"
        );
    }
    // Consistent direction: opposite rotations give opposite roll.
    let plus = faces(&rotate(&base, 8.0))[0].pose.unwrap().roll - level;
    let minus = faces(&rotate(&base, -8.0))[0].pose.unwrap().roll - level;
    assert!(plus * minus < 0.0, "{plus} vs {minus}");
}

#[test]
fn a_mirror_image_gives_roll_and_yaw_of_the_opposite_sign() {
    // Tilted portraits make the roll clearly non-zero; camera.png is a three-quarter view,
    // so its yaw is clearly non-zero too.
    for (name, tilt) in [
        ("grace_hopper.jpg", 7.0),
        ("astronaut.png", -7.0),
        ("camera.png", 6.0),
    ] {
        let tilted = rotate(&photo(name), tilt);
        let p = faces(&tilted)[0].pose.unwrap();
        let m = faces(&image::imageops::flip_horizontal(&tilted))[0].pose.unwrap();
        assert!(
            p.roll * m.roll < 0.0,
            "{name}: roll {} vs mirrored {}",
            p.roll,
            m.roll
        );
        assert!((p.roll + m.roll).abs() < 2.0, "{name}: {p:?} {m:?}");
        if name == "camera.png" {
            assert!(p.yaw * m.yaw < 0.0, "{name}: yaw {} vs mirrored {}", p.yaw, m.yaw);
            assert!(
                p.yaw.abs() > 15.0,
                "a three-quarter view is clearly turned: {}",
                p.yaw
            );
        }
    }
}

#[test]
fn a_crop_that_cuts_the_face_is_reported_by_in_frame() {
    let img = photo("grace_hopper.jpg");
    let whole = faces(&img)[0].clone();
    // Cut through the face: keep the part right of its centre line.
    let (w, h) = img.dimensions();
    let cut_x = ((whole.bounding_box.left + whole.bounding_box.width * 0.3) * f64::from(w)) as u32;
    let cropped = image::imageops::crop_imm(&img, cut_x, 0, w - cut_x, h).to_image();
    let analysis = analyzer().analyze_image(&cropped).unwrap();
    let (cw, ch) = cropped.dimensions();
    let mut doc = ExecutionDocument::new(PhotoRef::new("local", "cropped.png"));
    doc.metadata = Some(ImageMetadata {
        format: ImageFormat::Png,
        content_type: None,
        size_bytes: 100_000,
        width: Some(cw),
        height: Some(ch),
        color_channels: Some(3),
        bit_depth: Some(8),
        exif_orientation: None,
        analyzable: true,
        problems: vec![],
    });
    doc.faces = Some(analysis);
    let v = passport_rules::evaluate(&doc, &passport_rules::icao());
    let check = v.checks.iter().find(|c| c.id == "face.in_frame").unwrap();
    // A face cut in half is either not found at all, or found leaving the frame.
    let count = v.checks.iter().find(|c| c.id == "face.count").unwrap();
    assert!(
        check.status == CheckStatus::Fail || count.status == CheckStatus::Fail,
        "in_frame {:?} / count {:?}",
        check,
        count
    );
    if check.status == CheckStatus::Fail {
        assert!(check.message.contains("left"), "{}", check.message);
    }
    // The uncut photo keeps its head in the frame.
    let mut whole_doc = doc.clone();
    whole_doc.metadata.as_mut().unwrap().width = Some(w);
    whole_doc.metadata.as_mut().unwrap().height = Some(h);
    whole_doc.faces = Some(analyzer().analyze_image(&img).unwrap());
    let v = passport_rules::evaluate(&whole_doc, &passport_rules::icao());
    assert_eq!(
        v.checks.iter().find(|c| c.id == "face.in_frame").unwrap().status,
        CheckStatus::Pass
    );
}

#[test]
fn undecodable_bytes_are_refused_like_rekognition_does() {
    let a = analyzer()
        .analyze_bytes(b"\x89PNG\r\n\x1a\n broken", &Default::default())
        .unwrap();
    assert!(a.faces.is_empty());
    assert!(a.refused.unwrap().contains("cannot read"));
}

#[test]
fn a_missing_or_wrong_model_says_how_to_get_it() {
    let err = LocalAnalyzer::load(std::path::Path::new("/nonexistent/model.onnx"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("fetch_assets.py"), "{err}");
    let wrong = std::env::temp_dir().join(format!("not-a-model-{}.onnx", std::process::id()));
    std::fs::write(&wrong, b"nope").unwrap();
    let err = LocalAnalyzer::load(&wrong).err().unwrap().to_string();
    std::fs::remove_file(&wrong).ok();
    assert!(
        err.contains("not the expected file") && err.contains("fetch_assets.py"),
        "{err}"
    );
}
