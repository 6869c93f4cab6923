//! Conformance: executions as a whole — the history as the console shows it, and how
//! STANDARD and EXPRESS executions differ.

mod common;

use std::sync::Arc;

use asl_engine::*;
use common::*;
use serde_json::{json, Value};

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
