//! Notifications go to the terminal (stderr, one line) and are appended as JSON Lines to
//! one file per topic in the outbox folder: exactly what would be published (subject,
//! `MessageStructure`, the structured message, attributes), with the JSON body and the
//! e-mail text also unpacked for reading.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use passport_model::{Notifier, OutboundMessage, PortError};
use serde_json::json;

#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    quiet: bool,
    counter: AtomicU64,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>, quiet: bool) -> Self {
        Self {
            dir: dir.into(),
            quiet,
            counter: AtomicU64::new(0),
        }
    }

    pub fn topic_file(&self, topic: passport_model::Topic) -> PathBuf {
        self.dir.join(format!("{}.jsonl", topic.as_str()))
    }
}

impl Notifier for Outbox {
    async fn publish(&self, message: &OutboundMessage) -> Result<String, PortError> {
        let id = format!(
            "local-{}-{}",
            std::process::id(),
            self.counter.fetch_add(1, Ordering::SeqCst)
        );
        let line = json!({
            "messageId": id,
            "topic": message.topic,
            "subject": message.subject,
            "messageStructure": "json",
            "message": message.structured(),
            "attributes": message.attributes,
            "body": serde_json::from_str::<serde_json::Value>(&message.body).unwrap_or(json!(message.body)),
            "email": message.email,
        });
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.topic_file(message.topic))?;
            writeln!(f, "{line}")
        };
        write().map_err(|e| {
            PortError::transient(format!("outbox {}: {e}", self.dir.display())).with_source(e)
        })?;
        if !self.quiet {
            eprintln!("[{}] {}", message.topic.as_str(), message.subject);
        }
        Ok(id)
    }
}
