use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use passport_model::{PortError, PortErrorKind};

/// Codes that refuse for the request rate: "try again later", and counted apart from
/// other faults (the throttle metric).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "Throttled",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "KmsThrottlingException",
    "KMSThrottlingException",
];

/// Other codes that mean "try again later" across the services we call.
const SERVER_FAULT_CODES: &[&str] = &[
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalError",
    "InternalErrorException",
    "InternalServerError",
    "InternalFailure",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// The kind of an SDK failure: timeouts, dispatch failures, 5xx, 429 and throttling codes
/// are transient; a 404 is not-found; the rest is permanent. Callers special-case the
/// operation's own modelled errors before falling back to this.
///
/// `modelled` is the caller's reading of the operation's own error variant, which wins.
pub fn port_error<E>(
    context: &str,
    err: SdkError<E, HttpResponse>,
    modelled: Option<PortErrorKind>,
) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let throttled = match &err {
        SdkError::ServiceError(service) => {
            service.raw().status().as_u16() == 429
                || THROTTLING_CODES.contains(&service.err().code().unwrap_or_default())
        }
        _ => false,
    };
    let kind = match &err {
        SdkError::ServiceError(_) if modelled.is_some() => modelled.unwrap_or(PortErrorKind::Permanent),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            PortErrorKind::Transient
        }
        SdkError::ConstructionFailure(_) => PortErrorKind::Permanent,
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().unwrap_or_default();
            if throttled || SERVER_FAULT_CODES.contains(&code) || status >= 500 {
                PortErrorKind::Transient
            } else if status == 404 {
                PortErrorKind::NotFound
            } else {
                PortErrorKind::Permanent
            }
        }
        _ => PortErrorKind::Transient,
    };
    let detail = match err.code() {
        Some(code) => format!("{context}: {code}: {}", err.message().unwrap_or("no message")),
        None => format!("{context}: {err}"),
    };
    PortError::new(kind, detail)
        .with_source(err)
        .with_throttling(throttled)
}
