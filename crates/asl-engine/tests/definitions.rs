//! Conformance: what is checked when a definition is read, each problem naming the state at
//! fault, and `${…}` substitutions; what the twin does not run is refused, never ignored.

use asl_engine::*;
use serde_json::{json, Value};

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
