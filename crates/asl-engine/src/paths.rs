//! JSONPath as the States Language uses it. Reference paths (`$.a.b`, `$['a-b']`, `$.a[0]`)
//! select one value, and a missing one is a `States.Runtime` error; paths with wildcards,
//! slices, filters or `..` select every match, as an array (serde_json_path, RFC 9535).
//! `$$` addresses the context object.

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::StatesError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Parses a reference path, or `None` if the path is not a definite one.
pub fn parse_reference(path: &str) -> Option<Vec<Segment>> {
    let rest = path.strip_prefix('$')?;
    let b = rest.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        match b[i] {
            b'.' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'.' && b[j] != b'[' {
                    j += 1;
                }
                let name = &rest[start..j];
                if name.is_empty() || name == "*" || name.contains(['*', '?', '@', '(', ')', ',', ':', ' ']) {
                    return None;
                }
                out.push(Segment::Key(name.to_owned()));
                i = j;
            }
            b'[' => {
                let close = rest[i..].find(']')? + i;
                let inner = rest[i + 1..close].trim();
                if let Some(q) = inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                    out.push(Segment::Key(q.to_owned()));
                } else if let Some(q) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    out.push(Segment::Key(q.to_owned()));
                } else {
                    out.push(Segment::Index(inner.parse().ok()?));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Rewrites dotted names that RFC 9535 does not allow (dashes, for instance) into brackets.
fn to_rfc9535(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    let mut chars = path.char_indices().peekable();
    let mut in_bracket = 0usize;
    while let Some((_, c)) = chars.next() {
        match c {
            '[' => {
                in_bracket += 1;
                out.push(c);
            }
            ']' => {
                in_bracket = in_bracket.saturating_sub(1);
                out.push(c);
            }
            '.' if in_bracket == 0 => {
                if chars.peek().map(|(_, c)| *c) == Some('.') {
                    out.push_str("..");
                    chars.next();
                    continue;
                }
                let mut name = String::new();
                while let Some(&(_, n)) = chars.peek() {
                    if n == '.' || n == '[' {
                        break;
                    }
                    name.push(n);
                    chars.next();
                }
                if !name.is_empty() && name != "*" && !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    out.push_str(&format!("['{}']", name.replace('\'', "\\'")));
                } else {
                    out.push('.');
                    out.push_str(&name);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// True when the path is syntactically valid (reference or query).
pub fn is_valid(path: &str) -> bool {
    if let Some((name, rest)) = crate::variables::split_reference(path) {
        return crate::variables::is_valid_name(name) && is_valid(&rest);
    }
    let p = path
        .strip_prefix('$')
        .map(|r| format!("${}", r.strip_prefix('$').unwrap_or(r)));
    match p {
        Some(p) => parse_reference(&p).is_some() || JsonPath::parse(&to_rfc9535(&p)).is_ok(),
        None => false,
    }
}

/// The value a path selects from `input` (or from `context` for `$$` paths).
pub fn select(path: &str, input: &Value, context: &Value) -> Result<Value, StatesError> {
    // `$name…`: a workflow variable, then the rest of the path within it.
    if let Some((name, rest)) = crate::variables::split_reference(path) {
        let value = context[crate::variables::CONTEXT_KEY]
            .get(name)
            .ok_or_else(|| StatesError::runtime(format!("the variable '${name}' is not defined")))?;
        return select(&rest, value, context);
    }
    if path == "$$" {
        // The context object as `$$` shows it: without the variables riding in it.
        let mut whole = context.clone();
        if let Some(m) = whole.as_object_mut() {
            m.remove(crate::variables::CONTEXT_KEY);
        }
        return Ok(whole);
    }
    let (root, path) = match path.strip_prefix("$$") {
        Some(rest) => (context, format!("${rest}")),
        None => (input, path.to_owned()),
    };
    if let Some(segments) = parse_reference(&path) {
        let mut v = root;
        for s in &segments {
            v = match (s, v) {
                (Segment::Key(k), Value::Object(m)) => m.get(k),
                (Segment::Index(i), Value::Array(a)) => a.get(*i),
                _ => None,
            }
            .ok_or_else(|| {
                StatesError::runtime(format!("the JSONPath '{path}' could not be found in the input"))
            })?;
        }
        return Ok(v.clone());
    }
    let query = JsonPath::parse(&to_rfc9535(&path))
        .map_err(|e| StatesError::runtime(format!("invalid JSONPath '{path}': {e}")))?;
    Ok(Value::Array(
        query.query(root).all().into_iter().cloned().collect(),
    ))
}

/// Writes `value` at a reference path in `target`, creating objects on the way (ResultPath).
pub fn set(target: &mut Value, path: &str, value: Value) -> Result<(), StatesError> {
    let segments = parse_reference(path)
        .ok_or_else(|| StatesError::runtime(format!("ResultPath '{path}' must be a reference path")))?;
    let mut cur = target;
    for (i, s) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match s {
            Segment::Key(k) => {
                if cur.is_null() {
                    *cur = Value::Object(Default::default());
                }
                let map = cur.as_object_mut().ok_or_else(|| {
                    StatesError::new(
                        "States.ResultPathMatchFailure",
                        format!("cannot set '{path}': '{k}' is under a non-object"),
                    )
                })?;
                if last {
                    map.insert(k.clone(), value);
                    return Ok(());
                }
                cur = map.entry(k.clone()).or_insert(Value::Null);
            }
            Segment::Index(idx) => {
                let arr = cur.as_array_mut().filter(|a| *idx < a.len()).ok_or_else(|| {
                    StatesError::new(
                        "States.ResultPathMatchFailure",
                        format!("cannot set '{path}': no element {idx}"),
                    )
                })?;
                if last {
                    arr[*idx] = value;
                    return Ok(());
                }
                cur = &mut arr[*idx];
            }
        }
    }
    *cur = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_paths() {
        let v = json!({"a": {"b-c": [1, {"d": 2}]}, "e": null});
        let ctx = json!({"Execution": {"Id": "x"}});
        assert_eq!(select("$.a.b-c[1].d", &v, &ctx).unwrap(), json!(2));
        assert_eq!(select("$['a']['b-c'][0]", &v, &ctx).unwrap(), json!(1));
        assert_eq!(select("$", &v, &ctx).unwrap(), v);
        assert_eq!(select("$.e", &v, &ctx).unwrap(), Value::Null);
        assert_eq!(select("$$.Execution.Id", &v, &ctx).unwrap(), json!("x"));
        let err = select("$.missing", &v, &ctx).unwrap_err();
        assert_eq!(err.error, "States.Runtime");
    }

    #[test]
    fn query_paths_yield_arrays() {
        let v =
            json!({"items": [{"p": 1, "n": "a"}, {"p": 5, "n": "b"}, {"p": 9, "n": "c"}], "my-list": [1, 2]});
        let ctx = json!({});
        assert_eq!(select("$.items[*].n", &v, &ctx).unwrap(), json!(["a", "b", "c"]));
        assert_eq!(select("$.items[0:2].p", &v, &ctx).unwrap(), json!([1, 5]));
        assert_eq!(
            select("$.items[?(@.p > 4)].n", &v, &ctx).unwrap(),
            json!(["b", "c"])
        );
        assert_eq!(select("$..p", &v, &ctx).unwrap(), json!([1, 5, 9]));
        assert_eq!(select("$.my-list[*]", &v, &ctx).unwrap(), json!([1, 2]));
        assert_eq!(select("$.nothing[*]", &v, &ctx).unwrap(), json!([]));
    }

    #[test]
    fn set_creates_and_merges() {
        let mut v = json!({"a": {"keep": 1}});
        set(&mut v, "$.a.b.c", json!(3)).unwrap();
        assert_eq!(v, json!({"a": {"keep": 1, "b": {"c": 3}}}));
        set(&mut v, "$", json!("whole")).unwrap();
        assert_eq!(v, json!("whole"));
        let mut v = json!({"a": 1});
        assert_eq!(
            set(&mut v, "$.a.b", json!(1)).unwrap_err().error,
            "States.ResultPathMatchFailure"
        );
    }

    #[test]
    fn validity() {
        assert!(is_valid("$.a.b"));
        assert!(is_valid("$$.Execution.Id"));
        assert!(is_valid("$.a[*].b"));
        assert!(!is_valid("a.b"));
        assert!(!is_valid("$.a[?(@.x >"));
    }
}
