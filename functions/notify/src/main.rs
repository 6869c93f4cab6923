use std::time::Duration;

use aws_adapters::sns::{SnsNotifier, TopicArns};
use aws_adapters::{load_sdk_config, SdkTimeouts};
use lambda_runtime::Error;
use lambda_support::required_env;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let topics = TopicArns {
        approved: required_env("APPROVED_TOPIC_ARN")?,
        rejected: required_env("REJECTED_TOPIC_ARN")?,
        alerts: required_env("ALERTS_TOPIC_ARN")?,
    };
    // template.yaml: Timeout 10 (Globals).
    let config = load_sdk_config(SdkTimeouts::within(Duration::from_secs(10))).await;
    let notifier = SnsNotifier::new(aws_sdk_sns::Client::new(&config), topics);
    lambda_support::serve("notify", |payload| notify::handle(payload, &notifier)).await
}
