use serde::{Deserialize, Serialize};

/// Pixel statistics of the decoded photo (analyze-image). Each part is `None` when it could
/// not be measured; `skipped` says why, in words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageMeasures {
    /// False when the bytes could not be decoded (truncated, corrupt, over the pixel limit).
    pub decodable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decode_error: Option<String>,
    /// Why the pixels were not decoded, as a code the rules turn into advice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undecodable: Option<Undecodable>,
    /// Decoded size after EXIF orientation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// True when every pixel has R = G = B.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greyscale: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<BackgroundMeasures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lighting: Option<LightingMeasures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<ColourMeasures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<ExposureMeasures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharpness: Option<SharpnessMeasures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<CompressionMeasures>,
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// Why a photo's pixels could not be decoded. A damaged file and a photo too large to
/// analyse need different advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Undecodable {
    /// The file ends before the image is complete.
    Truncated,
    /// The data contradicts the format.
    Damaged,
    /// More pixels than the analysis decodes.
    #[serde(rename_all = "camelCase")]
    TooManyPixels {
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    /// More bytes than the analysis downloads.
    #[serde(rename_all = "camelCase")]
    TooManyBytes { bytes: u64, max_bytes: u64 },
    /// Neither JPEG nor PNG.
    UnsupportedFormat,
}

/// The region outside the head.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundMeasures {
    /// Mean CIELAB L* (0..100).
    pub mean_lightness: f64,
    /// Standard deviation of luminance (0..255).
    pub luminance_std_dev: f64,
    /// Mean absolute luminance gradient per pixel (0..255), OFIQ BackgroundUniformity's basis.
    pub mean_gradient: f64,
    pub sampled_pixels: u64,
}

/// Left versus right half of the face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LightingMeasures {
    /// Overlap of the two normalised luminance histograms, 0 (disjoint) .. 1 (identical).
    pub histogram_overlap: f64,
    pub left_mean_luminance: f64,
    pub right_mean_luminance: f64,
}

/// Mean CIELAB chroma of the face skin (cheek regions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColourMeasures {
    pub mean_a: f64,
    pub mean_b: f64,
}

/// Shares (0..1) of face pixels with luminance ≤ 25 and ≥ 247.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExposureMeasures {
    pub under_exposed_share: f64,
    pub over_exposed_share: f64,
}

/// Variance of the 4-neighbour Laplacian of the luminance over the face (or whole image).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharpnessMeasures {
    pub laplacian_variance: f64,
    /// "face" or "image": the region measured.
    pub region: String,
}

/// W·H·3 / file bytes, for JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompressionMeasures {
    pub ratio: f64,
}
