use super::*;
use aws_adapters::s3::S3ObjectStore;
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::operation::head_object::{HeadObjectError, HeadObjectOutput};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NotFound;
use aws_sdk_s3::Client;
use aws_smithy_mocks::{mock, mock_client, Rule};
use passport_model::{ImageFormat, MetadataProblem};

fn input() -> Value {
    let path = format!("{}/../../events/fetch-metadata.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::new(w, h)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

fn head(size: i64) -> Rule {
    mock!(Client::head_object)
        .match_requests(|r| r.version_id() == Some("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"))
        .then_output(move || {
            HeadObjectOutput::builder()
                .content_length(size)
                .content_type("image/jpeg")
                .build()
        })
}

/// Serves the first bytes of `body`, checking that exactly the header range is asked for.
fn ranged_get(body: Vec<u8>, expected_range: String) -> Rule {
    mock!(Client::get_object)
        .match_requests(move |r| {
            r.range() == Some(expected_range.as_str())
                && r.version_id() == Some("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")
        })
        .then_output(move || {
            GetObjectOutput::builder()
                .body(ByteStream::from(body.clone()))
                .build()
        })
}

#[tokio::test]
async fn reads_the_header_with_one_ranged_read_of_at_most_64_kib() {
    let mut photo = jpeg(900, 900);
    photo.resize(2_000_000, 0); // a large file: only the first 64 KiB may be read
    let prefix = photo[..65536].to_vec();
    let (h, g) = (head(2_000_000), ranged_get(prefix, "bytes=0-65535".into()));
    let store = S3ObjectStore::new(mock_client!(
        aws_sdk_s3,
        aws_smithy_mocks::RuleMode::MatchAny,
        [&h, &g]
    ));
    let m = handle(input(), &store).await.unwrap();
    assert_eq!(g.num_calls(), 1);
    assert_eq!(m.format, ImageFormat::Jpeg);
    assert_eq!((m.width, m.height), (Some(900), Some(900)));
    assert_eq!(m.size_bytes, 2_000_000);
    assert!(m.analyzable);
}

#[tokio::test]
async fn small_files_are_read_only_up_to_their_size() {
    let photo = jpeg(200, 200);
    let range = format!("bytes=0-{}", photo.len() - 1);
    let (h, g) = (head(photo.len() as i64), ranged_get(photo, range));
    let store = S3ObjectStore::new(mock_client!(
        aws_sdk_s3,
        aws_smithy_mocks::RuleMode::MatchAny,
        [&h, &g]
    ));
    assert!(handle(input(), &store).await.unwrap().analyzable);
    assert_eq!(g.num_calls(), 1);
}

#[tokio::test]
async fn each_metadata_problem_is_an_answer_not_an_error() {
    let cases: Vec<(Vec<u8>, i64, MetadataProblem)> = vec![
        (b"GIF89a....".to_vec(), 10, MetadataProblem::UnsupportedFormat),
        (jpeg(300, 300)[..25].to_vec(), 25, MetadataProblem::CorruptHeader),
        (jpeg(50, 300), 0, MetadataProblem::TooSmallForAnalysis),
        (jpeg(300, 300), 16_000_000, MetadataProblem::TooLargeForAnalysis),
    ];
    for (bytes, declared, problem) in cases {
        let size = if declared == 0 {
            bytes.len() as i64
        } else {
            declared
        };
        let range = format!("bytes=0-{}", (size as u64).min(65536) - 1);
        let (h, g) = (head(size), ranged_get(bytes, range));
        let store = S3ObjectStore::new(mock_client!(
            aws_sdk_s3,
            aws_smithy_mocks::RuleMode::MatchAny,
            [&h, &g]
        ));
        let m = handle(input(), &store).await.unwrap();
        assert!(m.problems.contains(&problem), "{problem:?}: {:?}", m.problems);
        assert!(!m.analyzable, "{problem:?}");
    }
}

#[tokio::test]
async fn an_empty_object_is_not_read_at_all() {
    let h = head(0);
    let g = mock!(Client::get_object).then_output(|| GetObjectOutput::builder().build());
    let store = S3ObjectStore::new(mock_client!(
        aws_sdk_s3,
        aws_smithy_mocks::RuleMode::MatchAny,
        [&h, &g]
    ));
    let m = handle(input(), &store).await.unwrap();
    assert_eq!(m.problems, vec![MetadataProblem::EmptyFile]);
    assert_eq!(g.num_calls(), 0);
}

#[tokio::test]
async fn a_missing_version_is_photo_not_found() {
    let h = mock!(Client::head_object).then_error(|| HeadObjectError::NotFound(NotFound::builder().build()));
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&h]));
    let err = handle(input(), &store).await.unwrap_err();
    assert_eq!(lambda_support::diagnostic(err).error_type, "PhotoNotFound");
}

#[tokio::test]
async fn throttling_is_transient() {
    let h = mock!(Client::head_object)
        .sequence()
        .http_status(503, None)
        .times(5)
        .build();
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&h]));
    let err = handle(input(), &store).await.unwrap_err();
    assert_eq!(err.error_name(), ErrorName::Transient);
}

#[tokio::test]
async fn malformed_input_is_invalid_input() {
    let h = head(1);
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&h]));
    let err = handle(serde_json::json!({"photo": {"key": 3}}), &store)
        .await
        .unwrap_err();
    assert_eq!(err.error_name(), ErrorName::InvalidInput);
    assert_eq!(h.num_calls(), 0);
}
