//! The SDK configuration every function loads once at cold start: the default chain
//! (region, credentials, `AWS_ENDPOINT_URL*` for local endpoints) plus timeouts.
//!
//! Without timeouts a stalled call waits for the Lambda timeout and ends as
//! `Sandbox.Timedout`, which no Retry lists; with them it surfaces as `Transient` well
//! inside the function's time and the workflow retries it.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Per-call limits; keep `operation` below the function's own timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdkTimeouts {
    /// One whole SDK call, its retries included.
    pub operation: Duration,
    /// One attempt of it.
    pub attempt: Duration,
}

impl SdkTimeouts {
    /// For a function whose Lambda timeout is `function_timeout`: the SDK call ends by
    /// 80 % of it, each of its (up to three) attempts by a third of that.
    pub fn within(function_timeout: Duration) -> Self {
        let operation = function_timeout.mul_f64(0.8);
        Self {
            operation,
            attempt: operation / 3,
        }
    }

    pub fn config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(2).min(self.attempt))
            .operation_timeout(self.operation)
            .operation_attempt_timeout(self.attempt)
            .build()
    }
}

/// The SDK's hyper and rustls HTTPS client with ring as the crypto provider (the default
/// one uses aws-lc-rs: the same protocols and cipher suites, a binary 2–3 MB larger).
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

/// The shared SDK configuration with `timeouts` applied.
pub async fn load_sdk_config(timeouts: SdkTimeouts) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .timeout_config(timeouts.config())
        .load()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_stay_inside_the_function_timeout() {
        let t = SdkTimeouts::within(Duration::from_secs(10));
        assert_eq!(t.operation, Duration::from_secs(8));
        assert!(t.attempt * 3 <= t.operation);
        let c = t.config();
        assert_eq!(c.operation_timeout(), Some(Duration::from_secs(8)));
        assert_eq!(c.operation_attempt_timeout(), Some(t.attempt));
    }
}
