use aws_adapters::sns::{SnsNotifier, TopicArns};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use lambda_support::required_env;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let topics = TopicArns {
        approved: required_env("APPROVED_TOPIC_ARN")?,
        rejected: required_env("REJECTED_TOPIC_ARN")?,
        alerts: required_env("ALERTS_TOPIC_ARN")?,
    };
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let notifier = SnsNotifier::new(aws_sdk_sns::Client::new(&config), topics);
    let notifier = &notifier;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        notify::handle(event.payload, notifier)
            .await
            .map_err(lambda_support::diagnostic)
    }))
    .await
}
