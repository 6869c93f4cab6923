use serde::{Deserialize, Serialize};

use crate::faces::{BoundingBox, FaceSource};

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
    /// Where the rules saw the primary face, for drawing the measurements on the photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry: Option<FaceOverlay>,
}

/// The primary face as the rules measured it, in ratios of the (upright) image's width and
/// height from its top-left corner: what an office's front end needs to draw the same
/// overlay as `passport-photo` (face box, eye centres, eye line, chin and crown).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaceOverlay {
    pub face_box: BoundingBox,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eye_left: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eye_right: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chin_y: Option<f64>,
    /// The estimated top of the head (negative when the photo cuts it off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crown_y: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
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
