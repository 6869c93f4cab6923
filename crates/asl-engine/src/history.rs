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
#[derive(Debug, Clone, Default)]
pub struct History {
    events: Arc<Mutex<Vec<HistoryEvent>>>,
}

impl History {
    pub fn record(&self, at: OffsetDateTime, kind: &str, details: Value) -> u64 {
        let Ok(mut events) = self.events.lock() else {
            return 0;
        };
        let id = events.len() as u64 + 1;
        events.push(HistoryEvent {
            id,
            previous_event_id: id - 1,
            timestamp: at.format(&Rfc3339).unwrap_or_default(),
            kind: kind.to_owned(),
            details,
        });
        id
    }

    pub fn events(&self) -> Vec<HistoryEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }

    pub fn state_entered(&self, at: OffsetDateTime, kind: &str, name: &str, input: &Value) {
        self.record(
            at,
            &format!("{kind}StateEntered"),
            json!({"stateEnteredEventDetails": {"name": name, "input": input.to_string()}}),
        );
    }

    pub fn state_exited(&self, at: OffsetDateTime, kind: &str, name: &str, output: &Value) {
        self.record(
            at,
            &format!("{kind}StateExited"),
            json!({"stateExitedEventDetails": {"name": name, "output": output.to_string()}}),
        );
    }
}
