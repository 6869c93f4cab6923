//! Metrics in CloudWatch's embedded metric format (EMF): one JSON object per stdout line,
//! from which CloudWatch Logs extracts the metrics (no PutMetricData call, no permission
//! beyond the logs the functions already write). Specification:
//! <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>
//!
//! Dimension values are check ids, profiles, outcomes, step and error names: never a key,
//! an execution name or anything else about a person.

use std::io::Write;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// The setting that names the namespace (the template gives each stack its own).
pub const NAMESPACE_ENV: &str = "METRICS_NAMESPACE";
pub const DEFAULT_NAMESPACE: &str = "PassportPhoto";

/// EMF allows at most 30 dimensions in a set and 100 metrics per directive.
const MAX_DIMENSIONS: usize = 30;
const MAX_METRICS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "Count",
            Self::Milliseconds => "Milliseconds",
        }
    }
}

/// Metrics that share one set of dimension values: one EMF document.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSet {
    pub dimensions: Vec<(&'static str, String)>,
    pub metrics: Vec<(&'static str, Unit, f64)>,
}

impl MetricSet {
    pub fn new(dimensions: &[(&'static str, &str)]) -> Self {
        Self {
            dimensions: dimensions.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            metrics: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, unit: Unit, value: f64) -> Self {
        self.metrics.push((name, unit, value));
        self
    }

    /// The EMF document: the dimension and metric values at the root, and the `_aws`
    /// directive naming them. Non-finite values (not valid JSON numbers) are left out.
    pub fn document(&self, namespace: &str, timestamp_ms: u64) -> Value {
        let mut root = Map::new();
        let dimension_names: Vec<&str> = self
            .dimensions
            .iter()
            .take(MAX_DIMENSIONS)
            .map(|(name, value)| {
                root.insert((*name).to_owned(), json!(value));
                *name
            })
            .collect();
        let mut definitions = Vec::new();
        for (name, unit, value) in self.metrics.iter().filter(|m| m.2.is_finite()).take(MAX_METRICS) {
            root.insert((*name).to_owned(), json!(value));
            definitions.push(json!({"Name": name, "Unit": unit.as_str()}));
        }
        root.insert(
            "_aws".to_owned(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [dimension_names],
                    "Metrics": definitions,
                }],
            }),
        );
        Value::Object(root)
    }
}

fn namespace() -> &'static str {
    static NAMESPACE: OnceLock<String> = OnceLock::new();
    NAMESPACE.get_or_init(|| {
        std::env::var(NAMESPACE_ENV)
            .ok()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned())
    })
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Writes each set as one line on stdout, where Lambda's log pipeline hands it to
/// CloudWatch Logs. Only the Lambda binaries call this (the local twin runs the same
/// handlers without it, so its stdout stays its own).
pub fn emit(sets: &[MetricSet]) {
    if sets.is_empty() {
        return;
    }
    let (namespace, timestamp) = (namespace(), now_ms());
    let mut out = std::io::stdout().lock();
    for set in sets.iter().filter(|s| !s.metrics.is_empty()) {
        // A failed write to stdout loses a metric, never the invocation's answer.
        let _ = writeln!(out, "{}", set.document(namespace, timestamp));
    }
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_follows_the_emf_specification() {
        let set = MetricSet::new(&[("Profile", "icao"), ("Outcome", "REJECTED")])
            .with("Photos", Unit::Count, 1.0)
            .with("Ignored", Unit::Count, f64::NAN);
        let doc = set.document("PassportPhoto/prod", 1_700_000_000_123);
        assert_eq!(doc["Profile"], "icao");
        assert_eq!(doc["Outcome"], "REJECTED");
        assert_eq!(doc["Photos"], 1.0);
        assert!(doc.get("Ignored").is_none(), "NaN is not a JSON number");
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_123u64);
        assert_eq!(directive["Namespace"], "PassportPhoto/prod");
        assert_eq!(directive["Dimensions"], json!([["Profile", "Outcome"]]));
        assert_eq!(directive["Metrics"], json!([{"Name": "Photos", "Unit": "Count"}]));
        // Every dimension and metric the directive names is a member of the root
        // (the specification's "target members").
        for name in directive["Dimensions"][0].as_array().unwrap() {
            assert!(doc[name.as_str().unwrap()].is_string());
        }
        for m in directive["Metrics"].as_array().unwrap() {
            assert!(doc[m["Name"].as_str().unwrap()].is_number());
        }
        // One line of JSON, as CloudWatch Logs requires of an EMF log event.
        assert!(!doc.to_string().contains('\n'));
    }
}
