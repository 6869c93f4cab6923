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

/// A message ready to publish: subject, JSON body and filterable attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundMessage {
    pub topic: Topic,
    pub subject: String,
    pub body: String,
    pub attributes: BTreeMap<String, String>,
}

/// What notify adds to the execution document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationReceipt {
    pub topic: Topic,
    pub message_id: String,
}
