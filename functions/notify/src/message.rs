//! What subscribers receive: a short subject, a JSON body and filterable attributes.

use std::collections::BTreeMap;

use passport_model::{CheckStatus, ExecutionDocument, FailureInfo, OutboundMessage, Topic, Verdict};
use serde_json::json;

/// SNS subjects: ASCII, no line breaks, at most 100 characters.
pub fn subject(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .collect();
    if clean.len() <= 100 {
        clean
    } else {
        format!("{}...", &clean[..97])
    }
}

/// The Step Functions console page of an execution, from its ARN's region (none for the
/// local twin's executions, whose region is `local`).
pub fn console_url(execution_arn: &str) -> Option<String> {
    let region = execution_arn
        .split(':')
        .nth(3)
        .filter(|r| !r.is_empty() && *r != "local")?;
    Some(format!(
        "https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"
    ))
}

pub fn verdict_message(doc: &ExecutionDocument, verdict: &Verdict, execution_arn: &str) -> OutboundMessage {
    let (topic, word) = match verdict.outcome {
        passport_model::Outcome::Approved => (Topic::Approved, "approved"),
        passport_model::Outcome::Rejected => (Topic::Rejected, "rejected"),
    };
    let list = |status: CheckStatus| {
        verdict
            .checks
            .iter()
            .filter(|c| c.status == status)
            .map(|c| json!({"id": c.id, "message": c.message, "measured": c.measured, "limit": c.limit}))
            .collect::<Vec<_>>()
    };
    let body = json!({
        "photo": {"bucket": doc.photo.bucket, "key": doc.photo.key, "versionId": doc.photo.version_id},
        "outcome": verdict.outcome,
        "profile": verdict.profile,
        "analyzer": verdict.analyzer,
        "failedChecks": list(CheckStatus::Fail),
        "warnings": list(CheckStatus::Warn),
        "executionArn": execution_arn,
        "consoleUrl": console_url(execution_arn),
    });
    OutboundMessage {
        topic,
        subject: subject(&format!("Passport photo {word}: {}", doc.photo.key)),
        body: body.to_string(),
        attributes: BTreeMap::from([
            ("outcome".to_owned(), verdict.outcome.as_str().to_owned()),
            ("profile".to_owned(), verdict.profile.clone()),
        ]),
    }
}

pub fn failure_message(
    doc: &ExecutionDocument,
    failure: &FailureInfo,
    execution_arn: &str,
) -> OutboundMessage {
    let body = json!({
        "photo": {"bucket": doc.photo.bucket, "key": doc.photo.key, "versionId": doc.photo.version_id},
        "outcome": "FAILED",
        "error": failure.error,
        "cause": failure.cause,
        "executionArn": execution_arn,
        "consoleUrl": console_url(execution_arn),
    });
    OutboundMessage {
        topic: Topic::Alerts,
        subject: subject(&format!(
            "Passport photo validation failed ({}): {}",
            failure.error, doc.photo.key
        )),
        body: body.to_string(),
        attributes: BTreeMap::from([
            ("outcome".to_owned(), "FAILED".to_owned()),
            ("error".to_owned(), failure.error.clone()),
        ]),
    }
}
