//! Amazon Rekognition's `DetectFaces` on loopback (moto has none): answers from a recorded
//! response in the AWS JSON 1.1 protocol, or with scripted errors first, and counts calls.
//! Functions reach it through `AWS_ENDPOINT_URL_REKOGNITION`, as they would any endpoint.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use crate::http::{serve, Request, Response};
use serde_json::{json, Value};

#[derive(Default)]
struct Script {
    /// Errors to answer first, one per call: (HTTP status, `__type`).
    errors: VecDeque<(u16, String)>,
    response: Value,
    calls: Vec<Value>,
}

fn answer(script: &Mutex<Script>, req: &Request) -> Response {
    let target = req.headers.get("x-amz-target").cloned().unwrap_or_default();
    let response = if target != "RekognitionService.DetectFaces" {
        Response::json(
            400,
            &json!({"__type": "UnknownOperationException", "message": target}),
        )
    } else {
        let mut sc = script.lock().expect("stub script");
        sc.calls
            .push(serde_json::from_slice(&req.body).unwrap_or(Value::Null));
        match sc.errors.pop_front() {
            Some((status, kind)) => Response::json(
                status,
                &json!({"__type": kind, "message": "scripted by the test"}),
            ),
            None => Response::json(200, &sc.response),
        }
    };
    response
        .with_header("Content-Type", "application/x-amz-json-1.1")
        .with_header("x-amzn-RequestId", "stub")
}

pub struct RekognitionStub {
    addr: SocketAddr,
    script: Arc<Mutex<Script>>,
}

impl RekognitionStub {
    pub async fn start() -> Self {
        let script = Arc::new(Mutex::new(Script {
            response: json!({"FaceDetails": []}),
            ..Script::default()
        }));
        let s = script.clone();
        let addr = serve(move |req| {
            let response = answer(&s, &req);
            async move { response }
        })
        .await;
        Self { addr, script }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next calls answer `response` (a DetectFaces response in AWS's JSON shape),
    /// after `errors` (status, error type) one call each.
    pub fn answer(&self, response: Value, errors: &[(u16, &str)]) {
        let mut s = self.script.lock().expect("stub script");
        s.response = response;
        s.errors = errors.iter().map(|(st, k)| (*st, (*k).to_owned())).collect();
    }

    /// The request bodies received so far.
    pub fn calls(&self) -> Vec<Value> {
        self.script.lock().map(|s| s.calls.clone()).unwrap_or_default()
    }

    pub fn reset_calls(&self) {
        if let Ok(mut s) = self.script.lock() {
            s.calls.clear();
        }
    }
}
