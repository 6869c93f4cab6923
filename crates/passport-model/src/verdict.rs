use serde::{Deserialize, Serialize};

use crate::faces::FaceSource;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub outcome: Outcome,
    pub profile: String,
    /// Which face analyzer the face checks rest on, when faces were analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzer: Option<FaceSource>,
    /// Ordered by importance: the first failures are the ones to fix first.
    pub checks: Vec<CheckResult>,
}

impl Verdict {
    pub fn failed(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.status == CheckStatus::Fail)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    Approved,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CheckStatus {
    Pass,
    Fail,
    Warn,
    Skipped,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Warn => "WARN",
            Self::Skipped => "SKIPPED",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub id: String,
    pub status: CheckStatus,
    /// What was measured (a number, a string or a small object); null when skipped.
    #[serde(default)]
    pub measured: serde_json::Value,
    /// The limit applied, in words ("0.70–0.80", "exactly 1").
    #[serde(default)]
    pub limit: String,
    /// What the applicant should know or do.
    pub message: String,
}
