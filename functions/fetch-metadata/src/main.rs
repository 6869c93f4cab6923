use std::time::Duration;

use aws_adapters::s3::S3ObjectStore;
use aws_adapters::{load_sdk_config, SdkTimeouts};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    // template.yaml: Timeout 10 (Globals).
    let config = load_sdk_config(SdkTimeouts::within(Duration::from_secs(10))).await;
    let store =
        S3ObjectStore::new(aws_sdk_s3::Client::new(&config)).with_body_stall_timeout(Duration::from_secs(3));
    lambda_support::serve("fetch-metadata", |payload| {
        fetch_metadata::handle(payload, &store)
    })
    .await
}
