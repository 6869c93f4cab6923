//! Definition checks before anything runs, each naming the state at fault.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;

use crate::choice;
use crate::definition::{ChoiceRule, PathField, State, StateMachine};
use crate::intrinsics;
use crate::paths;

const STATE_TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("the definition is not valid JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the definition has {} problem(s):\n- {}", .0.len(), .0.join("\n- "))]
    Problems(Vec<String>),
}

/// Parses and validates a definition (after `${…}` substitutions).
pub fn parse_definition(text: &str) -> Result<StateMachine, DefinitionError> {
    let raw: Value = serde_json::from_str(text).map_err(|e| DefinitionError::Json(e.to_string()))?;
    let mut problems = Vec::new();
    check_types(&raw, "", false, &mut problems);
    if !problems.is_empty() {
        return Err(DefinitionError::Problems(problems));
    }
    let sm: StateMachine = serde_json::from_value(raw)
        .map_err(|e| DefinitionError::Invalid(format!("the definition's shape is wrong: {e}")))?;
    validate(&sm, "", &mut problems);
    if problems.is_empty() {
        Ok(sm)
    } else {
        Err(DefinitionError::Problems(problems))
    }
}

fn check_types(machine: &Value, prefix: &str, outer_jsonata: bool, problems: &mut Vec<String>) {
    let top = if prefix.is_empty() {
        TOP_LEVEL
    } else {
        BRANCH_LEVEL
    };
    check_fields(machine, top, &format!("{prefix}the state machine"), problems);
    let default_jsonata = language(
        machine,
        outer_jsonata,
        &format!("{prefix}the state machine"),
        problems,
    );
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        problems.push(format!("{prefix}the state machine has no States object"));
        return;
    };
    for (name, state) in states {
        let at = format!("{prefix}state '{name}'");
        let jsonata = language(state, default_jsonata, &at, problems);
        if let Some(kind) = state.get("Type").and_then(Value::as_str) {
            check_state_fields(kind, state, &at, problems);
            check_query_language_fields(kind, state, &at, jsonata, problems);
        }
        match state.get("Type").and_then(Value::as_str) {
            None => problems.push(format!("{at} has no Type")),
            Some(t) if !STATE_TYPES.contains(&t) => problems.push(format!("{at} has an unknown Type '{t}'")),
            Some("Parallel") => {
                for (i, b) in state
                    .get("Branches")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    check_types(b, &format!("{at}, branch {}: ", i + 1), jsonata, problems);
                }
            }
            Some("Map") => {
                if let Some(p) = state.get("ItemProcessor").or_else(|| state.get("Iterator")) {
                    check_types(p, &format!("{at}, item processor: "), jsonata, problems);
                }
            }
            _ => {}
        }
    }
}

/// Fields AWS defines that the local twin does not run: refused, never ignored.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("TimeoutSecondsPath", "TimeoutSecondsPath"),
    (
        "HeartbeatSeconds",
        "HeartbeatSeconds (activities and task tokens)",
    ),
    ("HeartbeatSecondsPath", "HeartbeatSecondsPath"),
    ("Credentials", "cross-account Credentials"),
];

const TOP_LEVEL: &[&str] = &[
    "Comment",
    "StartAt",
    "States",
    "TimeoutSeconds",
    "Version",
    "QueryLanguage",
];
const BRANCH_LEVEL: &[&str] = &["Comment", "StartAt", "States", "ProcessorConfig", "QueryLanguage"];
const IO: &[&str] = &["InputPath", "OutputPath"];
const RESULT: &[&str] = &["Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"];
const TRANSITION: &[&str] = &["Next", "End"];

fn allowed_fields(kind: &str) -> Vec<&'static str> {
    let mut fields = vec!["Type", "Comment", "QueryLanguage", "Arguments", "Output"];
    // Succeed and Fail end the run: nothing to assign for (developer guide, variables).
    if !matches!(kind, "Succeed" | "Fail") {
        fields.push("Assign");
    }
    let extra: &[&[&str]] = match kind {
        "Task" => &[
            IO,
            RESULT,
            TRANSITION,
            &[
                "Resource",
                "TimeoutSeconds",
                "TimeoutSecondsPath",
                "HeartbeatSeconds",
                "HeartbeatSecondsPath",
                "Credentials",
            ],
        ],
        "Pass" => &[IO, TRANSITION, &["Parameters", "Result", "ResultPath"]],
        "Choice" => &[IO, &["Choices", "Default"]],
        "Wait" => &[
            IO,
            TRANSITION,
            &["Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
        ],
        "Succeed" => &[IO],
        "Fail" => &[&["Error", "Cause", "ErrorPath", "CausePath"]],
        "Parallel" => &[IO, RESULT, TRANSITION, &["Branches"]],
        "Map" => &[
            IO,
            RESULT,
            TRANSITION,
            &[
                "ItemProcessor",
                "Iterator",
                "ItemsPath",
                "Items",
                "ItemSelector",
                "MaxConcurrency",
                "MaxConcurrencyPath",
            ],
            crate::distributed::DISTRIBUTED_ONLY,
        ],
        _ => &[],
    };
    for group in extra {
        fields.extend_from_slice(group);
    }
    fields
}

/// Unknown fields are errors (AWS refuses them too); known ones the twin does not run are
/// refused by name.
pub(crate) fn check_fields(object: &Value, allowed: &[&str], at: &str, problems: &mut Vec<String>) {
    let Some(map) = object.as_object() else {
        problems.push(format!("{at} is not a JSON object"));
        return;
    };
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            problems.push(format!("{at} has an unknown field '{key}'"));
            continue;
        }
        if key == "TimeoutSeconds" && allowed == TOP_LEVEL {
            // The execution's own limit: a whole number of seconds, as a state's.
            if !map[key].as_u64().is_some_and(|n| (1..=MAX_SECONDS).contains(&n)) {
                problems.push(format!(
                    "{at} has a TimeoutSeconds that is not a whole number from 1 to {MAX_SECONDS}"
                ));
            }
            continue;
        }
        if let Some((_, what)) = UNSUPPORTED.iter().find(|(k, _)| *k == key.as_str()) {
            problems.push(format!("{at} uses {what}, which the local twin does not support"));
        }
    }
}

/// Whether `object` (a state machine or a state) is JSONata: its own `QueryLanguage`, else
/// that of the level around it. A JSONPath state inside a JSONata state machine is refused,
/// as AWS refuses it.
fn language(object: &Value, outer_jsonata: bool, at: &str, problems: &mut Vec<String>) -> bool {
    match object.get("QueryLanguage").map(|v| v.as_str()) {
        None => outer_jsonata,
        Some(Some("JSONata")) => true,
        Some(Some("JSONPath")) => {
            if outer_jsonata {
                problems.push(format!("{at} uses JSONPath inside a JSONata state machine"));
            }
            false
        }
        Some(other) => {
            problems.push(format!("{at} has an invalid QueryLanguage {other:?}"));
            outer_jsonata
        }
    }
}

/// Fields of one query language are refused in a state of the other; JSONata expressions
/// must parse.
fn check_query_language_fields(
    kind: &str,
    state: &Value,
    at: &str,
    jsonata: bool,
    problems: &mut Vec<String>,
) {
    const JSONPATH_ONLY: &[&str] = &[
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "ErrorPath",
        "CausePath",
        "MaxConcurrencyPath",
        "TimeoutSecondsPath",
        "Result",
    ];
    const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];
    let (refused, language): (&[&str], &str) = if jsonata {
        (JSONPATH_ONLY, "JSONata")
    } else {
        (JSONATA_ONLY, "JSONPath")
    };
    for field in refused {
        if state.get(*field).is_some() {
            problems.push(format!("{at} is a {language} state and cannot use {field}"));
        }
    }
    let rules = state
        .get("Choices")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let catchers = state.get("Catch").and_then(Value::as_array).into_iter().flatten();
    let (in_rules, in_catchers) = if jsonata {
        ("Variable", "ResultPath")
    } else {
        ("Condition", "Output")
    };
    let parts = rules
        .map(|r| (r, in_rules))
        .chain(catchers.map(|c| (c, in_catchers)));
    for (part, forbidden) in parts {
        if part.get(forbidden).is_some() {
            problems.push(format!("{at} is a {language} state and cannot use {forbidden}"));
        }
    }
    if jsonata {
        for field in [
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "MaxConcurrency",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
        ] {
            if state.get(field).is_some_and(Value::is_string) {
                problems.push(format!(
                    "{at}: a JSONata expression in {field} is not supported by the local twin (write a number)"
                ));
            }
        }
        if kind == "Map" && state.get("ItemReader").is_some() {
            problems.push(format!(
                "{at}: a Distributed Map in JSONata is not supported by the local twin"
            ));
        }
        check_expressions(state, at, problems);
    } else if state.get("Seconds").is_some_and(Value::is_string) {
        problems.push(format!("{at}: Seconds must be a number in a JSONPath state"));
    }
}

/// Every `{% … %}` string in a JSONata state must be a valid expression.
fn check_expressions(v: &Value, at: &str, problems: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Some(expr) = crate::jsonata::expression(s) {
                if let Err(e) = crate::jsonata::parses(expr) {
                    problems.push(format!("{at}: the JSONata expression '{expr}' is invalid: {e}"));
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| check_expressions(v, at, problems)),
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "Branches" | "ItemProcessor" | "Iterator"))
            .for_each(|(_, v)| check_expressions(v, at, problems)),
        _ => {}
    }
}

const MAX_SECONDS: u64 = 99_999_999;

fn check_state_fields(kind: &str, state: &Value, at: &str, problems: &mut Vec<String>) {
    check_fields(state, &allowed_fields(kind), at, problems);
    let integer = |field: &str, min: u64, max: u64, problems: &mut Vec<String>| {
        if let Some(v) = state.get(field) {
            // A JSONata expression gives its number when the state runs.
            if v.as_str().and_then(crate::jsonata::expression).is_some() {
                return;
            }
            if !v.as_u64().is_some_and(|n| (min..=max).contains(&n)) {
                problems.push(format!(
                    "{at}: {field} must be an integer from {min} to {max}, not {v}"
                ));
            }
        }
    };
    integer("TimeoutSeconds", 1, MAX_SECONDS, problems);
    integer("Seconds", 0, MAX_SECONDS, problems);
    integer("MaxConcurrency", 0, u64::from(u32::MAX), problems);
    if state.get("MaxConcurrency").is_some() && state.get("MaxConcurrencyPath").is_some() {
        problems.push(format!("{at} has both MaxConcurrency and MaxConcurrencyPath"));
    }
    for (i, r) in state
        .get("Retry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let rat = format!("{at}, retrier {}", i + 1);
        check_fields(
            r,
            &[
                "ErrorEquals",
                "IntervalSeconds",
                "MaxAttempts",
                "BackoffRate",
                "MaxDelaySeconds",
                "JitterStrategy",
                "Comment",
            ],
            &rat,
            problems,
        );
        let int = |field: &str, min: u64, max: u64, problems: &mut Vec<String>| {
            if let Some(v) = r.get(field) {
                if !v.as_u64().is_some_and(|n| (min..=max).contains(&n)) {
                    problems.push(format!(
                        "{rat}: {field} must be an integer from {min} to {max}, not {v}"
                    ));
                }
            }
        };
        int("IntervalSeconds", 1, MAX_SECONDS, problems);
        int("MaxAttempts", 0, MAX_SECONDS, problems);
        int("MaxDelaySeconds", 1, 31_622_400, problems);
        if let Some(v) = r.get("BackoffRate") {
            if !v
                .as_f64()
                .is_some_and(|b| (1.0..=MAX_SECONDS as f64).contains(&b))
            {
                problems.push(format!(
                    "{rat}: BackoffRate must be a number of at least 1.0, not {v}"
                ));
            }
        }
        if let Some(v) = r.get("JitterStrategy") {
            if !matches!(v.as_str(), Some("FULL" | "NONE")) {
                problems.push(format!("{rat}: JitterStrategy must be FULL or NONE, not {v}"));
            }
        }
    }
    for (i, c) in state
        .get("Catch")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        check_fields(
            c,
            &["ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"],
            &format!("{at}, catcher {}", i + 1),
            problems,
        );
    }
    if kind == "Map" {
        crate::distributed::check_map_fields(state, at, problems);
    }
}

fn check_path(at: &str, field: &str, path: &str, problems: &mut Vec<String>) {
    if !paths::is_valid(path) {
        problems.push(format!("{at}: {field} '{path}' is not a valid JSONPath"));
    }
}

fn check_path_field(at: &str, field: &str, p: &PathField, reference_only: bool, problems: &mut Vec<String>) {
    if let PathField::Path(path) = p {
        if reference_only && paths::parse_reference(path).is_none() {
            problems.push(format!(
                "{at}: {field} '{path}' must be a reference path (no wildcards or filters)"
            ));
        } else {
            check_path(at, field, path, problems);
        }
    }
}

/// An `Assign`: an object of variables with valid names, its `.$` values valid paths or
/// intrinsic functions.
fn check_assign(at: &str, assign: &Option<Value>, problems: &mut Vec<String>) {
    let Some(assign) = assign else { return };
    let Some(map) = assign.as_object() else {
        problems.push(format!("{at}: Assign must be an object"));
        return;
    };
    for key in map.keys() {
        let name = key.strip_suffix(".$").unwrap_or(key);
        if !crate::variables::is_valid_name(name) {
            problems.push(format!(
                "{at}: '{name}' is not a valid variable name (letters, digits and _, not starting with a digit, not 'states')"
            ));
        }
    }
    check_template(at, "Assign", assign, problems);
}

fn check_template(at: &str, field: &str, v: &Value, problems: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k.ends_with(".$") {
                    match v.as_str() {
                        Some(s) if intrinsics::is_intrinsic(s) => {
                            if !intrinsics::parse_ok(s) {
                                problems
                                    .push(format!("{at}: {field} '{k}' has a malformed intrinsic function"));
                            }
                        }
                        Some(s) => check_path(at, &format!("{field} '{k}'"), s, problems),
                        None => problems.push(format!("{at}: {field} '{k}' must be a string path")),
                    }
                } else {
                    check_template(at, field, v, problems);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| check_template(at, field, v, problems)),
        _ => {}
    }
}

fn check_rule(at: &str, rule: &ChoiceRule, top: bool, problems: &mut Vec<String>) {
    if top && rule.next.is_none() {
        problems.push(format!("{at}: a choice rule has no Next"));
    }
    let nested: Vec<&ChoiceRule> = rule
        .and
        .iter()
        .chain(rule.or.iter())
        .flatten()
        .chain(rule.not.as_deref())
        .collect();
    if !nested.is_empty() {
        nested
            .into_iter()
            .for_each(|r| check_rule(at, r, false, problems));
        return;
    }
    if rule.condition.is_some() {
        // JSONata: the Condition is the whole test.
        return;
    }
    match &rule.variable {
        None => problems.push(format!("{at}: a choice rule has neither Variable nor And/Or/Not")),
        Some(v) => check_path(at, "Variable", v, problems),
    }
    match rule.comparison.keys().next() {
        Some(op) if choice::is_operator(op) => {}
        Some(op) => problems.push(format!("{at}: unknown comparison operator '{op}'")),
        None => problems.push(format!("{at}: a choice rule has no comparison")),
    }
}

pub(crate) fn validate(sm: &StateMachine, prefix: &str, problems: &mut Vec<String>) {
    if !sm.states.contains_key(&sm.start_at) {
        problems.push(format!("{prefix}StartAt '{}' is not a state", sm.start_at));
    }
    for (name, state) in &sm.states {
        let at = format!("{prefix}state '{name}'");
        for target in state.targets() {
            if !sm.states.contains_key(target) {
                problems.push(format!("{at} goes to '{target}', which does not exist"));
            }
        }
        if let Some(t) = state.transition() {
            match (&t.next, t.end) {
                (None, None | Some(false)) => problems.push(format!("{at} has neither Next nor End")),
                (Some(_), Some(true)) => problems.push(format!("{at} has both Next and End")),
                _ => {}
            }
        }
        let io = match state {
            State::Task(s) => Some(&s.io),
            State::Pass(s) => Some(&s.io),
            State::Choice(s) => Some(&s.io),
            State::Wait(s) => Some(&s.io),
            State::Succeed(s) => Some(&s.io),
            State::Parallel(s) => Some(&s.io),
            State::Map(s) => Some(&s.io),
            State::Fail(_) => None,
        };
        if let Some(io) = io {
            check_path_field(&at, "InputPath", &io.input_path, false, problems);
            check_path_field(&at, "OutputPath", &io.output_path, false, problems);
            check_assign(&at, &io.assign, problems);
        }
        let handling = match state {
            State::Task(s) => Some(&s.handling),
            State::Parallel(s) => Some(&s.handling),
            State::Map(s) => Some(&s.handling),
            _ => None,
        };
        if let Some(h) = handling {
            check_path_field(&at, "ResultPath", &h.result_path, true, problems);
            if let Some(p) = &h.parameters {
                check_template(&at, "Parameters", p, problems);
            }
            if let Some(p) = &h.result_selector {
                check_template(&at, "ResultSelector", p, problems);
            }
            for c in &h.catch {
                check_path_field(&at, "Catch ResultPath", &c.result_path, true, problems);
                check_assign(&at, &c.assign, problems);
            }
        }
        match state {
            State::Pass(p) => {
                check_path_field(&at, "ResultPath", &p.result_path, true, problems);
                if let Some(t) = &p.parameters {
                    check_template(&at, "Parameters", t, problems);
                }
            }
            State::Choice(c) => {
                if c.choices.is_empty() {
                    problems.push(format!("{at} has no Choices"));
                }
                c.choices.iter().for_each(|r| check_rule(&at, r, true, problems));
                c.choices
                    .iter()
                    .for_each(|r| check_assign(&at, &r.assign, problems));
            }
            State::Wait(w) => {
                let given = [
                    w.seconds.is_some(),
                    w.timestamp.is_some(),
                    w.seconds_path.is_some(),
                    w.timestamp_path.is_some(),
                ];
                if given.iter().filter(|g| **g).count() != 1 {
                    problems.push(format!(
                        "{at} needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath"
                    ));
                }
                for p in w.seconds_path.iter().chain(w.timestamp_path.iter()) {
                    check_path(&at, "wait path", p, problems);
                }
            }
            State::Fail(f) => {
                for p in f.error_path.iter().chain(f.cause_path.iter()) {
                    check_path(&at, "ErrorPath/CausePath", p, problems);
                }
            }
            State::Parallel(p) => {
                for (i, b) in p.branches.iter().enumerate() {
                    validate(b, &format!("{at}, branch {}: ", i + 1), problems);
                }
            }
            State::Map(m) => {
                if let Some(p) = &m.items_path {
                    check_path(&at, "ItemsPath", p, problems);
                }
                for p in [
                    &m.max_concurrency_path,
                    &m.tolerated_failure_count_path,
                    &m.tolerated_failure_percentage_path,
                ]
                .into_iter()
                .flatten()
                {
                    check_path(&at, "a Map path field", p, problems);
                }
                for t in [
                    m.item_reader.as_ref().and_then(|r| r.parameters.as_ref()),
                    m.result_writer.as_ref().and_then(|w| w.parameters.as_ref()),
                    m.item_batcher.as_ref().and_then(|b| b.batch_input.as_ref()),
                ]
                .into_iter()
                .flatten()
                {
                    check_template(&at, "Parameters/BatchInput", t, problems);
                }
                if let Some(t) = &m.item_selector {
                    check_template(&at, "ItemSelector", t, problems);
                }
                validate(&m.item_processor, &format!("{at}, item processor: "), problems);
            }
            _ => {}
        }
    }
    // Reachability from StartAt.
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([sm.start_at.as_str()]);
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(s) = sm.states.get(name) {
            queue.extend(s.targets());
        }
    }
    for name in sm.states.keys().filter(|n| !seen.contains(n.as_str())) {
        problems.push(format!(
            "{prefix}state '{name}' can never be reached from StartAt"
        ));
    }
}
