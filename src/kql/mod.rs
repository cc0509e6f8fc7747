//! KQL, the Kibana Query Language: parsed as Kibana parses it and
//! evaluated as Elasticsearch would answer it, offline, over any
//! [`Document`].
//!
//! Why our own engine: the rule's verdict must be the one Elastic
//! Security gives, and that answer depends on details no generic matcher
//! reproduces: Kibana's escapes and keyword lookahead (`a:cannot be` is a
//! syntax error, `\not` is a line feed), keyword-field equality on the
//! JSON text of a value (`1.0` is not `1`), ANY over arrays, `not` being
//! true for a missing field, and Elasticsearch's flattening of dotted
//! keys. `kql.md` in the project's specification is the reference; where
//! Elasticsearch's answer depends on a field's type, which is unknown
//! offline, its §0 makes the choice.
//!
//! The stages, a module each:
//!
//! - `literal`: the lexical rules of quoted and unquoted words;
//! - `parse`: the grammar, with Kibana's precedence and error positions;
//! - `ast`: the tree, with field paths and patterns compiled once;
//! - `eval`: matching a document, never failing;
//! - `explain`: the per-clause report and the fields a query reads;
//! - `display`: canonical KQL text that parses back to the same tree;
//! - `error`: syntax errors with a kind, a span and a caret rendering.
//!
//! # Examples
//!
//! ```
//! use m365_restricted_sender::kql;
//! use serde_json::json;
//!
//! let query = kql::parse(r#"event.category:web and not user.name:adm*"#)?;
//! let hit = json!({"event": {"category": ["iam", "web"]},
//!                  "user": {"name": "alice"}});
//! let miss = json!({"event.category": "web", "user.name": "admin"});
//! assert!(query.matches(&hit));
//! assert!(!query.matches(&miss));
//!
//! let err = kql::parse("a:x b:y").unwrap_err();
//! assert_eq!(err.to_string(), "unexpected `:` at offset 5");
//! # Ok::<(), kql::SyntaxError>(())
//! ```

mod ast;
mod compare;
mod date;
mod display;
mod error;
mod eval;
mod explain;
mod literal;
mod parse;
mod pattern;

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use explain::{ClauseReport, NamedField};

use crate::doc::Document;
use ast::Node;
use eval::Context;

/// How deeply parentheses, value-list parentheses and nested-query braces
/// may nest, together. Deeper is a [`SyntaxErrorKind::NestingTooDeep`]
/// error: the parser and evaluator recurse once per level, and a stack
/// overflow in WebAssembly kills the instance for every later call.
pub const MAX_NESTING: usize = 128;

/// Parses a KQL query.
///
/// An empty or blank query matches every document, as in Kibana.
///
/// # Errors
///
/// A [`SyntaxError`] for anything Kibana would reject, plus nesting
/// deeper than [`MAX_NESTING`].
///
/// # Examples
///
/// ```
/// use m365_restricted_sender::kql::parse;
/// use serde_json::json;
///
/// let query = parse(r#"event.action:"User restricted from sending email""#)?;
/// let flat = json!({"event.action": "User restricted from sending email"});
/// let action = "user restricted from sending email";
/// let lower = json!({"event": {"action": action}});
/// assert!(query.matches(&flat));
/// assert!(!query.matches(&lower));
/// # Ok::<(), m365_restricted_sender::kql::SyntaxError>(())
/// ```
pub fn parse(query: &str) -> Result<Query, SyntaxError> {
    let root = parse::parse(query)?;
    Ok(Query::new(root))
}

/// A parsed query, ready to run over many documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    root: Node,
    /// the tree as matched, when its `and` clauses are asked in another
    /// order than written (see [`Query::asking_last`])
    order: Option<Node>,
    /// the time `now` stands for, when the caller fixed it
    now: Option<i64>,
    /// whether any date math reads `now`, so the clock is read only then
    uses_now: bool,
}

impl Query {
    fn new(root: Node) -> Query {
        let uses_now = uses_now(&root);
        Query {
            root,
            order: None,
            now: None,
            uses_now,
        }
    }

    /// The same query, matched with the `and` clauses that read nothing
    /// but `fields` asked after the others; explanations keep the clauses
    /// as written. The answers are the same, `and` being the same in any
    /// order.
    ///
    /// A clause that nearly every document satisfies, such as one on a
    /// data set's constant name, tells nothing until the others have been
    /// asked; asked last, it is mostly not asked at all.
    #[must_use]
    pub fn asking_last(mut self, fields: &[&str]) -> Query {
        // NOTE: a second tree is read from the query's canonical text,
        // which gives the same tree back; cloning the tree instead takes
        // 5 KB more of WebAssembly, where nothing else clones one.
        let tree = parse(&self.to_string()).map(|query| query.root);
        self.order = tree.ok().map(|tree| ask_last(tree, fields));
        self
    }

    /// Fixes the time that `now` in date math stands for, in milliseconds
    /// since the epoch.
    ///
    /// Without it `now` is the system clock, and on
    /// `wasm32-unknown-unknown`, which has no clock, a range using `now`
    /// matches nothing: the wasm layer passes JavaScript's `Date.now()`.
    #[must_use]
    pub fn with_now(mut self, epoch_ms: i64) -> Query {
        self.now = Some(epoch_ms);
        self
    }

    /// Whether `doc` matches. Never fails: a value of the wrong type, an
    /// unreadable date or `a:null` is simply no match.
    pub fn matches(&self, doc: &dyn Document) -> bool {
        let tree = self.order.as_ref().unwrap_or(&self.root);
        tree.eval(doc, self.context())
    }

    /// The query's top-level `and` clauses (the whole query when it is
    /// not an `and`), each judged on `doc` with the values it holds.
    pub fn explain(&self, doc: &dyn Document) -> Vec<ClauseReport> {
        explain::explain(&self.root, doc, self.context())
    }

    /// The field names the query reads, in order of first use, nested
    /// ones joined to their path; a wildcard name keeps its `*`. A name
    /// covers what lies under it: `a:*` reads `a.b` too.
    pub fn fields(&self) -> Vec<String> {
        explain::fields(&self.root)
    }

    /// The fields the query reads, when it reads nothing but named
    /// fields: `None` when it has free text, a wildcard field name or a
    /// nested query. A document that answers for these fields alone is
    /// enough to judge it (the scanner's fast path reads only those).
    pub fn named_fields(&self) -> Option<Vec<NamedField>> {
        explain::named_fields(&self.root)
    }

    /// Whether the query may read any field of a document, not only the
    /// ones [`Query::fields`] names: it has free text or a wildcard field
    /// name. A reader that keeps only the named fields must then keep
    /// the whole document.
    pub fn reads_every_field(&self) -> bool {
        explain::reads_every_field(&self.root)
    }

    /// The tree in a compact notation, the one the conformance cases use:
    /// `and(is(a,"x"),not(is(b,W"y*")))`, with `Q"…"` for quoted text,
    /// `W"…"` for a wildcard, `null` as the field of free text, and
    /// `range(a,gte,"5")`, `nested(a,…)`, `match_all`.
    pub fn ast(&self) -> String {
        let mut out = String::new();
        ast::notation(&self.root, &mut out);
        out
    }

    fn context(&self) -> Context {
        let now = match self.uses_now {
            true => self.now.or_else(system_now),
            false => None,
        };
        Context { now }
    }
}

/// Canonical KQL: parsing it gives the same query back.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

impl FromStr for Query {
    type Err = SyntaxError;

    fn from_str(query: &str) -> Result<Query, SyntaxError> {
        parse(query)
    }
}

/// `node` with the clauses of each `and` that read nothing but `fields`
/// moved after the others, keeping their order. A nested query is left as
/// it is: the names in it are relative to its path.
fn ask_last(node: Node, fields: &[&str]) -> Node {
    let reads_only = |item: &Node| {
        let names = explain::fields(item);
        !names.is_empty() && names.iter().all(|name| fields.contains(&name.as_str()))
    };
    match node {
        Node::And(items) => {
            let items = items.into_iter().map(|item| ask_last(item, fields));
            let (last, first): (Vec<Node>, Vec<Node>) = items.partition(reads_only);
            Node::And(first.into_iter().chain(last).collect())
        }
        Node::Or(items) => Node::Or(
            items
                .into_iter()
                .map(|item| ask_last(item, fields))
                .collect(),
        ),
        Node::Not(inner) => Node::Not(Box::new(ask_last(*inner, fields))),
        other => other,
    }
}

fn uses_now(node: &Node) -> bool {
    match node {
        Node::MatchAll | Node::Is(_) => false,
        Node::Or(items) | Node::And(items) => items.iter().any(uses_now),
        Node::Not(inner) => uses_now(inner),
        Node::Range(range) => {
            let date = range.bound.date.as_ref();
            date.is_some_and(date::DateMath::uses_now)
        }
        Node::Nested(nested) => uses_now(&nested.query),
    }
}

/// The clock set with [`set_clock`], if any.
static CLOCK: OnceLock<fn() -> Option<i64>> = OnceLock::new();

/// Sets the clock that `now` in date math reads, in milliseconds since the
/// epoch, for platforms whose standard library has none: on
/// `wasm32-unknown-unknown` the wasm layer passes JavaScript's
/// `Date.now()`. The first clock set stays.
pub fn set_clock(clock: fn() -> Option<i64>) {
    let _ = CLOCK.set(clock);
}

fn system_now() -> Option<i64> {
    match CLOCK.get() {
        Some(clock) => clock(),
        None => platform_now(),
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn platform_now() -> Option<i64> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since.as_millis()).ok()
}

/// NOTE: `SystemTime::now` panics on this target; without a clock from
/// [`set_clock`] or [`Query::with_now`], `now` matches nothing.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn platform_now() -> Option<i64> {
    None
}
