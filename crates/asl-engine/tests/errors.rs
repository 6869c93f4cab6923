//! Conformance: errors (developer guide, "Handling errors in Step Functions workflows"):
//! Retry with backoff, MaxDelaySeconds and full jitter, Catch with ResultPath, task
//! timeouts, and Fail states.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use asl_engine::*;
use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn retries_with_exponential_backoff_on_the_virtual_clock_then_succeeds() {
    let clock = VirtualClock::default();
    let mut e = engine(&clock);
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    e.register("flaky", move |v: Value| {
        let n = c.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < 3 {
                Err(StatesError::new("Transient", "throttled"))
            } else {
                Ok(v)
            }
        }
    });
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "flaky",
        "Retry": [{"ErrorEquals": ["PhotoNotFound"], "MaxAttempts": 0},
                  {"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "BackoffRate": 3, "MaxAttempts": 5, "MaxDelaySeconds": 5}],
        "End": true}}});
    let x = run_with(&e, def, json!({"ok": 1})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // 1, 3, 9 capped to 5.
    assert_eq!(
        clock.sleeps(),
        vec![
            Duration::from_secs(1),
            Duration::from_secs(3),
            Duration::from_secs(5)
        ]
    );
    assert_eq!(
        kinds(&x).iter().filter(|k| **k == "LambdaFunctionFailed").count(),
        3
    );
}

#[tokio::test]
async fn full_jitter_waits_below_the_ceiling_and_attempts_run_out() {
    let clock = VirtualClock::default();
    let mut e = engine(&clock);
    e.register("always", |_v: Value| async move {
        Err(StatesError::new("Transient", "down"))
    });
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "always",
        "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 2, "MaxAttempts": 4, "JitterStrategy": "FULL"}],
        "End": true}}});
    let x = run_with(&e, def, json!({})).await;
    assert_eq!(x.error.as_deref(), Some("Transient"));
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 4);
    for (i, s) in sleeps.iter().enumerate() {
        assert!(s.as_secs_f64() <= 2.0 * 2f64.powi(i as i32), "{i}: {s:?}");
    }
    assert!(sleeps.iter().any(|s| s.as_secs_f64() > 0.0));
}

#[tokio::test]
async fn max_attempts_zero_and_catch_with_result_path() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "boom",
              "Retry": [{"ErrorEquals": ["PhotoNotFound"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
              "Catch": [{"ErrorEquals": ["Transient"], "Next": "Wrong"}, {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Handled"}],
              "End": true},
        "Wrong": {"Type": "Fail", "Error": "Wrong"},
        "Handled": {"Type": "Pass", "End": true}}});
    let clock = VirtualClock::default();
    let x = run_with(&engine(&clock), def, json!({"photo": 1})).await;
    assert_eq!(
        x.output.unwrap(),
        json!({"photo": 1, "error": {"Error": "PhotoNotFound", "Cause": "gone"}})
    );
    assert!(clock.sleeps().is_empty(), "MaxAttempts 0 means no retry");
}

#[tokio::test]
async fn task_timeout_is_states_timeout() {
    let clock = VirtualClock::default();
    let mut e = engine(&clock);
    let c = clock.clone();
    e.register("slow", move |v: Value| {
        let c = c.clone();
        async move {
            c.sleep(Duration::from_secs(30)).await;
            Ok(v)
        }
    });
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "slow", "TimeoutSeconds": 10,
              "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "NotThis"}, {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}],
              "End": true},
        "NotThis": {"Type": "Fail", "Error": "NotThis"},
        "TimedOut": {"Type": "Succeed"}}});
    let x = run_with(&e, def, json!({})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "{:?}", x.error);
    assert!(kinds(&x).contains(&"LambdaFunctionTimedOut"));
}

#[tokio::test]
async fn fail_state_with_error_and_cause_paths() {
    let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e.Error", "CausePath": "$.e.Cause"}}});
    let x = run(def, json!({"e": {"Error": "PhotoNotFound", "Cause": "gone"}})).await;
    assert_eq!(
        (x.error.as_deref(), x.cause.as_deref()),
        (Some("PhotoNotFound"), Some("gone"))
    );
    assert_eq!(
        kinds(&x),
        vec!["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    );
}

/// A Fail state without Error or Cause: AWS reports the execution failed with no error name.
#[tokio::test]
async fn a_fail_state_without_error_reports_no_error_name() {
    let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail"}}});
    let x = run(def, json!({})).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error, None);
    assert_eq!(x.cause, None);
    let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Mine", "Cause": "why"}}});
    let x = run(def, json!({})).await;
    assert_eq!(
        (x.error.as_deref(), x.cause.as_deref()),
        (Some("Mine"), Some("why"))
    );
}
