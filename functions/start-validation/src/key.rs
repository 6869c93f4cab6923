//! The S3 key as S3 puts it in event notifications: form encoding, `+` for a space and
//! `%XX` for other bytes. Decoded exactly once, here; every later step uses the result.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("invalid percent escape at byte {0} of the object key")]
    InvalidEscape(usize),
    #[error("the decoded object key is not valid UTF-8")]
    NotUtf8,
}

/// `+` becomes a space, then `%XX` escapes become bytes; malformed escapes are errors.
pub fn decode_event_key(raw: &str) -> Result<String, KeyError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or(KeyError::InvalidEscape(i))?;
                let hi = (hex[0] as char).to_digit(16).ok_or(KeyError::InvalidEscape(i))?;
                let lo = (hex[1] as char).to_digit(16).ok_or(KeyError::InvalidEscape(i))?;
                out.push((hi * 16 + lo) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| KeyError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_space_plus_percent_and_non_ascii() {
        // "jane doe+1 100%é.jpg" as S3 sends it.
        assert_eq!(
            decode_event_key("uploads/jane+doe%2B1+100%25%C3%A9.jpg").unwrap(),
            "uploads/jane doe+1 100%é.jpg"
        );
        assert_eq!(
            decode_event_key("uploads/%E5%86%99%E7%9C%9F.png").unwrap(),
            "uploads/写真.png"
        );
        assert_eq!(decode_event_key("plain.jpg").unwrap(), "plain.jpg");
    }

    #[test]
    fn decodes_exactly_once() {
        // A literal "%2B" in the key arrives as "%252B" and must stay "%2B".
        assert_eq!(decode_event_key("a%252Bb").unwrap(), "a%2Bb");
    }

    #[test]
    fn invalid_escapes_are_errors() {
        assert_eq!(decode_event_key("bad%2"), Err(KeyError::InvalidEscape(3)));
        assert_eq!(decode_event_key("bad%zz.jpg"), Err(KeyError::InvalidEscape(3)));
        assert_eq!(decode_event_key("%FF%FE"), Err(KeyError::NotUtf8));
    }

    proptest! {
        #[test]
        fn round_trips_any_key(key in "\\PC{0,40}") {
            // Encode as S3 does: space as '+', everything but unreserved as %XX.
            let mut enc = String::new();
            for b in key.as_bytes() {
                match b {
                    b' ' => enc.push('+'),
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' | b'~' => enc.push(*b as char),
                    _ => enc.push_str(&format!("%{b:02X}")),
                }
            }
            prop_assert_eq!(decode_event_key(&enc).unwrap(), key);
        }
    }
}
