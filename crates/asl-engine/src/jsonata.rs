//! JSONata, the query language of states with `QueryLanguage: "JSONata"`: every string
//! `{% … %}` in their fields is an expression, evaluated by the maintained `jsonata-rs` crate
//! with `$states` (`input`, `result`, `errorOutput`, `context`) and the workflow variables
//! bound, plus the functions Step Functions adds ($partition, $range, $hash, $random,
//! $parse; $uuid is JSONata's own here). An expression that fails or gives nothing
//! (undefined) fails the state with `States.QueryEvaluationError`, as on AWS. This module
//! is the only one that knows the expression language.

use std::collections::HashMap;

use bumpalo::Bump;
use jsonata_rs::{ArrayFlags, FunctionContext, JsonAta, Value as JValue};
use serde_json::{Map, Value};

use crate::error::StatesError;

pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// The expression inside `{% … %}`, if `s` is one.
pub fn expression(s: &str) -> Option<&str> {
    let t = s.trim();
    t.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// Whether an expression parses (for validation).
pub fn parses(expr: &str) -> Result<(), String> {
    let arena = Bump::new();
    JsonAta::new(expr, &arena)
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

fn query_error(field: &str, expr: &str, what: impl std::fmt::Display) -> StatesError {
    StatesError::new(
        QUERY_EVALUATION_ERROR,
        format!("The JSONata expression '{expr}' specified for the field '{field}' {what}"),
    )
}

/// JSONata's numbers are doubles; JSON output writes whole ones without a fraction, as
/// JavaScript (and AWS) does.
fn whole_numbers(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
                Value::from(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(whole_numbers).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, whole_numbers(v))).collect()),
        other => other,
    }
}

/// Evaluates one expression for `field` with `$states` and the variables bound.
pub fn evaluate(
    field: &str,
    expr: &str,
    states: &Value,
    variables: &Map<String, Value>,
) -> Result<Value, StatesError> {
    let arena = Bump::new();
    // The crate's own $random takes no seed and shadows any binding: AWS's (with an optional
    // seed) is bound under another name.
    let source = expr.replace("$random(", "$awsRandom(");
    let jsonata = JsonAta::new(&source, &arena)
        .map_err(|e| query_error(field, expr, format_args!("is invalid: {e:?}")))?;
    register_aws_functions(&jsonata);
    let mut bindings: HashMap<&str, &Value> = variables.iter().map(|(k, v)| (k.as_str(), v)).collect();
    bindings.insert("states", states);
    let result = jsonata.evaluate(None, Some(&bindings)).map_err(|e| {
        query_error(
            field,
            expr,
            format_args!("threw an error during evaluation. {e:?}"),
        )
    })?;
    if result.is_undefined() {
        return Err(query_error(field, expr, "returned nothing (undefined)."));
    }
    if result.is_function() {
        return Err(query_error(
            field,
            expr,
            "returned a function, which is not JSON.",
        ));
    }
    // The crate's serializer panics on values it cannot write (functions inside data):
    // that is an evaluation error here, never a crash.
    let text =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| result.serialize(false))).map_err(|_| {
            query_error(
                field,
                expr,
                "returned a value that is not JSON (a function inside it).",
            )
        })?;
    serde_json::from_str(&text)
        .map(whole_numbers)
        .map_err(|e| query_error(field, expr, format_args!("gave a value that is not JSON ({e})")))
}

/// A field's value with every `{% … %}` string in it evaluated (objects and arrays are
/// walked; other values stay as written). `field` names it in errors, as AWS does
/// (`Output/result`).
pub fn resolve(
    field: &str,
    template: &Value,
    states: &Value,
    variables: &Map<String, Value>,
) -> Result<Value, StatesError> {
    Ok(match template {
        Value::String(s) => match expression(s) {
            Some(expr) => evaluate(field, expr, states, variables)?,
            None => template.clone(),
        },
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(k.clone(), resolve(&format!("{field}/{k}"), v, states, variables)?);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| resolve(field, v, states, variables))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

// ---------------------------------------------------------------- the functions AWS adds

fn to_json<'a>(v: &'a JValue<'a>) -> Value {
    if v.is_undefined() {
        return Value::Null;
    }
    serde_json::from_str(&v.serialize(false))
        .map(whole_numbers)
        .unwrap_or(Value::Null)
}

fn from_json<'a>(arena: &'a Bump, v: &Value) -> &'a JValue<'a> {
    match v {
        Value::Null => JValue::null(arena),
        Value::Bool(b) => JValue::bool(*b),
        Value::Number(n) => JValue::number(arena, n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JValue::string(arena, s),
        Value::Array(items) => {
            let array = JValue::array_with_capacity(arena, items.len(), ArrayFlags::empty());
            for item in items {
                array.push(from_json(arena, item));
            }
            array
        }
        Value::Object(m) => {
            let object = JValue::object_with_capacity(arena, m.len());
            for (k, v) in m {
                object.insert(k, from_json(arena, v));
            }
            object
        }
    }
}

fn function_error(name: &str, message: String) -> jsonata_rs::Error {
    // The crate's errors are codes with positions: the message goes in the name slot.
    jsonata_rs::Error::T0410ArgumentNotValid(0, 1, format!("{name}: {message}"))
}

fn via_intrinsic<'a>(
    context: &FunctionContext<'a, '_>,
    intrinsic: &str,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    let values: Vec<Value> = args.iter().map(|a| to_json(a)).collect();
    match crate::intrinsics::call_by_name(intrinsic, &values) {
        Ok(v) => Ok(from_json(context.arena, &v)),
        Err(e) => Err(function_error(context.name, e.cause)),
    }
}

fn fn_partition<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    via_intrinsic(&context, "States.ArrayPartition", args)
}

fn fn_range<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    via_intrinsic(&context, "States.ArrayRange", args)
}

fn fn_hash<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    via_intrinsic(&context, "States.Hash", args)
}

fn fn_parse<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    via_intrinsic(&context, "States.StringToJson", args)
}

/// A number from 0 (inclusive) to 1 (exclusive); with a seed, always the same one.
fn fn_random<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    let seed = match args.first().map(|a| to_json(a)) {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0) as u64,
        Some(other) => {
            return Err(function_error(
                context.name,
                format!("the seed must be a number, not {other}"),
            ))
        }
        None => uuid::Uuid::new_v4().as_u64_pair().0,
    };
    let mut rng = crate::Rng::new(seed);
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    Ok(JValue::number(context.arena, unit))
}

fn register_aws_functions(jsonata: &JsonAta<'_>) {
    jsonata.register_function("partition", 2, fn_partition);
    jsonata.register_function("range", 3, fn_range);
    jsonata.register_function("hash", 2, fn_hash);
    jsonata.register_function("parse", 1, fn_parse);
    jsonata.register_function("awsRandom", 1, fn_random);
}
