//! The YuNet ONNX model, run with tract (pure Rust).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tract_onnx::prelude::*;

/// The model file the setup step caches, and its pinned digest.
pub const MODEL_FILE: &str = "face_detection_yunet_2023mar.onnx";
pub const MODEL_SHA256: &str = "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4";
/// Network input side for a whole photo: 320 suits passport photos (faces of about
/// 10–300 px at that scale).
pub const INPUT_SIZE: usize = 320;
/// Network input side for the refinement's crops, which hold one face four eye-distances
/// wide: at 224 the eyes are 56 px apart and a pass costs half of a 320 one. At 192 and
/// 160 the roll and mirror tests fail (crates/face-local/tests/analyzer.rs).
pub const CROP_SIZE: usize = 224;

const HOW_TO_GET: &str = "run `passport-photo check` once with network access (it fetches the pinned model into the user cache folder), or `python3 scripts/fetch_assets.py` in a checkout, or set PASSPORT_PHOTO_MODEL to the model file";

/// The setting that names the model file explicitly (it then wins over every other place).
pub const MODEL_ENV: &str = "PASSPORT_PHOTO_MODEL";

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("the face model {0} is missing: {HOW_TO_GET}")]
    Missing(PathBuf),
    #[error("the face model {path} is not the expected file (sha256 {actual}, expected {MODEL_SHA256}): {HOW_TO_GET}")]
    WrongFile { path: PathBuf, actual: String },
    #[error("the face model could not be loaded: {0}")]
    Load(String),
    #[error("the face model failed on an image: {0}")]
    Run(String),
}

/// Where an installed binary keeps the model: `passport-photo/` in the user's cache folder
/// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%`
/// on Windows).
pub fn user_cache_model_path() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("passport-photo").join(MODEL_FILE))
}

/// The checkout's cache (`.cache/assets/model/`, filled by scripts/fetch_assets.py) in the
/// working directory or the nearest parent that has one, as git finds its folder: the
/// project's commands and tests run from any folder inside it.
fn checkout_model_path() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|d| d.join(".cache/assets/model").join(MODEL_FILE))
        .find(|p| p.is_file())
}

/// The model file to load: `PASSPORT_PHOTO_MODEL` when set, else the checkout's cache, else
/// the user cache; `None` when there is none yet (an installed binary fetches it then).
pub fn find_model() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(MODEL_ENV) {
        return Some(PathBuf::from(p));
    }
    checkout_model_path().or_else(|| user_cache_model_path().filter(|p| p.is_file()))
}

/// Where the model is, or where it would be kept (for the message when it is missing).
pub fn default_model_path() -> PathBuf {
    find_model()
        .or_else(user_cache_model_path)
        .unwrap_or_else(|| PathBuf::from(MODEL_FILE))
}

/// The network, planned once for each input side it is run at.
pub struct YuNet {
    plans: Vec<(usize, Arc<TypedRunnableModel>)>,
    /// Output index by name (`cls_8`, `obj_16`, `bbox_32`, `kps_8`, …).
    outputs: Vec<String>,
}

impl YuNet {
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let bytes = std::fs::read(path).map_err(|_| ModelError::Missing(path.to_path_buf()))?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != MODEL_SHA256 {
            return Err(ModelError::WrongFile {
                path: path.to_path_buf(),
                actual,
            });
        }
        let plan = || -> TractResult<Self> {
            // Parsed once, planned for each input side.
            let parsed = tract_onnx::onnx()
                .with_ignore_value_info(true)
                .with_ignore_output_shapes(true)
                .model_for_read(&mut bytes.as_slice())?;
            let mut plans = Vec::new();
            let mut outputs = Vec::new();
            for side in [INPUT_SIZE, CROP_SIZE] {
                let model = parsed
                    .clone()
                    .with_input_fact(0, f32::fact([1, 3, side, side]).into())?
                    .into_optimized()?;
                outputs = model
                    .output_outlets()?
                    .iter()
                    .map(|o| {
                        model
                            .outlet_label(*o)
                            .map(str::to_owned)
                            .unwrap_or_else(|| model.node(o.node).name.clone())
                    })
                    .collect();
                plans.push((side, model.into_runnable()?));
            }
            Ok(Self { plans, outputs })
        };
        plan().map_err(|e| ModelError::Load(format!("{e:#}")))
    }

    /// Runs the network on an NCHW BGR tensor of `side`² (`INPUT_SIZE` or `CROP_SIZE`),
    /// returning outputs by name.
    pub fn run(&self, side: usize, input: Tensor) -> Result<Vec<(String, Vec<f32>)>, ModelError> {
        let plan = self
            .plans
            .iter()
            .find(|(s, _)| *s == side)
            .map(|(_, p)| p)
            .ok_or_else(|| ModelError::Run(format!("the model is not planned for {side}x{side}")))?;
        let out = plan
            .run(tvec!(input.into()))
            .map_err(|e| ModelError::Run(format!("{e:#}")))?;
        out.iter()
            .zip(&self.outputs)
            .map(|(t, name)| {
                let v = t
                    .to_plain_array_view::<f32>()
                    .map_err(|e| ModelError::Run(format!("{e:#}")))?
                    .iter()
                    .copied()
                    .collect();
                Ok((name.clone(), v))
            })
            .collect()
    }
}
