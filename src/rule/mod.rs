//! The rule, compiled in: Elastic's "Microsoft 365 User Restricted from
//! Sending Email", version 207, with its investigation guide.
//!
//! The metadata lives in `rule.json`, the guide and the setup text in
//! markdown beside it; `build.rs` turns them into [`RULE`] and renders the
//! markdown to HTML, so the page shows the guide without a renderer of its
//! own.
//!
//! NOTE: `threat[].framework` is `MITRE ATT&CK`, the value Elastic writes in
//! its rule files and alert documents; the ™ of the published text is
//! typography of the docs page, not of the field.

use serde::Serialize;

include!(concat!(env!("OUT_DIR"), "/rule.rs"));

/// The rule's metadata, named as `ruleInfo()` returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    /// The rule's id in Elastic Security.
    pub id: &'static str,
    /// The rule's name.
    pub name: &'static str,
    /// What the rule identifies, as Elastic describes it.
    pub description: &'static str,
    /// The rule type (`query`).
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// The query language (`kuery`, that is KQL).
    pub language: &'static str,
    /// The rule's KQL query, the first of the two verdicts.
    pub query: &'static str,
    /// Index patterns the rule searches; shown, not applied offline.
    pub index: &'static [&'static str],
    /// Severity of the alerts it raises.
    pub severity: &'static str,
    /// Risk score of the alerts it raises.
    pub risk_score: u32,
    /// How often Elastic runs it; shown, not applied offline.
    pub interval: &'static str,
    /// How far back each run looks; shown, not applied offline.
    pub from: &'static str,
    /// Alerts per run at most; shown, not applied offline.
    pub max_signals: u32,
    /// Links Elastic gives as references.
    pub references: &'static [&'static str],
    /// Elastic's tags.
    pub tags: &'static [&'static str],
    /// The rule's version.
    pub version: u32,
    /// The rule's authors.
    pub author: &'static [&'static str],
    /// The rule's license.
    pub license: &'static str,
    /// The investigation guide, markdown.
    pub note: &'static str,
    /// The investigation guide rendered to HTML at build time.
    pub note_html: &'static str,
    /// What data the rule needs, markdown.
    pub setup: &'static str,
    /// The setup text rendered to HTML at build time.
    pub setup_html: &'static str,
    /// MITRE ATT&CK mapping, as Elastic writes it.
    pub threat: &'static [Threat],
    /// The query of the second verdict, which finds the alert by its name.
    pub alert_name_query: &'static str,
    /// Why the second verdict exists.
    pub alert_name_reason: &'static str,
}

/// One framework entry of the rule's threat mapping.
#[derive(Debug, Serialize)]
pub struct Threat {
    /// The framework's name.
    pub framework: &'static str,
    /// The tactic.
    pub tactic: MitreEntry,
    /// The techniques under the tactic.
    pub technique: &'static [MitreEntry],
}

/// A tactic or technique: id, name and link.
#[derive(Debug, Serialize)]
pub struct MitreEntry {
    /// The MITRE ATT&CK id, such as `TA0001`.
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Its page on attack.mitre.org.
    pub reference: &'static str,
}

/// The rule's metadata.
pub fn info() -> &'static RuleInfo {
    &RULE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_is_free_of_the_seed_damage() {
        for text in [RULE.note, RULE.note_html] {
            assert!(!text.contains("â€™"), "mojibake left in the guide");
            assert!(!text.contains("[TBC"), "converter placeholder left");
        }
        assert!(RULE.note.contains("MITRE ATT&CK’s Initial Access"));
    }

    #[test]
    fn guide_renders_headings_and_lists() {
        assert!(RULE
            .note_html
            .contains("<h3>Possible investigation steps</h3>"));
        assert!(RULE.note_html.matches("<li>").count() >= 17);
    }

    #[test]
    fn metadata_serializes_in_camel_case() {
        let json = serde_json::to_value(info()).unwrap_or_default();
        assert_eq!(json["riskScore"], 47);
        assert_eq!(json["maxSignals"], 100);
        assert_eq!(json["version"], 207);
        assert_eq!(json["type"], "query");
        assert_eq!(json["threat"][0]["technique"][0]["id"], "T1078");
        assert_eq!(json["index"][1], "logs-o365*");
    }
}
