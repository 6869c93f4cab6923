//! `watch`: like the S3 trigger, over a folder.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use asl_engine::RealClock;
use passport_photo::twin;
use passport_photo::{report, watch};

use super::{definition_text, dependencies, fail, PipelineArgs};

/// How `watch` waits for files to be complete and how it learns of them.
pub struct WatchOptions {
    pub once: bool,
    pub settle: std::time::Duration,
    pub poll: Option<std::time::Duration>,
}

pub async fn watch_dir(dir: &Path, args: &PipelineArgs, options: WatchOptions) -> ExitCode {
    use fs_notify::Watcher as _;
    let deps = match dependencies(args, false) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let sm = match definition_text(args).and_then(|t| twin::load_definition(&t).map_err(|e| e.to_string())) {
        Ok(sm) => sm,
        Err(e) => return fail(e),
    };
    let engine = twin::pipeline_engine(Arc::new(RealClock), deps);
    let mut processed = watch::Processed::load(dir.join(watch::STATE_FILE));
    // Events are watched before the first scan, so that nothing written meanwhile is missed.
    let (events_in, mut events) = tokio::sync::mpsc::unbounded_channel();
    let handler = move |event| {
        let _ = events_in.send(event);
    };
    let config = fs_notify::Config::default().with_follow_symlinks(false);
    let watcher: Result<Box<dyn fs_notify::Watcher + Send>, _> = match (options.once, options.poll) {
        (true, _) => Ok(Box::new(NoWatcher)),
        (false, Some(every)) => {
            fs_notify::PollWatcher::new(handler, config.with_poll_interval(every)).map(|w| Box::new(w) as _)
        }
        (false, None) => fs_notify::RecommendedWatcher::new(handler, config).map(|w| Box::new(w) as _),
    };
    let mut watcher = match watcher {
        Ok(w) => w,
        Err(e) => {
            return fail(format!(
                "cannot watch {}: {e} (try --poll-ms 1000)",
                dir.display()
            ))
        }
    };
    if let Err(e) = watcher.watch(dir, fs_notify::RecursiveMode::Recursive) {
        return fail(format!("cannot watch {}: {e}", dir.display()));
    }
    let mut validate = async |path: &Path| -> Result<(), ExitCode> {
        let Ok((name, doc)) = twin::photo_input(path) else {
            return Ok(());
        };
        if processed.is_done(path, &name) {
            return Ok(());
        }
        let execution = twin::validate(&engine, &sm, &name, &doc).await;
        print!("{}", report::table(&execution));
        processed
            .mark(path, &name)
            .map_err(|e| fail(format!("cannot record progress in {}: {e}", dir.display())))
    };
    for path in watch::photos(dir) {
        if let Err(code) = validate(&path).await {
            return code;
        }
    }
    if options.once {
        return ExitCode::SUCCESS;
    }
    eprintln!("watching {} (Ctrl-C to stop)", dir.display());
    let mut settling = watch::Settling::new(options.settle);
    let tick = (options.settle / 4).clamp(
        std::time::Duration::from_millis(20),
        std::time::Duration::from_millis(250),
    );
    loop {
        let next = if settling.is_empty() {
            events.recv().await
        } else {
            tokio::time::timeout(tick, events.recv())
                .await
                .unwrap_or(Some(Ok(fs_notify::Event::default())))
        };
        match next {
            None => return fail("the file system watcher stopped"),
            Some(Err(e)) => eprintln!("passport-photo: watching {}: {e}", dir.display()),
            Some(Ok(event)) => {
                let (paths, closed) = watch::photos_of(&event, dir);
                for path in paths {
                    let size = watch::size_of(&path);
                    settling.touch(path, std::time::Instant::now(), closed, size);
                }
            }
        }
        for path in settling.ready(std::time::Instant::now(), watch::size_of) {
            if let Err(code) = validate(&path).await {
                return code;
            }
        }
    }
}

/// `watch --once` scans and exits: no events to wait for.
struct NoWatcher;

impl fs_notify::Watcher for NoWatcher {
    fn new<F: fs_notify::EventHandler>(_: F, _: fs_notify::Config) -> fs_notify::Result<Self> {
        Ok(Self)
    }
    fn watch(&mut self, _: &Path, _: fs_notify::RecursiveMode) -> fs_notify::Result<()> {
        Ok(())
    }
    fn unwatch(&mut self, _: &Path) -> fs_notify::Result<()> {
        Ok(())
    }
    fn kind() -> fs_notify::WatcherKind {
        fs_notify::WatcherKind::NullWatcher
    }
}
