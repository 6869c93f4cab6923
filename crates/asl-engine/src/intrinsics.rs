//! Intrinsic functions (`States.Format('{} {}', $.a, $.b)` …) in Parameters and
//! ResultSelector values whose keys end in `.$`.

use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::Digest;

use crate::error::StatesError;
use crate::paths;

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Literal(Value),
    Path(String),
    Call(String, Vec<Arg>),
}

pub fn is_intrinsic(s: &str) -> bool {
    s.starts_with("States.")
}

/// Evaluates an intrinsic call against the input and the context object.
pub fn evaluate(
    expr: &str,
    input: &Value,
    context: &Value,
    rng: &mut crate::Rng,
) -> Result<Value, StatesError> {
    let mut p = Parser {
        s: expr.as_bytes(),
        i: 0,
        src: expr,
    };
    let call = p.arg()?;
    p.skip_ws();
    if p.i != p.s.len() {
        return Err(StatesError::intrinsic(format!(
            "unexpected text after the call in {expr}"
        )));
    }
    eval(&call, input, context, rng)
}

/// Checks an intrinsic call's syntax (for validation).
pub fn parse_ok(expr: &str) -> bool {
    let mut p = Parser {
        s: expr.as_bytes(),
        i: 0,
        src: expr,
    };
    p.arg().is_ok() && {
        p.skip_ws();
        p.i == p.s.len()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    src: &'a str,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> StatesError {
        StatesError::intrinsic(format!("{what} at position {} of {}", self.i, self.src))
    }
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn arg(&mut self) -> Result<Arg, StatesError> {
        self.skip_ws();
        match self.s.get(self.i) {
            Some(b'\'') => self.string(),
            Some(b'$') => {
                let start = self.i;
                let mut depth = 0i32;
                let mut quote = false;
                while let Some(&c) = self.s.get(self.i) {
                    match c {
                        b'\'' => quote = !quote,
                        b'[' | b'(' if !quote => depth += 1,
                        b']' | b')' if !quote && depth > 0 => depth -= 1,
                        b',' | b')' if !quote && depth == 0 => break,
                        _ => {}
                    }
                    self.i += 1;
                }
                Ok(Arg::Path(self.src[start..self.i].trim().to_owned()))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'e' | b'E' | b'+'))
                {
                    self.i += 1;
                }
                let n: Value =
                    serde_json::from_str(&self.src[start..self.i]).map_err(|_| self.err("bad number"))?;
                Ok(Arg::Literal(n))
            }
            Some(_) => {
                let start = self.i;
                while self
                    .s
                    .get(self.i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
                {
                    self.i += 1;
                }
                let word = &self.src[start..self.i];
                match word {
                    "true" => return Ok(Arg::Literal(json!(true))),
                    "false" => return Ok(Arg::Literal(json!(false))),
                    "null" => return Ok(Arg::Literal(Value::Null)),
                    _ => {}
                }
                if !word.starts_with("States.") {
                    return Err(self.err("expected an argument"));
                }
                self.skip_ws();
                if self.s.get(self.i) != Some(&b'(') {
                    return Err(self.err("expected '('"));
                }
                self.i += 1;
                let mut args = Vec::new();
                self.skip_ws();
                if self.s.get(self.i) == Some(&b')') {
                    self.i += 1;
                    return Ok(Arg::Call(word.to_owned(), args));
                }
                loop {
                    args.push(self.arg()?);
                    self.skip_ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b')') => {
                            self.i += 1;
                            return Ok(Arg::Call(word.to_owned(), args));
                        }
                        _ => return Err(self.err("expected ',' or ')'")),
                    }
                }
            }
            None => Err(self.err("unexpected end")),
        }
    }
    /// 'text' with \' \{ \} \\ escapes kept for Format to interpret braces.
    fn string(&mut self) -> Result<Arg, StatesError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let c = *self
                .s
                .get(self.i)
                .ok_or_else(|| self.err("unterminated string"))?;
            self.i += 1;
            match c {
                b'\\' => {
                    let n = *self.s.get(self.i).ok_or_else(|| self.err("dangling escape"))?;
                    match n {
                        // Escaped braces become markers so Format can tell them from
                        // placeholders, whatever precedes them (an escaped backslash too).
                        b'{' => out.push(ESCAPED_OPEN),
                        b'}' => out.push(ESCAPED_CLOSE),
                        _ => {
                            // Any other escaped character stands for itself, whole.
                            let len = utf8_len(n);
                            let ch = self
                                .src
                                .get(self.i..self.i + len)
                                .ok_or_else(|| self.err("invalid escape"))?;
                            out.push_str(ch);
                            self.i += len - 1;
                        }
                    }
                    self.i += 1;
                }
                b'\'' => return Ok(Arg::Literal(Value::String(out))),
                _ => {
                    // Copy the whole UTF-8 sequence.
                    let start = self.i - 1;
                    let len = utf8_len(c);
                    let ch = self
                        .src
                        .get(start..start + len)
                        .ok_or_else(|| self.err("invalid character"))?;
                    out.push_str(ch);
                    self.i = start + len;
                }
            }
        }
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Stand-ins for `\{` and `\}` between parsing and formatting (private-use characters).
const ESCAPED_OPEN: char = '\u{F8F0}';
const ESCAPED_CLOSE: char = '\u{F8F1}';

fn unescape_braces(s: &str) -> String {
    s.replace(ESCAPED_OPEN, "{").replace(ESCAPED_CLOSE, "}")
}

fn eval(arg: &Arg, input: &Value, ctx: &Value, rng: &mut crate::Rng) -> Result<Value, StatesError> {
    match arg {
        Arg::Literal(Value::String(s)) => Ok(Value::String(unescape_braces(s))),
        Arg::Literal(v) => Ok(v.clone()),
        Arg::Path(p) => paths::select(p, input, ctx),
        Arg::Call(name, args) => {
            if name == "States.Format" {
                let Some(Arg::Literal(Value::String(template))) = args.first() else {
                    return Err(StatesError::intrinsic(
                        "States.Format needs a string template first",
                    ));
                };
                let values = args[1..]
                    .iter()
                    .map(|a| eval(a, input, ctx, rng))
                    .collect::<Result<Vec<_>, _>>()?;
                return format(template, &values);
            }
            let values = args
                .iter()
                .map(|a| eval(a, input, ctx, rng))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, &values, rng)
        }
    }
}

fn format(template: &str, values: &[Value]) -> Result<Value, StatesError> {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESCAPED_OPEN => out.push('{'),
            ESCAPED_CLOSE => out.push('}'),
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let v = values
                    .get(next)
                    .ok_or_else(|| StatesError::intrinsic("States.Format has more {} than arguments"))?;
                next += 1;
                out.push_str(&format_argument(v));
            }
            _ => out.push(c),
        }
    }
    if next != values.len() {
        return Err(StatesError::intrinsic("States.Format has more arguments than {}"));
    }
    Ok(Value::String(out))
}

/// A value as States.Format writes it (recorded on AWS): strings bare, numbers, booleans
/// and null as JSON, and objects and arrays as Java writes maps and lists, their strings
/// bare too: `{Arg1=1, Arg2=[a, b]}`.
fn format_argument(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(format_argument).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k}={}", format_argument(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// An integer argument of the Math functions. AWS rounds a non-integer to the nearest
/// integer as Java's `Math.round` does, halves upwards (1.5 → 2, -1.5 → -1, -2.5 → -2:
/// recorded on AWS), and works in 32-bit integers (our reading: values beyond them fail).
fn math_int(name: &str, v: &Value) -> Result<i64, StatesError> {
    let n = match v.as_i64() {
        Some(i) => i,
        None => {
            let f = v
                .as_f64()
                .ok_or_else(|| StatesError::intrinsic(format!("{name} needs a number, got {v}")))?;
            (f + 0.5).floor() as i64
        }
    };
    in_int32(name, n)
}

fn in_int32(name: &str, n: i64) -> Result<i64, StatesError> {
    if i32::try_from(n).is_ok() {
        Ok(n)
    } else {
        Err(StatesError::intrinsic(format!(
            "{name}: {n} is outside the 32-bit integer range"
        )))
    }
}

/// `-0` is the integer 0 on AWS (recorded); serde_json reads it as the float -0.0.
fn unsigned_zeros(v: &mut Value) {
    match v {
        Value::Number(n) if n.as_f64() == Some(0.0) && n.as_f64().is_some_and(f64::is_sign_negative) => {
            *v = json!(0);
        }
        Value::Array(items) => items.iter_mut().for_each(unsigned_zeros),
        Value::Object(map) => map.values_mut().for_each(unsigned_zeros),
        _ => {}
    }
}

fn want<'v>(name: &str, args: &'v [Value], n: usize) -> Result<&'v [Value], StatesError> {
    if args.len() == n {
        Ok(args)
    } else {
        Err(StatesError::intrinsic(format!(
            "{name} takes {n} argument(s), got {}",
            args.len()
        )))
    }
}

fn int(name: &str, v: &Value) -> Result<i64, StatesError> {
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        .ok_or_else(|| StatesError::intrinsic(format!("{name} needs an integer, got {v}")))
}

fn string<'v>(name: &str, v: &'v Value) -> Result<&'v str, StatesError> {
    v.as_str()
        .ok_or_else(|| StatesError::intrinsic(format!("{name} needs a string, got {v}")))
}

fn array<'v>(name: &str, v: &'v Value) -> Result<&'v Vec<Value>, StatesError> {
    v.as_array()
        .ok_or_else(|| StatesError::intrinsic(format!("{name} needs an array, got {v}")))
}

/// An intrinsic by name over evaluated arguments (JSONata's added functions share them).
pub(crate) fn call_by_name(name: &str, args: &[Value]) -> Result<Value, StatesError> {
    call(name, args, &mut crate::Rng::new(0))
}

fn call(name: &str, a: &[Value], rng: &mut crate::Rng) -> Result<Value, StatesError> {
    Ok(match name {
        "States.StringToJson" => {
            let text = string(name, &want(name, a, 1)?[0])?;
            // An empty or blank string is null on AWS (recorded), not an error.
            if text.trim().is_empty() {
                Value::Null
            } else {
                let mut value =
                    serde_json::from_str(text).map_err(|e| StatesError::intrinsic(format!("{name}: {e}")))?;
                unsigned_zeros(&mut value);
                value
            }
        }
        "States.JsonToString" => Value::String(want(name, a, 1)?[0].to_string()),
        "States.Array" => Value::Array(a.to_vec()),
        "States.ArrayPartition" => {
            let a = want(name, a, 2)?;
            let size = int(name, &a[1])?;
            if size <= 0 {
                return Err(StatesError::intrinsic(
                    "States.ArrayPartition needs a positive chunk size",
                ));
            }
            Value::Array(
                array(name, &a[0])?
                    .chunks(size as usize)
                    .map(|c| Value::Array(c.to_vec()))
                    .collect(),
            )
        }
        "States.ArrayContains" => {
            let a = want(name, a, 2)?;
            Value::Bool(array(name, &a[0])?.contains(&a[1]))
        }
        "States.ArrayRange" => {
            let a = want(name, a, 3)?;
            let (start, end, step) = (int(name, &a[0])?, int(name, &a[1])?, int(name, &a[2])?);
            if step == 0 {
                return Err(StatesError::intrinsic("States.ArrayRange step must not be 0"));
            }
            let mut out = Vec::new();
            let mut v = start;
            while (step > 0 && v <= end) || (step < 0 && v >= end) {
                out.push(json!(v));
                if out.len() > 1000 {
                    return Err(StatesError::intrinsic(
                        "States.ArrayRange may yield at most 1000 items",
                    ));
                }
                v += step;
            }
            Value::Array(out)
        }
        "States.ArrayGetItem" => {
            let a = want(name, a, 2)?;
            let i = int(name, &a[1])?;
            array(name, &a[0])?
                .get(usize::try_from(i).map_err(|_| StatesError::intrinsic("negative index"))?)
                .cloned()
                .ok_or_else(|| StatesError::intrinsic(format!("{name}: index {i} out of range")))?
        }
        "States.ArrayLength" => json!(array(name, &want(name, a, 1)?[0])?.len()),
        "States.ArrayUnique" => {
            let mut out: Vec<Value> = Vec::new();
            for v in array(name, &want(name, a, 1)?[0])? {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Value::Array(out)
        }
        "States.Base64Encode" => Value::String(
            base64::engine::general_purpose::STANDARD.encode(string(name, &want(name, a, 1)?[0])?),
        ),
        "States.Base64Decode" => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(string(name, &want(name, a, 1)?[0])?)
                .map_err(|e| StatesError::intrinsic(format!("{name}: {e}")))?;
            Value::String(
                String::from_utf8(bytes).map_err(|_| StatesError::intrinsic("decoded data is not UTF-8"))?,
            )
        }
        "States.Hash" => {
            let a = want(name, a, 2)?;
            let data = match &a[0] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let d = data.as_bytes();
            let hex = match string(name, &a[1])? {
                "MD5" => hex(md5::Md5::digest(d).as_slice()),
                "SHA-1" => hex(sha1::Sha1::digest(d).as_slice()),
                "SHA-256" => hex(sha2::Sha256::digest(d).as_slice()),
                "SHA-384" => hex(sha2::Sha384::digest(d).as_slice()),
                "SHA-512" => hex(sha2::Sha512::digest(d).as_slice()),
                other => {
                    return Err(StatesError::intrinsic(format!(
                        "{name}: unknown algorithm {other}"
                    )))
                }
            };
            Value::String(hex)
        }
        "States.JsonMerge" => {
            let a = want(name, a, 3)?;
            if a[2] != Value::Bool(false) {
                return Err(StatesError::intrinsic(
                    "States.JsonMerge supports only a shallow merge (false)",
                ));
            }
            let (Value::Object(l), Value::Object(r)) = (&a[0], &a[1]) else {
                return Err(StatesError::intrinsic("States.JsonMerge needs two objects"));
            };
            let mut out: Map<String, Value> = l.clone();
            out.extend(r.clone());
            Value::Object(out)
        }
        "States.MathRandom" => {
            if !(2..=3).contains(&a.len()) {
                return Err(StatesError::intrinsic(
                    "States.MathRandom takes a start, an end and an optional seed",
                ));
            }
            let (start, end) = (math_int(name, &a[0])?, math_int(name, &a[1])?);
            if end <= start {
                return Err(StatesError::intrinsic("States.MathRandom needs start < end"));
            }
            let mut seeded;
            let r = match a.get(2) {
                Some(seed) => {
                    seeded = crate::Rng::new(int(name, seed)? as u64);
                    &mut seeded
                }
                None => rng,
            };
            json!(start + (r.next_u64() % (end - start) as u64) as i64)
        }
        "States.MathAdd" => {
            let a = want(name, a, 2)?;
            json!(in_int32(name, math_int(name, &a[0])? + math_int(name, &a[1])?)?)
        }
        "States.StringSplit" => {
            let a = want(name, a, 2)?;
            let (s, delims) = (string(name, &a[0])?, string(name, &a[1])?);
            Value::Array(
                s.split(|c| delims.contains(c))
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_owned()))
                    .collect(),
            )
        }
        "States.UUID" => {
            want(name, a, 0)?;
            Value::String(uuid::Uuid::new_v4().to_string())
        }
        other => {
            return Err(StatesError::intrinsic(format!(
                "unknown intrinsic function {other}"
            )))
        }
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(expr: &str) -> Result<Value, StatesError> {
        let input = json!({"name": "Jane", "n": 3, "list": [1, 2, 2, 3], "obj": {"a": 1}, "s": "a,b;c"});
        evaluate(
            expr,
            &input,
            &json!({"Execution": {"Name": "e1"}}),
            &mut crate::Rng::new(7),
        )
    }

    #[test]
    fn escapes_of_backslashes_and_multi_byte_characters() {
        // An escaped backslash before a placeholder is a backslash, then the placeholder.
        assert_eq!(ev("States.Format('a\\\\{}', 'x')").unwrap(), json!("a\\x"));
        // An escaped non-ASCII character is that character, whole (it used to panic).
        assert_eq!(ev("States.Format('caf\\é {}', 'ok')").unwrap(), json!("café ok"));
        assert_eq!(ev("States.Format('\\{ {} \\}', 1)").unwrap(), json!("{ 1 }"));
        assert_eq!(ev("States.Format('{}', '€\\\\')").unwrap(), json!("€\\"));
        assert_eq!(ev("States.Format('{}', '日本')").unwrap(), json!("日本"));
    }

    #[test]
    fn format_and_strings() {
        assert_eq!(
            ev("States.Format('Hello {} #{} from {}', $.name, $.n, $$.Execution.Name)").unwrap(),
            json!("Hello Jane #3 from e1")
        );
        assert_eq!(
            ev(r"States.Format('literal \{\} and {}', 'x')").unwrap(),
            json!("literal {} and x")
        );
        assert_eq!(ev("States.Format('it\\'s {}', 'ok')").unwrap(), json!("it's ok"));
        assert!(ev("States.Format('{} {}', 'one')").is_err());
        assert_eq!(
            ev("States.StringSplit($.s, ',;')").unwrap(),
            json!(["a", "b", "c"])
        );
        assert_eq!(ev("States.StringToJson('{\"x\": 1}')").unwrap(), json!({"x": 1}));
        assert_eq!(ev("States.JsonToString($.obj)").unwrap(), json!("{\"a\":1}"));
    }

    #[test]
    fn arrays() {
        assert_eq!(
            ev("States.Array($.name, 1, true, null)").unwrap(),
            json!(["Jane", 1, true, null])
        );
        assert_eq!(
            ev("States.ArrayPartition($.list, 3)").unwrap(),
            json!([[1, 2, 2], [3]])
        );
        assert_eq!(ev("States.ArrayContains($.list, 3)").unwrap(), json!(true));
        assert_eq!(ev("States.ArrayRange(1, 9, 2)").unwrap(), json!([1, 3, 5, 7, 9]));
        assert_eq!(ev("States.ArrayGetItem($.list, 3)").unwrap(), json!(3));
        assert_eq!(ev("States.ArrayLength($.list)").unwrap(), json!(4));
        assert_eq!(ev("States.ArrayUnique($.list)").unwrap(), json!([1, 2, 3]));
        assert_eq!(
            ev("States.ArrayLength(States.ArrayUnique($.list))").unwrap(),
            json!(3)
        );
    }

    #[test]
    fn encoding_hashing_maths_and_ids() {
        assert_eq!(ev("States.Base64Encode('hello')").unwrap(), json!("aGVsbG8="));
        assert_eq!(ev("States.Base64Decode('aGVsbG8=')").unwrap(), json!("hello"));
        assert_eq!(
            ev("States.Hash('hello', 'SHA-256')").unwrap(),
            json!("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        );
        assert_eq!(
            ev("States.Hash('hello', 'MD5')").unwrap(),
            json!("5d41402abc4b2a76b9719d911017c592")
        );
        assert_eq!(
            ev("States.JsonMerge($.obj, States.StringToJson('{\"b\": 2}'), false)").unwrap(),
            json!({"a": 1, "b": 2})
        );
        assert_eq!(ev("States.MathAdd($.n, -5)").unwrap(), json!(-2));
        let r = ev("States.MathRandom(1, 10)").unwrap().as_i64().unwrap();
        assert!((1..10).contains(&r));
        assert_eq!(
            ev("States.MathRandom(1, 1000, 42)").unwrap(),
            ev("States.MathRandom(1, 1000, 42)").unwrap()
        );
        assert_eq!(ev("States.UUID()").unwrap().as_str().unwrap().len(), 36);
    }

    #[test]
    fn errors_are_intrinsic_failures() {
        assert_eq!(ev("States.Nope(1)").unwrap_err().error, "States.IntrinsicFailure");
        assert_eq!(
            ev("States.ArrayGetItem($.list, 9)").unwrap_err().error,
            "States.IntrinsicFailure"
        );
        assert!(!parse_ok("States.Format('x'"));
        assert!(parse_ok("States.Format('x {}', $.a)"));
    }
}
