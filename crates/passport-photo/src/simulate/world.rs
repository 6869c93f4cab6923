//! The modelled AWS world of a simulation: latencies, quotas as token buckets, injected
//! faults, the SDK's retries, Lambda's concurrency and billing, and a meter of everything
//! that is paid for. All time is tokio time, virtual under a paused runtime.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use asl_engine::Rng;
use passport_model::PortError;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// AWS's model of an API rate quota: a bucket of `capacity` requests refilled at `rate` per
/// second; a request that finds it empty is throttled.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    capacity: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(rate: f64, capacity: f64) -> Self {
        Self {
            rate,
            capacity,
            state: Mutex::new((capacity, Instant::now())),
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&self) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        let now = Instant::now();
        let (tokens, last) = &mut *state;
        *tokens = (*tokens + self.rate * (now - *last).as_secs_f64()).min(self.capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A service latency: log-normal around its median, the usual shape of API latencies.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub median_ms: f64,
    /// Standard deviation of the logarithm (0.3 puts p99 at about twice the median).
    pub spread: f64,
}

impl Latency {
    pub const fn ms(median_ms: f64) -> Self {
        Self {
            median_ms,
            spread: 0.3,
        }
    }
}

/// The seeded randomness of one simulation run.
#[derive(Debug)]
pub struct Dice(Mutex<Rng>);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(Rng::new(seed)))
    }

    /// Uniform in [0, 1).
    pub fn uniform(&self) -> f64 {
        self.0.lock().map(|mut r| r.next_f64()).unwrap_or(0.5)
    }

    pub fn chance(&self, p: f64) -> bool {
        p > 0.0 && self.uniform() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&self) -> f64 {
        let u = self.uniform().max(f64::MIN_POSITIVE);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    pub fn latency(&self, l: Latency) -> Duration {
        Duration::from_secs_f64(l.median_ms * (l.spread * self.normal()).exp() / 1000.0)
    }

    /// Exponential with the given mean (Poisson arrivals).
    pub fn exponential(&self, mean: Duration) -> Duration {
        mean.mul_f64(-(1.0 - self.uniform()).ln())
    }
}

/// Everything a run counts, for the report and the bill.
#[derive(Debug, Default)]
pub struct Meter {
    /// DetectFaces requests that reached Rekognition, throttled or not.
    pub detect_calls: AtomicU64,
    pub throttled_calls: AtomicU64,
    /// DetectFaces requests that returned faces (the billed ones).
    pub detect_billed: AtomicU64,
    pub lambda_invocations: AtomicU64,
    /// Billed Lambda duration times memory, in MB·ms.
    pub lambda_mb_ms: AtomicU64,
    pub sqs_requests: AtomicU64,
    pub sns_publishes: AtomicU64,
    pub state_transitions: AtomicU64,
    pub start_execution_calls: AtomicU64,
    pub start_execution_throttled: AtomicU64,
    pub dead_letters: AtomicU64,
}

impl Meter {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// What one attempt at an API call met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Ok,
    Throttled,
    Fault,
}

/// The SDK's standard retry mode: three attempts, full-jitter exponential backoff from 1 s,
/// capped at 20 s, for throttling and 5xx faults alike.
const SDK_ATTEMPTS: u32 = 3;
const SDK_BACKOFF: Duration = Duration::from_secs(1);
const SDK_MAX_BACKOFF: Duration = Duration::from_secs(20);

/// One Lambda function as deployed: its memory and the time its own code takes.
#[derive(Debug)]
pub struct Function {
    pub name: &'static str,
    pub memory_mb: u64,
    /// The handler's own work, outside the modelled service calls it makes.
    pub work: Latency,
    /// Reserved concurrency (`ReservedConcurrentExecutions`), the function's own ceiling.
    pub reserved: Option<u32>,
    in_flight: AtomicU32,
    warm: AtomicU32,
}

impl Function {
    pub const fn with_reserved_concurrency(mut self, reserved: u32) -> Self {
        self.reserved = Some(reserved);
        self
    }

    fn at_reserved_limit(&self) -> bool {
        self.reserved
            .is_some_and(|r| self.in_flight.load(Ordering::Relaxed) >= r)
    }

    pub const fn new(name: &'static str, memory_mb: u64, work: Latency) -> Self {
        Self {
            name,
            memory_mb,
            work,
            reserved: None,
            in_flight: AtomicU32::new(0),
            warm: AtomicU32::new(0),
        }
    }
}

/// A new execution environment: Lambda's sandbox, then the Rust binary's init (measured at
/// about 15 ms, README), which is billed.
const COLD_START: Latency = Latency::ms(150.0);
const BILLED_INIT: Duration = Duration::from_millis(15);

/// Why Lambda refused or lost an invocation, named as Step Functions reports it.
pub const LAMBDA_THROTTLED: &str = "Lambda.TooManyRequestsException";
pub const LAMBDA_FAULT: &str = "Lambda.ServiceException";

/// The modelled services and their shared state.
#[derive(Debug)]
pub struct World {
    pub dice: Dice,
    /// Chance that any one request to any service fails with a retryable fault.
    pub fault_rate: f64,
    pub meter: Meter,
    /// Rekognition's DetectFaces quota.
    pub rekognition: TokenBucket,
    /// Step Functions' StartExecution quota.
    pub start_execution: TokenBucket,
    /// The account's Lambda concurrency.
    lambda_slots: Semaphore,
}

impl World {
    pub fn new(
        seed: u64,
        fault_rate: f64,
        detect_tps: f64,
        start: (f64, f64),
        lambda_concurrency: usize,
    ) -> Self {
        Self {
            dice: Dice::new(seed),
            fault_rate,
            meter: Meter::default(),
            rekognition: TokenBucket::new(detect_tps, detect_tps.max(1.0)),
            start_execution: TokenBucket::new(start.0, start.1),
            lambda_slots: Semaphore::new(lambda_concurrency),
        }
    }

    /// One API call as the SDK makes it, with its retries; `quota` is the API's rate limit,
    /// `on_attempt` sees every attempt (for the meter).
    pub async fn call(
        &self,
        latency: Latency,
        quota: Option<&TokenBucket>,
        mut on_attempt: impl FnMut(Attempt),
    ) -> Result<(), PortError> {
        for attempt in 0..SDK_ATTEMPTS {
            let outcome = if quota.is_some_and(|q| !q.try_take()) {
                // A throttling answer comes back fast.
                tokio::time::sleep(Duration::from_millis(10)).await;
                Attempt::Throttled
            } else {
                tokio::time::sleep(self.dice.latency(latency)).await;
                if self.dice.chance(self.fault_rate) {
                    Attempt::Fault
                } else {
                    Attempt::Ok
                }
            };
            on_attempt(outcome);
            if outcome == Attempt::Ok {
                return Ok(());
            }
            if attempt + 1 < SDK_ATTEMPTS {
                let cap = (SDK_BACKOFF * 2u32.pow(attempt)).min(SDK_MAX_BACKOFF);
                tokio::time::sleep(cap.mul_f64(self.dice.uniform())).await;
            }
        }
        Err(PortError::transient(
            "still throttled or failing after the SDK's 3 attempts",
        ))
    }

    /// A call that cannot fail (an internal step of a modelled service), just its latency.
    pub async fn pause(&self, latency: Latency) {
        tokio::time::sleep(self.dice.latency(latency)).await;
    }

    /// A synchronous invocation (Step Functions' Lambda task): refused at once when the
    /// account's concurrency is used up, failed by an injected fault.
    pub async fn invoke<T>(
        &self,
        function: &Function,
        body: impl std::future::Future<Output = T>,
    ) -> Result<T, &'static str> {
        let Ok(slot) = self.lambda_slots.try_acquire() else {
            return Err(LAMBDA_THROTTLED);
        };
        if function.at_reserved_limit() {
            return Err(LAMBDA_THROTTLED);
        }
        let out = self.run(function, body).await;
        drop(slot);
        out
    }

    /// An asynchronous invocation (S3's notification): throttled by the function's reserved
    /// concurrency (the caller retries it from Lambda's event queue), held while the account
    /// has no concurrency left.
    pub async fn invoke_async<T>(
        &self,
        function: &Function,
        body: impl std::future::Future<Output = T>,
    ) -> Result<T, &'static str> {
        if function.at_reserved_limit() {
            return Err(LAMBDA_THROTTLED);
        }
        self.invoke_queued(function, body).await
    }

    /// An invocation by an event source mapping: the poller holds the batch until there is
    /// concurrency for it.
    pub async fn invoke_queued<T>(
        &self,
        function: &Function,
        body: impl std::future::Future<Output = T>,
    ) -> Result<T, &'static str> {
        let Ok(slot) = self.lambda_slots.acquire().await else {
            return Err(LAMBDA_THROTTLED);
        };
        let out = self.run(function, body).await;
        drop(slot);
        out
    }

    async fn run<T>(
        &self,
        function: &Function,
        body: impl std::future::Future<Output = T>,
    ) -> Result<T, &'static str> {
        Meter::add(&self.meter.lambda_invocations, 1);
        if self.dice.chance(self.fault_rate) {
            return Err(LAMBDA_FAULT);
        }
        let in_flight = function.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        let mut billed = Duration::ZERO;
        if in_flight > function.warm.load(Ordering::Relaxed) {
            function.warm.store(in_flight, Ordering::Relaxed);
            tokio::time::sleep(self.dice.latency(COLD_START)).await;
            billed += BILLED_INIT;
        }
        let work_started = Instant::now();
        tokio::time::sleep(self.dice.latency(function.work)).await;
        let out = body.await;
        billed += work_started.elapsed();
        function.in_flight.fetch_sub(1, Ordering::Relaxed);
        // Lambda bills duration in whole milliseconds, rounded up.
        let ms = billed.as_nanos().div_ceil(1_000_000) as u64;
        Meter::add(&self.meter.lambda_mb_ms, ms * function.memory_mb);
        Ok(out)
    }
}
