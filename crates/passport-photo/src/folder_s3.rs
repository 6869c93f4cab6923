//! The S3 integrations the definitions use, over a folder as the bucket: a Distributed
//! Map's `ItemReader` (`s3:listObjectsV2`, or `s3:getObject` of a JSON / JSON Lines file) and
//! `ResultWriter` (`s3:putObject`), and the AWS SDK integration `aws-sdk:s3:putObject` that
//! keeps face analyses. Keys are paths relative to the folder with `/`; hidden
//! entries (`.passport-photo/` with the twin's analyses and results) are never listed, so a
//! later listing of the folder does not take them for photos.

use std::path::{Path, PathBuf};

use asl_engine::{Engine, StatesError};
use serde_json::{json, Value};

use crate::store::object_path;

fn s3_error(code: &str, message: String) -> StatesError {
    // As the optimised S3 integrations name their errors: S3.<code>.
    StatesError::new(format!("S3.{code}"), message)
}

fn bucket_of(parameters: &Value) -> Result<PathBuf, StatesError> {
    let bucket = parameters["Bucket"]
        .as_str()
        .ok_or_else(|| s3_error("InvalidRequest", "Bucket is missing".into()))?;
    let dir = PathBuf::from(bucket);
    if !dir.is_dir() {
        return Err(s3_error("NoSuchBucket", format!("{bucket} is not a folder")));
    }
    Ok(dir)
}

/// How many objects a listing of `prefix` gives, without reading them (a progress total).
pub fn count_objects(dir: &Path, prefix: &str) -> usize {
    keyed_files(dir, prefix).count()
}

/// The files of the folder as the bucket's objects: (key, path), keys with `/`.
fn keyed_files<'a>(dir: &'a Path, prefix: &'a str) -> impl Iterator<Item = (String, PathBuf)> + 'a {
    crate::store::files(dir).into_iter().filter_map(move |path| {
        let key = path
            .strip_prefix(dir)
            .ok()?
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        key.starts_with(prefix).then_some((key, path))
    })
}

/// Every file under `dir` whose key starts with `prefix`, in key order (as S3 lists),
/// as the items ListObjectsV2 gives a Distributed Map, with an ETag from the content.
pub fn list_objects(dir: &Path, prefix: &str) -> Vec<Value> {
    let mut items: Vec<Value> = keyed_files(dir, prefix)
        .filter_map(|(key, path)| {
            let meta = std::fs::metadata(&path).ok()?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            // S3's ETag identifies the content; so does this one, as the twin's photo_input
            // derives it (a changed photo is a new version, for the face cache too).
            let bytes = std::fs::read(&path).ok()?;
            Some(json!({
                "Etag": format!("\"{}\"", crate::store::content_etag(&bytes)),
                "Key": key,
                "LastModified": modified,
                "Size": meta.len(),
                "StorageClass": "STANDARD",
            }))
        })
        .collect();
    // S3 lists in the byte order of the keys (path order differs: "a-b" < "a/b").
    items.sort_by(|a, b| a["Key"].as_str().cmp(&b["Key"].as_str()));
    items
}

fn photo_ref(dir: &Path, key: &str) -> passport_model::PhotoRef {
    passport_model::PhotoRef::new(dir.display().to_string(), key)
}

fn get_object_items(parameters: &Value, config: &Value) -> Result<Value, StatesError> {
    let dir = bucket_of(parameters)?;
    let key = parameters["Key"]
        .as_str()
        .ok_or_else(|| s3_error("InvalidRequest", "Key is missing".into()))?;
    let path = object_path(&photo_ref(&dir, key)).map_err(|e| s3_error("InvalidRequest", e.message))?;
    let text = std::fs::read_to_string(&path).map_err(|e| s3_error("NoSuchKey", format!("{key}: {e}")))?;
    match config["InputType"].as_str() {
        Some("JSON") => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(items)) => Ok(Value::Array(items)),
            Ok(_) => Err(s3_error(
                "InvalidRequest",
                format!("{key} does not hold a JSON array"),
            )),
            Err(e) => Err(s3_error("InvalidRequest", format!("{key} is not JSON: {e}"))),
        },
        Some("JSONL") => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| s3_error("InvalidRequest", format!("{key}: {e}"))))
            .collect::<Result<Vec<Value>, _>>()
            .map(Value::Array),
        other => Err(s3_error(
            "InvalidRequest",
            format!("InputType {other:?} is not read by the local twin"),
        )),
    }
}

/// The AWS SDK integration that writes one object (the workflow keeps face analyses with it).
pub const SDK_PUT_OBJECT: &str = "arn:aws:states:::aws-sdk:s3:putObject";

fn put_object(request: &Value) -> Result<Value, StatesError> {
    let dir = bucket_of(request)?;
    let key = request["Key"]
        .as_str()
        .ok_or_else(|| s3_error("InvalidRequest", "Key is missing".into()))?;
    let path = object_path(&photo_ref(&dir, key)).map_err(|e| s3_error("InvalidRequest", e.message))?;
    let body = request["Body"].as_str().unwrap_or_default();
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(&path, body));
    written.map_err(|e| s3_error("InternalError", format!("{}: {e}", path.display())))?;
    Ok(json!({}))
}

/// Registers the three integrations on a twin's engine.
pub fn register(engine: &mut Engine) {
    engine.register(asl_engine::LIST_OBJECTS, |request: Value| async move {
        let parameters = &request["Parameters"];
        let dir = bucket_of(parameters)?;
        let prefix = parameters["Prefix"].as_str().unwrap_or_default().to_owned();
        tokio::task::spawn_blocking(move || Value::Array(list_objects(&dir, &prefix)))
            .await
            .map_err(|e| s3_error("InternalError", e.to_string()))
    });
    engine.register(asl_engine::GET_OBJECT, |request: Value| async move {
        get_object_items(&request["Parameters"], &request["ReaderConfig"])
    });
    engine.register(asl_engine::PUT_OBJECT, |request: Value| async move {
        put_object(&request)
    });
    // AWS SDK integrations name their errors ServiceName.ExceptionName (Step Functions
    // developer guide, AWS SDK service integrations); S3.S3Exception for a folder that cannot
    // be written is our reading, not documented (the definitions catch States.ALL there). The
    // answer carries the new object's ETag, as PutObject's does.
    engine.register(SDK_PUT_OBJECT, |request: Value| async move {
        put_object(&request).map_err(|e| StatesError::new("S3.S3Exception", e.cause))?;
        let body = request["Body"].as_str().unwrap_or_default();
        Ok(json!({"ETag": format!("\"{}\"", crate::store::content_etag(body.as_bytes()))}))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_lists_like_a_bucket_and_hidden_entries_stay_out() {
        let dir = std::env::temp_dir().join(format!("folder-s3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in [
            "uploads/b.jpg",
            "uploads/a.jpg",
            "uploads/sub/c.png",
            "other.jpg",
            ".passport-photo/analysis/x.json",
        ] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"12345").unwrap();
        }
        let keys = |prefix: &str| -> Vec<String> {
            list_objects(&dir, prefix)
                .iter()
                .map(|i| i["Key"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            keys("uploads/"),
            ["uploads/a.jpg", "uploads/b.jpg", "uploads/sub/c.png"]
        );
        assert_eq!(keys("").len(), 4, "the hidden folder is not listed");
        assert_eq!(
            count_objects(&dir, "uploads/"),
            3,
            "the progress total counts the same objects"
        );
        let item = &list_objects(&dir, "other")[0];
        assert_eq!(item["Size"], 5);
        assert_eq!(item["StorageClass"], "STANDARD");

        let written = put_object(
            &json!({"Bucket": dir.display().to_string(), "Key": ".passport-photo/results/r/manifest.json", "Body": "{}"}),
        );
        assert!(written.is_ok());
        assert_eq!(
            std::fs::read_to_string(dir.join(".passport-photo/results/r/manifest.json")).unwrap(),
            "{}"
        );
        let escape = put_object(&json!({"Bucket": dir.display().to_string(), "Key": "../x", "Body": ""}));
        assert_eq!(escape.unwrap_err().error, "S3.InvalidRequest");

        std::fs::write(dir.join("items.jsonl"), "{\"k\":1}\n\n{\"k\":2}\n").unwrap();
        let items = get_object_items(
            &json!({"Bucket": dir.display().to_string(), "Key": "items.jsonl"}),
            &json!({"InputType": "JSONL"}),
        );
        assert_eq!(items.unwrap(), json!([{"k": 1}, {"k": 2}]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
