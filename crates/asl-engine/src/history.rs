//! The execution's event history, with Step Functions' event types and detail fields.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub details: Value,
}

/// Shared by the branches of Parallel and Map, which append concurrently.
#[derive(Debug, Clone)]
pub struct History {
    events: Arc<Mutex<Vec<HistoryEvent>>>,
    /// Without details only the event types are kept (no timestamps, inputs or outputs):
    /// what a simulation of many executions needs, at a fraction of the time and memory.
    detailed: bool,
}

impl History {
    pub fn new(detailed: bool) -> Self {
        Self {
            events: Arc::default(),
            detailed,
        }
    }

    /// `details` is only built when the history keeps details.
    pub fn record(&self, at: OffsetDateTime, kind: &str, details: impl FnOnce() -> Value) -> u64 {
        let Ok(mut events) = self.events.lock() else {
            return 0;
        };
        let id = events.len() as u64 + 1;
        let (timestamp, details) = if self.detailed {
            (at.format(&Rfc3339).unwrap_or_default(), details())
        } else {
            (String::new(), Value::Null)
        };
        events.push(HistoryEvent {
            id,
            previous_event_id: id - 1,
            timestamp,
            kind: kind.to_owned(),
            details,
        });
        id
    }

    pub fn events(&self) -> Vec<HistoryEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// A state's entry; its event id (errors name it, as AWS's do).
    pub fn state_entered(&self, at: OffsetDateTime, kind: &str, name: &str, input: &Value) -> u64 {
        self.record(
            at,
            &format!("{kind}StateEntered"),
            || json!({"stateEnteredEventDetails": {"name": name, "input": input.to_string()}}),
        )
    }

    /// A state's exit, with the variables it assigned (each value as its JSON text, as
    /// AWS's `assignedVariables`).
    pub fn state_exited(
        &self,
        at: OffsetDateTime,
        kind: &str,
        name: &str,
        output: &Value,
        assigned: Option<&serde_json::Map<String, Value>>,
    ) {
        self.record(at, &format!("{kind}StateExited"), || {
            let mut details = json!({"name": name, "output": output.to_string()});
            if let Some(values) = assigned {
                details["assignedVariables"] = crate::variables::as_history(values);
                details["assignedVariablesDetails"] = json!({"truncated": false});
            }
            json!({"stateExitedEventDetails": details})
        });
    }
}
