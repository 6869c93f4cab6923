use aws_adapters::rekognition::RekognitionFaceDetector;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let detector = RekognitionFaceDetector::new(aws_sdk_rekognition::Client::new(&config));
    let detector = &detector;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        detect_faces::handle(event.payload, detector)
            .await
            .map_err(lambda_support::diagnostic)
    }))
    .await
}
