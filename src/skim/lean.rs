//! A record as a skim left it: the values at the paths the queries read,
//! readable as a [`Document`].

use std::cell::Cell;

use super::plan::{key_words, Plan};
use super::{Captures, ValueKind, WrappedBody, Wrapper};
use crate::doc::{Document, FieldPath, Scalar};
use crate::kql::NamedField;
use crate::o365::fields::Raw;
use crate::o365::view::{self, RawFields, RawKey, RawPath, Source};
use crate::o365::RecordKind;

/// Paths every skim keeps, to tell a record's shape; their slots are
/// their positions here.
const SHAPE: [&str; 12] = [
    "o365audit",
    "auditData",
    "AuditData",
    "_source",
    "_index",
    "event.kind",
    "Workload",
    "Operation",
    "RecordType",
    "CreationTime",
    "Id",
    "fields",
];
const O365AUDIT: u8 = 0;
const GRAPH: u8 = 1;
const EXPORT: u8 = 2;
const SOURCE: u8 = 3;
const INDEX: u8 = 4;
const PROCESSED: u8 = 5;
const WORKLOAD: u8 = 6;
const OPERATION: u8 = 7;
const RECORD_TYPE: u8 = 8;
const CREATION_TIME: u8 = 9;
const ID: u8 = 10;
const FIELDS: u8 = 11;

/// ECS fields every judgement reads besides the queries': the dataset,
/// which Elasticsearch fills in for its data stream (`DatasetView`).
const DATASET_FIELDS: [&str; 2] = ["event.dataset", "data_stream.dataset"];

/// What the skims of a scan keep, worked out once from the queries.
#[derive(Clone, Debug)]
pub(crate) struct LeanPlan {
    plan: Plan,
    /// each field the queries read
    fields: Vec<Field>,
    /// whether the view gives every field read, for raw records
    viewable: bool,
    /// the slots of the raw fields the view reads, by [`RawKey::index`]
    raw_keys: [Option<u8>; RawKey::ALL.len()],
    event_id: Option<u8>,
}

/// A field the queries read.
#[derive(Clone, Debug)]
struct Field {
    name: String,
    key: PathKey,
    /// where an ECS document's values are kept
    slot: Option<u8>,
    /// where a raw record's value comes from, if the view gives it
    source: Option<Source>,
}

/// A dotted name by its length and first and last eight bytes, which is
/// the whole name up to 16 bytes: looked up without comparing text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PathKey {
    length: usize,
    head: u64,
    tail: u64,
}

impl PathKey {
    fn of(path: &str) -> PathKey {
        let (head, tail) = key_words(path.as_bytes());
        PathKey {
            length: path.len(),
            head,
            tail,
        }
    }
}

impl LeanPlan {
    /// A plan for queries that read `fields`; `None` when there are too
    /// many to keep (every record then takes the full path).
    pub(crate) fn new(fields: &[NamedField]) -> Option<LeanPlan> {
        let names = fields.iter().map(|f| f.name.as_str()).chain(DATASET_FIELDS);
        let mut read: Vec<String> = Vec::new();
        for name in names {
            if !read.iter().any(|known| known == name) {
                read.push(name.to_owned());
            }
        }
        let sources: Vec<Option<Source>> = read.iter().map(|p| view::source(p)).collect();
        let mut paths: Vec<String> = SHAPE.map(str::to_owned).to_vec();
        paths.extend(read.iter().cloned());
        paths.push("event.id".to_owned());
        for source in sources.iter().flatten() {
            paths.extend(source.inputs().iter().map(|input| input.text().to_owned()));
        }
        let plan = Plan::new(&paths, fields.iter().any(|f| f.exists))?;
        let fields = read.iter().zip(&sources).map(|(name, source)| Field {
            name: name.clone(),
            key: PathKey::of(name),
            slot: plan.slot(name),
            source: source.clone(),
        });
        Some(LeanPlan {
            raw_keys: RawKey::ALL.map(|key| plan.slot(key.name())),
            event_id: plan.slot("event.id"),
            viewable: sources.iter().all(Option::is_some),
            fields: fields.collect(),
            plan,
        })
    }

    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The fields the queries read, as ECS names.
    #[cfg(test)]
    pub(crate) fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|field| field.name.as_str())
    }

    /// The wrapper around the record just skimmed, tried in the order the
    /// full path tries them.
    pub(crate) fn wrapper(&self, captures: &Captures) -> Option<Wrapper> {
        let present = |slot| captures.kind(slot) != ValueKind::Absent;
        let object = |slot| captures.kind(slot) == ValueKind::Object;
        let (kind, slot) = if object(O365AUDIT) && !present(PROCESSED) {
            (RecordKind::O365Audit, O365AUDIT)
        } else if present(GRAPH) {
            (RecordKind::Graph, GRAPH)
        } else if present(EXPORT) {
            (RecordKind::ExportRow, EXPORT)
        } else if object(SOURCE) {
            (RecordKind::EsHit, SOURCE)
        } else if object(FIELDS) && present(INDEX) && !present(SOURCE) {
            // NOTE: a hit's `fields` is a document of arrays, which the
            // full path turns into one; a skim does not.
            let kind = RecordKind::EsHit;
            return Some(Wrapper { kind, body: None });
        } else {
            return None;
        };
        let body = match captures.kind(slot) {
            ValueKind::Object => captures
                .span(slot)
                .map(|(start, end)| WrappedBody::Object(start, end)),
            ValueKind::Str => Some(WrappedBody::Text(slot)),
            _ => None,
        };
        Some(Wrapper { kind, body })
    }

    /// A search hit's `_index`, when it is a string.
    pub(crate) fn hit_index<'c>(&self, captures: &'c Captures) -> Option<&'c str> {
        let text = captures.kind(INDEX) == ValueKind::Str;
        text.then(|| captures.first_text(INDEX)).flatten()
    }

    /// A raw record has `Workload` or `Operation`, and `RecordType` or
    /// `CreationTime`, as in the full path.
    fn is_raw(&self, captures: &Captures) -> bool {
        let present = |slot| captures.kind(slot) != ValueKind::Absent;
        (present(WORKLOAD) || present(OPERATION))
            && (present(RECORD_TYPE) || present(CREATION_TIME))
    }

    /// A field read, found by its words (and its text past 16 bytes).
    #[inline]
    fn field(&self, path: &str) -> Option<&Field> {
        let key = PathKey::of(path);
        let whole = key.length <= 16;
        let same = |f: &&Field| f.key == key && (whole || f.name == path);
        self.fields.iter().find(same)
    }
}

/// One record, skimmed.
#[derive(Debug)]
pub(crate) struct Lean<'s> {
    /// how it arrived, as the full path would name it
    pub(crate) kind: RecordKind,
    /// its content's fingerprint
    pub(crate) fingerprint: u128,
    /// a search hit's `_index`
    pub(crate) index: Option<&'s str>,
    /// a raw record, read through the normalized view
    raw: bool,
    captures: &'s Captures,
    plan: &'s LeanPlan,
    /// a question was asked that this record cannot answer
    unknown: Cell<bool>,
}

impl<'s> Lean<'s> {
    pub(crate) fn new(
        wrapper: Option<RecordKind>,
        index: Option<&'s str>,
        captures: &'s Captures,
        plan: &'s LeanPlan,
    ) -> Lean<'s> {
        let raw = plan.is_raw(captures);
        let own = if raw {
            RecordKind::Raw
        } else {
            RecordKind::Ecs
        };
        Lean {
            kind: wrapper.unwrap_or(own),
            fingerprint: captures.fingerprint,
            index,
            raw,
            captures,
            plan,
            unknown: Cell::new(false),
        }
    }

    /// Whether it was read as a raw record, through the normalized view.
    pub(crate) fn is_raw(&self) -> bool {
        self.raw
    }

    /// Whether the queries can be answered from what was kept: always
    /// for an ECS document, for a raw record when the view gives every
    /// field they read.
    pub(crate) fn answerable(&self) -> bool {
        !self.raw || self.plan.viewable
    }

    /// Whether a question asked so far could not be answered; the
    /// answers given are then not to be trusted.
    pub(crate) fn was_unsure(&self) -> bool {
        self.unknown.get()
    }

    /// The record's id, as the full path reads it: a raw record's `Id`,
    /// an ECS document's first `event.id` string. `None` when it cannot
    /// tell (values by two splits of `event.id`, whose order differs).
    pub(crate) fn id(&self) -> Option<Option<&'s str>> {
        if self.raw {
            let text = self.captures.kind(ID) == ValueKind::Str;
            return Some(text.then(|| self.captures.first_text(ID)).flatten());
        }
        let slot = self.plan.event_id?;
        if self.captures.mixed(slot) {
            return None;
        }
        let mut strings = self
            .captures
            .values(slot)
            .filter(|(kind, _)| *kind == ValueKind::Str);
        Some(strings.next().map(|(_, text)| text))
    }

    fn unsure(&self) -> bool {
        self.unknown.set(true);
        false
    }

    fn raw_slot(&self, path: RawPath<'_>) -> Option<u8> {
        match path {
            RawPath::Key(key) => self.plan.raw_keys.get(key.index()).copied().flatten(),
            RawPath::Kept(path) => self.plan.plan.slot(path),
        }
    }
}

fn scalar(kind: ValueKind, text: &str) -> Scalar<'_> {
    match kind {
        ValueKind::Number => Scalar::Number(text),
        ValueKind::Bool => Scalar::Bool(text == "true"),
        _ => Scalar::Str(text),
    }
}

impl Document for Lean<'_> {
    fn any_value(&self, path: &FieldPath, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        let field = self.plan.field(path.as_str());
        if self.raw {
            let source = field.and_then(|field| field.source.as_ref());
            let answer = source.and_then(|source| source.any_value(self, visit));
            return answer.unwrap_or_else(|| self.unsure());
        }
        match field.and_then(|field| field.slot) {
            Some(slot) => {
                let mut values = self.captures.values(slot);
                values.any(|(kind, text)| visit(scalar(kind, text)))
            }
            None => self.unsure(),
        }
    }

    fn exists(&self, path: &FieldPath) -> bool {
        let field = self.plan.field(path.as_str());
        if self.raw {
            let source = field.and_then(|field| field.source.as_ref());
            let answer = source.and_then(|source| source.exists(self));
            return answer.unwrap_or_else(|| self.unsure());
        }
        match field.and_then(|field| field.slot) {
            Some(slot) => {
                let at = self.captures.values(slot).next().is_some();
                at || self.captures.under(slot, false)
            }
            None => self.unsure(),
        }
    }

    /// Nested queries are not read from a skim.
    fn any_object(&self, _: &FieldPath, _: &mut dyn FnMut(&dyn Document) -> bool) -> bool {
        self.unsure()
    }

    /// Wildcard field names and free text are not read from a skim.
    fn any_leaf(&self, _: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool {
        self.unsure()
    }
}

impl RawFields for Lean<'_> {
    fn field(&self, key: RawKey) -> Raw<'_> {
        let Some(slot) = self.raw_slot(RawPath::Key(key)) else {
            self.unsure();
            return Raw::Absent;
        };
        let text = || self.captures.first_text(slot).unwrap_or("");
        match self.captures.kind(slot) {
            ValueKind::Absent => Raw::Absent,
            ValueKind::Null => Raw::Null,
            ValueKind::Str => Raw::Str(text()),
            ValueKind::Number => Raw::Number(text()),
            ValueKind::Bool => Raw::Bool(text() == "true"),
            ValueKind::Array => Raw::List,
            ValueKind::Object => Raw::Object,
        }
    }

    fn values(&self, path: RawPath<'_>, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        match self.raw_slot(path) {
            Some(slot) => {
                let mut values = self.captures.values(slot);
                values.any(|(kind, text)| visit(scalar(kind, text)))
            }
            None => self.unsure(),
        }
    }

    fn under(&self, path: RawPath<'_>) -> bool {
        match self.raw_slot(path) {
            Some(slot) => self.captures.under(slot, true),
            None => self.unsure(),
        }
    }
}
