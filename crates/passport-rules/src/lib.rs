//! The passport photo rule engine: every check of RULES.md over the execution document,
//! with issuer profiles (`icao`, `us`, `uk`) whose numbers are configuration.
//!
//! No I/O and no SDK types: `evaluate(document, profile) -> Verdict` is pure and
//! deterministic. A check whose input is missing is SKIPPED with the reason, never PASS.

// `!(v <= limit)` is deliberate: a NaN measure must violate a limit, never satisfy it.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
// A check's `Err` is its SKIPPED result, not an error; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod catalogue;
mod checks;
mod context;
mod engine;
pub mod geometry;
mod overrides;
mod profile;
pub mod table;

pub use catalogue::CheckId;
pub use engine::evaluate;
pub use overrides::{
    load_profile, ConfigError, ANALYSER_MAX_PIXELS, DETECTOR_MAX_FILE_BYTES, DETECTOR_MIN_SIDE_PX,
};
pub use profile::{icao, uk, us, BackgroundLimits, Limits, Profile, Range, Severity};
