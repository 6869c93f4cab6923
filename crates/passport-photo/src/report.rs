//! What `check` prints: a table of checks per photo (failures first), or one JSON object
//! per photo.

use asl_engine::{Execution, ExecutionStatus};
use passport_model::{CheckStatus, Verdict};
use serde_json::{json, Value};

pub fn verdict_of(execution: &Execution) -> Option<Verdict> {
    let v = execution.output.as_ref()?.get("verdict")?;
    serde_json::from_value(v.clone()).ok()
}

pub fn json_line(execution: &Execution, with_history: bool) -> Value {
    let photo = execution.input.get("photo").cloned().unwrap_or(Value::Null);
    let verdict = execution
        .output
        .as_ref()
        .and_then(|o| o.get("verdict"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut exec = json!({"name": execution.name, "status": execution.status});
    if execution.status != ExecutionStatus::Succeeded {
        exec["error"] = json!(execution.error);
        exec["cause"] = json!(execution.cause);
    }
    if with_history {
        exec["history"] = json!(execution.history);
    }
    json!({"photo": photo, "verdict": verdict, "execution": exec})
}

/// A measure in a few words: `key=value` pairs of an object's plain fields.
pub(crate) fn short(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null() && !v.is_object() && !v.is_array())
            .map(|(k, v)| format!("{k}={}", short(v)))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

pub fn table(execution: &Execution) -> String {
    let photo = execution.input.get("photo");
    let name = photo
        .and_then(|p| p.get("key"))
        .and_then(Value::as_str)
        .unwrap_or("?");
    let mut out = String::new();
    let Some(verdict) = verdict_of(execution) else {
        out.push_str(&format!(
            "{name}: PROCESSING FAILED  {}: {}\n",
            execution.error.as_deref().unwrap_or("?"),
            execution.cause.as_deref().unwrap_or("")
        ));
        return out;
    };
    let analyzer = match verdict.analyzer {
        Some(passport_model::FaceSource::Local) => "faces: embedded offline analyzer",
        Some(passport_model::FaceSource::Rekognition) => "faces: Rekognition response",
        None => "faces: not analysed",
    };
    out.push_str(&format!(
        "{name}: {}  (profile {}, {analyzer})\n",
        verdict.outcome.as_str(),
        verdict.profile
    ));
    let width = verdict.checks.iter().map(|c| c.id.len()).max().unwrap_or(10);
    for c in verdict.checks.iter().filter(|c| c.status != CheckStatus::Skipped) {
        let tag = match c.status {
            CheckStatus::Fail => "FAIL",
            CheckStatus::Warn => "WARN",
            _ => "pass",
        };
        let measured = short(&c.measured);
        let detail = match c.status {
            CheckStatus::Pass => measured,
            _ if measured.is_empty() => c.message.clone(),
            _ => format!("{} [{measured}; limit {}]", c.message, c.limit),
        };
        out.push_str(&format!("  {tag}  {:width$}  {detail}\n", c.id));
    }
    // Skipped checks, one line per reason.
    let mut reasons: Vec<(String, Vec<&str>)> = Vec::new();
    for c in verdict.checks.iter().filter(|c| c.status == CheckStatus::Skipped) {
        let reason = if c.message.starts_with("Not evaluated offline") {
            "not evaluated offline (Rekognition checks them when deployed)".to_owned()
        } else {
            c.message
                .trim_start_matches("Not checked: ")
                .trim_end_matches('.')
                .to_owned()
        };
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, ids)) => ids.push(&c.id),
            None => reasons.push((reason, vec![&c.id])),
        }
    }
    for (reason, ids) in reasons {
        out.push_str(&format!("  skip  {reason}: {}\n", ids.join(", ")));
    }
    out
}
