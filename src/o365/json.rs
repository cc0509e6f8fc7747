//! JSON text to a value, with the nesting limit the product promises.
//!
//! serde_json's own limit stops at 127 levels, one short of the 128 that
//! records may use, so the depth is measured here first: text within the
//! limit is parsed with serde_json's limit off, and deeper text is parsed
//! with it on (which can only fail, at the first fault) so that a syntax
//! error earlier in the text is still the one reported.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;

use super::error::{Position, RecordError, RecordErrorKind};

/// How deep arrays and objects may nest in a record: 128 levels are read,
/// 129 are an error for that record.
pub const MAX_DEPTH: usize = 128;

/// Parses one JSON value; whitespace may surround it, nothing else.
pub(crate) fn parse(text: &str) -> Result<Value, RecordError> {
    let Some(position) = first_too_deep(text) else {
        return parse_unlimited(text);
    };
    // Valid JSON this deep is beyond serde_json's own limit, so this parse
    // fails, at a syntax error if one comes first.
    match serde_json::from_str::<Value>(text) {
        Err(error) => Err(prefer_depth_error(error, position)),
        Ok(_) => Err(too_deep(position)),
    }
}

/// Escaped UTF-16 surrogates without their pair (`"\ud800"`), read as
/// U+FFFD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoneSurrogates {
    /// How many were replaced.
    pub count: usize,
    /// The line of the first, in the text parsed (line 1 is its first).
    pub line: usize,
}

/// Parses one JSON value like [`parse`], but reads an escaped surrogate
/// without its pair as U+FFFD, which JavaScript's `JSON.parse` accepts
/// and serde_json does not: the record is read, and the caller warns.
pub(crate) fn parse_lenient(text: &str) -> Result<(Value, Option<LoneSurrogates>), RecordError> {
    let error = match parse(text) {
        Ok(value) => return Ok((value, None)),
        Err(error) => error,
    };
    if !is_surrogate_error(&error) {
        return Err(error);
    }
    let Some((repaired, lone)) = replace_lone_surrogates(text) else {
        return Err(error);
    };
    Ok((parse(&repaired)?, Some(lone)))
}

fn is_surrogate_error(error: &RecordError) -> bool {
    let message = error.message();
    error.kind() == RecordErrorKind::Syntax
        && (message.starts_with("lone leading surrogate")
            || message.starts_with("unexpected end of hex escape"))
}

/// The text with each escaped surrogate that has no pair rewritten as
/// `\ufffd` (as long, so positions stay), if there was one.
fn replace_lone_surrogates(text: &str) -> Option<(String, LoneSurrogates)> {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let (mut at, mut in_string) = (0, false);
    let mut found: Option<LoneSurrogates> = None;
    while at < bytes.len() {
        match (in_string, bytes[at]) {
            (false, b'"') | (true, b'"') => in_string = !in_string,
            (true, b'\\') => {
                let step = escape_step(bytes, at);
                if step.lone {
                    out[at..at + 6].copy_from_slice(b"\\ufffd");
                    let lone = found.get_or_insert(LoneSurrogates {
                        count: 0,
                        line: position_of(text, at).line,
                    });
                    lone.count += 1;
                }
                at += step.len;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    let lone = found?;
    Some((String::from_utf8(out).ok()?, lone))
}

/// An escape inside a string: how many bytes it takes, and whether it is
/// a surrogate without its pair (then the first six are that escape).
struct EscapeStep {
    len: usize,
    lone: bool,
}

fn escape_step(bytes: &[u8], at: usize) -> EscapeStep {
    let Some(unit) = hex_escape(bytes, at) else {
        return EscapeStep {
            len: 2,
            lone: false,
        };
    };
    let paired = match unit {
        0xD800..=0xDBFF => {
            hex_escape(bytes, at + 6).is_some_and(|n| (0xDC00..=0xDFFF).contains(&n))
        }
        0xDC00..=0xDFFF => false,
        _ => {
            return EscapeStep {
                len: 6,
                lone: false,
            }
        }
    };
    match paired {
        true => EscapeStep {
            len: 12,
            lone: false,
        },
        false => EscapeStep { len: 6, lone: true },
    }
}

/// The code unit of a `\uXXXX` escape at `at`.
fn hex_escape(bytes: &[u8], at: usize) -> Option<u16> {
    let escape = bytes.get(at..at + 6)?;
    if escape[0] != b'\\' || escape[1] != b'u' {
        return None;
    }
    let hex = std::str::from_utf8(&escape[2..]).ok()?;
    u16::from_str_radix(hex, 16).ok()
}

/// A key an object holds twice; serde_json keeps its last value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedKey {
    /// The key, decoded.
    pub key: String,
    /// The line of its second occurrence, in the text parsed.
    pub line: usize,
}

/// The first key that an object in `text` repeats. The text is JSON that
/// parsed; each object's keys are compared decoded.
pub(crate) fn first_repeated_key(text: &str) -> Option<RepeatedKey> {
    let bytes = text.as_bytes();
    // One entry per open container: the keys of an object, `None` for an
    // array.
    let mut open: Vec<Option<HashSet<Cow<'_, str>>>> = Vec::new();
    let (mut at, mut expect_key) = (0, false);
    while at < bytes.len() {
        match bytes[at] {
            b'{' => {
                open.push(Some(HashSet::new()));
                expect_key = true;
            }
            b'[' => open.push(None),
            b'}' | b']' => {
                open.pop();
                expect_key = false;
            }
            b',' => expect_key = matches!(open.last(), Some(Some(_))),
            b'"' => {
                let end = string_end(bytes, at + 1);
                let quoted = text.get(at..end).unwrap_or_default();
                if expect_key {
                    let key = decoded_key(quoted);
                    if let Some(Some(keys)) = open.last_mut() {
                        if keys.contains(&key) {
                            let line = position_of(text, at).line;
                            let key = key.into_owned();
                            return Some(RepeatedKey { key, line });
                        }
                        keys.insert(key);
                    }
                    expect_key = false;
                }
                at = end;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// The offset after the closing quote of the string whose text starts at
/// `at`.
fn string_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(k) = memchr::memchr2(b'"', b'\\', bytes.get(at..).unwrap_or_default()) {
        at += k;
        match bytes[at] {
            b'"' => return at + 1,
            _ => at += 2,
        }
    }
    bytes.len()
}

/// A quoted key's text, its escapes decoded when it has any.
fn decoded_key(quoted: &str) -> Cow<'_, str> {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(quoted);
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    // Read as a `Value`, whose reader the module holds anyway: a reader
    // of `String` of its own would add half a kilobyte to the wasm.
    match serde_json::from_str::<Value>(quoted) {
        Ok(Value::String(key)) => Cow::Owned(key),
        _ => Cow::Borrowed(inner),
    }
}

fn parse_unlimited(text: &str) -> Result<Value, RecordError> {
    let mut reader = serde_json::Deserializer::from_str(text);
    reader.disable_recursion_limit();
    let value = Value::deserialize(&mut reader).map_err(syntax_error)?;
    reader.end().map_err(syntax_error)?;
    Ok(value)
}

/// serde_json reports its own limit one level early and at the 128th
/// bracket; the message names the 129th, where the limit is passed.
fn prefer_depth_error(error: serde_json::Error, at: Position) -> RecordError {
    if error.to_string().starts_with("recursion limit exceeded") {
        too_deep(at)
    } else {
        syntax_error(error)
    }
}

fn too_deep(position: Position) -> RecordError {
    let message = format!("nesting deeper than {MAX_DEPTH} levels");
    RecordError::new(RecordErrorKind::DepthExceeded, message, Some(position))
}

/// Where an array or object first opens at level `MAX_DEPTH + 1`, reading
/// the text as JSON would (brackets inside strings do not count).
fn first_too_deep(text: &str) -> Option<Position> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (at, byte) in text.bytes().enumerate() {
        if in_string {
            in_string = escaped || byte != b'"';
            escaped = !escaped && byte == b'\\';
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Some(position_of(text, at));
        }
    }
    None
}

/// The 1-based line and byte column of byte `at`.
pub(crate) fn position_of(text: &str, at: usize) -> Position {
    let before = text.as_bytes().get(..at).unwrap_or(text.as_bytes());
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Position {
        line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
        column: at - line_start + 1,
    }
}

/// serde_json's message, lower-cased where it is not, with its position
/// kept apart so that callers can place it.
fn syntax_error(error: serde_json::Error) -> RecordError {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let bare = full.strip_suffix(&suffix).unwrap_or(&full);
    let position = Position {
        line: error.line().max(1),
        column: error.column().max(1),
    };
    RecordError::new(RecordErrorKind::Syntax, reword(bare), Some(position))
}

fn reword(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("EOF while parsing ") {
        return format!("unexpected end of input while parsing {rest}");
    }
    match message {
        "expected ident" => "expected `true`, `false` or `null`".into(),
        "expected value" => "expected a JSON value".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_are_read_as_replacement_characters() {
        let text = "{\"a\": \"x\\ud800\",\n \"b\": \"\\udc00\\ud83d\\ude00\\ud800\\u0041\"}";
        let (value, lone) = parse_lenient(text).expect("read");
        assert_eq!(value["a"], "x\u{FFFD}");
        assert_eq!(value["b"], "\u{FFFD}\u{1F600}\u{FFFD}A");
        assert_eq!(lone, Some(LoneSurrogates { count: 3, line: 1 }));
        let (_, none) = parse_lenient("{\"a\": \"\\ud83d\\ude00\"}").expect("read");
        assert_eq!(none, None);
        assert!(parse_lenient("{\"a\": \"\\u12\"}").is_err());
        assert!(parse_lenient("{\"a\": \"\\ud800\" x}").is_err());
    }

    #[test]
    fn the_first_repeated_key_is_found_decoded_and_per_object() {
        let repeated = |text: &str| first_repeated_key(text).map(|r| (r.key, r.line));
        assert_eq!(repeated(r#"{"a":1,"b":{"a":2},"c":[{"a":3}]}"#), None);
        assert_eq!(repeated(r#"{"a":"a","b":["a","a"]}"#), None);
        assert_eq!(repeated("{\"a\":1,\n\"\\u0061\":2}"), Some(("a".into(), 2)));
        assert_eq!(repeated(r#"{"x":{"k":1,"k":2}}"#), Some(("k".into(), 1)));
        assert_eq!(
            repeated(r#"{"x":{"k":1},"x":"\"}"}"#),
            Some(("x".into(), 1))
        );
    }

    #[test]
    fn brackets_in_strings_do_not_nest() {
        let text = format!("{{\"a\":\"{}\\\"{}\"}}", "[".repeat(500), "{");
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn position_counts_lines_and_bytes() {
        let text = "{\n  \"é\": [";
        let at = text.find('[').unwrap_or(0);
        assert_eq!(position_of(text, at), Position { line: 2, column: 9 });
    }
}
