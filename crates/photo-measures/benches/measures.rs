//! Decoding plus every pixel measure on a 600×600 and a 4000×3000 JPEG.

use criterion::{criterion_group, criterion_main, Criterion};
use image::{Rgb, RgbImage};
use passport_model::{BoundingBox, Face};
use photo_measures::{measure, DecodeLimits};

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn bench(c: &mut Criterion) {
    let face = Face::new(
        BoundingBox {
            left: 0.3,
            top: 0.2,
            width: 0.4,
            height: 0.5,
        },
        99.0,
    );
    let limits = DecodeLimits::default();
    for (w, h) in [(600, 600), (4000, 3000)] {
        let bytes = jpeg(w, h);
        c.bench_function(&format!("measure {w}x{h} jpeg"), |b| {
            b.iter(|| measure(std::hint::black_box(&bytes), Some(&face), &limits))
        });
    }
}

criterion_group! { name = benches; config = Criterion::default().sample_size(10); targets = bench }
criterion_main!(benches);
