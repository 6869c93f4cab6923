use serde::{Deserialize, Serialize};

/// The exact upload a workflow validates. `key` is already URL-decoded (once, by
/// start-validation); every later step uses it as is. `version_id` pins the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhotoRef {
    pub bucket: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequencer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
}

impl PhotoRef {
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            key: key.into(),
            version_id: None,
            e_tag: None,
            size: None,
            sequencer: None,
            event_time: None,
        }
    }

    /// `s3://bucket/key` (plus `?versionId=`), for log lines and messages.
    pub fn uri(&self) -> String {
        match &self.version_id {
            Some(v) => format!("s3://{}/{}?versionId={}", self.bucket, self.key, v),
            None => format!("s3://{}/{}", self.bucket, self.key),
        }
    }
}
