//! The detect-faces queue and its event source mapping, as deployed: messages become
//! visible again after the visibility timeout unless deleted, move to the dead-letter queue
//! past `maxReceiveCount`, and at most `MaximumConcurrency` consumer instances (each with its
//! own pacer, as each Lambda instance has) receive batches and run the real consumer.

use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_engine::StatesError;
use detect_faces::queue::{consume, Pacer};
use serde_json::{json, Value};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::services::{Rekognition, TaskTokens, SQS_REQUEST};
use super::world::{Function, Meter, World};

/// template.yaml: the queue's VisibilityTimeout, its redrive maxReceiveCount, the event
/// source mapping's BatchSize and the function's Timeout.
pub const VISIBILITY: Duration = Duration::from_secs(60);
pub const MAX_RECEIVES: u32 = 8;
pub const BATCH_SIZE: usize = 5;
pub const FUNCTION_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
struct Message {
    id: String,
    body: String,
    receives: u32,
}

pub struct Queue {
    world: Arc<World>,
    visible: Mutex<VecDeque<Message>>,
    arrived: Notify,
    ids: AtomicU64,
}

impl Queue {
    pub fn new(world: Arc<World>) -> Arc<Self> {
        Arc::new(Self {
            world,
            visible: Mutex::new(VecDeque::new()),
            arrived: Notify::new(),
            ids: AtomicU64::new(0),
        })
    }

    /// Step Functions' `sqs:sendMessage`; a failure is named as the state's Retry sees it.
    pub async fn send(&self, body: String) -> Result<(), StatesError> {
        self.world.pause(SQS_REQUEST).await;
        Meter::add(&self.world.meter.sqs_requests, 1);
        if self.world.dice.chance(self.world.fault_rate) {
            return Err(StatesError::new("SQS.AmazonSQSException", "injected fault"));
        }
        let id = format!("m-{}", self.ids.fetch_add(1, Ordering::Relaxed));
        self.push(Message {
            id,
            body,
            receives: 0,
        });
        Ok(())
    }

    fn push(&self, message: Message) {
        if let Ok(mut q) = self.visible.lock() {
            q.push_back(message);
        }
        self.arrived.notify_one();
    }

    /// Not deleted: visible again once the visibility timeout has passed.
    fn return_later(self: &Arc<Self>, message: Message) {
        let queue = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(VISIBILITY).await;
            queue.push(message);
        });
    }

    /// One ReceiveMessage (long polling): up to `max` messages, waiting while there are none.
    async fn receive(&self, max: usize) -> Vec<Message> {
        loop {
            let mut batch = Vec::new();
            if let Ok(mut q) = self.visible.lock() {
                while batch.len() < max {
                    let Some(mut m) = q.pop_front() else { break };
                    m.receives += 1;
                    if m.receives > MAX_RECEIVES {
                        Meter::add(&self.world.meter.dead_letters, 1);
                        continue;
                    }
                    batch.push(m);
                }
                if !q.is_empty() {
                    self.arrived.notify_one();
                }
            }
            if !batch.is_empty() {
                Meter::add(&self.world.meter.sqs_requests, 1);
                return batch;
            }
            self.arrived.notified().await;
        }
    }
}

fn event(batch: &[Message]) -> Value {
    let records: Vec<Value> = batch
        .iter()
        .map(|m| {
            json!({"messageId": m.id, "receiptHandle": m.id, "body": m.body, "eventSource": "aws:sqs",
                   "attributes": {"ApproximateReceiveCount": m.receives.to_string()},
                   "messageAttributes": {}})
        })
        .collect();
    json!({ "Records": records })
}

/// Starts the event source mapping's pollers; abort them when the run is over.
pub fn start_consumers(
    queue: Arc<Queue>,
    function: Arc<Function>,
    rekognition: Arc<Rekognition>,
    tokens: Arc<TaskTokens>,
    tps: f64,
    concurrency: u32,
) -> Vec<JoinHandle<()>> {
    (0..concurrency)
        .map(|_| {
            let (queue, function, rekognition, tokens) = (
                queue.clone(),
                function.clone(),
                rekognition.clone(),
                tokens.clone(),
            );
            let pacer = Pacer::new(tps, concurrency);
            tokio::spawn(async move {
                loop {
                    let batch = queue.receive(BATCH_SIZE).await;
                    let deadline = Instant::now() + FUNCTION_TIMEOUT;
                    let time_left = move || deadline.saturating_duration_since(Instant::now());
                    let work = consume(
                        event(&batch),
                        rekognition.as_ref(),
                        tokens.as_ref(),
                        &pacer,
                        time_left,
                    );
                    let failed: BTreeSet<String> = match queue.world.invoke_queued(&function, work).await {
                        Ok(Ok(response)) => response
                            .batch_item_failures
                            .into_iter()
                            .map(|f| f.item_identifier)
                            .collect(),
                        _ => batch.iter().map(|m| m.id.clone()).collect(),
                    };
                    let mut deleted = false;
                    for m in batch {
                        if failed.contains(&m.id) {
                            queue.return_later(m);
                        } else {
                            deleted = true;
                        }
                    }
                    if deleted {
                        // Lambda deletes the batch's successes with one DeleteMessageBatch.
                        Meter::add(&queue.world.meter.sqs_requests, 1);
                    }
                }
            })
        })
        .collect()
}
