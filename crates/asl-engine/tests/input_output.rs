//! Conformance: a state's input and output processing in JSONPath (InputPath, Parameters,
//! ResultSelector, ResultPath, OutputPath, in the order the developer guide's "Processing
//! input and output" gives), lambda:invoke's payload, and the 256 KiB payload limit.

mod common;

use std::sync::Arc;

use asl_engine::*;
use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn pass_result_path_variants() {
    let def = |rp: Value| json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": rp, "End": true}}});
    let input = json!({"a": {"keep": true}});
    assert_eq!(
        run(def(json!("$.a.r")), input.clone()).await.output.unwrap(),
        json!({"a": {"keep": true, "r": {"x": 1}}})
    );
    assert_eq!(
        run(def(json!("$")), input.clone()).await.output.unwrap(),
        json!({"x": 1})
    );
    assert_eq!(run(def(Value::Null), input.clone()).await.output.unwrap(), input);
}

#[tokio::test]
async fn processing_order_input_parameters_selector_result_output() {
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "echo",
        "InputPath": "$.in",
        "Parameters": {"n.$": "$.value", "fixed": "f", "who.$": "$$.Execution.Name", "state.$": "$$.State.Name"},
        "ResultSelector": {"picked.$": "$.n", "who.$": "$.who", "state.$": "$.state"},
        "ResultPath": "$.in.result",
        "OutputPath": "$.in",
        "End": true}}});
    let out = run(def, json!({"in": {"value": 5}, "other": 1}))
        .await
        .output
        .unwrap();
    assert_eq!(
        out,
        json!({"value": 5, "result": {"picked": 5, "who": "test", "state": "T"}})
    );
}

#[tokio::test]
async fn output_path_on_a_missing_result_is_a_runtime_error_not_caught_by_states_all() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "OutputPath": "$.missing", "End": true,
              "Comment": "Pass has no Catch; the Task below proves States.ALL does not catch it"}}});
    let x = run(def, json!({})).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("States.Runtime"));
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "echo", "OutputPath": "$.missing", "End": true,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Caught": {"Type": "Succeed"}}});
    assert_eq!(run(def, json!({})).await.error.as_deref(), Some("States.Runtime"));
}

#[tokio::test]
async fn lambda_invoke_with_payload_and_result_selector() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "double", "Payload.$": "$"},
        "ResultSelector": {"value.$": "$.Payload", "status.$": "$.StatusCode"},
        "ResultPath": "$.r", "End": true}}});
    assert_eq!(
        run(def, json!({"n": 4})).await.output.unwrap(),
        json!({"n": 4, "r": {"value": 8, "status": 200}})
    );
}

#[tokio::test]
async fn intrinsics_in_parameters() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {
        "greeting.$": "States.Format('Hello, {}!', $.name)", "len.$": "States.ArrayLength($.list)"}, "End": true}}});
    assert_eq!(
        run(def, json!({"name": "Jane", "list": [1, 2]}))
            .await
            .output
            .unwrap(),
        json!({"greeting": "Hello, Jane!", "len": 2})
    );
}

#[tokio::test]
async fn payloads_over_256_kib_fail_with_a_terminal_error_no_catch_can_handle() {
    let clock = VirtualClock::default();
    let mut e = engine(&clock);
    e.register("big", |_v: Value| async move {
        Ok(json!({"blob": "x".repeat(300 * 1024)}))
    });
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "big", "End": true,
              "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Caught": {"Type": "Succeed"}}});
    let x = run_with(&e, def, json!({})).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(clock.sleeps().is_empty(), "a terminal error is not retried");
    // An execution input over the limit fails at once too.
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let x = run(def.clone(), json!({"blob": "y".repeat(257 * 1024)})).await;
    assert_eq!(x.error.as_deref(), Some("States.DataLimitExceeded"));
    // Just under the limit is fine.
    let x = run(def, json!({"blob": "y".repeat(255 * 1024)})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
}

/// Every attempt of a task re-applies Parameters with its own `$$.State.RetryCount`.
#[tokio::test]
async fn parameters_are_re_evaluated_on_every_attempt_with_the_retry_count() {
    let clock = VirtualClock::default();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut e = Engine::new(Arc::new(clock.clone()));
    let s = seen.clone();
    e.register("flaky", move |v: Value| {
        let s = s.clone();
        async move {
            let n = v["attempt"].as_u64().unwrap();
            s.lock().unwrap().push(n);
            if n < 2 {
                Err(StatesError::new("Transient", "not yet"))
            } else {
                Ok(json!({"done": n}))
            }
        }
    });
    let def = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "flaky",
        "Parameters": {"attempt.$": "$$.State.RetryCount"},
        "ResultSelector": {"done.$": "$.done", "retries.$": "$$.State.RetryCount"},
        "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "MaxAttempts": 3}],
        "End": true}}});
    let x = run_with(&e, def, json!({})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "{x:?}");
    assert_eq!(*seen.lock().unwrap(), vec![0, 1, 2]);
    assert_eq!(x.output, Some(json!({"done": 2, "retries": 2})));
}
