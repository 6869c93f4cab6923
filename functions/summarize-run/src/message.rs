//! The one message a re-validation run sends: its summary, or why it failed.

use std::collections::BTreeMap;

use passport_model::notification::{console_url, execution_name, subject};
use passport_model::{FailureInfo, OutboundMessage, Topic};
use serde_json::json;

use crate::{RunRequest, RunSummary};

/// The version of the JSON body's layout; consumers check it before reading fields.
pub const SCHEMA_VERSION: u32 = 1;

fn staff_line(execution_arn: &str) -> String {
    match console_url(execution_arn) {
        Some(url) => format!("For staff: {url}\n"),
        None => format!("For staff: execution {execution_arn}\n"),
    }
}

fn attributes(kind: &str, profile: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("kind".to_owned(), kind.to_owned()),
        ("profile".to_owned(), profile.to_owned()),
    ])
}

/// The topic that fits: photos that could not be judged need the operators; rejections
/// need the people who act on them; otherwise all is well.
pub fn summary_topic(summary: &RunSummary) -> Topic {
    if summary.not_processed > 0 {
        Topic::Alerts
    } else if summary.rejected > 0 {
        Topic::Rejected
    } else {
        Topic::Approved
    }
}

pub fn summary_message(run: &RunRequest, summary: &RunSummary, execution_arn: &str) -> OutboundMessage {
    let rules = summary.profile.to_uppercase();
    let results = format!("s3://{}/{}", summary.results.bucket, summary.results.manifest);
    let body = json!({
        "schemaVersion": SCHEMA_VERSION,
        "kind": "revalidationSummary",
        "executionName": execution_name(execution_arn),
        "executionArn": execution_arn,
        "consoleUrl": console_url(execution_arn),
        "prefix": run.prefix,
        "summary": summary,
    });
    let mut email = format!(
        "The photos under {} were validated again under the {rules} rules.\n\n\
         {} photos: {} approved, {} rejected, {} could not be processed.\n\n",
        if run.prefix.is_empty() {
            "the bucket's root"
        } else {
            &run.prefix
        },
        summary.items,
        summary.approved,
        summary.rejected,
        summary.not_processed,
    );
    if !summary.top_failed_checks.is_empty() {
        email.push_str("Most failed checks (photos):\n");
        for f in &summary.top_failed_checks {
            email.push_str(&format!("  {:>7}  {}\n", f.photos, f.check));
        }
        email.push('\n');
    }
    if !summary.not_processed_examples.is_empty() {
        email.push_str("Could not be processed (the first ones):\n");
        for p in &summary.not_processed_examples {
            let key = p.key.as_deref().unwrap_or("(unknown photo)");
            email.push_str(&format!("  - {key}: {} {}\n", p.error, p.cause));
        }
        email.push('\n');
    }
    email.push_str(&format!(
        "Every photo's result: {results}\n{}",
        staff_line(execution_arn)
    ));
    OutboundMessage {
        topic: summary_topic(summary),
        subject: subject(&format!(
            "Re-validation under the {rules} rules: {} photos, {} rejected, {} not processed",
            summary.items, summary.rejected, summary.not_processed
        )),
        body: body.to_string(),
        email,
        attributes: attributes("revalidationSummary", &summary.profile),
    }
}

pub fn run_failure_message(
    run: &RunRequest,
    bucket: &str,
    results_prefix: &str,
    failure: &FailureInfo,
    execution_arn: &str,
) -> OutboundMessage {
    let results = format!("s3://{bucket}/{results_prefix}/");
    let body = json!({
        "schemaVersion": SCHEMA_VERSION,
        "kind": "revalidationFailure",
        "executionName": execution_name(execution_arn),
        "executionArn": execution_arn,
        "consoleUrl": console_url(execution_arn),
        "prefix": run.prefix,
        "profile": run.profile,
        "error": failure.error,
        "cause": failure.cause,
        "results": results,
    });
    let email = format!(
        "The re-validation of the photos under {} ({} rules) stopped: {}.\n\nCause: {}\n\n\
         What was judged before it stopped is under {results}.\n{}",
        if run.prefix.is_empty() {
            "the bucket's root"
        } else {
            &run.prefix
        },
        run.profile.to_uppercase(),
        failure.error,
        failure.cause,
        staff_line(execution_arn),
    );
    OutboundMessage {
        topic: Topic::Alerts,
        subject: subject(&format!(
            "Re-validation under the {} rules failed: {}",
            run.profile.to_uppercase(),
            failure.error
        )),
        body: body.to_string(),
        email,
        attributes: attributes("revalidationFailure", &run.profile),
    }
}
