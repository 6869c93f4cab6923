//! `passport-photo check` on the files people really upload when something is wrong: every
//! one gets a REJECTED verdict naming the real problem (exit 1), or is processed normally;
//! never a crash, never exit 2 for a bad photo.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use photo_measures::testkit::{self, JpegStyle};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model_present() {
    let model = root().join(".cache/assets");
    assert!(
        model.exists(),
        "the embedded face model is missing: run `python3 scripts/fetch_assets.py` (the test command does)"
    );
}

/// A PNG whose IHDR claims `w`×`h` (the CRC fixed up): a decompression bomb's header.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut png = testkit::png(&testkit::portrait(16, 16, 1), image::ColorType::Rgb8);
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// A JPEG whose frame header claims `w`×`h`.
fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let mut jpeg = testkit::jpeg(&testkit::portrait(64, 64, 2), JpegStyle::default());
    let sof = jpeg.windows(2).position(|p| p == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    jpeg
}

/// A whole, valid JPEG padded with comment segments to over 15 MB.
fn jpeg_over_15_mb() -> Vec<u8> {
    let jpeg = testkit::jpeg(&testkit::portrait(640, 800, 3), JpegStyle::default());
    let mut out = jpeg[..2].to_vec();
    let comment = vec![b'x'; 65_000];
    while out.len() < 16_000_000 {
        out.extend([0xFF, 0xFE]);
        out.extend(u16::try_from(comment.len() + 2).unwrap().to_be_bytes());
        out.extend(&comment);
    }
    out.extend(&jpeg[2..]);
    out
}

/// (file name, bytes, the failed check that must name the problem, words its message has).
type Case = (&'static str, Vec<u8>, &'static str, &'static str);

fn corpus() -> Vec<Case> {
    let portrait = testkit::portrait(600, 750, 4);
    let camera = testkit::jpeg(&portrait, JpegStyle::camera(1));
    let scan = testkit::first_scan_data(&camera);
    let mut overwritten = camera.clone();
    for (i, b) in overwritten[scan.start + 500..scan.start + 700]
        .iter_mut()
        .enumerate()
    {
        *b = (i as u8).wrapping_mul(97).wrapping_add(13);
    }
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend([0u8; 200]);
    let mut avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec();
    avif.extend([0u8; 200]);
    let mut webp = b"RIFF\x24\0\0\0WEBPVP8 ".to_vec();
    webp.extend([0u8; 200]);
    let mut gif = b"GIF89a\x10\0\x10\0\x80\0\0".to_vec();
    gif.extend([0u8; 100]);
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend([0u8; 100]);
    vec![
        ("empty.jpg", Vec::new(), "file.format", "empty"),
        (
            "notes.jpg",
            b"Dear passport office, here is my photo.\n".to_vec(),
            "file.format",
            "not an image",
        ),
        ("iphone.heic.jpg", heic, "file.format", "HEIC"),
        ("photo.avif", avif, "file.format", "AVIF"),
        ("photo.webp", webp, "file.format", "WebP"),
        ("photo.gif", gif, "file.format", "GIF"),
        ("scan.tif", tiff, "file.format", "TIFF"),
        (
            "drawing.svg",
            br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="600" height="750"/>"#
                .to_vec(),
            "file.format",
            "SVG",
        ),
        (
            "dot.png",
            testkit::png(&testkit::portrait(1, 1, 5), image::ColorType::Rgb8),
            "image.dimensions",
            "1×1",
        ),
        (
            "bomb.png",
            png_claiming(60_000, 60_000),
            "image.decodable",
            "megapixels",
        ),
        (
            "bomb.jpg",
            jpeg_claiming(65_000, 65_000),
            "image.decodable",
            "megapixels",
        ),
        ("huge.jpg", jpeg_over_15_mb(), "file.size", "MB"),
        (
            "cut.jpg",
            camera[..camera.len() * 2 / 3].to_vec(),
            "image.decodable",
            "damaged",
        ),
        ("scribbled.jpg", overwritten, "image.decodable", "damaged"),
    ]
}

#[test]
fn every_bad_file_is_rejected_with_its_real_problem_and_good_variants_are_processed() {
    model_present();
    let dir = std::env::temp_dir().join(format!("bad-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = corpus();
    let mut paths = Vec::new();
    for (name, bytes, _, _) in &cases {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    // Unusual but valid files: processed normally, whatever their verdict.
    let portrait = testkit::portrait(600, 750, 6);
    let valid: [(&str, Vec<u8>); 4] = [
        ("deep.png", testkit::png(&portrait, image::ColorType::Rgb16)),
        ("alpha.png", testkit::png(&portrait, image::ColorType::Rgba8)),
        ("print.jpg", testkit::cmyk_jpeg(&portrait)),
        (
            "progressive.jpg",
            testkit::jpeg(
                &portrait,
                JpegStyle {
                    progressive: true,
                    restart_interval: Some(8),
                    ..JpegStyle::camera(6)
                },
            ),
        ),
    ];
    for (name, bytes) in &valid {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_passport-photo"))
        .args(["check", "--json", "--outbox"])
        .arg(dir.join("outbox"))
        .args(&paths)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "exit code; stderr: {stderr}");
    let verdicts: BTreeMap<String, Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["photo"]["key"].as_str().unwrap().to_owned(), v))
        .collect();
    assert_eq!(
        verdicts.len(),
        paths.len(),
        "one verdict per file; stderr: {stderr}"
    );
    for (name, _, check, words) in &cases {
        let v = &verdicts[*name];
        assert_eq!(v["verdict"]["outcome"], "REJECTED", "{name}: {v}");
        assert_eq!(
            v["execution"]["status"], "SUCCEEDED",
            "{name}: a bad photo is an answer, not a failure"
        );
        let failed = v["verdict"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == *check && c["status"] == "FAIL")
            .unwrap_or_else(|| panic!("{name}: {check} did not fail: {v}"));
        let message = failed["message"].as_str().unwrap();
        assert!(
            message.contains(words),
            "{name}: {check} says {message:?}, not {words:?}"
        );
    }
    for (name, _) in &valid {
        let v = &verdicts[*name];
        assert_eq!(v["execution"]["status"], "SUCCEEDED", "{name}: {v}");
        let decodable = v["verdict"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "image.decodable")
            .unwrap();
        assert_eq!(decodable["status"], "PASS", "{name}: {decodable}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
