use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use passport_photo::simulate::{Design, Scenario};

mod commands;

use commands::check::{check, CheckOptions};
use commands::revalidate::{revalidate, RevalidateOptions};
use commands::run::{history, run, Handlers, RunType};
use commands::simulate::{positive, probability, simulate, SimulatedDesign};
use commands::watch::{watch_dir, WatchOptions};
use commands::{fail, PipelineArgs};

/// Passport photo validation, offline: the deployed workflow definition, run locally with
/// the same handler code as the Lambdas.
#[derive(Parser)]
#[command(name = "passport-photo", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
