//! A Lambda Runtime API on loopback (the interface every `provided.al2023` function polls):
//! `GET /2018-06-01/runtime/invocation/next` hands out queued events with Lambda's headers,
//! `…/{id}/response` and `…/{id}/error` settle them.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::sync::{oneshot, Notify};

use crate::http::{serve, Response};

/// How an invocation ended, as Step Functions sees a Lambda result.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Response(Value),
    Error {
        error_type: String,
        error_message: String,
    },
}

struct Pending {
    payload: Value,
    request_id: String,
    /// When the invocation times out, as Lambda's `Lambda-Runtime-Deadline-Ms` says.
    deadline: SystemTime,
    reply: oneshot::Sender<Outcome>,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<VecDeque<Pending>>,
    in_flight: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    arrived: Notify,
    next_polls: Mutex<u32>,
}

/// One function's Runtime API.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    function_arn: String,
    counter: Mutex<u64>,
}

impl RuntimeApi {
    pub async fn start(function_name: &str) -> Self {
        let shared = Arc::new(Shared::default());
        let function_arn = format!(
            "arn:aws:lambda:{}:123456789012:function:{function_name}",
            crate::REGION
        );
        let (s, arn) = (shared.clone(), function_arn.clone());
        let addr = serve(move |req| {
            let (s, arn) = (s.clone(), arn.clone());
            async move { handle(&s, &arn, req.method.as_str(), &req.path, &req.body).await }
        })
        .await;
        Self {
            addr,
            shared,
            function_arn,
            counter: Mutex::new(0),
        }
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    pub fn function_arn(&self) -> &str {
        &self.function_arn
    }

    /// How often the function asked for its next event (its first ask ends its init).
    pub fn next_polls(&self) -> u32 {
        self.shared.next_polls.lock().map(|n| *n).unwrap_or(0)
    }

    /// Queues `payload` for the function and waits for its response or error.
    pub async fn invoke(&self, payload: Value, limit: Duration) -> Result<Outcome, String> {
        let (tx, rx) = oneshot::channel();
        let request_id = {
            let mut c = self.counter.lock().map_err(|e| e.to_string())?;
            *c += 1;
            format!("00000000-0000-4000-8000-{:012}", *c)
        };
        self.shared
            .queue
            .lock()
            .map_err(|e| e.to_string())?
            .push_back(Pending {
                payload,
                request_id,
                deadline: SystemTime::now() + limit,
                reply: tx,
            });
        self.shared.arrived.notify_one();
        match tokio::time::timeout(limit, rx).await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(_)) => Err("the invocation was dropped".into()),
            Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
        }
    }
}

async fn handle(s: &Shared, arn: &str, method: &str, path: &str, body: &[u8]) -> Response {
    let rest = path.strip_prefix("/2018-06-01/runtime/").unwrap_or_default();
    match (method, rest) {
        ("GET", "invocation/next") => {
            if let Ok(mut n) = s.next_polls.lock() {
                *n += 1;
            }
            let next = loop {
                let notified = s.arrived.notified();
                if let Some(p) = s.queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    break p;
                }
                notified.await;
            };
            let deadline = next
                .deadline
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis();
            if let Ok(mut f) = s.in_flight.lock() {
                f.insert(next.request_id.clone(), next.reply);
            }
            Response::json(200, &next.payload)
                .with_header("Lambda-Runtime-Aws-Request-Id", next.request_id)
                .with_header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
                .with_header("Lambda-Runtime-Invoked-Function-Arn", arn)
                .with_header(
                    "Lambda-Runtime-Trace-Id",
                    "Root=1-00000000-000000000000000000000000;Sampled=0",
                )
        }
        ("POST", rest) if rest.starts_with("invocation/") => {
            let mut parts = rest.split('/');
            let (_, id, kind) = (parts.next(), parts.next().unwrap_or_default(), parts.next());
            let outcome = match kind {
                Some("response") => Outcome::Response(serde_json::from_slice(body).unwrap_or(Value::Null)),
                Some("error") => {
                    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                    Outcome::Error {
                        error_type: v["errorType"].as_str().unwrap_or_default().to_owned(),
                        error_message: v["errorMessage"].as_str().unwrap_or_default().to_owned(),
                    }
                }
                _ => return Response::json(404, &json!({"message": "unknown path"})),
            };
            match s.in_flight.lock().ok().and_then(|mut f| f.remove(id)) {
                Some(reply) => {
                    let _ = reply.send(outcome);
                    Response::json(202, &json!({"status": "OK"}))
                }
                None => Response::json(400, &json!({"errorType": "InvalidRequestID"})),
            }
        }
        _ => Response::json(404, &json!({"message": "unknown path"})),
    }
}
