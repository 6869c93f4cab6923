// The metered detector nests one more future in the serve loop's: the layout of main's
// future goes past the default query depth of 128.
#![recursion_limit = "256"]

use std::time::{Duration, SystemTime};

use aws_adapters::rekognition::RekognitionFaceDetector;
use aws_adapters::sfn_tasks::SfnTaskCallback;
use aws_adapters::{load_sdk_config, SdkTimeouts};
use detect_faces::queue::{consume, Pacer};
use lambda_runtime::Error;
use lambda_support::env_positive;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    // template.yaml: DetectFacesTps and DetectFacesConcurrency (the event source mapping's
    // MaximumConcurrency).
    let tps: f64 = env_positive("DETECT_FACES_TPS")?;
    let concurrency: u32 = env_positive("DETECT_FACES_CONCURRENCY")?;
    let pacer = Pacer::new(tps, concurrency);
    // One DetectFaces call and one callback must fit queue::TIME_FOR_ONE_RECORD.
    let config = load_sdk_config(SdkTimeouts::within(Duration::from_secs(7))).await;
    let detector = detect_faces::Metered(RekognitionFaceDetector::new(aws_sdk_rekognition::Client::new(
        &config,
    )));
    let callback = SfnTaskCallback::new(aws_sdk_sfn::Client::new(&config));
    lambda_support::serve_until("detect-faces", |payload, deadline: SystemTime| {
        let time_left = move || deadline.duration_since(SystemTime::now()).unwrap_or_default();
        consume(payload, &detector, &callback, &pacer, time_left)
    })
    .await
}
