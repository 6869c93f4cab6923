//! Conformance: the Map state in Distributed mode, as the Step Functions developer guide
//! describes it (ItemReader, ItemSelector, ItemBatcher, MaxConcurrency, tolerated failures,
//! ResultWriter's manifest and result files, the Map Run's history events). Sources, not a
//! mock: the listObjectsV2 item shape (Etag, Key, LastModified, Size, StorageClass) from the
//! "ItemReader (Map)" page, the manifest and SUCCEEDED/FAILED records from "ResultWriter
//! (Map)", States.ExceedToleratedFailureThreshold and the default of no tolerated failure
//! from "Setting failure thresholds for Distributed Map states", the batch input
//! `{"Items", "BatchInput"}` from "ItemBatcher (Map)". Not recorded on AWS: the order of
//! the result records (the twin sorts them by child name) and a Map's output without a
//! ResultWriter when failures were tolerated (AWS documents none; no test relies on it).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use asl_engine::{parse_definition, Engine, Execution, ExecutionStatus, StatesError, VirtualClock};
use serde_json::{json, Value};

type Bucket = Arc<Mutex<BTreeMap<String, String>>>;

/// An engine whose S3 is a map of keys: listObjectsV2 lists it (sorted, by prefix, with
/// the fields AWS gives each item), putObject writes into it; `check` fails the keys that
/// contain "bad".
fn engine(objects: &[&str]) -> (Engine, Bucket) {
    let bucket: Bucket = Arc::new(Mutex::new(
        objects
            .iter()
            .map(|k| ((*k).to_owned(), "x".to_owned()))
            .collect(),
    ));
    let mut e = Engine::new(Arc::new(VirtualClock::default()));
    let listed = bucket.clone();
    e.register(asl_engine::LIST_OBJECTS, move |req: Value| {
        let listed = listed.clone();
        async move {
            let prefix = req["Parameters"]["Prefix"].as_str().unwrap_or_default().to_owned();
            let items: Vec<Value> = listed
                .lock()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.starts_with(&prefix))
                .map(|(k, v)| json!({"Etag": "\"e\"", "Key": k, "LastModified": 1_700_000_000, "Size": v.len(), "StorageClass": "STANDARD"}))
                .collect();
            Ok(Value::Array(items))
        }
    });
    let written = bucket.clone();
    e.register(asl_engine::PUT_OBJECT, move |req: Value| {
        let written = written.clone();
        async move {
            let key = req["Key"].as_str().unwrap_or_default().to_owned();
            let body = req["Body"].as_str().unwrap_or_default().to_owned();
            written.lock().unwrap().insert(key, body);
            Ok(json!({}))
        }
    });
    e.register("check", |v: Value| async move {
        let key = v["key"].as_str().unwrap_or_default().to_owned();
        if key.contains("bad") {
            Err(StatesError::new("Rejected", format!("{key} is bad")))
        } else {
            Ok(json!({"key": key, "profile": v["profile"]}))
        }
    });
    (e, bucket)
}

fn definition(map: Value) -> Value {
    let mut state = json!({
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Check",
            "States": {"Check": {"Type": "Task", "Resource": "check", "End": true}}
        },
        "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                       "Parameters": {"Bucket": "photos", "Prefix.$": "$.prefix"}},
        "ItemSelector": {"key.$": "$$.Map.Item.Value.Key", "profile.$": "$.profile"},
        "End": true
    });
    for (k, v) in map.as_object().unwrap() {
        if v.is_null() {
            state.as_object_mut().unwrap().remove(k);
        } else {
            state[k] = v.clone();
        }
    }
    json!({"StartAt": "Revalidate", "States": {"Revalidate": state}})
}

async fn run(e: &Engine, def: Value, input: Value) -> Execution {
    let sm = parse_definition(&def.to_string()).unwrap_or_else(|err| panic!("{err}"));
    e.execute(&sm, "run", input).await
}

fn kinds(x: &Execution) -> Vec<&str> {
    x.history.iter().map(|e| e.kind.as_str()).collect()
}

fn json_of(bucket: &Bucket, key: &str) -> Value {
    serde_json::from_str(&bucket.lock().unwrap()[key]).unwrap()
}

#[tokio::test]
async fn items_listed_from_a_prefix_run_as_children_and_results_are_written_like_aws() {
    let (e, bucket) = engine(&["uploads/a.jpg", "uploads/b.jpg", "uploads/c.jpg", "other/d.jpg"]);
    let def = definition(json!({
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "photos", "Prefix": "results/"}}
    }));
    let x = run(&e, def, json!({"prefix": "uploads/", "profile": "uk"})).await;
    assert_eq!(
        x.status,
        ExecutionStatus::Succeeded,
        "{:?} {:?}",
        x.error,
        x.cause
    );
    let out = x.output.clone().unwrap();
    let arn = out["MapRunArn"].as_str().unwrap();
    assert!(arn.contains(":mapRun:Local/Revalidate:"), "{arn}");
    assert_eq!(out["ResultWriterDetails"]["Bucket"], "photos");
    let manifest_key = out["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert!(manifest_key.starts_with("results/") && manifest_key.ends_with("/manifest.json"));
    assert!(!manifest_key.contains("//"));

    let manifest = json_of(&bucket, manifest_key);
    assert_eq!(manifest["MapRunArn"], arn);
    assert_eq!(manifest["DestinationBucket"], "photos");
    assert_eq!(manifest["ResultFiles"]["FAILED"], json!([]));
    let succeeded = &manifest["ResultFiles"]["SUCCEEDED"][0];
    let records = json_of(&bucket, succeeded["Key"].as_str().unwrap());
    assert_eq!(
        succeeded["Size"],
        bucket.lock().unwrap()[succeeded["Key"].as_str().unwrap()].len()
    );
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 3, "only the prefix's objects");
    for r in records {
        assert_eq!(r["Status"], "SUCCEEDED");
        // Input and Output are JSON text, as in AWS's result files.
        let output: Value = serde_json::from_str(r["Output"].as_str().unwrap()).unwrap();
        let input: Value = serde_json::from_str(r["Input"].as_str().unwrap()).unwrap();
        assert_eq!(output["key"], input["key"]);
        assert_eq!(
            output["profile"], "uk",
            "ItemSelector reads the Map's input with $"
        );
        assert!(r["ExecutionArn"]
            .as_str()
            .unwrap()
            .contains(":execution:Local/Revalidate:"));
    }
    let k = kinds(&x);
    assert!(
        k.contains(&"MapRunStarted") && k.contains(&"MapRunSucceeded"),
        "{k:?}"
    );
}

#[tokio::test]
async fn failures_within_the_tolerance_are_written_to_the_failed_file() {
    let (e, bucket) = engine(&["u/1.jpg", "u/2-bad.jpg", "u/3.jpg", "u/4-bad.jpg", "u/5.jpg"]);
    let def = definition(json!({
        "ToleratedFailureCount": 2,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "photos", "Prefix": "r"}}
    }));
    let x = run(&e, def, json!({"prefix": "u/", "profile": "icao"})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "{:?}", x.cause);
    let manifest = json_of(
        &bucket,
        x.output.unwrap()["ResultWriterDetails"]["Key"].as_str().unwrap(),
    );
    let failed = json_of(
        &bucket,
        manifest["ResultFiles"]["FAILED"][0]["Key"].as_str().unwrap(),
    );
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert!(failed
        .iter()
        .all(|r| r["Status"] == "FAILED" && r["Error"] == "Rejected" && r.get("Output").is_none()));
    let succeeded = json_of(
        &bucket,
        manifest["ResultFiles"]["SUCCEEDED"][0]["Key"].as_str().unwrap(),
    );
    assert_eq!(succeeded.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn beyond_the_tolerance_the_map_run_fails_and_can_be_caught() {
    let (e, _) = engine(&["u/1.jpg", "u/2-bad.jpg", "u/3.jpg", "u/4-bad.jpg", "u/5.jpg"]);
    // 2 of 5 is 40 %, more than 30 %.
    let def = definition(json!({"ToleratedFailurePercentage": 30}));
    let x = run(&e, def.clone(), json!({"prefix": "u/", "profile": "icao"})).await;
    assert_eq!(x.status, ExecutionStatus::Failed);
    assert_eq!(x.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
    assert!(kinds(&x).contains(&"MapRunFailed"));
    // The default tolerance is none: one failure fails the run.
    let x = run(
        &e,
        definition(json!({})),
        json!({"prefix": "u/", "profile": "icao"}),
    )
    .await;
    assert_eq!(x.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
    // Like any state error, a Catch takes it.
    let mut caught = def;
    caught["States"]["Revalidate"]["Catch"] = json!([{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "Alert", "ResultPath": "$.error"}]);
    caught["States"]["Alert"] = json!({"Type": "Pass", "End": true});
    let x = run(&e, caught, json!({"prefix": "u/", "profile": "icao"})).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded);
    assert_eq!(
        x.output.unwrap()["error"]["Error"],
        "States.ExceedToleratedFailureThreshold"
    );
}

#[tokio::test]
async fn tolerance_paths_are_read_at_run_time_and_checked() {
    let (e, _) = engine(&["u/1.jpg", "u/2-bad.jpg"]);
    let def = definition(json!({"ToleratedFailurePercentagePath": "$.tolerate"}));
    let x = run(
        &e,
        def.clone(),
        json!({"prefix": "u/", "profile": "icao", "tolerate": 50}),
    )
    .await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "{:?}", x.cause);
    for bad in [json!(150), json!(-1), json!("10")] {
        let x = run(
            &e,
            def.clone(),
            json!({"prefix": "u/", "profile": "icao", "tolerate": bad}),
        )
        .await;
        assert_eq!(x.error.as_deref(), Some("States.Runtime"), "{bad}");
    }
    let def = definition(json!({"ToleratedFailureCountPath": "$.tolerate"}));
    for bad in [json!(-1), json!(1.5), json!(null)] {
        let x = run(
            &e,
            def.clone(),
            json!({"prefix": "u/", "profile": "icao", "tolerate": bad}),
        )
        .await;
        assert_eq!(x.error.as_deref(), Some("States.Runtime"), "{bad}");
    }
}

#[tokio::test]
async fn a_batcher_gives_each_child_its_items_and_the_batch_input() {
    let (mut e, _) = engine(&[]);
    e.register("batch", |v: Value| async move {
        Ok(json!({"n": v["Items"].as_array().map_or(0, Vec::len), "profile": v["BatchInput"]["profile"]}))
    });
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.keys",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "batch", "End": true}}},
        "ItemBatcher": {"MaxItemsPerBatch": 3, "BatchInput": {"profile.$": "$.profile"}},
        "End": true}}});
    let keys: Vec<String> = (0..7).map(|i| format!("k{i}")).collect();
    let x = run(&e, def, json!({"keys": keys, "profile": "us"})).await;
    assert_eq!(
        x.output.unwrap(),
        json!([{"n": 3, "profile": "us"}, {"n": 3, "profile": "us"}, {"n": 1, "profile": "us"}]),
        "without a ResultWriter the outputs come back in item order"
    );
}

#[tokio::test]
async fn max_concurrency_bounds_the_children_running_at_once() {
    let (mut e, _) = engine(&[]);
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (running.clone(), peak.clone());
    e.register("slow", move |v: Value| {
        let (r, p) = (r.clone(), p.clone());
        async move {
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            p.fetch_max(now, Ordering::SeqCst);
            for _ in 0..5 {
                tokio::task::yield_now().await;
            }
            r.fetch_sub(1, Ordering::SeqCst);
            Ok(v)
        }
    });
    let def = json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 2,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "slow", "End": true}}},
        "End": true}}});
    let x = run(&e, def, json!([1, 2, 3, 4, 5, 6])).await;
    assert_eq!(x.output.unwrap(), json!([1, 2, 3, 4, 5, 6]));
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

#[test]
fn distributed_fields_are_checked_when_the_definition_is_read() {
    let refused = |map: Value, says: &str| {
        let e = parse_definition(&definition(map).to_string())
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{e}");
    };
    refused(
        json!({"ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}),
        "only allowed in a Map whose ProcessorConfig Mode is DISTRIBUTED",
    );
    refused(
        json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}),
        "ExecutionType",
    );
    refused(json!({"ToleratedFailurePercentage": 150}), "from 0 to 100");
    refused(
        json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"}, "Parameters": {"Bucket": "b", "Key": "k"}}}),
        "InputType CSV is not supported by the local twin",
    );
    refused(
        json!({"ItemBatcher": {"BatchInput": {}}}),
        "needs MaxItemsPerBatch",
    );
    refused(
        json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "WriterConfig": {"OutputType": "JSONL"}}}),
        "WriterConfig",
    );
}
