use aws_adapters::s3::S3ObjectStore;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = S3ObjectStore::new(aws_sdk_s3::Client::new(&config));
    let store = &store;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        fetch_metadata::handle(event.payload, store)
            .await
            .map_err(lambda_support::diagnostic)
    }))
    .await
}
