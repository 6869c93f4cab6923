//! `revalidate DIR`: the re-validation workflow (statemachine/revalidate.asl.json) over a
//! folder as the bucket, and the summary of its run, read from the result files its
//! ResultWriter wrote (as an operator would read them from S3).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

/// Where the run's results are kept inside the folder: hidden, so that a later listing of
/// the folder does not take them for photos.
pub const RESULTS_PREFIX: &str = ".passport-photo/revalidation";

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
    /// Analyses reused instead of detected again (`crate::face_cache`).
    pub cached_faces: u64,
    pub results_dir: PathBuf,
    /// The most failed checks, most first (at most ten).
    pub top_failed_checks: Vec<FailedCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedCheck {
    pub check: String,
    /// How many photos failed it.
    pub photos: u64,
}

fn read_json(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// The summary of a run whose Map result is `results` (`{"MapRunArn",
/// "ResultWriterDetails": {"Bucket", "Key"}}`), with the bucket a folder.
pub fn summarize(results: &Value, detect_calls: u64) -> Result<Summary, String> {
    let details = &results["ResultWriterDetails"];
    let (Some(bucket), Some(key)) = (details["Bucket"].as_str(), details["Key"].as_str()) else {
        return Err(format!("the run wrote no results: {results}"));
    };
    let bucket = Path::new(bucket);
    let manifest_path = bucket.join(key);
    let manifest = read_json(&manifest_path)?;
    let mut summary = Summary {
        items: 0,
        approved: 0,
        rejected: 0,
        failed: 0,
        detect_calls,
        cached_faces: 0,
        results_dir: manifest_path.parent().map(Path::to_path_buf).unwrap_or_default(),
        top_failed_checks: Vec::new(),
    };
    let mut failed_checks: BTreeMap<String, u64> = BTreeMap::new();
    for status in ["SUCCEEDED", "FAILED"] {
        for file in manifest["ResultFiles"][status].as_array().into_iter().flatten() {
            let file_key = file["Key"].as_str().ok_or("a result file without a Key")?;
            let records = read_json(&bucket.join(file_key))?;
            for record in records.as_array().into_iter().flatten() {
                summary.items += 1;
                if status == "FAILED" {
                    summary.failed += 1;
                    continue;
                }
                let output: Value = record["Output"]
                    .as_str()
                    .and_then(|o| serde_json::from_str(o).ok())
                    .unwrap_or(Value::Null);
                match output["outcome"].as_str() {
                    Some("APPROVED") => summary.approved += 1,
                    Some("REJECTED") => summary.rejected += 1,
                    _ => summary.failed += 1,
                }
                for id in output["failedChecks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    *failed_checks.entry(id.to_owned()).or_default() += 1;
                }
            }
        }
    }
    let mut top: Vec<FailedCheck> = failed_checks
        .into_iter()
        .map(|(check, photos)| FailedCheck { check, photos })
        .collect();
    top.sort_by(|a, b| b.photos.cmp(&a.photos).then_with(|| a.check.cmp(&b.check)));
    top.truncate(10);
    summary.top_failed_checks = top;
    Ok(summary)
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
