//! `ObjectStore` over Amazon S3: always the exact version named in the photo reference.

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use passport_model::{ObjectHead, ObjectStore, PhotoRef, PortError, PortErrorKind};

use crate::port_error;

#[derive(Debug, Clone)]
pub struct S3ObjectStore {
    client: Client,
    /// The longest wait for the next piece of a body: the SDK's timeouts end when the
    /// response headers arrive, a stalled body would otherwise hang to the Lambda timeout.
    body_stall: Duration,
}

impl S3ObjectStore {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            body_stall: Duration::from_secs(5),
        }
    }

    pub fn with_body_stall_timeout(mut self, stall: Duration) -> Self {
        self.body_stall = stall;
        self
    }
}

/// The next chunk of a body, or `Transient` when it stalls or breaks.
async fn next_chunk(body: &mut ByteStream, stall: Duration) -> Result<Option<bytes::Bytes>, PortError> {
    match tokio::time::timeout(stall, body.try_next()).await {
        Err(_) => Err(PortError::transient(format!(
            "S3 GetObject body stalled for {} s",
            stall.as_secs_f32()
        ))),
        Ok(r) => r.map_err(|e| PortError::transient("S3 GetObject body interrupted").with_source(e)),
    }
}

/// What real S3 answers when the photo is not there (S3 API reference, GetObject and
/// HeadObject; the functions hold `s3:ListBucket`, without which every case below is a
/// 403 that cannot be told from a permission fault):
/// - key deleted or never written: 404 (`NoSuchKey` on GET; HEAD has no body);
/// - version deleted: 404 `NoSuchVersion`;
/// - the version is a delete marker: 405 `MethodNotAllowed`;
/// - a malformed version id: 400 `InvalidArgument` ("Invalid version id specified").
///
/// A 403 stays a permission fault (`Permanent`), for the operators.
fn photo_status(status: u16, code: Option<&str>, has_version: bool) -> Option<PortErrorKind> {
    match (status, code) {
        (404, _) | (405, _) => Some(PortErrorKind::NotFound),
        (_, Some("NoSuchKey" | "NoSuchVersion" | "MethodNotAllowed")) => Some(PortErrorKind::NotFound),
        (400, Some("InvalidArgument") | None) if has_version => Some(PortErrorKind::NotFound),
        _ => None,
    }
}

/// `modelled_not_found` is the operation's own "no such key" variant.
fn classify<E>(
    context: &str,
    e: SdkError<E, HttpResponse>,
    photo: &PhotoRef,
    modelled_not_found: impl Fn(&E) -> bool,
) -> PortError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let kind = match &e {
        SdkError::ServiceError(s) if modelled_not_found(s.err()) => Some(PortErrorKind::NotFound),
        SdkError::ServiceError(s) => photo_status(
            s.raw().status().as_u16(),
            aws_smithy_types::error::metadata::ProvideErrorMetadata::code(s.err()),
            photo.version_id.is_some(),
        ),
        _ => None,
    };
    let mut err = port_error(context, e, kind);
    if err.kind == PortErrorKind::NotFound {
        err.message = format!("{} is gone: {}", photo.uri(), err.message);
    }
    err
}

impl ObjectStore for S3ObjectStore {
    async fn head(&self, photo: &PhotoRef) -> Result<ObjectHead, PortError> {
        let out = self
            .client
            .head_object()
            .bucket(&photo.bucket)
            .key(&photo.key)
            .set_version_id(photo.version_id.clone())
            .send()
            .await
            .map_err(|e| classify("S3 HeadObject", e, photo, |s| s.is_not_found()))?;
        let size = out
            .content_length()
            .and_then(|l| u64::try_from(l).ok())
            .ok_or_else(|| PortError::permanent("S3 HeadObject returned no Content-Length"))?;
        Ok(ObjectHead {
            size,
            content_type: out.content_type().map(str::to_owned),
            e_tag: out.e_tag().map(str::to_owned),
            version_id: out.version_id().map(str::to_owned),
        })
    }

    async fn read_range(&self, photo: &PhotoRef, start: u64, len: u64) -> Result<Vec<u8>, PortError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let range = format!("bytes={}-{}", start, start + len - 1);
        let mut out = self
            .client
            .get_object()
            .bucket(&photo.bucket)
            .key(&photo.key)
            .set_version_id(photo.version_id.clone())
            .range(range)
            .send()
            .await
            .map_err(|e| classify("S3 GetObject", e, photo, |s| s.is_no_such_key()))?;
        // A server (or proxy) that ignores Range sends the whole object: stop reading at
        // the limit instead of holding a 15 MB photo in a 128 MB function.
        let limit = usize::try_from(len).unwrap_or(usize::MAX);
        let mut bytes = Vec::with_capacity(limit.min(1 << 20));
        while let Some(chunk) = next_chunk(&mut out.body, self.body_stall).await? {
            let room = limit - bytes.len();
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if bytes.len() >= limit {
                break;
            }
        }
        Ok(bytes)
    }

    async fn read_all(&self, photo: &PhotoRef, max_bytes: u64) -> Result<Vec<u8>, PortError> {
        let mut out = self
            .client
            .get_object()
            .bucket(&photo.bucket)
            .key(&photo.key)
            .set_version_id(photo.version_id.clone())
            .send()
            .await
            .map_err(|e| classify("S3 GetObject", e, photo, |s| s.is_no_such_key()))?;
        let declared = out
            .content_length()
            .and_then(|l| u64::try_from(l).ok())
            .unwrap_or(0);
        if declared > max_bytes {
            return Err(too_large(photo, declared, max_bytes));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        while let Some(chunk) = next_chunk(&mut out.body, self.body_stall).await? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > max_bytes {
                return Err(too_large(photo, bytes.len() as u64, max_bytes));
            }
        }
        Ok(bytes)
    }
}

fn too_large(photo: &PhotoRef, size: u64, max: u64) -> PortError {
    PortError::new(
        PortErrorKind::TooLarge,
        format!("{} has {size} bytes, more than the {max} allowed", photo.uri()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
    use aws_sdk_s3::operation::head_object::{HeadObjectError, HeadObjectOutput};
    use aws_sdk_s3::types::error::{NoSuchKey, NotFound};
    use aws_smithy_mocks::{mock, mock_client};

    fn photo() -> PhotoRef {
        let mut p = PhotoRef::new("uploads-bucket", "uploads/jane doe.jpg");
        p.version_id = Some("v1".into());
        p
    }

    #[tokio::test]
    async fn ranged_read_asks_for_exact_version_and_range() {
        let rule = mock!(Client::get_object)
            .match_requests(|r| {
                r.range() == Some("bytes=0-65535")
                    && r.version_id() == Some("v1")
                    && r.key() == Some("uploads/jane doe.jpg")
            })
            .then_output(|| {
                GetObjectOutput::builder()
                    .body(ByteStream::from_static(b"\xFF\xD8\xFF"))
                    .build()
            });
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let bytes = store.read_range(&photo(), 0, 65536).await.unwrap();
        assert_eq!(bytes, b"\xFF\xD8\xFF");
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn head_not_found_is_not_found() {
        let rule =
            mock!(Client::head_object).then_error(|| HeadObjectError::NotFound(NotFound::builder().build()));
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let err = store.head(&photo()).await.unwrap_err();
        assert_eq!(err.kind, PortErrorKind::NotFound, "{err}");
    }

    #[tokio::test]
    async fn head_reports_size_and_type() {
        let rule = mock!(Client::head_object).then_output(|| {
            HeadObjectOutput::builder()
                .content_length(1234)
                .content_type("image/jpeg")
                .build()
        });
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let head = store.head(&photo()).await.unwrap();
        assert_eq!(head.size, 1234);
        assert_eq!(head.content_type.as_deref(), Some("image/jpeg"));
    }

    #[tokio::test]
    async fn missing_key_on_get_is_not_found() {
        let rule =
            mock!(Client::get_object).then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let err = store.read_all(&photo(), 10).await.unwrap_err();
        assert_eq!(err.kind, PortErrorKind::NotFound, "{err}");
    }

    #[tokio::test]
    async fn server_errors_are_transient() {
        let rule = mock!(Client::get_object)
            .sequence()
            .http_status(503, None)
            .times(5)
            .build();
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let err = store.read_range(&photo(), 0, 10).await.unwrap_err();
        assert_eq!(err.kind, PortErrorKind::Transient, "{err}");
    }

    #[tokio::test]
    async fn read_all_refuses_objects_over_the_limit_before_reading_them() {
        let rule = mock!(Client::get_object).then_output(|| {
            GetObjectOutput::builder()
                .content_length(11)
                .body(ByteStream::from_static(b"01234567890"))
                .build()
        });
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let err = store.read_all(&photo(), 10).await.unwrap_err();
        assert_eq!(err.kind, PortErrorKind::TooLarge);
        let rule = mock!(Client::get_object).then_output(|| {
            GetObjectOutput::builder()
                .content_length(11)
                .body(ByteStream::from_static(b"01234567890"))
                .build()
        });
        let ok = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        assert_eq!(ok.read_all(&photo(), 11).await.unwrap().len(), 11);
    }

    #[tokio::test]
    async fn a_server_that_ignores_range_is_read_only_up_to_the_limit() {
        let rule = mock!(Client::get_object).then_output(|| {
            GetObjectOutput::builder()
                .body(ByteStream::from(vec![7u8; 1_000_000]))
                .build()
        });
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let bytes = store.read_range(&photo(), 0, 65536).await.unwrap();
        assert_eq!(bytes.len(), 65536);
    }

    async fn head_status(status: u16, versioned: bool) -> PortErrorKind {
        let rule = mock!(Client::head_object)
            .sequence()
            .http_status(status, None)
            .times(3)
            .build();
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        let mut p = photo();
        if !versioned {
            p.version_id = None;
        }
        store.head(&p).await.unwrap_err().kind
    }

    async fn get_error(status: u16, code: &str) -> PortErrorKind {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>m</Message></Error>"
        );
        let rule = mock!(Client::get_object)
            .sequence()
            .http_status(status, Some(body))
            .times(3)
            .build();
        let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
        store.read_range(&photo(), 0, 10).await.unwrap_err().kind
    }

    /// What AWS answers (HEAD responses carry no body, only the status). moto answers
    /// 404 where AWS, for a caller without s3:ListBucket, answers 403: the functions are
    /// granted s3:ListBucket so that AWS answers 404 too.
    #[tokio::test]
    async fn real_s3_answers_for_a_vanished_photo_are_not_found() {
        assert_eq!(
            head_status(404, true).await,
            PortErrorKind::NotFound,
            "key or version deleted"
        );
        assert_eq!(
            head_status(405, true).await,
            PortErrorKind::NotFound,
            "version is a delete marker"
        );
        assert_eq!(
            head_status(400, true).await,
            PortErrorKind::NotFound,
            "malformed version id"
        );
        assert_eq!(get_error(404, "NoSuchVersion").await, PortErrorKind::NotFound);
        assert_eq!(get_error(404, "NoSuchKey").await, PortErrorKind::NotFound);
        assert_eq!(get_error(405, "MethodNotAllowed").await, PortErrorKind::NotFound);
        assert_eq!(get_error(400, "InvalidArgument").await, PortErrorKind::NotFound);
    }

    #[tokio::test]
    async fn permission_faults_are_permanent_not_not_found() {
        assert_eq!(head_status(403, true).await, PortErrorKind::Permanent);
        assert_eq!(get_error(403, "AccessDenied").await, PortErrorKind::Permanent);
        assert_eq!(
            get_error(403, "KMS.AccessDeniedException").await,
            PortErrorKind::Permanent
        );
        // Without a version id a 400 is a request fault, not a vanished version.
        assert_eq!(head_status(400, false).await, PortErrorKind::Permanent);
    }
}
