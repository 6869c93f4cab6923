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

/// JSONata's own functions (JSONata 2.0 documentation), to tell a function the twin's
/// JSONata lacks from a name that is simply wrong.
const JSONATA_FUNCTIONS: &[&str] = &[
    "string",
    "length",
    "substring",
    "substringBefore",
    "substringAfter",
    "uppercase",
    "lowercase",
    "trim",
    "pad",
    "contains",
    "split",
    "join",
    "match",
    "replace",
    "eval",
    "base64encode",
    "base64decode",
    "encodeUrlComponent",
    "encodeUrl",
    "decodeUrlComponent",
    "decodeUrl",
    "number",
    "abs",
    "floor",
    "ceil",
    "round",
    "power",
    "sqrt",
    "random",
    "formatNumber",
    "formatBase",
    "formatInteger",
    "parseInteger",
    "sum",
    "max",
    "min",
    "average",
    "boolean",
    "not",
    "exists",
    "count",
    "append",
    "sort",
    "reverse",
    "shuffle",
    "distinct",
    "zip",
    "keys",
    "lookup",
    "spread",
    "merge",
    "sift",
    "each",
    "error",
    "assert",
    "type",
    "now",
    "millis",
    "fromMillis",
    "toMillis",
    "map",
    "filter",
    "single",
    "reduce",
];

/// Functions the twin adds itself: Step Functions' own, and JSONata's that the crate lacks.
const ADDED_FUNCTIONS: &[&str] = &[
    "partition",
    "range",
    "hash",
    "random",
    "uuid",
    "parse",
    "average",
    "type",
    "shuffle",
    "spread",
    "encodeUrlComponent",
    "decodeUrlComponent",
    "encodeUrl",
    "decodeUrl",
    "formatBase",
    "formatNumber",
];

/// The names of the functions an expression calls (`$name(`).
fn called_functions(expr: &str) -> impl Iterator<Item = &str> {
    expr.match_indices('$').filter_map(move |(i, _)| {
        let rest = &expr[i + 1..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
        (end > 0 && rest[end..].starts_with('(')).then(|| &rest[..end])
    })
}

/// Whether the crate has a built-in function of that name.
fn has_function(name: &str) -> bool {
    let arena = Bump::new();
    JsonAta::new(&format!("${name}"), &arena)
        .ok()
        .and_then(|j| j.evaluate(None, None).ok().map(|v| v.is_function()))
        .unwrap_or(false)
}

/// Whether an expression parses and calls only functions the twin has (for validation):
/// a JSONata function it lacks is refused by name, never left to fail at run time.
pub fn parses(expr: &str) -> Result<(), String> {
    let arena = Bump::new();
    JsonAta::new(expr, &arena).map_err(|e| format!("{e:?}"))?;
    for name in called_functions(expr) {
        if JSONATA_FUNCTIONS.contains(&name) && !ADDED_FUNCTIONS.contains(&name) && !has_function(name) {
            return Err(format!(
                "it calls ${name}, which the local twin's JSONata does not have"
            ));
        }
    }
    Ok(())
}

/// A JSONata error as AWS words it: `T1006: Attempted to invoke a non-function`.
fn coded(e: &jsonata_rs::Error) -> String {
    let text = e.to_string();
    let message = text.split_once(": ").map_or(text.as_str(), |(_, m)| m);
    format!("{}: {message}", e.code())
}

/// An evaluation error of state `name` (entered at event `entered`), introduced as AWS
/// introduces it; errors already introduced by an inner state are left as they are.
pub(crate) fn in_state(e: StatesError, name: &str, entered: u64) -> StatesError {
    const INTRO: &str = "An error occurred while executing the state";
    if e.error != QUERY_EVALUATION_ERROR || e.cause.starts_with(INTRO) {
        return e;
    }
    StatesError::new(
        e.error,
        format!(
            "{INTRO} '{name}' (entered at the event id #{entered}). {}",
            e.cause
        ),
    )
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
            format_args!("threw an error during evaluation. {}", coded(&e)),
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

/// An added function that is an intrinsic's twin (States.ArrayPartition for $partition …).
fn via_intrinsic<'a>(
    context: &FunctionContext<'a, '_>,
    intrinsic: &str,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    json_function(context, args, |v| {
        crate::intrinsics::call_by_name(intrinsic, v).map_err(|e| e.cause)
    })
}

fn fn_partition<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    via_intrinsic(&context, "States.ArrayPartition", args)
}

/// A sequence: one number alone is that number (recorded on AWS: `$range(1, 9, 9)` is 1).
fn fn_range<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    json_function(&context, args, |v| {
        match crate::intrinsics::call_by_name("States.ArrayRange", v) {
            Ok(Value::Array(mut items)) if items.len() == 1 => Ok(items.remove(0)),
            Ok(other) => Ok(other),
            Err(e) => Err(e.cause),
        }
    })
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

/// Applies `f` to the arguments as JSON and returns its JSON answer.
fn json_function<'a>(
    context: &FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
    f: impl Fn(&[Value]) -> Result<Value, String>,
) -> jsonata_rs::Result<&'a JValue<'a>> {
    let values: Vec<Value> = args.iter().map(|a| to_json(a)).collect();
    f(&values)
        .map(|v| from_json(context.arena, &v))
        .map_err(|m| function_error(context.name, m))
}

fn fn_average<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    if args.first().is_none_or(|a| a.is_undefined()) {
        return Ok(JValue::undefined());
    }
    json_function(&context, args, |v| {
        let numbers: Vec<f64> = match &v[0] {
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_f64().ok_or("numbers only"))
                .collect::<Result<_, _>>()?,
            Value::Number(n) => vec![n.as_f64().unwrap_or(0.0)],
            _ => return Err("an array of numbers".into()),
        };
        Ok(serde_json::json!(
            numbers.iter().sum::<f64>() / numbers.len().max(1) as f64
        ))
    })
}

fn fn_type<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    let Some(arg) = args.first().filter(|a| !a.is_undefined()) else {
        return Ok(JValue::undefined());
    };
    let kind = if arg.is_function() {
        "function"
    } else if arg.is_null() {
        "null"
    } else if arg.is_number() {
        "number"
    } else if arg.is_string() {
        "string"
    } else if arg.is_bool() {
        "boolean"
    } else if arg.is_array() {
        "array"
    } else {
        "object"
    };
    Ok(JValue::string(context.arena, kind))
}

fn fn_shuffle<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    json_function(&context, args, |v| {
        let mut items = match &v[0] {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        let mut rng = crate::Rng::new(uuid::Uuid::new_v4().as_u64_pair().0);
        for i in (1..items.len()).rev() {
            items.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        Ok(Value::Array(items))
    })
}

fn fn_spread<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    json_function(&context, args, |v| {
        let objects = match &v[0] {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        let mut out = Vec::new();
        for o in objects {
            match o {
                Value::Object(m) => out.extend(m.into_iter().map(|(k, v)| serde_json::json!({ k: v }))),
                other => out.push(other),
            }
        }
        Ok(Value::Array(out))
    })
}

/// Percent-encoding as JavaScript's encodeURIComponent (`keep` adds encodeURI's reserved set).
fn percent_encode(text: &str, keep: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c) || keep.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or("a malformed escape")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| "a malformed escape")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "not UTF-8 once decoded".into())
}

fn text_function<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
    f: fn(&str) -> Result<String, String>,
) -> jsonata_rs::Result<&'a JValue<'a>> {
    match args.first().map(|a| to_json(a)) {
        Some(Value::String(s)) => f(&s)
            .map(|t| &*JValue::string(context.arena, &t))
            .map_err(|m| function_error(context.name, m)),
        _ => Ok(JValue::undefined()),
    }
}

fn fn_encode_url_component<'a>(
    c: FunctionContext<'a, '_>,
    a: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    text_function(c, a, |s| Ok(percent_encode(s, "")))
}

fn fn_encode_url<'a>(c: FunctionContext<'a, '_>, a: &[&'a JValue<'a>]) -> jsonata_rs::Result<&'a JValue<'a>> {
    text_function(c, a, |s| Ok(percent_encode(s, ";,/?:@&=+$#")))
}

fn fn_decode_url<'a>(c: FunctionContext<'a, '_>, a: &[&'a JValue<'a>]) -> jsonata_rs::Result<&'a JValue<'a>> {
    text_function(c, a, percent_decode)
}

fn fn_format_base<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    json_function(&context, args, |v| {
        let n = v[0].as_f64().ok_or("a number")?.round() as i64;
        let radix = v.get(1).and_then(Value::as_u64).unwrap_or(10) as u32;
        if !(2..=36).contains(&radix) {
            return Err("a radix from 2 to 36".into());
        }
        let mut digits = Vec::new();
        let mut m = n.unsigned_abs();
        loop {
            digits.push(std::char::from_digit((m % radix as u64) as u32, radix).unwrap_or('0'));
            m /= radix as u64;
            if m == 0 {
                break;
            }
        }
        let sign = if n < 0 { "-" } else { "" };
        Ok(Value::String(format!(
            "{sign}{}",
            digits.iter().rev().collect::<String>()
        )))
    })
}

/// `$formatNumber(number, picture)` with the decimal-format picture strings of XPath's
/// format-number (JSONata documentation): `#` and `0` digits, `,` grouping, `.` decimal
/// separator, a `%` or `‰` suffix, a `;` negative sub-picture, text around the digits.
/// Rounding is half to even, as XPath's. Exponents are refused.
pub(crate) fn format_number(n: f64, picture: &str) -> Result<String, String> {
    let (positive, negative) = match picture.split_once(';') {
        Some((p, q)) => (p, Some(q)),
        None => (picture, None),
    };
    let sub = if n < 0.0 {
        negative.unwrap_or(positive)
    } else {
        positive
    };
    let active = |c: char| matches!(c, '#' | '0'..='9' | ',' | '.');
    let start = sub.find(active).ok_or("a picture needs a digit")?;
    let end = sub.rfind(active).map(|i| i + 1).unwrap_or(start);
    let (prefix, mantissa, suffix) = (&sub[..start], &sub[start..end], &sub[end..]);
    if mantissa.contains(['e', 'E'])
        || suffix.contains(['e', 'E']) && suffix.trim_start().starts_with(['e', 'E'])
    {
        return Err("exponents in a picture are not supported by the local twin".into());
    }
    let scale = if sub.contains('%') {
        100.0
    } else if sub.contains('‰') {
        1000.0
    } else {
        1.0
    };
    let (int_pic, frac_pic) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let min_int = int_pic.chars().filter(|c| c.is_ascii_digit()).count();
    let min_frac = frac_pic.chars().filter(|c| c.is_ascii_digit()).count();
    let max_frac = frac_pic
        .chars()
        .filter(|c| *c == '#' || c.is_ascii_digit())
        .count();
    // Grouping: the positions of the separators counted from the decimal point; a regular
    // interval repeats.
    let digits_after = |i: usize| {
        int_pic[i + 1..]
            .chars()
            .filter(|c| *c == '#' || c.is_ascii_digit())
            .count()
    };
    let groups: Vec<usize> = int_pic
        .char_indices()
        .filter(|(_, c)| *c == ',')
        .map(|(i, _)| digits_after(i))
        .collect();
    let value = (n * scale).abs();
    // Half to even at max_frac digits.
    let factor = 10f64.powi(max_frac as i32);
    let scaled = value * factor;
    let floor = scaled.floor();
    let diff = scaled - floor;
    let rounded = if (diff - 0.5).abs() < 1e-9 {
        if floor % 2.0 == 0.0 {
            floor
        } else {
            floor + 1.0
        }
    } else {
        scaled.round()
    };
    let text = format!("{:.*}", max_frac, rounded / factor);
    let (int_digits, frac_digits) = text.split_once('.').unwrap_or((&text, ""));
    let mut frac = frac_digits.to_owned();
    while frac.len() > min_frac && frac.ends_with('0') {
        frac.pop();
    }
    let mut int = int_digits.trim_start_matches('0').to_owned();
    while int.len() < min_int {
        int.insert(0, '0');
    }
    if let Some(&first) = groups.iter().min() {
        let regular = groups.iter().all(|g| g % first == 0) && first > 0;
        let mut out = String::new();
        let len = int.len();
        for (i, c) in int.chars().enumerate() {
            let from_right = len - i;
            if i > 0 && ((regular && from_right % first == 0) || (!regular && groups.contains(&from_right))) {
                out.push(',');
            }
            out.push(c);
        }
        int = out;
    }
    let mut number = int;
    if !frac.is_empty() {
        number.push('.');
        number.push_str(&frac);
    }
    let sign = if n < 0.0 && negative.is_none() { "-" } else { "" };
    Ok(format!("{prefix}{sign}{number}{suffix}"))
}

fn fn_format_number<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a JValue<'a>],
) -> jsonata_rs::Result<&'a JValue<'a>> {
    if args.first().is_none_or(|a| a.is_undefined()) {
        return Ok(JValue::undefined());
    }
    json_function(&context, args, |v| {
        let n = v[0].as_f64().ok_or("a number")?;
        let picture = v.get(1).and_then(Value::as_str).ok_or("a picture string")?;
        format_number(n, picture).map(Value::String)
    })
}

fn register_aws_functions(jsonata: &JsonAta<'_>) {
    jsonata.register_function("formatNumber", 3, fn_format_number);
    jsonata.register_function("average", 1, fn_average);
    jsonata.register_function("type", 1, fn_type);
    jsonata.register_function("shuffle", 1, fn_shuffle);
    jsonata.register_function("spread", 1, fn_spread);
    jsonata.register_function("encodeUrlComponent", 1, fn_encode_url_component);
    jsonata.register_function("encodeUrl", 1, fn_encode_url);
    jsonata.register_function("decodeUrlComponent", 1, fn_decode_url);
    jsonata.register_function("decodeUrl", 1, fn_decode_url);
    jsonata.register_function("formatBase", 2, fn_format_base);
    jsonata.register_function("partition", 2, fn_partition);
    jsonata.register_function("range", 3, fn_range);
    jsonata.register_function("hash", 2, fn_hash);
    jsonata.register_function("parse", 1, fn_parse);
    jsonata.register_function("awsRandom", 1, fn_random);
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn format_number_follows_the_jsonata_documentation_examples() {
        // The examples of the JSONata documentation's $formatNumber.
        assert_eq!(format_number(12345.6, "#,###.00").unwrap(), "12,345.60");
        assert_eq!(format_number(1234.5678, "00.000").unwrap(), "1234.568");
        assert_eq!(format_number(0.14, "01%").unwrap(), "14%");
        assert_eq!(format_number(-6.0, "000;(000)").unwrap(), "(006)");
        assert_eq!(format_number(1.23456, "#0.00").unwrap(), "1.23");
        assert_eq!(format_number(-3.5, "#0").unwrap(), "-4");
        assert_eq!(format_number(2.5, "#0").unwrap(), "2", "half to even");
        assert_eq!(format_number(1234567.0, "#,##0").unwrap(), "1,234,567");
        assert!(format_number(1.0, "0.0e0").is_err());
    }
}
