use super::*;
use passport_model::{CheckStatus, Outcome};

fn input() -> Value {
    let path = format!("{}/../../events/evaluate-rules.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_sample_document_is_judged_per_profile() {
    // A 900×900 photo: square, so the us profile's shape; the head is 75 % of the height.
    let us = handle(input(), &profile_from(Some("us"), None).unwrap()).unwrap();
    assert_eq!(us.outcome, Outcome::Rejected);
    assert_eq!(us.checks[0].id, "face.head_size");
    let icao = handle(input(), &profile_from(None, None).unwrap()).unwrap();
    assert_eq!(icao.profile, "icao");
    assert!(icao
        .checks
        .iter()
        .any(|c| c.id == "image.aspect" && c.status == CheckStatus::Fail));
}

#[test]
fn an_unanalyzable_file_is_rejected_with_face_checks_skipped() {
    let doc = serde_json::json!({
        "photo": {"bucket": "b", "key": "uploads/x.gif"},
        "metadata": {"format": "gif", "sizeBytes": 1000, "analyzable": false, "problems": ["unsupportedFormat"]}
    });
    let v = handle(doc, &profile_from(None, None).unwrap()).unwrap();
    assert_eq!(v.outcome, Outcome::Rejected);
    assert!(v
        .checks
        .iter()
        .any(|c| c.id == "file.format" && c.status == CheckStatus::Fail));
    assert!(v
        .checks
        .iter()
        .filter(|c| c.id.starts_with("face.") && c.id != "face.count")
        .all(|c| c.status == CheckStatus::Skipped));
    // The face was never examined: face.count says so, and the photo cannot pass.
    let count = v.checks.iter().find(|c| c.id == "face.count").unwrap();
    assert_eq!(count.status, CheckStatus::Fail);
    assert!(
        count.message.contains("could not be checked"),
        "{}",
        count.message
    );
}

#[test]
fn malformed_documents_and_configurations_are_refused() {
    let err = handle(serde_json::json!({"nope": 1}), &profile_from(None, None).unwrap()).unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "InvalidInput");
    assert!(profile_from(Some("mars"), None).is_err());
    assert!(profile_from(Some("uk"), Some(r#"{"severity":{"nope":"WARN"}}"#)).is_err());
}

#[test]
fn a_verdict_counts_the_photo_by_outcome_and_each_failed_check() {
    let us = handle(input(), &profile_from(Some("us"), None).unwrap()).unwrap();
    let sets = verdict_metrics(&us);
    let docs: Vec<Value> = sets.iter().map(|s| s.document("PassportPhoto", 0)).collect();
    assert_eq!(docs[0]["Outcome"], "REJECTED");
    assert_eq!(docs[0]["Profile"], "us");
    assert_eq!(docs[0]["Photos"], 1.0);
    let failed: Vec<&str> = us.failed().map(|c| c.id.as_str()).collect();
    let counted: Vec<&str> = docs[1..].iter().map(|d| d["Check"].as_str().unwrap()).collect();
    assert_eq!(counted, failed);
    assert!(docs[1..]
        .iter()
        .all(|d| d["FailedChecks"] == 1.0 && d["Profile"] == "us"));
    // Nothing of the photo in any metric line.
    assert!(docs.iter().all(|d| !d.to_string().contains("uploads/")));
}

#[test]
fn a_document_may_name_its_rules_and_bad_rules_are_invalid_input() {
    let mut doc = input();
    doc["rules"] = serde_json::json!({"profile": "us"});
    let icao = profile_from(None, None).unwrap();
    let v = handle(doc.clone(), &icao).unwrap();
    assert_eq!(
        v.profile, "us",
        "the document's rules win over the configured ones"
    );
    doc["rules"] = serde_json::json!({"profile": "icao", "overrides": {"limits": {"headSize": {"min": 0.1, "max": 0.9}}}});
    let v = handle(doc.clone(), &icao).unwrap();
    assert!(
        v.checks
            .iter()
            .any(|c| c.id == "face.head_size" && c.limit.starts_with("10 %")),
        "{:?}",
        v.checks.iter().find(|c| c.id == "face.head_size")
    );
    doc["rules"] = serde_json::json!({"profile": "mars"});
    let e = handle(doc, &icao).unwrap_err();
    assert_eq!(lambda_support::diagnostic(e).error_type, "InvalidInput");
}
