//! The six function binaries, each run as Lambda runs a `provided.al2023` function: its own
//! process, the environment Lambda sets plus the one `template.yaml` gives it, and a Runtime
//! API to poll.
//!
//! Binaries: `E2E_BOOTSTRAP_DIR` names a `sam build` output folder (`<dir>/<LogicalId>/bootstrap`,
//! the test command builds x86_64 there); without it the release binaries are built here
//! once with `cargo build --release`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_norway::Value as Yaml;

use crate::runtime_api::RuntimeApi;

/// Function package → (template logical id, Lambda timeout in seconds).
pub fn template_functions() -> BTreeMap<String, (String, u64)> {
    let t = crate::template();
    let global_timeout = t["Globals"]["Function"]["Timeout"].as_u64().unwrap_or(3);
    t["Resources"]
        .as_mapping()
        .expect("template resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| {
            let package = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .expect("each function names its binary")
                .to_owned();
            let timeout = r["Properties"]["Timeout"].as_u64().unwrap_or(global_timeout);
            (package, (id.as_str().unwrap_or_default().to_owned(), timeout))
        })
        .collect()
}

fn built_binaries() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = crate::root();
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(&root).args(["build", "--release", "--locked"]);
        for package in template_functions().keys() {
            cmd.args(["-p", package]);
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building the release binaries failed");
        root.join("target/release")
    })
}

/// The binary `sam build` made for `package`, or the release build of it.
pub fn binary(package: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("E2E_BOOTSTRAP_DIR") {
        let functions = template_functions();
        let (id, _) = &functions[package];
        let path = Path::new(&dir).join(id).join("bootstrap");
        assert!(
            path.exists(),
            "{} is missing: run sam build first",
            path.display()
        );
        return path;
    }
    built_binaries().join(package)
}

/// One running function.
pub struct Function {
    pub package: String,
    pub api: Arc<RuntimeApi>,
    pub timeout: Duration,
    child: Child,
    logs: PathBuf,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A failing test keeps the logs to read; a passing one leaves nothing behind.
        if std::thread::panicking() {
            eprintln!("{} logs: {}", self.package, self.logs.display());
        } else {
            let _ = std::fs::remove_file(&self.logs);
        }
    }
}

impl Function {
    /// Starts `package` with Lambda's environment, `function_env` from the template, and
    /// `endpoints` (`AWS_ENDPOINT_URL…`) pointing the SDK at the local stand-ins.
    pub async fn start(
        package: &str,
        function_env: &[(String, String)],
        endpoints: &[(String, String)],
    ) -> Self {
        let api = Arc::new(RuntimeApi::start(package).await);
        let (_, timeout) = template_functions()[package].clone();
        let logs = std::env::temp_dir().join(format!(
            "e2e-{}-{package}-{}.log",
            std::process::id(),
            api.endpoint().replace(':', "-")
        ));
        // Lambda sends both streams to CloudWatch Logs; so does this, to one file.
        let log_file = std::fs::File::create(&logs).expect("a log file");
        let mut cmd = Command::new(binary(package));
        cmd.env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", api.endpoint())
            .env("AWS_LAMBDA_FUNCTION_NAME", package)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{package}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/01/[$LATEST]e2e")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
            .env("AWS_REGION", crate::REGION)
            .env("AWS_DEFAULT_REGION", crate::REGION)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_SESSION_TOKEN", "testing")
            .env("_HANDLER", "bootstrap")
            .env("LAMBDA_TASK_ROOT", "/var/task")
            .stdout(log_file.try_clone().expect("a log file"))
            .stderr(log_file);
        for (k, v) in function_env.iter().chain(endpoints) {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("{package} starts: {e}"));
        Self {
            package: package.to_owned(),
            api,
            timeout: Duration::from_secs(timeout),
            child,
            logs,
        }
    }

    /// What the function wrote (its logs).
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.logs).unwrap_or_default()
    }

    /// Waits up to `limit` for the process to exit; its status if it did.
    pub fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

/// The environment `template.yaml` gives `package`, with `!Ref`s resolved by `refs`
/// (logical id or parameter → value). A reference the test cannot resolve fails loudly.
pub fn template_env(package: &str, refs: &BTreeMap<&str, String>) -> Vec<(String, String)> {
    let t = crate::template();
    let (id, _) = &template_functions()[package];
    let vars = &t["Resources"][id.as_str()]["Properties"]["Environment"]["Variables"];
    let Some(vars) = vars.as_mapping() else {
        return Vec::new();
    };
    vars.iter()
        .map(|(k, v)| {
            let key = k.as_str().unwrap_or_default().to_owned();
            let value = match v {
                Yaml::String(s) => s.clone(),
                Yaml::Number(n) => n.to_string(),
                Yaml::Tagged(tag) if tag.tag == "Ref" => {
                    let name = tag.value.as_str().unwrap_or_default();
                    refs.get(name)
                        .cloned()
                        .unwrap_or_else(|| panic!("{package}: the test cannot resolve !Ref {name} of {key}"))
                }
                other => panic!("{package}: {key} has a value the test cannot resolve: {other:?}"),
            };
            (key, value)
        })
        .collect()
}
