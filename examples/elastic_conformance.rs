//! Checks our normalization against Elastic's own: the o365 integration's
//! pipeline test of security and compliance alerts, its input events read
//! as records and compared, field by field, with its expected documents.
//!
//! ```text
//! cargo run --example elastic_conformance -- ../shared/data/elastic-fixtures
//! ```
//!
//! Elastic's files are read where they are, never copied into this
//! repository. Every field is printed; the exit status is 1 when a field
//! differs for a reason not listed in `KNOWN`, 2 when the files cannot be
//! read.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::process::ExitCode;

use m365_restricted_sender::o365::{read_json, RecordKind};
use serde_json::Value;

const INPUT: &str = "integrations_o365_audit_test-sec-comp-alerts-events.json";
const EXPECTED: &str = "integrations_o365_audit_test-sec-comp-alerts-events.json-expected.json";

/// Which side of a comparison holds a field that the other lacks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnlyIn {
    Elastic,
    Ours,
}

/// Differences we expect, and why. A listed field may only differ in the
/// way listed (present on one side, absent on the other).
const KNOWN: &[(&str, OnlyIn, &str)] = &[
    (
        "organization.name",
        OnlyIn::Elastic,
        "from the tenant table (`_conf.tenants`) of the pipeline test's \
         configuration, not from the record",
    ),
    (
        "host.name",
        OnlyIn::Elastic,
        "from the same tenant table of the test configuration",
    ),
    (
        "related.hosts",
        OnlyIn::Elastic,
        "from the same tenant table of the test configuration",
    ),
    (
        "tags",
        OnlyIn::Elastic,
        "`preserve_original_event`, added by the test configuration",
    ),
    (
        "event.original",
        OnlyIn::Elastic,
        "kept only because of that tag; we keep the record's text as `raw`",
    ),
    (
        "event.dataset",
        OnlyIn::Ours,
        "a constant_keyword of the data stream (and set by Elastic Agent); \
         pipeline tests run without either",
    ),
    (
        "event.module",
        OnlyIn::Ours,
        "a constant_keyword of the data stream, as `event.dataset`",
    ),
    (
        "data_stream.dataset",
        OnlyIn::Ours,
        "set by Elastic Agent and the index name, as `event.dataset`",
    ),
];

/// The fields of o365.md's one-page table, to say which of them the
/// fixture never exercises.
const TABLE_FIELDS: &[&str] = &[
    "event.dataset",
    "data_stream.dataset",
    "event.module",
    "event.provider",
    "event.action",
    "event.category",
    "event.type",
    "event.kind",
    "event.code",
    "event.outcome",
    "event.id",
    "@timestamp",
    "user.id",
    "user.email",
    "user.name",
    "user.domain",
    "organization.id",
    "host.id",
    "source.ip",
    "client.ip",
    "rule.name",
    "rule.id",
    "rule.category",
    "rule.ruleset",
    "rule.description",
    "rule.reference",
    "message",
    "related.user",
    "o365.audit",
];

#[derive(Default)]
struct Tally {
    matched: usize,
    known: usize,
    unexpected: usize,
    seen: Vec<String>,
}

fn main() -> ExitCode {
    let dir = std::env::args().nth(1);
    let dir = dir.as_deref().unwrap_or("../shared/data/elastic-fixtures");
    match run(Path::new(dir)) {
        Ok(tally) if tally.unexpected == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("elastic-conformance: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(dir: &Path) -> Result<Tally, Box<dyn Error>> {
    let events = load(&dir.join(INPUT), "events")?;
    let expected = load(&dir.join(EXPECTED), "expected")?;
    if events.len() != expected.len() {
        let counts = (events.len(), expected.len());
        return Err(format!("{} events but {} expected documents", counts.0, counts.1).into());
    }
    let mut tally = Tally::default();
    for (number, (event, expected)) in events.iter().zip(&expected).enumerate() {
        compare_record(number + 1, event, expected, &mut tally)?;
    }
    summarize(&tally);
    Ok(tally)
}

fn load(path: &Path, key: &str) -> Result<Vec<Value>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let mut document: Value =
        serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
    match document.get_mut(key).map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(format!("{}: no `{key}` list", path.display()).into()),
    }
}

fn compare_record(
    number: usize,
    event: &Value,
    expected: &Value,
    tally: &mut Tally,
) -> Result<(), Box<dyn Error>> {
    let record =
        read_json(&event.to_string()).map_err(|error| format!("record {number}: {error}"))?;
    if record.kind != RecordKind::O365Audit || record.raw.is_none() {
        return Err(format!("record {number}: not read as an o365audit record").into());
    }
    let action = record
        .event
        .pointer("/event/action")
        .unwrap_or(&Value::Null);
    println!("record {number} ({action})");
    let ours = leaves(&record.event);
    let theirs = leaves(expected);
    let mut fields: Vec<&String> = ours.keys().chain(theirs.keys()).collect();
    fields.sort();
    fields.dedup();
    for field in fields {
        judge(field, ours.get(field), theirs.get(field), tally);
    }
    Ok(())
}

fn judge(field: &str, ours: Option<&Value>, theirs: Option<&Value>, tally: &mut Tally) {
    tally.seen.push(field.to_string());
    let only_in = match (ours, theirs) {
        (Some(ours), Some(theirs)) if ours == theirs => {
            tally.matched += 1;
            return println!("  same     {field} = {ours}");
        }
        (Some(ours), Some(theirs)) => {
            tally.unexpected += 1;
            return println!("  DIFFERS  {field}: ours {ours}, Elastic's {theirs}");
        }
        (Some(_), None) => OnlyIn::Ours,
        (None, _) => OnlyIn::Elastic,
    };
    let reason = KNOWN
        .iter()
        .find(|(known, side, _)| *known == field && *side == only_in)
        .map(|(_, _, reason)| reason);
    let side = match only_in {
        OnlyIn::Ours => "only ours",
        OnlyIn::Elastic => "only Elastic's",
    };
    match reason {
        Some(reason) => {
            tally.known += 1;
            println!("  known    {field}: {side}: {reason}");
        }
        None => {
            tally.unexpected += 1;
            let value = ours.or(theirs).unwrap_or(&Value::Null);
            println!("  DIFFERS  {field}: {side} ({value})");
        }
    }
}

/// Every leaf as (dotted path, value); lists are leaves, compared whole.
fn leaves(value: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    collect(value, String::new(), &mut out);
    out
}

fn collect(value: &Value, path: String, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(fields) => {
            for (key, inner) in fields {
                let inner_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                collect(inner, inner_path, out);
            }
        }
        other => {
            out.insert(path, other.clone());
        }
    }
}

fn summarize(tally: &Tally) {
    let unexercised: Vec<&str> = TABLE_FIELDS
        .iter()
        .filter(|field| {
            !tally
                .seen
                .iter()
                .any(|seen| seen == *field || seen.starts_with(&format!("{field}.")))
        })
        .copied()
        .collect();
    println!();
    println!(
        "{} fields the same, {} known differences, {} unexpected",
        tally.matched, tally.known, tally.unexpected
    );
    if !unexercised.is_empty() {
        println!(
            "table fields no fixture record holds: {}",
            unexercised.join(", ")
        );
    }
}
