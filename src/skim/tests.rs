//! The skim against the full path: same fingerprints, same shapes, same
//! answers, and nothing accepted that the parser rejects.

use serde_json::{Map, Value};

use super::{LeanPlan, Skimmer};
use crate::detect::{self, content_hash};
use crate::doc::{Document, FieldPath, Scalar};
use crate::input::{Body, FileReader};
use crate::kql::NamedField;
use crate::o365::{self, normalize, Record};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A record candidate as the input layer hands it on.
#[derive(Clone, Debug)]
enum Candidate {
    Json(String),
    Cell(String),
}

impl Candidate {
    fn text(&self) -> &str {
        match self {
            Candidate::Json(text) | Candidate::Cell(text) => text,
        }
    }

    fn read(&self) -> Option<Record> {
        match self {
            Candidate::Json(text) => o365::read_json(text).ok(),
            Candidate::Cell(cell) => o365::read_row(cell.as_str()).ok(),
        }
    }
}

fn pieces(bytes: &[u8], out: &mut Vec<Candidate>) {
    let mut reader = FileReader::new();
    let mut sink = |piece: crate::input::Piece<'_>| match piece.body {
        Body::Json(text) => out.push(Candidate::Json(text.to_owned())),
        Body::Row(row) => out.push(Candidate::Cell(row.audit_data().to_owned())),
        Body::Error(_) => {}
    };
    reader.push(bytes, &mut sink);
    reader.finish(&mut sink);
}

fn files_in(dir: &str) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(format!("{ROOT}/{dir}")) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

fn cases(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(format!("{ROOT}/tests/cases/{file}"));
    let value: Value = serde_json::from_str(&text.unwrap_or_default()).unwrap_or_default();
    value["cases"].as_array().cloned().unwrap_or_default()
}

/// Objects from the JSON case files, each as a record of its own.
fn case_objects() -> Vec<Value> {
    let mut objects = Vec::new();
    for case in cases("o365-normalize.json") {
        objects.push(case["raw"].clone());
    }
    for case in cases("o365-read.json") {
        objects.push(case["input"].clone());
    }
    for case in cases("kql-match.json") {
        objects.push(case["doc"].clone());
    }
    objects.retain(Value::is_object);
    objects
}

/// Every record candidate of every fixture and case file.
fn candidates() -> Vec<Candidate> {
    let mut out = Vec::new();
    for bytes in files_in("tests/cases/input")
        .iter()
        .chain(&files_in("example-export"))
    {
        pieces(bytes, &mut out);
    }
    let objects = case_objects();
    out.extend(objects.iter().map(|o| Candidate::Json(o.to_string())));
    for case in cases("o365-read.json") {
        let text = |key: &str| case[key].as_str().map(str::to_owned);
        out.extend(text("text").map(Candidate::Json));
        out.extend(text("cell").map(Candidate::Cell));
    }
    out
}

/// A plan that keeps every field the view gives, and a few ECS ones.
fn wide_plan(extra: &[&str], exists: bool) -> LeanPlan {
    let view_fields = [
        "ecs.version",
        "event.dataset",
        "data_stream.dataset",
        "event.module",
        "event.category",
        "event.type",
        "event.kind",
        "event.code",
        "@timestamp",
        "event.id",
        "event.action",
        "event.provider",
        "event.outcome",
        "event.severity",
        "user.id",
        "user.name",
        "user.domain",
        "user.email",
        "host.name",
        "organization.id",
        "host.id",
        "message",
        "rule.name",
        "rule.id",
        "rule.category",
        "rule.ruleset",
        "rule.description",
    ];
    let fields: Vec<NamedField> = view_fields
        .iter()
        .chain(extra)
        .map(|name| NamedField {
            name: (*name).to_owned(),
            exists,
        })
        .collect();
    LeanPlan::new(&fields).unwrap_or_else(|| panic!("too many fields"))
}

fn rule_plan() -> LeanPlan {
    let detector = detect::Detector::new(detect::Options::default());
    let detector = detector.unwrap_or_else(|error| panic!("{error}"));
    detector
        .lean_plan()
        .cloned()
        .unwrap_or_else(|| panic!("no plan"))
}

/// Skims a candidate: (kind, fingerprint, index), or `None`.
fn skim(
    skimmer: &mut Skimmer,
    plan: &LeanPlan,
    candidate: &Candidate,
) -> Option<(o365::RecordKind, u128, Option<String>)> {
    let lean = match candidate {
        Candidate::Json(text) => skimmer.json(text, plan)?,
        Candidate::Cell(cell) => skimmer.cell(cell, plan)?,
    };
    Some((lean.kind, lean.fingerprint, lean.index.map(str::to_owned)))
}

#[test]
fn fingerprints_and_shapes_agree_with_the_full_path_on_every_fixture() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    let (mut read, mut skimmed) = (0, 0);
    for candidate in candidates() {
        let full = candidate.read();
        let Some(got) = skim(&mut skimmer, &plan, &candidate) else {
            read += usize::from(full.is_some());
            continue;
        };
        let Some(record) = full else {
            panic!(
                "skim accepted what the parser rejects: {}",
                candidate.text()
            );
        };
        read += 1;
        skimmed += 1;
        let want = (
            record.kind,
            content_hash(record.content()),
            record.index.clone(),
        );
        assert_eq!(got, want, "{}", candidate.text());
    }
    assert!(read > 150, "only {read} records");
    assert!(skimmed * 10 >= read * 9, "only {skimmed} of {read} skimmed");
}

/// A small deterministic generator for variants and mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// How a variant writes JSON.
#[derive(Clone, Copy)]
struct Style {
    shuffle: bool,
    spaces: bool,
    escape: bool,
}

fn write(value: &Value, style: Style, rng: &mut Rng, out: &mut String) {
    match value {
        Value::String(text) => write_string(text, style, rng, out),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                blank(style, rng, out);
                write(item, style, rng, out);
            }
            blank(style, rng, out);
            out.push(']');
        }
        Value::Object(fields) => write_object(fields, style, rng, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_object(fields: &Map<String, Value>, style: Style, rng: &mut Rng, out: &mut String) {
    let mut members: Vec<(&String, &Value)> = fields.iter().collect();
    if style.shuffle {
        for at in (1..members.len()).rev() {
            members.swap(at, rng.below(at + 1));
        }
    }
    out.push('{');
    for (index, (key, value)) in members.into_iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        blank(style, rng, out);
        write_string(
            key,
            Style {
                escape: false,
                ..style
            },
            rng,
            out,
        );
        blank(style, rng, out);
        out.push(':');
        blank(style, rng, out);
        write(value, style, rng, out);
    }
    blank(style, rng, out);
    out.push('}');
}

fn blank(style: Style, rng: &mut Rng, out: &mut String) {
    if style.spaces {
        out.push_str([" ", "\n  ", "\t", "", "\r\n"][rng.below(5)]);
    }
}

/// A string, its characters escaped now and then in every way JSON
/// allows (but surrogates, which the skim leaves to the parser).
fn write_string(text: &str, style: Style, rng: &mut Rng, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        let plain = serde_json::to_string(&c.to_string()).unwrap_or_default();
        let plain = plain.get(1..plain.len() - 1).unwrap_or_default().to_owned();
        let code = c as u32;
        let escaped = match rng.below(4) {
            _ if !style.escape => plain,
            0 if code < 0x10000 => format!("\\u{code:04X}"),
            1 if code < 0x10000 => format!("\\u{code:04x}"),
            2 if c == '/' => "\\/".to_owned(),
            _ => plain,
        };
        out.push_str(&escaped);
    }
    out.push('"');
}

#[test]
fn fingerprints_agree_on_shuffled_respaced_and_escaped_variants() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    let mut rng = Rng(0x5EED);
    let mut compared = 0;
    for candidate in candidates() {
        let Some(record) = candidate.read() else {
            continue;
        };
        let content = record.content();
        let want = content_hash(content);
        for style in [
            Style {
                shuffle: true,
                spaces: false,
                escape: false,
            },
            Style {
                shuffle: false,
                spaces: true,
                escape: false,
            },
            Style {
                shuffle: false,
                spaces: false,
                escape: true,
            },
            Style {
                shuffle: true,
                spaces: true,
                escape: true,
            },
        ] {
            let mut text = String::new();
            write(content, style, &mut rng, &mut text);
            let reparsed = serde_json::from_str::<Value>(&text).ok();
            assert_eq!(reparsed.as_ref().map(content_hash), Some(want), "{text}");
            let variant = Candidate::Json(text.clone());
            if let Some((_, fingerprint, _)) = skim(&mut skimmer, &plan, &variant) {
                assert_eq!(fingerprint, want, "{text}");
                compared += 1;
            }
        }
    }
    assert!(compared > 600, "only {compared} variants compared");
}

/// Bytes a mutation puts in: JSON's own, and some it rejects.
const MUTATIONS: &[&str] = &[
    "", "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "01", "-", "1e5", "1E+5", "1.", ".5",
    "true", "nul", "\u{1}", "\\u12", "\\ud800", "\\x", "é",
];

#[test]
fn mutated_text_is_accepted_only_when_the_parser_accepts_it_the_same() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    let mut rng = Rng(0xBAD5EED);
    let mut accepted = 0;
    for candidate in candidates().iter().take(400) {
        let text = candidate.text();
        for _ in 0..40 {
            let mut mutated = text.to_owned();
            let mut at = rng.below(mutated.len() + 1);
            while !mutated.is_char_boundary(at) {
                at -= 1;
            }
            let cut = (at + rng.below(3)).min(mutated.len());
            let cut = (at..=cut)
                .rev()
                .find(|&c| mutated.is_char_boundary(c))
                .unwrap_or(at);
            mutated.replace_range(at..cut, MUTATIONS[rng.below(MUTATIONS.len())]);
            let variant = Candidate::Json(mutated.clone());
            let Some((kind, fingerprint, index)) = skim(&mut skimmer, &plan, &variant) else {
                continue;
            };
            accepted += 1;
            let record = variant.read();
            let record = record.unwrap_or_else(|| panic!("accepted, parser rejects: {mutated}"));
            let want = (record.kind, content_hash(record.content()), record.index);
            assert_eq!((kind, fingerprint, index), want, "{mutated}");
        }
    }
    assert!(accepted > 1_000, "only {accepted} mutations accepted");
}

#[test]
fn text_the_parser_rejects_or_reads_otherwise_is_left_to_it() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    for text in [
        "",
        " ",
        "[]",
        "1",
        "\"a\"",
        "null",
        "{",
        "{}}",
        "{} x",
        "{},",
        "{\"a\":1,}",
        "{\"a\":[1,]}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":1e5}",
        "{\"a\":1E+5}",
        "{\"a\":tru}",
        "{\"a\":nulll}",
        "{\"a\":\"\u{1}\"}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\ud83d\\ude00\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":1,\"a\":2}",
        "{\"b\":{\"a\":1,\"a\":1}}",
        "{\"a\\u0062\":1}",
        "{\"a\":\"x\"\"b\":1}",
        "{\"a\":[1 2]}",
        "\u{feff}{}",
        "{\"AuditData\":5}",
        "{\"auditData\":\"  \"}",
        "{\"AuditData\":\"[1]\"}",
    ] {
        let got = skim(&mut skimmer, &plan, &Candidate::Json(text.to_owned()));
        assert_eq!(got, None, "{text}");
    }
}

#[test]
fn an_object_of_many_keys_is_read_in_linear_time_and_a_repeat_is_found() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    let keys: Vec<String> = (0..100_000).map(|n| format!("\"k{n}\":{n}")).collect();
    let many = format!("{{\"b\":{{{}}},\"c\":1}}", keys.join(","));
    let started = std::time::Instant::now();
    let read = skim(&mut skimmer, &plan, &Candidate::Json(many));
    assert!(read.is_some());
    // NOTE: generous, for slow debug builds on shared machines; comparing
    // every key with every other takes minutes here.
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    let repeated = format!("{{\"b\":{{{},\"k99\":0}}}}", keys.join(","));
    let read = skim(&mut skimmer, &plan, &Candidate::Json(repeated));
    assert_eq!(read, None);
    let after_nested = format!("{{{},\"x\":{{\"k1\":1}},\"k5\":1}}", keys.join(","));
    let read = skim(&mut skimmer, &plan, &Candidate::Json(after_nested));
    assert_eq!(read, None);
}

#[test]
fn nesting_to_the_limit_is_read_and_deeper_is_left_to_the_parser() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    let nested = |levels: usize| {
        let inner = levels - 1;
        format!("{{\"a\":{}1{}}}", "[".repeat(inner), "]".repeat(inner))
    };
    let at_limit = Candidate::Json(nested(o365::MAX_DEPTH));
    let record = at_limit.read().unwrap_or_else(|| panic!("128 levels"));
    let got = skim(&mut skimmer, &plan, &at_limit).map(|(_, f, _)| f);
    assert_eq!(got, Some(content_hash(record.content())));
    for levels in [o365::MAX_DEPTH + 1, 10_000] {
        let deep = Candidate::Json(nested(levels));
        assert_eq!(skim(&mut skimmer, &plan, &deep), None, "{levels}");
    }
}

fn values(doc: &dyn Document, path: &str) -> Vec<String> {
    let mut found = Vec::new();
    doc.any_value(&FieldPath::new(path), &mut |value| {
        found.push(format!("{value:?}"));
        false
    });
    found
}

/// Compares a skimmed record's answers with the full path's on `paths`.
fn same_answers(
    lean: &super::Lean<'_>,
    event: &Value,
    paths: &[String],
    what: &str,
) -> Vec<String> {
    let mut failures = Vec::new();
    for path in paths {
        let got = values(lean, path);
        let exists = lean.exists(&FieldPath::new(path));
        if lean.was_unsure() {
            return failures;
        }
        let want = values(event, path);
        let want_exists = event.exists(&FieldPath::new(path));
        if got != want || exists != want_exists {
            failures.push(format!(
                "{what}: {path}: skim {got:?} {exists}, full {want:?} {want_exists}"
            ));
        }
    }
    failures
}

#[test]
fn skimmed_raw_records_answer_as_their_normalized_events() {
    let plan = wide_plan(
        &[
            "o365.audit.UserKey",
            "o365.audit.RecordType",
            "o365.audit.Name",
        ],
        true,
    );
    let mut skimmer = Skimmer::default();
    let paths: Vec<String> = plan_paths(&plan);
    let mut failures = Vec::new();
    let mut answered = 0;
    let hostile: Vec<Value> = serde_json::from_str(
        r#"[null, true, 0, -1.5, "", "a@b", "FAILED", "40", [], ["x", ""],
            {"a": ""}, {"a": [1, {"b": "c"}]}]"#,
    )
    .unwrap_or_default();
    for raw in case_objects().iter().filter_map(Value::as_object) {
        if !raw.contains_key("Operation") && !raw.contains_key("Workload") {
            continue;
        }
        let mut variants = vec![raw.clone()];
        for key in raw.keys() {
            for value in &hostile {
                let mut changed = raw.clone();
                changed.insert(key.clone(), value.clone());
                variants.push(changed);
            }
        }
        for variant in variants {
            let text = Value::Object(variant.clone()).to_string();
            let raw = |lean: &super::Lean<'_>| lean.kind == o365::RecordKind::Raw;
            let Some(lean) = skimmer.json(&text, &plan).filter(raw) else {
                continue;
            };
            let event = normalize(&variant);
            let found = same_answers(&lean, &event, &paths, &text);
            answered += usize::from(!lean.was_unsure());
            failures.extend(found);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(answered > 1_000, "only {answered} answered");
}

fn plan_paths(plan: &LeanPlan) -> Vec<String> {
    plan.fields().map(str::to_owned).collect()
}

#[test]
fn skimmed_ecs_documents_answer_as_themselves() {
    let mut failures = Vec::new();
    let mut skimmer = Skimmer::default();
    let docs: Vec<Value> = case_objects();
    let mut compared = 0;
    for doc in &docs {
        let mut leaves = Vec::new();
        doc.any_leaf(&mut |path, _| {
            leaves.push(path.to_owned());
            false
        });
        for prefix in leaves.clone() {
            let mut cut = prefix.as_str();
            while let Some((head, _)) = cut.rsplit_once('.') {
                leaves.push(head.to_owned());
                cut = head;
            }
        }
        leaves.sort();
        leaves.dedup();
        leaves.truncate(40);
        let names: Vec<&str> = leaves.iter().map(String::as_str).collect();
        let Some(plan) = LeanPlan::new(&named(&names)) else {
            continue;
        };
        let text = doc.to_string();
        let Some(lean) = skimmer.json(&text, &plan) else {
            continue;
        };
        if lean.is_raw() || lean.kind != o365::RecordKind::Ecs {
            continue;
        }
        compared += 1;
        failures.extend(same_answers(&lean, doc, &leaves, &text));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(compared > 100, "only {compared} documents");
}

fn named(names: &[&str]) -> Vec<NamedField> {
    let field = |name: &&str| NamedField {
        name: (*name).to_owned(),
        exists: true,
    };
    names.iter().map(field).collect()
}

#[test]
fn flat_nested_and_past_keys_are_found_as_the_parser_finds_them() {
    let plan = LeanPlan::new(&named(&["a.b", "a.b.c", "x"])).unwrap_or_else(|| panic!("plan"));
    let mut skimmer = Skimmer::default();
    for text in [
        r#"{"a":{"b":1},"a.b":[2,{"c":3}],"a.b.c":4}"#,
        r#"{"a":[{"b.c":5},{"b":{"c":null}}],"x":{"y":""}}"#,
        r#"{"a.b.c.d":1,"a":{"b.e":""}}"#,
        r#"{"a":{"bc":1},"x.":{"":2}}"#,
    ] {
        let doc: Value = serde_json::from_str(text).unwrap_or_default();
        let lean = skimmer
            .json(text, &plan)
            .unwrap_or_else(|| panic!("{text}"));
        let paths = ["a.b", "a.b.c", "x"].map(str::to_owned);
        let failures = same_answers(&lean, &doc, &paths, text);
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
        assert!(!lean.was_unsure(), "{text}");
    }
}

#[test]
fn ids_are_read_as_the_full_path_reads_them() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    for candidate in candidates() {
        let Some(record) = candidate.read() else {
            continue;
        };
        let lean = match &candidate {
            Candidate::Json(text) => skimmer.json(text, &plan),
            Candidate::Cell(cell) => skimmer.cell(cell, &plan),
        };
        let Some(Some(id)) = lean.map(|lean| lean.id().map(|id| id.map(str::to_owned))) else {
            continue;
        };
        let id: Option<String> = id;
        let want = match &record.raw {
            Some(raw) => raw.get("Id").and_then(Value::as_str).map(str::to_owned),
            None => detect::first_string(&record.event, "event.id"),
        };
        assert_eq!(id, want, "{}", candidate.text());
    }
}

#[test]
fn scalars_keep_their_json_text() {
    let plan = LeanPlan::new(&named(&["n", "s", "b"])).unwrap_or_else(|| panic!("plan"));
    let mut skimmer = Skimmer::default();
    let text = r#"{"n":[-0.50,1e+5,12345678901234567890123],"s":"a\"\u00e9\/","b":false}"#;
    let lean = skimmer.json(text, &plan).unwrap_or_else(|| panic!("skim"));
    let doc: Value = serde_json::from_str(text).unwrap_or_default();
    for path in ["n", "s", "b"] {
        assert_eq!(values(&lean, path), values(&doc, path), "{path}");
    }
    assert_eq!(values(&lean, "s"), [format!("{:?}", Scalar::Str("a\"é/"))]);
}

#[test]
#[ignore = "a measurement, not a test: run with --release -- --ignored --nocapture"]
fn time_one_record() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    let text = r#"{"CreationTime":"2026-11-01T00:00:07","Id":"fb0f0c4b-7e0c-4f4b-8a7e-000000000007","Operation":"MailItemsAccessed","OrganizationId":"2f1a5c3e-8d4b-4e7a-9c21-6b0d3f8e5a17","RecordType":50,"ResultStatus":"Succeeded","UserKey":"10032001A2B3C4D5","UserType":0,"Version":1,"Workload":"Exchange","ClientIP":"203.0.113.7","UserId":"user7@contoso.com","AppId":"00000002-0000-0ff1-ce00-000000000000","ClientAppId":"","ClientIPAddress":"203.0.113.7","ClientInfoString":"Client=REST;Client=RESTSystem;;","ExternalAccess":false,"InternalLogonType":0,"LogonType":0,"LogonUserSid":"S-1-5-21-1234567890-1234567890-1234567890-7","MailboxGuid":"fb0f0c4b-7e0c-4f4b-8a7e-000000000007","MailboxOwnerSid":"S-1-5-21-1234567890-1234567890-1234567890-7","MailboxOwnerUPN":"user7@contoso.com","OperationProperties":[{"Name":"MailAccessType","Value":"Bind"}],"OrganizationName":"contoso.onmicrosoft.com","OriginatingServer":"DM6PR11MB0007 (15.20.7000.000)"}"#;
    let start = std::time::Instant::now();
    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200_000);
    let mut sum = 0u128;
    for _ in 0..rounds {
        sum = sum.wrapping_add(skimmer.json(text, &plan).map_or(0, |lean| lean.fingerprint));
    }
    let each = start.elapsed().as_nanos() as f64 / f64::from(rounds);
    println!("{each:.0} ns per record of {} bytes ({sum})", text.len());
}

#[test]
fn keys_remembered_by_position_are_told_apart_from_others() {
    let plan = rule_plan();
    let mut skimmer = Skimmer::default();
    let records = [
        r#"{"ClientIP":"a","Operation":"x","RecordType":1,"Workload":"W"}"#,
        r#"{"ClientIPAddress":"a","Operation":"y","RecordType":2,"Workload":"W"}"#,
        r#"{"ClientIP":"a","Operations":"x","RecordType":1,"Workload":"V"}"#,
        r#"{"ClientIQ":"a","Operation":"x","RecordTyp":1,"Workload":"W"}"#,
        r#"{"Id":"1","Operation":"x","RecordType":1,"Workload":"W","Name":"n"}"#,
        r#"{"I":"1","Operation":"x","RecordType":1,"Workload":"W","Name":"n"}"#,
        r#"{"Operation":"x","Operation":"y","RecordType":1}"#,
        r#"{"ClientIP":"a","Operation":"x","RecordType":1,"Workload":"W"}"#,
    ];
    for text in records.iter().chain(records.iter().rev()) {
        let candidate = Candidate::Json((*text).to_owned());
        let got = skim(&mut skimmer, &plan, &candidate);
        let want = candidate
            .read()
            .map(|r| (r.kind, content_hash(r.content()), r.index));
        if text.matches("\"Operation\"").count() > 1 {
            assert_eq!(got, None, "{text}");
            continue;
        }
        assert_eq!(got, want, "{text}");
        let lean = skimmer
            .json(text, &plan)
            .unwrap_or_else(|| panic!("{text}"));
        let record = candidate.read().unwrap_or_else(|| panic!("{text}"));
        for path in ["event.action", "event.provider", "event.category"] {
            assert_eq!(values(&lean, path), values(&record.event, path), "{text}");
        }
    }
}
