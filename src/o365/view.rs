//! The normalized event of a raw record, one field at a time.
//!
//! Normalizing a whole record builds every ECS field; a query reads a few.
//! The view answers for one ECS field from the raw values it is made of,
//! through the same per-field rules as [`normalize`](super::normalize),
//! so a record that is only judged never has its document built. It gives
//! the fields detection reads and those a custom query is likely to;
//! [`source`] says which. Where a record holds something the view does not
//! follow (a list where a scalar is usual, `Data` that would have to be
//! parsed), it says it cannot tell, and that record is normalized in full.
//!
//! Normalization drops nulls and empty strings everywhere, so the view
//! never gives them either.
//!
//! TODO: `client.*`, `source.*`, `network.type`, `related.*`, `email.*`,
//! `user_agent.original` and `rule.reference` are not given yet, nor
//! `user.email` taken from `f3u` inside the `Data` text, nor any field
//! under a raw field that normalization rewrites (`Parameters`, `Data`,
//! ...): a custom query that reads one of them normalizes every raw
//! record in full (correct, about ten times slower).

use std::borrow::Cow;

use super::fields::{self, Provider, Raw, ALERT_MOVES, STRING_FIELDS};
use crate::doc::{Scalar, Term};

/// The raw fields the rules read by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum RawKey {
    Id,
    Workload,
    Operation,
    RecordType,
    CreationTime,
    ResultStatus,
    Severity,
    UserType,
    UserId,
    OrganizationId,
    Data,
    Name,
    PolicyId,
    Category,
    EntityType,
    AlertEntityId,
    ListBaseType,
    AzureActiveDirectoryEventType,
    Version,
    InternalLogonType,
    LogonType,
    ActorYammerUserId,
    YammerNetworkId,
}

impl RawKey {
    /// Every key, in the order of [`RawKey::index`].
    pub(crate) const ALL: [RawKey; 23] = [
        RawKey::Id,
        RawKey::Workload,
        RawKey::Operation,
        RawKey::RecordType,
        RawKey::CreationTime,
        RawKey::ResultStatus,
        RawKey::Severity,
        RawKey::UserType,
        RawKey::UserId,
        RawKey::OrganizationId,
        RawKey::Data,
        RawKey::Name,
        RawKey::PolicyId,
        RawKey::Category,
        RawKey::EntityType,
        RawKey::AlertEntityId,
        RawKey::ListBaseType,
        RawKey::AzureActiveDirectoryEventType,
        RawKey::Version,
        RawKey::InternalLogonType,
        RawKey::LogonType,
        RawKey::ActorYammerUserId,
        RawKey::YammerNetworkId,
    ];

    /// The field's name in a raw record.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RawKey::Id => "Id",
            RawKey::Workload => "Workload",
            RawKey::Operation => "Operation",
            RawKey::RecordType => "RecordType",
            RawKey::CreationTime => "CreationTime",
            RawKey::ResultStatus => "ResultStatus",
            RawKey::Severity => "Severity",
            RawKey::UserType => "UserType",
            RawKey::UserId => "UserId",
            RawKey::OrganizationId => "OrganizationId",
            RawKey::Data => "Data",
            RawKey::Name => "Name",
            RawKey::PolicyId => "PolicyId",
            RawKey::Category => "Category",
            RawKey::EntityType => "EntityType",
            RawKey::AlertEntityId => "AlertEntityId",
            RawKey::ListBaseType => "ListBaseType",
            RawKey::AzureActiveDirectoryEventType => "AzureActiveDirectoryEventType",
            RawKey::Version => "Version",
            RawKey::InternalLogonType => "InternalLogonType",
            RawKey::LogonType => "LogonType",
            RawKey::ActorYammerUserId => "ActorYammerUserId",
            RawKey::YammerNetworkId => "YammerNetworkId",
        }
    }

    /// Its position in [`RawKey::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    fn named(name: &str) -> Option<RawKey> {
        RawKey::ALL.into_iter().find(|key| key.name() == name)
    }
}

/// Raw fields that normalization moves out of `o365.audit` or rewrites
/// there; a path under them is not given by the view.
const REWRITTEN: [&str; 18] = [
    "Id",
    "Workload",
    "Operation",
    "OrganizationId",
    "UserAgent",
    "ClientIPAddress",
    "ClientIP",
    "ActorIpAddress",
    "AdditionalInfo",
    "OperationProperties",
    "Parameters",
    "ExtendedProperties",
    "ModifiedProperties",
    "Platform",
    "AlertLinks",
    "Data",
    "Actor",
    "Target",
];

/// Where one ECS field of a normalized raw record comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// the same text in every record
    Constant(&'static str),
    /// `event.category`
    Categories,
    /// `event.type`
    Types,
    /// `event.kind`
    Kind,
    /// `event.code`
    Code,
    /// `@timestamp`
    Timestamp,
    /// a raw field moved as it is (`event.id`, `event.action`)
    Moved(RawKey),
    /// `event.provider`
    Provider,
    /// `event.outcome`
    Outcome,
    /// `event.severity`
    Severity,
    /// `user.id`
    UserId,
    /// `user.name`
    UserName,
    /// `user.domain`, and `host.name`
    UserDomain,
    /// `user.email`
    UserEmail,
    /// `organization.id` and `host.id`
    Organization,
    /// an alert's field moved to `rule.*` (and its `Name` to `message`)
    Alert(RawKey),
    /// `o365.audit.<field>` that normalization turns into a string
    AsString(RawKey),
    /// `o365.audit.<field>` that an alert moves out
    KeptUnlessAlert(RawKey),
    /// `o365.audit.<path>` that normalization leaves as it is
    Kept(String),
}

/// A raw value a source reads: a field by name, or a dotted path (arrays
/// flattened, as everywhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawPath<'a> {
    Key(RawKey),
    Kept(&'a str),
}

impl RawPath<'_> {
    /// The path as dotted text.
    pub(crate) fn text(&self) -> &str {
        match self {
            RawPath::Key(key) => key.name(),
            RawPath::Kept(path) => path,
        }
    }
}

/// The raw record, as much of it as the view needs.
pub(crate) trait RawFields {
    /// A top-level field.
    fn field(&self, key: RawKey) -> Raw<'_>;

    /// Visits the non-null scalars at `path`, arrays flattened; true as
    /// soon as `visit` is.
    fn values(&self, path: RawPath<'_>, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool;

    /// Whether a scalar other than null and `""` lies strictly under
    /// `path` (in an object there).
    fn under(&self, path: RawPath<'_>) -> bool;

    /// Whether a top-level field is there and not null; a reader may
    /// tell it without reading the value.
    fn present(&self, key: RawKey) -> bool {
        self.field(key).is_some()
    }

    /// Whether a value at `path` has the term's text as its text (what
    /// [`values`](RawFields::values) would find); a reader may compare
    /// where the value lies.
    fn any_term(&self, path: RawPath<'_>, term: &Term) -> bool {
        self.values(path, &mut |value| value.text() == term.as_str())
    }
}

/// The fields that hold the same value in every record of the data set:
/// a query's clauses on them tell records apart last, if at all, and
/// are asked after the others (see `Query::asking_last`).
pub(crate) const CONSTANT_FIELDS: [&str; 4] = [
    "event.dataset",
    "data_stream.dataset",
    "event.module",
    "ecs.version",
];

/// The source of an ECS field, if the view gives it.
pub(crate) fn source(path: &str) -> Option<Source> {
    if let Some(rest) = path.strip_prefix("o365.audit.") {
        return kept(rest);
    }
    let alert = |name| RawKey::named(name).map(Source::Alert);
    let moved_by_alert = ALERT_MOVES.iter().find(|(_, to)| *to == path);
    if let Some((from, _)) = moved_by_alert {
        return alert(from);
    }
    Some(match path {
        "ecs.version" => Source::Constant(fields::ECS_VERSION),
        "event.dataset" | "data_stream.dataset" => Source::Constant(fields::DATASET),
        "event.module" => Source::Constant(fields::MODULE),
        "event.category" => Source::Categories,
        "event.type" => Source::Types,
        "event.kind" => Source::Kind,
        "event.code" => Source::Code,
        "@timestamp" => Source::Timestamp,
        "event.id" => Source::Moved(RawKey::Id),
        "event.action" => Source::Moved(RawKey::Operation),
        "event.provider" => Source::Provider,
        "event.outcome" => Source::Outcome,
        "event.severity" => Source::Severity,
        "user.id" => Source::UserId,
        "user.name" => Source::UserName,
        "user.domain" | "host.name" => Source::UserDomain,
        "user.email" => Source::UserEmail,
        "organization.id" | "host.id" => Source::Organization,
        "message" => Source::Alert(RawKey::Name),
        _ => return None,
    })
}

/// `o365.audit.<rest>`: the raw field, unless normalization rewrote it.
fn kept(rest: &str) -> Option<Source> {
    let key = RawKey::named(rest);
    if let Some(key) = key.filter(|_| STRING_FIELDS.contains(&rest)) {
        return Some(Source::AsString(key));
    }
    if let Some(key) = key.filter(|_| ALERT_MOVES.iter().any(|(from, _)| *from == rest)) {
        return Some(Source::KeptUnlessAlert(key));
    }
    let firsts = rest.match_indices('.').map(|(at, _)| &rest[..at]);
    let rewritten = |first: &str| {
        REWRITTEN.contains(&first)
            || STRING_FIELDS.contains(&first)
            || ALERT_MOVES.iter().any(|(from, _)| *from == first)
    };
    if firsts.chain([rest]).any(rewritten) || rest.is_empty() {
        return None;
    }
    Some(Source::Kept(rest.to_owned()))
}

impl Source {
    /// The raw values this source is made of, which a skim must keep.
    pub(crate) fn inputs(&self) -> Vec<RawPath<'_>> {
        use RawKey::*;
        let keys: &[RawKey] = match self {
            Source::Constant(_) => &[],
            Source::Categories | Source::Types | Source::Kind | Source::Code => &[RecordType],
            Source::Timestamp => &[CreationTime],
            Source::Moved(key) | Source::AsString(key) => return vec![RawPath::Key(*key)],
            Source::Provider => &[Workload, UserType],
            Source::Outcome => &[ResultStatus],
            Source::Severity => &[Severity],
            Source::UserId | Source::UserName | Source::UserDomain => &[UserId],
            Source::UserEmail => &[UserId, Data],
            Source::Organization => &[OrganizationId],
            Source::Alert(key) | Source::KeptUnlessAlert(key) => {
                return vec![RawPath::Key(RecordType), RawPath::Key(*key)];
            }
            Source::Kept(path) => return vec![RawPath::Kept(path)],
        };
        keys.iter().map(|key| RawPath::Key(*key)).collect()
    }

    /// Visits the field's values in `raw` (ANY semantics, as
    /// [`Document::any_value`](crate::doc::Document::any_value)); `None`
    /// when the view cannot tell for this record.
    pub(crate) fn any_value<R: RawFields + ?Sized>(
        &self,
        raw: &R,
        visit: &mut dyn FnMut(Scalar<'_>) -> bool,
    ) -> Option<bool> {
        let code = || fields::code(raw.field(RawKey::RecordType));
        let mut text = |text: &str| !text.is_empty() && visit(Scalar::Str(text));
        Some(match self {
            Source::Constant(constant) => text(constant),
            Source::Categories => fields::categories(code()).iter().any(|c| text(c)),
            Source::Types => fields::types(code()).iter().any(|t| text(t)),
            Source::Kind => text(fields::kind(code())),
            Source::Code => code().is_some_and(text),
            Source::Timestamp => timestamp(raw).is_some_and(|time| text(&time)),
            Source::Outcome => outcome(raw).is_some_and(text),
            Source::Severity => severity(raw).is_some_and(|n| visit(Scalar::Number(n))),
            Source::UserId => user_id(raw)?.is_some_and(text),
            Source::UserName => user_parts(raw).is_some_and(|(name, _)| text(name)),
            Source::UserDomain => user_parts(raw).is_some_and(|(_, domain)| text(domain)),
            Source::UserEmail => user_email(raw)?.is_some_and(text),
            Source::Organization => return organization(raw, visit),
            Source::AsString(key) => as_string(raw.field(*key))?.is_some_and(text),
            Source::Provider => match provider(raw) {
                Provider::Workload => non_empty(raw, WORKLOAD, visit),
                Provider::UserType(user_type) => text(user_type),
                Provider::None => false,
            },
            Source::Moved(_) | Source::Alert(_) | Source::KeptUnlessAlert(_) | Source::Kept(_) => {
                let path = self.moved(raw);
                path.is_some_and(|path| non_empty(raw, path, visit))
            }
        })
    }

    /// Whether a value of the field has the term's text as its text, as
    /// [`Source::any_value`] would find; `None` when the view cannot tell.
    pub(crate) fn any_term<R: RawFields + ?Sized>(&self, raw: &R, term: &Term) -> Option<bool> {
        match self {
            Source::Provider => Some(match provider(raw) {
                Provider::Workload => non_empty_term(raw, WORKLOAD, term),
                Provider::UserType(user_type) => user_type == term.as_str(),
                Provider::None => false,
            }),
            Source::Moved(_) | Source::Alert(_) | Source::KeptUnlessAlert(_) | Source::Kept(_) => {
                let path = self.moved(raw);
                Some(path.is_some_and(|path| non_empty_term(raw, path, term)))
            }
            _ => self.any_value(raw, &mut |value| value.text() == term.as_str()),
        }
    }

    /// Whether the field exists, as an `exists` query sees it: a value at
    /// it or under it; `None` when the view cannot tell.
    pub(crate) fn exists<R: RawFields + ?Sized>(&self, raw: &R) -> Option<bool> {
        let moved = match self {
            Source::Provider => match provider(raw) {
                Provider::Workload => Some(RawPath::Key(RawKey::Workload)),
                _ => None,
            },
            other => other.moved(raw),
        };
        match moved {
            Some(path) => Some(non_empty(raw, path, &mut |_| true) || raw.under(path)),
            None => self.any_value(raw, &mut |_| true),
        }
    }

    /// Where the raw values are that a source moves or keeps as they are,
    /// in this record; `None` for other sources, or when an alert's field
    /// is not moved (or is, for one kept unless it is).
    fn moved<'s, R: RawFields + ?Sized>(&'s self, raw: &R) -> Option<RawPath<'s>> {
        let is_alert = || fields::is_alert(fields::code(raw.field(RawKey::RecordType)));
        match self {
            Source::Moved(key) => Some(RawPath::Key(*key)),
            Source::Alert(key) => is_alert().then_some(RawPath::Key(*key)),
            Source::KeptUnlessAlert(key) => (!is_alert()).then_some(RawPath::Key(*key)),
            Source::Kept(path) => Some(RawPath::Kept(path)),
            _ => None,
        }
    }
}

fn provider<R: RawFields + ?Sized>(raw: &R) -> Provider<'_> {
    let workload = raw.present(RawKey::Workload);
    fields::provider(workload, || raw.field(RawKey::UserType))
}

/// Visits the values at `path` other than `""`, which normalization drops.
fn non_empty<R: RawFields + ?Sized>(
    raw: &R,
    path: RawPath<'_>,
    visit: &mut dyn FnMut(Scalar<'_>) -> bool,
) -> bool {
    raw.values(path, &mut |value| value != Scalar::Str("") && visit(value))
}

/// Whether a value at `path` other than `""` has the term's text.
fn non_empty_term<R: RawFields + ?Sized>(raw: &R, path: RawPath<'_>, term: &Term) -> bool {
    // NOTE: only a string has `""` as its text, and normalization drops
    // it; any other text is never that of a dropped value.
    !term.as_str().is_empty() && raw.any_term(path, term)
}

const WORKLOAD: RawPath<'static> = RawPath::Key(RawKey::Workload);

fn outcome<R: RawFields + ?Sized>(raw: &R) -> Option<&'static str> {
    fields::outcome(raw.field(RawKey::ResultStatus))
}

fn timestamp<R: RawFields + ?Sized>(raw: &R) -> Option<String> {
    let time = fields::timestamp(raw.field(RawKey::CreationTime))?;
    Some(time.to_string())
}

fn severity<R: RawFields + ?Sized>(raw: &R) -> Option<&'static str> {
    let level = fields::severity(raw.field(RawKey::Severity))?;
    ["1", "2", "3", "4"]
        .get(usize::from(level).checked_sub(1)?)
        .copied()
}

/// `user.id`: a scalar's text; `None` for a list, which the view does not
/// convert.
fn user_id<R: RawFields + ?Sized>(raw: &R) -> Option<Option<&str>> {
    match raw.field(RawKey::UserId) {
        Raw::List => None,
        other => Some(fields::scalar_text(other)),
    }
}

/// `user.name` and `user.domain`, from a `user.id` that is an address.
fn user_parts<R: RawFields + ?Sized>(raw: &R) -> Option<(&str, &str)> {
    let id = fields::scalar_text(raw.field(RawKey::UserId))?;
    fields::split_address(id)
}

/// `user.email`: the `user.id` that is an address, else `f3u` inside
/// `Data`, which the view does not parse.
fn user_email<R: RawFields + ?Sized>(raw: &R) -> Option<Option<&str>> {
    let id = fields::scalar_text(raw.field(RawKey::UserId));
    if let Some(id) = id.filter(|id| fields::split_address(id).is_some()) {
        return Some(Some(id));
    }
    match raw.field(RawKey::Data) {
        Raw::Absent | Raw::Null => Some(None),
        _ => None,
    }
}

fn organization<R: RawFields + ?Sized>(
    raw: &R,
    visit: &mut dyn FnMut(Scalar<'_>) -> bool,
) -> Option<bool> {
    Some(match raw.field(RawKey::OrganizationId) {
        Raw::Str(id) => {
            let id: Cow<'_, str> = fields::lower_case(id);
            !id.is_empty() && visit(Scalar::Str(&id))
        }
        Raw::Number(text) => visit(Scalar::Number(text)),
        Raw::Bool(flag) => visit(Scalar::Bool(flag)),
        Raw::Absent | Raw::Null => false,
        Raw::List | Raw::Object => return None,
    })
}

/// A field normalization turns into a string: a scalar's text; `None`
/// for a list or an object, which the view does not convert.
fn as_string(raw: Raw<'_>) -> Option<Option<&str>> {
    match raw {
        Raw::List | Raw::Object => None,
        other => Some(fields::scalar_text(other)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use super::*;
    use crate::doc::{Document, FieldPath};
    use crate::o365::normalize;

    #[test]
    fn constant_fields_are_constants_of_the_view() {
        for field in CONSTANT_FIELDS {
            assert!(
                matches!(source(field), Some(Source::Constant(_))),
                "{field}"
            );
        }
    }

    /// A parsed raw record, read as the view reads one.
    struct Parsed<'a>(&'a Value);

    impl RawFields for Parsed<'_> {
        fn field(&self, key: RawKey) -> Raw<'_> {
            Raw::of(self.0.get(key.name()))
        }

        fn values(&self, path: RawPath<'_>, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
            self.0.any_value(&FieldPath::new(path.text()), visit)
        }

        fn under(&self, path: RawPath<'_>) -> bool {
            let prefix = format!("{}.", path.text());
            self.0
                .any_leaf(&mut |leaf, value| leaf.starts_with(&prefix) && value != Scalar::Str(""))
        }
    }

    /// Every field path worth asking about: the event's leaves, the
    /// fields the view knows, and each raw field under `o365.audit`.
    fn paths(event: &Value, raw: &Map<String, Value>) -> Vec<String> {
        let mut paths = vec![
            "ecs.version",
            "event.dataset",
            "data_stream.dataset",
            "event.module",
            "event.category",
            "event.type",
            "event.kind",
            "event.code",
            "@timestamp",
            "event.id",
            "event.action",
            "event.provider",
            "event.outcome",
            "event.severity",
            "user.id",
            "user.name",
            "user.domain",
            "user.email",
            "host.name",
            "organization.id",
            "host.id",
            "message",
            "rule.name",
            "rule.id",
            "rule.category",
            "rule.ruleset",
            "rule.description",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        event.any_leaf(&mut |path, _| {
            paths.push(path.to_owned());
            false
        });
        paths.extend(raw.keys().map(|key| format!("o365.audit.{key}")));
        paths.sort();
        paths.dedup();
        paths
    }

    fn values(
        visit: impl FnOnce(&mut dyn FnMut(Scalar<'_>) -> bool) -> Option<bool>,
    ) -> Option<Vec<String>> {
        let mut found = Vec::new();
        visit(&mut |value| {
            found.push(format!("{value:?}"));
            false
        })?;
        Some(found)
    }

    /// Compares the view with normalization on every path of one record;
    /// returns the paths the view could not tell.
    fn compare(name: &str, raw: &Map<String, Value>, failures: &mut Vec<String>) -> Vec<String> {
        let event = normalize(raw);
        let record = Value::Object(raw.clone());
        let parsed = Parsed(&record);
        let mut unknown = Vec::new();
        for path in paths(&event, raw) {
            let Some(source) = source(&path) else {
                continue;
            };
            let field = FieldPath::new(&path);
            let want = values(|visit| Some(event.any_value(&field, visit)));
            let got = values(|visit| source.any_value(&parsed, visit));
            let exists = source.exists(&parsed);
            if got.is_none() || exists.is_none() {
                unknown.push(path);
                continue;
            }
            if got != want || exists != Some(event.exists(&field)) {
                failures.push(format!("{name}: {path}: view {got:?}, normalized {want:?}"));
            }
            for text in probes(&event, &field, &source, &record) {
                let term = Term::new(&text);
                let want = event.any_term(&field, &term);
                let got = source.any_term(&parsed, &term);
                if got.is_some_and(|got| got != want) {
                    failures.push(format!("{name}: {path}: text {text:?}: view {got:?}"));
                }
            }
        }
        unknown
    }

    /// Texts to ask `any_term` for: the field's values in the event, the
    /// raw values it is made of, and a few that no field should hold.
    fn probes(event: &Value, field: &FieldPath, source: &Source, raw: &Value) -> Vec<String> {
        let mut texts = vec![String::new(), "true".into(), "absent".into()];
        let mut keep = |value: Scalar<'_>| {
            texts.push(value.text().to_owned());
            false
        };
        event.any_value(field, &mut keep);
        for input in source.inputs() {
            raw.any_value(&FieldPath::new(input.text()), &mut keep);
        }
        texts.sort();
        texts.dedup();
        texts
    }

    fn cases() -> Vec<(String, Map<String, Value>)> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/cases/o365-normalize.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let document: Value = serde_json::from_str(&text).unwrap_or_default();
        let cases = document["cases"].as_array().cloned().unwrap_or_default();
        cases
            .iter()
            .filter_map(|case| {
                let name = case["name"].as_str()?.to_owned();
                Some((name, case["raw"].as_object()?.clone()))
            })
            .collect()
    }

    /// What the view leaves to normalization, by design: `user.email`
    /// from `f3u` inside `Data`, and fields made from a list or an object
    /// where a scalar is usual.
    fn left_to_normalization(path: &str, raw: &Map<String, Value>) -> bool {
        let Some(source) = source(path) else {
            return false;
        };
        let container = |input: &RawPath<'_>| {
            let value = raw.get(input.text());
            value.is_some_and(|value| value.is_array() || value.is_object())
        };
        let from_data = path == "user.email" && raw.contains_key("Data");
        from_data || source.inputs().iter().any(container)
    }

    #[test]
    fn view_gives_what_normalization_gives_for_every_case() {
        let cases = cases();
        assert!(cases.len() >= 30, "only {} cases", cases.len());
        let mut failures = Vec::new();
        for (name, raw) in &cases {
            let mut unknown = compare(name, raw, &mut failures);
            unknown.retain(|path| !left_to_normalization(path, raw));
            assert!(unknown.is_empty(), "{name}: view cannot tell {unknown:?}");
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn view_gives_what_normalization_gives_for_hostile_values() {
        let hostile: Vec<Value> = serde_json::from_str(
            r#"[null, true, 0, -1.5, 1e400, "", "@", "a@b", "A@B@C", "FAILED",
                "informational", "40", "0040", "  ", [], ["x", ""], [null, {}],
                {}, {"a": ""}, {"a": [1, {"b": "c"}]}, "\u0130"]"#,
        )
        .unwrap_or_default();
        let mut failures = Vec::new();
        for (name, raw) in cases() {
            let keys: Vec<String> = raw
                .keys()
                .cloned()
                .chain(RawKey::ALL.iter().map(|key| key.name().to_owned()))
                .collect();
            for key in keys {
                for value in &hostile {
                    let mut changed = raw.clone();
                    changed.insert(key.clone(), value.clone());
                    compare(
                        &format!("{name} with {key}: {value}"),
                        &changed,
                        &mut failures,
                    );
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }
}
