//! Time for the interpreter: real in interactive use, virtual in tests (waits and retry
//! intervals advance a counter instead of sleeping).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What timed work gives: a value, or the error the workflow sees.
pub type Outcome = Result<Value, crate::error::StatesError>;

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()>;
    /// Runs `work`, or gives up with `None` once `limit` has passed on this clock.
    fn within<'a>(&'a self, limit: Duration, work: BoxFuture<'a, Outcome>) -> BoxFuture<'a, Option<Outcome>>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct RealClock;

impl Clock for RealClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
    fn within<'a>(&'a self, limit: Duration, work: BoxFuture<'a, Outcome>) -> BoxFuture<'a, Option<Outcome>> {
        Box::pin(async move { tokio::time::timeout(limit, work).await.ok() })
    }
}

/// Starts at a fixed instant; `sleep` returns at once and moves time forward, recording
/// every sleep so tests can check backoff intervals.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    inner: Arc<Mutex<(OffsetDateTime, Vec<Duration>)>>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::starting_at(time::macros::datetime!(2026-01-01 00:00:00 UTC))
    }
}

impl VirtualClock {
    pub fn starting_at(t: OffsetDateTime) -> Self {
        Self {
            inner: Arc::new(Mutex::new((t, Vec::new()))),
        }
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.inner.lock().map(|g| g.1.clone()).unwrap_or_default()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> OffsetDateTime {
        self.inner
            .lock()
            .map(|g| g.0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        if let Ok(mut g) = self.inner.lock() {
            g.0 += duration;
            g.1.push(duration);
        }
        Box::pin(std::future::ready(()))
    }
    /// Work that advanced virtual time beyond the limit (by sleeping) has timed out, at the
    /// limit: the clock is set back to that moment, as a real timeout would have ended there.
    fn within<'a>(&'a self, limit: Duration, work: BoxFuture<'a, Outcome>) -> BoxFuture<'a, Option<Outcome>> {
        Box::pin(async move {
            let start = self.now();
            let v = work.await;
            if self.now() - start <= limit {
                return Some(v);
            }
            if let Ok(mut g) = self.inner.lock() {
                g.0 = start + limit;
            }
            None
        })
    }
}

/// Tokio's clock, read as calendar time from a fixed start. Under a runtime whose time is
/// paused (`start_paused`), tokio advances to the next timer whenever every task waits, so
/// concurrent executions, queues and rate limits play out in virtual time exactly as they
/// would in real time: a discrete-event simulation with no sleeping.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    origin: tokio::time::Instant,
    start: OffsetDateTime,
}

impl TokioClock {
    /// Reads `start` now; must be called inside a runtime.
    pub fn starting_at(start: OffsetDateTime) -> Self {
        Self {
            origin: tokio::time::Instant::now(),
            start,
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> OffsetDateTime {
        self.start + self.origin.elapsed()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
    fn within<'a>(&'a self, limit: Duration, work: BoxFuture<'a, Outcome>) -> BoxFuture<'a, Option<Outcome>> {
        Box::pin(async move { tokio::time::timeout(limit, work).await.ok() })
    }
}
