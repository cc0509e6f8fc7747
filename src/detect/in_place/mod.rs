//! Judging a record read in place: an object that a host holds (a
//! JavaScript object), read one member at a time as the questions need
//! it, never copied whole.
//!
//! The reader answers for what the JSON text of the object would hold:
//! the members that tell a record's shape (wrappers, and the marks of a
//! raw record, as [`o365::read_json`](crate::o365::read_json) tells
//! them), the values at dotted paths (Elasticsearch's flattening, as
//! [`Document`] does for a parsed value), and a raw record's fields for
//! the normalized view ([`crate::o365::view`]). Where it cannot tell (a
//! value JSON would write otherwise, a question the view cannot answer),
//! it says so, and the caller reads the record in full: the answers are
//! always those of the full path.

// NOTE: only the wasm boundary reads records in place; on other targets
// the tests do.
#![cfg_attr(
    not(all(target_arch = "wasm32", target_os = "unknown")),
    allow(dead_code)
)]

use std::borrow::Cow;
use std::cell::Cell;

use super::{DatasetView, Detector, Verdict};
use crate::doc::{Document, FieldPath, Scalar, Term};
use crate::o365::view::{self, RawFields, Source};
use crate::o365::{RecordKind, MAX_WRAPPERS};
use crate::skim::{Skimmer, ValueKind};

/// The members whose kinds tell a record's shape, read together: the
/// wrappers in the order the full path tries them, a search hit's index,
/// and the marks of a raw record.
pub(crate) const SHAPE_KEYS: [&str; 10] = [
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
];
const O365AUDIT: usize = 0;
const GRAPH: usize = 1;
const EXPORT: usize = 2;
const SOURCE: usize = 3;
const INDEX: usize = 4;
const EVENT_KIND: usize = 5;
const WORKLOAD: usize = 6;
const OPERATION: usize = 7;
const RECORD_TYPE: usize = 8;
const CREATION_TIME: usize = 9;

/// What the members of [`SHAPE_KEYS`] hold, in that order; `Absent` for
/// a member JSON would leave out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Shape(pub(crate) [ValueKind; SHAPE_KEYS.len()]);

impl Shape {
    fn kind(&self, member: usize) -> ValueKind {
        self.0.get(member).copied().unwrap_or_default()
    }

    fn has(&self, member: usize) -> bool {
        self.kind(member) != ValueKind::Absent
    }

    /// A raw record has `Workload` or `Operation`, and `RecordType` or
    /// `CreationTime`, as the full path tells it.
    fn is_raw(&self) -> bool {
        let what = self.has(WORKLOAD) || self.has(OPERATION);
        what && (self.has(RECORD_TYPE) || self.has(CREATION_TIME))
    }
}

/// An object read in place: its shape, its members, the values at its
/// paths as a [`Document`], and, for a raw record, its fields.
pub(crate) trait InPlace: Document + RawFields + Sized {
    /// The kinds of the members [`SHAPE_KEYS`] names.
    fn shape(&self) -> Shape;

    /// Whether the member `event` is an object that holds `kind`, with
    /// any value (null too).
    fn event_holds_kind(&self) -> bool;

    /// The object at a member.
    fn member(&self, key: &'static str) -> Option<Self>;

    /// The string at a member.
    fn text(&self, key: &'static str) -> Option<String>;

    /// Whether some question could not be answered exactly: the answers
    /// given are then not to be trusted.
    fn was_unsure(&self) -> bool;
}

/// A record with its wrappers taken off, as the full path takes them.
pub(crate) enum Body<R> {
    /// an object: a raw record or an ECS document
    Object { record: R, raw: bool },
    /// JSON text held in a wrapper's string member
    Text(String),
}

/// A record's body and the `_index` of the search hit around it.
pub(crate) struct Unwrapped<R> {
    pub(crate) body: Body<R>,
    pub(crate) index: Option<String>,
}

/// Takes off the wrappers around `record`; `None` when the reader could
/// not tell, or when the full path would refuse the record (it then says
/// why).
pub(crate) fn unwrap<R: InPlace>(record: R) -> Option<Unwrapped<R>> {
    let mut body = record;
    let mut shape = body.shape();
    let mut index = None;
    for _ in 0..MAX_WRAPPERS {
        let Some((kind, member)) = wrapper(&body, &shape) else {
            break;
        };
        if index.is_none() && kind == RecordKind::EsHit && shape.kind(INDEX) == ValueKind::Str {
            index = body.text(SHAPE_KEYS[INDEX]);
        }
        let key = SHAPE_KEYS[member];
        let inner = match shape.kind(member) {
            ValueKind::Object => body.member(key)?,
            ValueKind::Str => {
                let text = body.text(key)?;
                return (!body.was_unsure()).then_some(Unwrapped {
                    body: Body::Text(text),
                    index,
                });
            }
            _ => return None,
        };
        if body.was_unsure() {
            return None;
        }
        body = inner;
        shape = body.shape();
    }
    if may_be_fields_hit(&body, &shape) {
        return None;
    }
    let raw = shape.is_raw();
    (!body.was_unsure()).then_some(Unwrapped {
        body: Body::Object { record: body, raw },
        index,
    })
}

/// The wrapper around `body`, tried in the full path's order: its kind
/// and the member that holds the record.
fn wrapper<R: InPlace>(body: &R, shape: &Shape) -> Option<(RecordKind, usize)> {
    let o365audit = || {
        let processed = || shape.has(EVENT_KIND) || body.event_holds_kind();
        shape.kind(O365AUDIT) == ValueKind::Object && !processed()
    };
    Some(if o365audit() {
        (RecordKind::O365Audit, O365AUDIT)
    } else if shape.has(GRAPH) {
        (RecordKind::Graph, GRAPH)
    } else if shape.has(EXPORT) {
        (RecordKind::ExportRow, EXPORT)
    } else if shape.kind(SOURCE) == ValueKind::Object {
        (RecordKind::EsHit, SOURCE)
    } else {
        return None;
    })
}

/// A search hit that may hold its document in `fields` rather than in
/// `_source`: rare enough that the full path, which reads `fields` as flat
/// dotted keys, takes it.
fn may_be_fields_hit<R: InPlace>(body: &R, shape: &Shape) -> bool {
    shape.has(INDEX) && !shape.has(SOURCE) && body.member("fields").is_some()
}

/// Where each field a query reads comes from in a raw record, worked out
/// once from the query's field names.
#[derive(Clone, Debug, Default)]
pub(crate) struct ViewFields {
    fields: Vec<(Box<str>, Option<Source>)>,
}

impl ViewFields {
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> ViewFields {
        let mut fields: Vec<(Box<str>, Option<Source>)> = Vec::new();
        for name in names {
            if !fields.iter().any(|(known, _)| **known == *name) {
                fields.push((name.into(), view::source(name)));
            }
        }
        ViewFields { fields }
    }

    /// The source of a field; one the query does not name is looked up.
    fn source(&self, path: &str) -> Option<Cow<'_, Source>> {
        let known = self.fields.iter().find(|(name, _)| **name == *path);
        match known {
            Some((_, source)) => source.as_ref().map(Cow::Borrowed),
            None => view::source(path).map(Cow::Owned),
        }
    }
}

/// The normalized event of a raw record read in place, as the queries
/// see it: each field from the raw values it is made of.
pub(crate) struct RawView<'a, R: ?Sized> {
    raw: &'a R,
    fields: &'a ViewFields,
    unsure: Cell<bool>,
}

impl<'a, R: RawFields + ?Sized> RawView<'a, R> {
    pub(crate) fn new(raw: &'a R, fields: &'a ViewFields) -> RawView<'a, R> {
        RawView {
            raw,
            fields,
            unsure: Cell::new(false),
        }
    }

    /// Whether a question asked could not be answered by the view.
    pub(crate) fn was_unsure(&self) -> bool {
        self.unsure.get()
    }

    fn unsure(&self) -> bool {
        self.unsure.set(true);
        false
    }

    fn ask(&self, path: &FieldPath, question: impl Fn(&Source) -> Option<bool>) -> bool {
        let answer = self.fields.source(path.as_str());
        let answer = answer.and_then(|source| question(&source));
        answer.unwrap_or_else(|| self.unsure())
    }
}

impl<R: RawFields + ?Sized> Document for RawView<'_, R> {
    fn any_value(&self, path: &FieldPath, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        let answer = self.fields.source(path.as_str());
        let answer = answer.and_then(|source| source.any_value(self.raw, visit));
        answer.unwrap_or_else(|| self.unsure())
    }

    fn any_term(&self, path: &FieldPath, term: &Term) -> bool {
        self.ask(path, |source| source.any_term(self.raw, term))
    }

    fn has_value(&self, path: &FieldPath) -> bool {
        self.ask(path, |source| source.any_value(self.raw, &mut |_| true))
    }

    fn exists(&self, path: &FieldPath) -> bool {
        self.ask(path, |source| source.exists(self.raw))
    }

    /// Nested queries are not read in place.
    fn any_object(&self, _: &FieldPath, _: &mut dyn FnMut(&dyn Document) -> bool) -> bool {
        self.unsure()
    }

    /// Wildcard field names and free text are not read in place.
    fn any_leaf(&self, _: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool {
        self.unsure()
    }
}

impl Detector {
    /// The two verdicts on a record read in place; `None` when they
    /// cannot be told from it exactly (read it in full then).
    pub(crate) fn judge_in_place<R: InPlace>(&self, record: R) -> Option<Verdict> {
        let Unwrapped { body, index } = unwrap(record)?;
        let index = index.as_deref().or(self.options.index.as_deref());
        match body {
            Body::Object { record, raw: true } => {
                let view = RawView::new(&record, &self.view_fields);
                let verdict = self.judge_document(&view);
                (!view.was_unsure() && !record.was_unsure()).then_some(verdict)
            }
            Body::Object { record, raw: false } => {
                let verdict = self.judge_document(&DatasetView::new(&record, index));
                (!record.was_unsure()).then_some(verdict)
            }
            Body::Text(text) => self.judge_wrapped_text(&text, index),
        }
    }

    /// The verdicts on a record held as JSON text in a wrapper, from a
    /// skim; `None` unless the text is one bare record (a wrapper inside
    /// counts against the full path's limit, which only it keeps).
    fn judge_wrapped_text(&self, text: &str, index: Option<&str>) -> Option<Verdict> {
        let plan = self.lean.as_ref()?;
        let mut skimmer = Skimmer::default();
        let mut lean = skimmer.json(text, plan)?;
        if !matches!(lean.kind, RecordKind::Raw | RecordKind::Ecs) {
            return None;
        }
        lean.index = index;
        self.judge_lean(&lean)
    }
}

impl super::CompiledQuery {
    /// Whether a record read in place matches; `None` when that cannot
    /// be told from it exactly (read it in full then).
    pub(crate) fn matches_in_place<R: InPlace>(&self, record: R) -> Option<bool> {
        let Unwrapped { body, index } = unwrap(record)?;
        match body {
            Body::Object { record, raw: true } => {
                let view = RawView::new(&record, &self.view_fields);
                let matched = self.query().matches(&view);
                (!view.was_unsure() && !record.was_unsure()).then_some(matched)
            }
            Body::Object { record, raw: false } => {
                let view = DatasetView::new(&record, index.as_deref());
                let matched = self.query().matches(&view);
                (!record.was_unsure()).then_some(matched)
            }
            Body::Text(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;
