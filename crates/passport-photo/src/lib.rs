//! The local twin of the photo validation workflow: local adapters (a folder as the bucket,
//! recorded or embedded face analysis, an outbox of JSON Lines), the real definition run by
//! `asl-engine`, and the `passport-photo` command line.

pub mod annotate;
pub mod detect_queue;
pub mod faces;
pub mod folder_s3;
pub mod html_report;
pub mod model_fetch;
pub mod outbox;
pub mod report;
pub mod revalidate;
pub mod samples;
pub mod simulate;
pub mod store;
pub mod twin;
pub mod watch;
