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
