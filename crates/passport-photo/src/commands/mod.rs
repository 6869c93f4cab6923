//! The subcommands of `passport-photo`, one module each, and what they share: the pipeline's
//! options, its adapters and the way errors end a command.

pub mod check;
pub mod revalidate;
pub mod run;
pub mod simulate;
pub mod watch;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use passport_photo::faces::LocalFaces;
use passport_photo::outbox::Outbox;
use passport_photo::store::FolderStore;
use passport_photo::twin::{self, Dependencies};

#[derive(clap::Args, Clone)]
pub struct PipelineArgs {
    /// Rules profile: icao, us or uk.
    #[arg(long, default_value = "icao")]
    pub profile: String,
    /// JSON overrides of the profile (as the RULES_OVERRIDES setting).
    #[arg(long)]
    pub overrides: Option<String>,
    /// A recorded Rekognition DetectFaces response to use instead of the embedded analyzer.
    #[arg(long, value_name = "RESPONSE.json")]
    pub faces: Option<PathBuf>,
    /// Where notifications are appended, one JSON Lines file per topic.
    #[arg(long, default_value = "outbox")]
    pub outbox: PathBuf,
    /// Another workflow definition to run instead of the built-in one (for trying changes).
    #[arg(long, value_name = "ASL.json")]
    pub definition: Option<PathBuf>,
}

pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("passport-photo: {message}");
    ExitCode::from(2)
}

/// The twin's adapters.
pub fn dependencies(args: &PipelineArgs, quiet: bool) -> Result<Arc<Dependencies>, String> {
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
        cached_faces: Default::default(),
        verdicts: Default::default(),
    }))
}

pub fn definition_text(args: &PipelineArgs) -> Result<String, String> {
    match &args.definition {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display())),
        None => Ok(twin::DEFINITION.to_owned()),
    }
}

/// A progress bar on stderr when it is a terminal (never in pipes or logs).
pub fn progress_bar(total: usize, template: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
    })
}
