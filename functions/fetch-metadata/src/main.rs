use std::time::Duration;

use aws_adapters::s3::S3ObjectStore;
use aws_adapters::{load_sdk_config, SdkTimeouts};
use fetch_metadata::FaceAnalyses;
use lambda_runtime::Error;
use lambda_support::env_or;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let prefix: String = env_or("FACE_ANALYSES_PREFIX", String::new())?;
    let analyses = FaceAnalyses {
        prefix: (!prefix.is_empty()).then_some(prefix),
    };
    // template.yaml: Timeout 10 (Globals).
    let config = load_sdk_config(SdkTimeouts::within(Duration::from_secs(10))).await;
    let store =
        S3ObjectStore::new(aws_sdk_s3::Client::new(&config)).with_body_stall_timeout(Duration::from_secs(3));
    lambda_support::serve("fetch-metadata", |payload| {
        fetch_metadata::handle(payload, &store, &analyses)
    })
    .await
}
