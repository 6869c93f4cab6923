use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, RgbImage};
use passport_model::ImageFormat;
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

use crate::integrity::{self, Damage};

/// Bounds that keep a hostile file (a decompression bomb) from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Width × height refused beyond this, before any pixel is decoded.
    pub max_pixels: u64,
    /// The decoder's own allocation ceiling, in bytes.
    pub max_alloc_bytes: u64,
}

/// Phone cameras reach 50 MP (8160×6120) and 64 MP in their full-resolution modes.
pub const DEFAULT_MAX_PIXELS: u64 = 64_000_000;

impl Default for DecodeLimits {
    /// 64 MP of RGB is 192 MB, and an EXIF rotation copies it once: 512 MiB of decoder
    /// memory fits analyze-image's 1 GB.
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
            max_alloc_bytes: 512 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    UnsupportedFormat,
    TooManyPixels {
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    Truncated,
    Corrupt(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnsupportedFormat => write!(f, "the file is neither JPEG nor PNG"),
            Self::TooManyPixels {
                width,
                height,
                max_pixels,
            } => write!(
                f,
                "the image has {width}×{height} pixels, more than the {max_pixels} that can be analysed"
            ),
            Self::Truncated => write!(f, "the image data ends early (the file is truncated)"),
            Self::Corrupt(why) => write!(f, "the image data is damaged: {why}"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// The document's code for this failure.
    pub fn undecodable(&self) -> passport_model::Undecodable {
        use passport_model::Undecodable as U;
        match self {
            Self::UnsupportedFormat => U::UnsupportedFormat,
            Self::TooManyPixels {
                width,
                height,
                max_pixels,
            } => U::TooManyPixels {
                width: *width,
                height: *height,
                max_pixels: *max_pixels,
            },
            Self::Truncated => U::Truncated,
            Self::Corrupt(_) => U::Damaged,
        }
    }
}

/// A decoded photo, oriented as Rekognition sees it.
#[derive(Debug, Clone)]
pub struct DecodedPhoto {
    pub rgb: RgbImage,
    pub format: ImageFormat,
}

/// Decodes JPEG or PNG bytes within `limits`, applying the EXIF orientation of JPEGs (as
/// Rekognition does, so face ratios and pixels agree). Only a complete, well-formed file
/// decodes: truncation and damage are errors, never grey fill (see [`crate::integrity`]).
pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedPhoto, DecodeError> {
    match crate::sniff(bytes) {
        Some(ImageFormat::Jpeg) => decode_jpeg(bytes, limits),
        Some(ImageFormat::Png) => decode_png(bytes, limits),
        _ => Err(DecodeError::UnsupportedFormat),
    }
}

fn damaged(d: Damage) -> DecodeError {
    match d {
        Damage::Truncated => DecodeError::Truncated,
        Damage::Corrupt(why) => DecodeError::Corrupt(why),
    }
}

fn check_size(
    width: u64,
    height: u64,
    bytes_per_pixel: u64,
    limits: &DecodeLimits,
) -> Result<(), DecodeError> {
    if width * height > limits.max_pixels {
        return Err(DecodeError::TooManyPixels {
            width: u32::try_from(width).unwrap_or(u32::MAX),
            height: u32::try_from(height).unwrap_or(u32::MAX),
            max_pixels: limits.max_pixels,
        });
    }
    if width * height * bytes_per_pixel > limits.max_alloc_bytes {
        return Err(DecodeError::Corrupt(format!(
            "decoding needs more than the decoder's {} bytes of memory",
            limits.max_alloc_bytes
        )));
    }
    Ok(())
}

/// zune-jpeg (the decoder `image` uses) in strict mode: an invalid Huffman code, a scan
/// that runs out of data or a marker where none belongs is an error.
///
/// The pixel limit is applied first, from the headers alone: a decompression bomb is "too
/// large", and following its entropy-coded data would cost what the limit is there to spare.
fn decode_jpeg(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedPhoto, DecodeError> {
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::MAX)
        .set_max_height(usize::MAX);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    if let Err(e) = decoder.decode_headers() {
        // The walk names truncation and damage more precisely than the decoder's words.
        integrity::check_jpeg(bytes).map_err(damaged)?;
        return Err(jpeg_error(e));
    }
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| DecodeError::Corrupt("no frame header".into()))?;
    check_size(width as u64, height as u64, 3, limits)?;
    integrity::check_jpeg(bytes).map_err(damaged)?;
    let grey = matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::Luma | ColorSpace::LumaA)
    );
    let out = if grey { ColorSpace::Luma } else { ColorSpace::RGB };
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(out));
    let pixels = decoder.decode().map_err(jpeg_error)?;
    let (w, h) = (
        u32::try_from(width).unwrap_or(0),
        u32::try_from(height).unwrap_or(0),
    );
    let mut img = if grey {
        GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
    } else {
        RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
    }
    .ok_or_else(|| DecodeError::Corrupt("the decoder returned too few pixels".into()))?;
    if let Some(o) = decoder.exif().and_then(|e| Orientation::from_exif_chunk(e)) {
        img.apply_orientation(o);
    }
    Ok(DecodedPhoto {
        rgb: img.into_rgb8(),
        format: ImageFormat::Jpeg,
    })
}

fn jpeg_error(e: zune_jpeg::errors::DecodeErrors) -> DecodeError {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("premature end") || lower.contains("eof") || lower.contains("no more bytes") {
        DecodeError::Truncated
    } else {
        DecodeError::Corrupt(text)
    }
}

fn decode_png(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedPhoto, DecodeError> {
    // The chunk walk is linear in the file, so it may come before the pixel limit.
    integrity::check_png(bytes).map_err(damaged)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Png);
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc_bytes);
    reader.limits(image_limits);
    let decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    check_size(u64::from(width), u64::from(height), 3, limits)?;
    let img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok(DecodedPhoto {
        rgb: img.into_rgb8(),
        format: ImageFormat::Png,
    })
}

fn corrupt(e: image::ImageError) -> DecodeError {
    match e {
        image::ImageError::Limits(l) => {
            DecodeError::Corrupt(format!("over the decoder's memory limit ({l})"))
        }
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            DecodeError::Truncated
        }
        other => {
            let text = other.to_string();
            if text.to_ascii_lowercase().contains("eof") || text.contains("end of") {
                DecodeError::Truncated
            } else {
                DecodeError::Corrupt(text)
            }
        }
    }
}
