//! Measures how fast the input layer splits NDJSON, JSON arrays, a search
//! response and CSV into pieces, on synthetic records of about 700 bytes.
//!
//! Run: `cargo run --release --example input_speed [megabytes]`. For
//! WebAssembly, build it with `--target wasm32-wasip1` and run the
//! `.wasm` under a WASI runtime (wasmtime, or Node's `node:wasi`).

use std::time::Instant;

use m365_restricted_sender::input::{Body, FileReader, Piece, ReaderOptions};

fn record(n: usize) -> String {
    format!(
        concat!(
            r#"{{"CreationTime":"2024-03-01T10:{:02}:00","Id":"00000000-0000-4000-8000-{:012}","#,
            r#""Operation":"AlertTriggered","OrganizationId":"11111111-2222-4333-8444-555555555555","#,
            r#""RecordType":40,"ResultStatus":"Succeeded","UserKey":"SecurityComplianceAlerts","#,
            r#""UserType":4,"Version":1,"Workload":"SecurityComplianceCenter","#,
            r#""ObjectId":"user{}@contoso.com","UserId":"SecurityComplianceAlerts","#,
            r#""AlertId":"aaaaaaaa-0000-4000-8000-{:012}","AlertType":"System","#,
            r#""Name":"User restricted from sending email","PolicyId":"bbbbbbbb-0000-4000-8000-000000000001","#,
            r#""Status":"Active","Severity":"High","Category":"ThreatManagement","#,
            r#""Source":"Office 365 Security & Compliance","Comments":"New alert","#,
            r#""Data":"{{\"f3u\":\"user{}@contoso.com\",\"op\":\"AlertTriggered\"}}","#,
            r#""AlertLinks":[{{"AlertLinkHref":"https://security.microsoft.com/alerts/{}"}}]}}"#
        ),
        n % 60,
        n,
        n,
        n,
        n,
        n
    )
}

fn csv_cell(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn build(megabytes: usize) -> Vec<(&'static str, Vec<u8>)> {
    let count = megabytes * 1_000_000 / 700;
    let records: Vec<String> = (0..count).map(record).collect();
    let ndjson = records.join("\n") + "\n";
    let array = format!("[\n  {}\n]\n", records.join(",\n  "));
    let hits: Vec<String> = records
        .iter()
        .map(|r| format!(r#"{{"_index":"logs-o365.audit-default","_id":"x","_source":{r}}}"#))
        .collect();
    let response = format!(
        r#"{{"took":5,"hits":{{"total":{{"value":{count}}},"hits":[{}]}}}}"#,
        hits.join(",")
    );
    let mut csv = String::from(
        "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,\
         AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n",
    );
    for (n, r) in records.iter().enumerate() {
        csv.push_str(&format!(
            "00000000-0000-4000-8000-{n:012},2024-03-01T10:15:00.0000000Z,40,\
             AlertTriggered,SecurityComplianceAlerts,{},,\r\n",
            csv_cell(r)
        ));
    }
    vec![
        ("ndjson", ndjson.into_bytes()),
        ("json array", array.into_bytes()),
        ("search response (one line)", response.into_bytes()),
        ("purview csv", csv.into_bytes()),
    ]
}

fn measure(bytes: &[u8], sha256: bool) -> (f64, usize) {
    let start = Instant::now();
    let options = ReaderOptions {
        sha256,
        ..ReaderOptions::default()
    };
    let mut reader = FileReader::with_options(options);
    let mut pieces = 0;
    let mut sink = |piece: Piece<'_>| {
        if !matches!(piece.body, Body::Error(_)) {
            pieces += 1;
        }
    };
    for chunk in bytes.chunks(1 << 20) {
        reader.push(chunk, &mut sink);
    }
    reader.finish(&mut sink);
    (start.elapsed().as_secs_f64(), pieces)
}

fn main() {
    let megabytes = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let formats = build(megabytes);
    if let Some((_, ndjson)) = formats.first() {
        baseline(ndjson);
    }
    for (name, bytes) in formats {
        for sha256 in [false, true] {
            let best = (0..5)
                .map(|_| measure(&bytes, sha256))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((seconds, pieces)) = best {
                let rate = bytes.len() as f64 / seconds / 1e6;
                let hash = if sha256 { "with sha-256" } else { "" };
                println!(
                    "{name:28} {rate:8.0} MB/s  {hash:12} ({pieces} pieces, {} MB)",
                    bytes.len() / 1_000_000
                );
            }
        }
    }
}

/// What the work that every format shares costs alone, for comparison.
fn baseline(bytes: &[u8]) {
    use sha2::Digest;
    let start = Instant::now();
    let digest = sha2::Sha256::digest(bytes);
    let rate = bytes.len() as f64 / start.elapsed().as_secs_f64() / 1e6;
    println!(
        "{:28} {rate:8.0} MB/s  ({:02x})",
        "sha-256 alone", digest[0]
    );
    let start = Instant::now();
    let valid = bytes
        .chunks(1 << 20)
        .all(|c| std::str::from_utf8(c).is_ok());
    let rate = bytes.len() as f64 / start.elapsed().as_secs_f64() / 1e6;
    println!("{:28} {rate:8.0} MB/s  ({valid})", "utf-8 validation alone");
}
