use passport_rules::{load_profile, CheckId, ConfigError, Severity};

#[test]
fn builtin_profiles_load_by_name_and_unknown_names_are_refused() {
    for name in ["icao", "us", "uk"] {
        assert_eq!(load_profile(name, None).unwrap().name, name);
    }
    assert_eq!(
        load_profile("fr", None).unwrap_err(),
        ConfigError::UnknownProfile("fr".into())
    );
}

#[test]
fn overrides_change_limits_and_severities() {
    let p = load_profile(
        "icao",
        Some(
            r#"{"extends":"uk","severity":{"face.eyeglasses":"FAIL","image.background":"OFF"},
                 "limits":{"headSize":{"min":0.66},"decisionConfidence":85}}"#,
        ),
    )
    .unwrap();
    assert_eq!(p.name, "uk+overrides");
    assert_eq!(p.severity(CheckId::FaceEyeglasses), Severity::Fail);
    assert_eq!(p.severity(CheckId::ImageBackground), Severity::Off);
    assert_eq!(p.limits.head_size.min, Some(0.66));
    assert_eq!(p.limits.head_size.max, Some(0.76), "the rest of the range stays");
    assert_eq!(p.limits.decision_confidence, 85.0);
}

#[test]
fn disabled_checks_are_reported_as_skipped() {
    let p = load_profile("icao", Some(r#"{"severity":{"face.eyeglasses":"OFF"}}"#)).unwrap();
    let doc = passport_model::ExecutionDocument::new(passport_model::PhotoRef::new("b", "k"));
    let v = passport_rules::evaluate(&doc, &p);
    let c = v.checks.iter().find(|c| c.id == "face.eyeglasses").unwrap();
    assert_eq!(c.status, passport_model::CheckStatus::Skipped);
    assert!(c.message.contains("disabled by configuration"));
}

#[test]
fn face_count_cannot_be_softened() {
    for severity in ["OFF", "WARN"] {
        let overrides = format!(r#"{{"severity":{{"face.count":"{severity}"}}}}"#);
        let err = load_profile("icao", Some(&overrides)).unwrap_err();
        assert!(err.to_string().contains("face.count"), "{err}");
    }
}

#[test]
fn limits_beyond_what_rekognition_and_the_analyser_take_are_refused() {
    for (overrides, names) in [
        (
            r#"{"limits":{"fileSizeBytes":{"max":16000000}}}"#,
            "fileSizeBytes",
        ),
        (r#"{"limits":{"fileSizeBytes":{"max":null}}}"#, "fileSizeBytes"),
        (r#"{"limits":{"widthPx":{"min":40}}}"#, "widthPx"),
        (r#"{"limits":{"heightPx":{"min":null}}}"#, "heightPx"),
        (
            r#"{"limits":{"widthPx":{"max":10000},"heightPx":{"max":10000}}}"#,
            "pixels",
        ),
        (r#"{"limits":{"formats":["jpeg","gif"]}}"#, "GIF"),
    ] {
        let err = load_profile("icao", Some(overrides)).unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidLimits(_)) && err.to_string().contains(names),
            "{overrides}: {err}"
        );
    }
    // At the limits exactly is fine.
    load_profile(
        "icao",
        Some(r#"{"limits":{"fileSizeBytes":{"max":15000000},"widthPx":{"min":80}}}"#),
    )
    .unwrap();
}

#[test]
fn a_photo_whose_face_was_never_examined_is_never_approved() {
    // A 16 MB JPEG is beyond Rekognition: not analyzable, no face examined. Even with every
    // file check passing, the verdict is REJECTED and face.count says why.
    let p = load_profile("icao", Some(r#"{"severity":{"file.size":"OFF"}}"#)).unwrap();
    let mut doc = passport_model::ExecutionDocument::new(passport_model::PhotoRef::new("b", "big.jpg"));
    doc.metadata = Some(passport_model::ImageMetadata {
        format: passport_model::ImageFormat::Jpeg,
        content_type: None,
        size_bytes: 16_000_000,
        width: Some(3000),
        height: Some(4000),
        color_channels: Some(3),
        bit_depth: Some(8),
        exif_orientation: None,
        analyzable: false,
        problems: vec![passport_model::MetadataProblem::TooLargeForAnalysis],
    });
    let v = passport_rules::evaluate(&doc, &p);
    assert_eq!(v.outcome, passport_model::Outcome::Rejected);
    let c = v.checks.iter().find(|c| c.id == "face.count").unwrap();
    assert_eq!(c.status, passport_model::CheckStatus::Fail);
    assert!(c.message.contains("could not be checked"), "{}", c.message);
}

#[test]
fn bad_overrides_are_errors_with_clear_messages() {
    let err = load_profile("icao", Some(r#"{"severity":{"face.bogus":"WARN"}}"#)).unwrap_err();
    assert_eq!(err, ConfigError::UnknownCheck("face.bogus".into()));
    let err = load_profile("icao", Some(r#"{"limits":{"headSise":{"min":0.5}}}"#))
        .unwrap_err()
        .to_string();
    assert!(err.contains("headSise"), "{err}");
    let err = load_profile("icao", Some(r#"{"limits":{"headSize":{"min":0.9,"max":0.5}}}"#))
        .unwrap_err()
        .to_string();
    assert!(err.contains("headSize") && err.contains("above"), "{err}");
    let err = load_profile("icao", Some(r#"{"severity":{"face.count":"MAYBE"}}"#)).unwrap_err();
    assert!(matches!(err, ConfigError::Malformed(_)), "{err}");
    let err = load_profile("icao", Some(r#"{"limits":{"decisionConfidence":180}}"#))
        .unwrap_err()
        .to_string();
    assert!(err.contains("decisionConfidence"), "{err}");
    assert!(matches!(
        load_profile("icao", Some("not json")),
        Err(ConfigError::Malformed(_))
    ));
}
