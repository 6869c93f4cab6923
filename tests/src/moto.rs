//! moto server (a local AWS emulator) on a free loopback port, stopped on drop.
//!
//! moto_server is looked up in MOTO_SERVER, then `.venv/tools/bin` (the test command
//! installs it there), then PATH. Without it the suites say so loudly and pass, unless
//! REQUIRE_WIRE_TESTS is set (the test command sets it), in which case they fail.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MOTO_SERVER") {
        return Some(PathBuf::from(p));
    }
    let venv = crate::root().join(".venv/tools/bin/moto_server");
    if venv.exists() {
        return Some(venv);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("moto_server"))
            .find(|p| p.exists())
    })
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts moto server, or explains loudly why not.
pub fn start() -> Option<Moto> {
    let Some(bin) = moto_binary() else {
        let why = "moto_server not found (run ./scripts/test.sh, which installs it in .venv/tools)";
        if std::env::var_os("REQUIRE_WIRE_TESTS").is_some() {
            panic!("tests against moto are required but {why}");
        }
        eprintln!("\n*** TEST AGAINST MOTO SKIPPED: {why} ***\n");
        return None;
    };
    let port = free_port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

/// The SDK configuration of a test client talking to moto.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(aws_adapters::https_client())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new(crate::REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .load()
        .await
}

/// An S3 client for moto (path-style: moto serves buckets under its one host) and a new
/// bucket with versioning on, as the template's bucket has it.
pub async fn versioned_bucket(conf: &aws_config::SdkConfig, bucket: &str) -> aws_sdk_s3::Client {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(conf)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(bucket)
        .send()
        .await
        .expect("create the bucket");
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("turn versioning on");
    s3
}
