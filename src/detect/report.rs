//! The scan report: what was read, what was found, who was restricted.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use super::{Facts, Options, Verdict};
use crate::o365::Timestamp;

/// The whole answer of a scan, as product.md's ScanReport.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    /// This tool and its version.
    pub tool: Tool,
    /// The rule the scan applied.
    pub rule: RuleRef,
    /// The options the scan ran with.
    pub options: Options,
    /// One entry per file, in the order given.
    pub files: Vec<FileReport>,
    /// Records read, duplicates included.
    pub records: u64,
    /// Records whose content repeated an earlier record's.
    pub duplicates: u64,
    /// All errors; `errors` keeps only the first ones.
    pub error_count: u64,
    /// The hits, oldest first, records without a time last.
    pub hits: Vec<Hit>,
    /// The restricted users, one entry per user.
    pub users: Vec<User>,
    /// The first errors, with their lines.
    pub errors: Vec<ErrorEntry>,
    /// What the reader noticed and the analyst should know.
    pub warnings: Vec<Warning>,
}

/// The tool's name and version.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `m365-restricted-sender`.
    pub name: &'static str,
    /// The crate's version.
    pub version: &'static str,
}

impl Tool {
    /// This build.
    pub const CURRENT: Tool = Tool {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
    };
}

/// The rule by id and version.
#[derive(Clone, Debug, Serialize)]
pub struct RuleRef {
    /// The rule's id in Elastic Security.
    pub id: &'static str,
    /// The rule's version.
    pub version: u32,
}

/// What was read from one file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileReport {
    /// The name the file was given as.
    pub name: String,
    /// Its size as given (compressed when it was).
    pub bytes: u64,
    /// SHA-256 of its bytes as given, hex; none when hashing was off.
    pub sha256: Option<String>,
    /// The shape found: `ecs`, `o365-api`, `purview-csv`, ... or `mixed`.
    pub format: Option<&'static str>,
    /// `utf-8`, `utf-16le`, `utf-16be` or `windows-1252`.
    pub encoding: Option<&'static str>,
    /// `gzip`, or none.
    pub compressed: Option<&'static str>,
    /// Records read from it, duplicates included.
    pub records: u64,
    /// Pieces of it that could not be read.
    pub errors: u64,
}

/// One record that is a hit.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    /// The file it came from.
    pub file: String,
    /// The 1-based line where the record starts.
    pub line: u64,
    /// The record's 0-based position among its file's records.
    pub index: u64,
    /// The rule's query (or the custom query) matched.
    pub query: bool,
    /// The alert was recognized by its name.
    pub alert_name: bool,
    /// ISO 8601 UTC with milliseconds.
    pub timestamp: Option<String>,
    /// The restricted user.
    pub user: Option<String>,
    /// Microsoft's alert id.
    pub alert_id: Option<String>,
    /// The alert it raises.
    pub alert: Option<Value>,
    /// The normalized ECS event.
    pub event: Value,
    /// The record's text as read; none (and no event or alert) for a hit
    /// past the report's memory budget for records, which a warning
    /// announces.
    pub raw: Option<String>,
    /// The time for sorting.
    #[serde(skip)]
    pub millis: Option<i64>,
}

/// A restricted user and what the hits say about them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    /// The address, spelt as first seen.
    pub user: String,
    /// Distinct alerts (a hit without an alert id is an alert of its own).
    pub alerts: u64,
    /// Hit records.
    pub records: u64,
    /// The earliest hit's time.
    pub first: Option<String>,
    /// The latest hit's time.
    pub last: Option<String>,
}

/// A piece of input that could not be read.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorEntry {
    /// The file it is in.
    pub file: String,
    /// The 1-based line where it starts; none for a file that could not
    /// be opened at all.
    pub line: Option<u64>,
    /// What was expected and where.
    pub message: String,
}

/// Something the analyst should know that is not an error.
#[derive(Clone, Debug, Serialize)]
pub struct Warning {
    /// The file it is about.
    pub file: String,
    /// The line, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What was noticed.
    pub message: String,
}

impl Hit {
    /// The two verdicts the hit was found by.
    pub fn verdict(&self) -> Verdict {
        Verdict {
            query: self.query,
            alert_name: self.alert_name,
        }
    }

    /// The facts the hit reports, as its alert was built from.
    pub fn facts(&self) -> Facts {
        Facts {
            user: self.user.clone(),
            time: self.millis.and_then(Timestamp::from_millis),
            alert_id: self.alert_id.clone(),
        }
    }
}

/// Gives hits without a user the user of another hit of the same alert;
/// returns the positions of the hits it gave one.
pub fn fill_users_from_alerts(hits: &mut [Hit]) -> Vec<usize> {
    let mut by_alert: HashMap<String, String> = HashMap::new();
    for hit in hits.iter() {
        if let (Some(alert), Some(user)) = (&hit.alert_id, &hit.user) {
            by_alert
                .entry(alert.clone())
                .or_insert_with(|| user.clone());
        }
    }
    let mut filled = Vec::new();
    for (position, hit) in hits.iter_mut().enumerate() {
        if hit.user.is_some() {
            continue;
        }
        hit.user = hit
            .alert_id
            .as_ref()
            .and_then(|id| by_alert.get(id))
            .cloned();
        if hit.user.is_some() {
            filled.push(position);
        }
    }
    filled
}

/// Oldest first, records without a time last, ties in input order (the
/// sort is stable).
pub fn sort_by_time(hits: &mut [Hit]) {
    hits.sort_by_key(|hit| (hit.millis.is_none(), hit.millis));
}

/// One entry per user, grouped case-insensitively, from hits in input
/// order; ordered by their first hit.
pub fn restricted_users(hits: &[Hit]) -> Vec<User> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Group> = HashMap::new();
    for hit in hits {
        let Some(user) = &hit.user else { continue };
        let key = user.to_lowercase();
        let group = groups.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            Group::new(user)
        });
        group.add(hit);
    }
    let mut users: Vec<(Option<i64>, User)> = order
        .iter()
        .filter_map(|key| groups.remove(key))
        .map(Group::finish)
        .collect();
    users.sort_by_key(|(first, _)| (first.is_none(), *first));
    users.into_iter().map(|(_, user)| user).collect()
}

struct Group {
    user: String,
    alerts: HashSet<String>,
    alerts_without_id: u64,
    records: u64,
    first: Option<(i64, String)>,
    last: Option<(i64, String)>,
}

impl Group {
    fn new(user: &str) -> Group {
        Group {
            user: user.to_owned(),
            alerts: HashSet::new(),
            alerts_without_id: 0,
            records: 0,
            first: None,
            last: None,
        }
    }

    fn add(&mut self, hit: &Hit) {
        self.records += 1;
        match &hit.alert_id {
            Some(id) => {
                self.alerts.insert(id.clone());
            }
            None => self.alerts_without_id += 1,
        }
        if let (Some(millis), Some(text)) = (hit.millis, &hit.timestamp) {
            let time = (millis, text.clone());
            if self.first.as_ref().is_none_or(|first| millis < first.0) {
                self.first = Some(time.clone());
            }
            if self.last.as_ref().is_none_or(|last| millis > last.0) {
                self.last = Some(time);
            }
        }
    }

    fn finish(self) -> (Option<i64>, User) {
        let first_millis = self.first.as_ref().map(|(millis, _)| *millis);
        let user = User {
            user: self.user,
            alerts: self.alerts.len() as u64 + self.alerts_without_id,
            records: self.records,
            first: self.first.map(|(_, text)| text),
            last: self.last.map(|(_, text)| text),
        };
        (first_millis, user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(user: Option<&str>, alert: Option<&str>, millis: Option<i64>) -> Hit {
        Hit {
            file: "f".into(),
            line: 1,
            index: 0,
            query: false,
            alert_name: true,
            timestamp: millis.map(|m| format!("t{m}")),
            user: user.map(str::to_owned),
            alert_id: alert.map(str::to_owned),
            alert: None,
            event: Value::Null,
            raw: None,
            millis,
        }
    }

    #[test]
    fn users_group_case_insensitively_with_first_spelling() {
        let hits = [
            hit(Some("Megan@contoso.com"), Some("A"), Some(20)),
            hit(Some("megan@contoso.com"), Some("A"), Some(10)),
            hit(Some("MEGAN@contoso.com"), Some("B"), Some(30)),
            hit(Some("megan@contoso.com"), None, None),
        ];
        let users = restricted_users(&hits);
        assert_eq!(users.len(), 1);
        let megan = &users[0];
        assert_eq!(megan.user, "Megan@contoso.com");
        assert_eq!((megan.alerts, megan.records), (3, 4));
        assert_eq!(megan.first.as_deref(), Some("t10"));
        assert_eq!(megan.last.as_deref(), Some("t30"));
    }

    #[test]
    fn users_are_ordered_by_their_first_hit() {
        let hits = [
            hit(Some("late@contoso.com"), None, Some(50)),
            hit(Some("untimed@contoso.com"), None, None),
            hit(Some("early@contoso.com"), None, Some(5)),
        ];
        let names: Vec<String> = restricted_users(&hits)
            .into_iter()
            .map(|u| u.user)
            .collect();
        assert_eq!(
            names,
            [
                "early@contoso.com",
                "late@contoso.com",
                "untimed@contoso.com"
            ]
        );
    }

    #[test]
    fn hits_sort_oldest_first_untimed_last_ties_in_order() {
        let mut hits = vec![
            hit(Some("a@x.y"), None, None),
            hit(Some("b@x.y"), None, Some(2)),
            hit(Some("c@x.y"), None, Some(1)),
            hit(Some("d@x.y"), None, Some(2)),
        ];
        sort_by_time(&mut hits);
        let users: Vec<_> = hits
            .iter()
            .map(|h| h.user.clone().unwrap_or_default())
            .collect();
        assert_eq!(users, ["c@x.y", "b@x.y", "d@x.y", "a@x.y"]);
    }

    #[test]
    fn hit_without_user_takes_the_user_of_its_alert() {
        let mut hits = vec![
            hit(None, Some("A"), Some(1)),
            hit(Some("megan@contoso.com"), Some("A"), Some(2)),
            hit(None, Some("B"), Some(3)),
        ];
        fill_users_from_alerts(&mut hits);
        assert_eq!(hits[0].user.as_deref(), Some("megan@contoso.com"));
        assert_eq!(hits[2].user, None);
    }
}
