//! The rules that make one ECS field of a raw record, each written once.
//!
//! Two readers use them: the normalizer, which builds the whole ECS
//! document from a parsed record, and the view, which answers for one
//! field at a time from the few raw values a skim captured. A rule reads
//! raw fields as [`Raw`] values, which both can give, so the two cannot
//! drift apart.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::Value;

use super::time::{self, Timestamp};

pub(crate) const ECS_VERSION: &str = "8.11.0";
pub(crate) const DATASET: &str = "o365.audit";
pub(crate) const MODULE: &str = "o365";
pub(crate) const ALERTS: &str = "SecurityComplianceAlerts";
const DLP: [&str; 2] = ["ComplianceDLPSharePoint", "ComplianceDLPExchange"];
const RECORD_TYPES: &str = include_str!("record_types.tsv");

/// Raw fields the pipeline turns into strings where they stay.
pub(crate) const STRING_FIELDS: [&str; 9] = [
    "ListBaseType",
    "AzureActiveDirectoryEventType",
    "RecordType",
    "UserType",
    "Version",
    "InternalLogonType",
    "LogonType",
    "ActorYammerUserId",
    "YammerNetworkId",
];

/// Raw fields of an alert (record type 40) moved to ECS, and where.
pub(crate) const ALERT_MOVES: [(&str, &str); 5] = [
    ("Name", "rule.name"),
    ("PolicyId", "rule.id"),
    ("Category", "rule.category"),
    ("EntityType", "rule.ruleset"),
    ("AlertEntityId", "rule.description"),
];

/// A raw field as the rules read it: absent, null, a scalar with its
/// text, or a list or object (which few rules look into).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Raw<'a> {
    Absent,
    Null,
    Str(&'a str),
    /// a number, as its JSON text
    Number(&'a str),
    Bool(bool),
    List,
    Object,
}

impl<'a> Raw<'a> {
    /// A field of a parsed record.
    pub(crate) fn of(value: Option<&'a Value>) -> Raw<'a> {
        match value {
            None => Raw::Absent,
            Some(Value::Null) => Raw::Null,
            Some(Value::String(text)) => Raw::Str(text),
            Some(Value::Number(number)) => Raw::Number(number.as_str()),
            Some(Value::Bool(flag)) => Raw::Bool(*flag),
            Some(Value::Array(_)) => Raw::List,
            Some(Value::Object(_)) => Raw::Object,
        }
    }

    /// Present, and not null.
    pub(crate) fn is_some(self) -> bool {
        !matches!(self, Raw::Absent | Raw::Null)
    }
}

/// A scalar as the pipeline's templates print it.
pub(crate) fn scalar_text(raw: Raw<'_>) -> Option<&str> {
    match raw {
        Raw::Str(text) | Raw::Number(text) => Some(text),
        Raw::Bool(true) => Some("true"),
        Raw::Bool(false) => Some("false"),
        Raw::Absent | Raw::Null | Raw::List | Raw::Object => None,
    }
}

/// `event.code`: the record type's name, for the types the pipeline
/// knows. A name instead of a number, or an unknown number, gives none.
pub(crate) fn code(record_type: Raw<'_>) -> Option<&'static str> {
    record_type_name(scalar_text(record_type)?)
}

/// Whether the record is a Security & Compliance alert (type 40).
pub(crate) fn is_alert(code: Option<&str>) -> bool {
    code == Some(ALERTS)
}

fn is_dlp(code: Option<&str>) -> bool {
    code.is_some_and(|code| DLP.contains(&code))
}

/// `event.kind`: alerts and DLP records are alerts.
pub(crate) fn kind(code: Option<&str>) -> &'static str {
    if is_alert(code) || is_dlp(code) {
        "alert"
    } else {
        "event"
    }
}

/// `event.category`: DLP records are about files too.
pub(crate) fn categories(code: Option<&str>) -> &'static [&'static str] {
    if is_dlp(code) {
        &["web", "file"]
    } else {
        &["web"]
    }
}

/// `event.type`: DLP records are accesses too.
pub(crate) fn types(code: Option<&str>) -> &'static [&'static str] {
    if is_dlp(code) {
        &["info", "access"]
    } else {
        &["info"]
    }
}

/// `@timestamp` from `CreationTime`, which is UTC even without a zone.
// NOTE: a time Elasticsearch cannot parse fails its pipeline; here only
// `@timestamp` is left out.
pub(crate) fn timestamp(creation_time: Raw<'_>) -> Option<Timestamp> {
    match creation_time {
        Raw::Str(text) => time::parse_time_str(text),
        Raw::Number(text) => time::epoch_number(text),
        _ => None,
    }
}

/// `event.outcome` from `ResultStatus`, compared in lower case.
// NOTE: a `ResultStatus` that is not a string fails Elastic's pipeline at
// this step, so `event.outcome` is left out (which the rule's
// `event.outcome:success` then misses), and the rest goes on.
pub(crate) fn outcome(status: Raw<'_>) -> Option<&'static str> {
    match status {
        Raw::Absent | Raw::Null => Some("success"),
        Raw::Str(status) if is_failure(status) => Some("failure"),
        Raw::Str(_) => Some("success"),
        _ => None,
    }
}

fn is_failure(status: &str) -> bool {
    let same = |word: &str| match status.is_ascii() {
        true => status.eq_ignore_ascii_case(word),
        false => status.to_lowercase() == word,
    };
    same("failed") || same("false")
}

/// `event.severity`: the pipeline compares `Severity` case-sensitively
/// with lower-case words; Microsoft writes `Low`, `High`, so alerts get
/// none.
pub(crate) fn severity(level: Raw<'_>) -> Option<u8> {
    match level {
        Raw::Str("informational") => Some(1),
        Raw::Str("low") => Some(2),
        Raw::Str("medium") => Some(3),
        Raw::Str("high") => Some(4),
        _ => None,
    }
}

/// Where `event.provider` comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Provider<'a> {
    /// `Workload`, moved as it is
    Workload,
    /// a record without a `Workload` is named after its `UserType`
    UserType(&'a str),
    None,
}

/// `event.provider`: `Workload` when it is there and not null (which is
/// all `has_workload` tells), else the `UserType` (a string by then) when
/// it is not empty. The `UserType` is read only when needed.
pub(crate) fn provider<'a>(
    has_workload: bool,
    user_type: impl FnOnce() -> Raw<'a>,
) -> Provider<'a> {
    if has_workload {
        return Provider::Workload;
    }
    match scalar_text(user_type()) {
        Some(text) if !text.is_empty() => Provider::UserType(text),
        _ => Provider::None,
    }
}

/// `organization.id` (and `host.id`) from `OrganizationId`: a string in
/// lower case, another scalar as it is.
pub(crate) fn lower_case(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) || !text.is_ascii() {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// `local@domain` with exactly one `@` (either side may be empty, as the
/// pipeline splits).
pub(crate) fn split_address(text: &str) -> Option<(&str, &str)> {
    let (local, domain) = text.split_once('@')?;
    (!domain.contains('@')).then_some((local, domain))
}

/// The name of a record type number, from Microsoft's list as the
/// pipeline knows it. The number must be written as the pipeline's table
/// writes it (`40`, not `040` or `40.0`).
pub(crate) fn record_type_name(number: &str) -> Option<&'static str> {
    let digits = number.bytes().all(|b| b.is_ascii_digit());
    let canonical = digits && (!number.starts_with('0') || number == "0");
    let index: usize = number.parse().ok().filter(|_| canonical)?;
    record_type_names().get(index).copied().flatten()
}

/// The table read once, indexed by number.
fn record_type_names() -> &'static [Option<&'static str>] {
    static NAMES: OnceLock<Vec<Option<&'static str>>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Vec::new();
        for line in RECORD_TYPES.lines().skip(1) {
            let Some((number, name)) = line.split_once('\t') else {
                continue;
            };
            let Ok(number) = number.parse::<usize>() else {
                continue;
            };
            if names.len() <= number {
                names.resize(number + 1, None);
            }
            if let Some(slot) = names.get_mut(number) {
                *slot = Some(name.trim_end());
            }
        }
        names
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_type_table_is_complete_and_well_formed() {
        let rows: Vec<&str> = RECORD_TYPES.lines().skip(1).collect();
        assert_eq!(rows.len(), 103);
        assert!(rows.iter().all(|row| row.split('\t').count() == 2));
        assert_eq!(record_type_name("40"), Some(ALERTS));
        assert_eq!(
            record_type_name("181"),
            Some("EduDataLakeDownloadOperation")
        );
        assert_eq!(record_type_name("5"), None);
        assert_eq!(record_type_name("record_type"), None);
        for odd in ["040", "+40", "40 ", "", "-1", "99999999999999999999999"] {
            assert_eq!(record_type_name(odd), None, "{odd}");
        }
    }

    #[test]
    fn outcome_reads_the_status_in_lower_case() {
        assert_eq!(outcome(Raw::Str("FAILED")), Some("failure"));
        assert_eq!(outcome(Raw::Str("False")), Some("failure"));
        assert_eq!(outcome(Raw::Str("Succeeded")), Some("success"));
        assert_eq!(outcome(Raw::Str("fäiled")), Some("success"));
        assert_eq!(outcome(Raw::Null), Some("success"));
        assert_eq!(outcome(Raw::Absent), Some("success"));
        assert_eq!(outcome(Raw::Number("0")), None);
        assert_eq!(outcome(Raw::List), None);
    }

    #[test]
    fn provider_falls_back_to_the_user_type() {
        let number = || Raw::Number("4");
        let has = |workload: Raw<'_>| workload.is_some();
        assert_eq!(
            provider(has(Raw::Str("Exchange")), number),
            Provider::Workload
        );
        assert_eq!(provider(has(Raw::Str("")), number), Provider::Workload);
        assert_eq!(provider(has(Raw::Null), number), Provider::UserType("4"));
        assert_eq!(provider(false, || Raw::Str("")), Provider::None);
        assert_eq!(provider(false, || Raw::List), Provider::None);
    }
}
