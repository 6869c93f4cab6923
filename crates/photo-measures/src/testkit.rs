//! Photo files as cameras and phones write them, generated for tests: EXIF with an
//! orientation and an embedded JPEG thumbnail, an ICC profile, restart markers, progressive
//! scans, CMYK, greyscale; PNG in several colour types and bit depths. (Feature `testkit`.)

use image::{Rgb, RgbImage};
use jpeg_encoder::{ColorType, Encoder};

/// How to write a JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegStyle {
    pub quality: u8,
    pub progressive: bool,
    pub restart_interval: Option<u16>,
    /// An EXIF APP1 with this orientation, and a thumbnail JPEG inside it.
    pub exif_orientation: Option<u16>,
    pub thumbnail: bool,
    pub icc: bool,
}

impl Default for JpegStyle {
    fn default() -> Self {
        Self {
            quality: 90,
            progressive: false,
            restart_interval: None,
            exif_orientation: None,
            thumbnail: false,
            icc: false,
        }
    }
}

impl JpegStyle {
    /// What a phone camera writes: EXIF with orientation and thumbnail, an ICC profile.
    pub fn camera(orientation: u16) -> Self {
        Self {
            exif_orientation: Some(orientation),
            thumbnail: true,
            icc: true,
            ..Self::default()
        }
    }

    /// Every combination worth testing.
    pub fn all() -> Vec<Self> {
        let mut styles = Vec::new();
        for progressive in [false, true] {
            for restart_interval in [None, Some(4)] {
                for thumbnail in [false, true] {
                    styles.push(Self {
                        progressive,
                        restart_interval,
                        exif_orientation: Some(1),
                        thumbnail,
                        icc: thumbnail,
                        ..Self::default()
                    });
                }
            }
        }
        styles
    }
}

/// A picture with texture and edges everywhere (so every block has AC coefficients):
/// a light background, a darker ellipse, stripes and noise.
pub fn portrait(width: u32, height: u32, seed: u64) -> RgbImage {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut noise = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 24) as i32 - 12
    };
    RgbImage::from_fn(width, height, |x, y| {
        let (cx, cy) = (width as f64 / 2.0, height as f64 * 0.45);
        let (rx, ry) = (width as f64 * 0.22, height as f64 * 0.3);
        let d = ((x as f64 - cx) / rx).powi(2) + ((y as f64 - cy) / ry).powi(2);
        let base: [i32; 3] = if d < 1.0 {
            [196, 150, 120]
        } else if (x / 7 + y / 11) % 5 == 0 {
            [180, 190, 200]
        } else {
            [228, 230, 232]
        };
        let n = noise();
        Rgb(base.map(|c| (c + n).clamp(0, 255) as u8))
    })
}

/// Stores `upright` so that a viewer applying EXIF `orientation` shows `upright` again
/// (the inverse of the orientation's transform).
pub fn stored_for_orientation(upright: &RgbImage, orientation: u16) -> RgbImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate180, rotate270, rotate90};
    match orientation {
        2 => flip_horizontal(upright),
        3 => rotate180(upright),
        4 => flip_vertical(upright),
        // 5: transpose; its own inverse.
        5 => flip_horizontal(&rotate90(upright)),
        // 6: shown rotated 90° clockwise, so stored rotated 90° counter-clockwise.
        6 => rotate270(upright),
        // 7: transverse; its own inverse.
        7 => flip_horizontal(&rotate270(upright)),
        8 => rotate90(upright),
        _ => upright.clone(),
    }
}

/// A little-endian TIFF block for an EXIF APP1: IFD0 with Orientation, and IFD1 naming a
/// JPEG thumbnail stored after it (EXIF 2.3, 4.5.4 and 4.6.3).
pub fn exif_block(orientation: u16, thumbnail: Option<&[u8]>) -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    // IFD0 at 8: 1 entry (12 bytes), then the next-IFD offset.
    let ifd1_offset: u32 = 8 + 2 + 12 + 4;
    t.extend(1u16.to_le_bytes());
    t.extend(0x0112u16.to_le_bytes());
    t.extend(3u16.to_le_bytes());
    t.extend(1u32.to_le_bytes());
    t.extend(u32::from(orientation).to_le_bytes());
    t.extend(if thumbnail.is_some() { ifd1_offset } else { 0 }.to_le_bytes());
    if let Some(thumb) = thumbnail {
        let data_offset: u32 = ifd1_offset + 2 + 2 * 12 + 4;
        t.extend(2u16.to_le_bytes());
        t.extend(0x0201u16.to_le_bytes());
        t.extend(4u16.to_le_bytes());
        t.extend(1u32.to_le_bytes());
        t.extend(data_offset.to_le_bytes());
        t.extend(0x0202u16.to_le_bytes());
        t.extend(4u16.to_le_bytes());
        t.extend(1u32.to_le_bytes());
        t.extend(u32::try_from(thumb.len()).unwrap_or(0).to_le_bytes());
        t.extend(0u32.to_le_bytes());
        t.extend_from_slice(thumb);
    }
    t
}

/// A JPEG of `img` written in `style`. The caller stores the pixels already turned for
/// the orientation (see [`stored_for_orientation`]).
pub fn jpeg(img: &RgbImage, style: JpegStyle) -> Vec<u8> {
    let thumb = style.thumbnail.then(|| {
        let small = image::imageops::thumbnail(img, 160, 120);
        encode(
            small.as_raw(),
            small.width(),
            small.height(),
            ColorType::Rgb,
            JpegStyle {
                quality: 70,
                ..JpegStyle::default()
            },
        )
    });
    let exif = style.exif_orientation.map(|o| exif_block(o, thumb.as_deref()));
    encode_with(
        img.as_raw(),
        img.width(),
        img.height(),
        ColorType::Rgb,
        style,
        exif,
    )
}

/// A CMYK JPEG (Adobe-style, as print workflows export).
pub fn cmyk_jpeg(img: &RgbImage) -> Vec<u8> {
    let cmyk: Vec<u8> = img
        .pixels()
        .flat_map(|p| {
            let [r, g, b] = p.0.map(|c| 255 - c);
            let k = r.min(g).min(b);
            [r - k, g - k, b - k, k]
        })
        .collect();
    encode(
        &cmyk,
        img.width(),
        img.height(),
        ColorType::Cmyk,
        JpegStyle::default(),
    )
}

/// A greyscale JPEG.
pub fn grey_jpeg(img: &RgbImage) -> Vec<u8> {
    let grey = image::imageops::grayscale(img);
    encode(
        grey.as_raw(),
        img.width(),
        img.height(),
        ColorType::Luma,
        JpegStyle::default(),
    )
}

fn encode(data: &[u8], w: u32, h: u32, color: ColorType, style: JpegStyle) -> Vec<u8> {
    encode_with(data, w, h, color, style, None)
}

fn encode_with(
    data: &[u8],
    w: u32,
    h: u32,
    color: ColorType,
    style: JpegStyle,
    exif: Option<Vec<u8>>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, style.quality);
    encoder.set_progressive(style.progressive);
    if let Some(interval) = style.restart_interval {
        encoder.set_restart_interval(interval);
    }
    if let Some(exif) = exif {
        encoder
            .add_exif_metadata(&exif)
            .expect("the EXIF block fits an APP1 segment");
    }
    if style.icc {
        // A stand-in profile body: decoders carry ICC data, they do not parse it.
        let icc: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        encoder.add_icc_profile(&icc).expect("the ICC profile fits");
    }
    let (w16, h16) = (
        u16::try_from(w).expect("JPEG sides fit 16 bits"),
        u16::try_from(h).expect("JPEG sides fit 16 bits"),
    );
    encoder
        .encode(data, w16, h16, color)
        .expect("encoding an in-memory image succeeds");
    out
}

/// A PNG of `img` in the given colour type (8 or 16 bits, grey, RGB, RGBA, palette-free).
pub fn png(img: &RgbImage, color: image::ColorType) -> Vec<u8> {
    let dynamic = image::DynamicImage::ImageRgb8(img.clone());
    let converted = match color {
        image::ColorType::L8 => image::DynamicImage::ImageLuma8(dynamic.to_luma8()),
        image::ColorType::Rgba8 => image::DynamicImage::ImageRgba8(dynamic.to_rgba8()),
        image::ColorType::Rgb16 => image::DynamicImage::ImageRgb16(dynamic.to_rgb16()),
        image::ColorType::Rgba16 => image::DynamicImage::ImageRgba16(dynamic.to_rgba16()),
        _ => dynamic,
    };
    let mut out = Vec::new();
    converted
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encoding an in-memory PNG succeeds");
    out
}

/// Where the entropy-coded data of the main image's first scan lies (for damaging it):
/// segments are skipped by their lengths, so the thumbnail inside APP1 is not taken.
pub fn first_scan_data(jpeg: &[u8]) -> std::ops::Range<usize> {
    let mut pos = 2;
    loop {
        let marker = jpeg[pos + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        if marker == 0xDA {
            let start = pos + 2 + len;
            let mut end = start;
            while !(jpeg[end] == 0xFF && jpeg[end + 1] != 0x00 && !(0xD0..=0xD7).contains(&jpeg[end + 1])) {
                end += 1;
            }
            return start..end;
        }
        pos += 2 + len;
    }
}
