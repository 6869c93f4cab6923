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
    /// The `{"Error", "Cause"}` object a Catch hands on.
    pub fn to_value(&self) -> Value {
        json!({"Error": self.error, "Cause": self.cause})
    }
}

/// Whether `error` is matched by a Retry/Catch `ErrorEquals` list. As in AWS,
/// `States.Runtime` is never retried nor caught, not even by `States.ALL`, and
/// `States.TaskFailed` matches everything but `States.Timeout`.
pub fn matches(error_equals: &[String], error: &str) -> bool {
    if error == "States.Runtime" {
        return false;
    }
    error_equals.iter().any(|e| match e.as_str() {
        "States.ALL" => true,
        "States.TaskFailed" => error != "States.Timeout",
        other => other == error,
    })
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
    }
}
