//! Conformance: states in JSONata (`QueryLanguage: "JSONata"`), after the developer guide's
//! "Transforming data with JSONata in Step Functions" and the errors recorded on AWS for
//! expressions that give nothing (LocalStack's AWS-validated snapshots: "The JSONata
//! expression '$doesNotExist' specified for the field 'Output' returned nothing
//! (undefined).", States.QueryEvaluationError).

use std::sync::Arc;

use asl_engine::{parse_definition, Engine, Execution, ExecutionStatus, StatesError, VirtualClock};
use serde_json::{json, Value};

async fn run(def: Value, input: Value) -> Execution {
    let mut engine = Engine::new(Arc::new(VirtualClock::default()));
    engine.register("echo", |v: Value| async move { Ok(v) });
    engine.register("double", |v: Value| async move {
        Ok(json!({"n": v["n"].as_i64().unwrap_or(0) * 2}))
    });
    engine.register("boom", |_v: Value| async move {
        Err(StatesError::new("Oops", "it broke"))
    });
    let sm = parse_definition(&def.to_string()).unwrap_or_else(|e| panic!("{e}"));
    engine.execute(&sm, "jsonata", input).await
}

fn machine(states: Value) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": states})
}

#[tokio::test]
async fn pass_output_and_assign_read_states_input_and_whole_numbers_stay_whole() {
    let def = machine(json!({
        "S": {"Type": "Pass", "Output": {"sum": "{% $states.input.a + $states.input.b %}", "name": "{% $uppercase($states.input.who) %}", "kept": "literal"},
              "Assign": {"total": "{% $states.input.a + $states.input.b %}"}, "Next": "T"},
        "T": {"Type": "Pass", "Output": "{% [$total, $states.input.sum] %}", "End": true}}));
    let x = run(def, json!({"a": 1, "b": 2, "who": "jane"})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "{:?}", x.cause);
    assert_eq!(x.output, Some(json!([3, 3])));
    let first = x.history.iter().find(|e| e.kind == "PassStateExited").unwrap();
    let output: Value = serde_json::from_str(
        first.details["stateExitedEventDetails"]["output"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(output, json!({"sum": 3, "name": "JANE", "kept": "literal"}));
}

#[tokio::test]
async fn a_task_takes_its_arguments_and_outputs_its_result_by_default_or_as_told() {
    let def = machine(json!({
        "S": {"Type": "Task", "Resource": "double", "Arguments": {"n": "{% $states.input.value %}"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "double", "Arguments": "{% $states.input %}",
              "Output": {"doubled": "{% $states.result.n %}", "was": "{% $states.input.n %}"}, "End": true}}));
    let x = run(def, json!({"value": 5})).await;
    assert_eq!(x.output, Some(json!({"doubled": 20, "was": 10})));
}

#[tokio::test]
async fn choice_conditions_and_the_default() {
    let def = machine(json!({
        "S": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.n > 10 %}", "Next": "Big", "Assign": {"size": "big"}}],
              "Default": "Small", "Assign": {"size": "small"}},
        "Big": {"Type": "Pass", "Output": "{% $size %}", "End": true},
        "Small": {"Type": "Pass", "Output": "{% $size %}", "End": true}}));
    assert_eq!(
        run(def.clone(), json!({"n": 11})).await.output,
        Some(json!("big"))
    );
    assert_eq!(
        run(def.clone(), json!({"n": 1})).await.output,
        Some(json!("small"))
    );
    let x = run(
        machine(json!({"S": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "E"}], "Default": "E"},
                       "E": {"Type": "Succeed"}})),
        json!({}),
    )
    .await;
    assert_eq!(
        x.error.as_deref(),
        Some("States.QueryEvaluationError"),
        "a Condition must be a boolean"
    );
}

#[tokio::test]
async fn a_map_iterates_its_items_with_the_item_in_the_context() {
    let def = machine(json!({
        "S": {"Type": "Map", "Items": "{% $states.input.values %}",
              "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}", "i": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                                "States": {"P": {"Type": "Pass", "Output": "{% $states.input.v * 10 + $states.input.i %}", "End": true}}},
              "Output": "{% $sum($states.result) %}", "End": true}}));
    let x = run(def, json!({"values": [1, 2, 3]})).await;
    assert_eq!(x.output, Some(json!(10 + 21 + 32)));
    // The same iteration events as a JSONPath Map's.
    let iterations = x
        .history
        .iter()
        .filter(|e| e.kind == "MapIterationSucceeded")
        .count();
    assert_eq!(iterations, 3);
}

#[tokio::test]
async fn a_catch_outputs_the_error_output_by_default_and_assigns_from_it() {
    let def = machine(json!({
        "S": {"Type": "Task", "Resource": "boom",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"why": "{% $states.errorOutput.Cause %}"}, "Next": "After"}], "End": true},
        "After": {"Type": "Pass", "Output": {"error": "{% $states.input.Error %}", "why": "{% $why %}"}, "End": true}}));
    let x = run(def, json!({})).await;
    assert_eq!(x.output, Some(json!({"error": "Oops", "why": "it broke"})));
}

#[tokio::test]
async fn an_expression_that_gives_nothing_fails_with_a_query_evaluation_error_naming_the_field() {
    for (state, field) in [
        (
            json!({"Type": "Pass", "Output": "{% $doesNotExist %}", "End": true}),
            "'Output'",
        ),
        (
            json!({"Type": "Pass", "Output": {"result": "{% $doesNotExist %}"}, "End": true}),
            "'Output/result'",
        ),
        (
            json!({"Type": "Pass", "Assign": {"result": "{% $doesNotExist %}"}, "End": true}),
            "'Assign/result'",
        ),
        (
            json!({"Type": "Task", "Resource": "echo", "Arguments": {"FunctionName": "{% $doesNotExist %}"}, "End": true}),
            "'Arguments/FunctionName'",
        ),
    ] {
        let x = run(machine(json!({"S": state})), json!({})).await;
        assert_eq!(x.error.as_deref(), Some("States.QueryEvaluationError"));
        let cause = x.cause.unwrap();
        assert!(
            cause.ends_with(&format!("The JSONata expression '$doesNotExist' specified for the field {field} returned nothing (undefined).")),
            "{cause}"
        );
    }
    // A QueryEvaluationError is an error like others: a Catch handles it.
    let caught = machine(json!({
        "S": {"Type": "Task", "Resource": "echo", "Arguments": "{% $nothing %}",
              "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "E"}], "End": true},
        "E": {"Type": "Succeed"}}));
    assert_eq!(run(caught, json!({})).await.status, ExecutionStatus::Succeeded);
}

#[tokio::test]
async fn the_functions_step_functions_adds() {
    let def = machine(json!({"S": {"Type": "Pass", "Output": {
        "partition": "{% $partition([1, 2, 3, 4], 2) %}",
        "range": "{% $range(0, 10, 5) %}",
        "hash": "{% $hash('input data', 'SHA-256') %}",
        "parse": "{% $parse('{\"a\": [1, true]}') %}",
        "random": "{% $random() %}",
        "seeded": "{% $random(7) = $random(7) %}",
        "uuid": "{% $uuid() %}"}, "End": true}}));
    let x = run(def, json!({})).await;
    let out = x.output.unwrap_or_else(|| panic!("{:?}", x.cause));
    assert_eq!(out["partition"], json!([[1, 2], [3, 4]]));
    assert_eq!(out["range"], json!([0, 5, 10]));
    // As States.Hash gives it (recorded on AWS for the same input).
    assert_eq!(
        out["hash"],
        json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")
    );
    assert_eq!(out["parse"], json!({"a": [1, true]}));
    let r = out["random"].as_f64().unwrap();
    assert!((0.0..1.0).contains(&r), "{r}");
    assert_eq!(out["seeded"], json!(true));
    assert_eq!(out["uuid"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn one_jsonata_state_in_a_jsonpath_machine() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"n.$": "$.value"}, "Next": "B"},
        "B": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.n * 2 %}", "End": true}}});
    assert_eq!(run(def, json!({"value": 21})).await.output, Some(json!(42)));
}

#[test]
fn each_language_refuses_the_others_fields() {
    for (def, expected) in [
        (
            machine(json!({"S": {"Type": "Pass", "Parameters": {"a": 1}, "End": true}})),
            "cannot use Parameters",
        ),
        (
            machine(json!({"S": {"Type": "Pass", "OutputPath": "$.a", "End": true}})),
            "cannot use OutputPath",
        ),
        (
            machine(
                json!({"S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "BooleanEquals": true, "Next": "S"}]}}),
            ),
            "cannot use Variable",
        ),
        (
            json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "Output": "x", "End": true}}}),
            "cannot use Output",
        ),
        (
            json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "Arguments": {}, "End": true}}}),
            "cannot use Arguments",
        ),
        (
            machine(json!({"S": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}})),
            "JSONPath inside a JSONata",
        ),
        (
            machine(json!({"S": {"Type": "Pass", "Output": "{% $states.input. %}", "End": true}})),
            "is invalid",
        ),
        (
            machine(
                json!({"S": {"Type": "Task", "Resource": "echo", "TimeoutSeconds": "{% 5 %}", "End": true}}),
            ),
            "in TimeoutSeconds is not supported by the local twin",
        ),
        (
            machine(json!({"S": {"Type": "Pass", "Output": "{% $formatInteger(42, 'w') %}", "End": true}})),
            "calls $formatInteger, which the local twin's JSONata does not have",
        ),
    ] {
        let err = parse_definition(&def.to_string()).expect_err(&def.to_string());
        assert!(err.to_string().contains(expected), "{def}: {err}");
    }
}

#[tokio::test]
async fn a_function_is_not_an_output_and_never_crashes_the_run() {
    let x = run(
        machine(json!({"S": {"Type": "Pass", "Output": "{% function($x){$x} %}", "End": true}})),
        json!({}),
    )
    .await;
    assert_eq!(
        x.error.as_deref(),
        Some("States.QueryEvaluationError"),
        "{:?}",
        x.cause
    );
    // Inside data, a function is written as JSON writes it (not a crash either way).
    let x = run(
        machine(json!({"S": {"Type": "Pass", "Output": "{% [function($x){$x}] %}", "End": true}})),
        json!({}),
    )
    .await;
    assert_ne!(x.error.as_deref(), Some("States.Runtime"));
}

/// JSONata functions the crate lacks and the twin adds, as the JSONata documentation
/// describes them.
#[tokio::test]
async fn jsonata_functions_the_twin_adds() {
    let def = machine(json!({"S": {"Type": "Pass", "Output": {
        "average": "{% $average([1, 2, 3, 4]) %}",
        "types": "{% [$type(1), $type('a'), $type(true), $type(null), $type([]), $type({})] %}",
        "spread": "{% $spread({'a': 1, 'b': 2}) %}",
        "encoded": "{% $encodeUrlComponent('a b&c/é') %}",
        "url": "{% $encodeUrl('https://x.org/a b?q=1&r=é') %}",
        "decoded": "{% $decodeUrlComponent('a%20b%26c') %}",
        "base": "{% [$formatBase(100, 2), $formatBase(-255, 16)] %}",
        "shuffled": "{% $sort($shuffle([3, 1, 2])) %}",
        "number": "{% $formatNumber(34.555, '#0.00;(#0.00)') %}"}, "End": true}}));
    let x = run(def, json!({})).await;
    let out = x.output.unwrap_or_else(|| panic!("{:?}", x.cause));
    assert_eq!(out["average"], json!(2.5));
    assert_eq!(
        out["types"],
        json!(["number", "string", "boolean", "null", "array", "object"])
    );
    // One object per key (the crate keeps no key order: compared as a set).
    let mut spread: Vec<String> = out["spread"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    spread.sort();
    assert_eq!(spread, [r#"{"a":1}"#, r#"{"b":2}"#]);
    assert_eq!(out["encoded"], json!("a%20b%26c%2F%C3%A9"));
    assert_eq!(out["url"], json!("https://x.org/a%20b?q=1&r=%C3%A9"));
    assert_eq!(out["decoded"], json!("a b&c"));
    assert_eq!(out["base"], json!(["1100100", "-ff"]));
    assert_eq!(out["shuffled"], json!([1, 2, 3]));
    // The JSONata documentation's own example.
    assert_eq!(out["number"], json!("34.56"));
}

/// Recorded on AWS: `$range` gives a sequence (one number alone is that number), `$partition`
/// arrays; an unknown function is T1006, worded as AWS words it, with the state introduced.
#[tokio::test]
async fn recorded_edge_cases_of_the_added_functions_and_the_error_wording() {
    let def = machine(json!({"S": {"Type": "Pass", "Output": {
        "one": "{% $range(1, 9, 9) %}", "many": "{% $range(0, 10, 3) %}", "chunk": "{% $partition([0], 5) %}"}, "End": true}}));
    let out = run(def, json!({})).await.output.unwrap();
    assert_eq!(out, json!({"one": 1, "many": [0, 3, 6, 9], "chunk": [[0]]}));
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "State_0", "States": {"State_0": {"Type": "Pass",
        "Output": {"FunctionResult": "{% $randomSeeded($states.input.FunctionInput.fst) %}"}, "End": true}}});
    let x = run(def, json!({"FunctionInput": "fst"})).await;
    assert_eq!(x.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(
        x.cause.as_deref(),
        Some("An error occurred while executing the state 'State_0' (entered at the event id #2). The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function")
    );
}
