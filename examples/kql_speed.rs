//! How fast the rule's query runs over parsed JSON documents: a
//! measurement, printed, never asserted.
//!
//! `cargo run --release --example kql_speed`

use std::time::Instant;

use m365_restricted_sender::kql;
use serde_json::{json, Value};

const RULE: &str = "event.dataset:o365.audit and \
    event.provider:SecurityComplianceCenter and event.category:web and \
    event.action:\"User restricted from sending email\" and \
    event.outcome:success";

/// An ECS document of the size the o365 integration writes.
fn hit() -> Value {
    json!({
        "@timestamp": "2024-05-01T10:00:00Z",
        "event": {
            "dataset": "o365.audit", "provider": "SecurityComplianceCenter",
            "category": ["web"], "outcome": "success", "kind": "event",
            "action": "User restricted from sending email", "type": ["info"],
            "code": "SecurityComplianceAlerts", "id": "0f1e2d3c",
        },
        "user": {"id": "adele@contoso.com", "domain": "contoso.com"},
        "o365": {"audit": {"ObjectId": "x", "Name": "y", "Severity": "High"}},
        "cloud": {"provider": "microsoft", "account": {"id": "t"}},
        "related": {"user": ["adele"]}, "organization": {"id": "o"},
        "source": {"ip": "10.0.0.1"}, "host": {"name": "h"},
        "tags": ["forwarded"], "input": {"type": "o365"},
        "ecs": {"version": "8.11.0"}, "agent": {"type": "filebeat"},
    })
}

/// The best of several rounds, in evaluations a second.
fn rate(query: &kql::Query, doc: &Value) -> f64 {
    const ROUNDS: usize = 5;
    const EVALUATIONS: u32 = 500_000;
    let mut best = 0f64;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..EVALUATIONS {
            std::hint::black_box(query.matches(std::hint::black_box(doc)));
        }
        best = best.max(f64::from(EVALUATIONS) / start.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let query = kql::parse(RULE).expect("the rule parses");
    let hit = hit();
    let mut near_miss = hit.clone();
    near_miss["event"]["action"] = json!("AlertTriggered");
    assert!(query.matches(&hit) && !query.matches(&near_miss));
    let hits = rate(&query, &hit);
    let misses = rate(&query, &near_miss);
    println!("rule query: {hits:.0} hits/s, {misses:.0} near misses/s");
}
