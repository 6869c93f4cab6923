//! Conformance: how long an execution may run. A definition's top-level `TimeoutSeconds`,
//! and at most a year for STANDARD and five minutes for EXPRESS (Step Functions quotas),
//! end the execution as TIMED_OUT with `States.Timeout` (an `ExecutionTimedOut` event), which
//! no Retry or Catch inside it handles. A Wait whose end lies past that deadline times the
//! execution out at once in the twin (AWS would reach the same end after waiting there).

use std::sync::Arc;

use asl_engine::{
    parse_definition, Engine, Execution, ExecutionStatus, RealClock, StatesError, VirtualClock, WorkflowType,
};
use serde_json::{json, Value};

async fn run(engine: &Engine, def: Value) -> Execution {
    let sm = parse_definition(&def.to_string()).unwrap();
    engine.execute(&sm, "timeouts", json!({})).await
}

fn virtual_engine() -> Engine {
    Engine::new(Arc::new(VirtualClock::default()))
}

fn wait(seconds: u64) -> Value {
    json!({"Type": "Wait", "Seconds": seconds, "End": true})
}

fn last_event(x: &Execution) -> &str {
    x.history.last().map(|e| e.kind.as_str()).unwrap_or_default()
}

#[tokio::test]
async fn a_wait_past_timeout_seconds_times_the_execution_out_and_no_catch_handles_it() {
    let def = json!({"StartAt": "Guarded", "TimeoutSeconds": 60, "States": {
        "Guarded": {"Type": "Parallel", "Branches": [{"StartAt": "W", "States": {"W": wait(120)}}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
        "Caught": {"Type": "Succeed"}}});
    let x = run(&virtual_engine(), def).await;
    assert_eq!(x.status, ExecutionStatus::TimedOut);
    assert_eq!(x.error.as_deref(), Some("States.Timeout"));
    assert_eq!(last_event(&x), "ExecutionTimedOut");
    let within = json!({"StartAt": "W", "TimeoutSeconds": 60, "States": {"W": wait(59)}});
    assert_eq!(
        run(&virtual_engine(), within).await.status,
        ExecutionStatus::Succeeded
    );
}

#[tokio::test(start_paused = true)]
async fn a_standard_execution_lasts_at_most_a_year_and_a_far_wait_is_not_slept_through() {
    // On the real clock (tokio's timers, paused here: a sleep would advance them by two
    // years at once), the run does not sleep at all.
    let started = tokio::time::Instant::now();
    let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "2099-01-01T00:00:00Z", "End": true}}});
    let x = run(&Engine::new(Arc::new(RealClock)), def).await;
    assert_eq!(tokio::time::Instant::now(), started, "no timer ran");
    assert_eq!(x.status, ExecutionStatus::TimedOut);
    assert!(x.cause.unwrap().contains("after the execution's deadline"));
    let year = 365 * 24 * 3600;
    let just_inside = json!({"StartAt": "W", "States": {"W": wait(year - 1)}});
    assert_eq!(
        run(&virtual_engine(), just_inside).await.status,
        ExecutionStatus::Succeeded
    );
    let just_past = json!({"StartAt": "W", "States": {"W": wait(year + 1)}});
    assert_eq!(
        run(&virtual_engine(), just_past).await.status,
        ExecutionStatus::TimedOut
    );
}

#[tokio::test]
async fn an_express_execution_lasts_at_most_five_minutes() {
    let express = virtual_engine().with_workflow_type(WorkflowType::Express);
    let inside = json!({"StartAt": "W", "States": {"W": wait(299)}});
    assert_eq!(run(&express, inside).await.status, ExecutionStatus::Succeeded);
    let past = json!({"StartAt": "W", "States": {"W": wait(301)}});
    let x = run(&express, past).await;
    assert_eq!(
        (x.status, x.error.as_deref()),
        (ExecutionStatus::TimedOut, Some("States.Timeout"))
    );
    // TimeoutSeconds cannot stretch it.
    let stretched = json!({"StartAt": "W", "TimeoutSeconds": 3600, "States": {"W": wait(301)}});
    assert_eq!(run(&express, stretched).await.status, ExecutionStatus::TimedOut);
}

#[tokio::test]
async fn retries_that_run_past_timeout_seconds_time_the_execution_out_instead_of_failing_it() {
    let mut engine = virtual_engine();
    engine.register("flaky", |_v: Value| async move {
        Err(StatesError::new("Transient", "busy"))
    });
    let def = json!({"StartAt": "T", "TimeoutSeconds": 10, "States": {"T": {
        "Type": "Task", "Resource": "flaky", "End": true,
        "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 4, "MaxAttempts": 5, "BackoffRate": 2.0}]}}});
    let x = run(&engine, def).await;
    assert_eq!(x.status, ExecutionStatus::TimedOut);
    assert_eq!(last_event(&x), "ExecutionTimedOut");
    // Without the limit, the same retries end as the task's failure.
    let mut engine = virtual_engine();
    engine.register("flaky", |_v: Value| async move {
        Err(StatesError::new("Transient", "busy"))
    });
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "flaky", "End": true,
        "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 4, "MaxAttempts": 5, "BackoffRate": 2.0}]}}});
    let x = run(&engine, def).await;
    assert_eq!(
        (x.status, x.error.as_deref()),
        (ExecutionStatus::Failed, Some("Transient"))
    );
}
