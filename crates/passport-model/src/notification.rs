use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The three outcome topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Approved,
    Rejected,
    Alerts,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Alerts => "alerts",
        }
    }
}

/// SNS's limit on one published message (256 KiB), the structured JSON included.
pub const SNS_MAX_MESSAGE_BYTES: usize = 262_144;

/// A message ready to publish: subject, a JSON body for programs, a plain-text version for
/// people reading e-mail, and filterable attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundMessage {
    pub topic: Topic,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub email: String,
    pub attributes: BTreeMap<String, String>,
}

impl OutboundMessage {
    /// The Publish `Message` under `MessageStructure: json`: e-mail and e-mail-json
    /// subscribers get the plain text, every other protocol (SQS, HTTPS, Lambda) the JSON
    /// body. A message without text sends the body to everyone.
    pub fn structured(&self) -> String {
        let mut structure = serde_json::Map::new();
        structure.insert("default".into(), self.body.clone().into());
        if !self.email.is_empty() {
            structure.insert("email".into(), self.email.clone().into());
        }
        serde_json::Value::Object(structure).to_string()
    }
}

/// What notify adds to the execution document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationReceipt {
    pub topic: Topic,
    pub message_id: String,
}

/// SNS subjects: ASCII, no line breaks, at most 100 characters.
pub fn subject(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .collect();
    if clean.len() <= 100 {
        clean
    } else {
        format!("{}...", &clean[..97])
    }
}

/// The Step Functions console page of an execution, from its ARN's region (none for the
/// local twin's executions, whose region is `local`).
pub fn console_url(execution_arn: &str) -> Option<String> {
    let region = execution_arn
        .split(':')
        .nth(3)
        .filter(|r| !r.is_empty() && *r != "local")?;
    Some(format!(
        "https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"
    ))
}

/// The execution's name (after the ARN's last colon): unique per photo version, the key a
/// consumer deduplicates SNS's at-least-once deliveries on.
pub fn execution_name(execution_arn: &str) -> &str {
    execution_arn.rsplit(':').next().unwrap_or_default()
}
