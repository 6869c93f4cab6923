//! fetch-metadata: reads what the header of the exact uploaded version says, from at most
//! its first 64 KiB (HeadObject, then one ranged GetObject): never the whole object. It also
//! tells what is already known of that version: the face analysis an earlier validation
//! kept, so that a version's faces are paid for once (README: Re-validate after a rules
//! change).

use lambda_support::{parse_input, ErrorName, StepError};
use passport_model::{FaceAnalysis, ImageMetadata, ObjectStore, PhotoRef, PortError, PortErrorKind};
use photo_header::HEADER_PREFIX_BYTES;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A kept analysis is a few kilobytes; anything far larger is not one of ours.
pub const MAX_ANALYSIS_BYTES: u64 = 256 * 1024;

#[derive(Debug, Deserialize)]
struct Input {
    photo: PhotoRef,
}

/// Where the face analyses of photo versions are kept (`FACE_ANALYSES_PREFIX`), in the
/// photo's bucket; none turns the lookup off.
#[derive(Debug, Clone, Default)]
pub struct FaceAnalyses {
    pub prefix: Option<String>,
}

/// The step's output (`$.metadata`): the header's metadata, and what is known of the version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fetched {
    #[serde(flatten)]
    pub metadata: ImageMetadata,
    /// The version's ETag as S3 gives it, without the quotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
    /// The version read, when the reference named none (a re-validation's listed photo): the
    /// workflow pins its later reads to it, so that the faces kept under this ETag are the
    /// faces of this very version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Where this version's face analysis is kept (the workflow writes it there after a
    /// detection); none when the version cannot be told apart or the file is not analyzable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faces_key: Option<String>,
    /// The analysis an earlier validation of this very version kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_faces: Option<FaceAnalysis>,
}

/// The key of a version's analysis. The photo key (an applicant's name, often) is not in
/// it, a digest of it and the ETag is; an ETag has no NUL, so no two pairs share one.
pub fn faces_key(prefix: &str, key: &str, e_tag: &str) -> String {
    let digest = hex::encode(Sha256::digest(format!("{key}\0{e_tag}").as_bytes()));
    format!("{}/{digest}.json", prefix.trim_end_matches('/'))
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

/// The kept analysis at `key`, if there is a readable one. Anything else (none kept, a
/// damaged or foreign object, S3 trouble) only means the faces are detected again.
async fn known_faces<S: ObjectStore>(store: &S, bucket: &str, key: &str) -> Option<FaceAnalysis> {
    let kept = PhotoRef::new(bucket, key);
    match store.read_all(&kept, MAX_ANALYSIS_BYTES).await {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(analysis) => Some(analysis),
            Err(e) => {
                tracing::warn!(error = %e, "a kept face analysis is not one: detecting again");
                None
            }
        },
        Err(e) if e.kind == PortErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!(error = %e, "the kept face analyses could not be read: detecting again");
            None
        }
    }
}

pub async fn handle<S: ObjectStore>(
    payload: Value,
    store: &S,
    analyses: &FaceAnalyses,
) -> Result<Fetched, MetadataError> {
    let Input { photo } = parse_input(payload).map_err(MetadataError::InvalidInput)?;
    let head = store.head(&photo).await.map_err(MetadataError::Store)?;
    // A reference without a version reads the version HeadObject saw, and says which.
    let version_id = match (&photo.version_id, &head.version_id) {
        (None, Some(v)) => Some(v.clone()),
        _ => None,
    };
    let read = PhotoRef {
        version_id: photo.version_id.clone().or_else(|| version_id.clone()),
        ..photo.clone()
    };
    let prefix = if head.size == 0 {
        Vec::new()
    } else {
        let len = head.size.min(HEADER_PREFIX_BYTES);
        store
            .read_range(&read, 0, len)
            .await
            .map_err(MetadataError::Store)?
    };
    let metadata = photo_header::inspect(&prefix, head.size, head.content_type);
    let e_tag = head
        .e_tag
        .as_deref()
        .map(|t| t.trim_matches('"'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let faces_key = match (&analyses.prefix, &e_tag) {
        (Some(p), Some(t)) if metadata.analyzable => Some(faces_key(p, &photo.key, t)),
        _ => None,
    };
    let known_faces = match &faces_key {
        Some(key) => known_faces(store, &photo.bucket, key).await,
        None => None,
    };
    tracing::info!(
        photo = %photo.uri(),
        format = ?metadata.format,
        width = metadata.width,
        height = metadata.height,
        analyzable = metadata.analyzable,
        problems = ?metadata.problems,
        known_faces = known_faces.is_some(),
        "metadata read"
    );
    Ok(Fetched {
        metadata,
        e_tag,
        version_id,
        faces_key,
        known_faces,
    })
}

#[cfg(test)]
mod tests;
