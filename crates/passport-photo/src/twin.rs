//! The workflow on one machine: the real definition, interpreted, with each function ARN
//! resolved to the same handler code the Lambda runs, over local adapters.

use std::collections::BTreeMap;
use std::sync::Arc;

use analyze_image::AnalyzeConfig;
use asl_engine::{Clock, Engine, Execution, StateMachine, StatesError};
use lambda_support::StepError;
use passport_model::{ExecutionDocument, PhotoRef};
use passport_rules::Profile;
use serde_json::{json, Value};

use crate::faces::LocalFaces;
use crate::outbox::Outbox;
use crate::store::FolderStore;

/// The deployed definition, built into the binary so that `check` runs exactly it.
pub const DEFINITION: &str = include_str!("../../../statemachine/photo_validation.asl.json");
/// The re-validation workflow, which `revalidate` runs over a folder.
pub const REVALIDATE_DEFINITION: &str = include_str!("../../../statemachine/revalidate.asl.json");

/// Where a re-validation keeps its results inside the folder: hidden, so that a later
/// listing of the folder does not take them for photos.
pub const RESULTS_PREFIX: &str = ".passport-photo/revalidation";

/// The re-validation definition with the folder as the upload bucket. Its concurrency
/// comes from the template's DetectFacesTps, which the twin has not: a run sets its own
/// `maxConcurrency` in its input (the substitution below only keeps the definition valid).
pub fn load_revalidation(folder: &std::path::Path) -> Result<StateMachine, asl_engine::DefinitionError> {
    let mut substitutions = substitutions();
    substitutions.insert("UploadBucketName".into(), folder.display().to_string());
    substitutions.insert("ResultsPrefix".into(), RESULTS_PREFIX.into());
    substitutions.insert("DetectFacesTps".into(), "1".into());
    asl_engine::parse_definition(&asl_engine::substitute(REVALIDATE_DEFINITION, &substitutions))
}

/// Placeholder → function crate, as template.yaml's DefinitionSubstitutions map them.
/// detect-faces is not called by the workflow: it consumes the detect-faces queue.
pub const FUNCTIONS: &[(&str, &str)] = &[
    ("FetchMetadataFunctionArn", "fetch-metadata"),
    ("AnalyzeImageFunctionArn", "analyze-image"),
    ("EvaluateRulesFunctionArn", "evaluate-rules"),
    ("NotifyFunctionArn", "notify"),
    ("SummarizeRunFunctionArn", "summarize-run"),
];

pub fn function_arn(function: &str) -> String {
    format!("arn:aws:lambda:local:000000000000:function:{function}")
}

/// The placeholder of the detect-faces queue's URL, and its local stand-in.
pub const DETECT_FACES_QUEUE: (&str, &str) = (
    "DetectFacesQueueUrl",
    "https://sqs.local.amazonaws.com/000000000000/detect-faces",
);

pub fn substitutions() -> BTreeMap<String, String> {
    FUNCTIONS
        .iter()
        .map(|(k, f)| (k.to_string(), function_arn(f)))
        .chain([(DETECT_FACES_QUEUE.0.to_owned(), DETECT_FACES_QUEUE.1.to_owned())])
        .collect()
}

/// The definition text with its placeholders filled, parsed and validated.
pub fn load_definition(text: &str) -> Result<StateMachine, asl_engine::DefinitionError> {
    asl_engine::parse_definition(&asl_engine::substitute(text, &substitutions()))
}

/// A handler error as the workflow sees a Lambda error: its stable name, and the
/// `{"errorType", "errorMessage"}` cause Lambda reports.
pub(crate) fn states_error<E: StepError>(e: E) -> StatesError {
    let d = lambda_support::diagnostic(e);
    let cause = json!({"errorType": d.error_type, "errorMessage": d.error_message}).to_string();
    StatesError::new(d.error_type, cause)
}

pub(crate) fn output<T: serde::Serialize>(v: T) -> Result<Value, StatesError> {
    serde_json::to_value(v).map_err(|e| StatesError::new("States.DataLimitExceeded", e.to_string()))
}

pub struct Dependencies {
    pub store: FolderStore,
    pub faces: LocalFaces,
    pub outbox: Outbox,
    pub profile: Profile,
    pub analyze: AnalyzeConfig,
    /// How many times the face detector ran (what Rekognition would have billed).
    pub detect_calls: std::sync::atomic::AtomicU64,
    /// Analyses an earlier run kept and this one reused instead of detecting again.
    pub cached_faces: std::sync::atomic::AtomicU64,
    /// Verdicts given so far (a long run's progress).
    pub verdicts: std::sync::atomic::AtomicU64,
}

/// Where the twin keeps face analyses in a folder: hidden, so that no listing takes them
/// for photos, and per detector, so that a recording's answer is never reused for the
/// embedded analyzer's (or another recording's). The deployed prefix is `analysis/v1`.
pub fn face_analyses_prefix(faces: &LocalFaces) -> String {
    format!(".passport-photo/analysis/v1/{}", faces.identity())
}

/// The face detector of the dependencies, shareable with the queue's workers.
struct FacesOf(Arc<Dependencies>);

impl passport_model::FaceDetector for FacesOf {
    fn detect_faces(
        &self,
        photo: &PhotoRef,
    ) -> impl std::future::Future<Output = Result<passport_model::FaceAnalysis, passport_model::PortError>> + Send
    {
        let deps = self.0.clone();
        let photo = photo.clone();
        async move {
            deps.detect_calls
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            deps.faces.detect_faces(&photo).await
        }
    }
}

/// The largest result file the twin's summary reads (the deployed function's is its
/// MAX_RESULT_FILE_BYTES): a folder of a million photos writes about a gigabyte.
const MAX_RESULT_FILE_BYTES: u64 = 4 << 30;

/// An engine whose function ARNs run the real handlers over `deps`, and whose detect-faces
/// queue is served by the real consumer.
pub fn pipeline_engine(clock: Arc<dyn Clock>, deps: Arc<Dependencies>) -> Engine {
    let mut engine = Engine::new(clock.clone())
        .with_state_machine_arn("arn:aws:states:local:000000000000:stateMachine:PhotoValidation");
    let d = deps.clone();
    let analyses = fetch_metadata::FaceAnalyses {
        prefix: Some(face_analyses_prefix(&deps.faces)),
    };
    engine.register(function_arn("fetch-metadata"), move |p: Value| {
        let (d, analyses) = (d.clone(), analyses.clone());
        async move {
            let fetched = fetch_metadata::handle(p, &d.store, &analyses)
                .await
                .map_err(states_error)?;
            if fetched.known_faces.is_some() {
                d.cached_faces.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            output(fetched)
        }
    });
    crate::detect_queue::register(
        &mut engine,
        clock,
        Arc::new(FacesOf(deps.clone())),
        crate::detect_queue::QueueConfig::default(),
    );
    let d = deps.clone();
    engine.register(function_arn("analyze-image"), move |p: Value| {
        let d = d.clone();
        async move {
            // Decoding is CPU work: keep it off the async workers.
            let result = tokio::task::spawn_blocking(move || {
                tokio::runtime::Handle::current().block_on(analyze_image::handle(p, &d.store, &d.analyze))
            })
            .await
            .map_err(|e| StatesError::new("States.TaskFailed", e.to_string()))?;
            output(result.map_err(states_error)?)
        }
    });
    let d = deps.clone();
    engine.register(function_arn("evaluate-rules"), move |p: Value| {
        let d = d.clone();
        async move {
            let verdict = evaluate_rules::handle(p, &d.profile).map_err(states_error)?;
            d.verdicts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            output(verdict)
        }
    });
    let d = deps.clone();
    engine.register(function_arn("notify"), move |p: Value| {
        let d = d.clone();
        async move { output(notify::handle(p, &d.outbox).await.map_err(states_error)?) }
    });
    let d = deps;
    engine.register(function_arn("summarize-run"), move |p: Value| {
        let d = d.clone();
        async move {
            let report = summarize_run::handle(p, &d.store, &d.outbox, MAX_RESULT_FILE_BYTES).await;
            output(report.map_err(states_error)?)
        }
    });
    crate::folder_s3::register(&mut engine);
    engine
}

/// An engine whose every task resource returns its input (for trying definitions), with
/// folders as S3 buckets for Distributed Maps.
pub fn echo_engine(clock: Arc<dyn Clock>, sm: &StateMachine) -> Engine {
    let mut engine = Engine::new(clock);
    // A Distributed Map's ItemReader and ResultWriter read and write folders.
    crate::folder_s3::register(&mut engine);
    for resource in engine.missing_handlers(sm) {
        engine.register(resource, |v: Value| async move { Ok(v) });
    }
    engine
}

/// The execution document and name for a photo file, as start-validation would make them:
/// the folder is the bucket, the file name the key, and the content hash stands in for the
/// version so that a changed file is a new upload.
pub fn photo_input(path: &std::path::Path) -> std::io::Result<(String, ExecutionDocument)> {
    let path = std::fs::canonicalize(path)?;
    let bytes = std::fs::read(&path)?;
    let hash = crate::store::content_etag(&bytes);
    let bucket = path.parent().map(|p| p.display().to_string()).unwrap_or_default();
    let key = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut photo = PhotoRef::new(bucket, key);
    photo.size = Some(bytes.len() as u64);
    photo.sequencer = Some(hash[..16].to_owned());
    // As S3's ETag, from the content (folder_s3 lists the same value).
    photo.e_tag = Some(hash);
    let name = start_validation::execution_name(&photo);
    Ok((name, ExecutionDocument::new(photo)))
}

/// Runs the workflow for one photo document.
pub async fn validate(engine: &Engine, sm: &StateMachine, name: &str, doc: &ExecutionDocument) -> Execution {
    let input = serde_json::to_value(doc).unwrap_or(Value::Null);
    engine.execute(sm, name, input).await
}
