use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_support::init_tracing();
    let name = std::env::var("RULES_PROFILE").ok();
    let overrides = std::env::var("RULES_OVERRIDES").ok();
    // An invalid configuration fails the cold start, not the first photo.
    let profile = evaluate_rules::profile_from(name.as_deref(), overrides.as_deref())?;
    tracing::info!(profile = %profile.name, "rules loaded");
    let profile = &profile;
    lambda_support::serve("evaluate-rules", |payload| async move {
        let verdict = evaluate_rules::handle(payload, profile)?;
        lambda_support::metrics::emit(&evaluate_rules::verdict_metrics(&verdict));
        Ok::<_, evaluate_rules::EvaluateError>(verdict)
    })
    .await
}
