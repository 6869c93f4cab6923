use super::*;
use aws_adapters::s3::S3ObjectStore;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_sdk_s3::Client;
use aws_smithy_mocks::{mock, mock_client};

fn input() -> Value {
    let path = format!("{}/../../events/analyze-image.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn portrait_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 300, |x, y| {
        let inside = (90..210).contains(&x) && (60..300).contains(&y);
        image::Rgb(if inside { [220, 170, 140] } else { [245, 245, 245] })
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn measures_the_exact_version_around_the_face() {
    let bytes = portrait_jpeg();
    let len = bytes.len() as i64;
    let rule = mock!(Client::get_object)
        .match_requests(|r| {
            r.version_id() == Some("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY") && r.range().is_none()
        })
        .then_output(move || {
            GetObjectOutput::builder()
                .content_length(len)
                .body(ByteStream::from(bytes.clone()))
                .build()
        });
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
    let m = handle(input(), &store, &AnalyzeConfig::default()).await.unwrap();
    assert!(m.decodable);
    assert_eq!(m.greyscale, Some(false));
    assert!(m.background.unwrap().mean_lightness > 90.0);
    assert!(m.lighting.is_some() && m.exposure.is_some() && m.colour.is_some());
    assert_eq!(m.sharpness.unwrap().region, "face");
}

#[tokio::test]
async fn too_large_objects_are_a_measure_not_a_download() {
    let rule = mock!(Client::get_object).then_output(|| {
        GetObjectOutput::builder()
            .content_length(20_000_000)
            .body(ByteStream::from_static(b""))
            .build()
    });
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
    let m = handle(input(), &store, &AnalyzeConfig::default()).await.unwrap();
    assert!(!m.decodable);
    assert!(m.decode_error.unwrap().contains("larger"));
}

#[tokio::test]
async fn undecodable_bytes_are_reported_in_the_measures() {
    let rule = mock!(Client::get_object).then_output(|| {
        GetObjectOutput::builder()
            .content_length(9)
            .body(ByteStream::from_static(b"\xFF\xD8\xFFjunk!"))
            .build()
    });
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
    let m = handle(input(), &store, &AnalyzeConfig::default()).await.unwrap();
    assert!(!m.decodable);
}

#[tokio::test]
async fn a_vanished_photo_is_photo_not_found() {
    let rule =
        mock!(Client::get_object).then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
    let store = S3ObjectStore::new(mock_client!(aws_sdk_s3, [&rule]));
    let err = handle(input(), &store, &AnalyzeConfig::default())
        .await
        .unwrap_err();
    assert_eq!(err.error_name(), ErrorName::PhotoNotFound);
}
