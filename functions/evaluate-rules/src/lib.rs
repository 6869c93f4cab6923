//! evaluate-rules: the verdict for one execution document under the configured profile.
//! Pure: no I/O besides reading the configuration once at cold start.

use lambda_support::{parse_input, ErrorName, StepError};
use passport_model::{ExecutionDocument, Verdict};
use passport_rules::{load_profile, ConfigError, Profile};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    #[error("the input is not a valid execution document: {0}")]
    InvalidInput(#[source] serde_json::Error),
    #[error("the document's rules cannot be used: {0}")]
    InvalidRules(#[source] ConfigError),
}

impl StepError for EvaluateError {
    fn error_name(&self) -> ErrorName {
        ErrorName::InvalidInput
    }
}

/// The profile from `RULES_PROFILE` (default `icao`) and optional `RULES_OVERRIDES` JSON.
pub fn profile_from(name: Option<&str>, overrides: Option<&str>) -> Result<Profile, ConfigError> {
    load_profile(name.unwrap_or("icao"), overrides)
}

pub fn handle(payload: Value, profile: &Profile) -> Result<Verdict, EvaluateError> {
    let doc: ExecutionDocument = parse_input(payload).map_err(EvaluateError::InvalidInput)?;
    // The re-validation workflow names the rules of its run; otherwise the configured ones.
    let chosen = match &doc.rules {
        Some(r) => {
            let overrides = r.overrides.as_ref().map(Value::to_string);
            Some(load_profile(&r.profile, overrides.as_deref()).map_err(EvaluateError::InvalidRules)?)
        }
        None => None,
    };
    let profile = chosen.as_ref().unwrap_or(profile);
    let verdict = passport_rules::evaluate(&doc, profile);
    let failed: Vec<&str> = verdict.failed().map(|c| c.id.as_str()).collect();
    tracing::info!(photo = %doc.photo.uri(), outcome = verdict.outcome.as_str(), profile = %verdict.profile, ?failed, "verdict");
    Ok(verdict)
}

/// What the operator's dashboard counts of a verdict: the photo by profile and outcome, and
/// each failed check by profile and check id (ids and names only, nothing of the photo).
pub fn verdict_metrics(verdict: &Verdict) -> Vec<lambda_support::metrics::MetricSet> {
    use lambda_support::metrics::{MetricSet, Unit};
    let profile = verdict.profile.as_str();
    std::iter::once(
        MetricSet::new(&[("Profile", profile), ("Outcome", verdict.outcome.as_str())]).with(
            "Photos",
            Unit::Count,
            1.0,
        ),
    )
    .chain(verdict.failed().map(|c| {
        MetricSet::new(&[("Profile", profile), ("Check", c.id.as_str())]).with(
            "FailedChecks",
            Unit::Count,
            1.0,
        )
    }))
    .collect()
}

#[cfg(test)]
mod tests;
