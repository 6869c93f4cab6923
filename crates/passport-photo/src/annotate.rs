//! The photo with its measurements drawn on it: the face box, the eye centres, the eye
//! line, the crown and the chin, and the bands where the profile allows the crown (head
//! size), the eye line and the face's centre, each coloured by its check's status, with a
//! legend below. Everything is drawn from the verdict's `geometry`, the same ratios an
//! office's front end receives in the rejected notification.

use image::imageops::FilterType;
use image::{Rgb, RgbImage};
use passport_model::{CheckStatus, FaceOverlay, Verdict};
use passport_rules::Limits;

/// Every annotated image is this wide, whatever the photo's size, so that lines and the
/// legend read the same on every photo.
pub const WIDTH: u32 = 480;

pub const PASS: Rgb<u8> = Rgb([0, 160, 60]);
pub const FAIL: Rgb<u8> = Rgb([220, 30, 30]);
pub const WARN: Rgb<u8> = Rgb([235, 150, 0]);
/// A check that was not evaluated, or a band without a check.
pub const NEUTRAL: Rgb<u8> = Rgb([130, 130, 130]);
/// The eye centres: not a check, a landmark.
pub const LANDMARK: Rgb<u8> = Rgb([0, 150, 255]);
const PAPER: Rgb<u8> = Rgb([255, 255, 255]);
const INK: Rgb<u8> = Rgb([20, 20, 20]);

/// How much of a band's colour covers the photo under it.
pub const BAND_ALPHA: f32 = 0.22;
/// Line thickness in pixels.
pub const LINE: u32 = 2;
/// The crown band's bar along the left edge.
pub const CROWN_BAR: u32 = 10;

const GLYPH: u32 = 8;
const TEXT_SCALE: u32 = 2;
const ROW: u32 = GLYPH * TEXT_SCALE + 8;

pub fn status_colour(status: Option<CheckStatus>) -> Rgb<u8> {
    match status {
        Some(CheckStatus::Pass) => PASS,
        Some(CheckStatus::Fail) => FAIL,
        Some(CheckStatus::Warn) => WARN,
        Some(CheckStatus::Skipped) | None => NEUTRAL,
    }
}

fn status(verdict: &Verdict, id: &str) -> Option<CheckStatus> {
    verdict.checks.iter().find(|c| c.id == id).map(|c| c.status)
}

/// Pixel rows and columns of the drawing, from the verdict's ratios: kept apart from the
/// drawing so that tests can ask where a line must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    pub width: u32,
    pub photo_height: u32,
}

impl Layout {
    pub fn for_photo(width: u32, height: u32) -> Self {
        let photo_height =
            ((f64::from(height) * f64::from(WIDTH) / f64::from(width.max(1))).round() as u32).max(1);
        Self {
            width: WIDTH,
            photo_height,
        }
    }

    pub fn x(&self, ratio: f64) -> i64 {
        (ratio * f64::from(self.width)).round() as i64
    }

    pub fn y(&self, ratio: f64) -> i64 {
        (ratio * f64::from(self.photo_height)).round() as i64
    }
}

/// The annotated image: the upright photo scaled to [`WIDTH`], the drawing over it, the
/// legend under it.
pub fn annotate(photo: &RgbImage, verdict: &Verdict, limits: &Limits) -> RgbImage {
    let layout = Layout::for_photo(photo.width(), photo.height());
    let scaled = image::imageops::resize(photo, layout.width, layout.photo_height, FilterType::Triangle);
    let legend = legend_rows(verdict);
    let mut canvas = RgbImage::from_pixel(
        layout.width,
        layout.photo_height + ROW * legend.len() as u32 + 8,
        PAPER,
    );
    image::imageops::replace(&mut canvas, &scaled, 0, 0);
    let mut pen = Pen {
        img: &mut canvas,
        clip_height: layout.photo_height,
    };
    let centre = status_colour(status(verdict, "face.centred"));
    let eye_line = status_colour(status(verdict, "face.eye_line"));
    let head = status_colour(status(verdict, "face.head_size"));
    let frame = status_colour(status(verdict, "face.in_frame"));

    // Bands first, lines over them.
    let off = limits.max_centre_offset;
    pen.band(
        layout.x(0.5 - off),
        0,
        layout.x(0.5 + off),
        i64::from(layout.photo_height),
        centre,
    );
    if let (Some(low), Some(high)) = (limits.eye_line.min, limits.eye_line.max) {
        // Eye line ratios count from the bottom.
        pen.band(
            0,
            layout.y(1.0 - high),
            i64::from(layout.width),
            layout.y(1.0 - low),
            eye_line,
        );
    }
    let Some(g) = verdict.geometry else {
        draw_legend(&mut canvas, layout.photo_height, &legend);
        return canvas;
    };
    if let (Some(chin), Some(small), Some(large)) = (g.chin_y, limits.head_size.min, limits.head_size.max) {
        // The crown must lie between these rows for the head to have an allowed size.
        pen.fill(
            0,
            layout.y(chin - large),
            i64::from(CROWN_BAR),
            layout.y(chin - small),
            head,
        );
    }
    draw_face(&mut pen, &layout, &g, [frame, eye_line, centre, head]);
    draw_legend(&mut canvas, layout.photo_height, &legend);
    canvas
}

/// The annotated image of a photo file, decoded upright as the analysis saw it; `None` when
/// it cannot be read or decoded (its verdict says why).
pub fn annotate_file(path: &std::path::Path, verdict: &Verdict, limits: &Limits) -> Option<RgbImage> {
    let bytes = std::fs::read(path).ok()?;
    let photo = photo_measures::decode(&bytes, &photo_measures::DecodeLimits::default()).ok()?;
    Some(annotate(&photo.rgb, verdict, limits))
}

/// `approved.jpg` → `approved.jpg.annotated.png`: beside its photo's name, never taken for
/// a photo of the same name.
pub fn file_name(photo: &std::path::Path) -> String {
    let name = photo
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{name}.annotated.png")
}

/// The annotated image as a JPEG for the HTML report (a tenth of the PNG's size).
pub fn jpeg(image: &RgbImage) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(image)
        .ok()?;
    Some(out)
}

/// The measured lines: face box, eye line through the eye centres, the vertical through
/// their midpoint, chin and crown.
fn draw_face(
    pen: &mut Pen<'_>,
    layout: &Layout,
    g: &FaceOverlay,
    [frame, eye_line, centre, head]: [Rgb<u8>; 4],
) {
    let b = g.face_box;
    let (left, right) = (layout.x(b.left), layout.x(b.left + b.width));
    pen.rect(left, layout.y(b.top), right, layout.y(b.top + b.height), frame);
    // Chin and crown: as wide as the face box and a bit more, so they read as its limits.
    let reach = (right - left) / 5;
    for y in [g.chin_y, g.crown_y].into_iter().flatten() {
        pen.hline(left - reach, right + reach, layout.y(y), head);
    }
    if let (Some(l), Some(r)) = (g.eye_left, g.eye_right) {
        let mid = ((l.x + r.x) / 2.0, (l.y + r.y) / 2.0);
        pen.hline(0, i64::from(layout.width), layout.y(mid.1), eye_line);
        pen.vline(layout.x(mid.0), 0, i64::from(layout.photo_height), centre);
        for eye in [l, r] {
            pen.cross(layout.x(eye.x), layout.y(eye.y), 6, LANDMARK);
        }
    }
}

/// Each row of the legend: swatches, each with its text.
type LegendRow = Vec<(Rgb<u8>, &'static str)>;

fn legend_rows(verdict: &Verdict) -> Vec<LegendRow> {
    let c = |id| status_colour(status(verdict, id));
    vec![
        vec![(c("face.head_size"), "crown allowed, chin, crown")],
        vec![(c("face.eye_line"), "eye line allowed, measured")],
        vec![(c("face.centred"), "centre allowed, measured")],
        vec![(c("face.in_frame"), "face box"), (LANDMARK, "eye centres")],
        vec![
            (PASS, "pass"),
            (FAIL, "fail"),
            (WARN, "warn"),
            (NEUTRAL, "skipped"),
        ],
    ]
}

fn draw_legend(canvas: &mut RgbImage, top: u32, rows: &[LegendRow]) {
    let clip_height = canvas.height();
    let mut pen = Pen {
        img: canvas,
        clip_height,
    };
    let swatch = i64::from(GLYPH * TEXT_SCALE);
    for (i, row) in rows.iter().enumerate() {
        let y = i64::from(top + 6 + ROW * i as u32);
        let mut x = 8;
        for (colour, text) in row {
            pen.fill(x, y, x + swatch, y + swatch, *colour);
            pen.text(x + swatch + 6, y, text, INK);
            x += swatch + 6 + (text.len() as i64 + 1) * swatch;
        }
    }
}

/// Drawing primitives over an image, clipped to its width and to `clip_height` rows.
struct Pen<'a> {
    img: &'a mut RgbImage,
    clip_height: u32,
}

impl Pen<'_> {
    fn put(&mut self, x: i64, y: i64, colour: Rgb<u8>, alpha: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.img.width()) || y >= i64::from(self.clip_height) {
            return;
        }
        let p = self.img.get_pixel_mut(x as u32, y as u32);
        for (c, new) in p.0.iter_mut().zip(colour.0) {
            *c = (f32::from(*c) * (1.0 - alpha) + f32::from(new) * alpha).round() as u8;
        }
    }

    fn area(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, colour: Rgb<u8>, alpha: f32) {
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        let (x0, x1) = (x0.max(0), x1.min(i64::from(self.img.width())));
        let (y0, y1) = (y0.max(0), y1.min(i64::from(self.clip_height)));
        for y in y0..y1 {
            for x in x0..x1 {
                self.put(x, y, colour, alpha);
            }
        }
    }

    fn band(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, colour: Rgb<u8>) {
        self.area(x0, y0, x1, y1, colour, BAND_ALPHA);
    }

    fn fill(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, colour: Rgb<u8>) {
        self.area(x0, y0, x1, y1, colour, 1.0);
    }

    /// A horizontal line [`LINE`] pixels thick, centred on row `y`.
    fn hline(&mut self, x0: i64, x1: i64, y: i64, colour: Rgb<u8>) {
        let half = i64::from(LINE / 2);
        self.fill(x0, y - half, x1, y - half + i64::from(LINE), colour);
    }

    fn vline(&mut self, x: i64, y0: i64, y1: i64, colour: Rgb<u8>) {
        let half = i64::from(LINE / 2);
        self.fill(x - half, y0, x - half + i64::from(LINE), y1, colour);
    }

    fn rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, colour: Rgb<u8>) {
        self.hline(x0, x1, y0, colour);
        self.hline(x0, x1, y1, colour);
        self.vline(x0, y0, y1, colour);
        self.vline(x1, y0, y1, colour);
    }

    fn cross(&mut self, x: i64, y: i64, arm: i64, colour: Rgb<u8>) {
        self.hline(x - arm, x + arm + 1, y, colour);
        self.vline(x, y - arm, y + arm + 1, colour);
    }

    /// Text in the 8×8 public-domain bitmap font, scaled by [`TEXT_SCALE`].
    fn text(&mut self, x: i64, y: i64, text: &str, colour: Rgb<u8>) {
        let scale = i64::from(TEXT_SCALE);
        for (i, ch) in text.chars().enumerate() {
            // ASCII only: the legend's texts are ours.
            let glyph = font8x8::legacy::BASIC_LEGACY
                .get(ch as usize)
                .copied()
                .unwrap_or([0; 8]);
            let left = x + i as i64 * i64::from(GLYPH) * scale;
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8 {
                    if bits & (1 << col) != 0 {
                        let (px, py) = (left + col * scale, y + row as i64 * scale);
                        self.fill(px, py, px + scale, py + scale, colour);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use passport_model::{BoundingBox, CheckResult, Outcome, Point};

    const GREY: Rgb<u8> = Rgb([100, 100, 100]);

    fn check(id: &str, status: CheckStatus) -> CheckResult {
        CheckResult {
            id: id.to_owned(),
            status,
            measured: serde_json::Value::Null,
            limit: String::new(),
            message: String::new(),
        }
    }

    fn verdict() -> Verdict {
        Verdict {
            outcome: Outcome::Rejected,
            profile: "icao".into(),
            analyzer: None,
            checks: vec![
                check("face.head_size", CheckStatus::Fail),
                check("face.eye_line", CheckStatus::Pass),
                check("face.centred", CheckStatus::Warn),
                check("face.in_frame", CheckStatus::Pass),
            ],
            geometry: Some(FaceOverlay {
                face_box: BoundingBox {
                    left: 0.3,
                    top: 0.3,
                    width: 0.4,
                    height: 0.4,
                },
                eye_left: Some(Point { x: 0.4, y: 0.45 }),
                eye_right: Some(Point { x: 0.6, y: 0.45 }),
                chin_y: Some(0.9),
                crown_y: Some(0.14),
            }),
        }
    }

    fn blend(under: Rgb<u8>, over: Rgb<u8>) -> Rgb<u8> {
        let mut out = under;
        for (c, o) in out.0.iter_mut().zip(over.0) {
            *c = (f32::from(*c) * (1.0 - BAND_ALPHA) + f32::from(o) * BAND_ALPHA).round() as u8;
        }
        out
    }

    #[test]
    fn lines_and_bands_sit_where_the_verdict_and_the_profile_say() {
        let limits = passport_rules::icao().limits;
        let photo = RgbImage::from_pixel(600, 800, GREY);
        let img = annotate(&photo, &verdict(), &limits);
        let layout = Layout::for_photo(600, 800);
        assert_eq!((img.width(), layout.photo_height), (480, 640));
        assert!(img.height() > 640, "the legend is below the photo");
        let at = |x: i64, y: i64| *img.get_pixel(x as u32, y as u32);

        // Face box (in_frame passes): its left edge, away from the other lines.
        assert_eq!(at(layout.x(0.3), layout.y(0.35)), PASS);
        // The eye line through the eye centres (eye_line passes), far right of the face.
        assert_eq!(at(470, layout.y(0.45)), PASS);
        // The vertical through the eye midpoint (centred warns), low in the photo.
        assert_eq!(at(layout.x(0.5), layout.y(0.95)), WARN);
        // The chin and the crown (head size fails).
        assert_eq!(at(layout.x(0.45), layout.y(0.9)), FAIL);
        assert_eq!(at(layout.x(0.45), layout.y(0.14)), FAIL);
        // An eye centre: the landmark cross.
        assert_eq!(at(layout.x(0.4), layout.y(0.45) - 4), LANDMARK);

        // Bands: the eye-line band spans (1 - max)..(1 - min) of the height, in the eye
        // line's colour; outside every band the photo is untouched.
        let (low, high) = (limits.eye_line.min.unwrap(), limits.eye_line.max.unwrap());
        let band_row = layout.y(1.0 - (low + high) / 2.0) + 5;
        assert_eq!(at(20, band_row), blend(GREY, PASS));
        assert_eq!(at(20, layout.y(1.0 - high) - 3), GREY);
        assert_eq!(at(20, layout.y(1.0 - low) + 3), GREY);
        // The centre band, in the centring check's colour, where no other band lies.
        let off = limits.max_centre_offset;
        assert_eq!(at(layout.x(0.5 + off) - 3, layout.y(0.97)), blend(GREY, WARN));
        assert_eq!(at(layout.x(0.5 + off) + 3, layout.y(0.97)), GREY);
        // The crown bar: solid where the crown may be, absent elsewhere.
        let (small, large) = (limits.head_size.min.unwrap(), limits.head_size.max.unwrap());
        assert_eq!(at(3, layout.y(0.9 - (small + large) / 2.0)), FAIL);
        assert_eq!(at(3, layout.y(0.9 - small) + 3), GREY);
        assert_eq!(at(3, layout.y(0.9 - large) - 3), GREY);
    }

    #[test]
    fn a_verdict_without_a_face_still_gets_the_bands_and_a_legend() {
        let limits = passport_rules::icao().limits;
        let mut v = verdict();
        v.geometry = None;
        v.checks.clear();
        let img = annotate(&RgbImage::from_pixel(300, 300, GREY), &v, &limits);
        assert_eq!(img.width(), WIDTH);
        let layout = Layout::for_photo(300, 300);
        // Unevaluated checks colour their bands neutral.
        assert_eq!(
            *img.get_pixel(WIDTH / 2, layout.photo_height - 2),
            blend(GREY, NEUTRAL)
        );
        // The legend's first swatch, under the photo.
        assert_eq!(*img.get_pixel(12, layout.photo_height + 10), NEUTRAL);
    }
}
