//! What became of each upload, told only by what subscribers received: a verdict on the
//! approved or rejected topic, or an alert. An upload with neither is lost.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Verdict,
    Alert,
}

#[derive(Debug, Clone, Copy)]
struct Upload {
    arrived: Option<Instant>,
    verdict: Option<Instant>,
    alert: Option<Instant>,
}

/// Upload `i` is the object `uploads/photo-<i>.jpg`.
pub fn upload_key(i: usize) -> String {
    format!("uploads/photo-{i:06}.jpg")
}

fn upload_index(key: &str) -> Option<usize> {
    key.strip_prefix("uploads/photo-")?
        .strip_suffix(".jpg")?
        .parse()
        .ok()
}

pub struct Ledger {
    uploads: Mutex<Vec<Upload>>,
    /// Alerts by what raised them.
    alerts: Mutex<BTreeMap<String, u64>>,
    progress: Option<indicatif::ProgressBar>,
}

/// The tally of a finished run.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    pub succeeded: u64,
    pub failed: u64,
    pub lost: u64,
    /// From each upload to its verdict or alert, sorted.
    pub latencies: Vec<Duration>,
    /// From the first upload to the last verdict or alert.
    pub makespan: Duration,
    pub alerts: BTreeMap<String, u64>,
}

impl Ledger {
    pub fn new(uploads: usize, progress: Option<indicatif::ProgressBar>) -> Self {
        let blank = Upload {
            arrived: None,
            verdict: None,
            alert: None,
        };
        Self {
            uploads: Mutex::new(vec![blank; uploads]),
            alerts: Mutex::default(),
            progress,
        }
    }

    pub fn arrived(&self, i: usize) {
        if let Some(u) = self.uploads.lock().ok().as_mut().and_then(|u| u.get_mut(i)) {
            u.arrived = Some(Instant::now());
        }
    }

    /// A message reached subscribers about the photo under `key`; `cause` names what raised
    /// an alert.
    pub fn record(&self, key: &str, outcome: Outcome, cause: &str) {
        let Some(i) = upload_index(key) else {
            return;
        };
        if outcome == Outcome::Alert {
            if let Ok(mut alerts) = self.alerts.lock() {
                *alerts.entry(cause.to_owned()).or_default() += 1;
            }
        }
        let now = Instant::now();
        let Ok(mut uploads) = self.uploads.lock() else {
            return;
        };
        let Some(u) = uploads.get_mut(i) else {
            return;
        };
        let first = u.verdict.is_none() && u.alert.is_none();
        match outcome {
            Outcome::Verdict => u.verdict = u.verdict.or(Some(now)),
            Outcome::Alert => u.alert = u.alert.or(Some(now)),
        }
        if let (true, Some(bar)) = (first, &self.progress) {
            bar.inc(1);
        }
    }

    pub fn tally(&self) -> Tally {
        let uploads = self.uploads.lock().map(|u| u.clone()).unwrap_or_default();
        let mut tally = Tally {
            alerts: self.alerts.lock().map(|a| a.clone()).unwrap_or_default(),
            ..Tally::default()
        };
        let first = uploads.iter().filter_map(|u| u.arrived).min();
        let mut last = first;
        for u in &uploads {
            // A verdict counts even if an alert also went out (a late duplicate).
            let end = match (u.verdict, u.alert) {
                (Some(at), _) => {
                    tally.succeeded += 1;
                    at
                }
                (None, Some(at)) => {
                    tally.failed += 1;
                    at
                }
                (None, None) => {
                    tally.lost += 1;
                    continue;
                }
            };
            if let Some(arrived) = u.arrived {
                tally.latencies.push(end - arrived);
            }
            last = last.max(Some(end));
        }
        tally.latencies.sort();
        tally.makespan = match (first, last) {
            (Some(a), Some(b)) => b - a,
            _ => Duration::ZERO,
        };
        tally
    }
}
