//! The offline analysis of one photo, as `passport-photo check` does it: decode (with EXIF
//! orientation), detect and refine the face, then the pixel measures. Run in release:
//! `cargo bench -p face-local`. Needs the assets of `scripts/fetch_assets.py`.

use criterion::{criterion_group, criterion_main, Criterion};
use face_local::LocalAnalyzer;
use photo_measures::{decode, measure_decoded, DecodeLimits};

fn portrait_jpeg(w: u32, h: u32) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.cache/assets/photos/grace_hopper.jpg"
    );
    let bytes = std::fs::read(path).expect("run `python3 scripts/fetch_assets.py` first");
    let img = decode(&bytes, &DecodeLimits::default()).unwrap().rgb;
    let big = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
    let mut out = std::io::Cursor::new(Vec::new());
    big.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn bench(c: &mut Criterion) {
    let analyzer = LocalAnalyzer::load_default().expect("the face model (scripts/fetch_assets.py)");
    let limits = DecodeLimits::default();
    let model = face_local::YuNet::load(&face_local::default_model_path()).unwrap();
    let small = decode(&portrait_jpeg(600, 600), &limits).unwrap().rgb;
    c.bench_function(
        "one detector pass 600x600 (the refinement adds 6 on 320x320 crops)",
        |b| b.iter(|| face_local::detect(&model, std::hint::black_box(&small)).unwrap()),
    );
    for (w, h) in [(600, 600), (4000, 3000)] {
        let bytes = portrait_jpeg(w, h);
        c.bench_function(&format!("offline analysis {w}x{h} jpeg"), |b| {
            b.iter(|| {
                let photo = decode(std::hint::black_box(&bytes), &limits).unwrap();
                let faces = analyzer.analyze_image(&photo.rgb).unwrap();
                let m = measure_decoded(&photo, bytes.len() as u64, faces.primary_face(90.0));
                assert_eq!(faces.faces.len(), 1);
                m
            })
        });
    }
}

criterion_group! { name = benches; config = Criterion::default().sample_size(10); targets = bench }
criterion_main!(benches);
