//! Measures how fast a scan reads raw Management Activity API records, as
//! NDJSON, as a JSON array and as a Purview CSV export, with the rule and
//! with a custom query, on synthetic records of about 730 bytes of which
//! a known number are hits.
//!
//! Run: `cargo run --release --example scan_speed [megabytes]`, or
//! `... --example scan_speed memory [megabytes]` to stream that much
//! NDJSON through one scanner and report its memory, or
//! `... --example scan_speed write DIR [megabytes]` to write the data as
//! `records.ndjson`, `records.json` and `records.csv` for other tools
//! (`bench/baseline.mjs` times `JSON.parse` on the NDJSON), or
//! `... --example scan_speed file PATH` to scan one file once more (with
//! `RUNS=1`, for callgrind). For WebAssembly,
//! build it with `--target wasm32-wasip1` and run the `.wasm` under a WASI
//! runtime (wasmtime, or Node's `node:wasi`); the numbers are then those
//! of the same code in WebAssembly.

use std::time::Instant;

use m365_restricted_sender::detect::Options;
use m365_restricted_sender::scan::Scanner;

/// One in this many records is a restricted-user alert (an alert-name
/// hit); one in `QUERY_EVERY` matches the custom query.
const HIT_EVERY: usize = 1_000;
const QUERY_EVERY: usize = 500;

/// A query naming five fields, as the page's filter box might.
const FIVE_FIELDS: &str = "event.provider:Exchange and event.action:MailItemsAccessed \
    and event.outcome:success and user.id:\"megan.bowen@contoso.com\" \
    and o365.audit.ClientInfoString:\"Client=OWA\"";

/// Chunks as the command line and the page push them.
const CHUNK: usize = 1 << 20;

fn guid(n: usize, salt: u32) -> String {
    let x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(salt);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        x >> 32,
        (x >> 16) & 0xffff,
        x & 0xfff,
        (x >> 20) & 0xfff,
        n
    )
}

fn time(n: usize) -> String {
    format!(
        "2026-11-{:02}T{:02}:{:02}:{:02}",
        1 + n / 86_400 % 28,
        n / 3_600 % 24,
        n / 60 % 60,
        n % 60
    )
}

/// A restricted-user alert, as Microsoft writes it.
fn alert(n: usize) -> String {
    format!(
        concat!(
            r#"{{"CreationTime":"{}","Id":"{}","Operation":"AlertTriggered","#,
            r#""OrganizationId":"2f1a5c3e-8d4b-4e7a-9c21-6b0d3f8e5a17","RecordType":40,"#,
            r#""ResultStatus":"Succeeded","UserKey":"SecurityComplianceAlerts","UserType":4,"#,
            r#""Version":1,"Workload":"SecurityComplianceCenter","ObjectId":"{}","#,
            r#""UserId":"SecurityComplianceAlerts","AlertId":"{}","AlertType":"System","#,
            r#""Name":"User restricted from sending email","#,
            r#""PolicyId":"8c0e7d5a-3b1f-4a26-9e4d-5f7a2c9b1e60","Status":"Active","#,
            r#""Severity":"High","Category":"ThreatManagement","Source":"Office 365 Security & Compliance","#,
            r#""Data":"{{\"f3u\":\"user{}@contoso.com\",\"op\":\"RestrictedUser\"}}","#,
            r#""AlertLinks":[{{"AlertLinkHref":"https://security.microsoft.com/alerts/{}"}}]}}"#
        ),
        time(n),
        guid(n, 1),
        guid(n, 2),
        guid(n, 2),
        n,
        guid(n, 2)
    )
}

/// An Exchange mailbox access, the commonest kind of record.
fn mailbox(n: usize) -> String {
    let client = if n % QUERY_EVERY == 0 {
        "Client=OWA"
    } else {
        "Client=REST;Client=RESTSystem;;"
    };
    let user = if n % QUERY_EVERY == 0 {
        "megan.bowen@contoso.com".to_owned()
    } else {
        format!("user{}@contoso.com", n % 997)
    };
    format!(
        concat!(
            r#"{{"CreationTime":"{}","Id":"{}","Operation":"MailItemsAccessed","#,
            r#""OrganizationId":"2f1a5c3e-8d4b-4e7a-9c21-6b0d3f8e5a17","RecordType":50,"#,
            r#""ResultStatus":"Succeeded","UserKey":"10032001A2B3C4D5","UserType":0,"Version":1,"#,
            r#""Workload":"Exchange","ClientIP":"203.0.113.{}","UserId":"{}","#,
            r#""AppId":"00000002-0000-0ff1-ce00-000000000000","#,
            r#""ClientIPAddress":"203.0.113.{}","ClientInfoString":"{}","#,
            r#""ExternalAccess":false,"InternalLogonType":0,"LogonType":0,"#,
            r#""MailboxGuid":"{}","MailboxOwnerUPN":"{}","#,
            r#""OperationProperties":[{{"Name":"MailAccessType","Value":"Bind"}}],"#,
            r#""OriginatingServer":"DM6PR11MB{:04} (15.20.7000.000)"}}"#
        ),
        time(n),
        guid(n, 3),
        n % 250,
        user,
        n % 250,
        client,
        guid(n, 4),
        user,
        n % 10_000
    )
}

/// An Azure AD sign-in.
fn sign_in(n: usize) -> String {
    format!(
        concat!(
            r#"{{"CreationTime":"{}","Id":"{}","Operation":"UserLoggedIn","#,
            r#""OrganizationId":"2f1a5c3e-8d4b-4e7a-9c21-6b0d3f8e5a17","RecordType":15,"#,
            r#""ResultStatus":"Success","UserKey":"10032001A2B3C4D5","UserType":0,"Version":1,"#,
            r#""Workload":"AzureActiveDirectory","ClientIP":"198.51.100.{}","#,
            r#""ObjectId":"00000002-0000-0ff1-ce00-000000000000","UserId":"user{}@contoso.com","#,
            r#""AzureActiveDirectoryEventType":1,"ExtendedProperties":[{{"Name":"ResultStatusDetail","Value":"Success"}},"#,
            r#"{{"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}}],"ModifiedProperties":[],"#,
            r#""Actor":[{{"ID":"{}","Type":0}},{{"ID":"user{}@contoso.com","Type":5}}],"#,
            r#""ActorContextId":"{}","InterSystemsId":"{}","#,
            r#""Target":[{{"ID":"00000002-0000-0ff1-ce00-000000000000","Type":0}}]}}"#
        ),
        time(n),
        guid(n, 5),
        n % 250,
        n % 997,
        guid(n, 6),
        n % 997,
        guid(n, 7),
        guid(n, 8)
    )
}

fn record(n: usize) -> String {
    match n {
        n if n % HIT_EVERY == 0 => alert(n),
        n if n % 3 == 2 => sign_in(n),
        n => mailbox(n),
    }
}

fn records(megabytes: usize) -> Vec<String> {
    let mut records = Vec::new();
    let mut bytes = 0;
    while bytes < megabytes * 1_000_000 {
        let record = record(records.len());
        bytes += record.len() + 1;
        records.push(record);
    }
    records
}

fn ndjson(records: &[String]) -> Vec<u8> {
    (records.join("\n") + "\n").into_bytes()
}

fn array(records: &[String]) -> Vec<u8> {
    format!("[\n  {}\n]\n", records.join(",\n  ")).into_bytes()
}

fn purview_csv(records: &[String]) -> Vec<u8> {
    let mut csv = String::from(
        "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,\
         AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n",
    );
    for (n, record) in records.iter().enumerate() {
        csv.push_str(&format!(
            "{},{}.0000000Z,50,MailItemsAccessed,user@contoso.com,\"{}\",,\r\n",
            guid(n, 3),
            time(n),
            record.replace('"', "\"\"")
        ));
    }
    csv.into_bytes()
}

/// One scan of `bytes`: seconds, hits, and records judged from a skim.
fn scan_once(bytes: &[u8], options: &Options, fast: bool) -> (f64, usize, u64, u64) {
    let start = Instant::now();
    let mut scanner = Scanner::new(options.clone()).unwrap_or_else(|e| panic!("{e}"));
    scanner.set_fast_path(fast);
    scanner.file("input");
    for chunk in bytes.chunks(CHUNK) {
        scanner.push(chunk);
    }
    let skimmed = scanner.skimmed();
    let report = scanner.finish();
    let seconds = start.elapsed().as_secs_f64();
    (seconds, report.hits.len(), skimmed, report.records)
}

/// The best of a few scans (the first also warms WebAssembly up).
fn measure(name: &str, bytes: &[u8], options: &Options, fast: bool) -> f64 {
    let runs = std::env::var("RUNS").ok().and_then(|r| r.parse().ok());
    let runs = runs.unwrap_or(if fast { 5 } else { 2 });
    let best = (0..runs)
        .map(|_| scan_once(bytes, options, fast))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((seconds, hits, skimmed, records)) = best else {
        return 0.0;
    };
    let rate = bytes.len() as f64 / seconds / 1e6;
    println!(
        "{name:44} {rate:7.0} MB/s  {hits:5} hits  {:5.1}% skimmed  ({records} records, {} MB)",
        skimmed as f64 * 100.0 / records.max(1) as f64,
        bytes.len() / 1_000_000
    );
    rate
}

fn options(query: Option<&str>, sha256: bool) -> Options {
    Options {
        query: query.map(str::to_owned),
        sha256,
        ..Options::default()
    }
}

/// The hits a scan of `count` records must report: with the rule, and
/// with the five-field query.
fn expected_hits(count: usize) -> (usize, usize) {
    let rule = (0..count).filter(|n| n % HIT_EVERY == 0).count();
    let mailbox = |n: &usize| n % HIT_EVERY != 0 && n % 3 != 2;
    let query = (0..count).filter(|n| n % QUERY_EVERY == 0).filter(mailbox);
    (rule, query.count())
}

/// Scans a little first, so that WebAssembly engines have compiled the
/// hot code with their optimizing tier before anything is timed.
fn warm_up() {
    let records = records(10);
    for data in [ndjson(&records), array(&records), purview_csv(&records)] {
        for query in [None, Some(FIVE_FIELDS)] {
            scan_once(&data, &options(query, false), true);
        }
    }
}

fn speed(megabytes: usize) {
    warm_up();
    let records = records(megabytes);
    let average = records.iter().map(String::len).sum::<usize>() / records.len().max(1);
    let (rule_hits, query_hits) = expected_hits(records.len());
    println!(
        "{} records of {average} bytes on average; expected hits: \
         {rule_hits} with the rule, {query_hits} with the query\n",
        records.len()
    );
    let rule = options(None, false);
    let rule_sha = options(None, true);
    let query = options(Some(FIVE_FIELDS), false);
    let data = ndjson(&records);
    let on_rule = measure("ndjson, rule", &data, &rule, true);
    measure("ndjson, rule, with sha-256", &data, &rule_sha, true);
    let on_query = measure("ndjson, --query with five fields", &data, &query, true);
    println!(
        "{:44} {:7.2}",
        "  query speed / rule speed",
        on_query / on_rule
    );
    measure(
        "ndjson, rule, full path (for comparison)",
        &data,
        &rule,
        false,
    );
    drop(data);
    let data = array(&records);
    measure("json array, rule", &data, &rule, true);
    measure("json array, rule, with sha-256", &data, &rule_sha, true);
    drop(data);
    let data = purview_csv(&records);
    measure("purview csv, rule", &data, &rule, true);
    measure("purview csv, rule, with sha-256", &data, &rule_sha, true);
    measure("purview csv, --query with five fields", &data, &query, true);
}

/// Streams `megabytes` of NDJSON through one scanner, generated as it
/// goes, and reports the memory before and after: with a query that no
/// record matches (so that only the duplicate index and the id map may
/// grow), then with the rule (whose hits are kept).
fn memory(megabytes: usize) {
    for query in [Some("event.action:NoSuchOperation"), None] {
        let name = if query.is_some() { "no hits" } else { "rule" };
        memory_with(name, megabytes, options(query, true));
    }
}

fn memory_with(name: &str, megabytes: usize, options: Options) {
    let before = memory_bytes();
    let mut scanner = Scanner::new(options).unwrap_or_else(|e| panic!("{e}"));
    scanner.file("input");
    let (mut n, mut bytes, mut chunk) = (0, 0, String::new());
    let start = Instant::now();
    while bytes < megabytes * 1_000_000 {
        while chunk.len() < CHUNK {
            chunk.push_str(&record(n));
            chunk.push('\n');
            n += 1;
        }
        bytes += chunk.len();
        scanner.push(chunk.as_bytes());
        chunk.clear();
    }
    let index = scanner.index_bytes();
    let report = scanner.finish();
    let seconds = start.elapsed().as_secs_f64();
    let grown = memory_bytes().saturating_sub(before);
    let per_record = |bytes: usize| bytes as f64 / report.records.max(1) as f64;
    println!(
        "{name}: {} MB streamed, {} records, {} hits, {:.0} MB/s (generation included)",
        bytes / 1_000_000,
        report.records,
        report.hits.len(),
        bytes as f64 / seconds / 1e6
    );
    println!(
        "  memory grown {} MB ({:.0} B/record); duplicate index and id map \
         {} MB ({:.0} B/record); the rest {} MB",
        grown >> 20,
        per_record(grown),
        index >> 20,
        per_record(index),
        grown.saturating_sub(index) >> 20
    );
}

fn write(dir: &str, megabytes: usize) {
    let records = records(megabytes);
    let shapes = [
        ("records.ndjson", ndjson(&records)),
        ("records.json", array(&records)),
        ("records.csv", purview_csv(&records)),
    ];
    for (name, bytes) in shapes {
        let path = format!("{dir}/{name}");
        match std::fs::write(&path, bytes) {
            Ok(()) => println!("wrote {path}"),
            Err(error) => eprintln!("cannot write {path}: {error}"),
        }
    }
}

/// Scans one file already written (`bench/` writes its data sets to
/// `bench-data/`), with the rule and no SHA-256, without warming up: for
/// profilers, which count instructions rather than time.
fn file(path: &str) {
    let Ok(data) = std::fs::read(path) else {
        return eprintln!("cannot read `{path}`");
    };
    measure(path, &data, &options(None, false), true);
}

/// The memory in use: WebAssembly's linear memory, or the resident set.
#[cfg(target_arch = "wasm32")]
fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * 65_536
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:"));
    let kilobytes = line.and_then(|line| line.split_whitespace().nth(1));
    kilobytes.and_then(|k| k.parse::<usize>().ok()).unwrap_or(0) * 1024
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |at: usize, default| {
        let parsed = args.get(at).and_then(|a| a.parse().ok());
        parsed.unwrap_or(default)
    };
    match args.first().map(String::as_str) {
        Some("memory") => memory(number(1, 1_000)),
        Some("write") => write(args.get(1).map_or("/tmp", String::as_str), number(2, 100)),
        Some("ndjson") => {
            warm_up();
            let data = ndjson(&records(number(1, 100)));
            measure("ndjson, rule", &data, &options(None, false), true);
        }
        Some("file") => file(args.get(1).map_or("", String::as_str)),
        Some("csv") => {
            warm_up();
            let data = purview_csv(&records(number(1, 100)));
            measure("purview csv, rule", &data, &options(None, false), true);
        }
        _ => speed(number(0, 100)),
    }
}
