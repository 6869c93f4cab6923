//! The workflow's ports over the AWS SDK for Rust. Each adapter converts SDK values into
//! our own types at the boundary and classifies SDK errors into port error kinds, which the
//! handlers turn into the workflow's stable error names.

mod classify;
#[cfg(feature = "rekognition")]
pub mod rekognition;
#[cfg(feature = "s3")]
pub mod s3;
mod sdk;
#[cfg(feature = "sfn")]
pub mod sfn;
#[cfg(feature = "sfn")]
pub mod sfn_tasks;
#[cfg(feature = "sns")]
pub mod sns;

pub use classify::port_error;
pub use sdk::{https_client, load_sdk_config, SdkTimeouts};
