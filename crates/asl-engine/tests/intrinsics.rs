//! Conformance: intrinsic functions, each case an execution whose input and output were
//! recorded on AWS (LocalStack's AWS-validated snapshots of the same definitions: a Pass
//! state `{"FunctionResult.$": "States.X($.FunctionInput...)"}`). Where AWS documents but
//! nothing here was recorded, the test says it is our reading.

use std::sync::Arc;

use asl_engine::{parse_definition, Engine, ExecutionStatus, VirtualClock};
use serde_json::{json, Value};

/// Runs `{"FunctionResult.$": call}` in a Pass state over `{"FunctionInput": input}`.
async fn call(call: &str, input: Value) -> Result<Value, (String, String)> {
    let def = json!({"StartAt": "State_0", "States": {"State_0": {
        "Type": "Pass", "Parameters": {"FunctionResult.$": call}, "End": true}}});
    let sm = parse_definition(&def.to_string()).unwrap();
    let x = Engine::new(Arc::new(VirtualClock::default()))
        .execute(&sm, "intrinsic", json!({"FunctionInput": input}))
        .await;
    match x.status {
        ExecutionStatus::Succeeded => Ok(x.output.unwrap()["FunctionResult"].clone()),
        _ => Err((x.error.unwrap_or_default(), x.cause.unwrap_or_default())),
    }
}

#[tokio::test]
async fn math_add_rounds_non_integers_as_java_does_halves_upwards() {
    // (first, second, sum) as AWS answered.
    let recorded = [
        (json!(-9), json!(3), -6),
        (json!(1.49), json!(1.5), 3),
        (json!(1.5), json!(1.51), 4),
        (json!(-1.49), json!(-1.5), -2),
        (json!(-1.5), json!(-1.51), -3),
        (json!(1.49), json!(-1.49), 0),
        (json!(0.5), json!(0), 1),
        (json!(2.5), json!(0), 3),
        (json!(-0.5), json!(0.5), 1),
        (json!(-0.5), json!(0), 0),
        (json!(-2.5), json!(0), -2),
        (json!(-1.51), json!(0), -2),
    ];
    for (fst, snd, sum) in recorded {
        let input = json!({"fst": fst, "snd": snd});
        let got = call(
            "States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd)",
            input.clone(),
        )
        .await;
        assert_eq!(got, Ok(json!(sum)), "{input}");
    }
}

#[tokio::test]
async fn math_add_beyond_32_bit_integers_fails_and_a_non_number_is_an_intrinsic_failure() {
    // Our reading of "integers" in the States Language's Math functions: Java ints.
    let over = call("States.MathAdd($.FunctionInput, 1)", json!(2_147_483_647)).await;
    assert_eq!(over.unwrap_err().0, "States.IntrinsicFailure");
    assert_eq!(
        call("States.MathAdd($.FunctionInput, -1)", json!(-2_147_483_647)).await,
        Ok(json!(-2_147_483_648_i64))
    );
    let text = call("States.MathAdd($.FunctionInput, 1)", json!("1")).await;
    assert_eq!(text.unwrap_err().0, "States.IntrinsicFailure");
}

#[tokio::test]
async fn math_random_accepts_non_integer_bounds() {
    // Recorded: 12.5 and 44.51 are accepted (the number itself is random).
    let n = call(
        "States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd)",
        json!({"fst": 12.5, "snd": 44.51}),
    )
    .await
    .unwrap();
    let n = n.as_i64().unwrap();
    assert!((13..=45).contains(&n), "{n}");
    let seeded = "States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)";
    let input = json!({"fst": 0, "snd": 999, "trd": 3});
    assert_eq!(
        call(seeded, input.clone()).await,
        call(seeded, input).await,
        "a seed repeats"
    );
}

#[tokio::test]
async fn string_to_json_reads_blank_strings_as_null() {
    let recorded = [
        ("", Value::Null),
        (" ", Value::Null),
        ("null", Value::Null),
        ("-0", json!(0)),
        ("1.1", json!(1.1)),
        ("true", json!(true)),
        ("\"HelloWorld\"", json!("HelloWorld")),
        ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
        ("{\"Arg1\": 1, \"Arg2\": []}", json!({"Arg1": 1, "Arg2": []})),
    ];
    for (text, value) in recorded {
        assert_eq!(
            call("States.StringToJson($.FunctionInput)", json!(text)).await,
            Ok(value),
            "{text:?}"
        );
    }
    let bad = call("States.StringToJson($.FunctionInput)", json!("{oops")).await;
    assert_eq!(bad.unwrap_err().0, "States.IntrinsicFailure");
}

#[tokio::test]
async fn json_to_string_writes_compact_json() {
    let recorded = [
        (Value::Null, "null"),
        (json!(1.1), "1.1"),
        (json!("HelloWorld"), "\"HelloWorld\""),
        (json!([1, 2, "HelloWorld"]), "[1,2,\"HelloWorld\"]"),
        (json!({"Arg1": 1, "Arg2": []}), "{\"Arg1\":1,\"Arg2\":[]}"),
    ];
    for (value, text) in recorded {
        assert_eq!(
            call("States.JsonToString($.FunctionInput)", value.clone()).await,
            Ok(json!(text)),
            "{value}"
        );
    }
}

#[tokio::test]
async fn format_writes_objects_and_arrays_as_java_maps_and_lists() {
    let two =
        "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)";
    let recorded = [
        (json!(""), "Formatting arguments fst= and snd=."),
        (Value::Null, "Formatting arguments fst=null and snd=null."),
        (json!(1.1), "Formatting arguments fst=1.1 and snd=1.1."),
        (
            json!("{\"Arg1\": 1, \"Arg2\": []}"),
            "Formatting arguments fst={\"Arg1\": 1, \"Arg2\": []} and snd={\"Arg1\": 1, \"Arg2\": []}.",
        ),
        (
            json!({"Arg1": 1, "Arg2": []}),
            "Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.",
        ),
    ];
    for (v, text) in recorded {
        let input = json!({"fst": v, "snd": v});
        assert_eq!(call(two, input).await, Ok(json!(text)), "{v}");
    }
    // Strings inside lists are bare too (our reading of the same Java rendering).
    assert_eq!(
        call("States.Format('{}', $.FunctionInput)", json!(["a", 1, null])).await,
        Ok(json!("[a, 1, null]"))
    );
}

#[tokio::test]
async fn format_and_json_to_string_read_the_context_object() {
    // Recorded: the state machine object of the context renders as {Id=…, Name=…}.
    let got = call(
        "States.Format('fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)",
        Value::Null,
    )
    .await
    .unwrap();
    let text = got.as_str().unwrap();
    assert!(
        text.starts_with("fst=intrinsic and snd={Id=arn:aws:states:"),
        "{text}"
    );
    assert!(text.contains(", Name="), "{text}");
    let name = call("States.JsonToString($$.Execution.Name)", Value::Null).await;
    assert_eq!(name, Ok(json!("\"intrinsic\"")));
}

#[tokio::test]
async fn string_split_drops_empty_pieces_and_splits_on_each_delimiter_character() {
    let recorded = [
        (" , ", ",", json!([" ", " "])),
        (", , ,", ",", json!([" ", " "])),
        (",,,,", ",", json!([])),
        (
            "This.is+a,test=string",
            ".+,=",
            json!(["This", "is", "a", "test", "string"]),
        ),
        (
            "split on T and \nnew line",
            "T\n",
            json!(["split on ", " and ", "new line"]),
        ),
    ];
    for (text, delimiters, parts) in recorded {
        let input = json!({"fst": text, "snd": delimiters});
        let got = call(
            "States.StringSplit($.FunctionInput.fst, $.FunctionInput.snd)",
            input,
        )
        .await;
        assert_eq!(got, Ok(parts), "{text:?}");
    }
}

#[tokio::test]
async fn array_partition_range_and_contains_as_recorded() {
    for (items, size, parts) in [
        (json!([]), 2, json!([])),
        (json!([0, 1, 2]), 2, json!([[0, 1], [2]])),
        (json!([0, 1, 2, 3]), 5, json!([[0, 1, 2, 3]])),
    ] {
        let input = json!({"fst": items, "snd": size});
        assert_eq!(
            call(
                "States.ArrayPartition($.FunctionInput.fst, $.FunctionInput.snd)",
                input
            )
            .await,
            Ok(parts)
        );
    }
    for (start, end, step, range) in [(0, 10, 3, json!([0, 3, 6, 9])), (1, 9, 9, json!([1]))] {
        let input = json!({"fst": start, "snd": end, "trd": step});
        let got = call(
            "States.ArrayRange($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)",
            input,
        )
        .await;
        assert_eq!(got, Ok(range));
    }
    for (items, item, found) in [
        (json!([]), Value::Null, false),
        (json!([[1, 2, 3], 2]), json!([1, 2, 3]), true),
        (json!([{"1": 2, "2": []}]), json!({"1": 2, "2": []}), true),
        (json!([{"1": 2, "2": []}]), json!([]), false),
    ] {
        let input = json!({"fst": items, "snd": item});
        assert_eq!(
            call(
                "States.ArrayContains($.FunctionInput.fst, $.FunctionInput.snd)",
                input
            )
            .await,
            Ok(json!(found))
        );
    }
}

#[tokio::test]
async fn hashes_and_base64_as_recorded() {
    for (algorithm, digest) in [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        (
            "SHA-256",
            "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3",
        ),
    ] {
        let input = json!({"fst": "input data", "snd": algorithm});
        assert_eq!(
            call("States.Hash($.FunctionInput.fst, $.FunctionInput.snd)", input).await,
            Ok(json!(digest))
        );
    }
    assert_eq!(
        call("States.Base64Encode($.FunctionInput)", json!("")).await,
        Ok(json!(""))
    );
    assert_eq!(
        call("States.Base64Encode($.FunctionInput)", json!("Data to encode")).await,
        Ok(json!("RGF0YSB0byBlbmNvZGU="))
    );
    assert_eq!(
        call(
            "States.Base64Decode($.FunctionInput)",
            json!("RGF0YSB0byBlbmNvZGU=")
        )
        .await,
        Ok(json!("Data to encode"))
    );
}
