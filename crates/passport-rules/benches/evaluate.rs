//! One evaluation per fixture and profile: should take microseconds.

use criterion::{criterion_group, criterion_main, Criterion};
use passport_model::rekognition_json::DetectFacesResponse;
use passport_model::*;
use passport_rules::{evaluate, icao, us};

fn doc(name: &str) -> ExecutionDocument {
    let path = format!("{}/fixtures/rekognition/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let response: DetectFacesResponse =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut d = ExecutionDocument::new(PhotoRef::new("b", "uploads/a.jpg"));
    d.metadata = Some(ImageMetadata {
        format: ImageFormat::Jpeg,
        content_type: None,
        size_bytes: 300_000,
        width: Some(600),
        height: Some(750),
        color_channels: Some(3),
        bit_depth: Some(8),
        exif_orientation: None,
        analyzable: true,
        problems: vec![],
    });
    d.faces = Some(response.into_analysis());
    d
}

fn bench(c: &mut Criterion) {
    let docs: Vec<_> = ["compliant", "two_faces", "no_face", "roll", "infant"]
        .iter()
        .map(|n| doc(n))
        .collect();
    let (icao, us) = (icao(), us());
    c.bench_function("evaluate 5 fixtures, icao", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| evaluate(std::hint::black_box(d), &icao).checks.len())
                .sum::<usize>()
        })
    });
    c.bench_function("evaluate compliant, us", |b| {
        b.iter(|| evaluate(std::hint::black_box(&docs[0]), &us))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
