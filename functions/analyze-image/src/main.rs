use analyze_image::AnalyzeConfig;
use aws_adapters::s3::S3ObjectStore;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use photo_measures::DecodeLimits;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let defaults = AnalyzeConfig::default();
    let config = AnalyzeConfig {
        max_object_bytes: lambda_support::env_or("MAX_OBJECT_BYTES", defaults.max_object_bytes)?,
        decode: DecodeLimits {
            max_pixels: lambda_support::env_or("MAX_PIXELS", defaults.decode.max_pixels)?,
            ..defaults.decode
        },
        ..defaults
    };
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = S3ObjectStore::new(aws_sdk_s3::Client::new(&aws));
    let (store, config) = (&store, &config);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        analyze_image::handle(event.payload, store, config)
            .await
            .map_err(lambda_support::diagnostic)
    }))
    .await
}
