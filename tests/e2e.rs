//! End to end: the seven release binaries (the `bootstrap`s `sam build` makes, or a release
//! build), each under its own Lambda Runtime API on loopback, with the AWS SDK pointed at
//! moto server (S3, SNS, SQS, Step Functions) and at a Rekognition stub through
//! `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_REKOGNITION`, and their environment taken from
//! `template.yaml`. The workflow between them is the real `statemachine/photo_validation.asl.json`
//! run by the twin's interpreter, whose tasks invoke the functions through their Runtime
//! APIs: every payload crosses the JSON boundaries it crosses on AWS. The DetectFaces state
//! sends its message to a moto SQS queue, which a small event source mapping here polls to
//! invoke detect-faces with SQS batches; detect-faces answers the task token through
//! `AWS_ENDPOINT_URL_SFN` (a loopback stand-in for SendTaskSuccess / SendTaskFailure).
//!
//! One test runs the scenarios in turn over one moto server and one set of processes
//! (starting them is the slow part); each scenario says its name when it fails.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use asl_engine::{Engine, Execution, ExecutionStatus, StatesError, VirtualClock};
use aws_sdk_s3::primitives::ByteStream;
use serde_json::{json, Value};
use system_tests::functions::{template_env, Function};
use system_tests::rekognition_stub::RekognitionStub;
use system_tests::runtime_api::{Outcome, RuntimeApi};
use system_tests::task_tokens::TaskTokens;
use system_tests::{moto, root};

const BUCKET: &str = "passport-photos-e2e";

struct World {
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    sfn: aws_sdk_sfn::Client,
    queues: BTreeMap<&'static str, String>,
    state_machine_arn: String,
    stub: RekognitionStub,
    functions: BTreeMap<String, Function>,
    tokens: Arc<TaskTokens>,
    detect_queue_url: String,
    /// detect-faces invocations made by the event source mapping.
    detect_invocations: Arc<AtomicU32>,
}

fn fixture(name: &str) -> Value {
    let path = system_tests::rekognition_fixture(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn portrait() -> Vec<u8> {
    system_tests::portrait_jpeg()
}

/// The key as S3 writes it into event notifications: form-encoded, `/` kept.
fn event_key(key: &str) -> String {
    key.split('/')
        .map(|part| form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
}

impl World {
    async fn new(moto: &moto::Moto) -> Self {
        let conf = moto::sdk_config(&moto.endpoint).await;
        let s3 = moto::versioned_bucket(&conf, BUCKET).await;
        let sns = aws_sdk_sns::Client::new(&conf);
        let sqs = aws_sdk_sqs::Client::new(&conf);
        let sfn = aws_sdk_sfn::Client::new(&conf);
        let mut refs: BTreeMap<&str, String> = BTreeMap::new();
        let mut queues = BTreeMap::new();
        for (topic, logical) in [
            ("approved", "ApprovedTopic"),
            ("rejected", "RejectedTopic"),
            ("alerts", "AlertsTopic"),
        ] {
            let arn = sns
                .create_topic()
                .name(topic)
                .send()
                .await
                .unwrap()
                .topic_arn
                .unwrap();
            let url = sqs
                .create_queue()
                .queue_name(format!("{topic}-inbox"))
                .send()
                .await
                .unwrap()
                .queue_url
                .unwrap();
            let queue_arn = sqs
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .send()
                .await
                .unwrap()
                .attributes
                .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
                .clone();
            sns.subscribe()
                .topic_arn(&arn)
                .protocol("sqs")
                .endpoint(queue_arn)
                .send()
                .await
                .unwrap();
            refs.insert(logical, arn);
            queues.insert(topic, url);
        }
        // moto runs nothing unless told to: the executions it records are only started.
        let definition = passport_photo::twin::DEFINITION;
        let state_machine_arn = sfn
            .create_state_machine()
            .name("PhotoValidation-e2e")
            .definition(definition)
            .role_arn("arn:aws:iam::123456789012:role/photo-validation")
            .send()
            .await
            .unwrap()
            .state_machine_arn;
        refs.insert("PhotoValidation", state_machine_arn.clone());
        refs.insert("RulesProfile", "icao".into());
        refs.insert("RulesOverrides", String::new());
        refs.insert("DetectFacesTps", "50".into());
        refs.insert("DetectFacesConcurrency", "2".into());
        // The template's queue has a 60 s visibility timeout; 1 s here keeps the redelivery
        // scenario short.
        let detect_queue_url = sqs
            .create_queue()
            .queue_name("detect-faces")
            .attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, "1")
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let stub = RekognitionStub::start().await;
        let tokens = Arc::new(TaskTokens::start().await);
        let endpoints = vec![
            ("AWS_ENDPOINT_URL".to_owned(), moto.endpoint.clone()),
            ("AWS_ENDPOINT_URL_REKOGNITION".to_owned(), stub.endpoint()),
        ];
        let mut functions = BTreeMap::new();
        for package in system_tests::functions::template_functions().keys() {
            let env = template_env(package, &refs);
            let mut endpoints = endpoints.clone();
            if package == "detect-faces" {
                endpoints.push(("AWS_ENDPOINT_URL_SFN".to_owned(), tokens.endpoint()));
            }
            functions.insert(package.clone(), Function::start(package, &env, &endpoints).await);
        }
        let detect_invocations = Arc::new(AtomicU32::new(0));
        let detect = &functions["detect-faces"];
        tokio::spawn(event_source_mapping(
            sqs.clone(),
            detect_queue_url.clone(),
            detect.api.clone(),
            detect.timeout + Duration::from_secs(5),
            detect_invocations.clone(),
        ));
        Self {
            s3,
            sqs,
            sfn,
            queues,
            state_machine_arn,
            stub,
            functions,
            tokens,
            detect_queue_url,
            detect_invocations,
        }
    }

    async fn invoke(&self, package: &str, payload: Value) -> Outcome {
        let f = &self.functions[package];
        f.api
            .invoke(payload, f.timeout + Duration::from_secs(5))
            .await
            .unwrap_or_else(|e| panic!("{package}: {e}\n--- its logs ---\n{}", f.logs()))
    }

    /// Uploads a photo; returns its version id.
    async fn upload(&self, key: &str, bytes: Vec<u8>) -> String {
        self.s3
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .unwrap()
            .version_id
            .unwrap()
    }

    /// The notification S3 sends for that upload.
    fn s3_event(&self, key: &str, version: &str, size: usize) -> Value {
        let mut event: Value =
            serde_json::from_str(&std::fs::read_to_string(root().join("events/s3-put.json")).unwrap())
                .unwrap();
        let record = &mut event["Records"][0];
        record["s3"]["bucket"]["name"] = json!(BUCKET);
        record["s3"]["bucket"]["arn"] = json!(format!("arn:aws:s3:::{BUCKET}"));
        record["s3"]["object"]["key"] = json!(event_key(key));
        record["s3"]["object"]["versionId"] = json!(version);
        record["s3"]["object"]["size"] = json!(size);
        record["s3"]["object"]["sequencer"] = json!(format!("00{:016X}", size));
        event
    }

    /// The executions moto recorded for the state machine, with their inputs.
    async fn executions(&self) -> Vec<(String, Value)> {
        let list = self
            .sfn
            .list_executions()
            .state_machine_arn(&self.state_machine_arn)
            .send()
            .await
            .unwrap();
        let mut out = Vec::new();
        for e in list.executions() {
            let d = self
                .sfn
                .describe_execution()
                .execution_arn(e.execution_arn())
                .send()
                .await
                .unwrap();
            out.push((
                e.name().to_owned(),
                serde_json::from_str(d.input().unwrap_or("null")).unwrap(),
            ));
        }
        out
    }

    /// The real definition, its tasks invoking the function processes, and its queue task
    /// sending to the moto queue and waiting for the answer to its token.
    fn engine(&self, clock: &VirtualClock) -> Engine {
        let mut engine =
            Engine::new(Arc::new(clock.clone())).with_state_machine_arn(self.state_machine_arn.clone());
        for (_, function) in passport_photo::twin::FUNCTIONS {
            let api = self.functions[*function].api.clone();
            let limit = self.functions[*function].timeout + Duration::from_secs(5);
            engine.register(
                passport_photo::twin::function_arn(function),
                move |payload: Value| {
                    let api = api.clone();
                    async move {
                        match api.invoke(payload, limit).await {
                            Ok(Outcome::Response(v)) => Ok(v),
                            // What Step Functions reports for a Lambda error: its type, and
                            // the error object as the cause.
                            Ok(Outcome::Error {
                                error_type,
                                error_message,
                            }) => Err(StatesError::new(
                                error_type.clone(),
                                json!({"errorType": error_type, "errorMessage": error_message}).to_string(),
                            )),
                            Err(e) => Err(StatesError::new("Lambda.Unknown", e)),
                        }
                    }
                },
            );
        }
        // KeepFaces: the AWS SDK integration, here against moto's S3.
        let s3 = self.s3.clone();
        engine.register(passport_photo::folder_s3::SDK_PUT_OBJECT, move |p: Value| {
            let s3 = s3.clone();
            async move { put_into_moto(&s3, &p).await }
        });
        let (sqs, tokens) = (self.sqs.clone(), self.tokens.clone());
        engine.register(
            passport_photo::detect_queue::SEND_AND_WAIT,
            move |parameters: Value| {
                let (sqs, tokens) = (sqs.clone(), tokens.clone());
                async move {
                    // As Step Functions does: a JSON MessageBody is sent as its text.
                    let body = parameters["MessageBody"].to_string();
                    let token = parameters["MessageBody"]["taskToken"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    let answer = tokens.wait_for(&token);
                    sqs.send_message()
                        .queue_url(parameters["QueueUrl"].as_str().unwrap_or_default())
                        .message_body(body)
                        .send()
                        .await
                        .map_err(|e| StatesError::new("SQS.AmazonSQSException", e.to_string()))?;
                    match tokio::time::timeout(Duration::from_secs(120), answer).await {
                        Ok(Ok(Ok(output))) => Ok(output),
                        Ok(Ok(Err((error, cause)))) => Err(StatesError::new(error, cause)),
                        _ => Err(StatesError::new("States.Timeout", "no answer to the task token")),
                    }
                }
            },
        );
        engine
    }

    async fn run_workflow(&self, name: &str, input: Value) -> Execution {
        let mut substitutions = passport_photo::twin::substitutions();
        substitutions.insert(
            passport_photo::twin::DETECT_FACES_QUEUE.0.to_owned(),
            self.detect_queue_url.clone(),
        );
        let definition = asl_engine::substitute(passport_photo::twin::DEFINITION, &substitutions);
        let sm = asl_engine::parse_definition(&definition).unwrap();
        self.engine(&VirtualClock::default())
            .execute(&sm, name, input)
            .await
    }

    /// statemachine/revalidate.asl.json over the moto bucket: its Distributed Map lists and
    /// writes through moto's S3 (items as Step Functions gives them from ListObjectsV2),
    /// its children and its summary invoke the function processes.
    async fn run_revalidation(&self, name: &str, input: Value) -> Execution {
        let mut substitutions = passport_photo::twin::substitutions();
        substitutions.insert(
            passport_photo::twin::DETECT_FACES_QUEUE.0.to_owned(),
            self.detect_queue_url.clone(),
        );
        substitutions.insert("UploadBucketName".into(), BUCKET.into());
        substitutions.insert("ResultsPrefix".into(), "revalidation".into());
        substitutions.insert("DetectFacesTps".into(), "2".into());
        let definition = asl_engine::substitute(passport_photo::twin::REVALIDATE_DEFINITION, &substitutions);
        let sm = asl_engine::parse_definition(&definition).unwrap();
        let mut engine = self.engine(&VirtualClock::default());
        let s3 = self.s3.clone();
        engine.register(asl_engine::LIST_OBJECTS, move |request: Value| {
            let s3 = s3.clone();
            async move {
                let p = &request["Parameters"];
                let mut pages = s3
                    .list_objects_v2()
                    .bucket(p["Bucket"].as_str().unwrap_or_default())
                    .prefix(p["Prefix"].as_str().unwrap_or_default())
                    .into_paginator()
                    .send();
                let mut items = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| StatesError::new("S3.S3Exception", e.to_string()))?;
                    for o in page.contents() {
                        items.push(json!({
                            "Etag": o.e_tag(), "Key": o.key(), "Size": o.size(),
                            "LastModified": o.last_modified().map(|t| t.secs()),
                            "StorageClass": o.storage_class().map(|c| c.as_str()),
                        }));
                    }
                }
                Ok(Value::Array(items))
            }
        });
        // The ResultWriter's files.
        let s3 = self.s3.clone();
        engine.register(asl_engine::PUT_OBJECT, move |request: Value| {
            let s3 = s3.clone();
            async move { put_into_moto(&s3, &request).await }
        });
        engine.execute(&sm, name, input).await
    }

    /// Messages published to a topic, read from the queue subscribed to it.
    async fn messages(&self, topic: &str, at_least: usize) -> Vec<Value> {
        let mut out = Vec::new();
        for _ in 0..10 {
            let r = self
                .sqs
                .receive_message()
                .queue_url(&self.queues[topic])
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap();
            for m in r.messages() {
                let envelope: Value = serde_json::from_str(m.body().unwrap()).unwrap();
                out.push(envelope);
                self.sqs
                    .delete_message()
                    .queue_url(&self.queues[topic])
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
            if out.len() >= at_least && r.messages().is_empty() {
                break;
            }
        }
        out
    }

    /// S3 event → start-validation → the execution it started → the workflow.
    async fn validate_upload(&self, key: &str, bytes: Vec<u8>) -> Execution {
        let size = bytes.len();
        let version = self.upload(key, bytes).await;
        let before = self.executions().await.len();
        let started = self
            .invoke("start-validation", self.s3_event(key, &version, size))
            .await;
        let Outcome::Response(report) = started else {
            panic!("start-validation failed: {started:?}");
        };
        assert_eq!(report["started"].as_array().map(Vec::len), Some(1), "{report}");
        let executions = self.executions().await;
        assert_eq!(executions.len(), before + 1);
        let (name, input) = executions
            .into_iter()
            .find(|(n, _)| n == report["started"][0].as_str().unwrap())
            .unwrap();
        self.run_workflow(&name, input).await
    }
}

/// Lambda's SQS event source mapping, in small: receives batches from the queue, invokes
/// the function with them as Lambda shapes the event, and deletes what the function did not
/// report in `batchItemFailures` (`ReportBatchItemFailures`); the rest reappears after the
/// visibility timeout.
async fn event_source_mapping(
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    api: Arc<RuntimeApi>,
    limit: Duration,
    invocations: Arc<AtomicU32>,
) {
    let queue_arn = format!("arn:aws:sqs:{}:123456789012:detect-faces", system_tests::REGION);
    loop {
        let Ok(received) = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(5)
            .wait_time_seconds(1)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
            .send()
            .await
        else {
            return; // moto stopped: the test is over
        };
        if received.messages().is_empty() {
            continue;
        }
        let records: Vec<Value> = received
            .messages()
            .iter()
            .map(|m| {
                let attributes: serde_json::Map<String, Value> = m
                    .attributes()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str().to_owned(), json!(v)))
                    .collect();
                json!({
                    "messageId": m.message_id(),
                    "receiptHandle": m.receipt_handle(),
                    "body": m.body(),
                    "attributes": attributes,
                    "messageAttributes": {},
                    "md5OfBody": m.md5_of_body(),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": queue_arn,
                    "awsRegion": system_tests::REGION,
                })
            })
            .collect();
        invocations.fetch_add(1, Ordering::SeqCst);
        let failed: Vec<String> = match api.invoke(json!({ "Records": records }), limit).await {
            Ok(Outcome::Response(response)) => response["batchItemFailures"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
                .collect(),
            // A failed invocation returns the whole batch to the queue.
            _ => received
                .messages()
                .iter()
                .filter_map(|m| m.message_id().map(str::to_owned))
                .collect(),
        };
        for m in received.messages() {
            if !failed.iter().any(|id| Some(id.as_str()) == m.message_id()) {
                let _ = sqs
                    .delete_message()
                    .queue_url(&queue_url)
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .send()
                    .await;
            }
        }
    }
}

/// PutObject `{Bucket, Key, Body, ContentType?}` into moto's S3, answering with the ETag as
/// PutObject does. The error name is our reading of the AWS SDK integrations' naming (only
/// `ServiceName.ExceptionName` is documented); the definitions catch States.ALL there.
async fn put_into_moto(s3: &aws_sdk_s3::Client, p: &Value) -> Result<Value, StatesError> {
    let out = s3
        .put_object()
        .bucket(p["Bucket"].as_str().unwrap_or_default())
        .key(p["Key"].as_str().unwrap_or_default())
        .set_content_type(p["ContentType"].as_str().map(str::to_owned))
        .body(ByteStream::from(
            p["Body"].as_str().unwrap_or_default().as_bytes().to_vec(),
        ))
        .send()
        .await
        .map_err(|e| StatesError::new("S3.S3Exception", e.to_string()))?;
    Ok(json!({"ETag": out.e_tag()}))
}

fn body(envelope: &Value) -> Value {
    serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap()
}

async fn approved_photo_through_every_binary(w: &World) {
    w.stub.answer(fixture("compliant"), &[]);
    w.stub.reset_calls();
    let key = "uploads/jane doe+1 100%é.jpg";
    let x = w.validate_upload(key, portrait()).await;
    assert_eq!(
        x.status,
        ExecutionStatus::Succeeded,
        "approved: {:?} {:?}",
        x.error,
        x.cause
    );
    assert_eq!(x.output.as_ref().unwrap()["verdict"]["outcome"], "APPROVED");
    let messages = w.messages("approved", 1).await;
    assert_eq!(messages.len(), 1, "approved: one message on the approved topic");
    let b = body(&messages[0]);
    assert_eq!(b["photo"]["key"], key, "the key is decoded exactly once");
    assert_eq!(messages[0]["MessageAttributes"]["outcome"]["Value"], "APPROVED");
    assert_eq!(w.stub.calls().len(), 1);
    let call = &w.stub.calls()[0];
    assert_eq!(call["Image"]["S3Object"]["Name"], key);
    assert_eq!(call["Attributes"], json!(["ALL"]));
}

async fn rejected_photo(w: &World) {
    w.stub.answer(fixture("two_faces"), &[]);
    let x = w.validate_upload("uploads/class.jpg", portrait()).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "rejected: {:?}", x.cause);
    let messages = w.messages("rejected", 1).await;
    assert_eq!(messages.len(), 1, "rejected: one message on the rejected topic");
    let failed: Vec<String> = body(&messages[0])["failedChecks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(failed.contains(&"face.count".to_owned()), "{failed:?}");
}

async fn unanalyzable_file_costs_no_rekognition_call(w: &World) {
    w.stub.reset_calls();
    let x = w
        .validate_upload("uploads/notes.jpg", b"this is not a photo".to_vec())
        .await;
    assert_eq!(
        x.status,
        ExecutionStatus::Succeeded,
        "unanalyzable: {:?}",
        x.cause
    );
    assert_eq!(w.stub.calls().len(), 0, "unanalyzable: no DetectFaces call");
    let messages = w.messages("rejected", 1).await;
    assert_eq!(messages.len(), 1, "unanalyzable: one rejection");
}

async fn deleted_photo_is_reported_to_alerts(w: &World) {
    let key = "uploads/gone.jpg";
    let bytes = portrait();
    let size = bytes.len();
    let version = w.upload(key, bytes).await;
    let Outcome::Response(report) = w
        .invoke("start-validation", w.s3_event(key, &version, size))
        .await
    else {
        panic!("deleted: start-validation failed");
    };
    w.s3.delete_object()
        .bucket(BUCKET)
        .key(key)
        .version_id(&version)
        .send()
        .await
        .unwrap();
    let name = report["started"][0].as_str().unwrap().to_owned();
    let (_, input) = w
        .executions()
        .await
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap();
    let x = w.run_workflow(&name, input).await;
    assert_eq!(x.status, ExecutionStatus::Failed, "deleted: the execution fails");
    assert_eq!(
        x.error.as_deref(),
        Some("PhotoNotFound"),
        "deleted: {:?}",
        x.cause
    );
    let alerts = w.messages("alerts", 1).await;
    assert_eq!(alerts.len(), 1, "deleted: one alert");
    assert_eq!(body(&alerts[0])["error"], "PhotoNotFound");
}

async fn throttled_detection_is_redelivered_by_the_queue_then_succeeds(w: &World) {
    // More throttles than the SDK's own three attempts: the message goes back to the queue
    // and its next receive succeeds; the state itself never retries.
    w.stub.answer(
        fixture("compliant"),
        &[
            (400, "ThrottlingException"),
            (400, "ThrottlingException"),
            (400, "ThrottlingException"),
            (400, "ProvisionedThroughputExceededException"),
        ],
    );
    w.stub.reset_calls();
    let before = w.detect_invocations.load(Ordering::SeqCst);
    let x = w.validate_upload("uploads/busy-day.jpg", portrait()).await;
    assert_eq!(x.status, ExecutionStatus::Succeeded, "throttled: {:?}", x.cause);
    assert!(
        w.stub.calls().len() >= 5,
        "throttled: {} calls",
        w.stub.calls().len()
    );
    let invocations = w.detect_invocations.load(Ordering::SeqCst) - before;
    assert!(
        invocations >= 2,
        "throttled: redelivered ({invocations} invocations)"
    );
    assert!(
        x.history.iter().all(|e| e.kind != "TaskRetryScheduled"),
        "throttled: the queue absorbed it, not the state's Retry"
    );
    assert_eq!(w.messages("approved", 1).await.len(), 1);
}

async fn a_repeated_s3_event_starts_one_execution(w: &World) {
    w.stub.answer(fixture("compliant"), &[]);
    let key = "uploads/twice.jpg";
    let bytes = portrait();
    let size = bytes.len();
    let version = w.upload(key, bytes).await;
    let event = w.s3_event(key, &version, size);
    let before = w.executions().await.len();
    let Outcome::Response(first) = w.invoke("start-validation", event.clone()).await else {
        panic!("repeat: first delivery failed");
    };
    let Outcome::Response(second) = w.invoke("start-validation", event).await else {
        panic!("repeat: second delivery failed");
    };
    assert_eq!(first["started"].as_array().unwrap().len(), 1);
    // AWS answers a StartExecution with the name and input of an open execution with that
    // execution (success); once it closed, with ExecutionAlreadyExists. Either way the second
    // delivery names the first execution and starts nothing new.
    let named: Vec<&Value> = ["started", "alreadyStarted"]
        .iter()
        .flat_map(|k| second[*k].as_array().into_iter().flatten())
        .collect();
    assert_eq!(
        named,
        vec![&first["started"][0]],
        "repeat: the second delivery is absorbed: {second}"
    );
    let executions = w.executions().await;
    assert_eq!(executions.len(), before + 1, "repeat: one execution");
    let name = first["started"][0].as_str().unwrap();
    let (_, input) = executions.into_iter().find(|(n, _)| n == name).unwrap();
    w.run_workflow(name, input).await;
    assert_eq!(w.messages("approved", 1).await.len(), 1, "repeat: one message");
}

/// Faces paid for once: the first validation of a version keeps its analysis in the
/// bucket (KeepFaces), and any later validation of that version reads it back through
/// fetch-metadata instead of calling Rekognition; a new version is detected again.
async fn a_version_s_faces_are_detected_once(w: &World) {
    w.stub.answer(fixture("compliant"), &[]);
    w.stub.reset_calls();
    let key = "uploads/once.jpg";
    let first = w.validate_upload(key, portrait()).await;
    assert_eq!(
        first.status,
        ExecutionStatus::Succeeded,
        "once: {:?}",
        first.cause
    );
    assert_eq!(w.stub.calls().len(), 1, "once: the first validation detects");
    let kept = first.output.as_ref().unwrap()["metadata"]["facesKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(kept.starts_with("analysis/v1/"), "once: {kept}");
    w.s3.head_object().bucket(BUCKET).key(&kept).send().await.unwrap();
    // The same version again (the execution's input as start-validation gave it).
    let again = w.run_workflow("once-again", first.input.clone()).await;
    assert_eq!(
        again.status,
        ExecutionStatus::Succeeded,
        "once: {:?}",
        again.cause
    );
    assert_eq!(
        w.stub.calls().len(),
        1,
        "once: the same version costs no second detection"
    );
    assert_eq!(
        again.output.as_ref().unwrap()["verdict"],
        first.output.as_ref().unwrap()["verdict"]
    );
    // A new version of the same key is a new photo.
    let mut changed = portrait();
    changed.extend_from_slice(b"\0\0");
    let newer = w.validate_upload(key, changed).await;
    assert_eq!(
        newer.status,
        ExecutionStatus::Succeeded,
        "once: {:?}",
        newer.cause
    );
    assert_eq!(w.stub.calls().len(), 2, "once: a new version is detected again");
    w.messages("approved", 3).await;
}

/// The re-validation after a rules change: every photo under a prefix judged again by the
/// run's profile, results written to the bucket, and one summary read back from them by
/// summarize-run and published to the fitting topic.
async fn revalidation_summarizes_the_bucket_once(w: &World) {
    w.stub.answer(fixture("compliant"), &[]);
    for (key, bytes) in [
        ("uploads/again/a.jpg", portrait()),
        ("uploads/again/b.txt.jpg", b"not a photo".to_vec()),
    ] {
        w.s3.put_object()
            .bucket(BUCKET)
            .key(key)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .unwrap();
    }
    w.stub.reset_calls();
    let input = json!({"prefix": "uploads/again/", "profile": "icao"});
    let x = w.run_revalidation("revalidate-icao", input).await;
    assert_eq!(
        x.status,
        ExecutionStatus::Succeeded,
        "revalidation: {:?} {:?}",
        x.error,
        x.cause
    );
    let report = &x.output.as_ref().unwrap()["summary"];
    assert_eq!(report["topic"], "rejected", "revalidation: {report}");
    let summary = &report["summary"];
    assert_eq!(
        (&summary["items"], &summary["approved"], &summary["rejected"]),
        (&json!(2), &json!(1), &json!(1))
    );
    // The results the summary read are in the bucket, where the template lets it read.
    let manifest = summary["results"]["manifest"].as_str().unwrap();
    assert!(manifest.starts_with("revalidation/") && manifest.ends_with("/manifest.json"));
    w.s3.head_object()
        .bucket(BUCKET)
        .key(manifest)
        .send()
        .await
        .unwrap();
    // The listed photo named no version: its detection read the version fetch-metadata read.
    let calls = w.stub.calls();
    assert_eq!(
        calls.len(),
        1,
        "revalidation: one detection (the text file is not analyzable)"
    );
    assert_eq!(calls[0]["Image"]["S3Object"]["Name"], "uploads/again/a.jpg");
    assert!(
        calls[0]["Image"]["S3Object"]["Version"].is_string(),
        "revalidation: {}",
        calls[0]
    );
    let messages = w.messages("rejected", 1).await;
    assert_eq!(
        messages.len(),
        1,
        "revalidation: one summary, no per-photo message"
    );
    let b = body(&messages[0]);
    assert_eq!(b["kind"], "revalidationSummary");
    assert_eq!(
        messages[0]["MessageAttributes"]["kind"]["Value"],
        "revalidationSummary"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_release_binaries_end_to_end_on_a_local_aws() {
    let Some(moto) = moto::start() else { return };
    let w = World::new(&moto).await;
    approved_photo_through_every_binary(&w).await;
    rejected_photo(&w).await;
    unanalyzable_file_costs_no_rekognition_call(&w).await;
    deleted_photo_is_reported_to_alerts(&w).await;
    throttled_detection_is_redelivered_by_the_queue_then_succeeds(&w).await;
    a_repeated_s3_event_starts_one_execution(&w).await;
    a_version_s_faces_are_detected_once(&w).await;
    revalidation_summarizes_the_bucket_once(&w).await;
    for f in w.functions.values() {
        assert!(f.api.next_polls() >= 1, "{} never polled", f.package);
        // AWS_LAMBDA_LOG_FORMAT=JSON: one JSON object per line, for CloudWatch Logs Insights;
        // photos are biometric data, so no face detail and no image bytes in any line.
        let logs = f.logs();
        assert!(!logs.trim().is_empty(), "{} logged nothing", f.package);
        // Beside the log entries, embedded-metric-format documents (CloudWatch extracts the
        // metrics): every function times its invocations, evaluate-rules counts verdicts.
        let mut metrics = std::collections::BTreeSet::new();
        for line in logs.lines().filter(|l| !l.trim().is_empty()) {
            let entry: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}: a log line that is not JSON ({e}): {line}", f.package));
            match entry["_aws"]["CloudWatchMetrics"].as_array() {
                Some(directives) => {
                    // Metric dimensions name profiles, outcomes, checks and steps: no key.
                    assert!(!line.contains("uploads/"), "{}: {line}", f.package);
                    for m in directives.iter().flat_map(|d| d["Metrics"].as_array().unwrap()) {
                        let name = m["Name"].as_str().unwrap();
                        assert!(entry[name].is_number(), "{}: {line}", f.package);
                        metrics.insert(name.to_owned());
                    }
                }
                None => assert!(entry["level"].is_string(), "{}: {line}", f.package),
            }
            for secret in ["Landmarks", "BoundingBox", "FaceDetails", "/9j/"] {
                assert!(!line.contains(secret), "{} logged {secret}: {line}", f.package);
            }
        }
        assert!(metrics.contains("StepLatency"), "{}: {metrics:?}", f.package);
        if f.package == "evaluate-rules" {
            assert!(
                metrics.contains("Photos") && metrics.contains("FailedChecks"),
                "{metrics:?}"
            );
        }
    }
}

/// Every variable a `main.rs` requires (`required_env`, `env_positive`), by function.
fn required_variables() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for package in system_tests::functions::template_functions().keys() {
        let main =
            std::fs::read_to_string(root().join("functions").join(package).join("src/main.rs")).unwrap();
        for call in ["required_env(\"", "env_positive(\""] {
            for (i, m) in main.match_indices(call) {
                let rest = &main[i + m.len()..];
                out.push((package.clone(), rest[..rest.find('"').unwrap()].to_owned()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_environment_variable_fails_the_init_naming_it() {
    let required = required_variables();
    assert!(required.len() >= 4, "the scan found {required:?}");
    // Any ARN will do: the init stops before a client is used.
    let refs: BTreeMap<&str, String> = ["ApprovedTopic", "RejectedTopic", "AlertsTopic", "PhotoValidation"]
        .into_iter()
        .map(|id| {
            (
                id,
                format!("arn:aws:sns:{}:123456789012:{id}", system_tests::REGION),
            )
        })
        .chain([
            ("RulesProfile", "icao".to_owned()),
            ("RulesOverrides", String::new()),
            ("DetectFacesTps", "50".to_owned()),
            ("DetectFacesConcurrency", "10".to_owned()),
        ])
        .collect();
    for (package, missing) in required {
        let env: Vec<(String, String)> = template_env(&package, &refs)
            .into_iter()
            .filter(|(k, _)| *k != missing)
            .collect();
        let mut f = Function::start(&package, &env, &[]).await;
        let status = f
            .exited_within(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("{package} without {missing} must stop, not serve"));
        assert!(!status.success(), "{package} without {missing}: {status}");
        let logs = f.logs();
        assert!(
            logs.contains(&missing),
            "{package}: the init error names {missing}: {logs}"
        );
        // lambda_runtime posts nothing to /runtime/init/error for an error returned before
        // `run`: Lambda reports such an exit as Runtime.ExitError, with these log lines.
        assert_eq!(
            f.api.next_polls(),
            0,
            "{package} without {missing} asked for an event"
        );
    }
}
