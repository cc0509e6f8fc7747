//! Duplicates by content: two records are the same when their content is
//! equal as JSON, whatever the key order and spacing.
//!
//! The fingerprint is defined so that it can be computed in one pass over
//! a record's text, without building a tree (the scanner's fast path does
//! that), and equally from a parsed [`Value`] (everything else). Both
//! follow one definition:
//!
//! - a value's *canonical text* is its compact JSON, strings escaped the
//!   way serde_json writes them (`\"`, `\\`, `\b \f \n \r \t`, other
//!   control characters as lower-case `\u00xx`, nothing else), numbers as
//!   serde_json keeps their text, and every object replaced by the byte
//!   [`OBJECT_MARK`] followed by its fingerprint (16 bytes, little-endian);
//! - an object's fingerprint combines one hash per member, of the member's
//!   canonical text `"key":value`, by addition modulo 2^128, which does
//!   not depend on the members' order, then hashes that sum with the
//!   member count.
//!
//! A record whose text repeats a key is not computed in one pass: a
//! parsed object keeps only the last value of a repeated key, and the
//! fast path leaves such records to the parser.
//!
//! NOTE: the bound. Model [`hash128`] as a random function of its input.
//! Two objects with different members then differ in at least one member
//! hash, which makes their sums equal with probability 2^-128, and the
//! final hash adds another 2^-128; over n distinct records the chance of
//! any false duplicate is below n² · 2^-128 (for a billion records, about
//! 3 · 10^-21). The hash is not cryptographic: records crafted to collide
//! can be made to.

use serde_json::{Map, Value};

/// A 128-bit fingerprint of a JSON value's content.
///
/// The scanner keeps the fingerprints, not the records, so memory stays
/// flat however many records are read.
pub type ContentHash = u128;

/// The byte that stands for an object in canonical text: it never occurs
/// in UTF-8, so it cannot be confused with text.
pub(crate) const OBJECT_MARK: u8 = 0xF5;

/// Starts the input of an object's final hash; never the first byte of a
/// member's canonical text, which is a quote.
const OBJECT_TAG: u8 = 0xF6;

/// Past this depth a value built in code is hashed as a mark alone, so
/// the walk stays bounded; parsed records never nest this deep.
const MAX_DEPTH: usize = 512;

/// The fingerprint of `value`, independent of key order and spacing: for
/// an object its fingerprint as defined above, for any other value the
/// hash of its canonical text.
pub fn content_hash(value: &Value) -> ContentHash {
    let mut scratch = Vec::new();
    match value {
        Value::Object(fields) => object_hash(fields, &mut scratch, 0),
        other => {
            write_value(other, &mut scratch, 0);
            hash128(&scratch)
        }
    }
}

/// A 64-bit hash of some bytes, for other fingerprints (record ids): one
/// lane of the content fingerprint's hash.
pub(crate) fn fingerprint_bytes(bytes: &[u8]) -> u64 {
    let mut lane = SEED_A ^ bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        lane = mix_a(lane, read_word(word));
    }
    if !words.remainder().is_empty() {
        lane = mix_a(lane, last_word(bytes));
    }
    finalize(lane)
}

fn object_hash(fields: &Map<String, Value>, scratch: &mut Vec<u8>, depth: usize) -> u128 {
    let mut sum = MemberSum::default();
    for (key, value) in fields {
        let start = scratch.len();
        write_string(key, scratch);
        scratch.push(b':');
        write_value(value, scratch, depth + 1);
        sum.add(scratch.get(start..).unwrap_or_default());
        scratch.truncate(start);
    }
    sum.finish()
}

fn write_value(value: &Value, out: &mut Vec<u8>, depth: usize) {
    if depth > MAX_DEPTH {
        return out.push(OBJECT_TAG);
    }
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => out.extend_from_slice(number.as_str().as_bytes()),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => write_array(items, out, depth),
        Value::Object(fields) => {
            let hash = object_hash(fields, out, depth);
            write_object_mark(hash, out);
        }
    }
}

fn write_array(items: &[Value], out: &mut Vec<u8>, depth: usize) {
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_value(item, out, depth + 1);
    }
    out.push(b']');
}

/// An object inside canonical text: the mark and the object's hash.
pub(crate) fn write_object_mark(hash: u128, out: &mut Vec<u8>) {
    out.push(OBJECT_MARK);
    out.extend_from_slice(&hash.to_le_bytes());
}

/// A string as canonical text, quotes included.
pub(crate) fn write_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = text.as_bytes();
    if bytes.iter().all(|&b| !needs_escape(b)) {
        out.extend_from_slice(bytes);
    } else {
        bytes.iter().for_each(|&b| write_escaped(b, out));
    }
    out.push(b'"');
}

fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

fn write_escaped(byte: u8, out: &mut Vec<u8>) {
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0C => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x00..=0x1F => return write_unicode_escape(byte, out),
        other => return out.push(other),
    };
    out.extend_from_slice(&[b'\\', short]);
}

fn write_unicode_escape(byte: u8, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digit = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
    out.extend_from_slice(b"\\u00");
    out.extend_from_slice(&[digit(byte >> 4), digit(byte & 0xF)]);
}

/// Whether `\` followed by `escape` (the bytes after the backslash) is
/// already canonical: one of the escapes serde_json writes itself.
pub(crate) fn is_canonical_escape(escape: &[u8]) -> bool {
    match escape.first() {
        Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't') => true,
        Some(b'u') => is_canonical_unicode_escape(escape.get(1..5)),
        _ => false,
    }
}

/// `\u00xx` in lower case for a control character without a short form.
fn is_canonical_unicode_escape(digits: Option<&[u8]>) -> bool {
    let Some([b'0', b'0', high, low]) = digits else {
        return false;
    };
    let lower_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
    let short = matches!((high, low), (b'0', b'8' | b'9' | b'a' | b'c' | b'd'));
    (*high == b'0' || *high == b'1') && lower_hex(low) && !short
}

/// The members of one object, summed as they come.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MemberSum {
    sum: u128,
    count: u64,
}

impl MemberSum {
    /// No members yet.
    pub(crate) const ZERO: MemberSum = MemberSum { sum: 0, count: 0 };

    /// Adds a member given as its canonical text `"key":value`.
    #[inline]
    pub(crate) fn add(&mut self, canonical: &[u8]) {
        self.sum = self.sum.wrapping_add(hash128(canonical));
        self.count += 1;
    }

    /// The object's fingerprint.
    pub(crate) fn finish(self) -> u128 {
        let mut input = [OBJECT_TAG; 25];
        input[1..17].copy_from_slice(&self.sum.to_le_bytes());
        input[17..].copy_from_slice(&self.count.to_le_bytes());
        hash128(&input)
    }
}

const PRIME_A: u64 = 0x9E37_79B9_7F4A_7C15;
const PRIME_B: u64 = 0xC2B2_AE3D_27D4_EB4F;
const SEED_A: u64 = 0x243F_6A88_85A3_08D3;
const SEED_B: u64 = 0x1319_8A2E_0370_7344;

/// A 128-bit hash of a short byte string, in two independent 64-bit lanes.
///
/// NOTE: written here rather than taken from xxhash: XXH3's 64×64→128-bit
/// multiplications have no WebAssembly instruction and cost 30 to 50 ns
/// per member there, over half the time budget of a record. This uses
/// 64-bit multiplications only (about 13 ns for a member of 32 bytes in
/// WebAssembly). Each lane is a bijection of its state for a given word,
/// so two inputs of equal length collide only where a word's difference
/// cancels the state's difference in both lanes at once (one by `xor`,
/// the other by `+`); the murmur3 finalizer then spreads every bit.
#[inline]
pub(crate) fn hash128(bytes: &[u8]) -> u128 {
    let length = bytes.len() as u64;
    let mut a = SEED_A ^ length;
    let mut b = SEED_B.wrapping_add(length.wrapping_mul(PRIME_A));
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let word = read_word(word);
        (a, b) = (mix_a(a, word), mix_b(b, word));
        at += 8;
    }
    if at < bytes.len() {
        let word = last_word(bytes);
        (a, b) = (mix_a(a, word), mix_b(b, word));
    }
    (u128::from(finalize(a)) << 64) | u128::from(finalize(b))
}

#[inline]
fn mix_a(lane: u64, word: u64) -> u64 {
    let mixed = (lane ^ word).wrapping_mul(PRIME_A);
    mixed ^ (mixed >> 32)
}

#[inline]
fn mix_b(lane: u64, word: u64) -> u64 {
    lane.wrapping_add(word)
        .rotate_left(29)
        .wrapping_mul(PRIME_B)
}

/// murmur3's 64-bit finalizer: every input bit flips each output bit with
/// a chance near one half.
#[inline]
fn finalize(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

#[inline]
fn read_word(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or(0, u64::from_le_bytes)
}

/// The input's last bytes that do not fill a word. Past eight bytes they
/// are read as the last eight bytes (overlapping the word before, which
/// the length in the seed keeps unambiguous); shorter input is packed.
#[inline]
fn last_word(bytes: &[u8]) -> u64 {
    match bytes.len().checked_sub(8) {
        Some(start) => read_word(bytes.get(start..).unwrap_or_default()),
        None => bytes
            .iter()
            .rev()
            .fold(0, |word, &b| (word << 8) | u64::from(b)),
    }
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
        assert!(same(r#"{"a":"\u000a\u001F"}"#, r#"{"a":"\n\u001f"}"#));
    }

    #[test]
    fn different_content_differs() {
        for (a, b) in [
            (r#"{"a":1}"#, r#"{"a":"1"}"#),
            (r#"{"a":[1,2]}"#, r#"{"a":[2,1]}"#),
            (r#"{"a":null}"#, r#"{}"#),
            (r#"{"ab":"c"}"#, r#"{"a":"bc"}"#),
            (r#"{"a":["b","c"]}"#, r#"{"a":["bc"]}"#),
            (r#"{"a":{"b":1}}"#, r#"{"a":{"b":1},"c":{}}"#),
            (r#"{"a":{"b":1,"c":2}}"#, r#"{"a":{"b":1},"c":2}"#),
            (r#"{"a":1.0}"#, r#"{"a":1}"#),
        ] {
            assert!(!same(a, b), "{a} vs {b}");
        }
        assert_ne!(content_hash(&json!(true)), content_hash(&json!(false)));
    }

    #[test]
    fn escapes_are_canonical_only_as_serde_json_writes_them() {
        for canonical in [r#"""#, r"\", "n", "t", "u0000", "u001f", "u000b"] {
            assert!(is_canonical_escape(canonical.as_bytes()), "{canonical}");
        }
        for other in ["/", "u0041", "u001F", "u000a", "u0009", "u00", "x"] {
            assert!(!is_canonical_escape(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn canonical_strings_round_trip_through_serde_json() {
        let text: String = (0u8..0x80).map(char::from).collect();
        let mut ours = Vec::new();
        write_string(&text, &mut ours);
        let theirs = serde_json::to_string(&text).unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&ours), theirs);
    }

    #[test]
    fn hash_depends_on_every_byte_and_the_length() {
        let base = b"0123456789abcdefghij".to_vec();
        let mut seen = std::collections::HashSet::new();
        for length in 0..=base.len() {
            let prefix = base.get(..length).unwrap_or_default();
            assert!(seen.insert(hash128(prefix)), "length {length}");
        }
        for at in 0..base.len() {
            let mut flipped = base.clone();
            flipped[at] ^= 0x80;
            assert!(seen.insert(hash128(&flipped)), "byte {at}");
        }
        assert_ne!(hash128(b"ab\0"), hash128(b"ab"));
    }

    #[test]
    fn values_built_deeper_than_any_record_are_hashed_without_overflow() {
        let mut deep = json!("x");
        for _ in 0..5_000 {
            let mut fields = Map::new();
            fields.insert("a".into(), Value::Array(vec![deep]));
            deep = Value::Object(fields);
        }
        let _ = content_hash(&deep);
        // NOTE: dropping a deep value recurses, so unnest it by hand.
        while let Value::Object(mut fields) = deep {
            deep = match fields.remove("a") {
                Some(Value::Array(mut items)) => items.pop().unwrap_or(Value::Null),
                _ => Value::Null,
            };
        }
    }
}
