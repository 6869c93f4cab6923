use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use asl_engine::*;
use serde_json::{json, Value};

fn engine(clock: &VirtualClock) -> Engine {
    let mut e = Engine::new(Arc::new(clock.clone()));
    e.register("echo", |v: Value| async move { Ok(v) });
    e.register("double", |v: Value| async move {
        Ok(json!(v["n"].as_i64().unwrap_or(0) * 2))
    });
    e.register("boom", |_v: Value| async move {
        Err(StatesError::new("PhotoNotFound", "gone"))
    });
    e
}

async fn run(def: Value, input: Value) -> Execution {
    let clock = VirtualClock::default();
    run_with(&engine(&clock), def, input).await
}

async fn run_with(e: &Engine, def: Value, input: Value) -> Execution {
    let sm = parse_definition(&def.to_string()).unwrap();
    e.execute(&sm, "test", input).await
}

fn kinds(x: &Execution) -> Vec<&str> {
    x.history.iter().map(|e| e.kind.as_str()).collect()
}

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
async fn choice_default_and_no_match() {
    let def = |default: Option<&str>| {
        let mut c = json!({"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}]});
        if let Some(d) = default {
            c["Default"] = json!(d);
        }
        json!({"StartAt": "C", "States": {"C": c, "Big": {"Type": "Pass", "Result": "big", "End": true}, "Small": {"Type": "Pass", "Result": "small", "End": true}}})
    };
    assert_eq!(
        run(def(Some("Small")), json!({"n": 9})).await.output.unwrap(),
        json!("big")
    );
    assert_eq!(
        run(def(Some("Small")), json!({"n": 1})).await.output.unwrap(),
        json!("small")
    );
    let mut d = def(None);
    d["States"].as_object_mut().unwrap().remove("Small");
    assert_eq!(
        run(d, json!({"n": 1})).await.error.as_deref(),
        Some("States.NoChoiceMatched")
    );
}

#[tokio::test]
async fn wait_states_use_the_clock() {
    let clock = VirtualClock::default();
    let def = json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 30, "Next": "W2"},
        "W2": {"Type": "Wait", "SecondsPath": "$.s", "Next": "W3"},
        "W3": {"Type": "Wait", "Timestamp": "2026-01-01T00:01:00Z", "End": true}}});
    let x = run_with(&engine(&clock), def, json!({"s": 5})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
    assert_eq!(
        clock.sleeps(),
        vec![
            Duration::from_secs(30),
            Duration::from_secs(5),
            Duration::from_secs(25)
        ]
    );
}

#[tokio::test]
async fn parallel_and_map() {
    let def = json!({"StartAt": "Par", "States": {
        "Par": {"Type": "Parallel", "Next": "Map", "ResultPath": "$.par", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "double", "Parameters": {"n": 21}, "End": true}}}]},
        "Map": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ResultPath": "$.doubled",
                "ItemSelector": {"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": {"StartAt": "D", "States": {"D": {"Type": "Task", "Resource": "double", "End": true}}},
                "End": true}}});
    let x = run(def, json!({"items": [1, 2, 3]})).await;
    let out = x.output.clone().unwrap();
    assert_eq!(out["par"], json!(["a", 42]));
    assert_eq!(out["doubled"], json!([2, 4, 6]));
    assert!(kinds(&x).contains(&"MapIterationStarted"));
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
async fn history_reads_like_the_console() {
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "echo", "End": true}}});
    let x = run(def, json!({"a": 1})).await;
    assert_eq!(
        kinds(&x),
        vec![
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(x.history[1].details["stateEnteredEventDetails"]["name"], "T");
    assert_eq!(
        x.history[4].details["lambdaFunctionSucceededEventDetails"]["output"],
        "{\"a\":1}"
    );
    assert!(x.history.windows(2).all(|w| w[1].previous_event_id == w[0].id));
}

#[test]
fn validation_names_the_state_at_fault() {
    let err = |def: Value| parse_definition(&def.to_string()).unwrap_err().to_string();
    let e = err(json!({"StartAt": "A", "States": {"A": {"Type": "Tusk", "End": true}}}));
    assert!(e.contains("state 'A' has an unknown Type 'Tusk'"), "{e}");
    let e = err(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}));
    assert!(e.contains("state 'A' goes to 'Nowhere'"), "{e}");
    let e = err(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "B": {"Type": "Pass", "End": true}}}),
    );
    assert!(e.contains("state 'B' can never be reached"), "{e}");
    let e = err(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "a.b", "End": true}}}));
    assert!(e.contains("state 'A': InputPath 'a.b'"), "{e}");
    let e = err(json!({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}));
    assert!(e.contains("neither Next nor End"), "{e}");
    let e = err(
        json!({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "x", "ResultPath": "$.a[*]", "End": true}}}),
    );
    assert!(e.contains("reference path"), "{e}");
    let e = err(
        json!({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumberEquals": 1, "Next": "A"}]}}}),
    );
    assert!(e.contains("unknown comparison operator 'NumberEquals'"), "{e}");
}

#[test]
fn substitutions_fill_placeholders() {
    let subs = [(
        "FnArn".to_string(),
        "arn:aws:lambda:local:0:function:f".to_string(),
    )]
    .into_iter()
    .collect();
    assert_eq!(
        substitute(r#"{"Resource": "${FnArn}"}"#, &subs),
        r#"{"Resource": "arn:aws:lambda:local:0:function:f"}"#
    );
}

/// A task that never finishes: an execution that waits for it would hang.
fn engine_with_a_hanging_task(clock: &VirtualClock) -> Engine {
    let mut e = engine(clock);
    e.register("hang", |_v: Value| async move {
        std::future::pending::<()>().await;
        Ok(Value::Null)
    });
    e
}

async fn within_ten_seconds(x: impl std::future::Future<Output = Execution>) -> Execution {
    tokio::time::timeout(Duration::from_secs(10), x)
        .await
        .expect("the execution waited for a branch after another had failed")
}

#[tokio::test]
async fn parallel_stops_at_the_first_failed_branch() {
    let clock = VirtualClock::default();
    let def = json!({"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "H", "States": {"H": {"Type": "Task", "Resource": "hang", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "boom", "End": true}}}]}}});
    let x = within_ten_seconds(run_with(&engine_with_a_hanging_task(&clock), def, json!({}))).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("PhotoNotFound"));
}

#[tokio::test]
async fn map_stops_at_the_first_failed_iteration_and_records_it() {
    let clock = VirtualClock::default();
    // Each item names its fate: the first hangs, the second fails.
    let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemsPath": "$.r",
        "ItemProcessor": {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "StringEquals": "hang", "Next": "H"}], "Default": "B"},
            "H": {"Type": "Task", "Resource": "hang", "End": true},
            "B": {"Type": "Task", "Resource": "boom", "End": true}}}}}});
    let x = within_ten_seconds(run_with(
        &engine_with_a_hanging_task(&clock),
        def,
        json!({"r": ["hang", "fail"]}),
    ))
    .await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("PhotoNotFound"));
    assert!(kinds(&x).contains(&"MapIterationFailed"));
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

#[test]
fn what_the_twin_does_not_run_is_refused_never_ignored() {
    let cases = [
        (
            json!({"StartAt": "P", "TimeoutSeconds": 0, "States": {"P": {"Type": "Pass", "End": true}}}),
            "TimeoutSeconds",
        ),
        (
            json!({"StartAt": "M", "QueryLanguage": "JSONata", "States": {"M": {"Type": "Map", "End": true,
            "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "b"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
            "JSONata",
        ),
        (
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "echo", "TimeoutSecondsPath": "$.t", "End": true}}}),
            "TimeoutSecondsPath",
        ),
        (
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "echo", "HeartbeatSeconds": 10, "End": true}}}),
            "HeartbeatSeconds",
        ),
        (
            json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Resutl": 1, "End": true}}}),
            "unknown field 'Resutl'",
        ),
        (
            json!({"StartAt": "P", "States": {"P": {"Type": "Succeed", "Assign": {"x": 1}}}}),
            "Assign",
        ),
        (
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "echo", "TimeoutSeconds": -5, "End": true}}}),
            "TimeoutSeconds",
        ),
        (
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "echo", "TimeoutSeconds": 1e300, "End": true}}}),
            "TimeoutSeconds",
        ),
        (
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "echo", "End": true,
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": -1}]}}}),
            "IntervalSeconds",
        ),
        (
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "echo", "End": true,
            "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}]}}}),
            "BackoffRate",
        ),
        (
            json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": -3, "End": true}}}),
            "Seconds",
        ),
        (
            json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemReader": {},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
            "ItemReader",
        ),
    ];
    for (def, expected) in cases {
        let err = parse_definition(&def.to_string()).expect_err(&def.to_string());
        assert!(err.to_string().contains(expected), "{def}: {err}");
    }
}

/// AWS's runtime checks of a Wait state's paths: a whole, non-negative number of seconds
/// and an RFC 3339 timestamp with a `T` fail the execution with States.Runtime otherwise.
#[tokio::test]
async fn wait_paths_are_validated_at_run_time_as_aws_does() {
    let seconds =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}});
    for bad in [json!(-1), json!(1.5), json!("10"), json!(100_000_000)] {
        let x = run(seconds.clone(), json!({"s": bad})).await;
        assert_eq!(x.status, ExecutionStatus::Failed, "{bad}");
        assert_eq!(x.error.as_deref(), Some("States.Runtime"), "{bad}");
    }
    let x = run(seconds, json!({"s": 3})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
    let stamp =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.t", "End": true}}});
    let x = run(stamp.clone(), json!({"t": "2026-01-01 00:00:10Z"})).await;
    assert_eq!(x.error.as_deref(), Some("States.Runtime"), "a space instead of T");
    let x = run(stamp, json!({"t": "2026-01-01T00:00:10Z"})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
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

/// MaxConcurrencyPath reads the Map's limit from the input: a whole number from 0 (no
/// limit); anything else fails the execution with States.Runtime.
#[tokio::test]
async fn map_max_concurrency_path_bounds_the_iterations_and_is_validated() {
    let clock = VirtualClock::default();
    let running = Arc::new(AtomicU32::new(0));
    let peak = Arc::new(AtomicU32::new(0));
    let mut e = Engine::new(Arc::new(clock.clone()));
    let (r, p) = (running.clone(), peak.clone());
    e.register("slow", move |v: Value| {
        let (r, p) = (r.clone(), p.clone());
        async move {
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            p.fetch_max(now, Ordering::SeqCst);
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            r.fetch_sub(1, Ordering::SeqCst);
            Ok(v)
        }
    });
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.limit",
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "slow", "End": true}}},
        "End": true}}});
    let items: Vec<u32> = (0..6).collect();
    let x = run_with(&e, def.clone(), json!({"items": items, "limit": 2})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
    assert_eq!(x.output, Some(json!(items)));
    assert_eq!(peak.load(Ordering::SeqCst), 2, "at most two iterations at once");

    peak.store(0, Ordering::SeqCst);
    let x = run_with(&e, def.clone(), json!({"items": items, "limit": 0})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
    assert_eq!(peak.load(Ordering::SeqCst), 6, "0 is no limit");

    for bad in [
        json!(-1),
        json!(1.5),
        json!("2"),
        json!(null),
        json!(5_000_000_000u64),
    ] {
        let x = run_with(&e, def.clone(), json!({"items": items, "limit": bad})).await;
        assert_eq!(x.error.as_deref(), Some("States.Runtime"), "{bad}");
    }
    let mut both = def;
    both["States"]["M"]["MaxConcurrency"] = json!(1);
    let problems = format!("{:?}", parse_definition(&both.to_string()).unwrap_err());
    assert!(
        problems.contains("both MaxConcurrency and MaxConcurrencyPath"),
        "{problems}"
    );
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

/// A history of event types only has the same events as the detailed one, without their
/// inputs, outputs or timestamps.
#[tokio::test]
async fn event_types_only_history_keeps_every_event_and_no_details() {
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": {"big": "x"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "echo", "End": true}}});
    let detailed = run(def.clone(), json!({"secret": "face"})).await;
    let clock = VirtualClock::default();
    let mut e = Engine::new(Arc::new(clock)).with_event_types_only();
    e.register("echo", |v: Value| async move { Ok(v) });
    let light = run_with(&e, def, json!({"secret": "face"})).await;
    assert_eq!(light.status, ExecutionStatus::Succeeded);
    assert_eq!(light.output, detailed.output);
    assert_eq!(kinds(&light), kinds(&detailed));
    assert!(light
        .history
        .iter()
        .all(|e| e.details.is_null() && e.timestamp.is_empty()));
    assert!(detailed
        .history
        .iter()
        .any(|e| e.details.to_string().contains("secret")));
}

/// The context object by workflow type: a Standard execution has `RedriveCount` (0 until
/// redriven), an Express one has none and an `express` execution ARN; Express refuses the
/// callback and job-run patterns. From the documentation, not recorded: RedriveCount is 0
/// before a redrive (ExecutionRedrivenEventDetails), Express executions cannot be redriven
/// (RedriveExecution), and Express supports neither .sync nor .waitForTaskToken ("Service
/// integration patterns"); that AWS omits the field rather than giving 0 is our reading.
#[tokio::test]
async fn standard_and_express_executions_differ_as_aws_documents() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
        "Parameters": {"redrives.$": "$$.Execution.RedriveCount", "id.$": "$$.Execution.Id"}}}});
    let clock = VirtualClock::default();
    let standard = run_with(&engine(&clock), def.clone(), json!({})).await;
    let out = standard.output.unwrap();
    assert_eq!(out["redrives"], 0);
    assert!(out["id"].as_str().unwrap().contains(":execution:"));
    let express = engine(&clock).with_workflow_type(asl_engine::WorkflowType::Express);
    let x = run_with(&express, def, json!({})).await;
    assert_eq!(
        x.error.as_deref(),
        Some("States.Runtime"),
        "no RedriveCount in Express"
    );
    let ids = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true, "Parameters": {"id.$": "$$.Execution.Id"}}}});
    let x = run_with(&express, ids, json!({})).await;
    assert!(x.output.unwrap()["id"].as_str().unwrap().contains(":express:"));

    let callback = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}}}});
    let sm = parse_definition(&callback.to_string()).unwrap();
    assert!(asl_engine::WorkflowType::Standard.refusals(&sm).is_empty());
    let refused = asl_engine::WorkflowType::Express.refusals(&sm);
    assert!(refused[0].contains("callback (.waitForTaskToken)"), "{refused:?}");
    let x = express.execute(&sm, "x", json!({})).await;
    assert_eq!(x.error.as_deref(), Some("States.Runtime"));
}
