//! The execution document that flows through the photo validation workflow (DESIGN §3) and
//! the narrow ports the steps use to reach the outside world.
//!
//! No I/O and no SDK types live here: adapters convert to and from these types.

pub mod document;
pub mod faces;
pub mod measures;
pub mod metadata;
pub mod notification;
pub mod photo;
pub mod ports;
pub mod rekognition_json;
pub mod verdict;

pub use document::{ExecutionDocument, FailureInfo, RulesChoice};
pub use faces::{
    AgeRange, Attribute, BoundingBox, EyeDirection, Face, FaceAnalysis, FaceSource, Landmark, LandmarkType,
    Pose, Quality,
};
pub use measures::{
    BackgroundMeasures, ColourMeasures, CompressionMeasures, ExposureMeasures, ImageMeasures,
    LightingMeasures, SharpnessMeasures, Undecodable,
};
pub use metadata::{ImageFormat, ImageMetadata, MetadataProblem};
pub use notification::{NotificationReceipt, OutboundMessage, Topic};
pub use photo::PhotoRef;
pub use ports::{
    FaceDetector, Notifier, ObjectHead, ObjectStore, PortError, PortErrorKind, StartOutcome, TaskAnswer,
    TaskCallback, WorkflowStarter,
};
pub use verdict::{CheckResult, CheckStatus, FaceOverlay, Outcome, Point, Verdict};
