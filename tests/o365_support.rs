//! Shared by the o365 tests: loading case files and checking fields.

#![allow(dead_code)]

use serde_json::{json, Value};

/// The `cases` list of a file in `tests/cases/`.
pub fn cases(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/cases/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    let mut document: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path}: {error}"));
    match document.get_mut("cases").map(Value::take) {
        Some(Value::Array(cases)) => cases,
        _ => panic!("{path}: no `cases` list"),
    }
}

pub fn name(case: &Value) -> String {
    case.get("name")
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)")
        .to_string()
}

/// The value at a dotted path through nested objects.
pub fn field<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(document, |value, key| value.get(key))
}

/// Checks the case's `fields` (dotted path to value, null for absent)
/// against `document`, collecting what differs.
pub fn check_fields(name: &str, document: &Value, case: &Value, failures: &mut Vec<String>) {
    let Some(expected) = case.get("fields").and_then(Value::as_object) else {
        return;
    };
    for (path, want) in expected {
        let got = field(document, path);
        let ok = match want {
            Value::Null => got.is_none(),
            want => got == Some(want),
        };
        if !ok {
            let got = got.map_or("absent".to_string(), Value::to_string);
            failures.push(format!("{name}: {path}: want {want}, got {got}"));
        }
    }
}

/// Values that a field of a record may hold in hostile input.
pub fn hostile_values() -> Vec<Value> {
    let deep = (0..100).fold(json!(1), |inner, _| json!([inner]));
    vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(1.5),
        serde_json::from_str("1e400").unwrap_or(Value::Null),
        serde_json::from_str("-123456789012345678901234567890").unwrap_or(Value::Null),
        json!(""),
        json!("@"),
        json!("[::ffff:1.2.3.4]:99999999999999999999"),
        json!("/Date(99999999999999999999)/"),
        json!("9999-12-31T23:59:59.9999999-14:00"),
        json!("{\"f3u\": [1, {\"x\": null}]}"),
        json!("x".repeat(100_000)),
        json!([]),
        json!([null, {}, [[]]]),
        json!({}),
        json!({"AlertLinkHref": 5, "Name": null, "Value": [1]}),
        deep,
    ]
}
