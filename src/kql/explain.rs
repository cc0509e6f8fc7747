//! Why a document did or did not match: the query's top-level clauses,
//! each with the values the document holds where the clause looks.
//!
//! A detection query is almost always an `and` of `field:value` clauses,
//! and an analyst's question is "which clause failed, and what did the
//! record have there instead?". This answers exactly that, clause by
//! clause, without trying to explain deeper structure.

use serde::Serialize;

use super::ast::{Field, Name, Node, Value};
use super::eval::Context;
use crate::doc::Document;

/// One top-level clause of a query, judged on one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClauseReport {
    /// the clause as canonical KQL
    pub text: String,
    /// the field, when the clause is `field:value` or a range on a field
    pub field: Option<String>,
    /// the value the clause wants: the text of `field:value` (`*` for
    /// exists), or the operator and value of a range (`>= 5`)
    pub expected: Option<String>,
    /// the values the document holds at `field`, as JSON
    pub values: Vec<serde_json::Value>,
    /// whether the document satisfies the clause
    pub passed: bool,
}

/// The clauses of `root` judged on `doc`: each item of a top-level
/// `and`, or the whole query as one clause.
pub(crate) fn explain(root: &Node, doc: &dyn Document, cx: Context) -> Vec<ClauseReport> {
    match root {
        Node::And(items) => items.iter().map(|item| report(item, doc, cx)).collect(),
        other => vec![report(other, doc, cx)],
    }
}

fn report(node: &Node, doc: &dyn Document, cx: Context) -> ClauseReport {
    let (name, expected) = match node {
        Node::Is(is) => (plain_name(&is.field), Some(expected_text(&is.value))),
        Node::Range(range) => {
            let value = expected_text(&range.value);
            let expected = format!("{} {value}", range.op.symbol());
            (plain_name(&range.field), Some(expected))
        }
        _ => (None, None),
    };
    ClauseReport {
        text: node.to_string(),
        field: name.map(|name| name.path.as_str().to_owned()),
        expected: name.and(expected),
        values: name.map(|name| values_at(doc, name)).unwrap_or_default(),
        passed: node.eval(doc, cx),
    }
}

fn plain_name(field: &Field) -> Option<&Name> {
    match field {
        Field::Name(name) => Some(name),
        Field::Any | Field::Pattern(_) => None,
    }
}

fn expected_text(value: &Value) -> String {
    value.plain_text().unwrap_or_else(|| "null".to_owned())
}

fn values_at(doc: &dyn Document, name: &Name) -> Vec<serde_json::Value> {
    let mut values = Vec::new();
    doc.any_value(&name.path, &mut |value| {
        values.push(value.to_json());
        false
    });
    values
}

/// A field a query names, and how it reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedField {
    /// the dotted name
    pub name: String,
    /// read by an `exists` test (`name:*`), which also looks under it
    pub exists: bool,
}

/// The fields `root` reads, when it reads named fields only.
pub(crate) fn named_fields(root: &Node) -> Option<Vec<NamedField>> {
    let mut fields = Vec::new();
    collect_named(root, &mut fields)?;
    Some(fields)
}

fn collect_named(node: &Node, fields: &mut Vec<NamedField>) -> Option<()> {
    let (field, exists) = match node {
        Node::MatchAll => return Some(()),
        Node::Or(items) | Node::And(items) => {
            return items
                .iter()
                .try_for_each(|item| collect_named(item, fields));
        }
        Node::Not(inner) => return collect_named(inner, fields),
        Node::Is(is) => {
            let lone = matches!(&is.value, Value::Pattern(p) if p.is_lone());
            (&is.field, lone)
        }
        // NOTE: a range over free text reads nothing (it never matches).
        Node::Range(range) if matches!(range.field, Field::Any) => return Some(()),
        Node::Range(range) => (&range.field, false),
        Node::Nested(_) => return None,
    };
    let Field::Name(name) = field else {
        return None;
    };
    fields.push(NamedField {
        name: name.path.as_str().to_owned(),
        exists,
    });
    Some(())
}

/// The field names `root` reads, in order of first use; a nested query's
/// fields are joined to its path (`top:{b:1}` reads `top` and `top.b`).
pub(crate) fn fields(root: &Node) -> Vec<String> {
    let mut names = Vec::new();
    collect_fields(root, "", &mut names);
    names
}

fn collect_fields(node: &Node, prefix: &str, names: &mut Vec<String>) {
    match node {
        Node::MatchAll => {}
        Node::Or(items) | Node::And(items) => {
            for item in items {
                collect_fields(item, prefix, names);
            }
        }
        Node::Not(inner) => collect_fields(inner, prefix, names),
        Node::Is(is) => {
            add_field(&is.field, prefix, names);
        }
        Node::Range(range) => {
            add_field(&range.field, prefix, names);
        }
        Node::Nested(nested) => {
            if let Some(path) = add_field(&nested.path, prefix, names) {
                collect_fields(&nested.query, &path, names);
            }
        }
    }
}

/// Whether free text or a wildcard field name appears anywhere.
pub(crate) fn reads_every_field(node: &Node) -> bool {
    let open = |field: &Field| !matches!(field, Field::Name(_));
    match node {
        Node::MatchAll => false,
        Node::Or(items) | Node::And(items) => items.iter().any(reads_every_field),
        Node::Not(inner) => reads_every_field(inner),
        Node::Is(is) => open(&is.field),
        Node::Range(range) => matches!(range.field, Field::Pattern(_)),
        Node::Nested(nested) => reads_every_field(&nested.query),
    }
}

/// Adds the field's full name unless already there; the full name.
fn add_field(field: &Field, prefix: &str, names: &mut Vec<String>) -> Option<String> {
    let text = field.text()?;
    let full = if prefix.is_empty() {
        text
    } else {
        format!("{prefix}.{text}")
    };
    if !names.contains(&full) {
        names.push(full.clone());
    }
    Some(full)
}
