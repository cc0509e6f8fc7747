//! Reading a document the way Elasticsearch indexes it.
//!
//! The KQL evaluator never sees `serde_json` directly: it asks a
//! [`Document`] for the values at a dotted field path. That keeps one
//! compiled query usable over a parsed JSON value today, and over a lean
//! record or a JavaScript object read property by property later.
//!
//! Elasticsearch flattens a JSON document before it indexes it, and the
//! implementation for [`serde_json::Value`] reproduces that flattening:
//!
//! - nested objects and flat dotted keys address the same field, so
//!   `{"event":{"action":"x"}}`, `{"event.action":"x"}` and mixtures such
//!   as `{"event":{"action.sub":"x"}}` are all read by trying every split
//!   of the dotted path into keys;
//! - arrays are flattened at any depth, arrays of objects included, so
//!   `{"a":[{"b":1},{"b":[2]}]}` holds `a.b` = 1 and 2;
//! - `null` is no value at all.
//!
//! # Examples
//!
//! ```
//! use m365_restricted_sender::doc::{Document, FieldPath, Scalar};
//! use serde_json::json;
//!
//! let doc = json!({"event": {"category": ["iam", "web"]}});
//! let path = FieldPath::new("event.category");
//! assert!(doc.any_value(&path, &mut |v| v == Scalar::Str("web")));
//! assert!(!doc.any_value(&path, &mut |v| v == Scalar::Str("file")));
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use serde_json::{Map, Value};

/// How deep a walk goes into a document before it stops looking.
///
/// `serde_json` refuses to parse deeper than 128 levels, but a value built
/// in code has no such bound, and every recursion on input is bounded.
const MAX_DEPTH: u32 = 256;

/// One indexed value: what a keyword field holds for a JSON scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar<'a> {
    /// a JSON string
    Str(&'a str),
    /// a JSON number, as its JSON text (`1.0` stays `1.0`)
    Number(&'a str),
    /// a JSON boolean
    Bool(bool),
}

impl<'a> Scalar<'a> {
    /// The text a keyword field indexes for this value: the string itself,
    /// the number's JSON text, `true` or `false`.
    pub fn text(self) -> &'a str {
        match self {
            Scalar::Str(text) | Scalar::Number(text) => text,
            Scalar::Bool(true) => "true",
            Scalar::Bool(false) => "false",
        }
    }

    /// The value as JSON, for reports that show what a document holds.
    pub fn to_json(self) -> Value {
        match self {
            Scalar::Str(text) => Value::String(text.to_owned()),
            Scalar::Bool(flag) => Value::Bool(flag),
            Scalar::Number(text) => {
                let parsed = serde_json::from_str(text);
                parsed.unwrap_or_else(|_| Value::String(text.to_owned()))
            }
        }
    }
}

/// What an id is given to: a path and a term of the same text must not
/// share one, since a reader makes something else of each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    Path,
    Term,
}

/// Texts given ids lately, with their ids.
static GIVEN: Mutex<Vec<(Named, Box<str>, u64)>> = Mutex::new(Vec::new());

/// Past this many texts the list starts again: ids of texts seen before
/// then are not given again, only new ones.
const MAX_GIVEN: usize = 256;

/// A number that no path or term of another text has had in this
/// process, so that a reader may keep what it makes of one (a key in
/// another runtime's strings) under it; one already given to the same
/// text, as a path or as a term, where it is still listed. Two queries
/// then name `event.provider` by the same id, and a reader that
/// remembers an answer for one gives it to the other.
fn id_for(named: Named, text: &str) -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    // NOTE: a poisoned lock only means a panic elsewhere while the list
    // was held; the list itself is always whole.
    let mut given = GIVEN.lock().unwrap_or_else(PoisonError::into_inner);
    let known = given.iter().find(|(n, t, _)| *n == named && **t == *text);
    if let Some((_, _, id)) = known {
        return *id;
    }
    if given.len() >= MAX_GIVEN {
        given.clear();
    }
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    given.push((named, text.into(), id));
    id
}

/// A dotted field name such as `event.action`, ready for lookups.
///
/// A lookup tries every split of the name into keys, so the name is kept
/// whole: each candidate key is a slice of it and nothing is allocated.
/// Two paths are equal when their names are.
#[derive(Clone, Debug)]
pub struct FieldPath {
    dotted: Box<str>,
    /// the byte offsets of the dots, found once rather than per lookup
    dots: Box<[usize]>,
    id: u64,
}

impl PartialEq for FieldPath {
    fn eq(&self, other: &FieldPath) -> bool {
        self.dotted == other.dotted
    }
}

impl Eq for FieldPath {}

impl std::hash::Hash for FieldPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.dotted.hash(state);
    }
}

impl FieldPath {
    /// A path from its dotted name, exactly as written (names are
    /// case-sensitive and not trimmed).
    pub fn new(dotted: &str) -> FieldPath {
        let dots = dotted.match_indices('.').map(|(at, _)| at).collect();
        FieldPath {
            dotted: dotted.into(),
            dots,
            id: id_for(Named::Path, dotted),
        }
    }

    /// The dotted name.
    pub fn as_str(&self) -> &str {
        &self.dotted
    }

    /// A number that no path of another name has (and that most paths
    /// of this name share).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The part after the last dot (`ip` for `source.ip`).
    pub fn last_part(&self) -> &str {
        self.dotted.rsplit('.').next().unwrap_or_default()
    }

    /// Every way to cut the path from byte `from` into a first key and
    /// where the rest starts: `a.b.c` gives (`a`, 2), (`a.b`, 4) and
    /// (`a.b.c`, nothing).
    fn splits(&self, from: usize) -> impl Iterator<Item = Split<'_>> + '_ {
        let key = move |end: usize| self.dotted.get(from..end).unwrap_or("");
        let cuts = self.dots.iter().copied().filter(move |&at| at >= from);
        cuts.map(move |at| (key(at), Some(at + 1)))
            .chain(std::iter::once((key(self.dotted.len()), None)))
    }
}

/// A text that values are compared with, as a term query compares them:
/// a query's literal, made once. Two terms are equal when their texts
/// are.
#[derive(Clone, Debug)]
pub struct Term {
    text: Box<str>,
    id: u64,
}

impl Term {
    /// A term of `text`, exactly as written.
    pub fn new(text: &str) -> Term {
        Term {
            text: text.into(),
            id: id_for(Named::Term, text),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// A number that no term of another text has, like
    /// [`FieldPath::id`]'s.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl PartialEq for Term {
    fn eq(&self, other: &Term) -> bool {
        self.text == other.text
    }
}

impl Eq for Term {}

/// A first key, and where the rest of the path starts (None: nowhere).
type Split<'a> = (&'a str, Option<usize>);

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.dotted)
    }
}

/// Read access to a document, with Elasticsearch's view of its fields.
///
/// Every method has ANY semantics: it stops and returns true as soon as
/// `visit` returns true, and returns false when nothing did.
pub trait Document {
    /// Visits each non-null scalar at `path`: nested objects and flat
    /// dotted keys alike, arrays flattened. An object at `path` holds no
    /// value (a query on an object field matches nothing in Elasticsearch).
    fn any_value(&self, path: &FieldPath, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool;

    /// Whether a value at `path` has the term's text as its
    /// [`Scalar::text`]: a keyword field's term query. The same as asking
    /// [`any_value`] for such a value, which the default does; a reader
    /// that can compare a value where it lies, without copying it out,
    /// answers it itself.
    ///
    /// [`any_value`]: Document::any_value
    fn any_term(&self, path: &FieldPath, term: &Term) -> bool {
        self.any_value(path, &mut |value| value.text() == term.as_str())
    }

    /// Whether any value sits at `path` (not under it): [`any_value`]
    /// asked for any value at all.
    ///
    /// [`any_value`]: Document::any_value
    fn has_value(&self, path: &FieldPath) -> bool {
        self.any_value(path, &mut |_| true)
    }

    /// Whether a non-null scalar sits at `path` or anywhere under it, as
    /// an `exists` query sees it: `""` counts; `null`, `[]`, `[null]` and
    /// `{}` do not.
    fn exists(&self, path: &FieldPath) -> bool;

    /// Visits each object at `path` as a document of its own, for nested
    /// queries whose conditions must hold within one object.
    fn any_object(&self, path: &FieldPath, visit: &mut dyn FnMut(&dyn Document) -> bool) -> bool;

    /// Visits each non-null scalar with its flattened dotted path, for
    /// wildcard field names and free text.
    fn any_leaf(&self, visit: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool;
}

impl Document for Value {
    fn any_value(&self, path: &FieldPath, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        find(self, path, Some(0), 0, &mut |found| match scalar(found) {
            Some(value) => visit(value),
            None => false,
        })
    }

    fn exists(&self, path: &FieldPath) -> bool {
        exists_under(self, path.as_str(), 0)
    }

    fn any_object(&self, path: &FieldPath, visit: &mut dyn FnMut(&dyn Document) -> bool) -> bool {
        find(self, path, Some(0), 0, &mut |found| {
            found.is_object() && visit(found)
        })
    }

    fn any_leaf(&self, visit: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool {
        let mut path = String::new();
        leaves(self, &mut path, 0, visit)
    }
}

/// The scalar a JSON value holds, if it is a non-null scalar.
fn scalar(value: &Value) -> Option<Scalar<'_>> {
    match value {
        Value::String(text) => Some(Scalar::Str(text)),
        Value::Number(number) => Some(Scalar::Number(number.as_str())),
        Value::Bool(flag) => Some(Scalar::Bool(*flag)),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Visits every non-array value at `path` from byte `from` (None: here),
/// arrays flattened.
///
/// Generic rather than `dyn` so the visitor inlines: this is the hot path
/// of every `field:value` test.
fn find<'v, F>(
    value: &'v Value,
    path: &FieldPath,
    from: Option<usize>,
    depth: u32,
    visit: &mut F,
) -> bool
where
    F: FnMut(&'v Value) -> bool,
{
    if depth > MAX_DEPTH {
        return false;
    }
    let next = depth + 1;
    match (value, from) {
        (Value::Array(items), _) => items.iter().any(|item| find(item, path, from, next, visit)),
        (_, None) => visit(value),
        (Value::Object(map), Some(from)) => {
            path.splits(from).any(|(key, rest)| match map.get(key) {
                Some(child) => find(child, path, rest, next, visit),
                None => false,
            })
        }
        (_, Some(_)) => false,
    }
}

/// Whether a non-null scalar sits at `path` or under it.
///
/// Unlike a value lookup, a key may run past the path: `{"a.b": 1}` holds
/// a value under `a`.
fn exists_under(value: &Value, path: &str, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Value::Array(items) => items.iter().any(|item| exists_under(item, path, depth + 1)),
        Value::Object(map) => exists_in_object(map, path, depth),
        _ => false,
    }
}

fn exists_in_object(map: &Map<String, Value>, path: &str, depth: u32) -> bool {
    map.iter().any(|(key, child)| match key.strip_prefix(path) {
        Some("") => has_scalar(child, depth + 1),
        Some(after) if after.starts_with('.') => has_scalar(child, depth + 1),
        _ => match path.strip_prefix(key.as_str()) {
            Some(after) => match after.strip_prefix('.') {
                Some(tail) => exists_under(child, tail, depth + 1),
                None => false,
            },
            None => false,
        },
    })
}

/// Whether a value is, or holds anywhere inside, a non-null scalar.
fn has_scalar(value: &Value, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Value::Null => false,
        Value::Array(items) => items.iter().any(|v| has_scalar(v, depth + 1)),
        Value::Object(map) => map.values().any(|v| has_scalar(v, depth + 1)),
        _ => true,
    }
}

/// Visits every scalar under `value`, `path` being its dotted path so far.
fn leaves(
    value: &Value,
    path: &mut String,
    depth: u32,
    visit: &mut dyn FnMut(&str, Scalar<'_>) -> bool,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Value::Array(items) => items
            .iter()
            .any(|item| leaves(item, path, depth + 1, visit)),
        Value::Object(map) => map.iter().any(|(key, child)| {
            let before = path.len();
            if before > 0 {
                path.push('.');
            }
            path.push_str(key);
            let found = leaves(child, path, depth + 1, visit);
            path.truncate(before);
            found
        }),
        _ => scalar(value).is_some_and(|found| visit(path, found)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(doc: &Value, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        doc.any_value(&FieldPath::new(path), &mut |v| {
            out.push(v.text().to_owned());
            false
        });
        out
    }

    #[test]
    fn nested_flat_and_mixed_keys_address_one_field() {
        let doc = json!({
            "a": {"b": {"c": 1}, "b.c": 2},
            "a.b": {"c": 3},
            "a.b.c": 4,
        });
        let mut found = values(&doc, "a.b.c");
        found.sort();
        assert_eq!(found, ["1", "2", "3", "4"]);
    }

    #[test]
    fn arrays_flatten_at_any_depth() {
        let doc = json!({"a": [[{"b": [1, [2]]}], {"b": null}, {"b": 3}]});
        assert_eq!(values(&doc, "a.b"), ["1", "2", "3"]);
    }

    #[test]
    fn objects_and_nulls_hold_no_value() {
        let doc = json!({"a": {"b": 1}, "n": null, "e": [null, []]});
        assert!(values(&doc, "a").is_empty());
        assert!(values(&doc, "n").is_empty());
        assert!(values(&doc, "e").is_empty());
    }

    #[test]
    fn numbers_keep_their_json_text() {
        let text = r#"{"a": [1.0, 10, -0]}"#;
        let doc: Value = serde_json::from_str(text).expect("valid json");
        assert_eq!(values(&doc, "a"), ["1.0", "10", "-0"]);
    }

    #[test]
    fn exists_counts_any_scalar_at_or_under_the_path() {
        let doc = json!({
            "empty": "", "null": null, "list": [], "nulls": [null],
            "obj": {}, "deep": {"x": [null, {"y": false}]}, "flat.k": 0,
        });
        let exists = |p: &str| doc.exists(&FieldPath::new(p));
        assert!(exists("empty"));
        assert!(exists("deep"));
        assert!(exists("deep.x.y"));
        assert!(exists("flat"));
        assert!(exists("flat.k"));
        assert!(!exists("null"));
        assert!(!exists("list"));
        assert!(!exists("nulls"));
        assert!(!exists("obj"));
        assert!(!exists("fla"));
        assert!(!exists("missing"));
    }

    #[test]
    fn objects_are_visited_one_by_one() {
        let doc = json!({"d": [{"k": 1}, {"k": 2}, 3]});
        let mut count = 0;
        doc.any_object(&FieldPath::new("d"), &mut |_| {
            count += 1;
            false
        });
        assert_eq!(count, 2);
    }

    #[test]
    fn leaves_carry_their_flattened_path() {
        let doc = json!({"a": [{"b": 1}], "c.d": {"e": "x"}, "n": null});
        let mut seen = Vec::new();
        doc.any_leaf(&mut |path, v| {
            seen.push(format!("{path}={}", v.text()));
            false
        });
        assert_eq!(seen, ["a.b=1", "c.d.e=x"]);
    }

    #[test]
    fn deep_documents_do_not_overflow_the_stack() {
        let mut doc = json!("x");
        for _ in 0..5_000 {
            doc = Value::Array(vec![doc]);
        }
        assert!(values(&doc, "").is_empty());
        assert!(!doc.exists(&FieldPath::new("a")));
        assert!(!doc.any_leaf(&mut |_, _| true));
        // NOTE: dropping a deep value recurses, so unnest it by hand.
        while let Value::Array(mut items) = doc {
            doc = items.pop().unwrap_or(Value::Null);
        }
    }
}
