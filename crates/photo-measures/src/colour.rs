//! sRGB (D65) to CIELAB.

use std::sync::OnceLock;

fn linear_table() -> &'static [f64; 256] {
    static TABLE: OnceLock<[f64; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0f64; 256];
        for (i, v) in t.iter_mut().enumerate() {
            let c = i as f64 / 255.0;
            *v = if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            };
        }
        t
    })
}

fn f(t: f64) -> f64 {
    const D: f64 = 6.0 / 29.0;
    if t > D * D * D {
        t.cbrt()
    } else {
        t / (3.0 * D * D) + 4.0 / 29.0
    }
}

const LIGHTNESS_STEPS: usize = 4096;

/// L* at 4097 evenly spaced relative luminances, for interpolation (error < 0.01 L*).
fn lightness_table() -> &'static [f64; LIGHTNESS_STEPS + 1] {
    static TABLE: OnceLock<[f64; LIGHTNESS_STEPS + 1]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0f64; LIGHTNESS_STEPS + 1];
        for (i, v) in t.iter_mut().enumerate() {
            *v = 116.0 * f(i as f64 / LIGHTNESS_STEPS as f64) - 16.0;
        }
        t
    })
}

/// CIELAB L* alone, from a table: the background pass computes it for every pixel.
pub(crate) fn lightness(p: [u8; 3]) -> f64 {
    let t = linear_table();
    let y =
        (0.2126 * t[p[0] as usize] + 0.7152 * t[p[1] as usize] + 0.0722 * t[p[2] as usize]).clamp(0.0, 1.0);
    let pos = y * LIGHTNESS_STEPS as f64;
    let i = (pos as usize).min(LIGHTNESS_STEPS - 1);
    let l = lightness_table();
    l[i] + (l[i + 1] - l[i]) * (pos - i as f64)
}

/// (L*, a*, b*) of an sRGB pixel.
pub(crate) fn lab(p: [u8; 3]) -> (f64, f64, f64) {
    let t = linear_table();
    let (r, g, b) = (t[p[0] as usize], t[p[1] as usize], t[p[2] as usize]);
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let (fx, fy, fz) = (f(x), f(y), f(z));
    (116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz))
}

#[cfg(test)]
mod tests {
    use super::lab;

    #[test]
    fn known_colours() {
        let (l, a, b) = lab([255, 255, 255]);
        assert!((l - 100.0).abs() < 0.1 && a.abs() < 0.1 && b.abs() < 0.1);
        let (l, _, _) = lab([0, 0, 0]);
        assert!(l.abs() < 1e-9);
        // sRGB red is L* 53.2, a* 80.1, b* 67.2.
        assert!((super::lightness([255, 0, 0]) - 53.2).abs() < 0.5);
        // The table agrees with the exact formula everywhere.
        for v in (0..=255u8).step_by(5) {
            for p in [[v, v, v], [v, 0, 255 - v], [255 - v, v / 2, 30]] {
                assert!((super::lightness(p) - lab(p).0).abs() < 0.05, "{p:?}");
            }
        }
        let (l, a, b) = lab([255, 0, 0]);
        assert!(
            (l - 53.2).abs() < 0.5 && (a - 80.1).abs() < 0.5 && (b - 67.2).abs() < 0.5,
            "{l} {a} {b}"
        );
    }
}
