//! The real statemachine/photo_validation.asl.json, run by the local twin with the real
//! handlers: every branch of the workflow.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use std::time::Duration;

use asl_engine::{Engine, Execution, ExecutionStatus, StatesError, VirtualClock};
use passport_model::{CheckStatus, FaceAnalysis, FaceDetector, Outcome, PhotoRef, PortError};
use passport_photo::detect_queue::{self, QueueConfig, QueueStats};
use passport_photo::faces::LocalFaces;
use passport_photo::outbox::Outbox;
use passport_photo::store::FolderStore;
use passport_photo::twin::{self, Dependencies};
use serde_json::Value;

use system_tests::rekognition_fixture as fixture;

/// The test portrait written as `dir/name`.
fn portrait(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, system_tests::portrait_jpeg()).unwrap();
    path
}

struct Setup {
    _tmp: TempDir,
    dir: PathBuf,
    outbox: PathBuf,
    clock: VirtualClock,
    engine: Engine,
    deps: Arc<Dependencies>,
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn setup(faces: &str) -> Setup {
    setup_with(&fixture(faces))
}

fn setup_with(faces: &Path) -> Setup {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "twin-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let outbox = dir.join("outbox");
    let deps = Arc::new(Dependencies {
        store: FolderStore,
        faces: LocalFaces::recorded(faces).unwrap(),
        outbox: Outbox::new(&outbox, true),
        profile: passport_rules::icao(),
        analyze: analyze_image::AnalyzeConfig::default(),
        detect_calls: Default::default(),
        cached_faces: Default::default(),
        verdicts: Default::default(),
    });
    let clock = VirtualClock::default();
    let engine = twin::pipeline_engine(Arc::new(clock.clone()), deps.clone());
    Setup {
        _tmp: TempDir(dir.clone()),
        dir,
        outbox,
        clock,
        engine,
        deps,
    }
}

async fn run(s: &Setup, photo: &Path) -> Execution {
    let sm = twin::load_definition(twin::DEFINITION).unwrap();
    let (name, doc) = twin::photo_input(photo).unwrap();
    twin::validate(&s.engine, &sm, &name, &doc).await
}

fn entered(x: &Execution) -> Vec<String> {
    x.history
        .iter()
        .filter(|e| e.kind.ends_with("StateEntered"))
        .map(|e| {
            e.details["stateEnteredEventDetails"]["name"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

fn outbox_lines(s: &Setup, topic: &str) -> Vec<Value> {
    std::fs::read_to_string(s.outbox.join(format!("{topic}.jsonl")))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn assert_succeeded(x: &Execution) {
    assert_eq!(
        x.status,
        ExecutionStatus::Succeeded,
        "{:?} {:?}",
        x.error,
        x.cause
    );
}

fn verdict(x: &Execution) -> passport_model::Verdict {
    serde_json::from_value(x.output.as_ref().unwrap()["verdict"].clone()).unwrap()
}

fn detect_calls(s: &Setup) -> u64 {
    s.deps.detect_calls.load(Ordering::SeqCst)
}

/// Faces paid for once: the workflow keeps each version's analysis (KeepFaces) where
/// fetch-metadata finds it again, so the same version is never detected twice; a changed
/// file is a new version, and a damaged kept analysis only costs a detection.
#[tokio::test]
async fn a_versions_faces_are_detected_once_and_a_changed_file_again() {
    let s = setup("compliant");
    let photo = portrait(&s.dir, "jane doe.jpg");
    let first = run(&s, &photo).await;
    assert_succeeded(&first);
    assert_eq!(detect_calls(&s), 1);
    let kept = first.output.as_ref().unwrap()["metadata"]["facesKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        kept.starts_with(".passport-photo/analysis/v1/recorded-") && !kept.contains("jane"),
        "hidden, per detector, no name: {kept}"
    );

    let again = run(&s, &photo).await;
    assert_succeeded(&again);
    assert_eq!(detect_calls(&s), 1, "the same version is not detected again");
    let path = entered(&again);
    assert!(
        path.contains(&"UseKnownFaces".to_owned()) && !path.contains(&"DetectFaces".to_owned()),
        "{path:?}"
    );
    assert_eq!(verdict(&again), verdict(&first));

    std::fs::write(s.dir.join(&kept), b"{\"source\": ").unwrap();
    let damaged = run(&s, &photo).await;
    assert_succeeded(&damaged);
    assert_eq!(detect_calls(&s), 2, "a damaged analysis is detected again");
    let rewritten: Value = serde_json::from_slice(&std::fs::read(s.dir.join(&kept)).unwrap()).unwrap();
    assert!(rewritten["faces"].is_array(), "and kept again: {rewritten}");

    let mut bytes = std::fs::read(&photo).unwrap();
    bytes.extend_from_slice(b"\0\0");
    std::fs::write(&photo, bytes).unwrap();
    let changed = run(&s, &photo).await;
    assert_succeeded(&changed);
    assert_eq!(detect_calls(&s), 3, "a new version is detected");
    assert_ne!(
        changed.output.as_ref().unwrap()["metadata"]["facesKey"],
        kept.as_str()
    );
}

/// Keeping an analysis is a saving, never a condition: when the write fails the photo is
/// judged all the same.
#[tokio::test]
async fn a_failed_write_of_the_analysis_does_not_fail_the_photo() {
    let mut s = setup("compliant");
    s.engine.register(
        passport_photo::folder_s3::SDK_PUT_OBJECT,
        |_p: Value| async move { Err(StatesError::new("S3.S3Exception", "Access Denied")) },
    );
    let x = run(&s, &portrait(&s.dir, "jane doe.jpg")).await;
    assert_succeeded(&x);
    assert_eq!(verdict(&x).outcome, Outcome::Approved);
    let path = entered(&x);
    assert!(path.contains(&"KeepFaces".to_owned()) && path.contains(&"AnalyzeImage".to_owned()));
    assert!(
        x.output.as_ref().unwrap().get("error").is_none(),
        "the document is unchanged"
    );
}

/// Analyses are kept per detector: a recording's answer is never reused for another
/// recording or for the embedded analyzer.
#[test]
fn each_detector_keeps_its_own_analyses() {
    let compliant = twin::face_analyses_prefix(&LocalFaces::recorded(&fixture("compliant")).unwrap());
    let two = twin::face_analyses_prefix(&LocalFaces::recorded(&fixture("two_faces")).unwrap());
    assert_ne!(compliant, two);
    assert!(compliant.starts_with(".passport-photo/analysis/v1/"));
}

#[tokio::test]
async fn a_compliant_photo_is_approved_and_published() {
    let s = setup("compliant");
    let x = run(&s, &portrait(&s.dir, "jane doe.jpg")).await;
    assert_succeeded(&x);
    let v = verdict(&x);
    assert_eq!(
        v.outcome,
        Outcome::Approved,
        "{:#?}",
        v.failed().collect::<Vec<_>>()
    );
    assert_eq!(
        entered(&x),
        [
            "FetchMetadata",
            "IsAnalyzable",
            "DetectFaces",
            "ShouldKeepFaces",
            "KeepFaces",
            "AnalyzeImage",
            "EvaluateRules",
            "Notify"
        ]
    );
    let out = x.output.unwrap();
    for key in ["photo", "metadata", "faces", "image", "verdict", "notification"] {
        assert!(out.get(key).is_some(), "the document lacks {key}");
    }
    let msgs = outbox_lines(&s, "approved");
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["subject"], "Passport photo approved: jane doe.jpg");
    assert_eq!(msgs[0]["attributes"]["outcome"], "APPROVED");
}

#[tokio::test]
async fn an_unsupported_file_is_rejected_without_any_face_detection() {
    let s = setup("compliant");
    let path = s.dir.join("scan.jpg");
    std::fs::write(&path, b"GIF89a\x01\x00\x01\x00 not really a photo").unwrap();
    let x = run(&s, &path).await;
    let v = verdict(&x);
    assert_eq!(v.outcome, Outcome::Rejected);
    assert_eq!(v.checks[0].id, "file.format");
    assert_eq!(
        entered(&x),
        ["FetchMetadata", "IsAnalyzable", "EvaluateRules", "Notify"]
    );
    let scheduled: Vec<&str> = x
        .history
        .iter()
        .filter(|e| e.kind == "LambdaFunctionScheduled")
        .map(|e| {
            e.details["lambdaFunctionScheduledEventDetails"]["resource"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        scheduled.iter().all(|r| !r.ends_with("detect-faces")),
        "{scheduled:?}"
    );
    assert_eq!(outbox_lines(&s, "rejected").len(), 1);
}

#[tokio::test]
async fn sunglasses_are_rejected_on_the_faces() {
    let s = setup("sunglasses");
    let x = run(&s, &portrait(&s.dir, "sun.jpg")).await;
    let v = verdict(&x);
    assert_eq!(v.outcome, Outcome::Rejected);
    assert_eq!(v.checks[0].id, "face.sunglasses");
    assert_eq!(v.checks[0].status, CheckStatus::Fail);
    let msg = &outbox_lines(&s, "rejected")[0];
    assert_eq!(msg["body"]["failedChecks"][0]["id"], "face.sunglasses");
    // The outbox holds what SNS would get: the structure, its JSON body for programs and
    // the applicant's words for e-mail.
    assert_eq!(msg["messageStructure"], "json");
    let structure: serde_json::Value = serde_json::from_str(msg["message"].as_str().unwrap()).unwrap();
    let default: serde_json::Value = serde_json::from_str(structure["default"].as_str().unwrap()).unwrap();
    assert_eq!(default, msg["body"]);
    let email = structure["email"].as_str().unwrap();
    assert!(email.contains("sun.jpg was rejected"), "{email}");
    assert!(email.contains(&v.checks[0].message), "{email}");
}

/// Recorded faces, after `throttled` throttling answers; `crashes` makes every call panic
/// (a consumer that dies on this photo).
struct BusyRekognition {
    faces: LocalFaces,
    throttled: u32,
    crashes: bool,
    calls: AtomicU32,
}

impl BusyRekognition {
    fn new(throttled: u32, crashes: bool) -> Arc<Self> {
        Arc::new(Self {
            faces: LocalFaces::recorded(&fixture("compliant")).unwrap(),
            throttled,
            crashes,
            calls: AtomicU32::new(0),
        })
    }
}

impl FaceDetector for BusyRekognition {
    async fn detect_faces(&self, photo: &PhotoRef) -> Result<FaceAnalysis, PortError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        assert!(!self.crashes, "the consumer crashes on this photo");
        if n < self.throttled {
            return Err(PortError::transient("ProvisionedThroughputExceededException"));
        }
        self.faces.detect_faces(photo).await
    }
}

fn with_queue(s: &mut Setup, detector: Arc<BusyRekognition>) -> Arc<QueueStats> {
    detect_queue::register(
        &mut s.engine,
        Arc::new(s.clock.clone()),
        detector,
        QueueConfig::default(),
    )
}

#[tokio::test]
async fn a_throttled_detection_waits_in_the_queue_and_is_redelivered_then_succeeds() {
    let mut s = setup("compliant");
    let detector = BusyRekognition::new(2, false);
    let stats = with_queue(&mut s, detector.clone());
    let x = run(&s, &portrait(&s.dir, "burst.jpg")).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "{:?}", x.cause);
    assert_eq!(verdict(&x).outcome, Outcome::Approved);
    assert_eq!(detector.calls.load(Ordering::SeqCst), 3);
    assert_eq!(
        stats.sent.load(Ordering::SeqCst),
        1,
        "one message, received three times"
    );
    assert_eq!(stats.receives.load(Ordering::SeqCst), 3);
    // Redelivered after the queue's visibility timeout, not by the state's Retry.
    assert_eq!(s.clock.sleeps(), [Duration::from_secs(60); 2]);
    assert!(x.history.iter().all(|e| e.kind != "TaskRetryScheduled"));
    let kinds: Vec<&str> = x.history.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"TaskScheduled") && kinds.contains(&"TaskSucceeded"),
        "{kinds:?}"
    );
    let scheduled = x.history.iter().find(|e| e.kind == "TaskScheduled").unwrap();
    let parameters: Value = serde_json::from_str(
        scheduled.details["taskScheduledEventDetails"]["parameters"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(parameters["QueueUrl"], twin::DETECT_FACES_QUEUE.1);
    assert!(parameters["MessageBody"]["taskToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn throttling_that_never_ends_fails_the_task_and_alerts_after_the_states_retries() {
    let mut s = setup("compliant");
    let detector = BusyRekognition::new(u32::MAX, false);
    let stats = with_queue(&mut s, detector.clone());
    let x = run(&s, &portrait(&s.dir, "deadline-day.jpg")).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("Transient"), "{:?}", x.cause);
    // Five receives per message, three messages (the first send and two Retry attempts).
    let give_up = detect_faces::queue::GIVE_UP_AFTER_RECEIVES;
    assert_eq!(stats.sent.load(Ordering::SeqCst), 3);
    assert_eq!(stats.receives.load(Ordering::SeqCst), 3 * give_up);
    assert!(
        stats.dead_letters.lock().unwrap().is_empty(),
        "answered before the dead-letter queue"
    );
    let alerts = outbox_lines(&s, "alerts");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["body"]["error"], "Transient");
    assert!(
        alerts[0]["body"]["cause"].as_str().unwrap().contains("receives"),
        "{}",
        alerts[0]["body"]
    );
}

#[tokio::test]
async fn a_poison_message_is_dead_lettered_and_its_execution_times_out_into_an_alert() {
    let mut s = setup("compliant");
    let stats = with_queue(&mut s, BusyRekognition::new(0, true));
    let x = run(&s, &portrait(&s.dir, "poison.jpg")).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("States.Timeout"), "{:?}", x.cause);
    let dead = stats.dead_letters.lock().unwrap();
    assert_eq!(dead.len(), 1, "the message went to the dead-letter queue");
    assert_eq!(dead[0]["photo"]["key"], "poison.jpg");
    assert_eq!(
        stats.receives.load(Ordering::SeqCst),
        QueueConfig::default().max_receives
    );
    let kinds: Vec<&str> = x.history.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.contains(&"TaskTimedOut"), "{kinds:?}");
    let alerts = outbox_lines(&s, "alerts");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["body"]["error"], "States.Timeout");
}

#[tokio::test]
async fn a_vanished_photo_is_reported_to_alerts_and_the_execution_fails() {
    let s = setup("compliant");
    let path = portrait(&s.dir, "gone.jpg");
    let sm = twin::load_definition(twin::DEFINITION).unwrap();
    let (name, doc) = twin::photo_input(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let x = twin::validate(&s.engine, &sm, &name, &doc).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("PhotoNotFound"));
    assert_eq!(entered(&x), ["FetchMetadata", "ReportFailure", "Failed"]);
    assert!(s.clock.sleeps().is_empty(), "PhotoNotFound is not retried");
    let alerts = outbox_lines(&s, "alerts");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["body"]["error"], "PhotoNotFound");
    assert_eq!(alerts[0]["attributes"]["outcome"], "FAILED");
    assert_eq!(x.history.last().unwrap().kind, "ExecutionFailed");
}

#[tokio::test]
async fn a_failing_report_does_not_hide_the_original_error() {
    let mut s = setup("compliant");
    s.engine
        .register(twin::function_arn("notify"), |_p: Value| async move {
            Err(StatesError::new(
                "InvalidInput",
                "the alerts topic is misconfigured",
            ))
        });
    s.engine
        .register(twin::function_arn("fetch-metadata"), |_p: Value| async move {
            Err(StatesError::new("Permanent", "AccessDenied"))
        });
    let x = run(&s, &portrait(&s.dir, "x.jpg")).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("Permanent"));
    assert_eq!(x.cause.as_deref(), Some("AccessDenied"));
}

/// A group photo: Rekognition returns up to 100 faces, each with every attribute and all 30
/// landmarks (about 3 KB), which would put 300 KB into every state's input and output:
/// over Step Functions' 256 KiB, a terminal error no Catch handles. The document keeps the
/// largest faces and what the rules read, so the photo gets its verdict.
#[tokio::test]
async fn a_group_photo_of_a_hundred_faces_stays_under_the_payload_limit_and_is_rejected() {
    let compliant: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("compliant")).unwrap()).unwrap();
    let template = compliant["FaceDetails"][0].clone();
    let mut faces = Vec::new();
    for i in 0..100 {
        let mut face = template.clone();
        let (row, col) = (f64::from(i / 10), f64::from(i % 10));
        face["BoundingBox"] = serde_json::json!({"Left": col * 0.1, "Top": row * 0.1, "Width": 0.08 + 0.0001 * f64::from(i), "Height": 0.09});
        // Every landmark type Rekognition returns, as with Attributes ALL.
        let landmarks: Vec<Value> = (0..30)
            .map(|k| serde_json::json!({"Type": LANDMARK_TYPES[k], "X": 0.123_456_789 + col * 0.1, "Y": 0.234_567_891 + row * 0.1}))
            .collect();
        face["Landmarks"] = Value::Array(landmarks);
        // The rest of an ALL response, which the adapter drops (never used for decisions).
        face["Emotions"] = serde_json::json!([
            "CALM",
            "HAPPY",
            "SAD",
            "ANGRY",
            "CONFUSED",
            "DISGUSTED",
            "SURPRISED",
            "FEAR"
        ]
        .iter()
        .map(|t| serde_json::json!({"Type": t, "Confidence": 12.345_678_901_234_567}))
        .collect::<Vec<_>>());
        face["Gender"] = serde_json::json!({"Value": "Female", "Confidence": 99.123_456_789_012_34});
        face["Beard"] = serde_json::json!({"Value": false, "Confidence": 97.123_456_789_012_34});
        face["Mustache"] = serde_json::json!({"Value": false, "Confidence": 98.123_456_789_012_34});
        faces.push(face);
    }
    let response = serde_json::json!({"FaceDetails": faces});
    assert!(
        response.to_string().len() > 256 * 1024,
        "the recorded response must exceed the limit by itself"
    );
    let tmp = std::env::temp_dir().join(format!("group-{}.json", std::process::id()));
    std::fs::write(&tmp, response.to_string()).unwrap();
    let s = setup_with(&tmp);
    let photo = portrait(&s.dir, "class.jpg");
    let x = run(&s, &photo).await;
    let _ = std::fs::remove_file(&tmp);
    assert_succeeded(&x);
    let v = verdict(&x);
    assert_eq!(v.outcome, Outcome::Rejected);
    let count = v.checks.iter().find(|c| c.id == "face.count").unwrap();
    assert_eq!(count.status, CheckStatus::Fail);
    assert_eq!(count.measured["notListed"], 90, "{count:?}");
    let biggest_state_output = x
        .history
        .iter()
        .filter_map(|e| e.details.get("stateExitedEventDetails"))
        .filter_map(|d| d["output"].as_str())
        .map(str::len)
        .max()
        .unwrap();
    assert!(biggest_state_output < 64 * 1024, "{biggest_state_output} bytes");
    assert_eq!(outbox_lines(&s, "rejected").len(), 1);
}

const LANDMARK_TYPES: [&str; 30] = [
    "eyeLeft",
    "eyeRight",
    "nose",
    "mouthLeft",
    "mouthRight",
    "leftEyeBrowLeft",
    "leftEyeBrowRight",
    "leftEyeBrowUp",
    "rightEyeBrowLeft",
    "rightEyeBrowRight",
    "rightEyeBrowUp",
    "leftEyeLeft",
    "leftEyeRight",
    "leftEyeUp",
    "leftEyeDown",
    "rightEyeLeft",
    "rightEyeRight",
    "rightEyeUp",
    "rightEyeDown",
    "noseLeft",
    "noseRight",
    "mouthUp",
    "mouthDown",
    "leftPupil",
    "rightPupil",
    "upperJawlineLeft",
    "midJawlineLeft",
    "chinBottom",
    "midJawlineRight",
    "upperJawlineRight",
];

/// statemachine/revalidate.asl.json over the test folder as the bucket: the photos under
/// `photos/`, judged by `profile`, results kept under a hidden prefix.
async fn revalidate(s: &Setup, profile: &str, notify: &str) -> Execution {
    let sm = twin::load_revalidation(&s.dir).unwrap();
    let input = serde_json::json!({"prefix": "photos/", "profile": profile, "notify": notify,
                                   "maxConcurrency": 4});
    s.engine.execute(&sm, "revalidate", input).await
}

fn photos_folder(s: &Setup) -> PathBuf {
    let dir = s.dir.join("photos");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["a.jpg", "b.jpg", "nested/c.jpg"] {
        std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
        portrait(&dir, name);
    }
    let jpeg = system_tests::portrait_jpeg();
    std::fs::write(dir.join("damaged.jpg"), &jpeg[..jpeg.len() / 2]).unwrap();
    std::fs::write(dir.join("notes.jpg"), b"not a photo").unwrap();
    dir
}

#[tokio::test]
async fn the_revalidation_workflow_judges_every_photo_under_the_prefix_by_the_runs_rules() {
    let s = setup("compliant");
    photos_folder(&s);
    let x = revalidate(&s, "icao", "summary").await;
    assert_succeeded(&x);
    let summary = passport_photo::revalidate::from_output(x.output.as_ref().unwrap(), 0, 0).unwrap();
    assert_eq!(
        (summary.items, summary.approved, summary.rejected, summary.failed),
        (5, 3, 2, 0)
    );
    assert!(summary
        .results_dir
        .starts_with(s.dir.join(".passport-photo/revalidation")));
    let top: Vec<&str> = summary
        .top_failed_checks
        .iter()
        .map(|f| f.check.as_str())
        .collect();
    assert!(
        top.contains(&"image.decodable") && top.contains(&"file.format"),
        "{top:?}"
    );
    assert!(
        outbox_lines(&s, "approved").is_empty(),
        "notify: summary publishes no per-photo message"
    );
    // One summary, to the rejected topic since photos were rejected and none failed.
    let sent = outbox_lines(&s, "rejected");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["body"]["kind"], "revalidationSummary");
    assert_eq!(sent[0]["body"]["summary"]["items"], 5);
    assert_eq!(sent[0]["body"]["summary"]["rejected"], 2);
    assert!(sent[0]["email"].as_str().unwrap().contains("Most failed checks"));

    // Another profile for the same photos: the run's rules, not the configured icao ones
    // (the us profile wants a square photo: the three portraits and the damaged one, whose
    // header still gives its size).
    let x = revalidate(&s, "us", "each").await;
    assert_succeeded(&x);
    let summary = passport_photo::revalidate::from_output(x.output.as_ref().unwrap(), 0, 0).unwrap();
    assert_eq!((summary.items, summary.approved, summary.rejected), (5, 0, 5));
    assert!(
        summary
            .top_failed_checks
            .iter()
            .any(|f| f.check == "image.aspect" && f.photos == 4),
        "{:?}",
        summary.top_failed_checks
    );
    assert_eq!(
        outbox_lines(&s, "rejected").len(),
        1 + 5 + 1,
        "the first run's summary, then every verdict of this one and its summary"
    );
}

#[tokio::test]
async fn photos_that_cannot_be_processed_beyond_the_tolerance_fail_the_run() {
    let mut s = setup("compliant");
    photos_folder(&s);
    // Every photo whose key holds "nested" vanishes before it is read: 1 of 5 is 20 %,
    // more than the 5 % the definition tolerates.
    s.engine
        .register(twin::function_arn("fetch-metadata"), |p: Value| async move {
            if p["photo"]["key"].as_str().unwrap_or_default().contains("nested") {
                return Err(StatesError::new("PhotoNotFound", "the photo was deleted"));
            }
            let metadata = fetch_metadata::handle(p, &FolderStore, &Default::default())
                .await
                .map_err(|e| StatesError::new("Permanent", e.to_string()))?;
            Ok(serde_json::to_value(metadata).unwrap())
        });
    let x = revalidate(&s, "icao", "summary").await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
    // The operators hear of it once, with where the results so far are; no summary.
    let alerts = outbox_lines(&s, "alerts");
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["body"]["kind"], "revalidationFailure");
    assert_eq!(
        alerts[0]["body"]["error"],
        "States.ExceedToleratedFailureThreshold"
    );
    assert!(alerts[0]["body"]["results"]
        .as_str()
        .unwrap()
        .ends_with("/.passport-photo/revalidation/"));
    assert!(outbox_lines(&s, "rejected").is_empty() && outbox_lines(&s, "approved").is_empty());
}
