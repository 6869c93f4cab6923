use aws_adapters::s3::S3ObjectStore;
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = S3ObjectStore::new(aws_sdk_s3::Client::new(&config));
    lambda_support::serve(|payload| fetch_metadata::handle(payload, &store)).await
}
