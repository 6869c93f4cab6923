//! Thousands of mutated JPEGs and PNGs (bit flips, overwrites, truncations, insertions,
//! deletions) through fetch-metadata's header reader and analyze-image's decoder: never a
//! panic, never a hang, memory bounded by the decode limits, and every truncated file
//! reported as damaged.

use std::sync::mpsc;
use std::time::Duration;

use photo_header::{inspect, HEADER_PREFIX_BYTES};
use photo_measures::testkit::{self, JpegStyle};
use photo_measures::{measure, DecodeLimits};

/// xorshift64*: deterministic, so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let img = testkit::portrait(96, 80, 7);
    let mut seeds: Vec<(String, Vec<u8>)> = JpegStyle::all()
        .into_iter()
        .map(|style| (format!("{style:?}"), testkit::jpeg(&img, style)))
        .collect();
    seeds.push(("cmyk".into(), testkit::cmyk_jpeg(&img)));
    seeds.push(("grey".into(), testkit::grey_jpeg(&img)));
    for color in [
        image::ColorType::Rgb8,
        image::ColorType::Rgba16,
        image::ColorType::L8,
    ] {
        seeds.push((format!("png {color:?}"), testkit::png(&img, color)));
    }
    seeds
}

fn mutate(file: &[u8], rng: &mut Rng) -> (String, Vec<u8>) {
    let mut f = file.to_vec();
    let at = rng.below(f.len());
    match rng.below(5) {
        0 => {
            let flips = 1 + rng.below(8);
            for _ in 0..flips {
                let i = rng.below(f.len());
                f[i] ^= 1 << rng.below(8);
            }
            (format!("{flips} bit flips"), f)
        }
        1 => {
            let len = (1 + rng.below(64)).min(f.len() - at);
            for b in &mut f[at..at + len] {
                *b = rng.next() as u8;
            }
            (format!("{len} bytes overwritten at {at}"), f)
        }
        2 => {
            f.truncate(at);
            (format!("truncated at {at}"), f)
        }
        3 => {
            let len = 1 + rng.below(32);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            f.splice(at..at, bytes);
            (format!("{len} bytes inserted at {at}"), f)
        }
        _ => {
            let len = (1 + rng.below(32)).min(f.len() - at);
            f.drain(at..at + len);
            (format!("{len} bytes deleted at {at}"), f)
        }
    }
}

/// Limits far below the defaults, so a mutated header claiming a huge picture is refused
/// before allocation, as analyze-image refuses bombs.
fn limits() -> DecodeLimits {
    DecodeLimits {
        max_pixels: 4_000_000,
        max_alloc_bytes: 64 * 1024 * 1024,
    }
}

/// Reads and decodes one file as the functions do; Err(case) if it panicked.
fn run_case(bytes: &[u8]) -> Result<bool, String> {
    std::panic::catch_unwind(|| {
        let prefix = &bytes[..bytes.len().min(HEADER_PREFIX_BYTES as usize)];
        let _ = inspect(prefix, bytes.len() as u64, None);
        measure(bytes, None, &limits()).decodable
    })
    .map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn mutated_photos_never_panic_hang_or_pass_for_whole_when_truncated() {
    const MUTATIONS_PER_SEED: usize = 300;
    let seeds = seeds();
    let (tx, rx) = mpsc::channel();
    // The work runs on its own thread so that a hang fails the test instead of stalling it.
    let worker = std::thread::spawn(move || {
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        let mut problems = Vec::new();
        let mut cases = 0usize;
        for (name, file) in &seeds {
            assert_eq!(run_case(file), Ok(true), "the unmutated {name} must decode");
            for _ in 0..MUTATIONS_PER_SEED {
                let (what, bad) = mutate(file, &mut rng);
                cases += 1;
                match run_case(&bad) {
                    Err(panic) => problems.push(format!("{name}, {what}: panicked: {panic}")),
                    Ok(true) if bad.len() < file.len() && file.starts_with(&bad) => {
                        problems.push(format!("{name}, {what}: a truncated file decoded as whole"))
                    }
                    Ok(_) => {}
                }
                tx.send(()).ok();
            }
        }
        (cases, problems)
    });
    let total = 13 * MUTATIONS_PER_SEED;
    for _ in 0..total {
        rx.recv_timeout(Duration::from_secs(60))
            .expect("one mutated file took over a minute: a hang");
    }
    let (cases, problems) = worker.join().expect("the worker ran to its end");
    assert!(cases >= 3000, "only {cases} cases ran");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    if let Some(kib) = peak_rss_kib() {
        assert!(
            kib < 1024 * 1024,
            "peak memory {kib} KiB: the decode limits did not hold"
        );
    }
}
