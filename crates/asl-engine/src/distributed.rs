//! The Map state in Distributed mode: items read by an `ItemReader` (or taken from the
//! input), selected (`ItemSelector`), grouped (`ItemBatcher`), each item or batch run as a
//! child execution with its own history, `MaxConcurrency` at a time, failures tolerated up
//! to `ToleratedFailureCount` / `ToleratedFailurePercentage`, and the children's results
//! written by a `ResultWriter` as Step Functions writes them (manifest.json,
//! SUCCEEDED_0.json, FAILED_0.json under Prefix/<map run id>/).
//! <https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html>

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use sha2::Digest;
use time::format_description::well_known::Rfc3339;

use crate::definition::MapState;
use crate::error::StatesError;
use crate::executor::{apply_template, Run, WorkflowType};
use crate::history::History;
use crate::paths;
use crate::variables::Vars;

/// The only ItemReader resources the twin reads (with ReaderConfig InputType JSON or
/// JSONL for getObject), and the ResultWriter's.
pub const LIST_OBJECTS: &str = "arn:aws:states:::s3:listObjectsV2";
pub const GET_OBJECT: &str = "arn:aws:states:::s3:getObject";
pub const PUT_OBJECT: &str = "arn:aws:states:::s3:putObject";

/// Step Functions' ceiling for MaxInputBytesPerBatch (256 KiB).
const MAX_BATCH_BYTES: u64 = 262_144;
/// Without MaxConcurrency AWS runs up to 10 000 children at once; the twin runs at most
/// this many, which changes nothing but memory on one machine.
const LOCAL_CONCURRENCY: usize = 1000;

pub const EXCEEDED: &str = "States.ExceedToleratedFailureThreshold";

/// Map fields that only a Distributed Map may use.
pub(crate) const DISTRIBUTED_ONLY: &[&str] = &[
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "Label",
];

/// The Map fields a definition may use, by mode, with the twin's limits said by name.
pub(crate) fn check_map_fields(state: &Value, at: &str, problems: &mut Vec<String>) {
    use crate::validate::check_fields;
    let processor = state.get("ItemProcessor").or_else(|| state.get("Iterator"));
    let config = processor.and_then(|p| p.get("ProcessorConfig"));
    let mode = config
        .and_then(|c| c.get("Mode"))
        .and_then(Value::as_str)
        .unwrap_or("INLINE");
    if let Some(c) = config {
        check_fields(
            c,
            &["Mode", "ExecutionType"],
            &format!("{at}, ProcessorConfig"),
            problems,
        );
    }
    match mode {
        "INLINE" => {
            for field in DISTRIBUTED_ONLY.iter().filter(|f| state.get(**f).is_some()) {
                problems.push(format!(
                    "{at}: {field} is only allowed in a Map whose ProcessorConfig Mode is DISTRIBUTED"
                ));
            }
        }
        "DISTRIBUTED" => {
            let execution_type = config
                .and_then(|c| c.get("ExecutionType"))
                .and_then(Value::as_str);
            if !matches!(execution_type, Some("STANDARD" | "EXPRESS")) {
                problems.push(format!(
                    "{at}: a Distributed Map needs ProcessorConfig ExecutionType STANDARD or EXPRESS"
                ));
            }
        }
        other => problems.push(format!(
            "{at}: ProcessorConfig Mode must be INLINE or DISTRIBUTED, not {other}"
        )),
    }
    for (plain, path) in [
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
    ] {
        if state.get(plain).is_some() && state.get(path).is_some() {
            problems.push(format!("{at} has both {plain} and {path}"));
        }
    }
    if let Some(v) = state.get("ToleratedFailureCount") {
        if v.as_u64().is_none() {
            problems.push(format!(
                "{at}: ToleratedFailureCount must be a whole number of at least 0, not {v}"
            ));
        }
    }
    if let Some(v) = state.get("ToleratedFailurePercentage") {
        if !v.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)) {
            problems.push(format!(
                "{at}: ToleratedFailurePercentage must be a number from 0 to 100, not {v}"
            ));
        }
    }
    if let Some(reader) = state.get("ItemReader") {
        let rat = format!("{at}, ItemReader");
        check_fields(
            reader,
            &["Resource", "Parameters", "ReaderConfig"],
            &rat,
            problems,
        );
        let resource = reader.get("Resource").and_then(Value::as_str).unwrap_or_default();
        let config = reader.get("ReaderConfig");
        if let Some(c) = config {
            check_fields(
                c,
                &["InputType", "MaxItems", "MaxItemsPath"],
                &format!("{rat}, ReaderConfig"),
                problems,
            );
            if let Some(v) = c.get("MaxItems") {
                if v.as_u64().is_none_or(|n| n > 100_000_000) {
                    problems.push(format!(
                        "{rat}: MaxItems must be a whole number up to 100000000, not {v}"
                    ));
                }
            }
        }
        let input_type = config.and_then(|c| c.get("InputType")).and_then(Value::as_str);
        match (resource, input_type) {
            (LIST_OBJECTS, None) | (GET_OBJECT, Some("JSON" | "JSONL")) => {}
            (GET_OBJECT, Some(other)) => problems.push(format!(
                "{rat}: InputType {other} is not supported by the local twin (JSON and JSONL are)"
            )),
            (GET_OBJECT, None) => problems.push(format!("{rat}: s3:getObject needs a ReaderConfig InputType")),
            (LIST_OBJECTS, Some(t)) => problems.push(format!("{rat}: s3:listObjectsV2 takes no InputType ({t})")),
            (other, _) => problems.push(format!(
                "{rat}: Resource {other:?} is not supported by the local twin ({LIST_OBJECTS} and {GET_OBJECT} are)"
            )),
        }
    }
    if let Some(batcher) = state.get("ItemBatcher") {
        let bat = format!("{at}, ItemBatcher");
        check_fields(
            batcher,
            &[
                "MaxItemsPerBatch",
                "MaxItemsPerBatchPath",
                "MaxInputBytesPerBatch",
                "MaxInputBytesPerBatchPath",
                "BatchInput",
            ],
            &bat,
            problems,
        );
        if [
            "MaxItemsPerBatch",
            "MaxItemsPerBatchPath",
            "MaxInputBytesPerBatch",
            "MaxInputBytesPerBatchPath",
        ]
        .iter()
        .all(|f| batcher.get(*f).is_none())
        {
            problems.push(format!(
                "{bat} needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their paths)"
            ));
        }
        if let Some(v) = batcher.get("MaxItemsPerBatch") {
            if v.as_u64().is_none_or(|n| n < 1) {
                problems.push(format!(
                    "{bat}: MaxItemsPerBatch must be a whole number of at least 1, not {v}"
                ));
            }
        }
        if let Some(v) = batcher.get("MaxInputBytesPerBatch") {
            if !v.as_u64().is_some_and(|n| (1..=MAX_BATCH_BYTES).contains(&n)) {
                problems.push(format!(
                    "{bat}: MaxInputBytesPerBatch must be from 1 to {MAX_BATCH_BYTES}, not {v}"
                ));
            }
        }
    }
    if let Some(writer) = state.get("ResultWriter") {
        let wat = format!("{at}, ResultWriter");
        check_fields(writer, &["Resource", "Parameters"], &wat, problems);
        if writer.get("Resource").and_then(Value::as_str) != Some(PUT_OBJECT) {
            problems.push(format!("{wat}: Resource must be {PUT_OBJECT}"));
        }
        if writer.get("WriterConfig").is_some() {
            problems.push(format!(
                "{wat} uses WriterConfig, which the local twin does not support"
            ));
        }
    }
}

/// One child execution's end, as a ResultWriter file lists it.
#[derive(Debug, Clone)]
struct ChildRun {
    name: String,
    arn: String,
    input: Value,
    result: Result<Value, StatesError>,
    start: String,
    stop: String,
    /// Items in this child's input (a batch counts each of its items).
    items: usize,
}

impl ChildRun {
    fn record(&self, state_machine_arn: &str) -> Value {
        let mut r = json!({
            "ExecutionArn": self.arn,
            "Input": self.input.to_string(),
            "InputDetails": {"Included": true},
            "Name": self.name,
            "RedriveCount": 0,
            "StartDate": self.start,
            "StateMachineArn": state_machine_arn,
            "StopDate": self.stop,
        });
        match &self.result {
            Ok(out) => {
                r["Status"] = json!("SUCCEEDED");
                r["Output"] = json!(out.to_string());
                r["OutputDetails"] = json!({"Included": true});
                r["RedriveStatus"] = json!("NOT_REDRIVABLE");
                r["RedriveStatusReason"] = json!("Execution is SUCCEEDED and cannot be redriven");
            }
            Err(e) => {
                r["Status"] = json!("FAILED");
                r["Error"] = json!(e.error);
                r["Cause"] = json!(e.cause);
                r["RedriveStatus"] = json!("REDRIVABLE");
            }
        }
        r
    }
}

/// The tolerance: failures allowed by count and by share of all items (AWS checks each
/// that is set; with neither, one failure fails the Map Run).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tolerance {
    pub count: Option<u64>,
    pub percentage: Option<f64>,
}

impl Tolerance {
    pub fn exceeded(&self, failed: usize, total: usize) -> bool {
        let failed = failed as u64;
        match (self.count, self.percentage) {
            (None, None) => failed > 0,
            (count, percentage) => {
                count.is_some_and(|c| failed > c)
                    || percentage.is_some_and(|p| total > 0 && failed as f64 * 100.0 / total as f64 > p)
            }
        }
    }
}

fn runtime(message: String) -> StatesError {
    StatesError::runtime(message)
}

/// A whole number read from a path (concurrency, batch sizes, counts) within `min..=max`:
/// anything else (a string, a fraction, a negative number) is States.Runtime.
pub(crate) fn whole_from(value: &Value, what: &str, min: u64, max: u64) -> Result<u64, StatesError> {
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64)
        .map(|n| n as u64)
        .ok_or_else(|| {
            runtime(format!(
                "{what} gives {value}, not a whole number from {min} to {max}"
            ))
        })
}

/// Items grouped into child inputs `{"Items": [...], "BatchInput"?}` of at most
/// `max_items` items and `max_bytes` bytes each, with how many items each holds.
pub(crate) fn batches(
    items: Vec<Value>,
    max_items: Option<u64>,
    max_bytes: Option<u64>,
    batch_input: Option<&Value>,
) -> Result<Vec<(Value, usize)>, StatesError> {
    let wrap = |items: Vec<Value>| {
        let mut b = json!({"Items": items});
        if let Some(input) = batch_input {
            b["BatchInput"] = input.clone();
        }
        b
    };
    let empty_size = wrap(Vec::new()).to_string().len() as u64;
    let mut out = Vec::new();
    let (mut current, mut size) = (Vec::new(), empty_size);
    for item in items {
        let item_size = item.to_string().len() as u64 + u64::from(!current.is_empty());
        if let Some(max) = max_bytes {
            if empty_size + item_size > max {
                return Err(runtime(format!(
                    "an item of {item_size} bytes does not fit a batch of MaxInputBytesPerBatch {max}"
                )));
            }
        }
        let full = max_items.is_some_and(|m| current.len() as u64 >= m)
            || max_bytes.is_some_and(|m| size + item_size > m);
        if full && !current.is_empty() {
            let n = current.len();
            out.push((wrap(std::mem::take(&mut current)), n));
            size = empty_size;
        }
        size += item.to_string().len() as u64 + u64::from(!current.is_empty());
        current.push(item);
    }
    if !current.is_empty() {
        let n = current.len();
        out.push((wrap(current), n));
    }
    Ok(out)
}

/// A UUID-shaped identifier from a digest (the twin's runs are reproducible).
fn id_from(seed: &str) -> String {
    let d = sha2::Sha256::digest(seed.as_bytes());
    let h: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Run<'_> {
    /// The items of a Distributed Map: from its ItemReader's handler, else its ItemsPath,
    /// cut to ReaderConfig MaxItems.
    async fn read_items(
        &self,
        name: &str,
        m: &MapState,
        eff: &Value,
        ctx: &Value,
    ) -> Result<Vec<Value>, StatesError> {
        let Some(reader) = &m.item_reader else {
            let items = match &m.items_path {
                Some(p) => paths::select(p, eff, ctx)?,
                None => eff.clone(),
            };
            return items
                .as_array()
                .cloned()
                .ok_or_else(|| runtime(format!("the ItemsPath of '{name}' does not select an array")));
        };
        let parameters = match &reader.parameters {
            Some(t) => apply_template(t, eff, ctx, &mut self.rng())?,
            None => json!({}),
        };
        let config = reader.reader_config.clone().unwrap_or_else(|| json!({}));
        let handler = self.engine.handler(&reader.resource).ok_or_else(|| {
            runtime(format!(
                "no handler for the ItemReader resource {} of '{name}'",
                reader.resource
            ))
        })?;
        let listed = handler
            .invoke(json!({"Parameters": parameters, "ReaderConfig": config}))
            .await
            .map_err(|e| StatesError::new("States.ItemReaderFailed", format!("{}: {}", e.error, e.cause)))?;
        let mut items = match listed {
            Value::Array(items) => items,
            other => {
                return Err(StatesError::new(
                    "States.ItemReaderFailed",
                    format!(
                        "the ItemReader of '{name}' gave {} instead of an array",
                        kind_of(&other)
                    ),
                ))
            }
        };
        let max = match (
            config.get("MaxItems"),
            config.get("MaxItemsPath").and_then(Value::as_str),
        ) {
            (Some(v), _) => Some(whole_from(v, "MaxItems", 0, 100_000_000)?),
            (None, Some(p)) => Some(whole_from(
                &paths::select(p, eff, ctx)?,
                "MaxItemsPath",
                0,
                100_000_000,
            )?),
            _ => None,
        };
        if let Some(max) = max.filter(|m| *m > 0) {
            items.truncate(max as usize);
        }
        Ok(items)
    }

    fn tolerance(&self, m: &MapState, eff: &Value, ctx: &Value) -> Result<Tolerance, StatesError> {
        let count = match (&m.tolerated_failure_count, &m.tolerated_failure_count_path) {
            (Some(c), _) => Some(*c),
            (None, Some(p)) => Some(whole_from(
                &paths::select(p, eff, ctx)?,
                "ToleratedFailureCountPath",
                0,
                u64::MAX >> 11,
            )?),
            _ => None,
        };
        let percentage = match (
            &m.tolerated_failure_percentage,
            &m.tolerated_failure_percentage_path,
        ) {
            (Some(p), _) => Some(*p),
            (None, Some(path)) => {
                let v = paths::select(path, eff, ctx)?;
                Some(v.as_f64().filter(|p| (0.0..=100.0).contains(p)).ok_or_else(|| {
                    runtime(format!(
                        "ToleratedFailurePercentagePath gives {v}, not a number from 0 to 100"
                    ))
                })?)
            }
            _ => None,
        };
        Ok(Tolerance { count, percentage })
    }

    /// Runs a Distributed Map over its effective input; the Map's result, or its failure.
    pub(crate) async fn distributed_map(
        &self,
        name: &str,
        m: &MapState,
        eff: Value,
        ctx: &Value,
        max_concurrency: u32,
    ) -> Result<Value, StatesError> {
        let execution_id = self.context["Execution"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let map_run_id = id_from(&format!("{execution_id}/{name}"));
        let label = m.label.as_deref().unwrap_or(name);
        let sm_arn = self.engine.state_machine_arn();
        let sm_name = sm_arn.rsplit(':').next().unwrap_or("Local");
        let arn_base = sm_arn.split(":stateMachine:").next().unwrap_or_default();
        let map_run_arn = format!("{arn_base}:mapRun:{sm_name}/{label}:{map_run_id}");
        let child_sm_arn = format!("{sm_arn}/{label}");

        let items = self.read_items(name, m, &eff, ctx).await?;
        let total_items = items.len();
        let selector = m.item_selector.as_ref().or(m.handling.parameters.as_ref());
        let selected = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match selector {
                Some(t) => {
                    let ctx = self.ctx_for(
                        name,
                        0,
                        Some(("Map", json!({"Item": {"Index": i, "Value": item}}))),
                        &ctx[crate::variables::CONTEXT_KEY],
                    );
                    apply_template(t, &eff, &ctx, &mut self.rng())
                }
                None => Ok(item),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let inputs = match &m.item_batcher {
            Some(b) => {
                let max_items = match (&b.max_items_per_batch, &b.max_items_per_batch_path) {
                    (Some(n), _) => Some(*n),
                    (None, Some(p)) => Some(whole_from(
                        &paths::select(p, &eff, ctx)?,
                        "MaxItemsPerBatchPath",
                        1,
                        u64::MAX >> 11,
                    )?),
                    _ => None,
                };
                let max_bytes = match (&b.max_input_bytes_per_batch, &b.max_input_bytes_per_batch_path) {
                    (Some(n), _) => Some(*n),
                    (None, Some(p)) => Some(whole_from(
                        &paths::select(p, &eff, ctx)?,
                        "MaxInputBytesPerBatchPath",
                        1,
                        MAX_BATCH_BYTES,
                    )?),
                    _ => None,
                };
                let batch_input = match &b.batch_input {
                    Some(t) => Some(apply_template(t, &eff, ctx, &mut self.rng())?),
                    None => None,
                };
                batches(selected, max_items, max_bytes, batch_input.as_ref())?
            }
            None => selected.into_iter().map(|item| (item, 1)).collect(),
        };
        let tolerance = self.tolerance(m, &eff, ctx)?;
        let limit = match max_concurrency {
            0 => LOCAL_CONCURRENCY,
            n => n as usize,
        }
        .min(inputs.len().max(1));

        self.history.record(
            self.now(),
            "MapRunStarted",
            || json!({"mapRunStartedEventDetails": {"mapRunArn": map_run_arn}}),
        );
        let children = inputs.into_iter().enumerate().map(|(i, (input, items))| {
            let child_name = format!("{}-{i:06}", &map_run_id[..8]);
            let arn = format!(
                "{}/{label}:{child_name}",
                sm_arn.replacen(":stateMachine:", ":execution:", 1)
            );
            let visible = &ctx[crate::variables::CONTEXT_KEY];
            self.child(m, child_name, arn, child_sm_arn.clone(), (input, items), visible)
        });
        let mut running = stream::iter(children).buffer_unordered(limit);
        let mut finished: Vec<ChildRun> = Vec::new();
        let mut failed_items = 0;
        let mut exceeded = false;
        while let Some(child) = running.next().await {
            if child.result.is_err() {
                failed_items += child.items;
            }
            finished.push(child);
            if tolerance.exceeded(failed_items, total_items) {
                // The Map Run stops: children not yet started never start.
                exceeded = true;
                break;
            }
        }
        drop(running);
        finished.sort_by(|a, b| a.name.cmp(&b.name));

        let output = match &m.result_writer {
            Some(writer) => {
                let parameters = match &writer.parameters {
                    Some(t) => apply_template(t, &eff, ctx, &mut self.rng())?,
                    None => json!({}),
                };
                self.write_results(
                    name,
                    &writer.resource,
                    &parameters,
                    &map_run_id,
                    &map_run_arn,
                    &child_sm_arn,
                    &finished,
                )
                .await?
            }
            None => Value::Array(
                finished
                    .iter()
                    .map(|c| match &c.result {
                        Ok(out) => out.clone(),
                        // AWS documents no shape for a tolerated failure here; the twin
                        // gives the error as a Catch would.
                        Err(e) => e.to_value(),
                    })
                    .collect(),
            ),
        };
        if exceeded {
            let cause = format!(
                "The specified tolerated failure threshold was exceeded: {failed_items} of {total_items} items failed"
            );
            self.history.record(
                self.now(),
                "MapRunFailed",
                || json!({"mapRunFailedEventDetails": {"error": EXCEEDED, "cause": cause}}),
            );
            return Err(StatesError::new(EXCEEDED, cause));
        }
        self.history.record(self.now(), "MapRunSucceeded", || json!({}));
        Ok(output)
    }

    /// One child execution of the item processor, with its own context and history.
    async fn child(
        &self,
        m: &MapState,
        name: String,
        arn: String,
        sm_arn: String,
        (input, items): (Value, usize),
        visible: &Value,
    ) -> ChildRun {
        let start = self.now();
        let mut context = json!({
            "Execution": {"Id": arn, "Name": name, "Input": input,
                          "StartTime": start.format(&Rfc3339).unwrap_or_default(),
                          "RoleArn": self.context["Execution"]["RoleArn"]},
            "StateMachine": {"Id": sm_arn, "Name": sm_arn.rsplit(':').next().unwrap_or_default()},
        });
        let express = m
            .item_processor
            .processor_config
            .as_ref()
            .and_then(|c| c.execution_type.as_deref())
            == Some("EXPRESS");
        if !express {
            context["Execution"]["RedriveCount"] = json!(0);
        }
        // A child runs within its parent's deadline (and, EXPRESS, its own five minutes).
        let own = if express {
            WorkflowType::Express.max_duration()
        } else {
            WorkflowType::Standard.max_duration()
        };
        let child = Run {
            engine: self.engine,
            history: History::new(false),
            context,
            deadline: self.deadline.min(start + own),
            timed_out: Default::default(),
        };
        // A child reads the variables of the Map's scope and keeps its own.
        let scope = Vars::reading(visible, false);
        let result = child.machine(&m.item_processor, input.clone(), &scope).await;
        ChildRun {
            name,
            arn,
            input,
            result,
            start: start.format(&Rfc3339).unwrap_or_default(),
            stop: self.now().format(&Rfc3339).unwrap_or_default(),
            items,
        }
    }

    /// The ResultWriter's files, through its `s3:putObject` handler; the Map's result names
    /// the manifest.
    #[allow(clippy::too_many_arguments)]
    async fn write_results(
        &self,
        name: &str,
        resource: &str,
        parameters: &Value,
        map_run_id: &str,
        map_run_arn: &str,
        child_sm_arn: &str,
        finished: &[ChildRun],
    ) -> Result<Value, StatesError> {
        let bucket = parameters["Bucket"]
            .as_str()
            .ok_or_else(|| runtime(format!("the ResultWriter of '{name}' has no Bucket")))?;
        let prefix = parameters["Prefix"]
            .as_str()
            .unwrap_or_default()
            .trim_end_matches('/');
        let base = if prefix.is_empty() {
            map_run_id.to_owned()
        } else {
            format!("{prefix}/{map_run_id}")
        };
        let handler = self.engine.handler(resource).ok_or_else(|| {
            runtime(format!(
                "no handler for the ResultWriter resource {resource} of '{name}'"
            ))
        })?;
        let put = |key: String, body: String| {
            let handler = handler.clone();
            async move {
                let size = body.len();
                handler
                    .invoke(json!({"Bucket": bucket, "Key": key, "Body": body}))
                    .await
                    .map_err(|e| {
                        StatesError::new("States.ResultWriterFailed", format!("{}: {}", e.error, e.cause))
                    })?;
                Ok::<_, StatesError>(json!({"Key": key, "Size": size}))
            }
        };
        let mut files = json!({"FAILED": [], "PENDING": [], "SUCCEEDED": []});
        for (status, ok) in [("SUCCEEDED", true), ("FAILED", false)] {
            let records: Vec<Value> = finished
                .iter()
                .filter(|c| c.result.is_ok() == ok)
                .map(|c| c.record(child_sm_arn))
                .collect();
            if records.is_empty() {
                continue;
            }
            let file = put(
                format!("{base}/{status}_0.json"),
                Value::Array(records).to_string(),
            )
            .await?;
            files[status] = json!([file]);
        }
        let manifest_key = format!("{base}/manifest.json");
        let manifest = json!({"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files});
        put(manifest_key.clone(), manifest.to_string()).await?;
        Ok(json!({"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_item_and_byte_limits() {
        let items: Vec<Value> = (0..5).map(|i| json!({"k": i})).collect();
        let b = batches(items.clone(), Some(2), None, Some(&json!({"p": "uk"}))).unwrap();
        assert_eq!(b.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![2, 2, 1]);
        assert_eq!(
            b[0].0,
            json!({"Items": [{"k": 0}, {"k": 1}], "BatchInput": {"p": "uk"}})
        );
        // {"Items":[]} is 12 bytes, each {"k":n} 7 (and a comma after the first).
        let b = batches(items.clone(), None, Some(12 + 7 + 8), None).unwrap();
        assert_eq!(b.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![2, 2, 1]);
        for (batch, _) in &b {
            assert!(batch.to_string().len() <= 27, "{batch}");
        }
        assert!(
            batches(items, None, Some(15), None).is_err(),
            "an item larger than a batch"
        );
    }

    #[test]
    fn tolerance_by_count_by_share_and_by_default() {
        let none = Tolerance {
            count: None,
            percentage: None,
        };
        assert!(!none.exceeded(0, 10) && none.exceeded(1, 10));
        let count = Tolerance {
            count: Some(2),
            percentage: None,
        };
        assert!(!count.exceeded(2, 10) && count.exceeded(3, 10));
        let share = Tolerance {
            count: None,
            percentage: Some(20.0),
        };
        assert!(!share.exceeded(2, 10) && share.exceeded(3, 10));
        let both = Tolerance {
            count: Some(5),
            percentage: Some(10.0),
        };
        assert!(both.exceeded(2, 10), "either limit fails the run");
    }
}
