//! The contract between the state machine, the template and the crates: every task names a
//! deployed function with its crate and an invoke policy, every error name matched in
//! `Retry`/`Catch` is one the functions raise, every kind of upload starts a validation.

use std::collections::BTreeSet;

use serde_json::Value;
use serde_norway::Value as Yaml;

use system_tests::{root, template};

/// Each definition, and the template resource that deploys it.
const DEFINITIONS: &[(&str, &str)] = &[
    ("photo_validation.asl.json", "PhotoValidation"),
    ("revalidate.asl.json", "Revalidate"),
];

fn definition_text(file: &str) -> String {
    std::fs::read_to_string(root().join("statemachine").join(file)).unwrap()
}

fn definition(file: &str) -> Value {
    serde_json::from_str(&definition_text(file)).unwrap()
}

fn asl() -> Value {
    definition("photo_validation.asl.json")
}

/// Every Task state, with whether it runs in a Distributed Map's child execution (whose
/// failure is the item's, counted against the run's tolerance, so it has no Catch).
fn tasks(states: &Value, in_child: bool) -> Vec<(String, Value, bool)> {
    let mut out = Vec::new();
    for (name, state) in states.as_object().unwrap() {
        if state["Type"] == "Task" {
            out.push((name.clone(), state.clone(), in_child));
        }
        if let Some(inner) = state["ItemProcessor"]["States"].as_object() {
            out.extend(tasks(&Value::Object(inner.clone()), true));
        }
    }
    out
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("${")
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn resources(t: &Yaml) -> &serde_norway::Mapping {
    t["Resources"].as_mapping().unwrap()
}

/// `!GetAtt Name.Arn` parses as a tagged value; its resource is the part before the dot.
fn getatt_resource(v: &Yaml) -> Option<String> {
    match v {
        Yaml::Tagged(t) if t.tag == "GetAtt" => t
            .value
            .as_str()
            .and_then(|s| s.split('.').next())
            .map(str::to_owned),
        _ => None,
    }
}

#[test]
fn every_placeholder_has_a_substitution_and_every_substitution_is_used() {
    let t = template();
    for (file, resource) in DEFINITIONS {
        let used = placeholders(&definition_text(file));
        assert_eq!(
            t["Resources"][*resource]["Properties"]["DefinitionUri"],
            format!("statemachine/{file}")
        );
        let subs = t["Resources"][*resource]["Properties"]["DefinitionSubstitutions"]
            .as_mapping()
            .unwrap();
        let defined: BTreeSet<String> = subs.keys().map(|k| k.as_str().unwrap().to_owned()).collect();
        assert_eq!(used, defined, "{file}");
        assert!(!used.is_empty());
    }
}

#[test]
fn every_function_the_workflow_calls_exists_with_its_crate_and_an_invoke_policy() {
    let t = template();
    let res = resources(&t);
    for (_, resource) in DEFINITIONS {
        let sm = &t["Resources"][*resource]["Properties"];
        let invoke: BTreeSet<String> = sm["Policies"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|p| p.get("LambdaInvokePolicy"))
            .filter_map(|p| match &p["FunctionName"] {
                Yaml::Tagged(t) if t.tag == "Ref" => t.value.as_str().map(str::to_owned),
                _ => None,
            })
            .collect();
        for (_, target) in sm["DefinitionSubstitutions"].as_mapping().unwrap() {
            // The detect-faces queue and the bucket (`!Ref`): checked by their own tests.
            let Some(name) = getatt_resource(target) else {
                continue;
            };
            let function = res
                .get(name.as_str())
                .unwrap_or_else(|| panic!("{name} is not in the template"));
            assert_eq!(function["Type"], "AWS::Serverless::Function");
            let binary = function["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap();
            assert!(
                root().join("functions").join(binary).join("Cargo.toml").exists(),
                "no crate for {binary}"
            );
            assert!(invoke.contains(&name), "{resource} may not invoke {name}");
        }
    }
}

#[test]
fn every_function_crate_is_deployed() {
    let t = template();
    let binaries: BTreeSet<String> = resources(&t)
        .values()
        .filter_map(|r| {
            r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    let crates: BTreeSet<String> = std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(binaries, crates);
}

#[test]
fn every_task_retries_transient_errors_with_jitter_never_business_errors_and_is_caught() {
    for (file, _) in DEFINITIONS {
        let asl = definition(file);
        retries_and_catches(&asl);
        // The Fail state reports the original error, not the failure report's.
        let states = asl["States"].as_object().unwrap();
        assert_eq!(states["Failed"]["ErrorPath"], "$.error.Error", "{file}");
        let reporter = states
            .iter()
            .find(|(_, s)| s["Next"] == "Failed")
            .map(|(_, s)| s)
            .unwrap();
        assert_eq!(reporter["Catch"][0]["ResultPath"], "$.alertError", "{file}");
    }
    // The re-validation's Map is caught too: a run over its tolerance is reported.
    let rv = definition("revalidate.asl.json");
    let map_catch = &rv["States"]["Revalidate"]["Catch"][0];
    assert_eq!(map_catch["ErrorEquals"][0], "States.ALL");
    assert_eq!(map_catch["Next"], "ReportRunFailure");
}

fn retries_and_catches(asl: &Value) {
    let mut result_paths = BTreeSet::new();
    // The state that reports failures: the one whose success leads to the Fail state.
    let reporter = asl["States"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, s)| s["Next"] == "Failed")
        .map(|(n, _)| n.clone())
        .unwrap();
    for (name, state, in_child) in tasks(&asl["States"], false) {
        let name = name.as_str();
        if state["Resource"] == "arn:aws:states:::aws-sdk:s3:putObject" {
            // Keeping faces saves a later detection: its failure goes on to the next step,
            // with the document unchanged, and never fails the photo.
            let catch = &state["Catch"][0];
            assert_eq!(catch["ErrorEquals"][0], "States.ALL", "{name}");
            assert_eq!(catch["Next"], state["Next"], "{name}");
            assert!(
                catch["ResultPath"].is_null() && state["ResultPath"].is_null(),
                "{name}"
            );
            continue;
        }
        let retry = state["Retry"].as_array().unwrap();
        let first = &retry[0];
        for e in ["PhotoNotFound", "InvalidInput"] {
            assert!(
                first["ErrorEquals"].as_array().unwrap().iter().any(|v| v == e),
                "{name}"
            );
        }
        assert_eq!(first["MaxAttempts"], 0, "{name}: business errors are not retried");
        let transient = retry
            .iter()
            .find(|r| {
                r["ErrorEquals"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v == "Transient")
            })
            .unwrap();
        // What the integration itself raises when it fails to deliver. The Lambda names are
        // AWS's (Step Functions' Lambda error-handling guide); the SQS names follow what
        // LocalStack and moto raise and are NOT confirmed in AWS's documentation. For a
        // Lambda a stall or a death without an error type, and
        // a task over its TimeoutSeconds, surface as retries, not as unhandled failures.
        // The queue's wait is the backlog's: its timeout is final (and alerted).
        let integration_errors: &[&str] =
            if state["Resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken" {
                &["SQS.SdkClientException", "SQS.AmazonSQSException"]
            } else {
                &[
                    "Lambda.ServiceException",
                    "Lambda.AWSLambdaException",
                    "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException",
                    "Lambda.ClientExecutionTimeoutException",
                    "Lambda.Unknown",
                    "States.Timeout",
                ]
            };
        // Each is retried, by the Transient retrier or one of its own, with jitter and a cap.
        for e in integration_errors {
            let retrier = retry
                .iter()
                .find(|r| r["ErrorEquals"].as_array().unwrap().iter().any(|v| v == e))
                .unwrap_or_else(|| panic!("{name}: {e} is not retried"));
            assert!(retrier["MaxAttempts"].as_u64().unwrap_or(3) > 0, "{name}: {e}");
            assert_eq!(retrier["JitterStrategy"], "FULL", "{name}: {e}");
            assert!(retrier["MaxDelaySeconds"].as_u64().is_some(), "{name}: {e}");
        }
        assert_eq!(transient["JitterStrategy"], "FULL", "{name}");
        assert!(transient["MaxDelaySeconds"].as_u64().is_some(), "{name}");
        if in_child {
            assert!(
                state.get("Catch").is_none(),
                "{name}: a child's failure is the item's"
            );
        } else {
            let catch = &state["Catch"][0];
            assert_eq!(catch["ErrorEquals"][0], "States.ALL", "{name}");
            let expected_next = if name == reporter {
                "Failed"
            } else {
                reporter.as_str()
            };
            assert_eq!(catch["Next"], expected_next, "{name}");
        }
        assert!(
            result_paths.insert((in_child, state["ResultPath"].as_str().unwrap().to_owned())),
            "{name} overwrites another step's result"
        );
    }
}

/// The admission control of DetectFaces: the state sends to the queue and waits for its
/// token; the queue's consumer is detect-faces, bounded, answering this state machine only.
#[test]
fn face_detection_waits_in_a_bounded_queue_whose_consumer_answers_the_task() {
    let asl = asl();
    let state = &asl["States"]["DetectFaces"];
    assert_eq!(
        state["Resource"],
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    );
    assert_eq!(state["Parameters"]["QueueUrl"], "${DetectFacesQueueUrl}");
    assert_eq!(state["Parameters"]["MessageBody"]["taskToken.$"], "$$.Task.Token");
    // A backlog of 100 000 photos at 5 TPS (the lowest regional quota) takes 5.6 hours.
    assert!(
        state["TimeoutSeconds"].as_u64().unwrap() >= 100_000 / 5,
        "the timeout fits a long backlog"
    );

    let t = template();
    let sm = &t["Resources"]["PhotoValidation"]["Properties"];
    let Yaml::Tagged(url) = &sm["DefinitionSubstitutions"]["DetectFacesQueueUrl"] else {
        panic!("DetectFacesQueueUrl is !Ref <queue>");
    };
    let queue_id = url.value.as_str().unwrap();
    let queue = &t["Resources"][queue_id];
    assert_eq!(queue["Type"], "AWS::SQS::Queue");
    let sends: Vec<&Yaml> = sm["Policies"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("SQSSendMessagePolicy"))
        .collect();
    assert!(
        sends
            .iter()
            .any(|p| getatt_resource(&p["QueueName"]).as_deref() == Some(queue_id)),
        "the state machine may send to {queue_id}"
    );
    // Redelivery gives up (SendTaskFailure) before the queue dead-letters.
    let max_receives = queue["Properties"]["RedrivePolicy"]["maxReceiveCount"]
        .as_u64()
        .unwrap();
    assert!(u64::from(detect_faces::queue::GIVE_UP_AFTER_RECEIVES) < max_receives);

    let function = &t["Resources"]["DetectFacesFunction"];
    let event = &function["Properties"]["Events"]["Work"]["Properties"];
    assert_eq!(function["Properties"]["Events"]["Work"]["Type"], "SQS");
    assert_eq!(getatt_resource(&event["Queue"]).as_deref(), Some(queue_id));
    assert_eq!(event["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    let max_concurrency = &event["ScalingConfig"]["MaximumConcurrency"];
    assert!(matches!(max_concurrency, Yaml::Tagged(t) if t.value == "DetectFacesConcurrency"));
    // Lambda refuses a queue whose visibility timeout is below the function's timeout.
    let visibility = queue["Properties"]["VisibilityTimeout"].as_u64().unwrap();
    let timeout = function["Properties"]["Timeout"].as_u64().unwrap();
    assert!(
        visibility >= timeout,
        "visibility {visibility} < timeout {timeout}"
    );
    // A batch the pacer cannot finish is handed back, but a full one should fit.
    let batch = event["BatchSize"].as_u64().unwrap();
    assert!(batch * detect_faces::queue::TIME_FOR_ONE_RECORD.as_secs() / 2 <= timeout);
    let answers = statements(function)
        .into_iter()
        .find(|s| {
            s["Action"]
                .as_sequence()
                .is_some_and(|a| a.iter().any(|a| a == "states:SendTaskSuccess"))
        })
        .expect("detect-faces may answer tasks");
    // The upload workflow's tasks, and the re-validation's children's.
    let answered = serde_norway::to_string(&answers["Resource"]).unwrap();
    for machine in ["!Ref PhotoValidation", "!Ref Revalidate", "${Revalidate}/*"] {
        assert!(answered.contains(machine), "{machine} in {answered}");
    }
    // The dead-letter queue is watched.
    let dlq = getatt_resource(&queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]).unwrap();
    let watched = resources(&t).values().any(|r| {
        r["Type"] == "AWS::CloudWatch::Alarm"
            && getatt_resource(&r["Properties"]["Dimensions"][0]["Value"]).as_deref() == Some(dlq.as_str())
    });
    assert!(watched, "an alarm watches {dlq}");
}

#[test]
fn an_unanalyzable_file_skips_face_detection() {
    let asl = asl();
    let choice = &asl["States"]["IsAnalyzable"];
    let analyzable = [
        serde_json::json!({"Variable": "$.metadata.analyzable", "IsPresent": true}),
        serde_json::json!({"Variable": "$.metadata.analyzable", "BooleanEquals": true}),
    ];
    // Known faces first (no detection), then detection; both only for an analyzable file.
    let known = choice["Choices"][0]["And"].as_array().unwrap();
    assert_eq!(known[..2], analyzable);
    assert_eq!(
        known[2],
        serde_json::json!({"Variable": "$.metadata.knownFaces", "IsPresent": true})
    );
    assert_eq!(choice["Choices"][0]["Next"], "UseKnownFaces");
    assert_eq!(
        asl["States"]["UseKnownFaces"]["InputPath"],
        "$.metadata.knownFaces"
    );
    assert_eq!(asl["States"]["UseKnownFaces"]["ResultPath"], "$.faces");
    assert_eq!(asl["States"]["UseKnownFaces"]["Next"], "AnalyzeImage");
    assert_eq!(choice["Choices"][1]["And"].as_array().unwrap()[..], analyzable);
    assert_eq!(choice["Choices"][1]["Next"], "DetectFaces");
    assert_eq!(choice["Default"], "EvaluateRules");
}

#[test]
fn every_kind_of_upload_starts_a_validation() {
    let t = template();
    let events = &t["Resources"]["StartValidationFunction"]["Properties"]["Events"]["Upload"]["Properties"];
    assert_eq!(events["Events"], "s3:ObjectCreated:*");
}

fn statements(function: &Yaml) -> Vec<&Yaml> {
    function["Properties"]["Policies"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.get("Statement").and_then(Yaml::as_sequence))
        .flatten()
        .collect()
}

#[test]
fn functions_that_read_photos_may_list_the_bucket_so_s3_answers_404_not_403() {
    let t = template();
    for name in ["FetchMetadataFunction", "AnalyzeImageFunction"] {
        let lists = statements(&t["Resources"][name])
            .iter()
            .any(|s| s["Action"] == "s3:ListBucket" && s.get("Condition").is_none());
        assert!(
            lists,
            "{name} needs s3:ListBucket on the bucket, without a prefix condition"
        );
    }
}

#[test]
fn step_functions_logs_use_a_vended_logs_group_and_kms_service_access_is_scoped() {
    let t = template();
    let name = &t["Resources"]["PhotoValidationLogs"]["Properties"]["LogGroupName"];
    let text = serde_norway::to_string(name).unwrap();
    assert!(text.contains("/aws/vendedlogs/states/"), "{text}");
    let key = &t["Resources"]["TopicsKey"]["Properties"]["KeyPolicy"]["Statement"];
    for statement in key.as_sequence().unwrap() {
        if statement["Principal"].get("Service").is_some() {
            let condition = serde_norway::to_string(&statement["Condition"]).unwrap();
            assert!(
                condition.contains("aws:SourceAccount") && condition.contains("aws:SourceArn"),
                "{condition}"
            );
        }
    }
}

#[test]
fn build_and_deploy_read_the_same_architecture() {
    // Binaries built for arm64 cannot run on x86_64: samconfig keeps the parameter in the
    // global section that both `sam build` and `sam deploy` read, and nowhere else.
    let text = std::fs::read_to_string(root().join("samconfig.toml")).unwrap();
    let mut section = "";
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with('[') {
            section = line;
        } else if line.contains("Architecture=") {
            found.push(section.to_owned());
        }
    }
    assert_eq!(found, vec!["[default.global.parameters]".to_owned()]);
}

/// `passport-photo simulate` models the stack as deployed: its queue, consumer and
/// start-validation figures must be the template's, or its capacity figures mean nothing.
#[test]
fn the_simulator_models_the_deployed_queue_and_concurrency() {
    use passport_photo::simulate::{queue, Scenario, START_VALIDATION_CONCURRENCY};
    let t = template();
    let r = resources(&t);
    let parameter = |name: &str| t["Parameters"][name]["Default"].as_u64().unwrap();
    let queue_properties = &r["DetectFacesQueue"]["Properties"];
    assert_eq!(
        queue_properties["VisibilityTimeout"].as_u64(),
        Some(queue::VISIBILITY.as_secs())
    );
    assert_eq!(
        queue_properties["RedrivePolicy"]["maxReceiveCount"].as_u64(),
        Some(u64::from(queue::MAX_RECEIVES))
    );
    let consumer = &r["DetectFacesFunction"]["Properties"];
    assert_eq!(
        consumer["Timeout"].as_u64(),
        Some(queue::FUNCTION_TIMEOUT.as_secs())
    );
    assert_eq!(
        consumer["Events"]["Work"]["Properties"]["BatchSize"].as_u64(),
        Some(queue::BATCH_SIZE as u64)
    );
    // The default consumers follow the sizing rule the simulator uses for the default quota.
    assert_eq!(
        u64::from(Scenario::concurrency_for(parameter("DetectFacesTps") as f64)),
        parameter("DetectFacesConcurrency")
    );
    assert_eq!(
        parameter("StartValidationConcurrency"),
        u64::from(START_VALIDATION_CONCURRENCY)
    );
    let reserved = &r["StartValidationFunction"]["Properties"]["ReservedConcurrentExecutions"];
    assert!(matches!(reserved, Yaml::Tagged(t) if t.value == "StartValidationConcurrency"));
}

/// The dashboard's JSON after `!Sub` (placeholders replaced by dummies), and the metric
/// names and dimension sets it reads from our namespace.
#[test]
fn the_dashboard_reads_the_metrics_the_functions_write_and_shows_every_alarm() {
    let t = template();
    let Yaml::Tagged(body) = &resources(&t)["OperationsDashboard"]["Properties"]["DashboardBody"] else {
        panic!("DashboardBody is a !Sub");
    };
    assert_eq!(body.tag, "Sub");
    let text = body.value.as_str().unwrap();
    // Every ${…} is a parameter, a pseudo parameter or a resource of the template.
    let mut filled = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let end = start + rest[start..].find('}').unwrap();
        let name = &rest[start + 2..end];
        let resource = name.split('.').next().unwrap();
        assert!(
            name.starts_with("AWS::")
                || t["Parameters"].get(resource).is_some()
                || resources(&t).get(resource).is_some(),
            "${{{name}}} names nothing in the template"
        );
        filled.push_str(&rest[..start]);
        filled.push_str(if name == "AWS::StackName" { "stack" } else { name });
        rest = &rest[end + 1..];
    }
    filled.push_str(rest);
    let dashboard: Value = serde_json::from_str(&filled).expect("the dashboard body is JSON");
    let widgets = dashboard["widgets"].as_array().unwrap();

    // Metrics of our namespace, as [name, dimension names] read by the widgets: plain
    // metric rows, and SEARCH expressions' {namespace,dims} MetricName="…".
    let mut read: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
    for w in widgets.iter().filter(|w| w["type"] == "metric") {
        for row in w["properties"]["metrics"].as_array().unwrap() {
            let row = row.as_array().unwrap();
            if let Some(expression) = row[0]["expression"].as_str() {
                let inner = &expression[expression.find('{').unwrap() + 1..expression.find('}').unwrap()];
                let mut parts = inner.split(',');
                assert_eq!(parts.next(), Some("PassportPhoto/stack"));
                let dims = parts.map(str::to_owned).collect();
                let name = expression
                    .split("MetricName=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                read.insert((name.to_owned(), dims));
            } else if row[0] == "PassportPhoto/stack" {
                let strings: Vec<&str> = row.iter().filter_map(Value::as_str).collect();
                let dims = strings[2..].iter().step_by(2).map(|d| (*d).to_owned()).collect();
                read.insert((strings[1].to_owned(), dims));
            }
        }
    }
    // What the code writes (lambda-support's serve loop, evaluate-rules, detect-faces).
    let written: BTreeSet<(String, Vec<String>)> = [
        lambda_support::step_metrics(
            "s",
            std::time::Duration::ZERO,
            Some(lambda_support::ErrorName::Transient),
        ),
        evaluate_rules::verdict_metrics(&passport_model::Verdict {
            outcome: passport_model::Outcome::Rejected,
            profile: "icao".into(),
            analyzer: None,
            checks: vec![passport_model::CheckResult {
                id: "face.count".into(),
                status: passport_model::CheckStatus::Fail,
                measured: Value::Null,
                limit: String::new(),
                message: String::new(),
            }],
            geometry: None,
        }),
        detect_faces::throttle_metrics(&passport_model::PortError::transient("x").with_throttling(true)),
    ]
    .iter()
    .flatten()
    .flat_map(|set| {
        let dims: Vec<String> = set.dimensions.iter().map(|(d, _)| (*d).to_owned()).collect();
        set.metrics
            .iter()
            .map(move |(name, _, _)| ((*name).to_owned(), dims.clone()))
    })
    .collect();
    assert_eq!(
        read, written,
        "the dashboard reads exactly what the functions write"
    );

    // The alarm widget lists every alarm of the template.
    let shown: BTreeSet<&str> = widgets
        .iter()
        .filter(|w| w["type"] == "alarm")
        .flat_map(|w| w["properties"]["alarms"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    let alarms: BTreeSet<String> = resources(&t)
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::CloudWatch::Alarm")
        .map(|(id, _)| format!("{}.Arn", id.as_str().unwrap()))
        .collect();
    assert_eq!(shown, alarms.iter().map(String::as_str).collect());
    // Every function writes under the namespace the dashboard reads.
    let namespace = &t["Globals"]["Function"]["Environment"]["Variables"]["METRICS_NAMESPACE"];
    assert!(matches!(namespace, Yaml::Tagged(s) if s.value == "PassportPhoto/${AWS::StackName}"));
}

/// The re-validation state machine: a Distributed Map over the photos' prefix, children
/// that run the same validation steps as an upload, concurrency from the DetectFaces quota,
/// results where its role may write and its summary may read, and a role that lets the Map
/// run its own children (Step Functions developer guide, IAM policies for Distributed Map
/// states).
#[test]
fn the_revalidation_runs_the_upload_steps_as_children_within_its_own_permissions() {
    let rv = definition("revalidate.asl.json");
    let main = asl();
    let map = &rv["States"]["Revalidate"];
    assert_eq!(map["ItemProcessor"]["ProcessorConfig"]["Mode"], "DISTRIBUTED");
    // Children wait for a task token: only STANDARD executions can.
    assert_eq!(
        map["ItemProcessor"]["ProcessorConfig"]["ExecutionType"],
        "STANDARD"
    );
    assert_eq!(map["ItemReader"]["Resource"], "arn:aws:states:::s3:listObjectsV2");
    assert_eq!(map["ItemReader"]["Parameters"]["Bucket"], "${UploadBucketName}");
    assert_eq!(map["ResultWriter"]["Parameters"]["Prefix"], "${ResultsPrefix}");
    let tolerated = map["ToleratedFailurePercentage"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&tolerated));
    // The children's steps are the upload workflow's, the same calls with the same retries.
    let children = &map["ItemProcessor"]["States"];
    for step in [
        "FetchMetadata",
        "DetectFaces",
        "AnalyzeImage",
        "EvaluateRules",
        "Notify",
    ] {
        for field in ["Resource", "Parameters", "ResultPath", "TimeoutSeconds", "Retry"] {
            assert_eq!(
                children[step][field], main["States"][step][field],
                "{step}.{field}"
            );
        }
    }
    for step in ["IsAnalyzable", "UseKnownFaces", "ShouldKeepFaces", "KeepFaces"] {
        assert_eq!(children[step], main["States"][step], "{step}");
    }
    // In flight: a multiple of the DetectFaces quota, never past the Map's 10 000 children.
    let sizing = rv["States"]["Defaults"]["Parameters"]["maxConcurrency.$"]
        .as_str()
        .unwrap();
    assert_eq!(sizing.matches("${DetectFacesTps}").count(), 8, "{sizing}");
    assert_eq!(map["MaxConcurrencyPath"], "$.run.maxConcurrency");

    let t = template();
    let sm = &t["Resources"]["Revalidate"]["Properties"];
    assert_eq!(sm["Type"], "STANDARD");
    let subs = &sm["DefinitionSubstitutions"];
    assert!(matches!(&subs["DetectFacesTps"], Yaml::Tagged(t) if t.value == "DetectFacesTps"));
    assert!(matches!(&subs["UploadBucketName"], Yaml::Tagged(t) if t.value == "UploadBucket"));
    let tps_max = t["Parameters"]["DetectFacesTps"]["MaxValue"].as_u64().unwrap();
    assert!(8 * tps_max <= 10_000);
    let results = subs["ResultsPrefix"].as_str().unwrap();

    let role = statements(&t["Resources"]["Revalidate"]);
    let text = |s: &Yaml| serde_norway::to_string(s).unwrap();
    let grants = |action: &str| -> Vec<String> {
        role.iter()
            .filter(|s| text(&s["Action"]).contains(action))
            .map(|s| text(&s["Resource"]))
            .collect()
    };
    let name = text(&sm["Name"]);
    assert!(name.contains("Revalidate-${Stage}-${StackKey}"), "{name}");
    let start = &grants("states:StartExecution")[0];
    assert!(
        start.contains(":stateMachine:Revalidate-${Stage}-${StackKey}") && !start.contains("/*"),
        "{start}"
    );
    assert!(grants("states:StopExecution")[0].contains(":execution:Revalidate-${Stage}-${StackKey}/*"));
    assert!(grants("s3:PutObject")[0].contains(&format!("/{results}/*")));
    // The listing is the photos' prefix only, the one uploads start validations under.
    let list = role.iter().find(|s| s["Action"] == "s3:ListBucket").unwrap();
    let upload_prefix = t["Resources"]["StartValidationFunction"]["Properties"]["Events"]["Upload"]
        ["Properties"]["Filter"]["S3Key"]["Rules"][0]["Value"]
        .as_str()
        .unwrap();
    assert_eq!(
        list["Condition"]["StringLike"]["s3:prefix"],
        format!("{upload_prefix}*")
    );
    // Its summary may read what the Map wrote, and nothing else of the bucket.
    let summary = statements(&t["Resources"]["SummarizeRunFunction"]);
    let reads: Vec<String> = summary
        .iter()
        .filter(|s| text(&s["Action"]).contains("s3:GetObject"))
        .map(|s| text(&s["Resource"]))
        .collect();
    assert_eq!(reads.len(), 1);
    assert!(reads[0].contains(&format!("/{results}/*")), "{reads:?}");
    assert!(t["Outputs"]["RevalidateStateMachineArn"].is_mapping());
    // Each state machine's failed executions alarm the operators (a run whose own failure
    // report could not be sent included).
    for (_, machine) in DEFINITIONS {
        let watched = resources(&t).values().any(|r| {
            r["Type"] == "AWS::CloudWatch::Alarm"
                && r["Properties"]["MetricName"] == "ExecutionsFailed"
                && text(&r["Properties"]["Dimensions"][0]["Value"]).contains(machine)
                && text(&r["Properties"]["AlarmActions"]).contains("AlertsTopic")
        });
        assert!(watched, "no alarm on the failed executions of {machine}");
    }
}

/// Faces paid for once: fetch-metadata reads each version's analysis where both workflows
/// write it, nobody else may write there, and the bucket's lifecycle expires it with the
/// photos.
#[test]
fn kept_face_analyses_are_read_where_the_workflows_write_them_and_only_they_write() {
    let t = template();
    let text = |s: &Yaml| serde_norway::to_string(s).unwrap();
    let prefix = t["Resources"]["FetchMetadataFunction"]["Properties"]["Environment"]["Variables"]
        ["FACE_ANALYSES_PREFIX"]
        .as_str()
        .unwrap();
    let top = format!("/{}/*", prefix.split('/').next().unwrap());
    let reads = statements(&t["Resources"]["FetchMetadataFunction"])
        .iter()
        .filter(|s| text(&s["Action"]).contains("s3:GetObject"))
        .map(|s| text(&s["Resource"]))
        .collect::<String>();
    assert!(reads.contains(&top), "fetch-metadata may read {top}: {reads}");
    for (file, resource) in DEFINITIONS {
        let writes = statements(&t["Resources"][*resource])
            .iter()
            .filter(|s| text(&s["Action"]).contains("s3:PutObject"))
            .map(|s| text(&s["Resource"]))
            .collect::<String>();
        assert!(writes.contains(&top), "{resource} may write {top}: {writes}");
        // The definition writes under the key fetch-metadata made, in the photo's bucket.
        let keep = &tasks(&definition(file)["States"], false)
            .into_iter()
            .find(|(name, _, _)| name == "KeepFaces")
            .unwrap()
            .1;
        assert_eq!(keep["Parameters"]["Key.$"], "$.metadata.facesKey", "{file}");
        assert_eq!(keep["Parameters"]["Bucket.$"], "$.photo.bucket", "{file}");
    }
    let bucket_policy = t["Resources"]["UploadBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["Effect"] == "Deny" && s["Action"] == "s3:PutObject")
        .expect("a deny on writing analyses");
    assert!(text(&bucket_policy["Resource"]).contains(&top));
    let writers = text(&bucket_policy["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]);
    for role in ["PhotoValidationRole.Arn", "RevalidateRole.Arn"] {
        assert!(writers.contains(role), "{writers}");
    }
    // One lifecycle rule for the whole bucket: analyses expire like the photos.
    let rules = &t["Resources"]["UploadBucket"]["Properties"]["LifecycleConfiguration"]["Rules"];
    assert!(rules
        .as_sequence()
        .unwrap()
        .iter()
        .all(|r| r.get("Prefix").is_none() && r.get("Filter").is_none()));
}

/// A re-validation's listed photo names no version: the child pins its later reads to the
/// version fetch-metadata read (and keyed its faces by), before any face or pixel is read.
#[test]
fn the_revalidation_pins_each_photo_to_the_version_it_read() {
    let rv = definition("revalidate.asl.json");
    let children = &rv["States"]["Revalidate"]["ItemProcessor"]["States"];
    assert_eq!(children["FetchMetadata"]["Next"], "IsVersioned");
    let choice = &children["IsVersioned"];
    assert_eq!(choice["Choices"][0]["Next"], "PinVersion");
    assert_eq!(choice["Default"], "IsAnalyzable");
    let pin = &children["PinVersion"];
    assert_eq!(pin["InputPath"], "$.metadata.versionId");
    assert_eq!(pin["ResultPath"], "$.photo.versionId");
    assert_eq!(pin["Next"], "IsAnalyzable");
    // The upload workflow's photo names its version already (from the S3 event).
    assert!(asl()["States"].get("PinVersion").is_none());
}
