use image::RgbImage;

use crate::PixelRect;

/// Rec. 709 luma of gamma-encoded sRGB, 0..255.
pub fn luminance(p: [u8; 3]) -> f64 {
    0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])
}

pub fn mean_luminance(img: &RgbImage, rect: PixelRect) -> f64 {
    let mut m = Mean::default();
    for (x, y) in rect.pixels() {
        m.add(luminance(img.get_pixel(x, y).0));
    }
    m.value()
}

/// True when no pixel has a visible tint (JPEG rounding leaves ±2 on truly grey images).
pub(crate) fn is_greyscale(img: &RgbImage) -> bool {
    img.pixels().all(|p| {
        let [r, g, b] = p.0;
        r.abs_diff(g) <= 2 && g.abs_diff(b) <= 2 && r.abs_diff(b) <= 2
    })
}

/// Variance of the 4-neighbour Laplacian of luminance over the rectangle's interior: high
/// for crisp edges, low for blur. Depends on resolution; thresholds are calibrated values.
pub fn laplacian_variance(img: &RgbImage, rect: PixelRect) -> f64 {
    let (w, h) = img.dimensions();
    let x0 = rect.x0.max(1);
    let y0 = rect.y0.max(1);
    let x1 = rect.x1.min(w.saturating_sub(1));
    let y1 = rect.y1.min(h.saturating_sub(1));
    let mut acc = Welford::default();
    let l = |x: u32, y: u32| luminance(img.get_pixel(x, y).0);
    for y in y0..y1 {
        for x in x0..x1 {
            let lap = l(x - 1, y) + l(x + 1, y) + l(x, y - 1) + l(x, y + 1) - 4.0 * l(x, y);
            acc.add(lap);
        }
    }
    acc.variance()
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Mean {
    sum: f64,
    n: u64,
}

impl Mean {
    pub fn add(&mut self, v: f64) {
        self.sum += v;
        self.n += 1;
    }
    pub fn count(&self) -> u64 {
        self.n
    }
    pub fn value(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }
}

/// Running mean and variance (Welford), numerically stable over millions of pixels.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    pub fn add(&mut self, v: f64) {
        self.n += 1;
        let d = v - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (v - self.mean);
    }
    pub fn count(&self) -> u64 {
        self.n
    }
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / self.n as f64
        }
    }
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }
}

/// A normalised 32-bin luminance histogram.
pub(crate) struct Histogram([f64; 32]);

impl Histogram {
    pub fn of(img: &RgbImage, rect: PixelRect) -> Self {
        let mut bins = [0f64; 32];
        let mut n = 0f64;
        for (x, y) in rect.pixels() {
            let l = luminance(img.get_pixel(x, y).0);
            bins[((l / 256.0 * 32.0) as usize).min(31)] += 1.0;
            n += 1.0;
        }
        if n > 0.0 {
            bins.iter_mut().for_each(|b| *b /= n);
        }
        Self(bins)
    }

    /// Σ min(a, b): 1 for identical distributions, 0 for disjoint ones.
    pub fn overlap(&self, other: &Self) -> f64 {
        self.0.iter().zip(other.0.iter()).map(|(a, b)| a.min(*b)).sum()
    }
}
