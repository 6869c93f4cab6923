//! The bill of a run at on-demand list prices (us-east-1, free tiers left out): what each
//! service charges for what the meter counted.

use serde::Serialize;

use super::world::{Meter, World};

/// Rekognition Image, DetectFaces (group 2 API), first million images a month: per image.
pub const REKOGNITION_PER_IMAGE: f64 = 0.001;
/// Step Functions Standard: per state transition ($0.025 per 1 000); retries count.
pub const STEP_FUNCTIONS_PER_TRANSITION: f64 = 0.000_025;
/// Lambda: per request ($0.20 per million) and per GB-second on arm64 (the template's
/// default architecture).
pub const LAMBDA_PER_REQUEST: f64 = 0.000_000_2;
pub const LAMBDA_PER_GB_SECOND_ARM64: f64 = 0.000_013_333_4;
/// SQS standard queue: per request ($0.40 per million; each 64 KB chunk is a request).
pub const SQS_PER_REQUEST: f64 = 0.000_000_4;
/// SNS standard topic: per publish ($0.50 per million); deliveries depend on subscribers
/// (e-mail, HTTP) and are left out.
pub const SNS_PER_PUBLISH: f64 = 0.000_000_5;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    pub rekognition: f64,
    pub step_functions: f64,
    pub lambda: f64,
    pub sqs: f64,
    pub sns: f64,
    pub total: f64,
}

impl Cost {
    pub fn of(world: &World) -> Self {
        let m = &world.meter;
        let count = |c| Meter::get(c) as f64;
        let gb_seconds = count(&m.lambda_mb_ms) / 1024.0 / 1000.0;
        let rekognition = count(&m.detect_billed) * REKOGNITION_PER_IMAGE;
        let step_functions = count(&m.state_transitions) * STEP_FUNCTIONS_PER_TRANSITION;
        let lambda =
            count(&m.lambda_invocations) * LAMBDA_PER_REQUEST + gb_seconds * LAMBDA_PER_GB_SECOND_ARM64;
        let sqs = count(&m.sqs_requests) * SQS_PER_REQUEST;
        let sns = count(&m.sns_publishes) * SNS_PER_PUBLISH;
        Self {
            rekognition,
            step_functions,
            lambda,
            sqs,
            sns,
            total: rekognition + step_functions + lambda + sqs + sns,
        }
    }
}
