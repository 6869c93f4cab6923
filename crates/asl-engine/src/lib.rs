//! A States Language (JSONPath) interpreter: runs a Step Functions definition on one
//! machine, with task handlers registered by resource name, a real or virtual clock, and
//! an event history like the console's.

mod choice;
pub mod clock;
pub mod definition;
mod distributed;
mod error;
mod executor;
mod history;
mod intrinsics;
pub mod jsonata;
mod jsonata_states;
pub mod paths;
mod validate;
pub mod variables;

pub use clock::{BoxFuture, Clock, Outcome, RealClock, TokioClock, VirtualClock};
pub use definition::StateMachine;
pub use distributed::{GET_OBJECT, LIST_OBJECTS, PUT_OBJECT};
pub use error::{matches, StatesError};
pub use executor::{
    apply_template, result_path, Engine, Execution, ExecutionStatus, TaskHandler, WorkflowType, LAMBDA_INVOKE,
};
pub use history::HistoryEvent;
pub use validate::{parse_definition, DefinitionError};

/// Replaces `${Name}` placeholders (DefinitionSubstitutions) in a definition's text.
pub fn substitute(text: &str, substitutions: &std::collections::BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (k, v) in substitutions {
        out = out.replace(&format!("${{{k}}}"), v);
    }
    out
}

/// A small deterministic random source (xorshift64*), for jitter and MathRandom.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
