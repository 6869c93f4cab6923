//! Step Functions' task-token answers on loopback: `SendTaskSuccess` and `SendTaskFailure`
//! (AWS JSON 1.0) settle the waiter the test registered for a token; an unknown or already
//! answered token gets `TaskDoesNotExist`, as AWS answers it. The queue consumer reaches it
//! through `AWS_ENDPOINT_URL_SFN`, while the rest of Step Functions stays on moto.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::sync::oneshot;

use crate::http::{serve, Response};

/// What a worker answered: the output, or (error, cause).
pub type TaskResult = Result<Value, (String, String)>;

type Waiters = Arc<Mutex<HashMap<String, oneshot::Sender<TaskResult>>>>;

pub struct TaskTokens {
    addr: SocketAddr,
    waiters: Waiters,
}

fn answer(waiters: &Waiters, target: &str, body: &Value) -> Response {
    let token = body["taskToken"].as_str().unwrap_or_default();
    let result = match target {
        "AWSStepFunctions.SendTaskSuccess" => {
            match serde_json::from_str(body["output"].as_str().unwrap_or_default()) {
                Ok(output) => Ok(output),
                Err(e) => {
                    return Response::json(400, &json!({"__type": "InvalidOutput", "message": e.to_string()}))
                }
            }
        }
        "AWSStepFunctions.SendTaskFailure" => Err((
            body["error"].as_str().unwrap_or_default().to_owned(),
            body["cause"].as_str().unwrap_or_default().to_owned(),
        )),
        other => {
            return Response::json(
                400,
                &json!({"__type": "UnknownOperationException", "message": other}),
            )
        }
    };
    match waiters.lock().ok().and_then(|mut w| w.remove(token)) {
        Some(waiter) => {
            let _ = waiter.send(result);
            Response::json(200, &json!({}))
        }
        None => Response::json(
            400,
            &json!({"__type": "TaskDoesNotExist", "message": "Task does not exist anymore"}),
        ),
    }
}

impl TaskTokens {
    pub async fn start() -> Self {
        let waiters: Waiters = Arc::default();
        let w = waiters.clone();
        let addr = serve(move |req| {
            let target = req.headers.get("x-amz-target").cloned().unwrap_or_default();
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let response = answer(&w, &target, &body)
                .with_header("Content-Type", "application/x-amz-json-1.0")
                .with_header("x-amzn-RequestId", "stub");
            async move { response }
        })
        .await;
        Self { addr, waiters }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The answer to `token`, once a worker sends it.
    pub fn wait_for(&self, token: &str) -> oneshot::Receiver<TaskResult> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiters.lock() {
            w.insert(token.to_owned(), tx);
        }
        rx
    }
}
