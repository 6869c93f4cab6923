//! A folder is the bucket: the object key is the path relative to it.

use std::path::{Component, Path, PathBuf};

use passport_model::{ObjectHead, ObjectStore, PhotoRef, PortError, PortErrorKind};

#[derive(Debug, Clone, Default)]
pub struct FolderStore;

/// Whether a path under `root` is hidden (a component starting with `.`): the twin's own
/// files (`.passport-photo/`, the watch state), uploaders' partial files (`.a.jpg.part`).
pub fn is_hidden(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .any(|c| c.as_os_str().to_str().is_some_and(|n| n.starts_with('.')))
}

/// Every file under `dir` that is not hidden, in path order. Links to folders are not
/// followed (a link back to a parent would loop); links to files are.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if is_hidden(&path, dir) {
                continue;
            }
            // The entry's own type: a symbolic link is not a folder here.
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The file behind a photo reference, refusing keys that climb out of the folder.
/// A file's ETag as the twin gives it everywhere (listing, head, photo references): from
/// the content, as S3's identifies a version's content, so a changed file is a new version.
pub fn content_etag(bytes: &[u8]) -> String {
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    digest[..32].to_owned()
}

pub fn object_path(photo: &PhotoRef) -> Result<PathBuf, PortError> {
    let key = Path::new(&photo.key);
    if key.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(PortError::permanent(format!(
            "the key {:?} leaves its folder",
            photo.key
        )));
    }
    Ok(Path::new(&photo.bucket).join(key))
}

fn io_error(photo: &PhotoRef, e: std::io::Error) -> PortError {
    let kind = if e.kind() == std::io::ErrorKind::NotFound {
        PortErrorKind::NotFound
    } else {
        PortErrorKind::Permanent
    };
    PortError::new(kind, format!("{}: {e}", photo.uri())).with_source(e)
}

impl ObjectStore for FolderStore {
    async fn head(&self, photo: &PhotoRef) -> Result<ObjectHead, PortError> {
        let path = object_path(photo)?;
        let meta = tokio::fs::metadata(&path).await.map_err(|e| io_error(photo, e))?;
        if !meta.is_file() {
            return Err(PortError::not_found(format!("{} is not a file", path.display())));
        }
        // The version read is the content there now: its ETag says which.
        let bytes = tokio::fs::read(&path).await.map_err(|e| io_error(photo, e))?;
        Ok(ObjectHead {
            size: meta.len(),
            content_type: None,
            e_tag: Some(format!("\"{}\"", content_etag(&bytes))),
            version_id: None,
        })
    }

    async fn read_range(&self, photo: &PhotoRef, start: u64, len: u64) -> Result<Vec<u8>, PortError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut f = tokio::fs::File::open(object_path(photo)?)
            .await
            .map_err(|e| io_error(photo, e))?;
        f.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| io_error(photo, e))?;
        let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(1 << 20));
        f.take(len)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| io_error(photo, e))?;
        Ok(buf)
    }

    async fn read_all(&self, photo: &PhotoRef, max_bytes: u64) -> Result<Vec<u8>, PortError> {
        let size = self.head(photo).await?.size;
        if size > max_bytes {
            return Err(PortError::new(
                PortErrorKind::TooLarge,
                format!("{} has {size} bytes, more than {max_bytes}", photo.uri()),
            ));
        }
        tokio::fs::read(object_path(photo)?)
            .await
            .map_err(|e| io_error(photo, e))
    }
}
