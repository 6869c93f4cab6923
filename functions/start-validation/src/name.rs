//! Execution names derived from the photo's identity, so a repeated S3 event cannot start a
//! second workflow for the same upload.

use passport_model::PhotoRef;
use sha2::{Digest, Sha256};

/// Step Functions allows 80 characters; a hex digest keeps to the set CloudWatch logging accepts.
pub const MAX_NAME_LEN: usize = 80;
const HASH_HEX_LEN: usize = 32;

/// The hex digest of bucket, key and version (or sequencer): deterministic, so a repeated
/// event finds the execution it started, and nothing of the file name, which is often the
/// applicant's name and would live on in ARNs, CloudTrail and metrics.
pub fn execution_name(photo: &PhotoRef) -> String {
    let version = photo
        .version_id
        .as_deref()
        .filter(|v| !v.is_empty() && *v != "null")
        .or(photo.sequencer.as_deref())
        .unwrap_or("");
    let mut hasher = Sha256::new();
    for part in [photo.bucket.as_str(), photo.key.as_str(), version] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let hash = hex::encode(hasher.finalize());
    hash[..HASH_HEX_LEN].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn photo(key: &str, version: Option<&str>, sequencer: Option<&str>) -> PhotoRef {
        let mut p = PhotoRef::new("bucket", key);
        p.version_id = version.map(str::to_owned);
        p.sequencer = sequencer.map(str::to_owned);
        p
    }

    #[test]
    fn deterministic_and_free_of_the_file_name() {
        let a = execution_name(&photo("uploads/jane doe+1.jpg", Some("v1"), None));
        assert_eq!(a.len(), HASH_HEX_LEN);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert!(!a.contains("jane"), "{a}");
        assert_eq!(
            a,
            execution_name(&photo("uploads/jane doe+1.jpg", Some("v1"), None))
        );
    }

    #[test]
    fn differs_by_version_or_sequencer() {
        let v1 = execution_name(&photo("a.jpg", Some("v1"), None));
        let v2 = execution_name(&photo("a.jpg", Some("v2"), None));
        assert_ne!(v1, v2);
        let s1 = execution_name(&photo("a.jpg", None, Some("0055AED6DCD90281E5")));
        let s2 = execution_name(&photo("a.jpg", None, Some("0055AED6DCD90281E6")));
        assert_ne!(s1, s2);
        // "null" is what unversioned buckets report as a version: use the sequencer then.
        assert_eq!(
            execution_name(&photo("a.jpg", Some("null"), Some("X"))),
            execution_name(&photo("a.jpg", None, Some("X")))
        );
    }

    proptest! {
        #[test]
        fn always_valid(key in "\\PC{0,300}", version in proptest::option::of("[a-zA-Z0-9._]{1,40}")) {
            let name = execution_name(&photo(&key, version.as_deref(), None));
            prop_assert!(!name.is_empty() && name.len() <= MAX_NAME_LEN);
            prop_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{}", name);
        }
    }
}
