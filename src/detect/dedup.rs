//! Duplicates by content: two records are the same when their content is
//! equal as JSON, whatever the key order and spacing.

use serde_json::Value;
use xxhash_rust::xxh3::Xxh3;

/// A 128-bit fingerprint of a JSON value's content.
///
/// NOTE: two different records share a fingerprint with a chance near
/// 2^-128 per pair, far below any export's size; the scanner keeps the
/// fingerprints, not the records, so memory stays flat.
pub type ContentHash = u128;

/// The fingerprint of `value`, independent of key order and spacing.
pub fn content_hash(value: &Value) -> ContentHash {
    let mut hasher = Xxh3::new();
    feed(&mut hasher, value);
    hasher.digest128()
}

/// Feeds a canonical form: objects with their keys sorted, every item
/// tagged and length-prefixed so that no two values feed the same bytes.
/// The depth is bounded by the JSON parser's nesting limit.
fn feed(hasher: &mut Xxh3, value: &Value) {
    match value {
        Value::Null => hasher.update(b"n"),
        Value::Bool(flag) => hasher.update(if *flag { b"t" } else { b"f" }),
        Value::Number(number) => feed_text(hasher, b'#', &number.to_string()),
        Value::String(text) => feed_text(hasher, b'"', text),
        Value::Array(items) => {
            hasher.update(&tagged_length(b'[', items.len()));
            items.iter().for_each(|item| feed(hasher, item));
        }
        Value::Object(fields) => {
            hasher.update(&tagged_length(b'{', fields.len()));
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort_unstable();
            for key in keys {
                feed_text(hasher, b':', key);
                if let Some(field) = fields.get(key) {
                    feed(hasher, field);
                }
            }
        }
    }
}

fn feed_text(hasher: &mut Xxh3, tag: u8, text: &str) {
    hasher.update(&tagged_length(tag, text.len()));
    hasher.update(text.as_bytes());
}

fn tagged_length(tag: u8, length: usize) -> [u8; 9] {
    let mut bytes = [tag; 9];
    bytes[1..].copy_from_slice(&(length as u64).to_le_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn same(a: &str, b: &str) -> bool {
        let parse = |text| serde_json::from_str::<Value>(text).unwrap_or_default();
        content_hash(&parse(a)) == content_hash(&parse(b))
    }

    #[test]
    fn key_order_and_spacing_do_not_matter() {
        assert!(same(
            r#"{"a":1,"b":{"c":"x","d":[1,2]}}"#,
            r#"{ "b": {"d": [1, 2], "c": "x"}, "a": 1 }"#
        ));
    }

    #[test]
    fn escapes_are_compared_decoded() {
        assert!(same(r#"{"a":"\/x\u0041"}"#, r#"{"a":"/xA"}"#));
    }

    #[test]
    fn different_content_differs() {
        for (a, b) in [
            (r#"{"a":1}"#, r#"{"a":"1"}"#),
            (r#"{"a":[1,2]}"#, r#"{"a":[2,1]}"#),
            (r#"{"a":null}"#, r#"{}"#),
            (r#"{"ab":"c"}"#, r#"{"a":"bc"}"#),
            (r#"{"a":["b","c"]}"#, r#"{"a":["bc"]}"#),
        ] {
            assert!(!same(a, b), "{a} vs {b}");
        }
        assert_ne!(content_hash(&json!(true)), content_hash(&json!(false)));
    }
}
