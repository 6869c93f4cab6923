//! Choice rules: every comparison operator, their `Path` forms, the type tests and
//! And/Or/Not. A value of the wrong type compares false; a missing Variable is a
//! `States.Runtime` error (except under IsPresent).

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::definition::ChoiceRule;
use crate::error::StatesError;
use crate::paths;

pub fn evaluate(rule: &ChoiceRule, input: &Value, ctx: &Value) -> Result<bool, StatesError> {
    if let Some(all) = &rule.and {
        for r in all {
            if !evaluate(r, input, ctx)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Some(any) = &rule.or {
        for r in any {
            if evaluate(r, input, ctx)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(not) = &rule.not {
        return Ok(!evaluate(not, input, ctx)?);
    }
    let var = rule
        .variable
        .as_deref()
        .ok_or_else(|| StatesError::runtime("a choice rule has no Variable"))?;
    let (op, operand) = rule
        .comparison
        .iter()
        .next()
        .ok_or_else(|| StatesError::runtime(format!("the choice rule on {var} has no comparison")))?;
    let value = match paths::select(var, input, ctx) {
        Ok(v) => Some(v),
        Err(_) if op == "IsPresent" => None,
        Err(e) => return Err(e),
    };
    let operand = match op.strip_suffix("Path") {
        Some(_) if op != "IsPresent" => {
            let p = operand
                .as_str()
                .ok_or_else(|| StatesError::runtime(format!("{op} needs a path")))?;
            paths::select(p, input, ctx)?
        }
        _ => operand.clone(),
    };
    let base = op.strip_suffix("Path").unwrap_or(op);
    compare(base, value.as_ref(), &operand)
        .ok_or_else(|| StatesError::runtime(format!("unknown comparison operator {op}")))
}

pub fn is_operator(name: &str) -> bool {
    compare(
        name.strip_suffix("Path").unwrap_or(name),
        Some(&Value::Null),
        &Value::Null,
    )
    .is_some()
}

fn timestamp(v: &Value) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v.as_str()?, &Rfc3339).ok()
}

fn ord<T: PartialOrd>(op: &str, a: Option<T>, b: Option<T>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return false };
    match op {
        "Equals" => a == b,
        "LessThan" => a < b,
        "GreaterThan" => a > b,
        "LessThanEquals" => a <= b,
        "GreaterThanEquals" => a >= b,
        _ => false,
    }
}

/// `None` for an unknown operator.
fn compare(op: &str, value: Option<&Value>, operand: &Value) -> Option<bool> {
    let v = value.unwrap_or(&Value::Null);
    Some(match op {
        "IsPresent" => value.is_some() == operand.as_bool().unwrap_or(true),
        "IsNull" => v.is_null() == operand.as_bool().unwrap_or(true),
        "IsNumeric" => v.is_number() == operand.as_bool().unwrap_or(true),
        "IsString" => v.is_string() == operand.as_bool().unwrap_or(true),
        "IsBoolean" => v.is_boolean() == operand.as_bool().unwrap_or(true),
        "IsTimestamp" => timestamp(v).is_some() == operand.as_bool().unwrap_or(true),
        "BooleanEquals" => v.is_boolean() && v == operand,
        "StringMatches" => match (v.as_str(), operand.as_str()) {
            (Some(s), Some(p)) => wildcard(p, s),
            _ => false,
        },
        _ => {
            for (prefix, kind) in [("String", 0), ("Numeric", 1), ("Timestamp", 2)] {
                if let Some(rest) = op.strip_prefix(prefix) {
                    if !matches!(
                        rest,
                        "Equals" | "LessThan" | "GreaterThan" | "LessThanEquals" | "GreaterThanEquals"
                    ) {
                        return None;
                    }
                    return Some(match kind {
                        0 => ord(rest, v.as_str(), operand.as_str()),
                        1 => ord(rest, v.as_f64().filter(|_| v.is_number()), operand.as_f64()),
                        _ => ord(rest, timestamp(v), timestamp(operand)),
                    });
                }
            }
            return None;
        }
    })
}

/// `*` matches any run of characters; `\*` is a literal star.
fn wildcard(pattern: &str, s: &str) -> bool {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'*') => {
                chars.next();
                re.push_str("\\*");
            }
            '*' => re.push_str(".*"),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).is_ok_and(|r| r.is_match(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(v: Value) -> ChoiceRule {
        serde_json::from_value(v).unwrap()
    }

    fn check(r: Value) -> Result<bool, StatesError> {
        let input = json!({"s": "photo.jpg", "n": 7, "b": true, "t": "2026-11-26T12:00:00Z", "z": null, "m": 7.0, "other": "photo.png"});
        evaluate(&rule(r), &input, &json!({}))
    }

    #[test]
    fn comparisons() {
        assert!(check(json!({"Variable": "$.s", "StringEquals": "photo.jpg"})).unwrap());
        assert!(check(json!({"Variable": "$.s", "StringLessThan": "photo.png"})).unwrap());
        assert!(check(json!({"Variable": "$.s", "StringGreaterThanEquals": "photo.jpg"})).unwrap());
        assert!(check(json!({"Variable": "$.s", "StringLessThanPath": "$.other"})).unwrap());
        assert!(check(json!({"Variable": "$.s", "StringMatches": "*.jpg"})).unwrap());
        assert!(!check(json!({"Variable": "$.s", "StringMatches": "*.png"})).unwrap());
        assert!(check(json!({"Variable": "$.n", "NumericEquals": 7})).unwrap());
        assert!(check(json!({"Variable": "$.n", "NumericEqualsPath": "$.m"})).unwrap());
        assert!(check(json!({"Variable": "$.n", "NumericGreaterThan": 6.5})).unwrap());
        assert!(check(json!({"Variable": "$.n", "NumericLessThanEquals": 7})).unwrap());
        assert!(
            !check(json!({"Variable": "$.s", "NumericEquals": 7})).unwrap(),
            "wrong type compares false"
        );
        assert!(check(json!({"Variable": "$.b", "BooleanEquals": true})).unwrap());
        assert!(check(json!({"Variable": "$.b", "BooleanEqualsPath": "$.b"})).unwrap());
        assert!(check(json!({"Variable": "$.t", "TimestampGreaterThan": "2026-01-01T00:00:00Z"})).unwrap());
        assert!(check(json!({"Variable": "$.t", "TimestampEquals": "2026-11-26T13:00:00+01:00"})).unwrap());
    }

    #[test]
    fn type_tests_and_presence() {
        assert!(check(json!({"Variable": "$.z", "IsNull": true})).unwrap());
        assert!(check(json!({"Variable": "$.nope", "IsPresent": false})).unwrap());
        assert!(check(json!({"Variable": "$.s", "IsPresent": true})).unwrap());
        assert!(check(json!({"Variable": "$.n", "IsNumeric": true})).unwrap());
        assert!(check(json!({"Variable": "$.s", "IsString": true})).unwrap());
        assert!(check(json!({"Variable": "$.b", "IsBoolean": true})).unwrap());
        assert!(check(json!({"Variable": "$.t", "IsTimestamp": true})).unwrap());
        assert!(check(json!({"Variable": "$.s", "IsTimestamp": false})).unwrap());
        assert_eq!(
            check(json!({"Variable": "$.nope", "IsNull": true}))
                .unwrap_err()
                .error,
            "States.Runtime"
        );
    }

    #[test]
    fn boolean_logic() {
        assert!(check(json!({"And": [{"Variable": "$.n", "NumericEquals": 7}, {"Variable": "$.b", "BooleanEquals": true}]})).unwrap());
        assert!(check(json!({"Or": [{"Variable": "$.n", "NumericEquals": 1}, {"Variable": "$.b", "BooleanEquals": true}]})).unwrap());
        assert!(check(json!({"Not": {"Variable": "$.n", "NumericEquals": 1}})).unwrap());
        assert!(check(json!({"Variable": "$.n", "Bogus": 1})).is_err());
    }
}
