//! Each function's environment in `template.yaml` is exactly what its `main.rs` reads, and
//! its policies allow every AWS call its adapters make. A misspelt variable or a missing
//! permission would otherwise only show on AWS.

use std::collections::BTreeSet;

use serde_norway::Value as Yaml;
use system_tests::functions::template_functions;
use system_tests::{root, template};

/// The environment variable names a `main.rs` reads (`required_env`, `env_or`, `env::var`).
fn variables_read(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for call in ["required_env(\"", "env_positive(\"", "env_or(\"", "env::var(\""] {
        for (i, _) in source.match_indices(call) {
            let rest = &source[i + call.len()..];
            if let Some(end) = rest.find('"') {
                names.insert(rest[..end].to_owned());
            }
        }
    }
    names
}

fn main_rs(package: &str) -> String {
    std::fs::read_to_string(root().join("functions").join(package).join("src/main.rs")).unwrap()
}

/// The names under `Environment.Variables` of a function's (or the Globals') properties.
fn variable_names(properties: &Yaml) -> BTreeSet<String> {
    properties["Environment"]["Variables"]
        .as_mapping()
        .map(|m| m.keys().filter_map(|k| k.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn each_function_gets_exactly_the_environment_its_main_reads() {
    let t = template();
    // Globals hold only what a library reads for every function: the CA bundle that
    // rustls-native-certs loads when the SDK client is built (see template.yaml), and the
    // metrics' namespace that lambda-support's serve loop writes under.
    let globals = variable_names(&t["Globals"]["Function"]);
    assert_eq!(
        globals,
        BTreeSet::from(["METRICS_NAMESPACE".to_owned(), "SSL_CERT_FILE".to_owned()]),
        "a new global variable needs checking here"
    );
    let metrics = std::fs::read_to_string(root().join("crates/lambda-support/src/metrics.rs")).unwrap();
    assert!(metrics.contains("NAMESPACE_ENV: &str = \"METRICS_NAMESPACE\""));
    for (package, (id, _)) in template_functions() {
        let set = variable_names(&t["Resources"][id.as_str()]["Properties"]);
        let read = variables_read(&main_rs(&package));
        assert_eq!(
            set, read,
            "{package}: template.yaml sets {set:?}, main.rs reads {read:?}"
        );
    }
}

/// The SDK operations an adapter module calls: every `.client.<operation>()` in its source.
fn sdk_operations(module: &str) -> BTreeSet<String> {
    let path = root()
        .join("crates/aws-adapters/src")
        .join(format!("{module}.rs"));
    let source: String = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .split_whitespace()
        .collect();
    source
        .match_indices(".client.")
        .filter_map(|(i, m)| {
            let rest = &source[i + m.len()..];
            let end = rest.find("()")?;
            Some(rest[..end].to_owned())
        })
        .collect()
}

/// The IAM actions an SDK operation needs (AWS service authorization reference). Our reads
/// name a version, which needs the `…Version` action too; a HEAD or GET of a missing key
/// answers 403 instead of 404 without `s3:ListBucket`; Rekognition reads the S3 object
/// with the caller's permissions; publishing to an encrypted topic uses its KMS key.
fn iam_actions(operation: &str) -> &'static [&'static str] {
    match operation {
        "head_object" | "get_object" => &["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
        "detect_faces" => &["rekognition:DetectFaces", "s3:GetObject", "s3:GetObjectVersion"],
        "publish" => &["sns:Publish", "kms:GenerateDataKey*", "kms:Decrypt"],
        "start_execution" => &["states:StartExecution"],
        "send_task_success" => &["states:SendTaskSuccess"],
        "send_task_failure" => &["states:SendTaskFailure"],
        other => panic!("aws-adapters calls {other}: add the IAM actions it needs to this table"),
    }
}

/// The IAM actions a function needs: through the adapters its `main.rs` builds, and to
/// read the KMS-encrypted queue its event source mapping polls (the polling itself is
/// granted by SAM's SQS event).
fn actions_needed(main: &str, function: &Yaml) -> BTreeSet<&'static str> {
    let mut needed = BTreeSet::new();
    let polls_a_queue = function["Properties"]["Events"]
        .as_mapping()
        .is_some_and(|events| events.values().any(|e| e["Type"] == "SQS"));
    if polls_a_queue {
        needed.insert("kms:Decrypt");
    }
    for module in ["s3", "rekognition", "sns", "sfn", "sfn_tasks"] {
        if main.contains(&format!("aws_adapters::{module}::")) {
            let operations = sdk_operations(module);
            assert!(
                !operations.is_empty(),
                "no SDK calls found in aws-adapters/src/{module}.rs"
            );
            for op in operations {
                needed.extend(iam_actions(&op));
            }
        }
    }
    needed
}

fn yaml_strings(v: &Yaml) -> Vec<String> {
    match v {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Sequence(items) => items.iter().flat_map(yaml_strings).collect(),
        _ => Vec::new(),
    }
}

/// The actions a function's `Policies` allow: inline statements and the SAM policy
/// templates it uses (their statements per the SAM policy template list).
fn actions_allowed(function: &Yaml) -> BTreeSet<String> {
    let mut allowed = BTreeSet::new();
    for policy in function["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        for statement in policy["Statement"].as_sequence().into_iter().flatten() {
            if statement["Effect"] == "Allow" {
                allowed.extend(yaml_strings(&statement["Action"]));
            }
        }
        if policy.get("StepFunctionsExecutionPolicy").is_some() {
            allowed.insert("states:StartExecution".into());
        }
        if policy.get("SQSSendMessagePolicy").is_some() {
            allowed.insert("sqs:SendMessage*".into());
        }
    }
    allowed
}

#[test]
fn each_function_may_make_every_call_its_adapters_make_and_no_more() {
    let t = template();
    for (package, (id, _)) in template_functions() {
        let function = &t["Resources"][id.as_str()];
        let needed = actions_needed(&main_rs(&package), function);
        let allowed = actions_allowed(function);
        for action in &needed {
            // summarize-run reads results, not photos: a missing result file is Permanent
            // whether S3 answers 404 or (without s3:ListBucket) 403, and the listing would
            // show it every photo's key.
            if package == "summarize-run" && *action == "s3:ListBucket" {
                assert!(!allowed.contains(*action), "summarize-run may list the bucket");
                continue;
            }
            assert!(
                allowed.contains(*action),
                "{package} calls AWS needing {action}, which its policies lack"
            );
        }
        // Least privilege: every allowed AWS action is one of its calls, or its on-failure queue.
        for action in &allowed {
            assert!(
                needed.contains(action.as_str()) || action.starts_with("sqs:"),
                "{package} is allowed {action}, which it never needs"
            );
        }
    }
}

#[test]
fn the_adapters_sdk_calls_are_found() {
    assert_eq!(
        sdk_operations("s3"),
        ["get_object", "head_object"].map(String::from).into()
    );
    assert_eq!(
        sdk_operations("rekognition"),
        ["detect_faces"].map(String::from).into()
    );
    assert_eq!(
        sdk_operations("sfn_tasks"),
        ["send_task_failure", "send_task_success"]
            .map(String::from)
            .into()
    );
}

#[test]
fn the_scanner_finds_what_a_main_reads() {
    let names = variables_read(
        r#"let a = required_env("A_B")?; let c = lambda_support::env_or("C", 1)?; std::env::var("D")"#,
    );
    assert_eq!(names, ["A_B", "C", "D"].map(String::from).into());
}
