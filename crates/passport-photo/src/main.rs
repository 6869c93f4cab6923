use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use asl_engine::{Clock, ExecutionStatus, RealClock};
use clap::{Parser, Subcommand, ValueEnum};
use passport_model::Outcome;
use passport_photo::faces::LocalFaces;
use passport_photo::outbox::Outbox;
use passport_photo::simulate::{Design, Scenario};
use passport_photo::store::FolderStore;
use passport_photo::twin::{self, Dependencies};
use passport_photo::{annotate, html_report, report, watch};

/// Passport photo validation, offline: the deployed workflow definition, run locally with
/// the same handler code as the Lambdas.
#[derive(Parser)]
#[command(name = "passport-photo", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct PipelineArgs {
    /// Rules profile: icao, us or uk.
    #[arg(long, default_value = "icao")]
    profile: String,
    /// JSON overrides of the profile (as the RULES_OVERRIDES setting).
    #[arg(long)]
    overrides: Option<String>,
    /// A recorded Rekognition DetectFaces response to use instead of the embedded analyzer.
    #[arg(long, value_name = "RESPONSE.json")]
    faces: Option<PathBuf>,
    /// Where notifications are appended, one JSON Lines file per topic.
    #[arg(long, default_value = "outbox")]
    outbox: PathBuf,
    /// Another workflow definition to run instead of the built-in one (for trying changes).
    #[arg(long, value_name = "ASL.json")]
    definition: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Validate photos: a table of checks per photo, or JSON with --json.
    Check {
        #[arg(required = true)]
        photos: Vec<PathBuf>,
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// One JSON object per photo on stdout.
        #[arg(long)]
        json: bool,
        /// Save each execution's event history as DIR/<execution>.json.
        #[arg(long, value_name = "DIR")]
        history: Option<PathBuf>,
        /// Photos checked at once (default: the number of CPUs).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
        jobs: Option<u32>,
        /// Write each photo with its measurements drawn on it as DIR/<file>.annotated.png.
        #[arg(long, value_name = "DIR")]
        annotate: Option<PathBuf>,
        /// Write one self-contained HTML page: every photo annotated, its verdict and its
        /// checks, failures first.
        #[arg(long, value_name = "FILE.html")]
        report: Option<PathBuf>,
    },
    /// Like the S3 trigger: validate every photo that appears or changes under DIR.
    Watch {
        dir: PathBuf,
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// Process what is there now, then exit.
        #[arg(long)]
        once: bool,
        /// A file that changed is taken once closed after writing, or after it has kept its
        /// size this long (writers that keep it open, platforms without close events).
        #[arg(long, default_value_t = 1000)]
        settle_ms: u64,
        /// Look for changes every so many milliseconds instead of waiting for file system
        /// events (network and container-mounted folders do not deliver them).
        #[arg(long, value_name = "MS")]
        poll_ms: Option<u64>,
    },
    /// Run any definition with an input; prints the output, or {"error", "cause"}.
    Run {
        #[arg(value_name = "DEFINITION.json")]
        definition_file: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = Handlers::Echo)]
        handlers: Handlers,
        /// The workflow type: STANDARD, or EXPRESS (no callback or .sync tasks, no
        /// $$.Execution.RedriveCount, an express execution ARN).
        #[arg(long = "type", value_enum, default_value_t = RunType::Standard, ignore_case = true)]
        workflow_type: RunType,
        #[command(flatten)]
        pipeline: PipelineArgs,
    },
    /// Re-validate every photo under DIR after a rules change: the re-validation workflow
    /// (a Distributed Map with the folder as the bucket), then a summary of the run.
    Revalidate {
        dir: PathBuf,
        #[command(flatten)]
        pipeline: PipelineArgs,
        /// One summary object on stdout.
        #[arg(long)]
        json: bool,
        /// Photos validated at once (the Map's MaxConcurrency; default: the number of CPUs).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
        jobs: Option<u32>,
        /// Also publish each photo's verdict to the outbox, not only the summary.
        #[arg(long)]
        notify_each: bool,
    },
    /// Show a saved execution history (from check --history) like the console's list.
    History { file: PathBuf },
    /// Write the demo's sample photos into DIR, derived from the pinned portraits: one
    /// that the icao profile approves, the others rejected for different reasons.
    Samples {
        dir: PathBuf,
        /// The portraits (scripts/fetch_assets.py caches them there).
        #[arg(long, default_value = ".cache/assets/photos")]
        assets: PathBuf,
    },
    /// Simulate a burst of uploads against modelled AWS services, on a virtual clock.
    Simulate {
        /// How many photos are uploaded.
        #[arg(long)]
        uploads: usize,
        /// The account's Rekognition DetectFaces quota (the template's DetectFacesTps).
        #[arg(long, value_parser = positive)]
        detect_tps: f64,
        /// Uploads per second (Poisson arrivals); all at once when left out.
        #[arg(long, value_parser = positive)]
        arrival_rate: Option<f64>,
        /// Chance that any one request to any service fails with a retryable fault.
        #[arg(long, default_value_t = 0.0, value_parser = probability)]
        fault_rate: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The template's DetectFacesConcurrency; sized from --detect-tps when left out.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
        detect_concurrency: Option<u32>,
        /// Which DetectFaces: the deployed queue, or the direct call it replaced.
        #[arg(long, value_enum, default_value_t = SimulatedDesign::Queued)]
        design: SimulatedDesign,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SimulatedDesign {
    Queued,
    Direct,
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("'{text}' is not a positive number")),
    }
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{text}' is not a probability from 0 to 1")),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum RunType {
    #[value(name = "STANDARD")]
    Standard,
    #[value(name = "EXPRESS")]
    Express,
}

#[derive(Clone, Copy, ValueEnum)]
enum Handlers {
    /// The photo pipeline's function ARNs run the real handlers.
    Builtin,
    /// Every task returns its input.
    Echo,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("passport-photo: {message}");
    ExitCode::from(2)
}

/// The twin's adapters; `face_cache` keeps and reuses each photo version's faces.
fn dependencies(args: &PipelineArgs, quiet: bool, face_cache: bool) -> Result<Arc<Dependencies>, String> {
    let profile =
        passport_rules::load_profile(&args.profile, args.overrides.as_deref()).map_err(|e| e.to_string())?;
    let faces = match &args.faces {
        Some(path) => LocalFaces::recorded(path)?,
        None => LocalFaces::embedded()?,
    };
    Ok(Arc::new(Dependencies {
        store: FolderStore,
        faces,
        outbox: Outbox::new(&args.outbox, quiet),
        profile,
        analyze: analyze_image::AnalyzeConfig::default(),
        detect_calls: Default::default(),
        face_cache,
        cached_faces: Default::default(),
        verdicts: Default::default(),
    }))
}

fn definition_text(args: &PipelineArgs) -> Result<String, String> {
    match &args.definition {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display())),
        None => Ok(twin::DEFINITION.to_owned()),
    }
}

async fn check(photos: &[PathBuf], args: &PipelineArgs, options: CheckOptions<'_>) -> ExitCode {
    let deps = match dependencies(args, options.json, false) {
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
        if execution.status == ExecutionStatus::Failed {
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
struct CheckOptions<'a> {
    json: bool,
    history: Option<&'a Path>,
    jobs: usize,
    annotate: Option<&'a Path>,
    report: Option<&'a Path>,
}

/// How `watch` waits for files to be complete and how it learns of them.
struct WatchOptions {
    once: bool,
    settle: std::time::Duration,
    poll: Option<std::time::Duration>,
}

async fn watch_dir(dir: &Path, args: &PipelineArgs, options: WatchOptions) -> ExitCode {
    use fs_notify::Watcher as _;
    let deps = match dependencies(args, false, false) {
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

async fn run(
    definition: &Path,
    input: &Path,
    (handlers, workflow_type): (Handlers, RunType),
    args: &PipelineArgs,
) -> ExitCode {
    let text = match std::fs::read_to_string(definition) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {}: {e}", definition.display())),
    };
    let input: serde_json::Value = match std::fs::read_to_string(input)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return fail(format!("the input is not JSON: {e}")),
    };
    let sm = match twin::load_definition(&text) {
        Ok(sm) => sm,
        Err(e) => return fail(e),
    };
    let clock: Arc<dyn Clock> = Arc::new(RealClock);
    let engine = match handlers {
        Handlers::Echo => twin::echo_engine(clock, &sm),
        Handlers::Builtin => match dependencies(args, false, false) {
            Ok(d) => twin::pipeline_engine(clock, d),
            Err(e) => return fail(e),
        },
    };
    let workflow_type = match workflow_type {
        RunType::Standard => asl_engine::WorkflowType::Standard,
        RunType::Express => asl_engine::WorkflowType::Express,
    };
    let refused = workflow_type.refusals(&sm);
    if !refused.is_empty() {
        return fail(format!(
            "the definition cannot run as EXPRESS: {}",
            refused.join("; ")
        ));
    }
    let engine = engine.with_workflow_type(workflow_type);
    let missing = engine.missing_handlers(&sm);
    if !missing.is_empty() {
        return fail(format!("no handler for: {}", missing.join(", ")));
    }
    let x = engine.execute(&sm, "run", input).await;
    match x.status {
        ExecutionStatus::Succeeded => {
            println!("{}", x.output.unwrap_or_default());
            ExitCode::SUCCESS
        }
        ExecutionStatus::Failed => {
            println!("{}", serde_json::json!({"error": x.error, "cause": x.cause}));
            ExitCode::from(1)
        }
    }
}

/// How `revalidate` runs and reports.
struct RevalidateOptions {
    json: bool,
    jobs: usize,
    notify_each: bool,
}

async fn revalidate(dir: &Path, args: &PipelineArgs, options: RevalidateOptions) -> ExitCode {
    use passport_photo::revalidate as rv;
    let dir = match std::fs::canonicalize(dir) {
        Ok(d) if d.is_dir() => d,
        _ => return fail(format!("{} is not a folder", dir.display())),
    };
    let overrides: serde_json::Value = match args.overrides.as_deref().map(serde_json::from_str).transpose() {
        Ok(o) => o.unwrap_or_else(|| serde_json::json!({})),
        Err(e) => return fail(format!("--overrides is not JSON: {e}")),
    };
    let deps = match dependencies(args, options.json, true) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let sm = match twin::load_revalidation(&dir, options.jobs) {
        Ok(sm) => sm,
        Err(e) => return fail(e),
    };
    let engine = twin::pipeline_engine(Arc::new(RealClock), deps.clone());
    let input = serde_json::json!({
        "prefix": "",
        "profile": args.profile,
        "overrides": overrides,
        "notify": if options.notify_each { "each" } else { "summary" },
        "resultsPrefix": rv::RESULTS_PREFIX,
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
    if x.status == ExecutionStatus::Failed {
        let error = x.error.unwrap_or_default();
        let cause = x.cause.unwrap_or_default();
        if options.json {
            println!("{}", serde_json::json!({"error": error, "cause": cause}));
        }
        return fail(format!("the re-validation failed: {error}: {cause}"));
    }
    let results = x
        .output
        .as_ref()
        .map(|o| o["results"].clone())
        .unwrap_or_default();
    let detect_calls = deps.detect_calls.load(std::sync::atomic::Ordering::Relaxed);
    let mut summary = match rv::summarize(&results, detect_calls) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    summary.cached_faces = deps.cached_faces.load(std::sync::atomic::Ordering::Relaxed);
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

fn history(file: &Path) -> ExitCode {
    let execution: serde_json::Value = match std::fs::read(file)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    println!(
        "{}  {}",
        execution["name"].as_str().unwrap_or("?"),
        execution["status"].as_str().unwrap_or("?")
    );
    println!("{:>4}  {:<28} {:<16} TIMESTAMP", "ID", "TYPE", "STEP");
    for e in execution["history"].as_array().into_iter().flatten() {
        let details = e
            .as_object()
            .into_iter()
            .flatten()
            .find(|(k, _)| k.ends_with("EventDetails"))
            .map(|(_, v)| v);
        let step = details
            .and_then(|d| d.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or("");
        let extra = details
            .and_then(|d| d.get("error"))
            .and_then(|n| n.as_str())
            .map(|err| format!("  error: {err}"))
            .unwrap_or_default();
        println!(
            "{:>4}  {:<28} {:<16} {}{extra}",
            e["id"],
            e["type"].as_str().unwrap_or(""),
            step,
            e["timestamp"].as_str().unwrap_or("")
        );
    }
    ExitCode::SUCCESS
}

/// A progress bar on stderr when it is a terminal (never in pipes or logs).
fn progress_bar(total: usize, template: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    })
}

fn simulate(scenario: &Scenario, json: bool) -> ExitCode {
    let bar = progress_bar(
        scenario.uploads,
        "{bar:40} {pos}/{len} uploads answered ({elapsed} wall time)",
    );
    let report = passport_photo::simulate::run(scenario, bar.clone());
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match report {
        Ok(report) if json => {
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(report) => {
            print!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Check {
            photos,
            pipeline,
            json,
            history,
            jobs,
            annotate,
            report,
        } => {
            let jobs = jobs.map_or_else(
                || std::thread::available_parallelism().map_or(1, |n| n.get()),
                |j| j as usize,
            );
            let options = CheckOptions {
                json: *json,
                history: history.as_deref(),
                jobs,
                annotate: annotate.as_deref(),
                report: report.as_deref(),
            };
            check(photos, pipeline, options).await
        }
        Command::Samples { dir, assets } => match passport_photo::samples::write_samples(assets, dir) {
            Ok(files) => {
                for (file, sample) in files.iter().zip(passport_photo::samples::SAMPLES) {
                    println!("{}\t{}", file.display(), sample.shows);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Watch {
            dir,
            pipeline,
            once,
            settle_ms,
            poll_ms,
        } => {
            let options = WatchOptions {
                once: *once,
                settle: std::time::Duration::from_millis(*settle_ms),
                poll: poll_ms.map(std::time::Duration::from_millis),
            };
            watch_dir(dir, pipeline, options).await
        }
        Command::Run {
            definition_file,
            input,
            handlers,
            workflow_type,
            pipeline,
        } => run(definition_file, input, (*handlers, *workflow_type), pipeline).await,
        Command::History { file } => history(file),
        Command::Revalidate {
            dir,
            pipeline,
            json,
            jobs,
            notify_each,
        } => {
            let options = RevalidateOptions {
                json: *json,
                jobs: jobs.map_or_else(
                    || std::thread::available_parallelism().map_or(1, |n| n.get()),
                    |j| j as usize,
                ),
                notify_each: *notify_each,
            };
            revalidate(dir, pipeline, options).await
        }
        Command::Simulate {
            uploads,
            detect_tps,
            arrival_rate,
            fault_rate,
            seed,
            detect_concurrency,
            design,
            json,
        } => {
            let scenario = Scenario {
                uploads: *uploads,
                detect_tps: *detect_tps,
                arrival_rate: *arrival_rate,
                fault_rate: *fault_rate,
                seed: *seed,
                design: match design {
                    SimulatedDesign::Queued => Design::Queued,
                    SimulatedDesign::Direct => Design::Direct,
                },
                detect_concurrency: detect_concurrency
                    .unwrap_or_else(|| Scenario::concurrency_for(*detect_tps)),
            };
            simulate(&scenario, *json)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
