//! The queue in front of Rekognition (admission control). The workflow's DetectFaces state
//! sends `{"taskToken", "photo"}` to the detect-faces queue and waits; this consumer, run by
//! an event source mapping with a bounded `MaximumConcurrency`, paces its calls so that all
//! of its instances together stay under the account's DetectFaces quota, and answers each
//! task with SendTaskSuccess or SendTaskFailure.
//!
//! A Transient failure (throttling despite the pacing, a 5xx) leaves the message on the
//! queue: it is reported as a batch item failure and redelivered after the visibility
//! timeout, so a burst waits in the queue instead of in a retry storm. After
//! [`GIVE_UP_AFTER_RECEIVES`] receives the task is failed with `Transient` (the workflow's
//! own Retry and then its Catch take over), well before the queue's `maxReceiveCount`
//! would dead-letter it; the dead-letter queue keeps what could not even be answered.

use std::time::Duration;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_support::{ErrorName, StepError};
use passport_model::{FaceDetector, TaskAnswer, TaskCallback};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::{handle, DetectError};

/// Receives of one message before its task is failed rather than redelivered again; the
/// queue's `maxReceiveCount` in template.yaml is larger (a contract test checks it).
pub const GIVE_UP_AFTER_RECEIVES: u32 = 5;

/// Time an invocation keeps for one more record: the SDK's whole-operation timeouts of a
/// DetectFaces call and of the callback (5.6 s each, main.rs), with room to spare. Records that would start later
/// are handed back to the queue instead of being cut off by the function's timeout.
pub const TIME_FOR_ONE_RECORD: Duration = Duration::from_secs(12);

/// Spaces the calls of one consumer instance: with `concurrency` instances each calling at
/// most every `concurrency / tps` seconds, all of them together stay at or under `tps`.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    pub fn new(tps: f64, concurrency: u32) -> Self {
        let interval = if tps > 0.0 {
            Duration::from_secs_f64(f64::from(concurrency.max(1)) / tps)
        } else {
            Duration::ZERO
        };
        Self {
            interval,
            next: Mutex::new(None),
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits for this instance's next call slot and takes it.
    pub async fn wait_turn(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        let start = match *next {
            Some(at) if at > now => {
                tokio::time::sleep_until(at).await;
                at
            }
            _ => now,
        };
        *next = Some(start + self.interval);
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskMessage {
    task_token: String,
    #[serde(flatten)]
    input: serde_json::Map<String, Value>,
}

/// What became of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The task was answered (or no longer waits): delete the message.
    Answered,
    /// Leave the message on the queue for another receive.
    Redeliver,
}

fn receive_count(message: &SqsMessage) -> u32 {
    message
        .attributes
        .get("ApproximateReceiveCount")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// Handles one queue message: the step's work, then the answer to the waiting task.
pub async fn consume_one<D: FaceDetector, C: TaskCallback>(
    message: &SqsMessage,
    detector: &D,
    callback: &C,
    pacer: &Pacer,
) -> RecordOutcome {
    let id = message.message_id.as_deref().unwrap_or_default();
    let body = message.body.as_deref().unwrap_or_default();
    let task: TaskMessage = match serde_json::from_str(body) {
        Ok(task) => task,
        Err(e) => {
            // Without a token nobody can be answered: the message goes to the dead-letter
            // queue after its receives, where the alarm shows it.
            tracing::error!(message_id = id, error = %e, "a message without a task token");
            return RecordOutcome::Redeliver;
        }
    };
    pacer.wait_turn().await;
    let receives = receive_count(message);
    let answer = match handle(Value::Object(task.input), detector).await {
        Ok(analysis) => match serde_json::to_string(&analysis) {
            Ok(output) => callback.succeed(&task.task_token, &output).await,
            Err(e) => callback.fail(&task.task_token, "Permanent", &e.to_string()).await,
        },
        Err(e) if e.error_name() == ErrorName::Transient && receives < GIVE_UP_AFTER_RECEIVES => {
            tracing::warn!(message_id = id, receives, error = %e, "transient failure; the queue redelivers");
            return RecordOutcome::Redeliver;
        }
        Err(e) => {
            let name = e.error_name();
            let d = lambda_support::diagnostic(e);
            let cause = if name == ErrorName::Transient {
                format!("still failing after {receives} receives: {}", d.error_message)
            } else {
                d.error_message
            };
            let cause = json!({"errorType": d.error_type, "errorMessage": cause}).to_string();
            callback.fail(&task.task_token, name.as_str(), &cause).await
        }
    };
    match answer {
        Ok(TaskAnswer::Delivered) => RecordOutcome::Answered,
        Ok(TaskAnswer::TaskGone) => {
            tracing::info!(message_id = id, "the task no longer waits; message dropped");
            RecordOutcome::Answered
        }
        Err(e) => {
            tracing::error!(message_id = id, error = %e, "the task could not be answered; the queue redelivers");
            RecordOutcome::Redeliver
        }
    }
}

/// Handles a batch from the event source mapping (`ReportBatchItemFailures`): the records
/// not answered are returned for redelivery, the others are deleted by Lambda.
pub async fn consume<D: FaceDetector, C: TaskCallback>(
    event: Value,
    detector: &D,
    callback: &C,
    pacer: &Pacer,
    time_left: impl Fn() -> Duration,
) -> Result<SqsBatchResponse, DetectError> {
    let event: SqsEvent = serde_json::from_value(event).map_err(DetectError::InvalidInput)?;
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        let outcome = if time_left() < TIME_FOR_ONE_RECORD + pacer.interval() {
            RecordOutcome::Redeliver
        } else {
            consume_one(message, detector, callback, pacer).await
        };
        if outcome == RecordOutcome::Redeliver {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    Ok(response)
}
