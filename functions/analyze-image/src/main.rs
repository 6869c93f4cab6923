use analyze_image::AnalyzeConfig;
use std::time::Duration;

use aws_adapters::s3::S3ObjectStore;
use aws_adapters::{load_sdk_config, SdkTimeouts};
use lambda_runtime::Error;
use photo_measures::DecodeLimits;

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
    // template.yaml: Timeout 30.
    let aws = load_sdk_config(SdkTimeouts::within(Duration::from_secs(30))).await;
    let store =
        S3ObjectStore::new(aws_sdk_s3::Client::new(&aws)).with_body_stall_timeout(Duration::from_secs(5));
    lambda_support::serve("analyze-image", |payload| {
        analyze_image::handle(payload, &store, &config)
    })
    .await
}
