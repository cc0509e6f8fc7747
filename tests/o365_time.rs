//! Runs `tests/cases/o365-time.json`, and checks that printing and
//! reading agree.

use m365_restricted_sender::o365::{parse_time, parse_time_str, Timestamp};
use serde_json::{json, Value};

#[path = "o365_support.rs"]
mod support;

#[test]
fn time_cases() {
    let cases = support::cases("o365-time.json");
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let input = case.get("input").unwrap_or(&Value::Null);
        let want = case.get("expect").and_then(Value::as_str);
        let got = parse_time(input).map(|time| time.to_string());
        if got.as_deref() != want {
            let name = support::name(case);
            failures.push(format!("{name}: {input}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn printed_times_read_back_to_the_same_instant() {
    let step = 86_400_000 * 37 + 3_600_000 * 5 + 61_001;
    let mut millis = Timestamp::MIN.millis();
    while millis <= Timestamp::MAX.millis() {
        let time = Timestamp::from_millis(millis).unwrap();
        assert_eq!(parse_time_str(&time.to_string()), Some(time));
        millis += step;
    }
}

#[test]
fn timestamps_serialize_as_text() {
    let time = parse_time(&json!("2024-05-01T10:15:30Z")).unwrap();
    assert_eq!(json!(time), json!("2024-05-01T10:15:30.000Z"));
    assert_eq!(time.millis(), 1_714_558_530_000);
}
