//! The alert a hit raises, shaped like an Elastic Security alert document.

use serde_json::{json, Map, Value};

use super::{Facts, Verdict};
use crate::rule;

/// The event's ECS fields with `event.kind: signal`, plus the flat
/// `kibana.alert.*` fields Elastic Security writes. `@timestamp` is the
/// event's time (in ISO 8601 UTC, as every time of the report), so the
/// same input always gives the same alert.
pub fn document(event: &Value, verdict: Verdict, facts: &Facts) -> Value {
    let mut alert = match event {
        Value::Object(fields) => fields.clone(),
        _ => Map::new(),
    };
    set_event_kind(&mut alert);
    let info = rule::info();
    let fields = [
        ("@timestamp", json!(facts.timestamp())),
        ("kibana.alert.rule.name", json!(info.name)),
        ("kibana.alert.rule.rule_id", json!(info.id)),
        ("kibana.alert.rule.version", json!(info.version.to_string())),
        ("kibana.alert.severity", json!(info.severity)),
        ("kibana.alert.risk_score", json!(info.risk_score)),
        ("kibana.alert.reason", json!(reason(event, verdict, facts))),
        ("kibana.alert.original_time", json!(facts.timestamp())),
        ("kibana.alert.workflow_status", json!("open")),
        ("kibana.alert.rule.threat", json!(info.threat)),
    ];
    for (key, value) in fields {
        alert.insert(key.to_owned(), value);
    }
    Value::Object(alert)
}

/// Sets `event.kind` to `signal` wherever the event keeps `event.kind`:
/// nested, as a flat dotted key, or not yet at all.
fn set_event_kind(alert: &mut Map<String, Value>) {
    let signal = Value::from("signal");
    if let Some(kind) = alert.get_mut("event.kind") {
        *kind = signal;
        return;
    }
    match alert.get_mut("event") {
        Some(Value::Object(event)) => {
            event.insert("kind".to_owned(), signal);
        }
        _ => {
            alert.insert("event".to_owned(), json!({ "kind": signal }));
        }
    }
}

/// A sentence in the manner of Elastic's alert reasons, saying for an
/// alert-name hit that the rule's query did not find it.
fn reason(event: &Value, verdict: Verdict, facts: &Facts) -> String {
    let info = rule::info();
    let user = facts.user.as_deref().unwrap_or("an unknown user");
    let created = format!("created {} alert {}.", info.severity, info.name);
    if verdict.query {
        let action = event_action(event).unwrap_or("an");
        return format!("{action} event for {user} {created}");
    }
    format!(
        "Microsoft alert \"User restricted from sending email\" for {user} \
         was recognized by its name in rule.name, not by the rule's query, \
         and {created}"
    )
}

fn event_action(event: &Value) -> Option<&str> {
    event
        .pointer("/event/action")
        .or_else(|| event.get("event.action"))
        .and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::o365::parse_time_str;

    fn facts() -> Facts {
        Facts {
            user: Some("megan.bowen@contoso.com".into()),
            time: parse_time_str("2026-11-30T09:05:40Z"),
            alert_id: None,
        }
    }

    const BOTH: Verdict = Verdict {
        query: true,
        alert_name: false,
    };

    #[test]
    fn alert_carries_the_rule_and_the_event() {
        let event = json!({"event": {"kind": "alert", "action": "x"}});
        let alert = document(&event, BOTH, &facts());
        assert_eq!(alert["event"]["kind"], "signal");
        assert_eq!(alert["event"]["action"], "x");
        assert_eq!(alert["kibana.alert.rule.rule_id"], rule::info().id);
        assert_eq!(alert["kibana.alert.risk_score"], 47);
        assert_eq!(alert["kibana.alert.workflow_status"], "open");
        assert_eq!(
            alert["kibana.alert.original_time"],
            "2026-11-30T09:05:40.000Z"
        );
        assert_eq!(
            alert["kibana.alert.rule.threat"][0]["tactic"]["id"],
            "TA0001"
        );
    }

    #[test]
    fn flat_event_kind_is_replaced_in_place() {
        let event = json!({"event.kind": "event", "event.action": "x"});
        let alert = document(&event, BOTH, &facts());
        assert_eq!(alert["event.kind"], "signal");
        assert!(alert.get("event").is_none());
    }

    #[test]
    fn alert_name_reason_says_the_query_missed_it() {
        let verdict = Verdict {
            query: false,
            alert_name: true,
        };
        let alert = document(&json!({}), verdict, &facts());
        let reason = alert["kibana.alert.reason"].as_str().unwrap_or("");
        assert!(reason.contains("not by the rule's query"), "{reason}");
        assert!(reason.contains("megan.bowen@contoso.com"), "{reason}");
    }
}
