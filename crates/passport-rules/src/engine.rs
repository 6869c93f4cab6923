use passport_model::{CheckResult, CheckStatus, ExecutionDocument, Outcome, Verdict};

use crate::catalogue::CheckId;
use crate::checks;
use crate::context::{skipped, Ctx};
use crate::profile::{Profile, Severity};

/// Evaluates every check of the catalogue against one execution document. Pure and
/// deterministic; never panics, whatever the numbers in the document.
pub fn evaluate(doc: &ExecutionDocument, profile: &Profile) -> Verdict {
    let ctx = Ctx::new(doc, profile);
    let mut checks: Vec<CheckResult> = CheckId::ALL
        .iter()
        .map(|&id| match profile.severity(id) {
            Severity::Off => skipped(id, "disabled by configuration"),
            Severity::Warn => soften(checks::run(id, &ctx)),
            Severity::Fail => checks::run(id, &ctx),
        })
        .collect();
    // Failures first, then warnings, passes and skipped checks; catalogue order within.
    checks.sort_by_key(|c| match c.status {
        CheckStatus::Fail => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Pass => 2,
        CheckStatus::Skipped => 3,
    });
    let outcome = if checks.iter().any(|c| c.status == CheckStatus::Fail) {
        Outcome::Rejected
    } else {
        Outcome::Approved
    };
    Verdict {
        outcome,
        profile: profile.name.clone(),
        analyzer: doc.faces.as_ref().map(|f| f.source),
        checks,
    }
}

/// A WARN-severity check reports its violation without rejecting the photo.
fn soften(mut result: CheckResult) -> CheckResult {
    if result.status == CheckStatus::Fail {
        result.status = CheckStatus::Warn;
    }
    result
}
