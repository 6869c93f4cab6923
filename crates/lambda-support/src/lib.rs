//! Shared plumbing for the workflow's Lambda functions: the stable error names the state
//! machine matches, reading configuration once at cold start, and logging setup.

mod logging;
pub mod metrics;

use std::future::Future;

pub use logging::init_tracing;

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use passport_model::{PortError, PortErrorKind};

/// The `error_type` names the state machine's Retry and Catch match. Stable: renaming one
/// breaks the deployed workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorName {
    /// Throttling, 5xx, timeouts: retried with backoff.
    Transient,
    /// The object or version is gone: reported, not retried.
    PhotoNotFound,
    /// A malformed execution document: reported, not retried.
    InvalidInput,
    /// Configuration or permission trouble: reported, not retried.
    Permanent,
}

impl ErrorName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transient => "Transient",
            Self::PhotoNotFound => "PhotoNotFound",
            Self::InvalidInput => "InvalidInput",
            Self::Permanent => "Permanent",
        }
    }

    /// The workflow's view of a port failure.
    pub fn of_port(error: &PortError) -> Self {
        match error.kind {
            PortErrorKind::NotFound => Self::PhotoNotFound,
            PortErrorKind::Transient => Self::Transient,
            PortErrorKind::TooLarge | PortErrorKind::Permanent => Self::Permanent,
        }
    }
}

/// A handler error that knows its workflow error name.
pub trait StepError: std::error::Error {
    fn error_name(&self) -> ErrorName;
}

/// Turns a handler error into what the Lambda runtime reports, keeping the stable name and
/// the whole cause chain in the message.
pub fn diagnostic<E: StepError>(error: E) -> Diagnostic {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Diagnostic {
        error_type: error.error_name().as_str().to_string(),
        error_message: message,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required but not set")]
    Missing(&'static str),
    #[error("environment variable {name} has an invalid value {value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// A required environment variable, read once at cold start.
pub fn required_env(name: &'static str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(ConfigError::Missing(name)),
    }
}

/// An optional environment variable parsed with `FromStr`, or the default.
pub fn env_or<T>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|e: T::Err| ConfigError::Invalid {
            name,
            value: v,
            reason: e.to_string(),
        }),
        _ => Ok(default),
    }
}

/// A required environment variable holding a positive number.
pub fn env_positive<T>(name: &'static str) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + Default,
    T::Err: std::fmt::Display,
{
    let value = required_env(name)?;
    let invalid = |reason: String| ConfigError::Invalid {
        name,
        value: value.clone(),
        reason,
    };
    let n: T = value.trim().parse().map_err(|e: T::Err| invalid(e.to_string()))?;
    if n > T::default() {
        Ok(n)
    } else {
        Err(invalid("must be greater than zero".into()))
    }
}

/// The typed input of a step, from the raw Lambda payload. A payload of the wrong shape
/// is the caller's error, reported as `InvalidInput` by the handlers.
pub fn parse_input<T: serde::de::DeserializeOwned>(
    payload: serde_json::Value,
) -> Result<T, serde_json::Error> {
    serde_json::from_value(payload)
}

/// Runs a step's handler in the Lambda runtime: the raw JSON payload in, the handler's
/// output or its error (with its stable name) out. Each invocation's handler time is the
/// `StepLatency` metric of `step`, and each error a `StepErrors` count by its name.
pub async fn serve<F, Fut, T, E>(step: &'static str, handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(serde_json::Value) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    T: serde::Serialize,
    E: StepError,
{
    serve_until(step, |payload, _deadline| handler(payload)).await
}

/// Like [`serve`], for handlers that plan their work by the invocation's deadline.
pub async fn serve_until<F, Fut, T, E>(step: &'static str, handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(serde_json::Value, std::time::SystemTime) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    T: serde::Serialize,
    E: StepError,
{
    let handler = &handler;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let deadline = event.context.deadline();
            let started = std::time::Instant::now();
            let result = handler(event.payload, deadline).await;
            let error = result.as_ref().err().map(StepError::error_name);
            metrics::emit(&step_metrics(step, started.elapsed(), error));
            result.map_err(diagnostic)
        },
    ))
    .await
}

/// The metrics of one invocation of `step`: its latency, and its error by name.
pub fn step_metrics(
    step: &'static str,
    took: std::time::Duration,
    error: Option<ErrorName>,
) -> Vec<metrics::MetricSet> {
    use metrics::{MetricSet, Unit};
    let mut sets = vec![MetricSet::new(&[("Step", step)]).with(
        "StepLatency",
        Unit::Milliseconds,
        took.as_secs_f64() * 1000.0,
    )];
    if let Some(name) = error {
        sets.push(
            MetricSet::new(&[("Step", step), ("ErrorType", name.as_str())]).with(
                "StepErrors",
                Unit::Count,
                1.0,
            ),
        );
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invocation_reports_its_latency_and_its_error_by_name() {
        let ok = step_metrics("notify", std::time::Duration::from_micros(2500), None);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].dimensions, vec![("Step", "notify".to_owned())]);
        assert_eq!(
            ok[0].metrics,
            vec![("StepLatency", metrics::Unit::Milliseconds, 2.5)]
        );
        let failed = step_metrics("notify", std::time::Duration::ZERO, Some(ErrorName::Transient));
        assert_eq!(failed.len(), 2);
        assert_eq!(
            failed[1].dimensions,
            vec![
                ("Step", "notify".to_owned()),
                ("ErrorType", "Transient".to_owned())
            ]
        );
        assert_eq!(failed[1].metrics, vec![("StepErrors", metrics::Unit::Count, 1.0)]);
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] PortError);
    impl StepError for Outer {
        fn error_name(&self) -> ErrorName {
            ErrorName::of_port(&self.0)
        }
    }

    #[test]
    fn diagnostic_keeps_the_stable_name_and_the_cause_chain() {
        let d = diagnostic(Outer(PortError::not_found("no such version")));
        assert_eq!(d.error_type, "PhotoNotFound");
        assert_eq!(d.error_message, "outer: no such version");
        let d = diagnostic(Outer(PortError::transient("SlowDown")));
        assert_eq!(d.error_type, "Transient");
    }

    #[test]
    fn env_or_parses_or_defaults_and_reports_bad_values() {
        std::env::set_var("LS_TEST_NUM", "42");
        assert_eq!(env_or("LS_TEST_NUM", 7u64).unwrap(), 42);
        assert_eq!(env_or("LS_TEST_UNSET_XYZ", 7u64).unwrap(), 7);
        std::env::set_var("LS_TEST_BAD", "forty");
        let err = env_or("LS_TEST_BAD", 7u64).unwrap_err().to_string();
        assert!(err.contains("LS_TEST_BAD") && err.contains("forty"), "{err}");
        assert!(matches!(
            required_env("LS_TEST_UNSET_XYZ"),
            Err(ConfigError::Missing(_))
        ));
    }
}
