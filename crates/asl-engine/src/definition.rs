//! The States Language definition as typed data. Parsing checks shapes; `validate` checks
//! the graph (targets, reachability, paths) and names the state at fault.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StateMachine {
    #[serde(default)]
    pub comment: Option<String>,
    pub start_at: String,
    pub states: BTreeMap<String, State>,
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    #[serde(default)]
    pub query_language: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    /// A Map's item processor: INLINE (the default) or DISTRIBUTED (child executions).
    #[serde(default)]
    pub processor_config: Option<ProcessorConfig>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessorConfig {
    #[serde(default)]
    pub mode: Option<String>,
    /// STANDARD or EXPRESS child executions (Distributed mode).
    #[serde(default)]
    pub execution_type: Option<String>,
}

impl StateMachine {
    /// A Map item processor in Distributed mode: each item (or batch) is a child execution.
    pub fn is_distributed(&self) -> bool {
        self.processor_config
            .as_ref()
            .and_then(|c| c.mode.as_deref())
            .is_some_and(|m| m == "DISTRIBUTED")
    }
}

/// Where a Distributed Map reads its items: a service integration (`s3:listObjectsV2`,
/// `s3:getObject`) whose handler the engine calls with `{"Parameters", "ReaderConfig"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemReader {
    pub resource: String,
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub reader_config: Option<Value>,
}

/// Groups items into batches: each child execution gets `{"Items": [...], "BatchInput"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemBatcher {
    #[serde(default)]
    pub max_items_per_batch: Option<u64>,
    #[serde(default)]
    pub max_items_per_batch_path: Option<String>,
    #[serde(default)]
    pub max_input_bytes_per_batch: Option<u64>,
    #[serde(default)]
    pub max_input_bytes_per_batch_path: Option<String>,
    #[serde(default)]
    pub batch_input: Option<Value>,
}

/// Where a Distributed Map writes its child executions' results (`s3:putObject`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultWriter {
    pub resource: String,
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub writer_config: Option<Value>,
}

/// A path field: absent (the default, `$`), JSON null (discard / empty), or a path.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PathField {
    #[default]
    Default,
    Null,
    Path(String),
}

impl<'de> Deserialize<'de> for PathField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<String>::deserialize(d)? {
            None => PathField::Null,
            Some(p) => PathField::Path(p),
        })
    }
}

/// Fields shared by the states that process input and output.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Io {
    #[serde(default)]
    pub input_path: PathField,
    #[serde(default)]
    pub output_path: PathField,
    /// Workflow variables the state sets (crate::variables).
    #[serde(default)]
    pub assign: Option<Value>,
    /// `JSONPath` (the default) or `JSONata` for this state (crate::jsonata).
    #[serde(default)]
    pub query_language: Option<String>,
    /// JSONata: the task's (or branches') input, in place of InputPath and Parameters.
    #[serde(default)]
    pub arguments: Option<Value>,
    /// JSONata: the state's output, in place of ResultSelector, ResultPath and OutputPath.
    #[serde(default)]
    pub output: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transition {
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub end: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Retrier {
    pub error_equals: Vec<String>,
    #[serde(default)]
    pub interval_seconds: Option<f64>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub backoff_rate: Option<f64>,
    #[serde(default)]
    pub max_delay_seconds: Option<f64>,
    #[serde(default)]
    pub jitter_strategy: Option<String>,
}

impl Retrier {
    pub fn interval(&self) -> f64 {
        self.interval_seconds.unwrap_or(1.0)
    }
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts.unwrap_or(3)
    }
    pub fn backoff(&self) -> f64 {
        self.backoff_rate.unwrap_or(2.0)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    #[serde(default)]
    pub result_path: PathField,
    /// Variables set from the error output when this catcher handles an error.
    #[serde(default)]
    pub assign: Option<Value>,
    /// JSONata: the output handed to `Next` (by default the error output).
    #[serde(default)]
    pub output: Option<Value>,
}

/// Error handling and result shaping shared by Task, Parallel and Map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Handling {
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub result_selector: Option<Value>,
    #[serde(default)]
    pub result_path: PathField,
    #[serde(default)]
    pub retry: Vec<Retrier>,
    #[serde(default)]
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "Type")]
pub enum State {
    Task(TaskState),
    Pass(PassState),
    Choice(ChoiceState),
    Wait(WaitState),
    Succeed(SucceedState),
    Fail(FailState),
    Parallel(ParallelState),
    Map(Box<MapState>),
}

impl State {
    /// The state's own `QueryLanguage`, if it sets one.
    pub fn query_language(&self) -> Option<&str> {
        match self {
            State::Task(s) => s.io.query_language.as_deref(),
            State::Pass(s) => s.io.query_language.as_deref(),
            State::Choice(s) => s.io.query_language.as_deref(),
            State::Wait(s) => s.io.query_language.as_deref(),
            State::Succeed(s) => s.io.query_language.as_deref(),
            State::Fail(s) => s.query_language.as_deref(),
            State::Parallel(s) => s.io.query_language.as_deref(),
            State::Map(s) => s.io.query_language.as_deref(),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            State::Task(_) => "Task",
            State::Pass(_) => "Pass",
            State::Choice(_) => "Choice",
            State::Wait(_) => "Wait",
            State::Succeed(_) => "Succeed",
            State::Fail(_) => "Fail",
            State::Parallel(_) => "Parallel",
            State::Map(_) => "Map",
        }
    }

    /// The states this one can move to.
    pub fn targets(&self) -> Vec<&str> {
        let (transition, catch): (Option<&Transition>, &[Catcher]) = match self {
            State::Task(s) => (Some(&s.transition), &s.handling.catch),
            State::Pass(s) => (Some(&s.transition), &[]),
            State::Wait(s) => (Some(&s.transition), &[]),
            State::Parallel(s) => (Some(&s.transition), &s.handling.catch),
            State::Map(s) => (Some(&s.transition), &s.handling.catch),
            State::Choice(c) => {
                let mut t: Vec<&str> = c.choices.iter().filter_map(|r| r.next.as_deref()).collect();
                t.extend(c.default.as_deref());
                return t;
            }
            State::Succeed(_) | State::Fail(_) => (None, &[]),
        };
        let mut t: Vec<&str> = transition.and_then(|t| t.next.as_deref()).into_iter().collect();
        t.extend(catch.iter().map(|c| c.next.as_str()));
        t
    }

    pub fn transition(&self) -> Option<&Transition> {
        match self {
            State::Task(s) => Some(&s.transition),
            State::Pass(s) => Some(&s.transition),
            State::Wait(s) => Some(&s.transition),
            State::Parallel(s) => Some(&s.transition),
            State::Map(s) => Some(&s.transition),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskState {
    pub resource: String,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub handling: Handling,
    #[serde(flatten)]
    pub transition: Transition,
    #[serde(default)]
    pub timeout_seconds: Option<f64>,
    #[serde(default)]
    pub timeout_seconds_path: Option<String>,
    #[serde(default)]
    pub heartbeat_seconds: Option<f64>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PassState {
    #[serde(flatten)]
    pub io: Io,
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub result_path: PathField,
    #[serde(flatten)]
    pub transition: Transition,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChoiceState {
    #[serde(flatten)]
    pub io: Io,
    pub choices: Vec<ChoiceRule>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A choice rule: a comparison on `Variable`, or And/Or/Not over nested rules. Top-level
/// rules carry `Next`. Operators stay as JSON: `choice.rs` interprets them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChoiceRule {
    #[serde(default)]
    pub variable: Option<String>,
    #[serde(default)]
    pub and: Option<Vec<ChoiceRule>>,
    #[serde(default)]
    pub or: Option<Vec<ChoiceRule>>,
    #[serde(default)]
    pub not: Option<Box<ChoiceRule>>,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// Variables set when this (top-level) rule is the one that matched.
    #[serde(default)]
    pub assign: Option<Value>,
    /// JSONata: the rule's test, in place of Variable and a comparison.
    #[serde(default)]
    pub condition: Option<Value>,
    /// JSONata: the output when this rule matched.
    #[serde(default)]
    pub output: Option<Value>,
    #[serde(flatten)]
    pub comparison: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WaitState {
    #[serde(flatten)]
    pub io: Io,
    /// A number, or (JSONata) an expression giving one.
    #[serde(default)]
    pub seconds: Option<Value>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub seconds_path: Option<String>,
    #[serde(default)]
    pub timestamp_path: Option<String>,
    #[serde(flatten)]
    pub transition: Transition,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SucceedState {
    #[serde(flatten)]
    pub io: Io,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailState {
    #[serde(default)]
    pub query_language: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub cause: Option<String>,
    #[serde(default)]
    pub error_path: Option<String>,
    #[serde(default)]
    pub cause_path: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParallelState {
    pub branches: Vec<StateMachine>,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub handling: Handling,
    #[serde(flatten)]
    pub transition: Transition,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MapState {
    /// `ItemProcessor` (current) or `Iterator` (legacy).
    #[serde(alias = "Iterator")]
    pub item_processor: StateMachine,
    #[serde(default)]
    pub items_path: Option<String>,
    /// JSONata: the items, an array or an expression giving one (in place of ItemsPath).
    #[serde(default)]
    pub items: Option<Value>,
    #[serde(default)]
    pub item_selector: Option<Value>,
    #[serde(default)]
    pub max_concurrency: Option<u32>,
    /// The limit read from the effective input when the Map state starts.
    #[serde(default)]
    pub max_concurrency_path: Option<String>,
    #[serde(default)]
    pub item_reader: Option<ItemReader>,
    #[serde(default)]
    pub item_batcher: Option<ItemBatcher>,
    #[serde(default)]
    pub result_writer: Option<ResultWriter>,
    #[serde(default)]
    pub tolerated_failure_count: Option<u64>,
    #[serde(default)]
    pub tolerated_failure_count_path: Option<String>,
    #[serde(default)]
    pub tolerated_failure_percentage: Option<f64>,
    #[serde(default)]
    pub tolerated_failure_percentage_path: Option<String>,
    /// Names the Map Run (in its ARN) instead of the state's name.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(flatten)]
    pub io: Io,
    #[serde(flatten)]
    pub handling: Handling,
    #[serde(flatten)]
    pub transition: Transition,
    #[serde(default)]
    pub comment: Option<String>,
}
