//! Acceptance: what a user of the scanner gets from realistic exports.
//!
//! Every case of `tests/cases/scan-expect.json` names fixture files under
//! `tests/cases/scan/` (written by `make.py` there, which also derives the
//! expected facts from the specifications), scans them as one data set and
//! compares the report, read as the JSON a user gets, with the facts. The
//! same cases are scanned again through the streaming `Scanner` in small
//! random chunks, which must give the same report.
//!
//! Set `SCAN_CASE` to a case name to run only that case.
//!
//! TODO: input that is only blank text for a long stretch (megabytes of
//! spaces or empty lines before the first record) takes time that grows
//! with the square of its length; no case here, because a time bound would
//! be flaky on a shared machine. It was measured from the command line.

use std::fs;
use std::path::PathBuf;

use m365_restricted_sender::detect::{Options, ScanReport};
use m365_restricted_sender::scan::{scan, Scanner};
use serde_json::Value;

/// One case of the expectation file.
struct Case {
    name: String,
    files: Vec<(String, Vec<u8>)>,
    options: Options,
    expected: Value,
}

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn read_json(path: &PathBuf) -> Value {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn cases() -> Vec<Case> {
    let document = read_json(&cases_dir().join("scan-expect.json"));
    let only = std::env::var("SCAN_CASE").ok();
    let all = document["cases"].as_array().cloned().unwrap_or_default();
    assert!(!all.is_empty(), "scan-expect.json holds no cases");
    all.into_iter()
        .filter(|case| only.as_deref().is_none_or(|name| case["name"] == name))
        .map(case_of)
        .collect()
}

fn case_of(expected: Value) -> Case {
    let name = text(&expected["name"]);
    let files = expected["files"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|file| {
            let file = text(&file["name"]);
            let path = cases_dir().join("scan").join(&file);
            let bytes = fs::read(&path)
                .unwrap_or_else(|error| panic!("{name}: cannot read {file}: {error}"));
            (file, bytes)
        })
        .collect();
    let options = serde_json::from_value(expected["options"].clone())
        .unwrap_or_else(|error| panic!("{name}: options: {error}"));
    Case {
        name,
        files,
        options,
        expected,
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn scan_whole(case: &Case) -> ScanReport {
    let files: Vec<(&str, &[u8])> = case
        .files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    scan(&files, case.options.clone()).unwrap_or_else(|error| panic!("{}: {error}", case.name))
}

/// The report as the JSON a user reads.
fn as_json(report: &ScanReport) -> Value {
    serde_json::to_value(report).unwrap_or_default()
}

/// Collects the differences between a report and a case's facts.
struct Diff<'a> {
    case: &'a str,
    found: Vec<String>,
}

impl Diff<'_> {
    fn check(&mut self, fact: &str, expected: &Value, actual: &Value) {
        if expected != actual {
            let case = self.case;
            self.found
                .push(format!("{case}: {fact}: expected {expected}, got {actual}"));
        }
    }

    fn note(&mut self, message: String) {
        self.found.push(format!("{}: {message}", self.case));
    }
}

const FILE_FACTS: [&str; 6] = [
    "name",
    "format",
    "encoding",
    "compressed",
    "records",
    "errors",
];
const TOTALS: [&str; 3] = ["records", "duplicates", "errorCount"];

fn check_case(case: &Case, report: &Value) -> Vec<String> {
    let mut diff = Diff {
        case: &case.name,
        found: Vec::new(),
    };
    let expected = &case.expected;
    check_list(
        &mut diff,
        "files",
        &expected["files"],
        &report["files"],
        &FILE_FACTS,
    );
    for total in TOTALS {
        diff.check(total, &expected[total], &report[total]);
    }
    check_keyed(
        &mut diff,
        "hits",
        &expected["hits"],
        &report["hits"],
        &["file", "line", "index"],
    );
    check_keyed(
        &mut diff,
        "users",
        &expected["users"],
        &report["users"],
        &["user"],
    );
    check_errors(&mut diff, &expected["errors"], &report["errors"]);
    check_warnings(&mut diff, &expected["warnings"], &report["warnings"]);
    diff.found
}

fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// Compares two lists item by item on the named facts.
fn check_list(diff: &mut Diff, what: &str, expected: &Value, actual: &Value, facts: &[&str]) {
    let (expected, actual) = (items(expected), items(actual));
    if expected.len() != actual.len() {
        diff.note(format!(
            "{what}: expected {} entries, got {}: {}",
            expected.len(),
            actual.len(),
            summary(actual, facts)
        ));
    }
    for (n, (want, got)) in expected.iter().zip(actual).enumerate() {
        for fact in facts {
            diff.check(&format!("{what}[{n}].{fact}"), &want[fact], &got[fact]);
        }
    }
}

/// Compares two lists whose entries are told apart by `key`: entries
/// missing or unexpected, facts that differ, and the order of the entries
/// both have. One missing entry then reads as one difference, not as a
/// shift of every entry after it.
fn check_keyed(diff: &mut Diff, what: &str, expected: &Value, actual: &Value, key: &[&str]) {
    let key_of = |entry: &Value| -> Value { key.iter().map(|k| entry[k].clone()).collect() };
    let (expected, actual) = (items(expected), items(actual));
    let actual_keys: Vec<Value> = actual.iter().map(key_of).collect();
    let expected_keys: Vec<Value> = expected.iter().map(key_of).collect();
    for (want, want_key) in expected.iter().zip(&expected_keys) {
        match actual_keys.iter().position(|k| k == want_key) {
            Some(at) => check_entry(diff, what, want_key, want, &actual[at]),
            None => diff.note(format!("{what}: missing {want}")),
        }
    }
    for (got, got_key) in actual.iter().zip(&actual_keys) {
        if !expected_keys.contains(got_key) {
            diff.note(format!("{what}: unexpected {}", brief(got)));
        }
    }
    let common = |keys: &[Value], other: &[Value]| -> Vec<Value> {
        keys.iter().filter(|k| other.contains(k)).cloned().collect()
    };
    let want_order = common(&expected_keys, &actual_keys);
    let got_order = common(&actual_keys, &expected_keys);
    if want_order != got_order {
        let order = |keys: &[Value]| -> String {
            keys.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        diff.note(format!(
            "{what}: order differs: expected {}, got {}",
            order(&want_order),
            order(&got_order)
        ));
    }
}

fn check_entry(diff: &mut Diff, what: &str, key: &Value, want: &Value, got: &Value) {
    let Some(facts) = want.as_object() else {
        return;
    };
    for (fact, value) in facts {
        diff.check(&format!("{what} {key} .{fact}"), value, &got[fact]);
    }
}

/// An entry without its bulky parts (a hit's event, alert and raw text).
fn brief(entry: &Value) -> Value {
    let mut entry = entry.clone();
    if let Some(object) = entry.as_object_mut() {
        for bulky in ["event", "alert", "raw"] {
            object.remove(bulky);
        }
    }
    entry
}

/// A short listing of entries, to show what came out instead.
fn summary(entries: &[Value], facts: &[&str]) -> String {
    let shown: Vec<String> = entries
        .iter()
        .map(|entry| {
            let values: Vec<String> = facts.iter().map(|f| entry[f].to_string()).collect();
            format!("({})", values.join(" "))
        })
        .collect();
    shown.join(", ")
}

/// Errors in order: the file, the line, and a substring of the message.
fn check_errors(diff: &mut Diff, expected: &Value, actual: &Value) {
    let (expected, actual) = (items(expected), items(actual));
    if expected.len() != actual.len() {
        let facts = ["file", "line", "message"];
        diff.note(format!(
            "errors: expected {}, got {}: {}",
            expected.len(),
            actual.len(),
            summary(actual, &facts)
        ));
    }
    for (n, (want, got)) in expected.iter().zip(actual).enumerate() {
        diff.check(&format!("errors[{n}].file"), &want["file"], &got["file"]);
        diff.check(&format!("errors[{n}].line"), &want["line"], &got["line"]);
        if !message_has(got, &want["message"]) {
            diff.note(format!(
                "errors[{n}].message: expected it to contain {}, got {}",
                want["message"], got["message"]
            ));
        }
    }
}

fn message_has(entry: &Value, part: &Value) -> bool {
    let message = entry["message"].as_str().unwrap_or_default();
    message.contains(part.as_str().unwrap_or_default())
}

/// Warnings in any order: each expected one matches a different actual
/// one (same file, same line when given, message containing the text).
fn check_warnings(diff: &mut Diff, expected: &Value, actual: &Value) {
    let mut unmatched: Vec<&Value> = items(actual).iter().collect();
    for want in items(expected) {
        let found = unmatched.iter().position(|got| warning_matches(want, got));
        match found {
            Some(at) => {
                unmatched.remove(at);
            }
            None => diff.note(format!("warnings: expected {want}, not found")),
        }
    }
    for got in unmatched {
        diff.note(format!("warnings: unexpected {got}"));
    }
}

fn warning_matches(want: &Value, got: &Value) -> bool {
    let line_ok = want.get("line").is_none_or(|line| *line == got["line"]);
    want["file"] == got["file"] && line_ok && message_has(got, &want["message"])
}

/// Messages are lowercase and end without a period (the house style).
fn check_message_style(diff: &mut Diff, report: &Value) {
    for entry in items(&report["errors"]) {
        let message = entry["message"].as_str().unwrap_or_default();
        let starts_low = !message.starts_with(|c: char| c.is_uppercase());
        if !starts_low || message.ends_with('.') || message.is_empty() {
            diff.note(format!("error message out of style: {message:?}"));
        }
    }
}

fn fail_on(differences: Vec<String>) {
    if !differences.is_empty() {
        panic!(
            "{} differences:\n{}",
            differences.len(),
            differences.join("\n")
        );
    }
}

#[test]
fn every_case_gives_the_expected_report() {
    let differences = cases()
        .iter()
        .flat_map(|case| check_case(case, &as_json(&scan_whole(case))))
        .collect();
    fail_on(differences);
}

#[test]
fn error_messages_are_lowercase_without_a_period() {
    let mut all = Vec::new();
    for case in cases() {
        let mut diff = Diff {
            case: &case.name,
            found: Vec::new(),
        };
        check_message_style(&mut diff, &as_json(&scan_whole(&case)));
        all.extend(diff.found);
    }
    fail_on(all);
}

/// A small deterministic generator of chunk sizes (xorshift).
fn chunk_sizes(seed: u64, max: u64) -> impl FnMut() -> usize {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (1 + state % max) as usize
    }
}

/// Scans through the streaming scanner; returns the report and the hits
/// `push` reported along the way, as (file, line, index).
fn scan_in_chunks(case: &Case, seed: u64, max: u64) -> (ScanReport, Vec<Value>) {
    let mut scanner =
        Scanner::new(case.options.clone()).unwrap_or_else(|error| panic!("{}: {error}", case.name));
    let mut sizes = chunk_sizes(seed, max);
    let mut pushed = Vec::new();
    for (name, bytes) in &case.files {
        scanner.file(name);
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(sizes().min(rest.len()));
            let progress = scanner.push(chunk);
            pushed.extend(
                progress
                    .hits
                    .iter()
                    .map(|hit| serde_json::json!([hit.file, hit.line, hit.index])),
            );
            rest = tail;
        }
    }
    (scanner.finish(), pushed)
}

#[test]
fn chunked_scans_give_the_same_report() {
    let mut differences = Vec::new();
    for case in cases() {
        let whole = as_json(&scan_whole(&case));
        for (seed, max) in [(1, 1), (2, 3), (3, 17), (4, 700), (5, 5000)] {
            let (report, pushed) = scan_in_chunks(&case, seed, max);
            let chunked = as_json(&report);
            if chunked != whole {
                let name = &case.name;
                let parts = differing_parts(&whole, &chunked);
                differences.push(format!(
                    "{name}: chunks of 1 to {max} bytes give another {parts}"
                ));
            }
            check_pushed_hits(&case.name, &pushed, &whole, &mut differences);
        }
    }
    fail_on(differences);
}

/// The top-level parts of two reports that differ, by name.
fn differing_parts(one: &Value, other: &Value) -> String {
    let names: Vec<&str> = one
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, value)| other.get(key.as_str()) != Some(value))
        .map(|(key, _)| key.as_str())
        .collect();
    names.join(", ")
}

/// The hits `push` returns are hits of the report, each once.
fn check_pushed_hits(name: &str, pushed: &[Value], report: &Value, found: &mut Vec<String>) {
    let mut in_report: Vec<Value> = items(&report["hits"])
        .iter()
        .map(|hit| serde_json::json!([hit["file"], hit["line"], hit["index"]]))
        .collect();
    for hit in pushed {
        match in_report.iter().position(|known| known == hit) {
            Some(at) => {
                in_report.remove(at);
            }
            None => found.push(format!(
                "{name}: push returned {hit}, not a hit of the report"
            )),
        }
    }
}

#[test]
fn every_fixture_is_scanned_by_some_case() {
    let document = read_json(&cases_dir().join("scan-expect.json"));
    let used: Vec<String> = items(&document["cases"])
        .iter()
        .flat_map(|case| items(&case["files"]).iter().map(|f| text(&f["name"])))
        .collect();
    let dir = cases_dir().join("scan");
    let entries = fs::read_dir(&dir).unwrap_or_else(|error| panic!("{error}"));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "make.py" {
            assert!(used.contains(&name), "{name} is in no case");
        }
    }
}

const RULE_ID: &str = "0136b315-b566-482f-866c-1d8e2477ba16";

/// Every hit of the rule carries an alert shaped like Elastic Security's,
/// which agrees with the hit: its time, its user, and for a hit found only
/// by the alert's name a reason that says so. A custom query raises none.
/// `event.kind` is `signal`, nested or flat as the event keeps it.
fn check_alerts(case: &Case, report: &Value, found: &mut Vec<String>) {
    let custom = case.options.query.is_some();
    for hit in items(&report["hits"]) {
        let at = format!("{}: hit {}:{}", case.name, text(&hit["file"]), hit["line"]);
        let alert = &hit["alert"];
        if custom {
            if !alert.is_null() {
                found.push(format!("{at}: a custom query's hit has an alert"));
            }
            continue;
        }
        for problem in alert_problems(hit, alert) {
            found.push(format!("{at}: {problem}"));
        }
    }
}

fn alert_problems(hit: &Value, alert: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut expect = |what: &str, got: &Value, want: &Value| {
        if got != want {
            problems.push(format!("alert {what} is {got}, expected {want}"));
        }
    };
    let kind = match alert.get("event.kind") {
        Some(flat) => flat,
        None => &alert["event"]["kind"],
    };
    expect("event.kind", kind, &"signal".into());
    expect(
        "rule id",
        &alert["kibana.alert.rule.rule_id"],
        &RULE_ID.into(),
    );
    expect(
        "status",
        &alert["kibana.alert.workflow_status"],
        &"open".into(),
    );
    let original = &alert["kibana.alert.original_time"];
    expect("original time", original, &hit["timestamp"]);
    let reason = alert["kibana.alert.reason"].as_str().unwrap_or_default();
    if let Some(user) = hit["user"].as_str() {
        if !reason.contains(user) {
            problems.push(format!("alert reason does not name {user}: {reason:?}"));
        }
    }
    let by_name_only = hit["alertName"] == true && hit["query"] == false;
    if by_name_only && !reason.contains("its name") {
        problems.push(format!(
            "alert reason does not say it was found by name: {reason:?}"
        ));
    }
    problems
}

#[test]
fn every_hit_of_the_rule_carries_an_alert_that_agrees_with_it() {
    let mut found = Vec::new();
    for case in cases() {
        check_alerts(&case, &as_json(&scan_whole(&case)), &mut found);
    }
    fail_on(found);
}
