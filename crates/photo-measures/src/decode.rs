use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};
use passport_model::ImageFormat;

/// Bounds that keep a hostile file (a decompression bomb) from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Width × height refused beyond this, before any pixel is decoded.
    pub max_pixels: u64,
    /// The decoder's own allocation ceiling, in bytes.
    pub max_alloc_bytes: u64,
}

impl Default for DecodeLimits {
    /// 40 MP covers today's phone cameras; 512 MiB fits analyze-image's memory size.
    fn default() -> Self {
        Self {
            max_pixels: 40_000_000,
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
                "the image has {width}×{height} pixels, more than the {max_pixels} allowed"
            ),
            Self::Truncated => write!(f, "the image data ends early (the file is truncated)"),
            Self::Corrupt(why) => write!(f, "the image data is damaged: {why}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// A decoded photo, oriented as Rekognition sees it.
#[derive(Debug, Clone)]
pub struct DecodedPhoto {
    pub rgb: RgbImage,
    pub format: ImageFormat,
}

/// Decodes JPEG or PNG bytes within `limits`, applying the EXIF orientation of JPEGs (as
/// Rekognition does, so face ratios and pixels agree).
pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedPhoto, DecodeError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    let format = match reader.format() {
        Some(image::ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Some(image::ImageFormat::Png) => ImageFormat::Png,
        _ => return Err(DecodeError::UnsupportedFormat),
    };
    if format == ImageFormat::Jpeg && !jpeg_has_end_marker(bytes) {
        return Err(DecodeError::Truncated);
    }
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc_bytes);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(DecodeError::TooManyPixels {
            width,
            height,
            max_pixels: limits.max_pixels,
        });
    }
    let orientation = match format {
        ImageFormat::Jpeg => decoder.orientation().ok(),
        _ => None,
    };
    let mut img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(DecodedPhoto {
        rgb: img.into_rgb8(),
        format,
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

/// JPEG decoders fill a truncated scan with grey instead of failing; an End Of Image
/// marker after the first Start Of Scan proves the primary image is whole. Inside
/// entropy-coded data 0xFF is always stuffed, so any FF D9 there is a real marker.
fn jpeg_has_end_marker(bytes: &[u8]) -> bool {
    let Some(sos) = bytes.windows(2).position(|w| w == [0xFF, 0xDA]) else {
        return false;
    };
    bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9])
}
