//! Runs a validated state machine: input/output processing in AWS's order (InputPath,
//! Parameters, ResultSelector, ResultPath, OutputPath), Retry and Catch, and every state type.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;

use crate::choice;
use crate::clock::{BoxFuture, Clock};
use crate::definition::{
    Catcher, Handling, Io, MapState, ParallelState, PathField, Retrier, State, StateMachine, TaskState,
};
use crate::error::{matches, within_payload_limit, StatesError};
use crate::history::{History, HistoryEvent};
use crate::intrinsics;
use crate::variables::Vars;
use sha2::Digest;

use crate::paths;
use crate::Rng;

/// The optimised Lambda integration; the function is named by `FunctionName`.
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// Service integrations (`arn:aws:states:::service:api[.pattern]`) record `Task…` history
/// events; a function ARN as the resource records `LambdaFunction…` events.
const SERVICE_INTEGRATION: &str = "arn:aws:states:::";

/// The callback pattern: the task waits until a worker answers with `$$.Task.Token`.
pub const WAIT_FOR_TASK_TOKEN: &str = ".waitForTaskToken";

/// A task's implementation: input in, output or a named error out.
pub trait TaskHandler: Send + Sync {
    fn invoke(&self, input: Value) -> BoxFuture<'_, Result<Value, StatesError>>;
}

impl<F, Fut> TaskHandler for F
where
    F: Fn(Value) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Value, StatesError>> + Send + 'static,
{
    fn invoke(&self, input: Value) -> BoxFuture<'_, Result<Value, StatesError>> {
        Box::pin(self(input))
    }
}

/// The two workflow types, where they differ for a definition and its context object:
/// Express has no callback (`.waitForTaskToken`) or job-run (`.sync`) tasks and is never
/// redriven (no `$$.Execution.RedriveCount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkflowType {
    #[default]
    Standard,
    Express,
}

impl WorkflowType {
    /// What a definition uses that this type does not allow (AWS refuses such a state
    /// machine when it is created).
    /// The longest an execution may run (Step Functions quotas): a year for STANDARD,
    /// five minutes for EXPRESS.
    pub fn max_duration(self) -> Duration {
        match self {
            Self::Standard => Duration::from_secs(365 * 24 * 3600),
            Self::Express => Duration::from_secs(5 * 60),
        }
    }

    pub fn refusals(self, sm: &StateMachine) -> Vec<String> {
        if self == Self::Standard {
            return Vec::new();
        }
        let mut out = Vec::new();
        collect_resources(sm, &mut |r| {
            let pattern = if r.ends_with(WAIT_FOR_TASK_TOKEN) {
                Some("callback (.waitForTaskToken)")
            } else if r.ends_with(".sync") || r.ends_with(".sync:2") {
                Some("job-run (.sync)")
            } else {
                None
            };
            if let Some(p) = pattern {
                out.push(format!("{r}: Express workflows do not support the {p} pattern"));
            }
        });
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    Succeeded,
    Failed,
    /// Past the definition's `TimeoutSeconds` or the workflow type's longest execution.
    TimedOut,
}

/// A finished execution, like DescribeExecution plus GetExecutionHistory.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub name: String,
    pub execution_arn: String,
    pub status: ExecutionStatus,
    pub input: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    pub start_date: String,
    pub stop_date: String,
    pub history: Vec<HistoryEvent>,
}

/// The interpreter: task handlers by resource name, a clock and a random source for jitter.
pub struct Engine {
    handlers: HashMap<String, Arc<dyn TaskHandler>>,
    clock: Arc<dyn Clock>,
    rng: Mutex<Rng>,
    state_machine_arn: String,
    tokens: std::sync::atomic::AtomicU64,
    detailed_history: bool,
    workflow_type: WorkflowType,
}

pub(crate) struct Run<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) history: History,
    pub(crate) context: Value,
    /// When the execution times out; a Wait that would end later times it out at once.
    pub(crate) deadline: time::OffsetDateTime,
    /// Set once the execution has timed out: no Retry or Catch handles that.
    pub(crate) timed_out: std::sync::atomic::AtomicBool,
}

impl Engine {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            handlers: HashMap::new(),
            clock,
            rng: Mutex::new(Rng::new(0x5eed)),
            state_machine_arn: "arn:aws:states:local:000000000000:stateMachine:Local".into(),
            tokens: std::sync::atomic::AtomicU64::new(0),
            detailed_history: true,
            workflow_type: WorkflowType::Standard,
        }
    }

    /// Runs executions as this workflow type (Standard unless told).
    pub fn with_workflow_type(mut self, workflow_type: WorkflowType) -> Self {
        self.workflow_type = workflow_type;
        self
    }

    /// Keeps only each history event's type (no timestamps, inputs or outputs): for
    /// simulations that run many executions and only count their events.
    pub fn with_event_types_only(mut self) -> Self {
        self.detailed_history = false;
        self
    }

    /// Seeds the random source of retry jitter and `States.MathRandom`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = Mutex::new(Rng::new(seed));
        self
    }

    pub fn with_state_machine_arn(mut self, arn: impl Into<String>) -> Self {
        self.state_machine_arn = arn.into();
        self
    }

    /// Handles Task states whose `Resource` (or `FunctionName` under lambda:invoke) is `resource`.
    pub fn register(&mut self, resource: impl Into<String>, handler: impl TaskHandler + 'static) {
        self.handlers.insert(resource.into(), Arc::new(handler));
    }

    pub(crate) fn handler(&self, resource: &str) -> Option<Arc<dyn TaskHandler>> {
        self.handlers.get(resource).cloned()
    }

    pub(crate) fn state_machine_arn(&self) -> &str {
        &self.state_machine_arn
    }

    /// Resources a definition uses that no handler serves.
    pub fn missing_handlers(&self, sm: &StateMachine) -> Vec<String> {
        let mut missing = Vec::new();
        collect_resources(sm, &mut |r| {
            if r != LAMBDA_INVOKE && !self.handlers.contains_key(r) && !missing.contains(&r.to_owned()) {
                missing.push(r.to_owned());
            }
        });
        missing
    }

    /// Runs one execution to its end.
    pub async fn execute(&self, sm: &StateMachine, name: &str, input: Value) -> Execution {
        let start = self.clock.now();
        let sm_name = self
            .state_machine_arn
            .rsplit(':')
            .next()
            .unwrap_or("Local")
            .to_owned();
        let execution_arn = match self.workflow_type {
            WorkflowType::Standard => format!(
                "{}:{name}",
                self.state_machine_arn
                    .replacen(":stateMachine:", ":execution:", 1)
            ),
            // Express executions are named with a run id after the name.
            WorkflowType::Express => format!(
                "{}:{name}:{}",
                self.state_machine_arn.replacen(":stateMachine:", ":express:", 1),
                self.task_token(&json!({"Execution": {"Name": name}}))
            ),
        };
        let mut context = json!({
            "Execution": {"Id": execution_arn, "Name": name, "Input": input,
                          "StartTime": start.format(&Rfc3339).unwrap_or_default(),
                          "RoleArn": "arn:aws:iam::000000000000:role/local"},
            "StateMachine": {"Id": self.state_machine_arn, "Name": sm_name},
        });
        if self.workflow_type == WorkflowType::Standard {
            // Never redriven here; Express executions cannot be (no such field).
            context["Execution"]["RedriveCount"] = json!(0);
        }
        // The definition's TimeoutSeconds, within the workflow type's longest execution.
        let limit = sm
            .timeout_seconds
            .map(Duration::from_secs)
            .map_or(self.workflow_type.max_duration(), |t| {
                t.min(self.workflow_type.max_duration())
            });
        let run = Run {
            engine: self,
            history: History::new(self.detailed_history),
            context,
            deadline: start + limit,
            timed_out: Default::default(),
        };
        run.history.record(
            start,
            "ExecutionStarted",
            || json!({"executionStartedEventDetails": {"input": input.to_string(), "roleArn": "arn:aws:iam::000000000000:role/local"}}),
        );
        let refused = self.workflow_type.refusals(sm);
        let top_scope = Vars::default();
        let result = match within_payload_limit(&input, || "the execution input".into()) {
            // AWS refuses such a definition when the state machine is created.
            Ok(()) if !refused.is_empty() => Err(StatesError::runtime(refused.join("; "))),
            Ok(()) => {
                run.within_deadline(limit, run.machine(sm, input.clone(), &top_scope))
                    .await
            }
            Err(e) => Err(e),
        };
        let stop = self.clock.now();
        let (status, output, error, cause) = match result {
            Ok(out) => {
                run.history.record(
                    stop,
                    "ExecutionSucceeded",
                    || json!({"executionSucceededEventDetails": {"output": out.to_string()}}),
                );
                (ExecutionStatus::Succeeded, Some(out), None, None)
            }
            Err(e) if run.has_timed_out() => {
                run.history.record(
                    stop,
                    "ExecutionTimedOut",
                    || json!({"executionTimedOutEventDetails": {"error": e.error, "cause": e.cause}}),
                );
                (ExecutionStatus::TimedOut, None, Some(e.error), Some(e.cause))
            }
            Err(e) => {
                run.history.record(
                    stop,
                    "ExecutionFailed",
                    || json!({"executionFailedEventDetails": {"error": e.error, "cause": e.cause}}),
                );
                let error = (!e.error.is_empty()).then_some(e.error);
                let cause = (!e.cause.is_empty()).then_some(e.cause);
                (ExecutionStatus::Failed, None, error, cause)
            }
        };
        Execution {
            name: name.to_owned(),
            execution_arn,
            status,
            input,
            output,
            error,
            cause,
            start_date: start.format(&Rfc3339).unwrap_or_default(),
            stop_date: stop.format(&Rfc3339).unwrap_or_default(),
            history: run.history.events(),
        }
    }

    /// A token no other task of this engine gets: opaque, like AWS's.
    fn task_token(&self, context: &Value) -> String {
        let n = self.tokens.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let execution = context["Execution"]["Name"].as_str().unwrap_or_default();
        let digest = sha2::Sha256::digest(format!("{execution}/{n}").as_bytes());
        let digest: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("AQB{digest}{n:08x}")
    }

    fn jitter(&self, ceiling: f64) -> f64 {
        let r = self.rng.lock().map(|mut r| r.next_f64()).unwrap_or(0.5);
        ceiling * r
    }
}

/// Results in their index order, or the first error to happen (the rest are dropped).
pub(crate) async fn first_failure_or_all<S>(mut runs: S, total: usize) -> Result<Vec<Value>, StatesError>
where
    S: futures::Stream<Item = (usize, Result<Value, StatesError>)> + Unpin,
{
    let mut out = vec![Value::Null; total];
    while let Some((i, result)) = runs.next().await {
        out[i] = result?;
    }
    Ok(out)
}

fn collect_resources(sm: &StateMachine, f: &mut dyn FnMut(&str)) {
    for s in sm.states.values() {
        match s {
            State::Task(t) => {
                if t.resource == LAMBDA_INVOKE {
                    if let Some(name) = t
                        .handling
                        .parameters
                        .as_ref()
                        .and_then(|p| p.get("FunctionName"))
                        .and_then(Value::as_str)
                    {
                        f(name);
                    }
                } else {
                    f(&t.resource);
                }
            }
            State::Parallel(p) => p.branches.iter().for_each(|b| collect_resources(b, f)),
            State::Map(m) => {
                for r in m.item_reader.iter().map(|r| &r.resource) {
                    f(r);
                }
                for w in m.result_writer.iter().map(|w| &w.resource) {
                    f(w);
                }
                collect_resources(&m.item_processor, f)
            }
            _ => {}
        }
    }
}

/// Parameters / ResultSelector / ItemSelector: keys ending in `.$` take a path or an
/// intrinsic function's value; everything else is copied, recursively.
/// What an `Assign` evaluates to, names without their `.$`: its values read `$` (the state's
/// result, input or error output, as crate::variables says) and `$$` with the variables as
/// they were when the state began.
fn evaluate_assign(
    assign: &Option<Value>,
    dollar: &Value,
    ctx: &Value,
    rng: &mut Rng,
) -> Result<Option<Map<String, Value>>, StatesError> {
    let Some(template) = assign else { return Ok(None) };
    match apply_template(template, dollar, ctx, rng)? {
        Value::Object(values) => Ok(Some(values)),
        other => Err(StatesError::runtime(format!(
            "Assign must be an object, not {other}"
        ))),
    }
}

pub fn apply_template(
    template: &Value,
    input: &Value,
    ctx: &Value,
    rng: &mut Rng,
) -> Result<Value, StatesError> {
    Ok(match template {
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                if let Some(key) = k.strip_suffix(".$") {
                    let expr = v
                        .as_str()
                        .ok_or_else(|| StatesError::runtime(format!("'{k}' must be a string")))?;
                    let value = if intrinsics::is_intrinsic(expr) {
                        intrinsics::evaluate(expr, input, ctx, rng)?
                    } else {
                        paths::select(expr, input, ctx)?
                    };
                    out.insert(key.to_owned(), value);
                } else {
                    out.insert(k.clone(), apply_template(v, input, ctx, rng)?);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|v| apply_template(v, input, ctx, rng))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn input_path(io: &Io, input: &Value, ctx: &Value) -> Result<Value, StatesError> {
    match &io.input_path {
        PathField::Default => Ok(input.clone()),
        PathField::Null => Ok(json!({})),
        PathField::Path(p) => paths::select(p, input, ctx),
    }
}

fn output_path(io: &Io, output: Value, ctx: &Value) -> Result<Value, StatesError> {
    match &io.output_path {
        PathField::Default => Ok(output),
        PathField::Null => Ok(json!({})),
        PathField::Path(p) => paths::select(p, &output, ctx),
    }
}

/// Places `result` into the raw state input at ResultPath.
pub fn result_path(rp: &PathField, raw_input: &Value, result: Value) -> Result<Value, StatesError> {
    match rp {
        PathField::Default => Ok(result),
        PathField::Null => Ok(raw_input.clone()),
        PathField::Path(p) => {
            let mut out = raw_input.clone();
            paths::set(&mut out, p, result)?;
            Ok(out)
        }
    }
}

pub(crate) enum Step {
    Next(String, Value),
    End(Value),
}

impl Run<'_> {
    pub(crate) fn now(&self) -> time::OffsetDateTime {
        self.engine.clock.now()
    }

    /// The context object of a state (`$$`), with the variables in scope riding along.
    pub(crate) fn ctx_for(
        &self,
        state: &str,
        retry: u32,
        extra: Option<(&str, Value)>,
        vars: &Value,
    ) -> Value {
        let mut c = self.context.clone();
        c[crate::variables::CONTEXT_KEY] = vars.clone();
        c["State"] = json!({"Name": state, "EnteredTime": self.now().format(&Rfc3339).unwrap_or_default(), "RetryCount": retry});
        if let Some((k, v)) = extra {
            c[k] = v;
        }
        c
    }

    /// Sleeps `seconds`, or times the execution out when that passes its deadline: the twin
    /// says so at once instead of sleeping there (a year, on a real clock).
    pub(crate) async fn wait(&self, name: &str, seconds: f64) -> Result<(), StatesError> {
        let until = self.now() + Duration::from_secs_f64(seconds.max(0.0));
        if until > self.deadline {
            return Err(self.time_out(format!(
                "'{name}' waits until {}, after the execution's deadline {}",
                until.format(&Rfc3339).unwrap_or_default(),
                self.deadline.format(&Rfc3339).unwrap_or_default()
            )));
        }
        self.engine
            .clock
            .sleep(Duration::from_secs_f64(seconds.max(0.0)))
            .await;
        Ok(())
    }

    /// A Parallel state's branches on `input`, each in its own variable scope; as on AWS,
    /// the first branch to fail fails the state and the others stop.
    pub(crate) fn run_branches<'s>(
        &'s self,
        p: &'s ParallelState,
        input: Value,
        vars: &'s Vars,
        jsonata: bool,
    ) -> BoxFuture<'s, Result<Value, StatesError>> {
        Box::pin(async move {
            self.history
                .record(self.now(), "ParallelStateStarted", || json!({}));
            let runs = p
                .branches
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let input = input.clone();
                    async move {
                        let branch_scope = vars.inner(jsonata);
                        (i, self.machine(b, input, &branch_scope).await)
                    }
                })
                .collect::<futures::stream::FuturesUnordered<_>>();
            let out = first_failure_or_all(runs, p.branches.len()).await;
            let kind = if out.is_ok() {
                "ParallelStateSucceeded"
            } else {
                "ParallelStateFailed"
            };
            self.history.record(self.now(), kind, || json!({}));
            out.map(Value::Array)
        })
    }

    /// An inline Map's iterations, `select` making each item its input, at most `limit` at
    /// once, each in its own variable scope and with its history events; the first to fail
    /// fails the Map and the rest stop.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn run_iterations<S>(
        &self,
        name: &str,
        m: &MapState,
        items: Vec<Value>,
        limit: usize,
        vars: &Vars,
        jsonata: bool,
        select: S,
    ) -> Result<Value, StatesError>
    where
        S: Fn(usize, Value) -> Result<Value, StatesError>,
    {
        let total = items.len();
        let select = &select;
        let runs = items.into_iter().enumerate().map(|(i, item)| async move {
            let item_input = match select(i, item) {
                Ok(v) => v,
                Err(e) => return (i, Err(e)),
            };
            self.history.record(
                self.now(),
                "MapIterationStarted",
                || json!({"mapIterationStartedEventDetails": {"name": name, "index": i}}),
            );
            let iteration_scope = vars.inner(jsonata);
            let out = self
                .machine(&m.item_processor, item_input, &iteration_scope)
                .await;
            let (kind, details) = if out.is_ok() {
                ("MapIterationSucceeded", "mapIterationSucceededEventDetails")
            } else {
                ("MapIterationFailed", "mapIterationFailedEventDetails")
            };
            self.history
                .record(self.now(), kind, || json!({details: {"name": name, "index": i}}));
            (i, out)
        });
        first_failure_or_all(stream::iter(runs).buffer_unordered(limit.max(1)), total)
            .await
            .map(Value::Array)
    }

    /// The first catcher of `h` for `e`; none once the execution has timed out.
    pub(crate) fn catcher<'h>(&self, h: &'h Handling, e: &StatesError) -> Option<&'h Catcher> {
        if self.has_timed_out() {
            return None;
        }
        h.catch.iter().find(|c| matches(&c.error_equals, &e.error))
    }

    pub(crate) fn has_timed_out(&self) -> bool {
        self.timed_out.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Ends the execution as timed out: `States.Timeout`, which nothing catches.
    pub(crate) fn time_out(&self, cause: String) -> StatesError {
        self.timed_out.store(true, std::sync::atomic::Ordering::SeqCst);
        StatesError::timeout(cause)
    }

    /// `work`, ended as timed out once `limit` has passed on the engine's clock.
    async fn within_deadline(
        &self,
        limit: Duration,
        work: BoxFuture<'_, Result<Value, StatesError>>,
    ) -> Result<Value, StatesError> {
        match self.engine.clock.within(limit, work).await {
            Some(outcome) => outcome,
            None => Err(self.time_out(format!(
                "the execution ran longer than its {} s limit",
                limit.as_secs()
            ))),
        }
    }

    pub(crate) fn machine<'s>(
        &'s self,
        sm: &'s StateMachine,
        input: Value,
        vars: &'s Vars,
    ) -> BoxFuture<'s, Result<Value, StatesError>> {
        Box::pin(async move {
            let mut current = sm.start_at.clone();
            let mut data = input;
            // The level's QueryLanguage, else the one around it (crate::jsonata).
            let jsonata = sm
                .query_language
                .as_deref()
                .map_or(vars.jsonata, |q| q == "JSONata");
            loop {
                let state = sm
                    .states
                    .get(&current)
                    .ok_or_else(|| StatesError::runtime(format!("no state named '{current}'")))?;
                match self.state(&current, state, data, vars, jsonata).await? {
                    Step::Next(next, out) => {
                        current = next;
                        data = out;
                    }
                    Step::End(out) => return Ok(out),
                }
            }
        })
    }

    pub(crate) fn advance(state: &State, out: Value) -> Step {
        match state.transition().and_then(|t| t.next.clone()) {
            Some(next) => Step::Next(next, out),
            None => Step::End(out),
        }
    }

    async fn state(
        &self,
        name: &str,
        state: &State,
        input: Value,
        vars: &Vars,
        default_jsonata: bool,
    ) -> Result<Step, StatesError> {
        let kind = state.type_name();
        let scope = Value::Object(vars.visible());
        let scope = &scope;
        let ctx = self.ctx_for(name, 0, None, scope);
        // What the state assigns, applied once its output is made (crate::variables).
        let mut assigned: Option<Map<String, Value>> = None;
        let entered = self.history.state_entered(self.now(), kind, name, &input);
        let jsonata = state.query_language().map_or(default_jsonata, |q| q == "JSONata");
        let step = if jsonata {
            let (step, a) = self
                .jsonata_step(name, state, &input, vars, scope)
                .await
                .map_err(|e| crate::jsonata::in_state(e, name, entered))?;
            assigned = a;
            step
        } else {
            match state {
                State::Pass(p) => {
                    let effective = input_path(&p.io, &input, &ctx)?;
                    let effective = match &p.parameters {
                        Some(t) => apply_template(t, &effective, &ctx, &mut self.rng())?,
                        None => effective,
                    };
                    let result = p.result.clone().unwrap_or(effective);
                    assigned = evaluate_assign(&p.io.assign, &result, &ctx, &mut self.rng())?;
                    let out = output_path(&p.io, result_path(&p.result_path, &input, result)?, &ctx)?;
                    Self::advance(state, out)
                }
                State::Choice(c) => {
                    let effective = input_path(&c.io, &input, &ctx)?;
                    let mut next = None;
                    for rule in &c.choices {
                        if choice::evaluate(rule, &effective, &ctx)? {
                            next = rule.next.clone();
                            assigned = evaluate_assign(&rule.assign, &effective, &ctx, &mut self.rng())?;
                            break;
                        }
                    }
                    if next.is_none() && c.default.is_some() {
                        // The state's own Assign goes with its Default.
                        assigned = evaluate_assign(&c.io.assign, &effective, &ctx, &mut self.rng())?;
                    }
                    let next = next.or_else(|| c.default.clone()).ok_or_else(|| {
                        StatesError::new(
                            "States.NoChoiceMatched",
                            format!("no choice rule of '{name}' matched and there is no Default"),
                        )
                    })?;
                    Step::Next(next, output_path(&c.io, effective, &ctx)?)
                }
                State::Wait(w) => {
                    let effective = input_path(&w.io, &input, &ctx)?;
                    // JSONPath: `Seconds` is a number (validated).
                    let seconds = if let Some(s) = w.seconds.as_ref().and_then(Value::as_f64) {
                        s
                    } else if let Some(p) = &w.seconds_path {
                        // AWS takes a whole number of seconds from 0 to 99 999 999 here, as in
                        // `Seconds`; anything else fails the execution with States.Runtime.
                        let value = paths::select(p, &effective, &ctx)?;
                        match value.as_f64() {
                        Some(n) if n.fract() == 0.0 && (0.0..=99_999_999.0).contains(&n) => n,
                        _ => {
                            return Err(StatesError::runtime(format!(
                                "SecondsPath of '{name}' gives {value}, not a whole number of seconds from 0 to 99999999"
                            )))
                        }
                    }
                    } else {
                        let ts = match (&w.timestamp, &w.timestamp_path) {
                            (Some(t), _) => Value::String(t.clone()),
                            (_, Some(p)) => paths::select(p, &effective, &ctx)?,
                            _ => return Err(StatesError::runtime(format!("'{name}' has no wait time"))),
                        };
                        // RFC 3339 as AWS reads it: a `T` between date and time (a space, which
                        // RFC 3339 tolerates, is refused), and an offset or `Z`.
                        let at = ts
                            .as_str()
                            .filter(|s| s.as_bytes().get(10) == Some(&b'T'))
                            .and_then(|s| time::OffsetDateTime::parse(s, &Rfc3339).ok())
                            .ok_or_else(|| {
                                StatesError::runtime(format!("the timestamp of '{name}' is not RFC 3339"))
                            })?;
                        (at - self.now()).as_seconds_f64().max(0.0)
                    };
                    self.wait(name, seconds).await?;
                    assigned = evaluate_assign(&w.io.assign, &effective, &ctx, &mut self.rng())?;
                    Self::advance(state, output_path(&w.io, effective, &ctx)?)
                }
                State::Succeed(s) => {
                    let effective = input_path(&s.io, &input, &ctx)?;
                    Step::End(output_path(&s.io, effective, &ctx)?)
                }
                State::Fail(f) => {
                    let error = match &f.error_path {
                        Some(p) => paths::select(p, &input, &ctx)?.as_str().map(str::to_owned),
                        None => f.error.clone(),
                    };
                    let cause = match &f.cause_path {
                        Some(p) => paths::select(p, &input, &ctx)?.as_str().map(str::to_owned),
                        None => f.cause.clone(),
                    };
                    // A Fail state without Error reports no error name, as AWS does.
                    return Err(StatesError::new(
                        error.unwrap_or_default(),
                        cause.unwrap_or_default(),
                    ));
                }
                State::Task(t) => {
                    let (step, a) = self
                        .guarded(name, state, (&t.handling, &t.io), input, scope, |eff| {
                            self.task(name, t, eff)
                        })
                        .await?;
                    assigned = a;
                    step
                }
                State::Parallel(p) => {
                    let (step, a) = self
                        .guarded(name, state, (&p.handling, &p.io), input, scope, |eff| {
                            self.run_branches(p, eff, vars, false)
                        })
                        .await?;
                    assigned = a;
                    step
                }
                State::Map(m) => {
                    let ctx = &ctx;
                    let (step, a) = self
                        .guarded(name, state, (&m.handling, &m.io), input, scope, |eff| {
                            Box::pin(async move {
                                if m.item_processor.is_distributed() {
                                    let max_concurrency = match &m.max_concurrency_path {
                                        Some(p) => map_concurrency_from(name, &paths::select(p, &eff, ctx)?)?,
                                        None => m.max_concurrency.unwrap_or(0),
                                    };
                                    return self.distributed_map(name, m, eff, ctx, max_concurrency).await;
                                }
                                let items = match &m.items_path {
                                    Some(p) => paths::select(p, &eff, ctx)?,
                                    None => eff.clone(),
                                };
                                let items = items.as_array().cloned().ok_or_else(|| {
                                    StatesError::runtime(format!(
                                        "the ItemsPath of '{name}' does not select an array"
                                    ))
                                })?;
                                self.history.record(
                                    self.now(),
                                    "MapStateStarted",
                                    || json!({"mapStateStartedEventDetails": {"length": items.len()}}),
                                );
                                let selector = m.item_selector.as_ref().or(m.handling.parameters.as_ref());
                                let max_concurrency = match &m.max_concurrency_path {
                                    Some(p) => map_concurrency_from(name, &paths::select(p, &eff, ctx)?)?,
                                    None => m.max_concurrency.unwrap_or(0),
                                };
                                let limit = match max_concurrency {
                                    0 => items.len().max(1),
                                    n => n as usize,
                                };
                                let select = |i: usize, item: Value| {
                                    let ctx = self.ctx_for(
                                        name,
                                        0,
                                        Some(("Map", json!({"Item": {"Index": i, "Value": item.clone()}}))),
                                        scope,
                                    );
                                    match selector {
                                        Some(t) => apply_template(t, &eff, &ctx, &mut self.rng()),
                                        None => Ok(item),
                                    }
                                };
                                self.run_iterations(name, m, items, limit, vars, false, select)
                                    .await
                            })
                        })
                        .await?;
                    assigned = a;
                    step
                }
            }
        };
        let (Step::Next(_, out) | Step::End(out)) = &step;
        within_payload_limit(out, || format!("the output of '{name}'"))?;
        if let Some(values) = &assigned {
            vars.assign(values)?;
        }
        self.history
            .state_exited(self.now(), kind, name, out, assigned.as_ref());
        Ok(step)
    }

    pub(crate) fn rng(&self) -> std::sync::MutexGuard<'_, Rng> {
        match self.engine.rng.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Input processing, the work with Retry, result processing, and Catch.
    async fn guarded<'s, F>(
        &'s self,
        name: &str,
        state: &State,
        (h, io): (&Handling, &Io),
        input: Value,
        scope: &Value,
        work: F,
    ) -> Result<(Step, Option<Map<String, Value>>), StatesError>
    where
        F: Fn(Value) -> BoxFuture<'s, Result<Value, StatesError>>,
    {
        let attempt = async {
            // Every attempt re-reads its input and re-applies Parameters with the context of
            // that attempt ($$.State.RetryCount) and, for a task token, a fresh token.
            let prepare = |retry: u32| -> Result<Value, StatesError> {
                let token = match state {
                    State::Task(t) if t.resource.ends_with(WAIT_FOR_TASK_TOKEN) => {
                        Some(self.engine.task_token(&self.context))
                    }
                    _ => None,
                };
                let ctx = self.ctx_for(name, retry, token.map(|t| ("Task", json!({"Token": t}))), scope);
                let effective = input_path(io, &input, &ctx)?;
                // Map applies Parameters per item (ItemSelector); everything else here.
                let effective = match (&h.parameters, state) {
                    (Some(t), State::Task(_) | State::Parallel(_)) => {
                        apply_template(t, &effective, &ctx, &mut self.rng())?
                    }
                    _ => effective,
                };
                within_payload_limit(&effective, || format!("the input of '{name}' after Parameters"))?;
                Ok(effective)
            };
            let (result, retries) = self
                .with_retry(name, &h.retry, |retry| match prepare(retry) {
                    Ok(effective) => work(effective),
                    Err(e) => Box::pin(std::future::ready(Err(e))),
                })
                .await?;
            within_payload_limit(&result, || format!("the result of '{name}'"))?;
            let ctx = self.ctx_for(name, retries, None, scope);
            let result = match &h.result_selector {
                Some(t) => apply_template(t, &result, &ctx, &mut self.rng())?,
                None => result,
            };
            let assigned = evaluate_assign(&io.assign, &result, &ctx, &mut self.rng())?;
            Ok((
                output_path(io, result_path(&h.result_path, &input, result)?, &ctx)?,
                assigned,
            ))
        };
        match attempt.await {
            Ok((out, assigned)) => Ok((Self::advance(state, out), assigned)),
            Err(e) => match self.catcher(h, &e) {
                Some(c) => {
                    // A catcher's Assign reads the error output.
                    let ctx = self.ctx_for(name, 0, None, scope);
                    let assigned = evaluate_assign(&c.assign, &e.to_value(), &ctx, &mut self.rng())?;
                    let out = result_path(&c.result_path, &input, e.to_value())?;
                    Ok((Step::Next(c.next.clone(), out), assigned))
                }
                None => Err(e),
            },
        }
    }

    /// The first retrier matching the error decides; once its attempts are spent, the error
    /// stands. Waits are `IntervalSeconds · BackoffRate^n`, capped by `MaxDelaySeconds`, and
    /// drawn uniformly below that ceiling with `JitterStrategy: FULL`. `work` gets the number
    /// of retries so far; the result comes with it.
    pub(crate) async fn with_retry<'s, F>(
        &'s self,
        name: &str,
        retriers: &[Retrier],
        work: F,
    ) -> Result<(Value, u32), StatesError>
    where
        F: Fn(u32) -> BoxFuture<'s, Result<Value, StatesError>>,
    {
        let mut counts = vec![0u32; retriers.len()];
        loop {
            let retries = counts.iter().sum();
            match work(retries).await {
                Ok(v) => return Ok((v, retries)),
                Err(e) => {
                    if self.has_timed_out() {
                        return Err(e);
                    }
                    let Some(i) = retriers.iter().position(|r| matches(&r.error_equals, &e.error)) else {
                        return Err(e);
                    };
                    let r = &retriers[i];
                    if counts[i] >= r.max_attempts() {
                        return Err(e);
                    }
                    let mut wait = r.interval() * r.backoff().powi(counts[i] as i32);
                    if let Some(max) = r.max_delay_seconds {
                        wait = wait.min(max);
                    }
                    if r.jitter_strategy.as_deref() == Some("FULL") {
                        wait = self.engine.jitter(wait);
                    }
                    counts[i] += 1;
                    self.history.record(
                        self.now(),
                        "TaskRetryScheduled",
                        || json!({"retryScheduledEventDetails": {"name": name, "error": e.error, "attempt": counts[i], "waitSeconds": wait}}),
                    );
                    self.engine
                        .clock
                        .sleep(Duration::from_secs_f64(wait.max(0.0)))
                        .await;
                }
            }
        }
    }

    pub(crate) fn task<'s>(
        &'s self,
        name: &'s str,
        t: &'s TaskState,
        effective: Value,
    ) -> BoxFuture<'s, Result<Value, StatesError>> {
        Box::pin(async move {
            let (key, payload, wrap) = if t.resource == LAMBDA_INVOKE {
                let function = effective
                    .get("FunctionName")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        StatesError::runtime(format!("'{name}' calls lambda:invoke without FunctionName"))
                    })?
                    .to_owned();
                (
                    function,
                    effective.get("Payload").cloned().unwrap_or(Value::Null),
                    true,
                )
            } else {
                (t.resource.clone(), effective, false)
            };
            let handler = self.engine.handlers.get(&key).ok_or_else(|| {
                StatesError::runtime(format!("no handler for the resource '{key}' of '{name}'"))
            })?;
            let timeout = t.timeout_seconds.unwrap_or(99_999_999.0);
            // `arn:aws:states:::sqs:sendMessage.waitForTaskToken` → ("sqs", "sendMessage.waitForTaskToken")
            let integration = t
                .resource
                .strip_prefix(SERVICE_INTEGRATION)
                .and_then(|rest| rest.split_once(':'))
                .map(|(ty, api)| (ty.to_owned(), api.to_owned()));
            let region = region_of(&self.engine.state_machine_arn);
            match &integration {
                Some((resource_type, resource)) => {
                    self.history.record(self.now(), "TaskScheduled", || {
                        json!({"taskScheduledEventDetails": {"resourceType": resource_type, "resource": resource, "region": region, "parameters": payload.to_string(), "timeoutInSeconds": timeout}})
                    });
                    self.history.record(self.now(), "TaskStarted", || {
                        json!({"taskStartedEventDetails": {"resourceType": resource_type, "resource": resource}})
                    });
                }
                None => {
                    self.history.record(self.now(), "LambdaFunctionScheduled", || {
                        json!({"lambdaFunctionScheduledEventDetails": {"resource": key, "input": payload.to_string(), "timeoutInSeconds": timeout}})
                    });
                    self.history
                        .record(self.now(), "LambdaFunctionStarted", || json!({}));
                }
            }
            let work: BoxFuture<'_, Result<Value, StatesError>> = Box::pin(handler.invoke(payload));
            let result = self
                .engine
                .clock
                .within(Duration::from_secs_f64(timeout), work)
                .await
                .unwrap_or_else(|| {
                    Err(StatesError::timeout(format!(
                        "'{name}' ran longer than its TimeoutSeconds {timeout}"
                    )))
                });
            if let Some((resource_type, resource)) = &integration {
                let (kind, details) = match &result {
                    Ok(out) => (
                        "TaskSucceeded",
                        json!({"taskSucceededEventDetails": {"resourceType": resource_type, "resource": resource, "output": out.to_string()}}),
                    ),
                    Err(e) if e.error == "States.Timeout" => (
                        "TaskTimedOut",
                        json!({"taskTimedOutEventDetails": {"resourceType": resource_type, "resource": resource, "error": e.error, "cause": e.cause}}),
                    ),
                    Err(e) => (
                        "TaskFailed",
                        json!({"taskFailedEventDetails": {"resourceType": resource_type, "resource": resource, "error": e.error, "cause": e.cause}}),
                    ),
                };
                self.history.record(self.now(), kind, || details);
            } else {
                match &result {
                    Ok(out) => self.history.record(
                        self.now(),
                        "LambdaFunctionSucceeded",
                        || json!({"lambdaFunctionSucceededEventDetails": {"output": out.to_string()}}),
                    ),
                    Err(e) if e.error == "States.Timeout" => self.history.record(
                        self.now(),
                        "LambdaFunctionTimedOut",
                        || json!({"lambdaFunctionTimedOutEventDetails": {"error": e.error, "cause": e.cause}}),
                    ),
                    Err(e) => self.history.record(
                        self.now(),
                        "LambdaFunctionFailed",
                        || json!({"lambdaFunctionFailedEventDetails": {"error": e.error, "cause": e.cause}}),
                    ),
                };
            }
            let out = result?;
            Ok(if wrap {
                json!({"ExecutedVersion": "$LATEST", "Payload": out, "StatusCode": 200})
            } else {
                out
            })
        })
    }
}

/// The region of an ARN (`arn:partition:service:region:…`).
fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or_default()
}

/// MaxConcurrencyPath must give a whole number from 0 (no limit) to 2^32 - 1, the range
/// of MaxConcurrency; anything else (a string, a fraction, a negative number) fails the
/// execution with States.Runtime.
pub(crate) fn map_concurrency_from(name: &str, value: &Value) -> Result<u32, StatesError> {
    let what = format!("MaxConcurrencyPath of '{name}'");
    crate::distributed::whole_from(value, &what, 0, u64::from(u32::MAX)).map(|n| n as u32)
}
