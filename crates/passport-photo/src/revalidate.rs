//! `revalidate DIR`: the re-validation workflow (statemachine/revalidate.asl.json) over a
//! folder as the bucket. Its summary is the one the run's own last step (summarize-run)
//! counted from the result files, plus what only the twin knows: face detections made
//! and reused.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use summarize_run::summary::FailedCheck;
use summarize_run::RunReport;

/// What a run did, for the terminal or `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub items: u64,
    pub approved: u64,
    pub rejected: u64,
    /// Photos whose processing failed (within the tolerance, or the run would have failed).
    pub failed: u64,
    /// Face detector invocations (what Rekognition would bill).
    pub detect_calls: u64,
    /// Analyses an earlier run kept, reused instead of detected again.
    pub cached_faces: u64,
    pub results_dir: PathBuf,
    /// The most failed checks, most first (at most ten).
    pub top_failed_checks: Vec<FailedCheck>,
}

/// The summary of a run from its output, whose `summary` is summarize-run's report.
pub fn from_output(output: &Value, detect_calls: u64, cached_faces: u64) -> Result<Summary, String> {
    let report: RunReport = serde_json::from_value(output["summary"].clone())
        .map_err(|e| format!("the run ended without its summary ({e}): {output}"))?;
    let run = report
        .summary
        .ok_or_else(|| format!("the run reported a failure, not a summary: {output}"))?;
    let manifest = Path::new(&run.results.bucket).join(&run.results.manifest);
    Ok(Summary {
        items: run.items,
        approved: run.approved,
        rejected: run.rejected,
        failed: run.not_processed,
        detect_calls,
        cached_faces,
        results_dir: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
        top_failed_checks: run.top_failed_checks,
    })
}

impl Summary {
    pub fn text(&self) -> String {
        let mut out = format!(
            "{} photos: {} approved, {} rejected, {} not processed; {} face detections, {} reused\nresults: {}\n",
            self.items,
            self.approved,
            self.rejected,
            self.failed,
            self.detect_calls,
            self.cached_faces,
            self.results_dir.display()
        );
        if !self.top_failed_checks.is_empty() {
            out.push_str("most failed checks:\n");
            for f in &self.top_failed_checks {
                out.push_str(&format!("  {:>6}  {}\n", f.photos, f.check));
            }
        }
        out
    }
}
