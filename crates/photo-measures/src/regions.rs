use passport_model::BoundingBox;

/// A rectangle of pixels, `x0..x1` × `y0..y1` (ends exclusive), never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelRect {
    pub fn whole(width: u32, height: u32) -> Self {
        Self {
            x0: 0,
            y0: 0,
            x1: width,
            y1: height,
        }
    }

    /// The part of a ratio rectangle inside a `width`×`height` image; `None` when nothing
    /// of it is inside or its numbers are not finite.
    pub fn from_ratios(
        left: f64,
        top: f64,
        right: f64,
        bottom: f64,
        width: u32,
        height: u32,
    ) -> Option<Self> {
        if ![left, top, right, bottom].iter().all(|v| v.is_finite()) {
            return None;
        }
        let clamp = |v: f64, max: u32| (v * f64::from(max)).round().clamp(0.0, f64::from(max)) as u32;
        let r = Self {
            x0: clamp(left, width),
            y0: clamp(top, height),
            x1: clamp(right, width),
            y1: clamp(bottom, height),
        };
        (r.x1 > r.x0 && r.y1 > r.y0).then_some(r)
    }

    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }

    pub fn contains(&self, x: u32, y: u32) -> bool {
        (self.x0..self.x1).contains(&x) && (self.y0..self.y1).contains(&y)
    }

    pub fn pixels(self) -> impl Iterator<Item = (u32, u32)> {
        (self.y0..self.y1).flat_map(move |y| (self.x0..self.x1).map(move |x| (x, y)))
    }

    /// Left and right halves, when there are at least two columns.
    pub fn split_vertically(&self) -> Option<(Self, Self)> {
        if self.width() < 2 {
            return None;
        }
        let mid = self.x0 + self.width() / 2;
        Some((Self { x1: mid, ..*self }, Self { x0: mid, ..*self }))
    }
}

/// The face box shrunk by 10 % on each side: skin, not hair or background.
pub(crate) fn face_rect(b: &BoundingBox, width: u32, height: u32) -> Option<PixelRect> {
    PixelRect::from_ratios(
        b.left + 0.1 * b.width,
        b.top + 0.1 * b.height,
        b.left + 0.9 * b.width,
        b.top + 0.9 * b.height,
        width,
        height,
    )
}

/// Head, hair, neck and shoulders: the box grown sideways and upwards, down to the bottom.
pub(crate) fn head_rect(b: &BoundingBox, width: u32, height: u32) -> PixelRect {
    PixelRect::from_ratios(
        b.left - 0.25 * b.width,
        b.top - 0.5 * b.height,
        b.left + 1.25 * b.width,
        1.0,
        width,
        height,
    )
    .unwrap_or(PixelRect {
        x0: 0,
        y0: 0,
        x1: 0,
        y1: 0,
    })
}

pub(crate) fn cheek_rects(b: &BoundingBox, width: u32, height: u32) -> Vec<PixelRect> {
    [(0.2, 0.4), (0.6, 0.8)]
        .into_iter()
        .filter_map(|(l, r)| {
            PixelRect::from_ratios(
                b.left + l * b.width,
                b.top + 0.5 * b.height,
                b.left + r * b.width,
                b.top + 0.7 * b.height,
                width,
                height,
            )
        })
        .collect()
}

/// A stride that samples at most about a million pixels of a large image.
pub(crate) fn sampling_step(width: u32, height: u32) -> usize {
    let pixels = f64::from(width) * f64::from(height);
    ((pixels / 1_000_000.0).sqrt().ceil() as usize).max(1)
}
