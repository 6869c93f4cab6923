//! `ObjectStore` over Amazon S3: always the exact version named in the photo reference.

use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use passport_model::{ObjectHead, ObjectStore, PhotoRef, PortError, PortErrorKind};

use crate::port_error;

#[derive(Debug, Clone)]
pub struct S3ObjectStore {
    client: Client,
}

impl S3ObjectStore {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// S3 answers 405 for a version that is a delete marker: the photo is gone.
fn gone_if_deleted(mut e: PortError, photo: &PhotoRef) -> PortError {
    if e.kind == PortErrorKind::NotFound || e.message.contains("MethodNotAllowed") {
        e.kind = PortErrorKind::NotFound;
        e.message = format!("{} is gone: {}", photo.uri(), e.message);
    }
    e
}

/// NoSuchVersion answers 400 for malformed ids and 404 otherwise; both mean "not there".
fn version_missing(e: &PortError) -> bool {
    e.message.contains("NoSuchVersion") || e.message.contains("NoSuchKey")
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
            .map_err(|e| {
                let modelled = e
                    .as_service_error()
                    .and_then(|s| s.is_not_found().then_some(PortErrorKind::NotFound));
                gone_if_deleted(port_error("S3 HeadObject", e, modelled), photo)
            })?;
        let size = out
            .content_length()
            .and_then(|l| u64::try_from(l).ok())
            .ok_or_else(|| PortError::permanent("S3 HeadObject returned no Content-Length"))?;
        Ok(ObjectHead {
            size,
            content_type: out.content_type().map(str::to_owned),
            e_tag: out.e_tag().map(str::to_owned),
        })
    }

    async fn read_range(&self, photo: &PhotoRef, start: u64, len: u64) -> Result<Vec<u8>, PortError> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let range = format!("bytes={}-{}", start, start + len - 1);
        let out = self
            .client
            .get_object()
            .bucket(&photo.bucket)
            .key(&photo.key)
            .set_version_id(photo.version_id.clone())
            .range(range)
            .send()
            .await
            .map_err(|e| classify_get(e, photo))?;
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| PortError::transient("S3 GetObject body interrupted").with_source(e))?
            .into_bytes();
        // A server that ignores Range must not make us hold more than we asked for.
        let keep = bytes.len().min(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(bytes[..keep].to_vec())
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
            .map_err(|e| classify_get(e, photo))?;
        let declared = out
            .content_length()
            .and_then(|l| u64::try_from(l).ok())
            .unwrap_or(0);
        if declared > max_bytes {
            return Err(too_large(photo, declared, max_bytes));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        while let Some(chunk) = out
            .body
            .try_next()
            .await
            .map_err(|e| PortError::transient("S3 GetObject body interrupted").with_source(e))?
        {
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

fn classify_get(e: SdkError<GetObjectError, HttpResponse>, photo: &PhotoRef) -> PortError {
    let modelled = e
        .as_service_error()
        .and_then(|s| s.is_no_such_key().then_some(PortErrorKind::NotFound));
    let mut e = port_error("S3 GetObject", e, modelled);
    if version_missing(&e) {
        e.kind = PortErrorKind::NotFound;
    }
    gone_if_deleted(e, photo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::operation::get_object::GetObjectOutput;
    use aws_sdk_s3::operation::head_object::{HeadObjectError, HeadObjectOutput};
    use aws_sdk_s3::primitives::ByteStream;
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
}
