//! The bundled example, scanned as a user first sees it.

use std::fs;

use m365_restricted_sender::detect::{Options, ScanReport};
use m365_restricted_sender::scan::scan;

const FILES: [&str; 3] = [
    "contoso-management-api.ndjson",
    "kibana-search-response.json",
    "purview-audit-search.csv",
];

fn scan_example(options: Options) -> ScanReport {
    let contents: Vec<(String, Vec<u8>)> = FILES
        .iter()
        .map(|name| {
            let path = format!("{}/example-export/{name}", env!("CARGO_MANIFEST_DIR"));
            (name.to_string(), fs::read(&path).unwrap_or_default())
        })
        .collect();
    let files: Vec<(&str, &[u8])> = contents
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    match scan(&files, options) {
        Ok(report) => report,
        Err(error) => panic!("{error}"),
    }
}

fn hit_summary(report: &ScanReport) -> Vec<(String, u64, bool, bool, String)> {
    report
        .hits
        .iter()
        .map(|hit| {
            let user = hit.user.clone().unwrap_or_default();
            (hit.file.clone(), hit.line, hit.query, hit.alert_name, user)
        })
        .collect()
}

#[test]
fn example_gives_both_kinds_of_hit_in_time_order() {
    let report = scan_example(Options::default());
    let ndjson = FILES[0].to_string();
    let search = FILES[1].to_string();
    let csv = FILES[2].to_string();
    assert_eq!(
        hit_summary(&report),
        [
            (
                ndjson.clone(),
                3,
                false,
                true,
                "megan.bowen@contoso.com".into()
            ),
            (
                ndjson.clone(),
                4,
                false,
                true,
                "megan.bowen@contoso.com".into()
            ),
            (ndjson, 8, false, true, "megan.bowen@contoso.com".into()),
            (
                search.clone(),
                17,
                true,
                false,
                "adele.vance@contoso.com".into()
            ),
            (search, 92, false, true, "lee.gu@contoso.com".into()),
            (csv, 4, false, true, "Diego.Siciliani@contoso.com".into()),
        ]
    );
    assert_eq!(
        (report.records, report.duplicates, report.error_count),
        (17, 1, 0)
    );
}

#[test]
fn example_names_four_restricted_users() {
    let report = scan_example(Options::default());
    let users: Vec<(&str, u64, u64)> = report
        .users
        .iter()
        .map(|user| (user.user.as_str(), user.alerts, user.records))
        .collect();
    assert_eq!(
        users,
        [
            ("megan.bowen@contoso.com", 1, 3),
            ("adele.vance@contoso.com", 1, 1),
            ("lee.gu@contoso.com", 1, 1),
            ("Diego.Siciliani@contoso.com", 1, 1),
        ]
    );
}

#[test]
fn example_files_report_their_shapes() {
    let report = scan_example(Options::default());
    let shapes: Vec<_> = report
        .files
        .iter()
        .map(|file| (file.format, file.encoding, file.records))
        .collect();
    assert_eq!(
        shapes,
        [
            (Some("o365-api"), Some("utf-8"), 9),
            (Some("es-response"), Some("utf-8"), 5),
            (Some("purview-csv"), Some("utf-8"), 3),
        ]
    );
}

#[test]
fn strict_leaves_only_the_rule_query() {
    let report = scan_example(Options {
        strict: true,
        ..Options::default()
    });
    assert_eq!(report.hits.len(), 1);
    assert!(report.hits[0].query && !report.hits[0].alert_name);
    assert_eq!(report.users.len(), 1);
}

#[test]
fn custom_query_replaces_both_verdicts() {
    let report = scan_example(Options {
        query: Some("event.action:AlertEntityGenerated".into()),
        ..Options::default()
    });
    assert_eq!(
        report.hits.len(),
        3,
        "megan, lee.gu and Diego; one duplicate"
    );
    assert!(report.hits.iter().all(|hit| hit.query && !hit.alert_name));
    assert!(report.hits.iter().all(|hit| hit.alert.is_none()));
    assert!(report.users.is_empty());
}
