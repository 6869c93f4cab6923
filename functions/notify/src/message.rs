//! What subscribers receive: a short subject, a JSON body for programs, the same in plain
//! words for e-mail, and filterable attributes.

use std::collections::BTreeMap;

use passport_model::notification::{console_url, execution_name, subject, SNS_MAX_MESSAGE_BYTES};
use passport_model::{
    CheckResult, CheckStatus, ExecutionDocument, FailureInfo, OutboundMessage, Topic, Verdict,
};
use serde_json::{json, Value};

/// The version of the JSON body's layout; consumers check it before reading fields.
pub const SCHEMA_VERSION: u32 = 1;

fn photo_line(doc: &ExecutionDocument) -> String {
    match &doc.photo.version_id {
        Some(v) => format!("s3://{}/{} (version {v})", doc.photo.bucket, doc.photo.key),
        None => format!("s3://{}/{}", doc.photo.bucket, doc.photo.key),
    }
}

fn staff_lines(execution_arn: &str) -> String {
    match console_url(execution_arn) {
        Some(url) => format!("For staff: {url}\n"),
        None => format!("For staff: execution {execution_arn}\n"),
    }
}

fn check_line(c: &CheckResult) -> String {
    let limit = if c.limit.is_empty() {
        String::new()
    } else {
        format!(" (allowed: {})", c.limit)
    };
    format!("  - {}{limit}\n", c.message)
}

pub fn verdict_message(doc: &ExecutionDocument, verdict: &Verdict, execution_arn: &str) -> OutboundMessage {
    let (topic, word) = match verdict.outcome {
        passport_model::Outcome::Approved => (Topic::Approved, "approved"),
        passport_model::Outcome::Rejected => (Topic::Rejected, "rejected"),
    };
    let with = |status: CheckStatus| verdict.checks.iter().filter(move |c| c.status == status);
    let as_json =
        |c: &CheckResult| json!({"id": c.id, "message": c.message, "measured": c.measured, "limit": c.limit});
    let mut body = json!({
        "schemaVersion": SCHEMA_VERSION,
        "executionName": execution_name(execution_arn),
        "photo": {"bucket": doc.photo.bucket, "key": doc.photo.key, "versionId": doc.photo.version_id},
        "outcome": verdict.outcome,
        "profile": verdict.profile,
        "analyzer": verdict.analyzer,
        "failedChecks": with(CheckStatus::Fail).map(as_json).collect::<Vec<_>>(),
        "warnings": with(CheckStatus::Warn).map(as_json).collect::<Vec<_>>(),
        "geometry": verdict.geometry,
        "executionArn": execution_arn,
        "consoleUrl": console_url(execution_arn),
    });
    let mut email = format!(
        "The passport photo {} was {word} under the {} rules.\n\n",
        doc.photo.key,
        verdict.profile.to_uppercase()
    );
    let failed: String = with(CheckStatus::Fail).map(check_line).collect();
    if !failed.is_empty() {
        email.push_str(&format!(
            "What to change before taking the photo again:\n{failed}\n"
        ));
    }
    let warnings: String = with(CheckStatus::Warn).map(check_line).collect();
    if !warnings.is_empty() {
        email.push_str(&format!("Worth checking (not a reason to refuse):\n{warnings}\n"));
    }
    email.push_str(&format!(
        "Photo: {}\n{}",
        photo_line(doc),
        staff_lines(execution_arn)
    ));
    fit_to_sns(&mut body, &mut email);
    OutboundMessage {
        topic,
        subject: subject(&format!("Passport photo {word}: {}", doc.photo.key)),
        body: body.to_string(),
        email,
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
    let mut body = json!({
        "schemaVersion": SCHEMA_VERSION,
        "executionName": execution_name(execution_arn),
        "photo": {"bucket": doc.photo.bucket, "key": doc.photo.key, "versionId": doc.photo.version_id},
        "outcome": "FAILED",
        "error": failure.error,
        "cause": failure.cause,
        "executionArn": execution_arn,
        "consoleUrl": console_url(execution_arn),
    });
    let mut email = format!(
        "The validation of the passport photo {} could not finish: {}.\n\nCause: {}\n\nPhoto: {}\n{}",
        doc.photo.key,
        failure.error,
        failure.cause,
        photo_line(doc),
        staff_lines(execution_arn)
    );
    fit_to_sns(&mut body, &mut email);
    OutboundMessage {
        topic: Topic::Alerts,
        subject: subject(&format!(
            "Passport photo validation failed ({}): {}",
            failure.error, doc.photo.key
        )),
        body: body.to_string(),
        email,
        attributes: BTreeMap::from([
            ("outcome".to_owned(), "FAILED".to_owned()),
            ("error".to_owned(), failure.error.clone()),
        ]),
    }
}

/// Room kept for the structure's own JSON (keys, quotes, escapes grow the text).
const STRUCTURE_MARGIN: usize = 1024;

fn structured_len(body: &Value, email: &str) -> usize {
    // The body travels as a JSON string inside the structure: its escapes count.
    Value::String(body.to_string()).to_string().len() + Value::String(email.to_owned()).to_string().len()
}

/// Shortens `text` to at most `bytes`, at a character boundary.
fn cut_to(text: &mut String, bytes: usize) {
    let keep = (0..=bytes.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    text.truncate(keep);
}

/// Keeps the published structure under SNS's 256 KiB however many checks or however long
/// a cause: the e-mail text is cut first (with a note), then the longest fields of the
/// body, then its lists of checks (their count kept in `omittedChecks`).
fn fit_to_sns(body: &mut Value, email: &mut String) {
    let limit = SNS_MAX_MESSAGE_BYTES - STRUCTURE_MARGIN;
    let note = "\n[message shortened: see the console for everything]\n";
    if structured_len(body, email) > limit {
        cut_to(email, limit / 4);
        email.push_str(note);
    }
    if structured_len(body, email) > limit {
        if let Some(Value::String(cause)) = body.get_mut("cause") {
            cut_to(cause, limit / 4);
            cause.push('…');
        }
    }
    let mut omitted = 0u64;
    while structured_len(body, email) > limit {
        let longest = ["failedChecks", "warnings"]
            .into_iter()
            .filter_map(|k| Some((k, body.get(k)?.as_array()?.len())))
            .max_by_key(|(_, n)| *n);
        let Some((list, n)) = longest.filter(|(_, n)| *n > 0) else {
            break;
        };
        if let Some(items) = body[list].as_array_mut() {
            items.truncate(n / 2);
            omitted += (n - n / 2) as u64;
        }
        body["omittedChecks"] = json!(omitted);
    }
}
