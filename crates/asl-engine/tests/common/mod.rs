//! What the conformance files share: an engine with a few task handlers, and helpers to
//! run a definition on it.
#![allow(dead_code)] // each test file uses a part

use std::sync::Arc;
use std::time::Duration;

use asl_engine::*;
use serde_json::{json, Value};

pub fn engine(clock: &VirtualClock) -> Engine {
    let mut e = Engine::new(Arc::new(clock.clone()));
    e.register("echo", |v: Value| async move { Ok(v) });
    e.register("double", |v: Value| async move {
        Ok(json!(v["n"].as_i64().unwrap_or(0) * 2))
    });
    e.register("boom", |_v: Value| async move {
        Err(StatesError::new("PhotoNotFound", "gone"))
    });
    e
}

pub async fn run(def: Value, input: Value) -> Execution {
    let clock = VirtualClock::default();
    run_with(&engine(&clock), def, input).await
}

pub async fn run_with(e: &Engine, def: Value, input: Value) -> Execution {
    let sm = parse_definition(&def.to_string()).unwrap();
    e.execute(&sm, "test", input).await
}

pub fn kinds(x: &Execution) -> Vec<&str> {
    x.history.iter().map(|e| e.kind.as_str()).collect()
}

/// A task that never finishes: an execution that waits for it would hang.
pub fn engine_with_a_hanging_task(clock: &VirtualClock) -> Engine {
    let mut e = engine(clock);
    e.register("hang", |_v: Value| async move {
        std::future::pending::<()>().await;
        Ok(Value::Null)
    });
    e
}

pub async fn within_ten_seconds(x: impl std::future::Future<Output = Execution>) -> Execution {
    tokio::time::timeout(Duration::from_secs(10), x)
        .await
        .expect("the execution waited for a branch after another had failed")
}
