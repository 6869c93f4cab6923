//! Wire tests: the real SDK clients and our adapters against moto server (a local AWS
//! emulator) started here on a free loopback port and stopped afterwards. moto has no
//! Rekognition DetectFaces; that adapter is tested with SDK-level mocks instead.
//! (moto_server is found as `system_tests::moto` says.)

use aws_adapters::s3::S3ObjectStore;
use aws_adapters::sfn::SfnWorkflowStarter;
use aws_adapters::sns::{SnsNotifier, TopicArns};
use passport_model::{ImageFormat, ObjectStore, PhotoRef, StartOutcome, Topic, WorkflowStarter};
use serde_json::{json, Value};

use system_tests::moto;

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::new(w, h)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

#[tokio::test]
async fn fetch_metadata_reads_the_exact_version_with_a_ranged_read() {
    let Some(moto) = moto::start() else { return };
    let conf = moto::sdk_config(&moto.endpoint).await;
    let s3 = moto::versioned_bucket(&conf, "uploads").await;
    let key = "uploads/jane doe+1 100%é.jpg";
    let mut big = jpeg(640, 800);
    big.resize(200_000, 0); // trailing bytes: only the header range may be read
    let v1 = s3
        .put_object()
        .bucket("uploads")
        .key(key)
        .body(big.clone().into())
        .send()
        .await
        .unwrap();
    // A second version of another format: the handler must still read version 1.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x02\0\0\0".to_vec();
    s3.put_object()
        .bucket("uploads")
        .key(key)
        .body(png.into())
        .send()
        .await
        .unwrap();

    let store = S3ObjectStore::new(s3.clone());
    let mut photo = PhotoRef::new("uploads", key);
    photo.version_id = v1.version_id().map(str::to_owned);
    assert_eq!(store.read_range(&photo, 0, 100).await.unwrap().len(), 100);

    let analyses = fetch_metadata::FaceAnalyses {
        prefix: Some("analysis/v1".into()),
    };
    let fetched = fetch_metadata::handle(json!({"photo": photo}), &store, &analyses)
        .await
        .unwrap();
    let meta = &fetched.metadata;
    assert_eq!(meta.format, ImageFormat::Jpeg);
    assert_eq!((meta.width, meta.height), (Some(640), Some(800)));
    assert_eq!(meta.size_bytes, big.len() as u64);
    // The version's ETag, as S3 gives it (quoted) with the quotes trimmed, keys its analysis.
    let e_tag = v1.e_tag().unwrap().trim_matches('"').to_owned();
    assert_eq!(fetched.e_tag.as_deref(), Some(e_tag.as_str()));
    let faces_key = fetched.faces_key.clone().unwrap();
    assert_eq!(faces_key, fetch_metadata::faces_key("analysis/v1", key, &e_tag));
    assert_eq!(fetched.known_faces, None, "nothing kept yet");
    // Kept (as the workflow's KeepFaces step writes it), it is read back for that version.
    let analysis = passport_model::FaceAnalysis {
        source: passport_model::FaceSource::Rekognition,
        faces: Vec::new(),
        refused: None,
        omitted_faces: 0,
    };
    s3.put_object()
        .bucket("uploads")
        .key(&faces_key)
        .body(serde_json::to_vec(&analysis).unwrap().into())
        .send()
        .await
        .unwrap();
    let again = fetch_metadata::handle(json!({"photo": photo}), &store, &analyses)
        .await
        .unwrap();
    assert_eq!(again.known_faces, Some(analysis));

    let mut gone = photo.clone();
    gone.version_id = Some("no-such-version".into());
    let err = fetch_metadata::handle(json!({"photo": gone}), &store, &analyses)
        .await
        .unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "PhotoNotFound");
    let err = fetch_metadata::handle(
        json!({"photo": {"bucket": "uploads", "key": "uploads/nothing.jpg"}}),
        &store,
        &analyses,
    )
    .await
    .unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "PhotoNotFound");
}

#[tokio::test]
async fn start_validation_starts_once_per_photo() {
    let Some(moto) = moto::start() else { return };
    let conf = moto::sdk_config(&moto.endpoint).await;
    let sfn = aws_sdk_sfn::Client::new(&conf);
    let definition = json!({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}).to_string();
    let sm = sfn
        .create_state_machine()
        .name("PhotoValidation")
        .definition(definition)
        .role_arn("arn:aws:iam::123456789012:role/sfn")
        .send()
        .await
        .unwrap();
    let starter = SfnWorkflowStarter::new(sfn.clone(), sm.state_machine_arn());
    let event: Value = serde_json::from_str(
        &std::fs::read_to_string(system_tests::root().join("events/s3-put.json")).unwrap(),
    )
    .unwrap();
    let first = start_validation::handle(event.clone(), &starter).await.unwrap();
    assert_eq!(first.started.len(), 1);
    // S3 delivers at least once: the repeat names the same execution. Step Functions answers
    // an identical request for a running execution with success, and a closed one (or other
    // input) with ExecutionAlreadyExists; either way no second workflow starts.
    let second = start_validation::handle(event, &starter).await.unwrap();
    let repeated: Vec<&String> = second.started.iter().chain(&second.already_started).collect();
    assert_eq!(repeated, vec![&first.started[0]]);
    assert_eq!(
        starter.start_execution(&first.started[0], "{}").await.unwrap(),
        StartOutcome::AlreadyStarted
    );
    let executions = sfn
        .list_executions()
        .state_machine_arn(sm.state_machine_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(executions.executions().len(), 1);
    let described = sfn
        .describe_execution()
        .execution_arn(executions.executions()[0].execution_arn())
        .send()
        .await
        .unwrap();
    let input: Value = serde_json::from_str(described.input().unwrap()).unwrap();
    assert_eq!(input["photo"]["key"], "uploads/jane doe+1 100%é.jpg");
}

#[tokio::test]
async fn notify_publishes_body_and_attributes_that_subscribers_receive() {
    let Some(moto) = moto::start() else { return };
    let conf = moto::sdk_config(&moto.endpoint).await;
    let sns = aws_sdk_sns::Client::new(&conf);
    let sqs = aws_sdk_sqs::Client::new(&conf);
    let mut arns = Vec::new();
    for name in ["approved", "rejected", "alerts"] {
        arns.push(
            sns.create_topic()
                .name(name)
                .send()
                .await
                .unwrap()
                .topic_arn()
                .unwrap()
                .to_owned(),
        );
    }
    let queue_url = sqs
        .create_queue()
        .queue_name("rejected-subscriber")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn).cloned())
        .unwrap();
    sns.subscribe()
        .topic_arn(&arns[1])
        .protocol("sqs")
        .endpoint(&queue_arn)
        .send()
        .await
        .unwrap();

    let notifier = SnsNotifier::new(
        sns,
        TopicArns {
            approved: arns[0].clone(),
            rejected: arns[1].clone(),
            alerts: arns[2].clone(),
        },
    );
    let input: Value = serde_json::from_str(
        &std::fs::read_to_string(system_tests::root().join("events/notify.json")).unwrap(),
    )
    .unwrap();
    let receipt = notify::handle(input, &notifier).await.unwrap();
    assert_eq!(receipt.topic, Topic::Rejected);

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .wait_time_seconds(5)
        .send()
        .await
        .unwrap();
    let envelope: Value = serde_json::from_str(received.messages()[0].body().unwrap()).unwrap();
    assert_eq!(envelope["MessageId"], receipt.message_id);
    assert!(envelope["Subject"]
        .as_str()
        .unwrap()
        .starts_with("Passport photo rejected: uploads/jane doe+1"));
    assert_eq!(envelope["MessageAttributes"]["outcome"]["Value"], "REJECTED");
    assert_eq!(envelope["MessageAttributes"]["profile"]["Value"], "us");
    let body: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
    // MessageStructure json: an SQS subscriber gets the "default" member, the JSON body
    // (AWS: a protocol without its own key gets "default").
    assert_eq!(body["failedChecks"][0]["id"], "face.head_size");
    assert_eq!(body["outcome"], "REJECTED");
    assert_eq!(body["schemaVersion"], 1);
}
