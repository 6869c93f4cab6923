//! The demo's samples: derived the same way every time, and judged by the embedded analyzer
//! as each one is meant to be (one approved, the others rejected for their own reason).
//! Also `check` over many photos at once: the same answers, in the order given.

use std::path::{Path, PathBuf};
use std::process::Command;

use passport_photo::samples::{Expected, SAMPLES};
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_passport-photo"))
}

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/assets/photos")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("samples-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write_samples(dir: &Path) -> Vec<PathBuf> {
    let out = bin()
        .arg("samples")
        .arg(dir)
        .arg("--assets")
        .arg(assets())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "samples failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| PathBuf::from(l.split('\t').next().unwrap()))
        .collect()
}

fn check_json(dir: &Path, photos: &[PathBuf], jobs: u32) -> (Option<i32>, Vec<Value>) {
    let out = bin()
        .arg("check")
        .arg("--json")
        .args(["--jobs", &jobs.to_string()])
        .arg("--outbox")
        .arg(dir.join("outbox"))
        .args(photos)
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), lines)
}

fn failed_checks(result: &Value) -> Vec<&str> {
    result["verdict"]["checks"]
        .as_array()
        .map(|checks| {
            checks
                .iter()
                .filter(|c| c["status"] == "FAIL")
                .filter_map(|c| c["id"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn each_sample_gets_the_verdict_it_was_made_for() {
    let dir = temp_dir("verdicts");
    let photos = write_samples(&dir.join("samples"));
    assert_eq!(photos.len(), SAMPLES.len());
    let (code, results) = check_json(&dir, &photos, 2);
    assert_eq!(code, Some(1), "some samples are rejected: exit code 1");
    assert_eq!(results.len(), SAMPLES.len());
    for ((sample, photo), result) in SAMPLES.iter().zip(&photos).zip(&results) {
        assert_eq!(
            result["photo"]["key"],
            photo.file_name().unwrap().to_str().unwrap(),
            "results come in the order the photos were given"
        );
        let outcome = &result["verdict"]["outcome"];
        let failed = failed_checks(result);
        match sample.expected {
            Expected::Approved => {
                assert_eq!(outcome, "APPROVED", "{}: failed {failed:?}", sample.file)
            }
            Expected::Rejected(check) => {
                assert_eq!(outcome, "REJECTED", "{}", sample.file);
                assert!(
                    failed.contains(&check),
                    "{} is rejected for {check}, but failed {failed:?}",
                    sample.file
                );
            }
        }
    }
    let approved = SAMPLES
        .iter()
        .filter(|s| s.expected == Expected::Approved)
        .count();
    assert_eq!(approved, 1, "the demo shows one approved photo");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn samples_are_the_same_bytes_every_time() {
    let dir = temp_dir("deterministic");
    let first = write_samples(&dir.join("a"));
    let second = write_samples(&dir.join("b"));
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(b).unwrap(),
            "{}",
            a.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_folder_checked_in_parallel_answers_as_one_at_a_time() {
    let dir = temp_dir("parallel");
    let samples = write_samples(&dir.join("samples"));
    // Twelve photos, the samples repeated under new names, so that several are in flight.
    let folder = dir.join("folder");
    std::fs::create_dir_all(&folder).unwrap();
    let photos: Vec<PathBuf> = (0..12)
        .map(|i| {
            let source = &samples[i % samples.len()];
            let target = folder.join(format!(
                "{i:02}-{}",
                source.file_name().unwrap().to_str().unwrap()
            ));
            std::fs::copy(source, &target).unwrap();
            target
        })
        .collect();
    let (serial_code, serial) = check_json(&dir, &photos, 1);
    let (parallel_code, parallel) = check_json(&dir, &photos, 4);
    assert_eq!(serial_code, parallel_code);
    assert_eq!(serial.len(), photos.len());
    assert_eq!(serial, parallel, "the same answers in the same order");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `data:image/jpeg;base64,…` images of a report section, decoded.
fn inline_images(section: &str) -> Vec<image::DynamicImage> {
    use base64::Engine as _;
    section
        .split("src=\"data:image/jpeg;base64,")
        .skip(1)
        .map(|rest| {
            let data = &rest[..rest.find('"').unwrap()];
            let bytes = base64::engine::general_purpose::STANDARD.decode(data).unwrap();
            image::load_from_memory(&bytes).unwrap()
        })
        .collect()
}

#[test]
fn the_report_and_the_annotations_show_every_photo_and_every_check() {
    let dir = temp_dir("report");
    let photos = write_samples(&dir.join("samples"));
    let (annotated, report) = (dir.join("annotated"), dir.join("report.html"));
    let out = bin()
        .args(["check", "--json", "--outbox"])
        .arg(dir.join("outbox"))
        .arg("--annotate")
        .arg(&annotated)
        .arg("--report")
        .arg(&report)
        .args(&photos)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing is fetched"
    );
    let sections: Vec<&str> = html.split("<section class=\"photo\"").skip(1).collect();
    assert_eq!(sections.len(), photos.len(), "one section per photo");
    // Failures first: every rejected section comes before the approved one.
    let outcomes: Vec<&str> = sections
        .iter()
        .map(|s| {
            if s.starts_with(" data-outcome=\"APPROVED\"") {
                "APPROVED"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(outcomes.last(), Some(&"APPROVED"));
    assert_eq!(outcomes.iter().filter(|o| **o == "APPROVED").count(), 1);

    for (photo, result) in photos.iter().zip(&results) {
        let shown = photo.display().to_string();
        let section = sections
            .iter()
            .find(|s| s.contains(&format!("<h2>{shown}<")))
            .unwrap_or_else(|| panic!("no section for {shown}"));
        let outcome = result["verdict"]["outcome"].as_str().unwrap();
        assert!(
            section.starts_with(&format!(" data-outcome=\"{outcome}\"")),
            "{shown}"
        );
        for c in result["verdict"]["checks"].as_array().unwrap() {
            let row = format!(
                "<tr class=\"{}\" data-check=\"{}\">",
                c["status"].as_str().unwrap(),
                c["id"].as_str().unwrap()
            );
            assert!(section.contains(&row), "{shown}: {row} missing");
        }
        let images = inline_images(section);
        let png = annotated.join(format!(
            "{}.annotated.png",
            photo.file_name().unwrap().to_str().unwrap()
        ));
        if image::open(photo).is_err() {
            assert!(
                images.is_empty() && !png.exists(),
                "{shown}: an undecodable file has no image"
            );
            continue;
        }
        assert_eq!(images.len(), 1, "{shown}");
        assert_eq!(images[0].width(), passport_photo::annotate::WIDTH);
        assert!(png.exists(), "{} missing", png.display());
    }

    // On the approved sample, the eye line is drawn at the height the verdict measured,
    // in the colour of its (passed) check, right across the photo.
    let (approved, result) = photos
        .iter()
        .zip(&results)
        .find(|(_, r)| r["verdict"]["outcome"] == "APPROVED")
        .unwrap();
    let png = image::open(annotated.join(format!(
        "{}.annotated.png",
        approved.file_name().unwrap().to_str().unwrap()
    )))
    .unwrap()
    .to_rgb8();
    let g = &result["verdict"]["geometry"];
    let eye_y = (g["eyeLeft"]["y"].as_f64().unwrap() + g["eyeRight"]["y"].as_f64().unwrap()) / 2.0;
    let source = image::open(approved).unwrap();
    let layout = passport_photo::annotate::Layout::for_photo(source.width(), source.height());
    let row = layout.y(eye_y) as u32;
    assert_eq!(
        *png.get_pixel(layout.width - 2, row),
        passport_photo::annotate::PASS
    );
    assert_ne!(
        *png.get_pixel(layout.width - 2, row + 8),
        passport_photo::annotate::PASS
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn revalidate_json(dir: &Path, outbox: &Path) -> Value {
    let out = bin()
        .args(["revalidate", "--json", "--outbox"])
        .arg(outbox)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Faces paid for once: a second re-validation of the same folder runs the detector on no
/// photo, and a changed photo (a new version) is detected again; the verdicts stay the same.
#[test]
fn a_second_revalidation_reuses_every_face_analysis_and_a_changed_photo_is_detected_again() {
    let dir = temp_dir("revalidate-cache");
    let samples = write_samples(&dir.join("samples"));
    let outbox = dir.join("outbox");
    let first = revalidate_json(&dir.join("samples"), &outbox);
    let analysed = first["detectCalls"].as_u64().unwrap();
    assert!(analysed >= 6, "{first}");
    assert_eq!(first["cachedFaces"], 0);
    assert_eq!(first["items"].as_u64(), Some(samples.len() as u64));

    let second = revalidate_json(&dir.join("samples"), &outbox);
    assert_eq!(second["detectCalls"], 0, "{second}");
    assert_eq!(second["cachedFaces"].as_u64(), Some(analysed));
    for field in ["approved", "rejected", "failed", "topFailedChecks"] {
        assert_eq!(first[field], second[field], "{field}");
    }

    // A new version of one photo: the same picture, mirrored.
    let approved = samples.iter().find(|p| p.ends_with("approved.jpg")).unwrap();
    image::open(approved).unwrap().fliph().save(approved).unwrap();
    let third = revalidate_json(&dir.join("samples"), &outbox);
    assert_eq!(third["detectCalls"], 1, "{third}");
    assert_eq!(third["cachedFaces"].as_u64(), Some(analysed - 1));
    let _ = std::fs::remove_dir_all(&dir);
}
