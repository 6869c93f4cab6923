//! `revalidate`: the re-validation workflow over a folder, and its summary.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use asl_engine::{ExecutionStatus, RealClock};
use passport_photo::twin;

use super::{dependencies, fail, progress_bar, PipelineArgs};

/// How `revalidate` runs and reports.
pub struct RevalidateOptions {
    pub json: bool,
    pub jobs: usize,
    pub notify_each: bool,
}

pub async fn revalidate(dir: &Path, args: &PipelineArgs, options: RevalidateOptions) -> ExitCode {
    use passport_photo::revalidate as rv;
    let dir = match std::fs::canonicalize(dir) {
        Ok(d) if d.is_dir() => d,
        _ => return fail(format!("{} is not a folder", dir.display())),
    };
    let overrides: serde_json::Value = match args.overrides.as_deref().map(serde_json::from_str).transpose() {
        Ok(o) => o.unwrap_or_else(|| serde_json::json!({})),
        Err(e) => return fail(format!("--overrides is not JSON: {e}")),
    };
    let deps = match dependencies(args, options.json) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let sm = match twin::load_revalidation(&dir) {
        Ok(sm) => sm,
        Err(e) => return fail(e),
    };
    let engine = twin::pipeline_engine(Arc::new(RealClock), deps.clone());
    let input = serde_json::json!({
        "prefix": "",
        "profile": args.profile,
        "overrides": overrides,
        "notify": if options.notify_each { "each" } else { "summary" },
        "maxConcurrency": options.jobs,
    });
    // Each run its own name, so its results get their own folder.
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    if !options.json {
        eprintln!(
            "re-validating the photos under {} (profile {})",
            dir.display(),
            args.profile
        );
    }
    let bar = progress_bar(
        passport_photo::folder_s3::count_objects(&dir, ""),
        "{bar:40} {pos}/{len} photos judged ({elapsed})",
    );
    let ticker = bar.clone().map(|bar| {
        let deps = deps.clone();
        tokio::spawn(async move {
            loop {
                bar.set_position(deps.verdicts.load(std::sync::atomic::Ordering::Relaxed));
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    });
    let x = engine.execute(&sm, &format!("revalidate-{started}"), input).await;
    if let Some(t) = ticker {
        t.abort();
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if x.status != ExecutionStatus::Succeeded {
        let error = x.error.unwrap_or_default();
        let cause = x.cause.unwrap_or_default();
        if options.json {
            println!("{}", serde_json::json!({"error": error, "cause": cause}));
        }
        return fail(format!("the re-validation failed: {error}: {cause}"));
    }
    use std::sync::atomic::Ordering::Relaxed;
    let output = x.output.unwrap_or_default();
    let summary = match rv::from_output(
        &output,
        deps.detect_calls.load(Relaxed),
        deps.cached_faces.load(Relaxed),
    ) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if options.json {
        println!("{}", serde_json::to_string(&summary).unwrap_or_default());
    } else {
        print!("{}", summary.text());
    }
    ExitCode::from(if summary.failed > 0 {
        2
    } else if summary.rejected > 0 {
        1
    } else {
        0
    })
}
