//! Every Rekognition fixture through the adapter's conversion and the icao profile.

mod support;

use passport_model::CheckStatus::{self, *};
use passport_model::Outcome;
use passport_rules::{evaluate, icao, uk, us};
use support::*;

fn icao_verdict(name: &str) -> passport_model::Verdict {
    evaluate(&doc(fixture(name)), &icao())
}

#[test]
fn compliant_portrait_is_approved_with_every_check_evaluated() {
    let v = icao_verdict("compliant");
    assert_eq!(v.outcome, Outcome::Approved, "{:#?}", v.checks);
    assert!(
        v.checks.iter().all(|c| c.status == Pass),
        "{:#?}",
        v.checks.iter().filter(|c| c.status != Pass).collect::<Vec<_>>()
    );
    assert_eq!(v.checks.len(), 28);
}

/// (fixture, check that must fail, its status, other checks it may also trip) with every
/// other check unaffected. Rekognition reports sunglasses as eyeglasses too.
const SINGLE_PROBLEMS: &[(&str, &str, CheckStatus, &[&str])] = &[
    ("sunglasses", "face.sunglasses", Fail, &["face.eyeglasses"]),
    ("eyes_closed", "face.eyes_open", Fail, &[]),
    ("open_mouth", "face.mouth_closed", Fail, &[]),
    ("smile", "face.expression", Fail, &[]),
    ("yaw", "face.pose", Fail, &[]),
    ("pitch", "face.pose", Fail, &[]),
    ("occluded", "face.occlusion", Fail, &[]),
    ("off_centre", "face.centred", Fail, &[]),
    ("eyeglasses", "face.eyeglasses", Warn, &[]),
];

#[test]
fn each_single_problem_fixture_fails_exactly_its_check() {
    for &(name, id, expected, also) in SINGLE_PROBLEMS {
        let v = icao_verdict(name);
        assert_eq!(status(&v, id), expected, "{name}: {:#?}", check(&v, id));
        let others: Vec<_> = v
            .checks
            .iter()
            .filter(|c| c.id != id && c.status != Pass && !also.contains(&c.id.as_str()))
            .map(|c| (c.id.clone(), c.status))
            .collect();
        assert!(others.is_empty(), "{name}: unexpected {others:?}");
        let outcome = if expected == Fail {
            Outcome::Rejected
        } else {
            Outcome::Approved
        };
        assert_eq!(v.outcome, outcome, "{name}");
        assert_eq!(v.checks[0].id, id, "{name}: the problem comes first");
    }
}

#[test]
fn roll_fixture_fails_pose_with_a_message_in_degrees() {
    let v = icao_verdict("roll");
    let c = check(&v, "face.pose");
    assert_eq!(c.status, Fail);
    assert!(c.message.contains("tilted 12° to the side"), "{}", c.message);
}

#[test]
fn two_faces_fail_the_count_and_no_face_skips_the_rest() {
    let v = icao_verdict("two_faces");
    assert_eq!(status(&v, "face.count"), Fail);
    assert!(check(&v, "face.count").message.starts_with("2 faces"));

    let v = icao_verdict("no_face");
    assert_eq!(v.outcome, Outcome::Rejected);
    assert_eq!(failed_ids(&v), vec!["face.count"]);
    for c in v
        .checks
        .iter()
        .filter(|c| c.id.starts_with("face.") && c.id != "face.count")
    {
        assert_eq!(c.status, Skipped, "{}", c.id);
        assert!(c.message.contains("no face was found"), "{}", c.message);
    }
}

#[test]
fn a_tiny_background_face_is_ignored_but_reported() {
    let v = icao_verdict("background_face");
    let c = check(&v, "face.count");
    assert_eq!(c.status, Pass);
    assert_eq!(c.measured["ignoredSmallFaces"], 1);
    assert!(c.message.contains("ignored"));
}

#[test]
fn face_size_fixtures_fail_head_size_and_resolution() {
    let v = icao_verdict("face_too_small");
    assert_eq!(status(&v, "face.head_size"), Fail);
    assert_eq!(status(&v, "face.inter_eye"), Fail);
    assert!(check(&v, "face.head_size").message.contains("Move closer"));
    let v = icao_verdict("face_too_large");
    assert_eq!(status(&v, "face.head_size"), Fail);
    assert!(check(&v, "face.head_size").message.contains("further"));
    assert_eq!(
        status(&v, "face.in_frame"),
        Fail,
        "the crown estimate leaves the frame"
    );
}

#[test]
fn cut_off_face_fails_in_frame_naming_the_edge() {
    let v = icao_verdict("cut_off");
    let c = check(&v, "face.in_frame");
    assert_eq!(c.status, Fail);
    assert!(c.message.contains("left"), "{}", c.message);
}

#[test]
fn low_confidence_attributes_warn_instead_of_deciding() {
    let v = icao_verdict("low_confidence");
    assert_eq!(status(&v, "face.eyes_open"), Warn);
    assert_eq!(status(&v, "face.mouth_closed"), Warn);
    assert_eq!(v.outcome, Outcome::Approved);
}

#[test]
fn infant_exemptions_follow_the_profile() {
    // icao: no exemption.
    let v = icao_verdict("infant");
    assert_eq!(status(&v, "face.eyes_open"), Fail);
    // uk: under one, eyes may be closed; under six, expression is not judged.
    let v = evaluate(&doc(fixture("infant")), &uk());
    assert_eq!(status(&v, "face.eyes_open"), Pass);
    assert!(check(&v, "face.eyes_open").message.contains("child under 1"));
    assert_eq!(status(&v, "face.expression"), Pass);
    assert_eq!(
        status(&v, "face.mouth_closed"),
        Fail,
        "an open mouth is not exempt"
    );
    // us: infants' eyes exempt, smile allowed.
    let v = evaluate(&doc(fixture("infant")), &us());
    assert_eq!(status(&v, "face.eyes_open"), Pass);
}

#[test]
fn us_allows_a_smile_but_not_an_open_mouth_and_fails_glasses() {
    let us = us();
    let square = |name| doc_sized(fixture(name), 900, 900, 200_000);
    let v = evaluate(&square("smile"), &us);
    assert_eq!(status(&v, "face.expression"), Pass);
    let v = evaluate(&square("open_smile"), &us);
    assert_eq!(status(&v, "face.expression"), Pass);
    assert_eq!(status(&v, "face.mouth_closed"), Fail);
    let v = evaluate(&square("eyeglasses"), &us);
    assert_eq!(status(&v, "face.eyeglasses"), Fail);
}

#[test]
fn offline_analysis_marks_unseen_attributes_as_not_evaluated_offline() {
    let mut faces = fixture("compliant");
    faces.source = passport_model::FaceSource::Local;
    let f = &mut faces.faces[0];
    f.eyes_open = None;
    f.smile = None;
    let v = evaluate(&doc(faces), &icao());
    let c = check(&v, "face.eyes_open");
    assert_eq!(c.status, Skipped);
    assert!(c.message.starts_with("Not evaluated offline"), "{}", c.message);
    assert_eq!(v.analyzer, Some(passport_model::FaceSource::Local));
}

/// The verdict says where the rules saw the face, so a front end can draw the overlay: the
/// box, the eyes, and a crown above the eyes above the chin, with the head-size check's
/// number equal to the chin-to-crown span.
#[test]
fn the_verdict_carries_the_geometry_the_rules_measured() {
    let v = icao_verdict("face_too_large");
    let g = v.geometry.expect("a face was found");
    let (left, right) = (g.eye_left.unwrap(), g.eye_right.unwrap());
    let (crown, chin) = (g.crown_y.unwrap(), g.chin_y.unwrap());
    assert!(crown < left.y.min(right.y) && left.y.max(right.y) < chin, "{g:?}");
    assert!(
        g.face_box.left < left.x.min(right.x) && left.x.max(right.x) < g.face_box.left + g.face_box.width
    );
    let head_size = v.checks.iter().find(|c| c.id == "face.head_size").unwrap();
    let measured = head_size.measured.as_f64().unwrap();
    assert!(
        (measured - (chin - crown)).abs() < 0.01,
        "{measured} vs {}",
        chin - crown
    );
    assert!(icao_verdict("no_face").geometry.is_none());
}
