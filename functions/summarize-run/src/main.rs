// Two SDK clients and the serve loop nest futures past the default query depth of 128
// (a compile-time limit on computing the layout of main's future).
#![recursion_limit = "256"]

use std::time::Duration;

use aws_adapters::s3::S3ObjectStore;
use aws_adapters::sns::{SnsNotifier, TopicArns};
use aws_adapters::{load_sdk_config, SdkTimeouts};
use lambda_runtime::Error;
use lambda_support::{env_or, required_env};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let topics = TopicArns {
        approved: required_env("APPROVED_TOPIC_ARN")?,
        rejected: required_env("REJECTED_TOPIC_ARN")?,
        alerts: required_env("ALERTS_TOPIC_ARN")?,
    };
    // Each result file is read whole: the function's memory (template.yaml) bounds it.
    let max_bytes: u64 = env_or("MAX_RESULT_FILE_BYTES", 400_000_000)?;
    // template.yaml: Timeout 300.
    let config = load_sdk_config(SdkTimeouts::within(Duration::from_secs(300))).await;
    let store = S3ObjectStore::new(aws_sdk_s3::Client::new(&config));
    let notifier = SnsNotifier::new(aws_sdk_sns::Client::new(&config), topics);
    lambda_support::serve("summarize-run", |payload| {
        summarize_run::handle(payload, &store, &notifier, max_bytes)
    })
    .await
}
