//! What the scanner counts: records, duplicates, errors, warnings.

use m365_restricted_sender::detect::{Options, ScanReport};
use m365_restricted_sender::scan::{scan, Scanner, HIT_DETAILS};

fn raw(id: &str, operation: &str) -> String {
    format!(
        r#"{{"Id":"{id}","CreationTime":"2026-11-30T09:00:00","RecordType":15,"Operation":"{operation}","Workload":"AzureActiveDirectory","UserId":"a@contoso.com"}}"#
    )
}

fn scan_files(files: &[(&str, String)]) -> ScanReport {
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, text)| (*name, text.as_bytes()))
        .collect();
    scan(&files, Options::default()).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn duplicates_are_found_across_files_whatever_the_key_order() {
    let first = raw("1", "UserLoggedIn");
    let reordered = r#"{ "UserId": "a@contoso.com", "Workload": "AzureActiveDirectory",
        "Operation": "UserLoggedIn", "RecordType": 15,
        "CreationTime": "2026-11-30T09:00:00", "Id": "1" }"#;
    let report = scan_files(&[("a.ndjson", first), ("b.json", reordered.into())]);
    assert_eq!((report.records, report.duplicates), (2, 1));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn an_id_repeated_with_other_content_is_kept_with_a_warning() {
    let text = format!(
        "{}\n{}\n",
        raw("7", "UserLoggedIn"),
        raw("7", "UserLoginFailed")
    );
    let report = scan_files(&[("a.ndjson", text)]);
    assert_eq!((report.records, report.duplicates), (2, 0));
    assert_eq!(report.warnings.len(), 1);
    let warning = &report.warnings[0];
    assert_eq!(warning.line, Some(2));
    assert!(warning.message.contains("id `7`"), "{}", warning.message);
    assert!(
        warning.message.contains("a.ndjson line 1"),
        "{}",
        warning.message
    );
}

#[test]
fn records_plus_errors_are_the_pieces_read() {
    let text = format!(
        "{}\n{{\"broken\": \n\n[1]\n{}\n",
        raw("1", "A"),
        raw("2", "B")
    );
    let report = scan_files(&[("a.ndjson", text)]);
    assert_eq!(report.records, 2);
    assert_eq!(report.error_count, 2);
    let lines: Vec<_> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [Some(2), Some(4)]);
    assert_eq!(report.files[0].errors, 2);
}

#[test]
fn a_file_of_exactly_a_hundred_records_may_have_been_cut_off() {
    let text: String = (0..100).map(|i| raw(&i.to_string(), "A") + "\n").collect();
    let report = scan_files(&[("page.ndjson", text.clone())]);
    assert!(report
        .warnings
        .iter()
        .any(|w| w.message.contains("exactly 100 records")));
    let fewer: String = text
        .lines()
        .skip(1)
        .map(|line| format!("{line}\n"))
        .collect();
    let report = scan_files(&[("page.ndjson", fewer)]);
    assert!(report.warnings.is_empty());
}

#[test]
fn an_unreadable_file_is_an_error_without_a_line() {
    let mut scanner = Scanner::new(Options::default()).unwrap_or_else(|e| panic!("{e}"));
    scanner.unreadable("missing.json", "cannot open the file: not found");
    scanner.file("a.ndjson");
    scanner.push(raw("1", "A").as_bytes());
    let report = scanner.finish();
    assert_eq!(report.files.len(), 2);
    assert_eq!(report.errors[0].file, "missing.json");
    assert_eq!(report.errors[0].line, None);
    assert_eq!(report.records, 1);
}

#[test]
fn chunked_input_gives_the_same_report_as_whole_input() {
    let text: String = (0..20).map(|i| raw(&i.to_string(), "A") + "\r\n").collect();
    let whole = scan_files(&[("a.ndjson", text.clone())]);
    let mut scanner = Scanner::new(Options::default()).unwrap_or_else(|e| panic!("{e}"));
    scanner.file("a.ndjson");
    for chunk in text.as_bytes().chunks(7) {
        scanner.push(chunk);
    }
    let chunked = scanner.finish();
    let json = |report: &ScanReport| serde_json::to_string(report).unwrap_or_default();
    assert_eq!(json(&whole), json(&chunked));
}

#[test]
fn hits_past_the_memory_budget_keep_their_facts_but_not_their_records() {
    let padding = "x".repeat(1 << 20);
    let alert = |id: usize| {
        format!(
            r#"{{"Id":"{id}","CreationTime":"2026-11-30T09:00:00","RecordType":40,"Operation":"AlertTriggered","Workload":"SecurityComplianceCenter","Name":"User restricted from sending email","ObjectId":"u{id}@contoso.com","Comments":"{padding}"}}"#
        )
    };
    // NOTE: each record's raw text alone takes 1 MiB of the budget.
    let count = HIT_DETAILS >> 20;
    let text: String = (0..count).map(|id| alert(id) + "\n").collect();
    let report = scan_files(&[("big.ndjson", text)]);
    assert_eq!(report.hits.len(), count, "every hit is still reported");
    let with_records = report.hits.iter().filter(|hit| hit.raw.is_some()).count();
    assert!(
        (1..count).contains(&with_records),
        "{with_records} kept their records"
    );
    let last = &report.hits[count - 1];
    assert_eq!((last.raw.is_none(), last.alert.is_none()), (true, true));
    assert!(last.event.is_null());
    let user = format!("u{}@contoso.com", count - 1);
    assert_eq!(last.user.as_deref(), Some(user.as_str()));
    let warning = report.warnings.iter().find(|w| w.message.contains("MiB"));
    assert!(warning.is_some(), "{:?}", report.warnings);
}

#[test]
fn an_error_in_a_record_gives_its_column_in_the_line_of_the_input() {
    let second = raw("2", "B").replace("\"Operation\"", "\"Operation\" x");
    let text = format!("{}  {}\n", raw("1", "A"), second);
    let report = scan_files(&[("a.ndjson", text.clone())]);
    assert_eq!(report.records, 1);
    let column = text.find(" x").map(|at| at + 2);
    let message = &report.errors[0].message;
    let expected = format!("expected `:` at line 1 column {}", column.unwrap_or(0));
    assert!(message.starts_with(&expected), "{message}");
}

#[test]
fn an_error_in_audit_data_gives_its_column_in_the_cell_and_the_line() {
    let cell = r#""{""Operation"":""A"" x}""#;
    let text = format!("RecordId,AuditData\n1,{}\n2,{}\n", r#""{}""#, cell);
    let report = scan_files(&[("a.csv", text)]);
    assert_eq!(report.records, 1);
    let message = &report.errors[0].message;
    assert_eq!(
        message, "expected `,` or `}` at column 18 of `AuditData` at line 3",
        "{message}"
    );
}
