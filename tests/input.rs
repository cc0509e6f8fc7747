//! The input layer on our fixtures: pieces, lines and errors as expected,
//! and the same whatever the chunk sizes.

use std::path::Path;

use m365_restricted_sender::detect::{Options, ScanReport};
use m365_restricted_sender::input::{Body, FileReader, FileSummary, Piece};
use m365_restricted_sender::scan::{scan, Scanner};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A piece, owned, in a form that is easy to compare and to print.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    line: u64,
    kind: &'static str,
    /// The JSON text, the row's `AuditData` cell, or the error message.
    text: String,
    /// A row's cells by column name, and its own text.
    row: Option<(Vec<(String, String)>, String)>,
}

fn seen(piece: Piece<'_>) -> Seen {
    let (kind, text, row) = match piece.body {
        Body::Json(text) => ("json", text.to_string(), None),
        Body::Row(row) => {
            let cells = row
                .cells()
                .map(|(name, cell)| (name.to_string(), cell.to_string()))
                .collect();
            let audit = row.audit_data().to_string();
            ("row", audit, Some((cells, row.text().to_string())))
        }
        Body::Error(message) => ("error", message, None),
    };
    Seen {
        line: piece.line,
        kind,
        text,
        row,
    }
}

/// Reads `bytes` in chunks whose sizes `sizes` gives, in turn.
fn read(bytes: &[u8], sizes: &mut dyn FnMut() -> usize) -> (Vec<Seen>, FileSummary) {
    let mut reader = FileReader::new();
    let mut pieces = Vec::new();
    let mut sink = |piece: Piece<'_>| pieces.push(seen(piece));
    let mut rest = bytes;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(sizes().clamp(1, rest.len()));
        reader.push(chunk, &mut sink);
        rest = tail;
    }
    let summary = reader.finish(&mut sink);
    (pieces, summary)
}

/// A small deterministic generator of chunk sizes (xorshift).
fn random_sizes(seed: u64, max: usize) -> impl FnMut() -> usize {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        1 + (state % max as u64) as usize
    }
}

/// Reads whole, byte by byte and in random chunks, and checks that all
/// agree; returns the pieces and summary of the whole read.
fn read_every_way(bytes: &[u8], name: &str) -> (Vec<Seen>, FileSummary) {
    let whole = read(bytes, &mut || usize::MAX);
    let one = read(bytes, &mut || 1);
    assert_eq!(one, whole, "{name}: 1-byte chunks differ");
    for seed in 1..=8 {
        let max = [2, 3, 7, 64, 300, 4096, 5, 17][seed as usize - 1];
        let random = read(bytes, &mut random_sizes(seed, max));
        assert_eq!(random, whole, "{name}: random chunks (seed {seed}) differ");
    }
    whole
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string("tests/cases/input-expect.json")
        .expect("tests/cases/input-expect.json is readable");
    let expect: Value = serde_json::from_str(&text).expect("valid JSON");
    expect["cases"].as_array().expect("a list of cases").clone()
}

fn substrings(piece: &Value) -> Vec<&str> {
    match &piece["contains"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn check_case(case: &Value) {
    let name = case["file"].as_str().expect("a file name");
    let bytes = std::fs::read(Path::new("tests/cases/input").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let (pieces, summary) = read_every_way(&bytes, name);

    let expected = case["pieces"].as_array().expect("a list of pieces");
    let got: Vec<(&str, u64)> = pieces.iter().map(|p| (p.kind, p.line)).collect();
    let want: Vec<(&str, u64)> = expected
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap_or("?"),
                p["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(got, want, "{name}: pieces {pieces:#?}");
    for (piece, expect) in pieces.iter().zip(expected) {
        for part in substrings(expect) {
            assert!(
                piece.text.contains(part),
                "{name}: {part:?} not in {piece:#?}"
            );
        }
    }

    assert_eq!(summary.container.as_str(), case["container"], "{name}");
    let encoding = summary.encoding.map(|e| e.as_str());
    assert_eq!(encoding, case["encoding"].as_str(), "{name}");
    let compressed = summary.compressed.map(|c| c.as_str());
    assert_eq!(compressed, case["compressed"].as_str(), "{name}");
    check_warnings(name, &summary, case);
    assert_eq!(summary.bytes, bytes.len() as u64, "{name}");
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(summary.sha256, Some(sha256), "{name}");
}

fn check_warnings(name: &str, summary: &FileSummary, case: &Value) {
    let expected = case["warnings"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        summary.warnings.len(),
        expected.len(),
        "{name}: {:?}",
        summary.warnings
    );
    for (warning, expect) in summary.warnings.iter().zip(&expected) {
        assert_eq!(warning.line, expect["line"].as_u64(), "{name}");
        for part in substrings(expect) {
            assert!(warning.message.contains(part), "{name}: {warning:?}");
        }
    }
}

#[test]
fn every_fixture_gives_the_expected_pieces_whatever_the_chunks() {
    let cases = cases();
    assert!(cases.len() >= 40, "the table lost cases");
    for case in &cases {
        check_case(case);
    }
}

#[test]
fn every_fixture_file_has_expectations() {
    let listed: Vec<String> = cases()
        .iter()
        .filter_map(|c| c["file"].as_str().map(str::to_string))
        .collect();
    for entry in std::fs::read_dir("tests/cases/input").expect("fixtures") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if name != "make.py" {
            assert!(listed.contains(&name), "{name} has no expectations");
        }
    }
}

/// The scanner hands whole NDJSON lines to a reader that cuts them again
/// only when they do not parse: it must cut them as the line-by-line
/// reading of chunks does.
#[test]
fn every_fixture_scans_the_same_whatever_the_chunks() {
    let json = |report: &ScanReport| serde_json::to_string(report).unwrap_or_default();
    for case in &cases() {
        let name = case["file"].as_str().expect("a file name");
        let bytes = std::fs::read(Path::new("tests/cases/input").join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let whole = scan(&[(name, &bytes)], Options::default()).expect("the rule compiles");
        for (seed, max) in [(1, 1), (2, 7), (3, 300), (4, 1100), (5, 5000)] {
            let chunked = scan_in_chunks(name, &bytes, &mut random_sizes(seed, max));
            assert_eq!(
                json(&chunked),
                json(&whole),
                "{name}: chunks of up to {max}"
            );
        }
    }
}

fn scan_in_chunks(name: &str, bytes: &[u8], sizes: &mut dyn FnMut() -> usize) -> ScanReport {
    let mut scanner = Scanner::new(Options::default()).expect("the rule compiles");
    scanner.file(name);
    let mut rest = bytes;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(sizes().clamp(1, rest.len()));
        scanner.push(chunk);
        rest = tail;
    }
    scanner.finish()
}
