//! `passport-photo simulate`: the real workflow definition and the real handlers, run on a
//! virtual clock against modelled AWS services, for bursts of uploads far larger than a
//! laptop could send. Tokio's paused clock makes it a discrete-event simulation: whenever
//! every execution, queue consumer and retry waits, time jumps to the next event, so ten
//! thousand uploads take seconds and a seed always gives the same run.
//!
//! Modelled (README: "Capacity and bursts"): S3 event delivery through start-validation's
//! asynchronous invocation (two retries, then the failed-uploads queue and its alarm);
//! StartExecution's token bucket; Lambda's account concurrency, cold starts and billing;
//! the detect-faces queue and event source mapping; Rekognition's DetectFaces quota; the
//! SDK's retries; SNS; an injected fault rate on every request.

mod cost;
mod ledger;
pub mod queue;
mod sample;
mod services;
mod world;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_engine::{Engine, ExecutionStatus, HistoryEvent, StateMachine, StatesError, TokioClock};
use passport_model::PhotoRef;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

pub use cost::Cost;
use ledger::{upload_key, Ledger, Outcome};
use services::{Executions, Rekognition, SampleBucket, TaskTokens, Topics};
use world::{Function, Latency, Meter, World};

use crate::detect_queue::SEND_AND_WAIT;
use crate::twin::{self, output as to_value, states_error};

/// Which DetectFaces the workflow uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Design {
    /// Today's: the DetectFaces state waits in the detect-faces queue (admission control).
    Queued,
    /// Before admission control: every execution calls detect-faces at once and retries
    /// throttling with backoff.
    Direct,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub uploads: usize,
    /// The account's DetectFaces quota, and the template's DetectFacesTps.
    pub detect_tps: f64,
    /// Uploads per second (Poisson arrivals); `None`: all at once.
    pub arrival_rate: Option<f64>,
    /// Chance that any one request to any service fails with a retryable fault.
    pub fault_rate: f64,
    pub seed: u64,
    pub design: Design,
    /// The template's DetectFacesConcurrency (the event source mapping's MaximumConcurrency).
    pub detect_concurrency: u32,
}

impl Scenario {
    /// DetectFacesConcurrency as the template's description sizes it: the quota times the
    /// p99 time one consumer spends per photo (DetectFaces and the callback, about 0.5 s),
    /// rounded up.
    pub fn concurrency_for(tps: f64) -> u32 {
        ((tps * 0.5).ceil() as u32).clamp(2, 1000)
    }
}

/// Step Functions' StartExecution quota in the largest regions (refill per second, bucket).
const START_EXECUTION_QUOTA: (f64, f64) = (300.0, 1300.0);
/// The default concurrent executions of Lambda functions in an account and region.
const LAMBDA_CONCURRENCY: usize = 1000;
/// Lambda's asynchronous invocation retries after a function error: after one minute,
/// then after two (template: MaximumRetryAttempts 2).
const ASYNC_RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(60), Duration::from_secs(120)];
/// A throttled asynchronous event goes back to Lambda's event queue and is tried again
/// after 1 s, doubling up to 5 minutes, for up to the maximum event age (6 hours).
const ASYNC_THROTTLE_FIRST: Duration = Duration::from_secs(1);
const ASYNC_THROTTLE_MAX: Duration = Duration::from_secs(300);
const ASYNC_MAX_EVENT_AGE: Duration = Duration::from_secs(6 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// One run's figures; `--json` prints exactly this.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub design: Design,
    pub uploads: usize,
    pub succeeded: u64,
    pub failed: u64,
    pub lost: u64,
    pub makespan_seconds: f64,
    pub latency_seconds: Percentiles,
    pub detect_calls: u64,
    pub throttled_calls: u64,
    pub state_transitions: u64,
    pub lambda_invocations: u64,
    pub cost_usd: Cost,
    pub cost_per_1000_photos: f64,
    pub detect_tps: f64,
    pub detect_concurrency: u32,
    pub arrival_rate: Option<f64>,
    pub fault_rate: f64,
    pub seed: u64,
    pub start_execution_throttled: u64,
    pub dead_letters: u64,
    pub sqs_requests: u64,
    pub sns_publishes: u64,
    /// Alerts by what raised them (the ReportFailure state's error, or an alarm).
    pub alerts: std::collections::BTreeMap<String, u64>,
}

/// Runs a scenario on its own thread and virtual-time runtime (callable from anywhere,
/// including inside another runtime).
pub fn run(scenario: &Scenario, progress: Option<indicatif::ProgressBar>) -> Result<Report, String> {
    let scenario = scenario.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| format!("cannot start the simulation runtime: {e}"))?;
        runtime.block_on(simulate(scenario, progress))
    })
    .join()
    .map_err(|_| "the simulation stopped unexpectedly".to_owned())?
}

/// Registers a function ARN whose invocations run `handler` inside the Lambda model.
fn lambda<F, Fut>(engine: &mut Engine, world: &Arc<World>, function: Function, handler: F)
where
    F: Fn(Value) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    let (world, function, handler) = (world.clone(), Arc::new(function), Arc::new(handler));
    engine.register(twin::function_arn(function.name), move |input: Value| {
        let (world, function, handler) = (world.clone(), function.clone(), handler.clone());
        async move {
            match world.invoke(&function, handler(input)).await {
                Ok(result) => result,
                Err(name) => Err(StatesError::new(
                    name,
                    format!("{} was not invoked", function.name),
                )),
            }
        }
    });
}

/// Every simulated upload is a new photo: no analysis is looked up or kept (so the
/// KeepFaces step, one transition and one S3 PUT per photo on AWS, is not modelled).
const NO_KEPT_FACES: fetch_metadata::FaceAnalyses = fetch_metadata::FaceAnalyses { prefix: None };

/// The definition the design runs, placeholders filled.
fn definition(design: Design) -> Result<StateMachine, String> {
    let mut subs = twin::substitutions();
    let text = match design {
        Design::Queued => twin::DEFINITION.to_owned(),
        Design::Direct => {
            let mut doc: Value = serde_json::from_str(twin::DEFINITION).map_err(|e| e.to_string())?;
            let next = doc["States"]["DetectFaces"]["Next"].clone();
            doc["States"]["DetectFaces"] =
                serde_json::from_str(include_str!("direct_detect_faces.json")).map_err(|e| e.to_string())?;
            doc["States"]["DetectFaces"]["Next"] = next;
            subs.insert(
                "DetectFacesFunctionArn".into(),
                twin::function_arn("detect-faces"),
            );
            doc.to_string()
        }
    };
    asl_engine::parse_definition(&asl_engine::substitute(&text, &subs)).map_err(|e| e.to_string())
}

/// What Step Functions bills: every state entered, and every retry of a task.
fn state_transitions(history: &[HistoryEvent]) -> u64 {
    history
        .iter()
        .filter(|e| e.kind.ends_with("StateEntered") || e.kind == "TaskRetryScheduled")
        .count() as u64
}

/// The S3 notification of one upload.
fn s3_event(key: &str) -> Value {
    json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:SIMULATION"},
        "requestParameters": {"sourceIPAddress": "203.0.113.10"},
        "responseElements": {"x-amz-request-id": "SIM", "x-amz-id-2": "SIM"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "photo-uploads",
               "bucket": {"name": "passport-photos", "ownerIdentity": {"principalId": "SIM"},
                          "arn": "arn:aws:s3:::passport-photos"},
               "object": {"key": key, "size": 50_000, "eTag": "0123456789abcdef0123456789abcdef",
                          "sequencer": "0055AED6DCD90281E5", "versionId": "v1"}}
    }]})
}

/// Medians of each handler's own work (its service calls are modelled separately).
fn fetch_metadata_function() -> Function {
    Function::new("fetch-metadata", 128, Latency::ms(3.0))
}
fn detect_faces_function() -> Function {
    Function::new("detect-faces", 128, Latency::ms(2.0))
}
fn analyze_image_function() -> Function {
    Function::new("analyze-image", 1024, Latency::ms(90.0))
}
fn evaluate_rules_function() -> Function {
    Function::new("evaluate-rules", 128, Latency::ms(2.0))
}
fn notify_function() -> Function {
    Function::new("notify", 128, Latency::ms(2.0))
}
/// template.yaml's StartValidationConcurrency: keeps StartExecution under its quota.
pub const START_VALIDATION_CONCURRENCY: u32 = 10;
fn start_validation_function() -> Function {
    Function::new("start-validation", 128, Latency::ms(2.0))
        .with_reserved_concurrency(START_VALIDATION_CONCURRENCY)
}

async fn simulate(scenario: Scenario, progress: Option<indicatif::ProgressBar>) -> Result<Report, String> {
    let clock = Arc::new(TokioClock::starting_at(
        time::macros::datetime!(2026-01-01 00:00:00 UTC),
    ));
    let world = Arc::new(World::new(
        scenario.seed,
        scenario.fault_rate,
        scenario.detect_tps,
        START_EXECUTION_QUOTA,
        LAMBDA_CONCURRENCY,
    ));
    let ledger = Arc::new(Ledger::new(scenario.uploads, progress));
    let photo = Arc::new(sample::photo()?);
    let faces = sample::faces()?;
    let measures = sample::measures(&photo, &faces).await?;
    let bucket = Arc::new(SampleBucket {
        world: world.clone(),
        photo,
    });
    let rekognition = Arc::new(Rekognition {
        world: world.clone(),
        faces,
    });
    let topics = Arc::new(Topics {
        world: world.clone(),
        ledger: ledger.clone(),
    });
    let profile = Arc::new(passport_rules::load_profile("icao", None).map_err(|e| e.to_string())?);

    let mut engine = Engine::new(clock)
        .with_event_types_only()
        .with_seed(scenario.seed)
        .with_state_machine_arn("arn:aws:states:us-east-1:000000000000:stateMachine:PhotoValidation");
    let b = bucket.clone();
    lambda(&mut engine, &world, fetch_metadata_function(), move |p| {
        let b = b.clone();
        async move {
            to_value(
                fetch_metadata::handle(p, b.as_ref(), &NO_KEPT_FACES)
                    .await
                    .map_err(states_error)?,
            )
        }
    });
    let b = bucket.clone();
    lambda(&mut engine, &world, analyze_image_function(), move |p| {
        let (b, measures) = (b.clone(), measures.clone());
        async move {
            // The real handler's download, then its measures of the sample (computed once).
            let photo: PhotoRef = serde_json::from_value(p["photo"].clone())
                .map_err(|e| StatesError::new("InvalidInput", e.to_string()))?;
            passport_model::ObjectStore::read_all(b.as_ref(), &photo, u64::MAX)
                .await
                .map_err(|e| StatesError::new("Transient", e.to_string()))?;
            Ok(measures)
        }
    });
    let p = profile.clone();
    lambda(&mut engine, &world, evaluate_rules_function(), move |input| {
        let p = p.clone();
        async move { to_value(evaluate_rules::handle(input, &p).map_err(states_error)?) }
    });
    let t = topics.clone();
    lambda(&mut engine, &world, notify_function(), move |p| {
        let t = t.clone();
        async move { to_value(notify::handle(p, t.as_ref()).await.map_err(states_error)?) }
    });
    let mut consumers = Vec::new();
    match scenario.design {
        Design::Direct => {
            let r = rekognition.clone();
            lambda(&mut engine, &world, detect_faces_function(), move |p| {
                let r = r.clone();
                async move { to_value(detect_faces::handle(p, r.as_ref()).await.map_err(states_error)?) }
            });
        }
        Design::Queued => {
            let queue = queue::Queue::new(world.clone());
            let tokens = Arc::new(TaskTokens::new(world.clone()));
            consumers = queue::start_consumers(
                queue.clone(),
                Arc::new(detect_faces_function()),
                rekognition.clone(),
                tokens.clone(),
                scenario.detect_tps,
                scenario.detect_concurrency,
            );
            engine.register(SEND_AND_WAIT, move |p: Value| {
                let (queue, tokens) = (queue.clone(), tokens.clone());
                async move {
                    let token = p["MessageBody"]["taskToken"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    let answer = tokens.wait(&token);
                    queue.send(p["MessageBody"].to_string()).await?;
                    answer
                        .await
                        .unwrap_or_else(|_| Err(StatesError::new("States.Runtime", "the answer was lost")))
                }
            });
        }
    }

    let sm = Arc::new(definition(scenario.design)?);
    let engine = Arc::new(engine);
    let executions: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
    let launch = {
        let (world, ledger, executions) = (world.clone(), ledger.clone(), executions.clone());
        move |name: String, input: String| {
            let (engine, sm, world, ledger) = (engine.clone(), sm.clone(), world.clone(), ledger.clone());
            let handle = tokio::spawn(async move {
                let input: Value = serde_json::from_str(&input).unwrap_or(Value::Null);
                let execution = engine.execute(&sm, &name, input).await;
                Meter::add(
                    &world.meter.state_transitions,
                    state_transitions(&execution.history),
                );
                if execution.status != ExecutionStatus::Succeeded {
                    // The ExecutionsFailed alarm publishes to the alerts topic.
                    let key = execution.input["photo"]["key"].as_str().unwrap_or_default();
                    let error = execution.error.as_deref().unwrap_or_default();
                    ledger.record(key, Outcome::Alert, &format!("ExecutionsFailed alarm: {error}"));
                }
            });
            if let Ok(mut e) = executions.lock() {
                e.push(handle);
            }
        }
    };
    let starter = Arc::new(Executions {
        world: world.clone(),
        started: Mutex::new(BTreeSet::new()),
        launch: Box::new(launch),
    });
    let start_validation = Arc::new(start_validation_function());

    let mut arrivals = Vec::with_capacity(scenario.uploads);
    for i in 0..scenario.uploads {
        if let Some(rate) = scenario.arrival_rate.filter(|r| *r > 0.0) {
            tokio::time::sleep(world.dice.exponential(Duration::from_secs_f64(1.0 / rate))).await;
        }
        ledger.arrived(i);
        let (world, ledger, starter, function) = (
            world.clone(),
            ledger.clone(),
            starter.clone(),
            start_validation.clone(),
        );
        arrivals.push(tokio::spawn(async move {
            let key = upload_key(i);
            let event = s3_event(&key);
            let queued_at = tokio::time::Instant::now();
            let mut delays = std::iter::once(Duration::ZERO).chain(ASYNC_RETRY_DELAYS);
            let mut next = delays.next();
            let mut throttled_wait = ASYNC_THROTTLE_FIRST;
            while let Some(delay) = next {
                tokio::time::sleep(delay).await;
                let started = start_validation::handle(event.clone(), starter.as_ref());
                match world.invoke_async(&function, started).await {
                    Ok(Ok(_)) => return,
                    Err(world::LAMBDA_THROTTLED) if queued_at.elapsed() < ASYNC_MAX_EVENT_AGE => {
                        // Not a retry attempt: the event waits in Lambda's queue.
                        tokio::time::sleep(throttled_wait.mul_f64(0.5 + world.dice.uniform() / 2.0)).await;
                        throttled_wait = (throttled_wait * 2).min(ASYNC_THROTTLE_MAX);
                        next = Some(Duration::ZERO);
                    }
                    _ => next = delays.next(),
                }
            }
            // On-failure destination: the failed-uploads queue, whose alarm alerts.
            ledger.record(&key, Outcome::Alert, "FailedUploads alarm");
        }));
    }
    for arrival in arrivals {
        let _ = arrival.await;
    }
    loop {
        let batch: Vec<_> = executions
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default();
        if batch.is_empty() {
            break;
        }
        for execution in batch {
            let _ = execution.await;
        }
    }
    for consumer in consumers {
        consumer.abort();
    }
    Ok(report(&scenario, &world, &ledger))
}

fn seconds(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn report(scenario: &Scenario, world: &World, ledger: &Ledger) -> Report {
    let tally = ledger.tally();
    let m = &world.meter;
    let cost = Cost::of(world);
    let per_1000 = if scenario.uploads == 0 {
        0.0
    } else {
        cost.total / scenario.uploads as f64 * 1000.0
    };
    Report {
        design: scenario.design,
        uploads: scenario.uploads,
        succeeded: tally.succeeded,
        failed: tally.failed,
        lost: tally.lost,
        makespan_seconds: seconds(tally.makespan),
        latency_seconds: Percentiles {
            p50: seconds(percentile(&tally.latencies, 0.5)),
            p99: seconds(percentile(&tally.latencies, 0.99)),
            max: seconds(tally.latencies.last().copied().unwrap_or_default()),
        },
        detect_calls: Meter::get(&m.detect_calls),
        throttled_calls: Meter::get(&m.throttled_calls),
        state_transitions: Meter::get(&m.state_transitions),
        lambda_invocations: Meter::get(&m.lambda_invocations),
        cost_usd: cost,
        cost_per_1000_photos: per_1000,
        detect_tps: scenario.detect_tps,
        detect_concurrency: scenario.detect_concurrency,
        arrival_rate: scenario.arrival_rate,
        fault_rate: scenario.fault_rate,
        seed: scenario.seed,
        start_execution_throttled: Meter::get(&m.start_execution_throttled),
        dead_letters: Meter::get(&m.dead_letters),
        sqs_requests: Meter::get(&m.sqs_requests),
        sns_publishes: Meter::get(&m.sns_publishes),
        alerts: tally.alerts,
    }
}

impl Report {
    /// The figures for a person.
    pub fn summary(&self) -> String {
        let c = &self.cost_usd;
        format!(
            "{} uploads, design {:?}, DetectFaces {} TPS with {} consumers, fault rate {}, seed {}\n\
             succeeded {} · failed (alerted) {} · lost {}\n\
             makespan {:.1} s (quota bound {:.1} s) · latency p50 {:.1} s, p99 {:.1} s, max {:.1} s\n\
             DetectFaces calls {} (throttled {}) · state transitions {} · Lambda invocations {}\n\
             StartExecution throttled {} · dead letters {} · SQS requests {} · SNS publishes {}\n\
             cost ${:.4}: Rekognition ${:.4}, Step Functions ${:.4}, Lambda ${:.4}, SQS ${:.4}, SNS ${:.4}\n\
             cost per 1000 photos ${:.4}\n{}",
            self.uploads,
            self.design,
            self.detect_tps,
            self.detect_concurrency,
            self.fault_rate,
            self.seed,
            self.succeeded,
            self.failed,
            self.lost,
            self.makespan_seconds,
            self.uploads as f64 / self.detect_tps,
            self.latency_seconds.p50,
            self.latency_seconds.p99,
            self.latency_seconds.max,
            self.detect_calls,
            self.throttled_calls,
            self.state_transitions,
            self.lambda_invocations,
            self.start_execution_throttled,
            self.dead_letters,
            self.sqs_requests,
            self.sns_publishes,
            c.total,
            c.rekognition,
            c.step_functions,
            c.lambda,
            c.sqs,
            c.sns,
            self.cost_per_1000_photos,
            self.alerts
                .iter()
                .map(|(cause, n)| format!("alerts: {n} × {cause}\n"))
                .collect::<String>(),
        )
    }
}
