use serde::{Deserialize, Serialize};

use crate::{FaceAnalysis, ImageMeasures, ImageMetadata, NotificationReceipt, PhotoRef, Verdict};

/// The one JSON document that flows through the workflow. Each step adds its part under
/// its own key (ResultPath); nothing overwrites what an earlier step wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionDocument {
    pub photo: PhotoRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ImageMetadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faces: Option<FaceAnalysis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageMeasures>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationReceipt>,
    /// Set by a Catch (`ResultPath: $.error`) when a step failed for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<FailureInfo>,
    /// The rules to judge by instead of the function's configured ones: set by the
    /// re-validation workflow, which runs after a rules change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RulesChoice>,
}

/// A profile by name, with optional overrides in the RULES_OVERRIDES format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesChoice {
    pub profile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<serde_json::Value>,
}

impl ExecutionDocument {
    pub fn new(photo: PhotoRef) -> Self {
        Self {
            photo,
            metadata: None,
            faces: None,
            image: None,
            verdict: None,
            notification: None,
            error: None,
            rules: None,
        }
    }
}

/// The error object Step Functions hands to a Catch: `{"Error": …, "Cause": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureInfo {
    #[serde(rename = "Error")]
    pub error: String,
    #[serde(rename = "Cause", default)]
    pub cause: String,
}
