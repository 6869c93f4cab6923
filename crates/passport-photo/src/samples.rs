//! The demo's sample photos, derived deterministically from the pinned sample portraits
//! (scripts/fetch_assets.py checks their sha256): crops, scales and pads chosen so that one
//! photo meets the default profile and the others each fail for a different reason.
//! `passport-photo samples DIR` writes them; `./scripts/run-local.sh` checks them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{Rgb, RgbImage};

/// What the default (icao) profile is expected to say about a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Approved,
    /// Rejected, with this check among the failed ones.
    Rejected(&'static str),
}

/// One derived sample.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub file: &'static str,
    pub expected: Expected,
    /// What the sample shows, for the demo's listing.
    pub shows: &'static str,
    derivation: Derivation,
}

#[derive(Debug, Clone, Copy)]
enum Derivation {
    /// A window of a source portrait (it may reach past the edges: padded with `pad`),
    /// scaled to `size`, in colour or grey, saved as JPEG.
    Crop {
        source: &'static str,
        window: (i32, i32, u32, u32),
        pad: [u8; 3],
        size: (u32, u32),
        grey: bool,
    },
    /// A source file as it is.
    Copy { source: &'static str },
    /// Bytes that are not an image, with a photo's name.
    Text { text: &'static str },
}

/// Light grey of the astronaut portrait's backdrop, for padding above her head.
const BACKDROP: [u8; 3] = [208, 206, 204];

/// The passport crop of the astronaut portrait: eyes at 40 % from the top, the head
/// (twice the eyes-to-chin distance) 75 % of the height, 35:45 like the printed photo.
const PASSPORT_WINDOW: (i32, i32, u32, u32) = (159, 36, 132, 170);
const PASSPORT_SIZE: (u32, u32) = (600, 772);

const fn astronaut(window: (i32, i32, u32, u32), size: (u32, u32), grey: bool) -> Derivation {
    Derivation::Crop {
        source: "astronaut.png",
        window,
        pad: BACKDROP,
        size,
        grey,
    }
}

pub const SAMPLES: &[Sample] = &[
    Sample {
        file: "approved.jpg",
        expected: Expected::Approved,
        shows: "the astronaut portrait cropped to passport geometry",
        derivation: astronaut(PASSPORT_WINDOW, PASSPORT_SIZE, false),
    },
    Sample {
        file: "head-too-small.jpg",
        expected: Expected::Rejected("face.head_size"),
        shows: "a wider crop: the head is half the height",
        derivation: astronaut((126, 2, 198, 254), PASSPORT_SIZE, false),
    },
    Sample {
        file: "off-centre.jpg",
        expected: Expected::Rejected("face.centred"),
        shows: "the passport crop moved sideways: the face is left of centre",
        derivation: astronaut((175, 36, 132, 170), PASSPORT_SIZE, false),
    },
    Sample {
        file: "greyscale.jpg",
        expected: Expected::Rejected("image.colour"),
        shows: "the passport crop in black and white",
        derivation: astronaut(PASSPORT_WINDOW, PASSPORT_SIZE, true),
    },
    Sample {
        file: "too-few-pixels.jpg",
        expected: Expected::Rejected("image.dimensions"),
        shows: "the passport crop at 240×309 pixels",
        derivation: astronaut(PASSPORT_WINDOW, (240, 309), false),
    },
    Sample {
        file: "square.jpg",
        expected: Expected::Rejected("image.aspect"),
        shows: "the whole portrait, 600×600: square, and the head too small",
        derivation: astronaut((0, 0, 512, 512), (600, 600), false),
    },
    Sample {
        file: "no-face.jpg",
        expected: Expected::Rejected("face.count"),
        shows: "a rocket: no face",
        derivation: Derivation::Copy { source: "rocket.jpg" },
    },
    Sample {
        file: "notes.jpg",
        expected: Expected::Rejected("file.format"),
        shows: "a text file named .jpg",
        derivation: Derivation::Text {
            text: "not a photo at all\n",
        },
    },
];

/// Writes every sample into `out` from the portraits in `assets` (the cached
/// `.cache/assets/photos`); returns the files written, in `SAMPLES` order.
pub fn write_samples(assets: &Path, out: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut portraits = Portraits {
        dir: assets,
        decoded: HashMap::new(),
    };
    let mut written = Vec::new();
    for sample in SAMPLES {
        let bytes = sample.derive(&mut portraits)?;
        let path = out.join(sample.file);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The source portraits, each read and decoded once however many samples use it.
struct Portraits<'a> {
    dir: &'a Path,
    decoded: HashMap<&'static str, RgbImage>,
}

impl Portraits<'_> {
    fn bytes(&self, name: &str) -> Result<Vec<u8>, String> {
        let path = self.dir.join(name);
        std::fs::read(&path).map_err(|e| {
            format!(
                "cannot read the sample portrait {} ({e}): run `python3 scripts/fetch_assets.py`",
                path.display()
            )
        })
    }

    fn image(&mut self, name: &'static str) -> Result<&RgbImage, String> {
        if !self.decoded.contains_key(name) {
            let img = image::load_from_memory(&self.bytes(name)?)
                .map_err(|e| format!("{name}: {e}"))?
                .to_rgb8();
            self.decoded.insert(name, img);
        }
        Ok(&self.decoded[name])
    }
}

impl Sample {
    /// The sample's bytes.
    fn derive(&self, portraits: &mut Portraits<'_>) -> Result<Vec<u8>, String> {
        match self.derivation {
            Derivation::Text { text } => Ok(text.as_bytes().to_vec()),
            Derivation::Copy { source } => portraits.bytes(source),
            Derivation::Crop {
                source,
                window,
                pad,
                size,
                grey,
            } => {
                let framed = crop_padded(portraits.image(source)?, window, Rgb(pad));
                let scaled = image::imageops::resize(&framed, size.0, size.1, FilterType::Lanczos3);
                let mut jpeg = Vec::new();
                let mut encoder = JpegEncoder::new_with_quality(&mut jpeg, 92);
                let encoded = if grey {
                    encoder.encode_image(&image::DynamicImage::ImageRgb8(scaled).to_luma8())
                } else {
                    encoder.encode_image(&scaled)
                };
                encoded.map_err(|e| format!("{}: {e}", self.file))?;
                Ok(jpeg)
            }
        }
    }
}

/// The `(x, y, w, h)` window of `img`; where it reaches past the edges, `pad`.
fn crop_padded(img: &RgbImage, (x0, y0, w, h): (i32, i32, u32, u32), pad: Rgb<u8>) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let (sx, sy) = (x0 + x as i32, y0 + y as i32);
        if sx >= 0 && sy >= 0 && (sx as u32) < img.width() && (sy as u32) < img.height() {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            pad
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_past_the_edges_is_padded() {
        let img = RgbImage::from_pixel(4, 4, Rgb([1, 2, 3]));
        let out = crop_padded(&img, (-2, 2, 4, 4), Rgb([9, 9, 9]));
        assert_eq!(*out.get_pixel(0, 0), Rgb([9, 9, 9]));
        assert_eq!(*out.get_pixel(2, 0), Rgb([1, 2, 3]));
        assert_eq!(*out.get_pixel(3, 1), Rgb([1, 2, 3]));
        assert_eq!(*out.get_pixel(3, 2), Rgb([9, 9, 9]));
    }

    #[test]
    fn every_sample_has_its_own_file_name() {
        let mut names: Vec<_> = SAMPLES.iter().map(|s| s.file).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SAMPLES.len());
    }
}
