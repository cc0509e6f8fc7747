//! JSON text to a value, with the nesting limit the product promises.
//!
//! serde_json's own limit stops at 127 levels, one short of the 128 that
//! records may use, so the depth is measured here first: text within the
//! limit is parsed with serde_json's limit off, and deeper text is parsed
//! with it on (which can only fail, at the first fault) so that a syntax
//! error earlier in the text is still the one reported.

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
