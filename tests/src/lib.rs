//! Shared pieces of the workspace-level suites in this folder: moto server, a Lambda Runtime
//! API, a Rekognition stub, the function binaries, and the template.
//!
//! | suite | what it proves |
//! |---|---|
//! | `contract.rs` | the state machine, `template.yaml`, `samconfig.toml` and the crates agree |
//! | `environment.rs` | each function's environment in the template is what its `main.rs` reads, and its policies allow each SDK call it makes |
//! | `wire.rs` | the AWS adapters against moto server (S3 versions and ranges, StartExecution, SNS to SQS) |
//! | `workflow.rs` | the real definition in the local twin with the real handlers, every branch |
//! | `e2e.rs` | the six release binaries under a Runtime API, the SDK pointed at moto and a Rekognition stub, the real definition between them |

pub mod functions;
pub mod http;
pub mod moto;
pub mod rekognition_stub;
pub mod runtime_api;
pub mod task_tokens;

use std::path::{Path, PathBuf};

/// The region every local client and function uses.
pub const REGION: &str = "us-east-1";

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `template.yaml`, parsed (CloudFormation tags such as `!Ref` stay tagged values).
pub fn template() -> serde_norway::Value {
    serde_norway::from_str(&std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml"))
        .expect("template.yaml parses")
}

/// A recorded Rekognition `DetectFaces` response of the rules' fixtures.
pub fn rekognition_fixture(name: &str) -> PathBuf {
    root().join(format!("crates/passport-rules/fixtures/rekognition/{name}.json"))
}

/// A 600×750 colour JPEG: light background, skin where the fixtures put the face.
pub fn portrait_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(600, 750, |x, y| {
        let head = (150..450).contains(&x) && (60..750).contains(&y);
        image::Rgb(if head { [214, 168, 140] } else { [236, 236, 232] })
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode a JPEG");
    out.into_inner()
}
