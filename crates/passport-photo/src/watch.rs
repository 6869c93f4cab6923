//! `watch`: like the S3 trigger, every photo file that appears (or changes) under a folder
//! starts an execution. The folder is scanned once, then followed through file system events
//! (the `notify` crate: inotify, FSEvents, ReadDirectoryChangesW), and a file is taken only
//! once it is complete: closed after writing, or unchanged in size for a settling time.
//! Symbolic links to folders are not followed (a link back to a parent would loop). What was
//! processed is remembered in a state file, so a restart does not process a photo again
//! unless its content changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs_notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};

pub const STATE_FILE: &str = ".passport-photo-watch.json";

fn is_photo(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
}

/// Every photo file under `dir` (see [`crate::store::files`]).
pub fn photos(dir: &Path) -> Vec<PathBuf> {
    crate::store::files(dir)
        .into_iter()
        .filter(|p| is_photo(p))
        .collect()
}

/// The photos an event is about, and whether it says they were closed after writing.
pub fn photos_of(event: &fs_notify::Event, root: &Path) -> (Vec<PathBuf>, bool) {
    let closed = matches!(
        event.kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
    );
    let relevant = closed
        || matches!(
            event.kind,
            EventKind::Create(_)
                | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
        );
    if !relevant {
        return (Vec::new(), false);
    }
    let paths = event
        .paths
        .iter()
        .filter(|p| is_photo(p) && !crate::store::is_hidden(p, root))
        .cloned()
        .collect();
    (paths, closed)
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    last_change: Instant,
    size: Option<u64>,
    closed: bool,
}

/// Files that changed, held until they are complete: closed after writing (an inotify
/// close-write), or the same size for `quiet` since the last event about them (writers
/// that keep the file open, and platforms without close events).
#[derive(Debug)]
pub struct Settling {
    quiet: Duration,
    seen: HashMap<PathBuf, Seen>,
}

impl Settling {
    pub fn new(quiet: Duration) -> Self {
        Self {
            quiet,
            seen: HashMap::new(),
        }
    }

    pub fn touch(&mut self, path: PathBuf, now: Instant, closed: bool, size: Option<u64>) {
        let entry = self.seen.entry(path).or_insert(Seen {
            last_change: now,
            size,
            closed: false,
        });
        entry.last_change = now;
        entry.size = size;
        // A write after a close opens the file again: only the latest event counts.
        entry.closed = closed;
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The files complete at `now`, in path order; `size_of` looks at a file's size now
    /// (`None` when it is gone: then it is dropped, nothing to validate).
    pub fn ready(&mut self, now: Instant, size_of: impl Fn(&Path) -> Option<u64>) -> Vec<PathBuf> {
        let mut ready = Vec::new();
        self.seen.retain(|path, seen| {
            let Some(size) = size_of(path) else {
                return false;
            };
            if seen.closed && Some(size) == seen.size {
                ready.push(path.clone());
                return false;
            }
            if Some(size) != seen.size {
                // Still growing (or shrinking): wait again from now.
                seen.size = Some(size);
                seen.last_change = now;
                seen.closed = false;
                return true;
            }
            if now.duration_since(seen.last_change) >= self.quiet {
                ready.push(path.clone());
                return false;
            }
            true
        });
        ready.sort();
        ready
    }
}

pub fn size_of(path: &Path) -> Option<u64> {
    std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    #[test]
    fn a_file_closed_after_writing_is_ready_at_once() {
        let t0 = Instant::now();
        let mut s = Settling::new(Duration::from_millis(500));
        s.touch("a.jpg".into(), t0, true, Some(100));
        assert_eq!(s.ready(at(t0, 1), |_| Some(100)), vec![PathBuf::from("a.jpg")]);
        assert!(s.is_empty());
    }

    #[test]
    fn a_file_still_growing_waits_until_it_has_been_quiet() {
        let t0 = Instant::now();
        let mut s = Settling::new(Duration::from_millis(500));
        s.touch("a.jpg".into(), t0, false, Some(100));
        assert!(
            s.ready(at(t0, 200), |_| Some(100)).is_empty(),
            "not quiet long enough"
        );
        // It grew since the event without a new one: the wait starts again.
        assert!(s.ready(at(t0, 600), |_| Some(300)).is_empty());
        assert!(s.ready(at(t0, 1000), |_| Some(300)).is_empty());
        assert_eq!(s.ready(at(t0, 1100), |_| Some(300)), vec![PathBuf::from("a.jpg")]);
    }

    #[test]
    fn a_close_with_the_file_still_changing_is_not_trusted_and_a_vanished_file_is_dropped() {
        let t0 = Instant::now();
        let mut s = Settling::new(Duration::from_millis(500));
        s.touch("a.jpg".into(), t0, true, Some(100));
        assert!(
            s.ready(at(t0, 1), |_| Some(150)).is_empty(),
            "written again after the close"
        );
        s.touch("b.jpg".into(), t0, false, Some(10));
        assert_eq!(
            s.ready(at(t0, 600), |p| (p == Path::new("a.jpg")).then_some(150)),
            vec![PathBuf::from("a.jpg")]
        );
        assert!(s.is_empty(), "b.jpg vanished: nothing to validate");
    }

    #[test]
    fn events_name_photos_outside_hidden_paths() {
        use fs_notify::event::{CreateKind, DataChange, Event};
        let root = Path::new("/in");
        let event = Event::new(EventKind::Create(CreateKind::File))
            .add_path("/in/a.jpg".into())
            .add_path("/in/.a.jpg.part".into())
            .add_path("/in/.tmp/b.jpg".into())
            .add_path("/in/notes.txt".into());
        assert_eq!(photos_of(&event, root), (vec![PathBuf::from("/in/a.jpg")], false));
        let closed =
            Event::new(EventKind::Access(AccessKind::Close(AccessMode::Write))).add_path("/in/b.png".into());
        assert_eq!(photos_of(&closed, root), (vec![PathBuf::from("/in/b.png")], true));
        let read =
            Event::new(EventKind::Access(AccessKind::Close(AccessMode::Read))).add_path("/in/b.png".into());
        assert!(
            photos_of(&read, root).0.is_empty(),
            "reading a photo is not a change"
        );
        let data = Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Content)))
            .add_path("/in/c.jpeg".into());
        assert_eq!(photos_of(&data, root).0.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_back_to_a_parent_folder_is_not_followed() {
        let dir = std::env::temp_dir().join(format!("watch-loop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.jpg"), b"x").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("sub/a.jpg"), dir.join("linked.jpg")).unwrap();
        let found = photos(&dir);
        assert_eq!(found, vec![dir.join("linked.jpg"), dir.join("sub/a.jpg")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
