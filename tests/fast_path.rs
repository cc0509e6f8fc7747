//! The scanner's fast path gives the same report as the full path, to the
//! byte: on every fixture, on the bundled example, on generated records of
//! every shape, with the rule and with custom queries.

use std::fs;

use m365_restricted_sender::detect::Options;
use m365_restricted_sender::scan::Scanner;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The report of a scan as JSON, with the fast path on or off.
fn report(files: &[(String, Vec<u8>)], options: &Options, fast: bool) -> String {
    let mut scanner = Scanner::new(options.clone()).unwrap_or_else(|e| panic!("{e}"));
    scanner.set_fast_path(fast);
    for (name, bytes) in files {
        scanner.file(name);
        for chunk in bytes.chunks(4096) {
            scanner.push(chunk);
        }
    }
    serde_json::to_string_pretty(&scanner.finish()).unwrap_or_default()
}

fn assert_same(what: &str, files: &[(String, Vec<u8>)], options: &Options) {
    let fast = report(files, options, true);
    let full = report(files, options, false);
    if fast != full {
        let line = fast.lines().zip(full.lines()).position(|(a, b)| a != b);
        let at = line.unwrap_or(0);
        let show = |text: &str| {
            text.lines()
                .skip(at.saturating_sub(3))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{what} with {options:?}: reports differ at line {at}\nfast:\n{}\nfull:\n{}",
            show(&fast),
            show(&full)
        );
    }
}

fn files_in(dir: &str) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = fs::read_dir(format!("{ROOT}/{dir}")) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, fs::read(&path).ok()?))
        })
        .collect();
    files.sort();
    files
}

/// The rule, and custom queries of every kind: fields the view gives,
/// fields it does not, `exists`, ranges, `o365.audit.*`, and queries the
/// fast path does not read at all (free text, wildcard names, nested).
fn option_sets() -> Vec<Options> {
    let queries = [
        "event.action:AlertTriggered",
        "event.provider:Exchange and not event.outcome:failure",
        "user.id:* and not rule.name:*",
        "o365.audit.UserKey:SecurityComplianceAlerts or o365.audit.RecordType:40",
        "user.email:megan.bowen@contoso.com",
        "related.user:megan.bowen or source.ip:203.0.113.45",
        "rule.name:\"User restricted from sending email\" and @timestamp >= \"2026-11-30\"",
        "event.severity >= 3 or organization.id:* or host.name:contoso.com",
        "event.kind:alert and event.code:SecurityComplianceAlerts",
        "event.category:web and event.type:info and event.module:o365",
        "message:*restricted* or o365.audit.Name:*",
        "restricted",
        "event.*:AlertTriggered",
        "o365.audit:{ Operation:AlertTriggered }",
    ];
    let mut sets = vec![
        Options::default(),
        Options {
            strict: true,
            ..Options::default()
        },
        Options {
            index: Some("logs-o365.audit-default".into()),
            ..Options::default()
        },
    ];
    for query in queries {
        sets.push(Options {
            query: Some(query.into()),
            ..Options::default()
        });
    }
    sets
}

#[test]
fn every_input_fixture_alone() {
    let fixtures = files_in("tests/cases/input");
    assert!(fixtures.len() >= 30, "only {} fixtures", fixtures.len());
    for options in option_sets().iter().take(4) {
        for file in &fixtures {
            assert_same(&file.0, std::slice::from_ref(file), options);
        }
    }
}

#[test]
fn all_fixtures_as_one_data_set() {
    let mut files = files_in("tests/cases/input");
    files.extend(files_in("example-export"));
    for options in option_sets() {
        assert_same("all fixtures", &files, &options);
    }
}

#[test]
fn the_bundled_example() {
    let files = files_in("example-export");
    assert_eq!(files.len(), 3);
    for options in option_sets() {
        assert_same("example", &files, &options);
    }
}

/// Records of every shape, with duplicates (also respaced and
/// reordered), ids repeated with other content, and odd values.
fn generated() -> Vec<(String, Vec<u8>)> {
    let mut lines = Vec::new();
    for n in 0..60 {
        let record_type = [40, 15, 2, 11, "40".len() as i32 * 20][n % 5];
        let operation = [
            "AlertTriggered",
            "AlertEntityGenerated",
            "Send",
            "UserLoggedIn",
        ][n % 4];
        let name = ["User restricted from sending email", "Other alert"][n % 2];
        let status = ["Succeeded", "Failed", "FAILED", "null", "true"][n % 5];
        let status = match status {
            "null" => "null".to_owned(),
            "true" => "true".to_owned(),
            text => format!("\"{text}\""),
        };
        let user = ["megan.bowen@contoso.com", "SecurityComplianceAlerts", "4"][n % 3];
        let raw = format!(
            r#"{{"CreationTime":"2026-11-30T09:{:02}:00","Id":"id-{}","Operation":"{operation}","RecordType":{record_type},"ResultStatus":{status},"UserKey":"k{}","UserType":{},"Workload":"{}","ObjectId":"{user}","UserId":"{user}","AlertId":"alert-{}","Name":"{name}","EntityType":"User","AlertEntityId":"{user}","OrganizationId":"ORG-{}","Data":"{{\"f3u\":\"lee.gu@fabrikam.com\"}}"}}"#,
            n % 60,
            n % 23,
            n % 7,
            n % 5,
            ["SecurityComplianceCenter", "Exchange", ""][n % 3],
            n % 4,
            n % 2,
        );
        lines.push(raw.clone());
        if n % 6 == 0 {
            lines.push(raw.replace("\":", "\" : ").replace(",\"", ", \""));
        }
        if n % 9 == 0 {
            lines.push(format!(r#"{{"o365audit":{raw}}}"#));
            lines.push(format!(
                r#"{{"_index":".ds-logs-o365.audit-default","_source":{{"o365audit":{raw}}}}}"#
            ));
            lines.push(format!(
                r#"{{"auditData":{}}}"#,
                serde_json::Value::from(raw.clone())
            ));
        }
    }
    for n in 0..20 {
        lines.push(format!(
            r#"{{"@timestamp":"2026-11-30T10:{n:02}:00Z","event":{{"dataset":"o365.audit","provider":"SecurityComplianceCenter","category":["web"],"action":"User restricted from sending email","outcome":"success","id":"e{n}"}},"user.email":"u{n}@contoso.com"}}"#
        ));
        lines.push(format!(
            r#"{{"event.provider":"SecurityComplianceCenter","rule.name":"User restricted from sending email","event.id":"e{}","data_stream":{{"dataset":"o365.audit"}}}}"#,
            n % 3
        ));
    }
    lines.push(r#"{"event":{"id":"x"},"event.id":"y"}"#.to_owned());
    lines.push(r#"{"a":1,"a":2,"Operation":"x","RecordType":1}"#.to_owned());
    lines.push(r#"{"broken":}"#.to_owned());
    let ndjson = lines.join("\n") + "\n";
    let pretty = format!(
        "[\n  {}\n]\n",
        lines
            .iter()
            .take(50)
            .cloned()
            .collect::<Vec<_>>()
            .join(",\n  ")
    );
    let mut csv = String::from("RecordId,CreationDate,RecordType,Operation,UserId,AuditData\r\n");
    for (n, line) in lines.iter().take(80).enumerate() {
        csv.push_str(&format!(
            "r{n},2026-11-30,40,Op,u,\"{}\"\r\n",
            line.replace('"', "\"\"")
        ));
    }
    vec![
        ("generated.ndjson".into(), ndjson.into_bytes()),
        ("generated.json".into(), pretty.into_bytes()),
        ("generated.csv".into(), csv.into_bytes()),
    ]
}

#[test]
fn generated_records_of_every_shape() {
    let files = generated();
    for options in option_sets() {
        assert_same("generated", &files, &options);
        for file in &files {
            assert_same(&file.0, std::slice::from_ref(file), &options);
        }
    }
}

/// How many records of `files` the fast path judged alone, and all.
fn skimmed(files: &[(String, Vec<u8>)], options: &Options) -> (u64, u64) {
    let mut scanner = Scanner::new(options.clone()).unwrap_or_else(|e| panic!("{e}"));
    for (name, bytes) in files {
        scanner.file(name);
        scanner.push(bytes);
    }
    let skimmed = scanner.skimmed();
    (skimmed, scanner.finish().records)
}

#[test]
fn most_records_take_the_fast_path() {
    let files = generated();
    let (fast, all) = skimmed(&files, &Options::default());
    assert!(fast * 10 >= all * 7, "{fast} of {all}");
    let query = Options {
        query: Some("event.provider:Exchange and o365.audit.UserKey:k1".into()),
        ..Options::default()
    };
    let (fast, all) = skimmed(&files, &query);
    assert!(fast * 10 >= all * 7, "{fast} of {all}");
    let free_text = Options {
        query: Some("restricted".into()),
        ..Options::default()
    };
    assert_eq!(skimmed(&files, &free_text).0, 0);
}

#[test]
fn the_file_hash_can_be_turned_off() {
    let files = files_in("example-export");
    let options = Options {
        sha256: false,
        ..Options::default()
    };
    let report = report(&files, &options, true);
    let value: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
    assert!(value["files"][0]["sha256"].is_null(), "{report}");
    assert!(value["options"].get("sha256").is_none());
    let on = self::report(&files, &Options::default(), true);
    let on: serde_json::Value = serde_json::from_str(&on).unwrap_or_default();
    assert_eq!(on["files"][0]["sha256"].as_str().map(str::len), Some(64));
}

/// Every JSON piece of the fixtures and the generated files.
fn json_pieces() -> Vec<String> {
    use m365_restricted_sender::input::{Body, FileReader, Piece};
    let mut files = files_in("tests/cases/input");
    files.extend(files_in("example-export"));
    files.extend(generated());
    let mut texts = Vec::new();
    for (_, bytes) in files {
        let mut reader = FileReader::new();
        let mut sink = |piece: Piece<'_>| {
            if let Body::Json(text) = piece.body {
                texts.push(text.to_owned());
            }
        };
        reader.push(&bytes, &mut sink);
        reader.finish(&mut sink);
    }
    texts.push("[1, 2]".into());
    texts.push("{\"a\": 1} {\"b\": 2}".into());
    texts
}

#[test]
fn test_answers_as_evaluate_does() {
    use m365_restricted_sender::detect::Detector;
    let texts = json_pieces();
    assert!(texts.len() > 150, "only {} pieces", texts.len());
    for options in option_sets() {
        let detector = Detector::new(options.clone()).unwrap_or_else(|e| panic!("{e}"));
        for text in &texts {
            let evaluated = detector.evaluate(text).map(|e| e.hit);
            let tested = detector.test(text);
            assert_eq!(tested, evaluated, "{options:?}: {text}");
        }
    }
}
