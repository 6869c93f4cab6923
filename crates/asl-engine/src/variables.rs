//! Workflow variables (`Assign`, `$name` in JSONPath fields), as the Step Functions
//! developer guide describes them ("Passing data between states with variables") and as
//! recorded on AWS: a state's `Assign` is evaluated against its result (for Pass, its
//! `Result` or `Parameters`; for Task, Parallel and Map, the result after ResultSelector; for
//! Choice and Wait, the effective input; in a Catch, the error output) and the variables as
//! they were when the state began; the new values are seen from the next state on. A
//! Parallel branch or a Map iteration reads the variables of the scopes around it and keeps
//! its own; it may not assign one of theirs.

use std::sync::Mutex;

use serde_json::{Map, Value};

use crate::error::StatesError;

/// Where the variables ride in a state's context object, beside `$$`'s own fields (a key
/// no context field can have; `$$` never shows it).
pub(crate) const CONTEXT_KEY: &str = "\u{0}variables";

/// The largest value one `Assign` may store, all its variables together (AWS quota).
pub const MAX_ASSIGN_BYTES: usize = 256 * 1024;
/// The most an execution's variables may hold at once, per scope here (AWS quota: 10 MiB).
pub const MAX_TOTAL_BYTES: usize = 10 * 1024 * 1024;

/// The variables one scope sees: its outer scopes' (read only) and its own.
#[derive(Debug, Default)]
pub(crate) struct Vars {
    outer: Map<String, Value>,
    own: Mutex<Map<String, Value>>,
    /// Whether the states of this scope are JSONata unless they say otherwise.
    pub(crate) jsonata: bool,
}

impl Vars {
    fn own(&self) -> std::sync::MutexGuard<'_, Map<String, Value>> {
        match self.own.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Every variable in scope, the innermost value first.
    pub(crate) fn visible(&self) -> Map<String, Value> {
        let mut all = self.outer.clone();
        all.extend(self.own().clone());
        all
    }

    /// A scope whose outer variables are `visible` (a Distributed Map's child, from the
    /// Map's context).
    pub(crate) fn reading(visible: &Value, jsonata: bool) -> Vars {
        Vars {
            outer: visible.as_object().cloned().unwrap_or_default(),
            own: Mutex::default(),
            jsonata,
        }
    }

    /// The scope of a Parallel branch or a Map iteration of a state in the given language.
    pub(crate) fn inner(&self, jsonata: bool) -> Vars {
        Vars {
            outer: self.visible(),
            own: Mutex::default(),
            jsonata,
        }
    }

    /// Stores what one `Assign` evaluated to (names without their `.$`).
    pub(crate) fn assign(&self, values: &Map<String, Value>) -> Result<(), StatesError> {
        if let Some(name) = values.keys().find(|n| self.outer.contains_key(*n)) {
            return Err(StatesError::runtime(format!(
                "the variable '{name}' belongs to an outer scope: a Parallel branch or Map iteration may read it, not assign it"
            )));
        }
        let size = serde_json::to_vec(values).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > MAX_ASSIGN_BYTES {
            return Err(StatesError::data_limit(format!(
                "the variables assigned are {size} bytes together, over the {MAX_ASSIGN_BYTES}-byte limit of one Assign"
            )));
        }
        let mut own = self.own();
        let mut after = own.clone();
        after.extend(values.clone());
        let total = serde_json::to_vec(&after).map(|v| v.len()).unwrap_or(usize::MAX);
        if total > MAX_TOTAL_BYTES {
            return Err(StatesError::data_limit(format!(
                "the execution's variables would hold {total} bytes, over the {MAX_TOTAL_BYTES}-byte limit"
            )));
        }
        *own = after;
        Ok(())
    }
}

/// A variable's name as `Assign` may declare it: letters, digits and `_`, not starting with
/// a digit, and not the reserved `states`.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "states"
}

/// How the history shows what a state assigned: each value as its JSON text.
pub(crate) fn as_history(values: &Map<String, Value>) -> Value {
    Value::Object(
        values
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
            .collect(),
    )
}

/// The variable a `$name…` path starts with, and the rest as a path from `$`.
pub(crate) fn split_reference(path: &str) -> Option<(&str, String)> {
    let rest = path.strip_prefix('$')?;
    let first = rest.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    Some((&rest[..end], format!("${}", &rest[end..])))
}
