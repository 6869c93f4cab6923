use serde::{Deserialize, Serialize};

/// What the file header says, read from the first bytes only (fetch-metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageMetadata {
    /// Detected from magic bytes, never from the extension or Content-Type.
    pub format: ImageFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub size_bytes: u64,
    /// Pixel size after EXIF orientation (width and height swapped for rotated orientations).
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub color_channels: Option<u8>,
    #[serde(default)]
    pub bit_depth: Option<u8>,
    #[serde(default)]
    pub exif_orientation: Option<u16>,
    /// False when the file cannot be sent to face detection at all.
    pub analyzable: bool,
    #[serde(default)]
    pub problems: Vec<MetadataProblem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
    Bmp,
    Tiff,
    Heic,
    Avif,
    Svg,
    Unknown,
}

impl ImageFormat {
    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Gif => "GIF",
            Self::Webp => "WebP",
            Self::Bmp => "BMP",
            Self::Tiff => "TIFF",
            Self::Heic => "HEIC",
            Self::Avif => "AVIF",
            Self::Svg => "SVG",
            Self::Unknown => "unknown",
        }
    }
}

/// Why a file is not (fully) analyzable. Stable camelCase codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MetadataProblem {
    /// Zero bytes.
    EmptyFile,
    /// Not JPEG or PNG by its magic bytes.
    UnsupportedFormat,
    /// The magic bytes say JPEG/PNG but the header is damaged.
    CorruptHeader,
    /// The frame header was not within the bytes read; dimensions come from decoding later.
    HeaderIncomplete,
    /// Over Rekognition's 15 MB limit for S3 objects.
    TooLargeForAnalysis,
    /// Under Rekognition's 80 px minimum on a side.
    TooSmallForAnalysis,
}

impl MetadataProblem {
    /// Problems that stop the file from being analyzed at all.
    pub fn blocks_analysis(self) -> bool {
        !matches!(self, Self::HeaderIncomplete)
    }
}
