//! Runs `tests/cases/o365-normalize.json`: raw records and the ECS fields
//! each must give.

use m365_restricted_sender::o365::normalize;
use serde_json::Value;

#[path = "o365_support.rs"]
mod support;

#[test]
fn normalize_cases() {
    let cases = support::cases("o365-normalize.json");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = support::name(case);
        let Some(raw) = case.get("raw").and_then(Value::as_object) else {
            failures.push(format!("{name}: no `raw` object"));
            continue;
        };
        let event = normalize(raw);
        support::check_fields(&name, &event, case, &mut failures);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every case's record with each field in turn replaced by hostile values:
/// normalization must not panic, and must keep the common constants.
#[test]
fn hostile_values_never_panic() {
    let hostile = support::hostile_values();
    for case in support::cases("o365-normalize.json") {
        let Some(raw) = case.get("raw").and_then(Value::as_object) else {
            continue;
        };
        for key in raw.keys() {
            for value in &hostile {
                let mut changed = raw.clone();
                changed.insert(key.clone(), value.clone());
                let event = normalize(&changed);
                assert_eq!(event["event"]["category"][0], "web", "{key}");
            }
        }
    }
}
