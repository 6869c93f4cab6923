//! `check`: photos through the workflow, several at once, reported in order; annotated
//! images and the HTML report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use asl_engine::{Clock, ExecutionStatus, RealClock};
use passport_model::Outcome;
use passport_photo::twin;
use passport_photo::{annotate, html_report, report};

use super::{definition_text, dependencies, fail, PipelineArgs};

pub async fn check(photos: &[PathBuf], args: &PipelineArgs, options: CheckOptions<'_>) -> ExitCode {
    let deps = match dependencies(args, options.json) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let sm = match definition_text(args).and_then(|t| twin::load_definition(&t).map_err(|e| e.to_string())) {
        Ok(sm) => Arc::new(sm),
        Err(e) => return fail(e),
    };
    let clock: Arc<dyn Clock> = Arc::new(RealClock);
    let limits = Arc::new(deps.profile.limits.clone());
    let profile = deps.profile.name.clone();
    let engine = Arc::new(twin::pipeline_engine(clock, deps));
    let drawing = options.annotate.is_some() || options.report.is_some();
    if let Some(dir) = options.annotate {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return fail(format!("cannot create {}: {e}", dir.display()));
        }
    }
    let mut entries = Vec::new();
    let (mut rejected, mut failed) = (false, false);
    let show_progress = photos.len() > 1 && !options.json;
    // Photos run concurrently, `jobs` at a time (the decoding and the face model run on
    // tokio's blocking threads), and are reported in the order given: at most `jobs`
    // executions are held, so memory stays bounded however many photos there are.
    let mut in_flight = std::collections::VecDeque::new();
    let mut pending = photos.iter().enumerate();
    loop {
        while in_flight.len() < options.jobs {
            let Some((i, path)) = pending.next() else { break };
            let (engine, sm, path, limits) = (engine.clone(), sm.clone(), path.clone(), limits.clone());
            in_flight.push_back((
                i,
                tokio::spawn(async move {
                    let (name, doc) = twin::photo_input(&path)?;
                    let execution = twin::validate(&engine, &sm, &name, &doc).await;
                    // Drawing is CPU work too: on a blocking thread, like the decoding.
                    let drawn = match report::verdict_of(&execution).filter(|_| drawing) {
                        Some(verdict) => tokio::task::spawn_blocking(move || {
                            annotate::annotate_file(&path, &verdict, &limits)
                        })
                        .await
                        .ok()
                        .flatten(),
                        None => None,
                    };
                    Ok::<_, std::io::Error>((execution, drawn))
                }),
            ));
        }
        let Some((i, task)) = in_flight.pop_front() else {
            break;
        };
        let path = &photos[i];
        if show_progress {
            eprintln!("[{}/{}] {}", i + 1, photos.len(), path.display());
        }
        let (execution, drawn) = match task.await {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => {
                eprintln!("passport-photo: {}: {e}", path.display());
                failed = true;
                continue;
            }
            Err(e) => {
                eprintln!("passport-photo: {}: the check stopped: {e}", path.display());
                failed = true;
                continue;
            }
        };
        if let Some(dir) = options.history {
            let saved = std::fs::create_dir_all(dir).and_then(|_| {
                std::fs::write(
                    dir.join(format!("{}.json", execution.name)),
                    serde_json::to_vec_pretty(&execution).unwrap_or_default(),
                )
            });
            if let Err(e) = saved {
                eprintln!(
                    "passport-photo: cannot save the history in {}: {e}",
                    dir.display()
                );
            }
        }
        let verdict = report::verdict_of(&execution);
        match &verdict {
            Some(v) if v.outcome == Outcome::Rejected => rejected = true,
            Some(_) => {}
            None => failed = true,
        }
        if let (Some(dir), Some(image)) = (options.annotate, &drawn) {
            let file = dir.join(annotate::file_name(path));
            if let Err(e) = image.save(&file) {
                eprintln!("passport-photo: cannot write {}: {e}", file.display());
                failed = true;
            }
        }
        if options.report.is_some() {
            entries.push(html_report::Entry {
                photo: path.display().to_string(),
                result: match verdict {
                    Some(v) => html_report::EntryResult::Verdict(v),
                    None => html_report::EntryResult::Failed {
                        error: execution.error.clone().unwrap_or_default(),
                        cause: execution.cause.clone().unwrap_or_default(),
                    },
                },
                image_jpeg: drawn.as_ref().and_then(annotate::jpeg),
            });
        }
        if execution.status != ExecutionStatus::Succeeded {
            failed = true;
        }
        if options.json {
            println!("{}", report::json_line(&execution, options.history.is_some()));
        } else {
            print!("{}", report::table(&execution));
        }
    }
    if let Some(file) = options.report {
        let html = html_report::render(&entries, &profile);
        if let Err(e) = std::fs::write(file, html) {
            eprintln!("passport-photo: cannot write the report {}: {e}", file.display());
            failed = true;
        } else if !options.json {
            eprintln!("report: {}", file.display());
        }
    }
    ExitCode::from(if failed {
        2
    } else if rejected {
        1
    } else {
        0
    })
}

/// How `check` reports and how many photos it runs at once.
pub struct CheckOptions<'a> {
    pub json: bool,
    pub history: Option<&'a Path>,
    pub jobs: usize,
    pub annotate: Option<&'a Path>,
    pub report: Option<&'a Path>,
}
