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

/// The S3 adapter over mocked answers, each rule matched in any order.
fn mocked_s3(rules: &[&Rule]) -> S3ObjectStore {
    S3ObjectStore::new(mock_client!(
        aws_sdk_s3,
        aws_smithy_mocks::RuleMode::MatchAny,
        rules
    ))
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
    let store = mocked_s3(&[&h, &g]);
    let m = handle(input(), &store, &FaceAnalyses::default()).await.unwrap();
    assert_eq!(g.num_calls(), 1);
    assert_eq!(m.metadata.format, ImageFormat::Jpeg);
    assert_eq!((m.metadata.width, m.metadata.height), (Some(900), Some(900)));
    assert_eq!(m.metadata.size_bytes, 2_000_000);
    assert!(m.metadata.analyzable);
}

#[tokio::test]
async fn small_files_are_read_only_up_to_their_size() {
    let photo = jpeg(200, 200);
    let range = format!("bytes=0-{}", photo.len() - 1);
    let (h, g) = (head(photo.len() as i64), ranged_get(photo, range));
    let store = mocked_s3(&[&h, &g]);
    assert!(
        handle(input(), &store, &FaceAnalyses::default())
            .await
            .unwrap()
            .metadata
            .analyzable
    );
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
        let store = mocked_s3(&[&h, &g]);
        let m = handle(input(), &store, &FaceAnalyses::default()).await.unwrap();
        assert!(
            m.metadata.problems.contains(&problem),
            "{problem:?}: {:?}",
            m.metadata.problems
        );
        assert!(!m.metadata.analyzable, "{problem:?}");
    }
}

#[tokio::test]
async fn an_empty_object_is_not_read_at_all() {
    let h = head(0);
    let g = mock!(Client::get_object).then_output(|| GetObjectOutput::builder().build());
    let store = mocked_s3(&[&h, &g]);
    let m = handle(input(), &store, &FaceAnalyses::default()).await.unwrap();
    assert_eq!(m.metadata.problems, vec![MetadataProblem::EmptyFile]);
    assert_eq!(g.num_calls(), 0);
}

#[tokio::test]
async fn a_missing_version_is_photo_not_found() {
    let h = mock!(Client::head_object).then_error(|| HeadObjectError::NotFound(NotFound::builder().build()));
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&h]));
    let err = handle(input(), &store, &FaceAnalyses::default())
        .await
        .unwrap_err();
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
    let err = handle(input(), &store, &FaceAnalyses::default())
        .await
        .unwrap_err();
    assert_eq!(err.error_name(), ErrorName::Transient);
}

#[tokio::test]
async fn malformed_input_is_invalid_input() {
    let h = head(1);
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&h]));
    let err = handle(
        serde_json::json!({"photo": {"key": 3}}),
        &store,
        &FaceAnalyses::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_name(), ErrorName::InvalidInput);
    assert_eq!(h.num_calls(), 0);
}

const ANALYSES: &str = "analysis/v1";

fn analyses() -> FaceAnalyses {
    FaceAnalyses {
        prefix: Some(ANALYSES.into()),
    }
}

/// HeadObject as S3 answers it: with the version's ETag, in quotes.
fn tagged_head(size: i64) -> Rule {
    mock!(Client::head_object).then_output(move || {
        HeadObjectOutput::builder()
            .content_length(size)
            .content_type("image/jpeg")
            .e_tag("\"5d41402abc4b2a76b9719d911017c592\"")
            .build()
    })
}

fn kept(body: Vec<u8>) -> Rule {
    let key = faces_key(
        ANALYSES,
        "uploads/jane doe+1 100%é.jpg",
        "5d41402abc4b2a76b9719d911017c592",
    );
    mock!(Client::get_object)
        .match_requests(move |r| r.key() == Some(key.as_str()) && r.range().is_none())
        .then_output(move || {
            GetObjectOutput::builder()
                .body(ByteStream::from(body.clone()))
                .build()
        })
}

#[tokio::test]
async fn a_kept_analysis_of_the_same_version_is_returned_with_where_it_is_kept() {
    let photo = jpeg(600, 600);
    let range = format!("bytes=0-{}", photo.len() - 1);
    let analysis = passport_model::FaceAnalysis {
        source: passport_model::FaceSource::Rekognition,
        faces: Vec::new(),
        refused: None,
        omitted_faces: 0,
    };
    let (h, g, k) = (
        tagged_head(photo.len() as i64),
        ranged_get(photo, range),
        kept(serde_json::to_vec(&analysis).unwrap()),
    );
    let store = mocked_s3(&[&h, &g, &k]);
    let m = handle(input(), &store, &analyses()).await.unwrap();
    assert_eq!(
        m.e_tag.as_deref(),
        Some("5d41402abc4b2a76b9719d911017c592"),
        "quotes trimmed"
    );
    let key = m.faces_key.unwrap();
    assert!(
        key.starts_with("analysis/v1/") && key.ends_with(".json") && !key.contains("jane"),
        "{key}"
    );
    assert_eq!(m.known_faces, Some(analysis));
    assert_eq!(k.num_calls(), 1);
}

#[tokio::test]
async fn a_damaged_kept_analysis_or_none_only_means_detecting_again() {
    for body in [b"{\"source\": ".to_vec(), b"[]".to_vec()] {
        let photo = jpeg(600, 600);
        let range = format!("bytes=0-{}", photo.len() - 1);
        let (h, g, k) = (
            tagged_head(photo.len() as i64),
            ranged_get(photo, range),
            kept(body),
        );
        let store = mocked_s3(&[&h, &g, &k]);
        let m = handle(input(), &store, &analyses()).await.unwrap();
        assert!(m.known_faces.is_none() && m.faces_key.is_some() && m.metadata.analyzable);
    }
    let photo = jpeg(600, 600);
    let range = format!("bytes=0-{}", photo.len() - 1);
    let none = mock!(Client::get_object)
        .match_requests(|r| r.range().is_none())
        .then_error(|| {
            aws_sdk_s3::operation::get_object::GetObjectError::NoSuchKey(
                aws_sdk_s3::types::error::NoSuchKey::builder().build(),
            )
        });
    let (h, g) = (tagged_head(photo.len() as i64), ranged_get(photo, range));
    let store = mocked_s3(&[&h, &g, &none]);
    let m = handle(input(), &store, &analyses()).await.unwrap();
    assert!(m.known_faces.is_none() && m.faces_key.is_some());
}

#[tokio::test]
async fn nothing_is_looked_up_for_an_unanalyzable_file_or_without_a_version_tag() {
    // A GIF is never analyzed: no key, no lookup.
    let (h, g) = (
        tagged_head(10),
        ranged_get(b"GIF89a....".to_vec(), "bytes=0-9".into()),
    );
    let store = mocked_s3(&[&h, &g]);
    let m = handle(input(), &store, &analyses()).await.unwrap();
    assert_eq!((m.faces_key, m.known_faces), (None, None));
    assert_eq!(g.num_calls(), 1, "only the header was read");
    // Without an ETag two versions could not be told apart: no key.
    let photo = jpeg(600, 600);
    let range = format!("bytes=0-{}", photo.len() - 1);
    let (h, g) = (head(photo.len() as i64), ranged_get(photo, range));
    let store = mocked_s3(&[&h, &g]);
    let m = handle(input(), &store, &analyses()).await.unwrap();
    assert_eq!(m.faces_key, None);
}

#[test]
fn each_version_of_each_key_has_its_own_analysis_key() {
    let a = faces_key("analysis/v1/", "uploads/a.jpg", "e1");
    assert_eq!(
        a,
        faces_key("analysis/v1", "uploads/a.jpg", "e1"),
        "one slash either way"
    );
    assert_ne!(a, faces_key("analysis/v1", "uploads/a.jpg", "e2"));
    assert_ne!(a, faces_key("analysis/v1", "uploads/b.jpg", "e1"));
}

#[tokio::test]
async fn a_reference_without_a_version_reads_and_names_the_version_head_object_saw() {
    let photo = jpeg(600, 600);
    let len = photo.len();
    let h = mock!(Client::head_object)
        .match_requests(|r| r.version_id().is_none())
        .then_output(move || {
            HeadObjectOutput::builder()
                .content_length(len as i64)
                .e_tag("\"abc\"")
                .version_id("v7")
                .build()
        });
    let g = mock!(Client::get_object)
        .match_requests(|r| r.version_id() == Some("v7") && r.range().is_some())
        .then_output(move || {
            GetObjectOutput::builder()
                .body(ByteStream::from(photo.clone()))
                .build()
        });
    let store = mocked_s3(&[&h, &g]);
    let listed = serde_json::json!({"photo": {"bucket": "b", "key": "uploads/listed.jpg"}});
    let m = handle(listed, &store, &FaceAnalyses::default()).await.unwrap();
    assert_eq!(g.num_calls(), 1, "the header is read from that version");
    assert_eq!(m.version_id.as_deref(), Some("v7"));
    // A reference that names its version keeps it: nothing to pin.
    let (h, g) = (
        tagged_head(len as i64),
        ranged_get(jpeg(600, 600), format!("bytes=0-{}", len - 1)),
    );
    let store = mocked_s3(&[&h, &g]);
    let m = handle(input(), &store, &FaceAnalyses::default()).await.unwrap();
    assert_eq!(m.version_id, None);
}
