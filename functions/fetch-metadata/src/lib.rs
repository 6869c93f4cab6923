//! fetch-metadata: reads what the header of the exact uploaded version says, from at most
//! its first 64 KiB (HeadObject, then one ranged GetObject): never the whole object.

use lambda_support::{parse_input, ErrorName, StepError};
use passport_model::{ImageMetadata, ObjectStore, PhotoRef, PortError};
use photo_header::HEADER_PREFIX_BYTES;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Input {
    photo: PhotoRef,
}

#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("the input has no valid photo reference: {0}")]
    InvalidInput(#[source] serde_json::Error),
    #[error("reading the photo failed")]
    Store(#[source] PortError),
}

impl StepError for MetadataError {
    fn error_name(&self) -> ErrorName {
        match self {
            Self::InvalidInput(_) => ErrorName::InvalidInput,
            Self::Store(e) => ErrorName::of_port(e),
        }
    }
}

pub async fn handle<S: ObjectStore>(payload: Value, store: &S) -> Result<ImageMetadata, MetadataError> {
    let Input { photo } = parse_input(payload).map_err(MetadataError::InvalidInput)?;
    let head = store.head(&photo).await.map_err(MetadataError::Store)?;
    let prefix = if head.size == 0 {
        Vec::new()
    } else {
        let len = head.size.min(HEADER_PREFIX_BYTES);
        store
            .read_range(&photo, 0, len)
            .await
            .map_err(MetadataError::Store)?
    };
    let metadata = photo_header::inspect(&prefix, head.size, head.content_type);
    tracing::info!(
        photo = %photo.uri(),
        format = ?metadata.format,
        width = metadata.width,
        height = metadata.height,
        analyzable = metadata.analyzable,
        problems = ?metadata.problems,
        "metadata read"
    );
    Ok(metadata)
}

#[cfg(test)]
mod tests;
