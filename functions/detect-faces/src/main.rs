use aws_adapters::rekognition::RekognitionFaceDetector;
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let detector = RekognitionFaceDetector::new(aws_sdk_rekognition::Client::new(&config));
    lambda_support::serve(|payload| detect_faces::handle(payload, &detector)).await
}
