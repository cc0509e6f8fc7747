//! Evaluation: whether a document satisfies a query, as Elasticsearch
//! would answer over keyword fields (kql.md §2, with the choices of §0).
//!
//! Every leaf has ANY semantics over the values a field holds, a field
//! with no value fails every leaf (so `not` of it holds), and nothing
//! here can fail: a value of the wrong type is simply no match.

use super::ast::{Field, FieldKind, Is, Name, Nested, Node, Range, Value};
use std::net::IpAddr;

use super::compare::{self, Number};
use super::date;
use crate::doc::{Document, Scalar, Term};

/// What an evaluation needs besides the document.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Context {
    /// the current time in milliseconds, for `now` in date math
    pub(crate) now: Option<i64>,
}

impl Node {
    /// Whether `doc` satisfies this node.
    pub(crate) fn eval(&self, doc: &dyn Document, cx: Context) -> bool {
        match self {
            Node::MatchAll => true,
            Node::Or(items) => items.iter().any(|item| item.eval(doc, cx)),
            Node::And(items) => items.iter().all(|item| item.eval(doc, cx)),
            Node::Not(inner) => !inner.eval(doc, cx),
            Node::Is(is) => is.eval(doc),
            Node::Range(range) => range.eval(doc, cx),
            Node::Nested(nested) => nested.eval(doc, cx),
        }
    }
}

impl Is {
    fn eval(&self, doc: &dyn Document) -> bool {
        if let Some((name, term)) = self.term() {
            return doc.any_term(&name.path, term);
        }
        match &self.value {
            Value::Null => false,
            Value::Pattern(pattern) if pattern.is_lone() => exists(&self.field, doc),
            _ => any_value(&self.field, doc, |kind, value| self.accepts(kind, value)),
        }
    }

    /// The field and the term when this leaf is a plain term query,
    /// equal text and nothing else (see [`Is::accepts`]), which a
    /// document may answer without handing its values over.
    fn term(&self) -> Option<(&Name, &Term)> {
        let (Field::Name(name), Some(term)) = (&self.field, &self.term) else {
            return None;
        };
        let network = name.kind == FieldKind::Ip && self.net.is_some();
        (!network).then_some((name, term))
    }

    /// Whether one value of a field of `kind` equals the query's value.
    ///
    /// TODO: on a date field Elasticsearch compares instants, so
    /// `@timestamp:"2024-05-01T00:00:00Z"` also matches
    /// `2024-05-01T00:00:00.000Z`; here equality is text on every field.
    ///
    /// NOTE: Elasticsearch does not index a keyword longer than the
    /// mapping's `ignore_above` (1024 characters for ECS `event.*`), so
    /// such a value satisfies no query there. The mapping is unknown
    /// here, and no value the rule looks for comes near that length.
    fn accepts(&self, kind: FieldKind, value: Scalar<'_>) -> bool {
        let text = value.text();
        match &self.value {
            Value::Text { text: wanted, .. } => {
                text == wanted || (kind == FieldKind::Ip && self.in_net(text))
            }
            Value::Bool(flag) => text == if *flag { "true" } else { "false" },
            // NOTE: free text runs a wildcard over string leaves only, as
            // Elasticsearch's lenient query_string skips other types.
            Value::Pattern(pattern) => {
                let string = matches!(value, Scalar::Str(_));
                let free_text = matches!(self.field, Field::Any);
                (string || !free_text) && pattern.matches(text)
            }
            Value::Null => false,
        }
    }

    fn in_net(&self, text: &str) -> bool {
        self.net.is_some_and(|net| net.contains_text(text))
    }
}

/// `field:*`: a non-null value at or under the field; `*` as free text
/// is any value anywhere.
fn exists(field: &Field, doc: &dyn Document) -> bool {
    match field {
        Field::Name(name) => doc.exists(&name.path),
        Field::Pattern(pattern) => doc.any_leaf(&mut |path, _| pattern.matches(path)),
        Field::Any => doc.any_leaf(&mut |_, _| true),
    }
}

/// Visits each value `field` holds with the kind of field it sits in: a
/// pattern or free text reads every leaf whose path fits.
fn any_value<F>(field: &Field, doc: &dyn Document, mut visit: F) -> bool
where
    F: FnMut(FieldKind, Scalar<'_>) -> bool,
{
    match field {
        Field::Name(name) => {
            let kind = name.kind;
            doc.any_value(&name.path, &mut |value| visit(kind, value))
        }
        // TODO: inside a nested query the leaf paths are relative, so a
        // pattern field there takes its kind from the relative path.
        Field::Pattern(pattern) => doc.any_leaf(&mut |path, value| {
            pattern.matches(path) && visit(FieldKind::of(path), value)
        }),
        Field::Any => doc.any_leaf(&mut |path, value| visit(FieldKind::of(path), value)),
    }
}

impl Range {
    fn eval(&self, doc: &dyn Document, cx: Context) -> bool {
        let Some(bound) = self.bound.text.as_deref() else {
            return false;
        };
        if matches!(self.field, Field::Any) {
            return false;
        }
        any_value(&self.field, doc, |kind, value| match kind {
            FieldKind::Date => self.date_holds(value, cx),
            FieldKind::Ip => self.ip_holds(value, bound),
            FieldKind::Keyword => self.holds(value, bound),
        })
    }

    /// Numbers when both sides read as numbers, otherwise text order
    /// (byte order, as Elasticsearch orders keyword terms).
    fn holds(&self, value: Scalar<'_>, bound: &str) -> bool {
        let text = value.text();
        let number = self.bound.number.zip(Number::parse(text));
        let order = match number {
            Some((bound, number)) => number.cmp(bound),
            None => text.cmp(bound),
        };
        self.op.holds(order)
    }

    /// Addresses in address order when both sides are addresses (so
    /// `10.0.0.9` is below `10.0.0.10`), otherwise as on keyword fields.
    fn ip_holds(&self, value: Scalar<'_>, bound: &str) -> bool {
        let ip = value.text().parse::<IpAddr>().ok();
        match self.bound.ip.zip(ip) {
            Some((bound, ip)) => self.op.holds(compare::ip_order(ip, bound)),
            None => self.holds(value, bound),
        }
    }

    fn date_holds(&self, value: Scalar<'_>, cx: Context) -> bool {
        let round_up = self.op.rounds_up();
        let bound = self.bound.date.as_ref();
        let bound = bound.and_then(|math| math.resolve(cx.now, round_up));
        match (date::from_scalar(value), bound) {
            (Some(ms), Some(bound)) => self.op.holds(ms.cmp(&bound)),
            _ => false,
        }
    }
}

impl Nested {
    /// TODO: Elasticsearch expands dotted keys into objects before it
    /// indexes, so `{"a.b": 1, "a.c": 2}` holds one object at `a`; only
    /// objects under real keys are visited here.
    fn eval(&self, doc: &dyn Document, cx: Context) -> bool {
        let Some(path) = &self.lookup else {
            return false;
        };
        doc.any_object(path, &mut |object| self.query.eval(object, cx))
    }
}
