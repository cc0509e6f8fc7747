//! The input layer's limits and its behaviour on hostile input: large
//! records, records over the limit, deep nesting, random bytes.

use flate2::write::GzEncoder;
use flate2::Compression;
use m365_restricted_sender::input::{Body, FileReader, Piece, ReaderOptions, MAX_PIECE};

/// A piece, owned: kind, line, and text (JSON text, `AuditData` or error).
type Seen = (&'static str, u64, String);

fn read_with(reader: &mut FileReader, bytes: &[u8], chunk: usize) -> Vec<Seen> {
    let mut pieces = Vec::new();
    let mut sink = |piece: Piece<'_>| {
        let (kind, text) = match piece.body {
            Body::Json(text) => ("json", text.to_string()),
            Body::Row(row) => ("row", row.audit_data().to_string()),
            Body::Error(message) => ("error", message),
        };
        pieces.push((kind, piece.line, text));
    };
    for part in bytes.chunks(chunk.max(1)) {
        reader.push(part, &mut sink);
    }
    reader.finish(&mut sink);
    pieces
}

fn read(bytes: &[u8], chunk: usize) -> Vec<Seen> {
    read_with(&mut FileReader::new(), bytes, chunk)
}

fn read_limited(bytes: &[u8], chunk: usize, limit: usize) -> Vec<Seen> {
    let options = ReaderOptions {
        piece_limit: limit,
        ..ReaderOptions::default()
    };
    read_with(&mut FileReader::with_options(options), bytes, chunk)
}

fn kinds(pieces: &[Seen]) -> Vec<(&'static str, u64)> {
    pieces
        .iter()
        .map(|(kind, line, _)| (*kind, *line))
        .collect()
}

fn big_record(len: usize) -> String {
    let pad = "a".repeat(len);
    format!("{{\"Id\":\"big\",\"Operation\":\"AlertTriggered\",\"Pad\":\"{pad}\"}}")
}

#[test]
fn a_record_of_17_mb_is_read_in_every_shape() {
    let record = big_record(17 << 20);
    let ndjson = format!("{{}}\n{record}\n{{}}\n");
    let array = format!("[\n{{}},\n{record},\n{{}}\n]\n");
    let audit = record.replace('"', "\"\"");
    let csv = format!("AuditData\n{{}}\n\"{audit}\"\n{{}}\n");
    let cases = [
        ("ndjson", &ndjson, 2),
        ("array", &array, 3),
        ("csv", &csv, 3),
    ];
    for (name, text, line) in cases {
        let pieces = read(text.as_bytes(), 64 << 10);
        assert_eq!(pieces.len(), 3, "{name}");
        assert_eq!(pieces[1].1, line, "{name}");
        assert_eq!(pieces[1].2, record, "{name}");
    }
}

#[test]
fn the_documented_limit_is_64_mib() {
    assert_eq!(MAX_PIECE, 64 * 1024 * 1024);
}

#[test]
fn a_record_over_the_limit_is_an_error_and_reading_resumes() {
    let record = big_record(2000);
    let cases = [
        format!("{{}}\n{record}\n{{}}\n"),
        format!("[\n{{}},\n{record},\n{{}}\n]\n"),
        format!("{{\"value\": [\n{{}},\n{record},\n{{}}\n]}}\n"),
        format!(
            "RecordId,AuditData\nr1,\"{{}}\"\nr2,\"{}\"\nr3,\"{{}}\"\n",
            record.replace('"', "\"\"")
        ),
    ];
    for text in &cases {
        let whole = read_limited(text.as_bytes(), usize::MAX, 1000);
        for chunk in [1, 7, 999, 1001] {
            let chunked = read_limited(text.as_bytes(), chunk, 1000);
            assert_eq!(chunked, whole, "chunks of {chunk} in {text:.40}");
        }
        let [first, over, last] = &whole[..] else {
            panic!("three pieces expected: {whole:?}");
        };
        assert_ne!(first.0, "error");
        assert_eq!(over.0, "error");
        assert!(
            over.2.contains("longer than the limit of 1000 bytes"),
            "{over:?}"
        );
        assert!(over.2.ends_with(&format!("at line {}", over.1)), "{over:?}");
        assert_ne!(last.0, "error");
    }
}

#[test]
fn thousands_of_nesting_levels_are_only_counted() {
    let depth = 100_000;
    let deep = format!(
        "{{\"a\":{}{}}}\n{{}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let pieces = read(deep.as_bytes(), 4096);
    assert_eq!(kinds(&pieces), [("json", 1), ("json", 2)]);
    assert_eq!(pieces[0].2.len(), deep.find('\n').unwrap_or(0));

    let pretty = format!("{{\n\"a\":{}\n", "[".repeat(depth));
    let pieces = read(pretty.as_bytes(), 4096);
    assert_eq!(kinds(&pieces), [("error", 1)]);
    assert!(
        pieces[0].2.contains("input ends inside a value"),
        "{pieces:?}"
    );
}

#[test]
fn a_long_line_that_is_not_utf8_is_decoded_per_character() {
    // Longer than the decoder waits for: valid sequences stay UTF-8, the
    // other bytes are read as Windows-1252.
    let mut line = b"{\"a\":\"caf\xC3\xA9 ".to_vec();
    line.extend(std::iter::repeat_n(b'x', 1 << 21));
    line.extend_from_slice(b" Ren\xE9e\"}\n{}\n");
    let whole = read(&line, usize::MAX);
    for chunk in [3, 4096, 65536] {
        assert_eq!(read(&line, chunk), whole, "chunks of {chunk}");
    }
    assert_eq!(kinds(&whole), [("json", 1), ("json", 2)]);
    assert!(whole[0].2.starts_with("{\"a\":\"café x"));
    assert!(whole[0].2.ends_with("x Renée\"}"));
}

/// A small deterministic generator (xorshift).
struct Random(u64);

impl Random {
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

/// Reads in random chunks and checks the result against a whole read.
fn same_in_random_chunks(bytes: &[u8], random: &mut Random) {
    let whole = read(bytes, usize::MAX);
    let mut reader = FileReader::new();
    let mut pieces = Vec::new();
    let mut sink = |piece: Piece<'_>| pieces.push(format!("{piece:?}"));
    let mut rest = bytes;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(1 + random.below(rest.len().min(97)));
        reader.push(chunk, &mut sink);
        rest = tail;
    }
    reader.finish(&mut sink);
    let again = read(bytes, 1);
    assert_eq!(again, whole, "1-byte chunks of {bytes:?}");
    assert_eq!(pieces.len(), whole.len(), "random chunks of {bytes:?}");
}

#[test]
fn random_and_damaged_input_never_panics_and_never_depends_on_chunks() {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let dir = std::fs::read_dir("tests/cases/input").expect("fixtures");
    let fixtures: Vec<Vec<u8>> = dir
        .filter_map(|entry| std::fs::read(entry.ok()?.path()).ok())
        .collect();
    for fixture in &fixtures {
        for _ in 0..6 {
            let mut damaged = fixture.clone();
            for _ in 0..1 + random.below(4) {
                let at = random.below(damaged.len());
                if let Some(byte) = damaged.get_mut(at) {
                    *byte = random.next() as u8;
                }
            }
            let cut = random.below(damaged.len() + 1);
            same_in_random_chunks(&damaged[..cut], &mut random);
        }
    }
    for len in [1, 2, 3, 10, 100, 2000] {
        for _ in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
            same_in_random_chunks(&bytes, &mut random);
            let mut gzip = vec![0x1F, 0x8B, 0x08, 0x00];
            gzip.extend(&bytes);
            same_in_random_chunks(&gzip, &mut random);
        }
    }
}

#[test]
fn row_cells_are_read_by_name_whatever_the_case() {
    let csv = "RecordId;Operation;AUDITDATA\n\
               r1;AlertTriggered;\"{\"\"a\"\":1}\"\n";
    let mut reader = FileReader::new();
    let mut rows = 0;
    let mut sink = |piece: Piece<'_>| {
        let Body::Row(row) = piece.body else {
            panic!("a row expected: {piece:?}");
        };
        rows += 1;
        assert_eq!(row.get("operation"), Some("AlertTriggered"));
        assert_eq!(row.get("AuditData"), Some("{\"a\":1}"));
        assert_eq!(row.audit_data(), "{\"a\":1}");
        assert_eq!(row.get("Missing"), None);
        assert_eq!(row.len(), 3);
        assert_eq!(row.text(), "r1;AlertTriggered;\"{\"\"a\"\":1}\"");
        let names: Vec<&str> = row.cells().map(|(name, _)| name).collect();
        assert_eq!(names, ["RecordId", "Operation", "AUDITDATA"]);
    };
    reader.push(csv.as_bytes(), &mut sink);
    reader.finish(&mut sink);
    assert_eq!(rows, 1);
}

#[test]
fn escapes_and_brackets_inside_strings_in_any_chunks() {
    let long = "\\\"]}".repeat(40);
    let text = format!(
        "[\n{{\"a\":\"x\\\\\\\"y\\\\\",\"b\":[\"]\",\"{{\"]}},\n\
         {{\"c\":\"\\\\\",\"d\":{{\"e\":\"{long}\"}}}},\n\
         \"]\\\"\", 12, true\n]\n"
    );
    let whole = read(text.as_bytes(), usize::MAX);
    for chunk in 1..=9 {
        assert_eq!(read(text.as_bytes(), chunk), whole, "chunks of {chunk}");
    }
    let texts: Vec<&str> = whole.iter().map(|(_, _, t)| t.as_str()).collect();
    let first = "{\"a\":\"x\\\\\\\"y\\\\\",\"b\":[\"]\",\"{\"]}";
    assert_eq!(texts[0], first);
    assert!(texts[1].ends_with(&format!("{long}\"}}}}")), "{}", texts[1]);
    assert_eq!(&texts[2..], ["\"]\\\"\"", "12", "true"]);
    assert_eq!(
        kinds(&whole),
        [
            ("json", 2),
            ("json", 3),
            ("json", 4),
            ("json", 4),
            ("json", 4)
        ]
    );
}

#[test]
fn a_header_repeated_with_its_own_byte_order_mark_is_structural() {
    let csv = "RecordId,AuditData\nr1,{}\n\u{FEFF}RecordId,AuditData\nr2,{}\n";
    let pieces = read(csv.as_bytes(), usize::MAX);
    assert_eq!(kinds(&pieces), [("row", 2), ("row", 4)]);
}

#[test]
fn a_rejected_file_is_read_no_further() {
    let mut reader = FileReader::new();
    let mut pieces = 0;
    let zeros = vec![0u8; 1 << 20];
    reader.push(&zeros, &mut |_| pieces += 1);
    assert!(reader.is_rejected());
    for _ in 0..64 {
        reader.push(&zeros, &mut |_| pieces += 1);
    }
    let summary = reader.finish(&mut |_| pieces += 1);
    assert_eq!(pieces, 1);
    assert_eq!(summary.bytes, 65 << 20);
}

#[test]
fn a_rejected_file_inside_gzip_is_not_decompressed_further() {
    use std::io::Write;
    // Stored blocks, so that the first chunk holds many zeros: more than
    // the run of NULs the sniff looks past.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::none());
    encoder.write_all(&[0u8; 64 << 10]).expect("compresses");
    let gzip = encoder.finish().expect("compresses");
    let mut errors = Vec::new();
    let mut sink = |piece: Piece<'_>| errors.push(format!("{:?}", piece.body));
    let mut reader = FileReader::new();
    reader.push(&gzip[..48 << 10], &mut sink);
    assert!(reader.is_rejected());
    // Damage after the rejection is not even found.
    reader.push(b"not deflate data at all", &mut sink);
    reader.finish(&mut sink);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("nothing but NUL bytes"), "{errors:?}");
}
