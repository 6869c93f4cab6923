//! `run` (any definition) and `history` (a saved execution, like the console's list).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use asl_engine::{Clock, ExecutionStatus, RealClock};
use passport_photo::twin;

use super::{dependencies, fail, PipelineArgs};
use clap::ValueEnum;

#[derive(Clone, Copy, ValueEnum)]
pub enum RunType {
    #[value(name = "STANDARD")]
    Standard,
    #[value(name = "EXPRESS")]
    Express,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Handlers {
    /// The photo pipeline's function ARNs run the real handlers.
    Builtin,
    /// Every task returns its input.
    Echo,
}

pub async fn run(
    definition: &Path,
    input: &Path,
    (handlers, workflow_type): (Handlers, RunType),
    args: &PipelineArgs,
) -> ExitCode {
    let text = match std::fs::read_to_string(definition) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {}: {e}", definition.display())),
    };
    let input: serde_json::Value = match std::fs::read_to_string(input)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return fail(format!("the input is not JSON: {e}")),
    };
    let sm = match twin::load_definition(&text) {
        Ok(sm) => sm,
        Err(e) => return fail(e),
    };
    let clock: Arc<dyn Clock> = Arc::new(RealClock);
    let engine = match handlers {
        Handlers::Echo => twin::echo_engine(clock, &sm),
        Handlers::Builtin => match dependencies(args, false) {
            Ok(d) => twin::pipeline_engine(clock, d),
            Err(e) => return fail(e),
        },
    };
    let workflow_type = match workflow_type {
        RunType::Standard => asl_engine::WorkflowType::Standard,
        RunType::Express => asl_engine::WorkflowType::Express,
    };
    let refused = workflow_type.refusals(&sm);
    if !refused.is_empty() {
        return fail(format!(
            "the definition cannot run as EXPRESS: {}",
            refused.join("; ")
        ));
    }
    let engine = engine.with_workflow_type(workflow_type);
    let missing = engine.missing_handlers(&sm);
    if !missing.is_empty() {
        return fail(format!("no handler for: {}", missing.join(", ")));
    }
    let x = engine.execute(&sm, "run", input).await;
    match x.status {
        ExecutionStatus::Succeeded => {
            println!("{}", x.output.unwrap_or_default());
            ExitCode::SUCCESS
        }
        ExecutionStatus::Failed | ExecutionStatus::TimedOut => {
            println!("{}", serde_json::json!({"error": x.error, "cause": x.cause}));
            ExitCode::from(1)
        }
    }
}

pub fn history(file: &Path) -> ExitCode {
    let execution: serde_json::Value = match std::fs::read(file)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    println!(
        "{}  {}",
        execution["name"].as_str().unwrap_or("?"),
        execution["status"].as_str().unwrap_or("?")
    );
    println!("{:>4}  {:<28} {:<16} TIMESTAMP", "ID", "TYPE", "STEP");
    for e in execution["history"].as_array().into_iter().flatten() {
        let details = e
            .as_object()
            .into_iter()
            .flatten()
            .find(|(k, _)| k.ends_with("EventDetails"))
            .map(|(_, v)| v);
        let step = details
            .and_then(|d| d.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or("");
        let extra = details
            .and_then(|d| d.get("error"))
            .and_then(|n| n.as_str())
            .map(|err| format!("  error: {err}"))
            .unwrap_or_default();
        println!(
            "{:>4}  {:<28} {:<16} {}{extra}",
            e["id"],
            e["type"].as_str().unwrap_or(""),
            step,
            e["timestamp"].as_str().unwrap_or("")
        );
    }
    ExitCode::SUCCESS
}
