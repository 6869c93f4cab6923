use aws_adapters::sfn::SfnWorkflowStarter;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let state_machine_arn = lambda_support::required_env("STATE_MACHINE_ARN")?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let starter = SfnWorkflowStarter::new(aws_sdk_sfn::Client::new(&config), state_machine_arn);
    let starter = &starter;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        start_validation::handle(event.payload, starter)
            .await
            .map_err(lambda_support::diagnostic)
    }))
    .await
}
