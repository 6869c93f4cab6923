//! `watch`: like the S3 trigger, every photo file that appears (or changes) under a folder
//! starts an execution. What was processed is remembered in a state file, so a restart does
//! not process a photo again unless its content changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const STATE_FILE: &str = ".passport-photo-watch.json";

fn is_photo(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
}

/// Every photo file under `dir`, recursively, skipping hidden entries.
pub fn photos(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
            {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if is_photo(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Photo path → the execution name (derived from its content) it was processed under.
#[derive(Debug, Default)]
pub struct Processed {
    path: PathBuf,
    seen: BTreeMap<String, String>,
}

impl Processed {
    pub fn load(state_file: PathBuf) -> Self {
        let seen = std::fs::read_to_string(&state_file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        Self {
            path: state_file,
            seen,
        }
    }

    pub fn is_done(&self, photo: &Path, execution_name: &str) -> bool {
        self.seen
            .get(&photo.display().to_string())
            .is_some_and(|n| n == execution_name)
    }

    /// Recorded and saved at once: a crash right after still counts it as processed.
    pub fn mark(&mut self, photo: &Path, execution_name: &str) -> std::io::Result<()> {
        self.seen
            .insert(photo.display().to_string(), execution_name.to_owned());
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(&self.seen)?)?;
        std::fs::rename(tmp, &self.path)
    }
}
