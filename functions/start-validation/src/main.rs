use std::time::Duration;

use aws_adapters::sfn::SfnWorkflowStarter;
use aws_adapters::{load_sdk_config, SdkTimeouts};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let state_machine_arn = lambda_support::required_env("STATE_MACHINE_ARN")?;
    // template.yaml: Timeout 10 (Globals).
    let config = load_sdk_config(SdkTimeouts::within(Duration::from_secs(10))).await;
    let starter = SfnWorkflowStarter::new(aws_sdk_sfn::Client::new(&config), state_machine_arn);
    lambda_support::serve("start-validation", |payload| {
        start_validation::handle(payload, &starter)
    })
    .await
}
