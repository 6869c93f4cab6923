//! `check --report FILE.html`: one self-contained page (images inline, no script, no
//! network) with each photo's annotated image, its verdict and its checks, failures first,
//! laid out for a phone as well as a desk.

use base64::Engine as _;
use passport_model::{CheckStatus, Outcome, Verdict};

/// One photo's part of the report.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file name, as the table output shows it.
    pub photo: String,
    pub result: EntryResult,
    /// The annotated image as JPEG, when the photo could be decoded.
    pub image_jpeg: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub enum EntryResult {
    Verdict(Verdict),
    /// The workflow failed: the error name and cause, as the alerts topic reports them.
    Failed {
        error: String,
        cause: String,
    },
}

impl Entry {
    /// Failed processing first, then rejected, then approved photos.
    fn rank(&self) -> u8 {
        match &self.result {
            EntryResult::Failed { .. } => 0,
            EntryResult::Verdict(v) if v.outcome == Outcome::Rejected => 1,
            EntryResult::Verdict(_) => 2,
        }
    }
}

fn check_rank(s: CheckStatus) -> u8 {
    match s {
        CheckStatus::Fail => 0,
        CheckStatus::Warn => 1,
        CheckStatus::Pass => 2,
        CheckStatus::Skipped => 3,
    }
}

/// Escapes text for HTML element content and quoted attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;padding:1rem;background:#f4f4f2;color:#1a1a1a;line-height:1.4}\
h1{font-size:1.4rem;margin:0 0 .25rem}\
.summary{margin:0 0 1rem;color:#444}\
section.photo{background:#fff;border-radius:8px;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
section.photo h2{font-size:1.1rem;margin:0 0 .5rem;word-break:break-all}\
.outcome{display:inline-block;padding:.1rem .5rem;border-radius:4px;color:#fff;font-size:.9rem;margin-left:.4rem}\
.APPROVED{background:#00a03c}.REJECTED{background:#dc1e1e}.FAILED{background:#555}\
.layout{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}\
.layout img{max-width:100%;width:480px;height:auto;border:1px solid #ddd}\
.checks{flex:1 1 320px;overflow-x:auto}\
table{border-collapse:collapse;width:100%;font-size:.9rem}\
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #eee;vertical-align:top}\
td.status{font-weight:600;white-space:nowrap}.id{font-family:ui-monospace,monospace;font-size:.8rem;color:#555}details{margin-top:.6rem}summary{cursor:pointer;color:#444}\
tr.FAIL td.status{color:#dc1e1e}tr.WARN td.status{color:#b06e00}tr.PASS td.status{color:#00803c}tr.SKIPPED{color:#777}\
.noimage{color:#555;font-style:italic}\
@media (max-width:600px){body{padding:.5rem}section.photo{padding:.6rem}th.limit,td.limit{display:none}}";

/// The whole page.
pub fn render(entries: &[Entry], profile: &str) -> String {
    let mut order: Vec<&Entry> = entries.iter().collect();
    order.sort_by_key(|e| e.rank());
    let count = |rank| entries.iter().filter(|e| e.rank() == rank).count();
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    html.push_str("<title>Passport photo check</title><style>");
    html.push_str(STYLE);
    html.push_str("</style></head><body>\n");
    html.push_str(&format!(
        "<h1>Passport photo check</h1><p class=\"summary\">Profile <b>{}</b>: {} photos, {} approved, {} rejected, {} not processed.</p>\n",
        esc(profile),
        entries.len(),
        count(2),
        count(1),
        count(0)
    ));
    for entry in order {
        html.push_str(&section(entry));
    }
    html.push_str("</body></html>\n");
    html
}

fn section(entry: &Entry) -> String {
    let (label, body) = match &entry.result {
        EntryResult::Failed { error, cause } => (
            "FAILED",
            format!(
                "<p class=\"failure\">The workflow could not finish: <b>{}</b> {}</p>",
                esc(error),
                esc(cause)
            ),
        ),
        EntryResult::Verdict(v) => (v.outcome.as_str(), checks_table(v)),
    };
    let image = match &entry.image_jpeg {
        Some(jpeg) => format!(
            "<img src=\"data:image/jpeg;base64,{}\" alt=\"{} with its measurements\">",
            base64::engine::general_purpose::STANDARD.encode(jpeg),
            esc(&entry.photo)
        ),
        None => "<p class=\"noimage\">No image: the file could not be decoded.</p>".to_owned(),
    };
    format!(
        "<section class=\"photo\" data-outcome=\"{label}\"><h2>{}<span class=\"outcome {label}\">{label}</span></h2><div class=\"layout\">{image}<div class=\"checks\">{body}</div></div></section>\n",
        esc(&entry.photo)
    )
}

/// The failed and warned checks in a table, the others folded below it.
fn checks_table(v: &Verdict) -> String {
    let mut checks: Vec<_> = v.checks.iter().collect();
    checks.sort_by_key(|c| check_rank(c.status));
    let (to_act, rest): (Vec<_>, Vec<_>) = checks
        .into_iter()
        .partition(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Warn));
    let mut out = format!("<p>Profile {}.</p>", esc(&v.profile));
    if to_act.is_empty() {
        out.push_str("<p>Every check passed.</p>");
    } else {
        out.push_str(&table(&to_act));
    }
    let passed = rest.iter().filter(|c| c.status == CheckStatus::Pass).count();
    out.push_str(&format!(
        "<details><summary>{passed} passed, {} not checked</summary>{}</details>",
        rest.len() - passed,
        table(&rest)
    ));
    out
}

fn table(checks: &[&passport_model::CheckResult]) -> String {
    let mut t = String::from(
        "<table><thead><tr><th>status</th><th>check</th><th>measured</th><th class=\"limit\">limit</th></tr></thead><tbody>",
    );
    for c in checks {
        let status = c.status.as_str();
        t.push_str(&format!(
            "<tr class=\"{status}\" data-check=\"{id}\"><td class=\"status\">{status}</td><td><div class=\"id\">{id}</div>{}</td><td>{}</td><td class=\"limit\">{}</td></tr>",
            esc(&c.message),
            esc(&crate::report::short(&c.measured)),
            esc(&c.limit),
            id = esc(&c.id),
        ));
    }
    t.push_str("</tbody></table>");
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use passport_model::CheckResult;

    fn verdict(outcome: Outcome, checks: &[(&str, CheckStatus)]) -> Verdict {
        Verdict {
            outcome,
            profile: "icao".into(),
            analyzer: None,
            checks: checks
                .iter()
                .map(|(id, status)| CheckResult {
                    id: (*id).to_owned(),
                    status: *status,
                    measured: serde_json::json!(0.5),
                    limit: "<1 & >0".into(),
                    message: format!("message of {id}"),
                })
                .collect(),
            geometry: None,
        }
    }

    #[test]
    fn failures_come_first_and_text_is_escaped() {
        let entries = vec![
            Entry {
                photo: "a<b>.jpg".into(),
                result: EntryResult::Verdict(verdict(
                    Outcome::Approved,
                    &[("face.count", CheckStatus::Pass)],
                )),
                image_jpeg: None,
            },
            Entry {
                photo: "broken.jpg".into(),
                result: EntryResult::Failed {
                    error: "Permanent".into(),
                    cause: "boom".into(),
                },
                image_jpeg: None,
            },
            Entry {
                photo: "rejected.jpg".into(),
                result: EntryResult::Verdict(verdict(
                    Outcome::Rejected,
                    &[
                        ("face.count", CheckStatus::Pass),
                        ("face.head_size", CheckStatus::Fail),
                    ],
                )),
                image_jpeg: None,
            },
        ];
        let html = render(&entries, "icao");
        let pos = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(pos("broken.jpg") < pos("rejected.jpg") && pos("rejected.jpg") < pos("a&lt;b&gt;.jpg"));
        assert!(pos("data-check=\"face.head_size\"") < pos("data-check=\"face.count\""));
        assert!(!html.contains("a<b>"), "file names are escaped");
        assert!(html.contains("&lt;1 &amp; &gt;0"));
        assert!(html.contains("3 photos, 1 approved, 1 rejected, 1 not processed"));
    }
}
