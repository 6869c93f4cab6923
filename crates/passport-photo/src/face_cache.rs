//! Faces paid for once, in the twin's re-validation: the analysis of an object version is
//! kept under the folder's hidden `.passport-photo/analysis/` (which no listing of the folder
//! takes for a photo) and reused by any later run on the same version. The version is the
//! object's ETag, which the twin derives from the content, so a changed photo is a new
//! version and is analysed again.

use std::path::{Path, PathBuf};

use passport_model::{FaceAnalysis, PhotoRef};
use sha2::{Digest, Sha256};

/// The file that keeps `photo`'s analysis, or `None` when it has no version to key it on.
pub fn entry(photo: &PhotoRef) -> Option<PathBuf> {
    let etag = photo.e_tag.as_deref()?.trim_matches('"');
    if etag.is_empty() {
        return None;
    }
    // The key (an applicant's file name, often) is not in the name: a digest of it is.
    let digest = hex::encode(Sha256::digest(format!("{}\0{etag}", photo.key).as_bytes()));
    Some(
        Path::new(&photo.bucket)
            .join(".passport-photo/analysis/v1")
            .join(format!("{digest}.json")),
    )
}

pub fn read(photo: &PhotoRef) -> Option<FaceAnalysis> {
    let bytes = std::fs::read(entry(photo)?).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Kept beside its final name and renamed, so that a reader never sees half of it; a
/// folder that cannot be written only means the next run detects again.
pub fn write(photo: &PhotoRef, analysis: &FaceAnalysis) {
    let Some(path) = entry(photo) else { return };
    let Ok(json) = serde_json::to_vec(analysis) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    let partial = path.with_extension(format!("{}.partial", std::process::id()));
    let kept = std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&partial, json))
        .and_then(|_| std::fs::rename(&partial, &path));
    if kept.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
}
