//! Conformance: workflow variables in JSONPath states (`Assign`, `$name`). The definitions
//! and results marked "recorded" are executions recorded on AWS (LocalStack's AWS-validated
//! snapshots); the rest follow the developer guide's "Passing data between states with
//! variables", and say where they are our reading.

use std::sync::Arc;

use asl_engine::{parse_definition, Engine, Execution, ExecutionStatus, StatesError, VirtualClock};
use serde_json::{json, Value};

async fn run(def: Value, input: Value) -> Execution {
    let mut engine = Engine::new(Arc::new(VirtualClock::default()));
    engine.register("boom", |_v: Value| async move {
        Err(StatesError::new("Oops", "it broke"))
    });
    engine.register("echo", |v: Value| async move { Ok(v) });
    let sm = parse_definition(&def.to_string()).unwrap_or_else(|e| panic!("{e}"));
    engine.execute(&sm, "variables", input).await
}

/// The `assignedVariables` of the exit event of `state` (values as JSON text, as AWS's).
fn assigned(x: &Execution, state: &str) -> Value {
    x.history
        .iter()
        .find(|e| e.kind.ends_with("StateExited") && e.details["stateExitedEventDetails"]["name"] == state)
        .map(|e| e.details["stateExitedEventDetails"]["assignedVariables"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn assignments_read_the_result_and_take_effect_after_the_state() {
    // Recorded (BASE_EVALUATION_ORDER_PASS_STATE).
    let def = json!({"StartAt": "State0", "States": {
        "State0": {"Type": "Pass", "Result": {"theQuestion": "What is the answer to life the universe and everything?"},
                   "Assign": {"question.$": "$.theQuestion", "answer": 42}, "Next": "State1"},
        "State1": {"Type": "Pass", "InputPath": "$answer", "ResultPath": "$.theAnswer", "OutputPath": "$answer",
                   "Assign": {"answer": "<omitted>"}, "End": true}}});
    let x = run(def, json!({})).await;
    assert_eq!(x.output, Some(json!(42)), "OutputPath still sees the old value");
    assert_eq!(
        assigned(&x, "State0"),
        json!({"answer": "42", "question": "\"What is the answer to life the universe and everything?\""})
    );
    assert_eq!(assigned(&x, "State1"), json!({"answer": "\"<omitted>\""}));
}

#[tokio::test]
async fn constants_are_stored_as_written_and_paths_read_input_context_and_intrinsics() {
    // Recorded (BASE_CONSTANT_LITERALS, BASE_PATHS): strings without `.$` are constants.
    let def = json!({"StartAt": "State0", "States": {
        "State0": {"Type": "Pass", "Assign": {
            "constant_str_path": "$.no.such.path", "constant_str_var": "$noSuchVar", "constant_lst": [null, 0, 0.1, true, "$$"],
            "str_path.$": "$.input_value", "str_contextpath.$": "$$.Execution.Id",
            "str_contextpath_root.$": "$$",
            "str_intrinsic_func.$": "States.Format('Format Func {}', $.input_value)"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Parameters": {"all.$": "States.Array($constant_str_path, $constant_str_var, $str_path, $str_intrinsic_func)",
                                                "list.$": "$constant_lst", "id.$": "$str_contextpath", "root.$": "$str_contextpath_root"}, "End": true}}});
    let x = run(def, json!({"input_value": "input_value_literal"})).await;
    let out = x.output.unwrap();
    assert_eq!(
        out["all"],
        json!([
            "$.no.such.path",
            "$noSuchVar",
            "input_value_literal",
            "Format Func input_value_literal"
        ])
    );
    assert_eq!(out["list"], json!([null, 0, 0.1, true, "$$"]));
    assert_eq!(out["id"], json!(x.execution_arn));
    // `$$` as a variable is the context object AWS shows: Execution, State, StateMachine.
    let mut keys: Vec<&String> = out["root"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["Execution", "State", "StateMachine"]);
}

#[tokio::test]
async fn a_choice_rule_assigns_when_it_matches_and_the_state_assigns_with_its_default() {
    // The definition recorded as BASE_ASSIGN_IN_CHOICE.
    let def = json!({"StartAt": "CheckInputState", "States": {
        "CheckInputState": {"Type": "Choice",
            "Choices": [
                {"Variable": "$.input_value", "IsPresent": false, "Assign": {"status": "UNKNOWN"}, "Next": "FinalState"},
                {"Variable": "$.input_value", "NumericEquals": 42, "Assign": {"status": "CORRECT"}, "Next": "FinalState"}],
            "Assign": {"status": "INCORRECT", "guess.$": "$.input_value"}, "Default": "FinalState"},
        "FinalState": {"Type": "Pass", "Parameters": {"result.$": "$status"}, "End": true}}});
    assert_eq!(
        run(def.clone(), json!({})).await.output,
        Some(json!({"result": "UNKNOWN"}))
    );
    assert_eq!(
        run(def.clone(), json!({"input_value": 42})).await.output,
        Some(json!({"result": "CORRECT"}))
    );
    let x = run(def, json!({"input_value": 41})).await;
    assert_eq!(x.output, Some(json!({"result": "INCORRECT"})));
    assert_eq!(
        assigned(&x, "CheckInputState"),
        json!({"guess": "41", "status": "\"INCORRECT\""})
    );
}

#[tokio::test]
async fn iterations_read_outer_variables_and_keep_their_own() {
    // Recorded (BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE): 4.3 is rounded to 4 by MathAdd.
    let def = json!({"StartAt": "Input", "States": {
        "Input": {"Type": "Pass", "Result": [[9, 44, 6], [82, 25, 76], [18, 42, 2]], "Assign": {"bias": 4.3}, "Next": "IterateLevels"},
        "IterateLevels": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "AssignCurrentVector", "States": {
            "AssignCurrentVector": {"Type": "Pass", "Assign": {"xCurrent.$": "$[0]", "yCurrent.$": "$[1]", "zCurrent.$": "$[2]"}, "Next": "Calculate"},
            "Calculate": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Summate", "States": {"Summate": {"Type": "Pass",
                    "Assign": {"Sum.$": "States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)"},
                    "End": true}}}, "End": true}}}, "End": true}}});
    let x = run(def, json!({})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "{:?}", x.cause);
    let sums: Vec<Value> = x
        .history
        .iter()
        .filter(|e| e.details["stateExitedEventDetails"]["name"] == "Summate")
        .map(|e| e.details["stateExitedEventDetails"]["assignedVariables"]["Sum"].clone())
        .collect();
    let expected: Vec<Value> = ["63", "63", "63", "187", "187", "187", "66", "66", "66"]
        .into_iter()
        .map(Value::from)
        .collect();
    assert_eq!(sums, expected);
}

#[tokio::test]
async fn a_branch_cannot_assign_an_outer_variable_and_its_own_stay_inside() {
    // Recorded (BASE_SCOPE_MAP): after the Map, the outer variable is unchanged.
    let def = json!({"StartAt": "State0", "States": {
        "State0": {"Type": "Pass", "Assign": {"x": 42, "items": [1, 2, 3]}, "Next": "State1"},
        "State1": {"Type": "Map", "ItemsPath": "$items", "MaxConcurrency": 1, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Assign": {"innerX.$": "$x"}, "End": true}}}, "Next": "State2"},
        "State2": {"Type": "Pass", "Assign": {"final.$": "$x"}, "End": true}}});
    let x = run(def, json!({})).await;
    assert_eq!(x.output, Some(json!([1, 2, 3])));
    assert_eq!(assigned(&x, "State2"), json!({"final": "42"}));
    // A variable assigned inside is not defined after it (our reading of the scopes).
    let leak = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"inner": 1}, "End": true}}}], "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"v.$": "$inner"}, "End": true}}});
    let x = run(leak, json!({})).await;
    assert_eq!(x.error.as_deref(), Some("States.Runtime"));
    // Writing an outer variable from a branch fails the execution (our reading of "read,
    // not write" in the guide's scope rules).
    let write = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"x": 2}, "End": true}}}], "End": true}}});
    let x = run(write, json!({})).await;
    assert_eq!(x.error.as_deref(), Some("States.Runtime"));
    assert!(x.cause.unwrap().contains("outer scope"));
}

#[tokio::test]
async fn a_catcher_assigns_from_the_error_and_variables_reach_every_path_field() {
    let def = json!({"StartAt": "Try", "States": {
        "Try": {"Type": "Task", "Resource": "boom", "Assign": {"result": "SUCCESS"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"failure.$": "$.Error", "why.$": "$.Cause"}, "Next": "Pause"}], "End": true},
        "Pause": {"Type": "Wait", "SecondsPath": "$delay", "Assign": {"delay": 0}, "Next": "Give"},
        "Give": {"Type": "Fail", "ErrorPath": "$failure", "CausePath": "$why"}}});
    let mut x = run(def.clone(), json!({})).await;
    // `$delay` is not defined yet when Pause reads it: the execution fails at run time.
    assert_eq!(x.error.as_deref(), Some("States.Runtime"));
    let fixed = {
        let mut d = def;
        d["States"]["Try"]["Catch"][0]["Assign"]["delay"] = json!(5);
        d
    };
    x = run(fixed, json!({})).await;
    // Recorded (BASE_REFERENCE_IN_FAIL): ErrorPath and CausePath read variables.
    assert_eq!(
        (x.error.as_deref(), x.cause.as_deref()),
        (Some("Oops"), Some("it broke"))
    );
    assert_eq!(
        assigned(&x, "Try"),
        json!({"delay": "5", "failure": "\"Oops\"", "why": "\"it broke\""})
    );
}

#[test]
fn invalid_assignments_are_refused_when_the_definition_is_read() {
    for (assign_in, expected) in [
        (
            json!({"Type": "Pass", "Assign": {"2fast": 1}, "End": true}),
            "2fast",
        ),
        (
            json!({"Type": "Pass", "Assign": {"states": 1}, "End": true}),
            "states",
        ),
        (
            json!({"Type": "Pass", "Assign": {"x.$": "$.a[?"}, "End": true}),
            "Assign",
        ),
        (
            json!({"Type": "Pass", "Assign": [1], "End": true}),
            "Assign must be an object",
        ),
        (json!({"Type": "Succeed", "Assign": {"x": 1}}), "Assign"),
    ] {
        let def = json!({"StartAt": "S", "States": {"S": assign_in}});
        let err = parse_definition(&def.to_string()).expect_err(&def.to_string());
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[tokio::test]
async fn one_assign_may_hold_at_most_256_kib() {
    let big = "x".repeat(200 * 1024);
    let def = json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "Assign": {"a.$": "$.v", "b.$": "$.v"}, "End": true}}});
    let x = run(def, json!({"v": big})).await;
    // Our reading of the quota's error: the payload limit's name.
    assert_eq!(x.error.as_deref(), Some("States.DataLimitExceeded"));
}
