//! Runs `tests/cases/o365-read.json` (wrappers, shapes, errors) and tests
//! the nesting limit and damaged input.

use m365_restricted_sender::o365::{
    read_json, read_row, read_value, Record, RecordError, RecordErrorKind, MAX_DEPTH,
};
use serde_json::{json, Value};

#[path = "o365_support.rs"]
mod support;

fn read_case(case: &Value) -> Result<Result<Record, RecordError>, String> {
    if let Some(text) = case.get("text").and_then(Value::as_str) {
        return Ok(read_json(text));
    }
    if let Some(cell) = case.get("cell").and_then(Value::as_str) {
        return Ok(read_row(cell));
    }
    match case.get("input") {
        Some(input) => Ok(read_json(&input.to_string())),
        None => Err("no `text`, `cell` or `input`".into()),
    }
}

#[test]
fn read_cases() {
    let cases = support::cases("o365-read.json");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = support::name(case);
        match read_case(case) {
            Err(problem) => failures.push(format!("{name}: {problem}")),
            Ok(Ok(record)) => check_record(&name, &record, case, &mut failures),
            Ok(Err(error)) => check_error(&name, &error, case, &mut failures),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn check_record(name: &str, record: &Record, case: &Value, failures: &mut Vec<String>) {
    let mut expect = |key: &str, got: Value| match case.get(key) {
        Some(want) if *want != got => {
            failures.push(format!("{name}: {key}: want {want}, got {got}"));
        }
        _ => {}
    };
    expect("error", Value::Null);
    expect("kind", record.kind.as_str().into());
    expect("normalized", record.raw.is_some().into());
    expect("index", record.index.clone().into());
    let time = record.timestamp().map(|time| time.to_string());
    expect("timestamp", time.into());
    expect("content", record.content().clone());
    support::check_fields(name, &record.event, case, failures);
}

fn check_error(name: &str, error: &RecordError, case: &Value, failures: &mut Vec<String>) {
    let want = case.get("error").and_then(Value::as_str);
    if want != Some(&*error.to_string()) {
        failures.push(format!("{name}: want {want:?}, got error {error}"));
    }
}

/// `levels` nested arrays inside the record object, which is level 1.
fn nested_record(levels: usize) -> String {
    let arrays = levels - 1;
    format!("{{\"a\":{}{}}}", "[".repeat(arrays), "]".repeat(arrays))
}

#[test]
fn nesting_of_128_levels_is_read() {
    let record = read_json(&nested_record(MAX_DEPTH));
    assert!(record.is_ok(), "{record:?}");
    assert_eq!(MAX_DEPTH, 128);
}

#[test]
fn nesting_of_129_levels_is_an_error_at_the_129th_bracket() {
    let error = read_json(&nested_record(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(error.kind(), RecordErrorKind::DepthExceeded);
    // `{"a":` is 5 bytes, then 127 brackets: the 128th array opens at 133
    assert_eq!(
        error.to_string(),
        "nesting deeper than 128 levels at line 1 column 133"
    );
}

#[test]
fn nesting_of_ten_thousand_levels_is_an_error() {
    for text in [
        nested_record(10_000),
        "[".repeat(10_000),
        "{\"a\":".repeat(10_000),
    ] {
        let error = read_json(&text).unwrap_err();
        assert_eq!(error.kind(), RecordErrorKind::DepthExceeded, "{error}");
    }
}

#[test]
fn a_syntax_error_before_the_depth_is_passed_is_reported_first() {
    let text = format!("{{\"a\" 1, \"b\":{}", "[".repeat(10_000));
    let error = read_json(&text).unwrap_err();
    assert_eq!(error.to_string(), "expected `:` at line 1 column 6");
}

#[test]
fn nesting_inside_audit_data_is_limited_too() {
    let cell = nested_record(10_000);
    let error = read_row(&*cell).unwrap_err();
    assert_eq!(error.kind(), RecordErrorKind::DepthExceeded);
    assert_eq!(error.field(), Some("AuditData"));
    let deep_data = json!({
        "Operation": "AlertTriggered", "RecordType": 40,
        "Data": nested_record(10_000),
    });
    let record = read_value(deep_data).unwrap();
    assert!(record.event.pointer("/o365/audit/Data").is_none());
}

#[test]
fn the_same_record_in_two_wrappers_has_the_same_content() {
    let raw = json!({"Operation": "AlertTriggered", "RecordType": 40, "Id": "1"});
    let wrapped = read_value(json!({ "o365audit": raw.clone() })).unwrap();
    let row = read_value(json!({ "AuditData": raw.to_string(), "X": 1 })).unwrap();
    assert_eq!(wrapped.content(), row.content());
    assert_eq!(wrapped.content(), &raw);
}

/// Every prefix of every case text must give a record or an error.
#[test]
fn damaged_text_never_panics() {
    for case in support::cases("o365-read.json") {
        let text = match (case.get("text"), case.get("input")) {
            (Some(Value::String(text)), _) => text.clone(),
            (_, Some(input)) => serde_json::to_string_pretty(input).unwrap_or_default(),
            _ => continue,
        };
        let cuts = text.char_indices().map(|(at, _)| at);
        for cut in cuts {
            let _ = read_json(&text[..cut]);
            let _ = read_row(&text[cut..]);
        }
    }
}

/// Random text built from JSON's punctuation and a few words: reading it
/// gives a record or an error, never a panic.
#[test]
fn random_text_never_panics() {
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\\",
        " ",
        "\n",
        "1",
        "-",
        "e9",
        "null",
        "true",
        "\"o365audit\"",
        "\"AuditData\"",
        "\"_source\"",
        "\"auditData\"",
        "\"Operation\"",
        "\"RecordType\"",
        "\"Data\"",
        "é",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let len = (next() % 60) as usize;
        let text: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let _ = read_json(&text);
        let _ = read_row(&*text);
    }
}
