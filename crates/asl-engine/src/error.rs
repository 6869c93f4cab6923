use serde_json::{json, Value};

/// An error as the workflow sees it: a name that Retry/Catch match, and a cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct StatesError {
    pub error: String,
    pub cause: String,
}

impl StatesError {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new("States.Runtime", cause)
    }
    pub fn timeout(cause: impl Into<String>) -> Self {
        Self::new("States.Timeout", cause)
    }
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Self::new("States.IntrinsicFailure", cause)
    }
    pub fn data_limit(cause: impl Into<String>) -> Self {
        Self::new("States.DataLimitExceeded", cause)
    }
    /// The `{"Error", "Cause"}` object a Catch hands on.
    pub fn to_value(&self) -> Value {
        json!({"Error": self.error, "Cause": self.cause})
    }
}

/// Step Functions' payload limit for an execution's input and each state's input and
/// output: 256 KiB of UTF-8 JSON.
pub const PAYLOAD_LIMIT_BYTES: usize = 256 * 1024;

/// Whether `error` is matched by a Retry/Catch `ErrorEquals` list. As in AWS,
/// `States.Runtime` and the terminal `States.DataLimitExceeded` are never retried nor
/// caught, not even by `States.ALL`, and `States.TaskFailed` matches everything but
/// `States.Timeout`.
pub fn matches(error_equals: &[String], error: &str) -> bool {
    if error == "States.Runtime" || error == "States.DataLimitExceeded" {
        return false;
    }
    error_equals.iter().any(|e| match e.as_str() {
        "States.ALL" => true,
        "States.TaskFailed" => error != "States.Timeout",
        other => other == error,
    })
}

/// `States.DataLimitExceeded` when `value` is over [`PAYLOAD_LIMIT_BYTES`] as JSON.
pub fn within_payload_limit(value: &Value, what: impl FnOnce() -> String) -> Result<(), StatesError> {
    let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > PAYLOAD_LIMIT_BYTES {
        return Err(StatesError::data_limit(format!(
            "{} is {size} bytes, over the {PAYLOAD_LIMIT_BYTES}-byte payload limit",
            what()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn error_name_matching() {
        assert!(matches(&v(&["States.ALL"]), "Transient"));
        assert!(matches(&v(&["Transient"]), "Transient"));
        assert!(!matches(&v(&["PhotoNotFound"]), "Transient"));
        assert!(matches(&v(&["States.TaskFailed"]), "Transient"));
        assert!(!matches(&v(&["States.TaskFailed"]), "States.Timeout"));
        assert!(matches(&v(&["States.Timeout"]), "States.Timeout"));
        assert!(!matches(&v(&["States.ALL"]), "States.Runtime"));
        assert!(!matches(&v(&["States.Runtime"]), "States.Runtime"));
        assert!(!matches(&v(&["States.ALL"]), "States.DataLimitExceeded"));
        assert!(!matches(&v(&["States.TaskFailed"]), "States.DataLimitExceeded"));
        assert!(!matches(
            &v(&["States.DataLimitExceeded"]),
            "States.DataLimitExceeded"
        ));
    }
}
