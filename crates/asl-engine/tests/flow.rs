//! Conformance: the flow states — Choice, Wait (and AWS's run-time checks of its paths),
//! Parallel and inline Map (concurrency, and stopping at the first failure).

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use asl_engine::*;
use common::*;
use serde_json::{json, Value};

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
