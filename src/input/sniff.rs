//! What a file is, judged from its first bytes and its first line.

use super::piece::MIN_NUL_RUN;
use super::Encoding;

/// How many bytes are looked at before deciding the encoding, or that the
/// data is binary.
pub(crate) const SNIFF_LEN: usize = 1024;

/// The longest run of NUL bytes at a file's start that the sniff looks
/// past, to the bytes after it: a block or two that a crash left
/// zero-filled. Well inside the 64 KB of lines that may come before a
/// file's first JSON value.
pub(crate) const MAX_NUL_RUN: usize = 32 * 1024;

/// What the reader accepts, for the messages that reject a file.
const ACCEPTED: &str = "accepted: JSON, NDJSON, a JSON array, an \
    Elasticsearch search response, or a Purview or PowerShell CSV export \
    with an `AuditData` column, each optionally gzip-compressed, in UTF-8, \
    UTF-16 or Windows-1252";

/// The verdict on a file's first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// Text in this encoding, after a byte order mark of `bom` bytes.
    Text { encoding: Encoding, bom: usize },
    /// Not something the reader reads; the message says what it is.
    Rejected(String),
}

/// Magic numbers of formats that are surely not audit exports.
const MAGIC: &[(&[u8], &str)] = &[
    (
        b"PK\x03\x04",
        "a zip archive (an .xlsx or .docx file is one)",
    ),
    (b"PK\x05\x06", "an empty zip archive"),
    (
        b"PK\x07\x08",
        "a zip archive (an .xlsx or .docx file is one)",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an old Office document (.xls or .doc)",
    ),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1A\n", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (
        b"\x1F\x8B",
        "gzip data inside gzip data (one level is read)",
    ),
    (b"BZh", "bzip2-compressed data (only gzip is read)"),
    (b"\xFD7zXZ\x00", "xz-compressed data (only gzip is read)"),
    (
        b"\x28\xB5\x2F\xFD",
        "zstd-compressed data (only gzip is read)",
    ),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
    (b"Rar!\x1A\x07", "a RAR archive"),
];

/// Judges a file's first bytes (up to [`SNIFF_LEN`], fewer for a shorter
/// file).
pub(crate) fn sniff_bytes(head: &[u8]) -> Sniffed {
    if let Some(text) = bom(head) {
        return text;
    }
    if let Some(what) = magic(head) {
        return Sniffed::Rejected(rejected(what));
    }
    if let Some(encoding) = utf16_without_bom(head) {
        return Sniffed::Text { encoding, bom: 0 };
    }
    if is_longer_nul_run(head) {
        let what = format!(
            "nothing but NUL bytes in the first {} bytes (a zero-filled block is read \
             past up to {MAX_NUL_RUN} bytes before the text)",
            head.len()
        );
        return Sniffed::Rejected(rejected(&what));
    }
    if looks_binary(head) && !starts_with_a_json_line(head) && !text_between_nul_runs(head) {
        return Sniffed::Rejected(rejected("binary data"));
    }
    Sniffed::Text {
        encoding: Encoding::Utf8,
        bom: 0,
    }
}

fn bom(head: &[u8]) -> Option<Sniffed> {
    let (encoding, bom) = match head {
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 2),
        _ => return None,
    };
    Some(Sniffed::Text { encoding, bom })
}

fn magic(head: &[u8]) -> Option<&'static str> {
    // NOTE: "BZh" alone starts English words; bzip2 follows it with the
    // block size digit.
    let not_bzip2 = head.len() >= 4 && !head[3].is_ascii_digit();
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|&(_, what)| what)
        .filter(|what| !(not_bzip2 && what.starts_with("bzip2")))
}

/// UTF-16 without a byte order mark: text whose characters are nearly all
/// ASCII has a zero in every other byte.
///
/// NOTE: pairs of zeros are NULs, not characters, and do not count: a
/// zero-filled block before the text would otherwise outweigh it.
fn utf16_without_bom(head: &[u8]) -> Option<Encoding> {
    let pairs = head
        .chunks_exact(2)
        .filter(|pair| pair != &[0, 0])
        .take(256);
    let (mut low, mut high, mut count) = (0, 0, 0);
    for pair in pairs {
        count += 1;
        match (pair[0], pair[1]) {
            (_, 0) => low += 1,
            (0, _) => high += 1,
            _ => {}
        }
    }
    // NOTE: one pair is not enough to judge: a zero-filled block that ends
    // on an odd byte just before UTF-8 text makes the text's first byte
    // look like a UTF-16 unit.
    let most = |n: usize| count >= 2 && n * 4 >= count * 3;
    match (most(low), most(high)) {
        (true, _) => Some(Encoding::Utf16Le),
        (_, true) => Some(Encoding::Utf16Be),
        _ => None,
    }
}

/// Many NUL bytes or other control characters in what should be text.
///
/// NOTE: judged by their share, not by one byte: a text export with a stray
/// NUL in one record is still text (that record is an error of its own),
/// while binary data is full of them. Binary data of a few bytes needs
/// more than one, so that one stray byte in a tiny file is not enough.
fn looks_binary(head: &[u8]) -> bool {
    let control = |b: &&u8| match **b {
        b'\t' | b'\n' | b'\r' | 0x0C | 0x1B => false,
        b => b < 0x20 || b == 0x7F,
    };
    let count = head.iter().filter(control).count();
    count > 1 && count * 32 > head.len()
}

/// Whether the head is NULs to the end of all the sniff looks at: a run
/// longer than a crash leaves, or a device such as `/dev/zero` that would
/// otherwise be read as a zero-filled block without end.
fn is_longer_nul_run(head: &[u8]) -> bool {
    head.len() >= MAX_NUL_RUN + SNIFF_LEN && head.iter().all(|&b| b == 0)
}

/// Whether the data is text once its runs of NUL bytes are left out: a
/// zero-filled block that a crash left, before, between or after lines,
/// is read past as an error of its own. Data that is nothing but NULs is
/// text too (one such error, and no records), as a single NUL is: nothing
/// is left of it to look binary.
fn text_between_nul_runs(head: &[u8]) -> bool {
    !looks_binary(&without_nul_runs(head))
}

/// The data without its runs of at least [`MIN_NUL_RUN`] NULs, and
/// without one that the data's end may have cut short; other runs stay,
/// to be judged with the rest.
fn without_nul_runs(head: &[u8]) -> Vec<u8> {
    let mut kept = Vec::with_capacity(head.len());
    let mut at = 0;
    while at < head.len() {
        let run = head[at..].iter().take_while(|&&b| b == 0).count();
        if run >= MIN_NUL_RUN || at + run == head.len() {
            at += run;
            continue;
        }
        let after = at + run;
        let next_nul = head[after..].iter().position(|&b| b == 0);
        let end = next_nul.map_or(head.len(), |k| after + k);
        kept.extend_from_slice(&head[at..end]);
        at = end;
    }
    kept
}

/// Whether the data starts with a whole line of JSON text: a record
/// followed by a run of NUL bytes (a file padded or cut off by a crash)
/// is text whatever share of the first bytes the NULs take, also when the
/// run took the record's newline. So is one after a short run of NULs.
fn starts_with_a_json_line(head: &[u8]) -> bool {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0);
    let start = head.iter().position(|b| !blank(b)).unwrap_or(head.len());
    let line = &head[start..];
    let Some(end) = line.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let text = |b: &u8| *b >= 0x20 || matches!(b, b'\t' | b'\r' | 0);
    matches!(line.first(), Some(b'{' | b'[')) && line[..end].iter().all(text)
}

fn rejected(what: &str) -> String {
    format!("found {what}, which is not an audit export; {ACCEPTED}")
}

/// What text that is not JSON turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextKind {
    /// CSV whose header has an `AuditData` column, with this delimiter.
    Csv(u8),
    /// Neither JSON nor an audit CSV export.
    Rejected(String),
}

/// Judges the header line of text that does not start like JSON.
pub(crate) fn sniff_header(line: &str) -> TextKind {
    let comma = cells(line, b',');
    let semicolon = cells(line, b';');
    let has_audit_data = |cells: &Vec<String>| {
        cells
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case("AuditData"))
    };
    match (has_audit_data(&comma), has_audit_data(&semicolon)) {
        (true, true) if semicolon.len() > comma.len() => TextKind::Csv(b';'),
        (true, _) => TextKind::Csv(b','),
        (false, true) => TextKind::Csv(b';'),
        (false, false) => TextKind::Rejected(not_audit_text(line, comma, semicolon)),
    }
}

fn not_audit_text(line: &str, comma: Vec<String>, semicolon: Vec<String>) -> String {
    let columns = match comma.len() >= semicolon.len() {
        true => comma,
        false => semicolon,
    };
    let short = |c: &String| {
        let words = c.split_whitespace().count();
        c.len() <= 40 && (1..=3).contains(&words)
    };
    if columns.len() >= 2 && columns.iter().all(short) {
        let names: Vec<String> = columns
            .iter()
            .take(8)
            .map(|c| format!("`{}`", c.trim()))
            .collect();
        let what = format!(
            "a CSV file whose header has no `AuditData` column (it has {})",
            names.join(", ")
        );
        return rejected(&what);
    }
    let start = beginning(line);
    rejected(&format!(
        "text that is neither JSON nor CSV (it starts with `{start}`)"
    ))
}

/// The first characters of text, for a message, with control characters
/// escaped so that a NUL or an escape sequence cannot reach a terminal;
/// a run of one of them is given once with its length (`\u{0}×4096`).
pub(crate) fn beginning(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.trim().chars().peekable();
    for _ in 0..40 {
        let Some(c) = chars.next() else {
            break;
        };
        if !c.is_control() {
            out.push(c);
            continue;
        }
        out.extend(c.escape_default());
        let mut run = 1;
        while chars.next_if_eq(&c).is_some() {
            run += 1;
        }
        if run > 1 {
            out.push_str(&format!("×{run}"));
        }
    }
    out
}

/// Splits one line into cells, unquoting `"`-quoted ones.
fn cells(line: &str, delimiter: u8) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                push_char(&mut cells, '"');
            }
            ('"', _) => quoted = !quoted,
            (c, false) if c == char::from(delimiter) => cells.push(String::new()),
            (c, _) => push_char(&mut cells, c),
        }
    }
    cells
}

fn push_char(cells: &mut [String], c: char) {
    if let Some(cell) = cells.last_mut() {
        cell.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_a_control_character_is_quoted_once_with_its_length() {
        let text = format!("{}x\u{1b}y", "\0".repeat(4096));
        assert_eq!(beginning(&text), "\\u{0}×4096x\\u{1b}y");
        assert_eq!(beginning("  plain text\n"), "plain text");
        assert_eq!(beginning(&"a".repeat(50)), "a".repeat(40));
    }

    #[test]
    fn byte_order_marks() {
        let text = |encoding, bom| Sniffed::Text { encoding, bom };
        assert_eq!(sniff_bytes(b"\xEF\xBB\xBF{}"), text(Encoding::Utf8, 3));
        assert_eq!(sniff_bytes(b"\xFF\xFE{\0"), text(Encoding::Utf16Le, 2));
        assert_eq!(sniff_bytes(b"\xFE\xFF\0{"), text(Encoding::Utf16Be, 2));
    }

    #[test]
    fn utf16_without_bom_from_its_zero_bytes() {
        let le: Vec<u8> = "{\"a\": 1}".bytes().flat_map(|b| [b, 0]).collect();
        let be: Vec<u8> = "{\"a\": 1}".bytes().flat_map(|b| [0, b]).collect();
        assert!(matches!(
            sniff_bytes(&le),
            Sniffed::Text {
                encoding: Encoding::Utf16Le,
                ..
            }
        ));
        assert!(matches!(
            sniff_bytes(&be),
            Sniffed::Text {
                encoding: Encoding::Utf16Be,
                ..
            }
        ));
    }

    #[test]
    fn binary_formats_are_named() {
        let Sniffed::Rejected(zip) = sniff_bytes(b"PK\x03\x04\x14\0") else {
            panic!("zip accepted");
        };
        assert!(zip.starts_with("found a zip archive"), "{zip}");
        let Sniffed::Rejected(bin) = sniff_bytes(b"\x01\x02\x03\x04abc") else {
            panic!("binary accepted");
        };
        assert!(bin.starts_with("found binary data"), "{bin}");
    }

    #[test]
    fn a_stray_nul_in_text_is_text_and_many_are_binary() {
        let record = "{\"Operation\":\"A\u{0}B\",\"Workload\":\"Exchange\"}\n";
        assert!(matches!(
            sniff_bytes(record.as_bytes()),
            Sniffed::Text { .. }
        ));
        let line = "Operation A\u{0}B in Exchange\n";
        let padded = format!("{}{}", line.repeat(4), "\0".repeat(16));
        assert!(matches!(
            sniff_bytes(padded.as_bytes()),
            Sniffed::Rejected(_)
        ));
        assert!(matches!(sniff_bytes(&[0; 1024]), Sniffed::Text { .. }));
        assert!(matches!(sniff_bytes(&[0; 2]), Sniffed::Text { .. }));
        let endless = vec![0; MAX_NUL_RUN + SNIFF_LEN];
        assert!(matches!(sniff_bytes(&endless), Sniffed::Rejected(_)));
    }

    #[test]
    fn a_line_of_json_before_a_run_of_nuls_is_text() {
        let record = "{\"Operation\":\"A\",\"Workload\":\"Exchange\"}\n";
        let padded = format!("{record}{}", "\0".repeat(900));
        assert!(matches!(
            sniff_bytes(padded.as_bytes()),
            Sniffed::Text { .. }
        ));
        let cut = format!("{}{}", &record[..20], "\0".repeat(900));
        assert!(matches!(sniff_bytes(cut.as_bytes()), Sniffed::Text { .. }));
        let newline_taken = format!("{}{}{record}", record.trim_end(), "\0".repeat(900));
        assert!(matches!(
            sniff_bytes(newline_taken.as_bytes()),
            Sniffed::Text { .. }
        ));
    }

    #[test]
    fn runs_of_nuls_anywhere_in_the_first_bytes_are_left_out_of_the_judgement() {
        let header = "RecordId,CreationDate,RecordType,Operation,UserId,AuditData\r\n";
        let row = "1,2025-01-01,40,AlertTriggered,u@contoso.com,\"{}\"\r\n";
        let csv = format!("{header}{}{row}{row}", "\0".repeat(200));
        assert!(matches!(sniff_bytes(csv.as_bytes()), Sniffed::Text { .. }));
        let record = "{\"Operation\":\"A\"}";
        let joined = format!("{record}{}{record}\n", "\0".repeat(512));
        assert!(matches!(
            sniff_bytes(joined.as_bytes()),
            Sniffed::Text { .. }
        ));
        let lines = format!("{}\n", "\0".repeat(100)).repeat(20);
        assert!(matches!(
            sniff_bytes(&lines.as_bytes()[..1024]),
            Sniffed::Text { .. }
        ));
        let binary: Vec<u8> = [&[0u8; 200][..], &[1, 2, 3, 4, 5, 6], &[0; 200]].concat();
        assert!(matches!(sniff_bytes(&binary), Sniffed::Rejected(_)));
    }

    #[test]
    fn utf8_after_an_odd_run_of_nuls_the_sniff_barely_sees_past() {
        let mut head = vec![0; MAX_NUL_RUN + SNIFF_LEN - 1];
        head.push(b'{');
        assert!(matches!(
            sniff_bytes(&head),
            Sniffed::Text {
                encoding: Encoding::Utf8,
                ..
            }
        ));
    }

    #[test]
    fn utf16_without_bom_after_a_run_of_nuls() {
        let text: Vec<u8> = "{\"a\": 1}\n".bytes().flat_map(|b| [b, 0]).collect();
        let padded = [&[0u8; 400][..], &text].concat();
        assert!(matches!(
            sniff_bytes(&padded),
            Sniffed::Text {
                encoding: Encoding::Utf16Le,
                ..
            }
        ));
    }

    #[test]
    fn a_word_starting_with_bzh_is_text() {
        assert!(matches!(sniff_bytes(b"BZhello"), Sniffed::Text { .. }));
    }

    #[test]
    fn headers() {
        assert_eq!(sniff_header("RecordId,AuditData"), TextKind::Csv(b','));
        assert_eq!(sniff_header("\"A\";\"auditdata\""), TextKind::Csv(b';'));
        let TextKind::Rejected(csv) = sniff_header("Name,Email,Phone") else {
            panic!("accepted");
        };
        assert!(csv.contains("(it has `Name`, `Email`, `Phone`)"), "{csv}");
        let TextKind::Rejected(prose) =
            sniff_header("Dear team, here is the audit log you asked for")
        else {
            panic!("accepted");
        };
        assert!(prose.contains("neither JSON nor CSV"), "{prose}");
    }
}
