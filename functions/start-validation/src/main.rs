use aws_adapters::sfn::SfnWorkflowStarter;
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let state_machine_arn = lambda_support::required_env("STATE_MACHINE_ARN")?;
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let starter = SfnWorkflowStarter::new(aws_sdk_sfn::Client::new(&config), state_machine_arn);
    lambda_support::serve(|payload| start_validation::handle(payload, &starter)).await
}
