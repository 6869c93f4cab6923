//! The modelled services behind the real handlers' ports: S3 holding one sample photo per
//! upload, Rekognition with its quota, SNS telling the ledger what subscribers received,
//! Step Functions' StartExecution and task-token callbacks.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use asl_engine::StatesError;
use passport_model::{
    FaceAnalysis, FaceDetector, Notifier, ObjectHead, ObjectStore, OutboundMessage, PhotoRef, PortError,
    StartOutcome, TaskAnswer, TaskCallback, Topic, WorkflowStarter,
};
use serde_json::Value;
use tokio::sync::oneshot;

use super::ledger::{Ledger, Outcome};
use super::sample::InMemory;
use super::world::{Attempt, Latency, Meter, World};

/// Median latencies of the modelled APIs, from a Lambda in the same region.
pub const S3_REQUEST: Latency = Latency::ms(20.0);
pub const S3_GET_PHOTO: Latency = Latency::ms(40.0);
pub const REKOGNITION_DETECT_FACES: Latency = Latency::ms(200.0);
pub const SNS_PUBLISH: Latency = Latency::ms(25.0);
pub const SFN_REQUEST: Latency = Latency::ms(25.0);
pub const SQS_REQUEST: Latency = Latency::ms(15.0);

/// Every upload is the same sample photo.
pub struct SampleBucket {
    pub world: Arc<World>,
    pub photo: Arc<Vec<u8>>,
}

impl ObjectStore for SampleBucket {
    async fn head(&self, photo: &PhotoRef) -> Result<ObjectHead, PortError> {
        self.world.call(S3_REQUEST, None, |_| {}).await?;
        InMemory(&self.photo).head(photo).await
    }

    async fn read_range(&self, photo: &PhotoRef, start: u64, len: u64) -> Result<Vec<u8>, PortError> {
        self.world.call(S3_REQUEST, None, |_| {}).await?;
        InMemory(&self.photo).read_range(photo, start, len).await
    }

    async fn read_all(&self, photo: &PhotoRef, max_bytes: u64) -> Result<Vec<u8>, PortError> {
        self.world.call(S3_GET_PHOTO, None, |_| {}).await?;
        InMemory(&self.photo).read_all(photo, max_bytes).await
    }
}

/// Rekognition's DetectFaces under the account's quota; finds the recorded faces.
pub struct Rekognition {
    pub world: Arc<World>,
    pub faces: FaceAnalysis,
}

impl FaceDetector for Rekognition {
    async fn detect_faces(&self, _photo: &PhotoRef) -> Result<FaceAnalysis, PortError> {
        let meter = &self.world.meter;
        self.world
            .call(
                REKOGNITION_DETECT_FACES,
                Some(&self.world.rekognition),
                |attempt| {
                    Meter::add(&meter.detect_calls, 1);
                    match attempt {
                        Attempt::Ok => Meter::add(&meter.detect_billed, 1),
                        Attempt::Throttled => Meter::add(&meter.throttled_calls, 1),
                        Attempt::Fault => {}
                    }
                },
            )
            .await?;
        Ok(self.faces.clone())
    }
}

/// SNS: what it delivers is what the ledger knows.
pub struct Topics {
    pub world: Arc<World>,
    pub ledger: Arc<Ledger>,
}

impl Notifier for Topics {
    async fn publish(&self, message: &OutboundMessage) -> Result<String, PortError> {
        self.world.call(SNS_PUBLISH, None, |_| {}).await?;
        Meter::add(&self.world.meter.sns_publishes, 1);
        let body: Value = serde_json::from_str(&message.body).unwrap_or(Value::Null);
        let key = body["photo"]["key"].as_str().unwrap_or_default();
        let outcome = match message.topic {
            Topic::Approved | Topic::Rejected => Outcome::Verdict,
            Topic::Alerts => Outcome::Alert,
        };
        let cause = body["error"].as_str().unwrap_or_default();
        self.ledger
            .record(key, outcome, &format!("ReportFailure: {cause}"));
        Ok(format!("sim-{}", Meter::get(&self.world.meter.sns_publishes)))
    }
}

/// Starts an execution (the caller supplies how): name → input.
pub type Launch = Box<dyn Fn(String, String) + Send + Sync>;

/// Step Functions' StartExecution under its quota, idempotent by name.
pub struct Executions {
    pub world: Arc<World>,
    pub started: Mutex<BTreeSet<String>>,
    pub launch: Launch,
}

impl WorkflowStarter for Executions {
    async fn start_execution(&self, name: &str, input: &str) -> Result<StartOutcome, PortError> {
        let meter = &self.world.meter;
        self.world
            .call(SFN_REQUEST, Some(&self.world.start_execution), |attempt| {
                Meter::add(&meter.start_execution_calls, 1);
                if attempt == Attempt::Throttled {
                    Meter::add(&meter.start_execution_throttled, 1);
                }
            })
            .await?;
        let new = self
            .started
            .lock()
            .map(|mut s| s.insert(name.to_owned()))
            .unwrap_or(false);
        if !new {
            return Ok(StartOutcome::AlreadyStarted);
        }
        (self.launch)(name.to_owned(), input.to_owned());
        Ok(StartOutcome::Started {
            execution_arn: format!("arn:aws:states:sim:000000000000:execution:PhotoValidation:{name}"),
        })
    }
}

type Waiter = oneshot::Sender<Result<Value, StatesError>>;

/// The tasks waiting for a token, and SendTaskSuccess / SendTaskFailure to answer them.
pub struct TaskTokens {
    pub world: Arc<World>,
    waiting: Mutex<BTreeMap<String, Waiter>>,
}

impl TaskTokens {
    pub fn new(world: Arc<World>) -> Self {
        Self {
            world,
            waiting: Mutex::new(BTreeMap::new()),
        }
    }

    /// A task starts waiting for `token`.
    pub fn wait(&self, token: &str) -> oneshot::Receiver<Result<Value, StatesError>> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiting.lock() {
            w.insert(token.to_owned(), tx);
        }
        rx
    }

    async fn answer(&self, token: &str, answer: Result<Value, StatesError>) -> Result<TaskAnswer, PortError> {
        self.world.call(SFN_REQUEST, None, |_| {}).await?;
        let waiter = self.waiting.lock().ok().and_then(|mut w| w.remove(token));
        // A task that timed out dropped its receiver: AWS answers TaskTimedOut.
        match waiter.map(|w| w.send(answer)) {
            Some(Ok(())) => Ok(TaskAnswer::Delivered),
            _ => Ok(TaskAnswer::TaskGone),
        }
    }
}

impl TaskCallback for TaskTokens {
    async fn succeed(&self, token: &str, output: &str) -> Result<TaskAnswer, PortError> {
        let output = serde_json::from_str(output).map_err(|e| PortError::permanent(e.to_string()))?;
        self.answer(token, Ok(output)).await
    }
    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<TaskAnswer, PortError> {
        self.answer(token, Err(StatesError::new(error, cause))).await
    }
}
