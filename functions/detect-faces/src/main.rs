use std::time::Duration;

use aws_adapters::rekognition::RekognitionFaceDetector;
use aws_adapters::{load_sdk_config, SdkTimeouts};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    // template.yaml: Timeout 15.
    let config = load_sdk_config(SdkTimeouts::within(Duration::from_secs(15))).await;
    let detector = RekognitionFaceDetector::new(aws_sdk_rekognition::Client::new(&config));
    lambda_support::serve(|payload| detect_faces::handle(payload, &detector)).await
}
