//! The detect-faces queue on one machine. The DetectFaces state's message (with its task
//! token) goes to a local queue served by workers bounded like the event source mapping's
//! `MaximumConcurrency`; each worker runs the deployed consumer
//! (`detect_faces::queue::consume_one`), and its SendTaskSuccess / SendTaskFailure settles
//! the waiting task. A message handed back is received again after the visibility timeout;
//! after `max_receives` it is dead-lettered and its task is left to time out, as on AWS.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_engine::{Clock, Engine, StatesError};
use aws_lambda_events::sqs::SqsMessage;
use detect_faces::queue::{consume_one, Pacer, RecordOutcome};
use passport_model::{FaceDetector, PortError, TaskAnswer, TaskCallback};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

/// The resource of the DetectFaces state.
pub const SEND_AND_WAIT: &str = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";

/// The queue and its consumer, as template.yaml deploys them.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// The event source mapping's `MaximumConcurrency`.
    pub concurrency: usize,
    /// The queue's `VisibilityTimeout`.
    pub visibility: Duration,
    /// The redrive policy's `maxReceiveCount`.
    pub max_receives: u32,
    /// Calls per second the consumers may make together (`DetectFacesTps`); `None` for a
    /// detector without a quota (recorded responses, the embedded analyzer).
    pub tps: Option<f64>,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            concurrency: 25,
            visibility: Duration::from_secs(60),
            max_receives: 8,
            tps: None,
        }
    }
}

/// What the queue saw.
#[derive(Debug, Default)]
pub struct QueueStats {
    pub sent: AtomicU32,
    pub receives: AtomicU32,
    pub dead_letters: Mutex<Vec<Value>>,
}

/// The answer a worker gave to one task.
#[derive(Default)]
struct Answer(Mutex<Option<Result<Value, StatesError>>>);

impl TaskCallback for Answer {
    async fn succeed(&self, _token: &str, output: &str) -> Result<TaskAnswer, PortError> {
        let output =
            serde_json::from_str(output).map_err(|e| PortError::permanent(format!("InvalidOutput: {e}")))?;
        self.settle(Ok(output))
    }
    async fn fail(&self, _token: &str, error: &str, cause: &str) -> Result<TaskAnswer, PortError> {
        self.settle(Err(StatesError::new(error, cause)))
    }
}

impl Answer {
    fn settle(&self, answer: Result<Value, StatesError>) -> Result<TaskAnswer, PortError> {
        let mut slot = self.0.lock().map_err(|e| PortError::permanent(e.to_string()))?;
        if slot.is_some() {
            return Ok(TaskAnswer::TaskGone);
        }
        *slot = Some(answer);
        Ok(TaskAnswer::Delivered)
    }
    fn take(&self) -> Option<Result<Value, StatesError>> {
        self.0.lock().ok()?.take()
    }
}

/// Serves [`SEND_AND_WAIT`] on `engine` with `detector` behind a local queue.
pub fn register<D>(
    engine: &mut Engine,
    clock: Arc<dyn Clock>,
    detector: Arc<D>,
    config: QueueConfig,
) -> Arc<QueueStats>
where
    D: FaceDetector + Send + Sync + 'static,
{
    let stats = Arc::new(QueueStats::default());
    let workers = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let concurrency = u32::try_from(config.concurrency).unwrap_or(u32::MAX);
    let pacer = Arc::new(match config.tps {
        Some(tps) => Pacer::new(tps, concurrency),
        None => Pacer::new(f64::INFINITY, 1),
    });
    let s = stats.clone();
    engine.register(SEND_AND_WAIT, move |parameters: Value| {
        let (stats, workers, pacer, clock, detector, config) = (
            s.clone(),
            workers.clone(),
            pacer.clone(),
            clock.clone(),
            detector.clone(),
            config.clone(),
        );
        async move {
            // Step Functions serialises a JSON MessageBody into the message's text.
            let body = match &parameters["MessageBody"] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let message_id = format!("local-{}", stats.sent.fetch_add(1, Ordering::SeqCst));
            for receive in 1..=config.max_receives {
                let answer = Arc::new(Answer::default());
                let outcome = {
                    let _worker = workers
                        .acquire()
                        .await
                        .map_err(|e| StatesError::new("SQS.SdkClientException", e.to_string()))?;
                    stats.receives.fetch_add(1, Ordering::SeqCst);
                    let message: SqsMessage = serde_json::from_value(json!({
                        "messageId": message_id,
                        "body": body,
                        "attributes": {"ApproximateReceiveCount": receive.to_string()},
                        "messageAttributes": {}
                    }))
                    .map_err(|e| StatesError::new("SQS.AmazonSQSException", e.to_string()))?;
                    let (detector, pacer, a) = (detector.clone(), pacer.clone(), answer.clone());
                    // A consumer that panics is a failed invocation: the message comes back.
                    tokio::spawn(
                        async move { consume_one(&message, detector.as_ref(), a.as_ref(), &pacer).await },
                    )
                    .await
                    .unwrap_or(RecordOutcome::Redeliver)
                };
                if let (RecordOutcome::Answered, Some(answer)) = (outcome, answer.take()) {
                    return answer;
                }
                if receive < config.max_receives {
                    clock.sleep(config.visibility).await;
                }
            }
            // Dead-lettered: nobody answers the task, which ends by its TimeoutSeconds.
            if let Ok(mut dead) = stats.dead_letters.lock() {
                dead.push(serde_json::from_str(&body).unwrap_or(Value::String(body)));
            }
            clock.sleep(Duration::from_secs(366 * 24 * 3600)).await;
            Err(StatesError::new(
                "States.Timeout",
                "the request was dead-lettered and never answered",
            ))
        }
    });
    stats
}
