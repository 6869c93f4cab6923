//! Counting a re-validation run from the files its Distributed Map's `ResultWriter` wrote:
//! `manifest.json` names the result files by status, and each file is a JSON array of
//! child-execution records whose `Output` is our per-photo outcome as a JSON string
//! (Step Functions developer guide, "ResultWriter (Map)", exporting to Amazon S3).
//! No I/O here: the handler reads the bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many failed checks and unprocessed photos a summary names.
pub const TOP: usize = 10;
/// How much of a failure's cause a summary quotes.
const CAUSE_CHARS: usize = 300;

#[derive(Debug, thiserror::Error)]
#[error("{file} is not a result file of Step Functions: {source}")]
pub struct UnreadableResults {
    pub file: String,
    #[source]
    pub source: serde_json::Error,
}

/// `manifest.json`: where the result files of each status are.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    #[serde(rename = "DestinationBucket", default)]
    pub destination_bucket: Option<String>,
    #[serde(rename = "ResultFiles")]
    pub result_files: ResultFiles,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResultFiles {
    #[serde(rename = "SUCCEEDED", default)]
    pub succeeded: Vec<ResultFile>,
    #[serde(rename = "FAILED", default)]
    pub failed: Vec<ResultFile>,
    /// Items whose child executions had not finished when the run ended.
    #[serde(rename = "PENDING", default)]
    pub pending: Vec<ResultFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResultFile {
    #[serde(rename = "Key")]
    pub key: String,
}

impl Manifest {
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Self, UnreadableResults> {
        serde_json::from_slice(bytes).map_err(|source| UnreadableResults {
            file: file.to_owned(),
            source,
        })
    }

    /// Every result file, with whether its children succeeded.
    pub fn files(&self) -> impl Iterator<Item = (&ResultFile, bool)> {
        let files = &self.result_files;
        (files.succeeded.iter().map(|f| (f, true)))
            .chain(files.failed.iter().map(|f| (f, false)))
            .chain(files.pending.iter().map(|f| (f, false)))
    }
}

/// One child execution's record; only what the summary reads.
#[derive(Debug, Deserialize)]
struct ChildRecord {
    #[serde(rename = "Input", default)]
    input: Option<String>,
    #[serde(rename = "Output", default)]
    output: Option<String>,
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "Error", default)]
    error: Option<String>,
    #[serde(rename = "Cause", default)]
    cause: Option<String>,
}

/// The revalidate definition's per-photo result (its `Outcome` state).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhotoOutcome {
    outcome: String,
    #[serde(default)]
    failed_checks: Vec<String>,
}

/// A photo the run could not judge, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotProcessed {
    pub key: Option<String>,
    pub error: String,
    pub cause: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedCheck {
    pub check: String,
    /// How many photos failed it.
    pub photos: u64,
}

/// The counts of a run, built file by file.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub items: u64,
    pub approved: u64,
    pub rejected: u64,
    pub not_processed: u64,
    failed_checks: BTreeMap<String, u64>,
    examples: Vec<NotProcessed>,
}

fn shortened(text: &str) -> String {
    match text.char_indices().nth(CAUSE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The photo key an item's input names (`{"photo": {"key"}}`), if it can be read.
fn key_of(input: Option<&str>) -> Option<String> {
    let input: serde_json::Value = serde_json::from_str(input?).ok()?;
    input["photo"]["key"].as_str().map(str::to_owned)
}

impl Tally {
    /// Adds one result file; `succeeded` is the manifest's word for its children.
    pub fn add_file(&mut self, file: &str, succeeded: bool, bytes: &[u8]) -> Result<(), UnreadableResults> {
        let records: Vec<ChildRecord> =
            serde_json::from_slice(bytes).map_err(|source| UnreadableResults {
                file: file.to_owned(),
                source,
            })?;
        for record in records {
            self.add(succeeded, record);
        }
        Ok(())
    }

    fn add(&mut self, succeeded: bool, record: ChildRecord) {
        self.items += 1;
        let outcome = succeeded
            .then_some(record.output.as_deref())
            .flatten()
            .and_then(|o| serde_json::from_str::<PhotoOutcome>(o).ok());
        match outcome {
            Some(o) if o.outcome == "APPROVED" || o.outcome == "REJECTED" => {
                if o.outcome == "APPROVED" {
                    self.approved += 1;
                } else {
                    self.rejected += 1;
                }
                for check in o.failed_checks {
                    *self.failed_checks.entry(check).or_default() += 1;
                }
            }
            _ => {
                self.not_processed += 1;
                if self.examples.len() < TOP {
                    let (error, cause) = if succeeded {
                        (
                            "NoOutcome".to_owned(),
                            "the child execution gave no verdict".to_owned(),
                        )
                    } else {
                        (
                            record.error.or(record.status).unwrap_or_else(|| "PENDING".into()),
                            record.cause.unwrap_or_default(),
                        )
                    };
                    self.examples.push(NotProcessed {
                        key: key_of(record.input.as_deref()),
                        error,
                        cause: shortened(&cause),
                    });
                }
            }
        }
    }

    /// The most failed checks, most first, ties by name (at most [`TOP`]).
    pub fn top_failed_checks(&self) -> Vec<FailedCheck> {
        let mut top: Vec<FailedCheck> = self
            .failed_checks
            .iter()
            .map(|(check, photos)| FailedCheck {
                check: check.clone(),
                photos: *photos,
            })
            .collect();
        top.sort_by(|a, b| b.photos.cmp(&a.photos).then_with(|| a.check.cmp(&b.check)));
        top.truncate(TOP);
        top
    }

    /// The first unprocessed photos met (at most [`TOP`]).
    pub fn not_processed_examples(&self) -> &[NotProcessed] {
        &self.examples
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(outcome: &str, failed: &[&str]) -> serde_json::Value {
        json!({
            "ExecutionArn": "arn:aws:states:eu-west-1:1:execution:Revalidate/Revalidate:1",
            "Input": json!({"photo": {"key": "uploads/a.jpg"}}).to_string(),
            "InputDetails": {"Included": true},
            "Output": json!({"key": "uploads/a.jpg", "outcome": outcome, "failedChecks": failed}).to_string(),
            "OutputDetails": {"Included": true},
            "Status": "SUCCEEDED",
        })
    }

    #[test]
    fn counts_outcomes_and_ranks_failed_checks_most_first_then_by_name() {
        let mut tally = Tally::default();
        let ok = json!([
            record("APPROVED", &[]),
            record("REJECTED", &["face.head_size", "image.background"]),
            record("REJECTED", &["image.background"]),
        ]);
        tally
            .add_file("SUCCEEDED_0.json", true, ok.to_string().as_bytes())
            .unwrap();
        let failed = json!([{
            "Input": json!({"photo": {"key": "uploads/broken.jpg"}}).to_string(),
            "Status": "FAILED", "Error": "Permanent", "Cause": "x".repeat(1000),
        }]);
        tally
            .add_file("FAILED_0.json", false, failed.to_string().as_bytes())
            .unwrap();
        assert_eq!(
            (tally.items, tally.approved, tally.rejected, tally.not_processed),
            (4, 1, 2, 1)
        );
        let top = tally.top_failed_checks();
        assert_eq!(
            top[0],
            FailedCheck {
                check: "image.background".into(),
                photos: 2
            }
        );
        assert_eq!(
            top[1],
            FailedCheck {
                check: "face.head_size".into(),
                photos: 1
            }
        );
        let example = &tally.not_processed_examples()[0];
        assert_eq!(example.key.as_deref(), Some("uploads/broken.jpg"));
        assert_eq!(example.error, "Permanent");
        assert!(example.cause.len() < 400, "causes are shortened");
    }

    #[test]
    fn a_succeeded_child_without_a_verdict_is_counted_as_not_processed_not_approved() {
        let mut tally = Tally::default();
        let odd = json!([{"Input": "{}", "Output": "{\"something\": 1}", "Status": "SUCCEEDED"}]);
        tally
            .add_file("SUCCEEDED_0.json", true, odd.to_string().as_bytes())
            .unwrap();
        assert_eq!((tally.items, tally.approved, tally.not_processed), (1, 0, 1));
        assert_eq!(tally.not_processed_examples()[0].error, "NoOutcome");
    }

    #[test]
    fn only_ten_checks_are_named_however_many_failed() {
        let mut tally = Tally::default();
        let checks: Vec<String> = (0..15).map(|i| format!("check.{i:02}")).collect();
        let refs: Vec<&str> = checks.iter().map(String::as_str).collect();
        let file = json!([record("REJECTED", &refs)]);
        tally
            .add_file("SUCCEEDED_0.json", true, file.to_string().as_bytes())
            .unwrap();
        assert_eq!(tally.top_failed_checks().len(), TOP);
        assert_eq!(tally.top_failed_checks()[0].check, "check.00");
    }

    #[test]
    fn damaged_files_are_a_clear_error_naming_the_file() {
        let mut tally = Tally::default();
        let e = tally
            .add_file("SUCCEEDED_0.json", true, b"[{\"Output\": ")
            .unwrap_err();
        assert!(e.to_string().starts_with("SUCCEEDED_0.json is not a result file"));
        assert!(
            Manifest::parse("manifest.json", b"{}").is_err(),
            "a manifest needs ResultFiles"
        );
        let m = Manifest::parse(
            "manifest.json",
            br#"{"DestinationBucket":"b","MapRunArn":"a","ResultFiles":{"FAILED":[{"Key":"f","Size":1}],"PENDING":[],"SUCCEEDED":[{"Key":"s","Size":2}]}}"#,
        )
        .unwrap();
        let files: Vec<(&str, bool)> = m.files().map(|(f, ok)| (f.key.as_str(), ok)).collect();
        assert_eq!(files, [("s", true), ("f", false)]);
    }
}
