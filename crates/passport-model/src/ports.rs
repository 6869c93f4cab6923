//! Narrow ports: one trait per outside capability. Handlers are generic over these; the
//! AWS adapters and the local twin's adapters implement them.

use std::future::Future;

use crate::{FaceAnalysis, OutboundMessage, PhotoRef};

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How a port call failed, which decides what the workflow does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortErrorKind {
    /// The object or the version is gone.
    NotFound,
    /// Throttling, 5xx, timeouts, connection trouble: worth retrying.
    Transient,
    /// The object exceeds the configured size limit.
    TooLarge,
    /// Anything else: configuration, permissions, a bug. Not retried.
    Permanent,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct PortError {
    pub kind: PortErrorKind,
    pub message: String,
    #[source]
    pub source: Option<BoxError>,
    /// The service refused for its request rate (counted apart from other transient faults).
    pub throttled: bool,
}

impl PortError {
    pub fn new(kind: PortErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
            throttled: false,
        }
    }

    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(PortErrorKind::NotFound, message)
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(PortErrorKind::Transient, message)
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self::new(PortErrorKind::Permanent, message)
    }

    /// Marks a refusal for rate (ThrottlingException, ProvisionedThroughputExceeded, 429).
    pub fn with_throttling(mut self, throttled: bool) -> Self {
        self.throttled = throttled;
        self
    }
}

/// Size and type of a stored object, from its metadata only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    pub size: u64,
    pub content_type: Option<String>,
    pub e_tag: Option<String>,
    /// The version that answered (S3's VersionId; none where objects have no versions).
    pub version_id: Option<String>,
}

/// Reads one exact version of an uploaded photo.
pub trait ObjectStore {
    fn head(&self, photo: &PhotoRef) -> impl Future<Output = Result<ObjectHead, PortError>> + Send;

    /// Bytes `start .. start + len` (fewer at the end of the object).
    fn read_range(
        &self,
        photo: &PhotoRef,
        start: u64,
        len: u64,
    ) -> impl Future<Output = Result<Vec<u8>, PortError>> + Send;

    /// The whole object, refused with `TooLarge` beyond `max_bytes`.
    fn read_all(
        &self,
        photo: &PhotoRef,
        max_bytes: u64,
    ) -> impl Future<Output = Result<Vec<u8>, PortError>> + Send;
}

/// Finds the faces in a stored photo.
pub trait FaceDetector {
    fn detect_faces(&self, photo: &PhotoRef) -> impl Future<Output = Result<FaceAnalysis, PortError>> + Send;
}

/// Publishes one message to an outcome topic; returns the message id.
pub trait Notifier {
    fn publish(&self, message: &OutboundMessage) -> impl Future<Output = Result<String, PortError>> + Send;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    Started {
        execution_arn: String,
    },
    /// An execution of that name exists already: the same photo was started before.
    AlreadyStarted,
}

/// Starts one workflow execution under a given (idempotent) name.
pub trait WorkflowStarter {
    fn start_execution(
        &self,
        name: &str,
        input: &str,
    ) -> impl Future<Output = Result<StartOutcome, PortError>> + Send;
}

impl<T: ObjectStore + Sync> ObjectStore for &T {
    fn head(&self, photo: &PhotoRef) -> impl Future<Output = Result<ObjectHead, PortError>> + Send {
        (**self).head(photo)
    }
    fn read_range(
        &self,
        photo: &PhotoRef,
        start: u64,
        len: u64,
    ) -> impl Future<Output = Result<Vec<u8>, PortError>> + Send {
        (**self).read_range(photo, start, len)
    }
    fn read_all(
        &self,
        photo: &PhotoRef,
        max_bytes: u64,
    ) -> impl Future<Output = Result<Vec<u8>, PortError>> + Send {
        (**self).read_all(photo, max_bytes)
    }
}

/// What became of an answer to a waiting workflow task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAnswer {
    /// The task took the answer.
    Delivered,
    /// The task no longer waits (it timed out, or its execution stopped): the answer has no
    /// taker, and asking again would not change that.
    TaskGone,
}

/// Answers a workflow task that waits for a task token (`.waitForTaskToken`).
pub trait TaskCallback {
    /// The task succeeded with `output` (JSON text).
    fn succeed(
        &self,
        token: &str,
        output: &str,
    ) -> impl Future<Output = Result<TaskAnswer, PortError>> + Send;
    /// The task failed with the error name the state machine matches, and a cause.
    fn fail(
        &self,
        token: &str,
        error: &str,
        cause: &str,
    ) -> impl Future<Output = Result<TaskAnswer, PortError>> + Send;
}
