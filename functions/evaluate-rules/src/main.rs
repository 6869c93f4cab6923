use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let name = std::env::var("RULES_PROFILE").ok();
    let overrides = std::env::var("RULES_OVERRIDES").ok();
    // An invalid configuration fails the cold start, not the first photo.
    let profile = evaluate_rules::profile_from(name.as_deref(), overrides.as_deref())?;
    tracing::info!(profile = %profile.name, "rules loaded");
    let profile = &profile;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        evaluate_rules::handle(event.payload, profile).map_err(lambda_support::diagnostic)
    }))
    .await
}
