//! The syntax tree of a KQL query, with what evaluation needs worked out
//! once when the query is parsed: field paths, wildcard parts, the
//! network of an IP value, the number or date of a range bound.
//!
//! The tree keeps Kibana's shape: `and` and `or` are flat n-ary nodes
//! except where parentheses group them, a value list such as
//! `a:(x or y)` becomes `or(is(a,x), is(a,y))`, and numbers stay text.

use std::net::IpAddr;

use super::compare::{self, IpNet, Number};
use super::date::DateMath;
use super::literal::Literal;
use super::pattern::Pattern;
use crate::doc::{FieldPath, Term};

/// A node of the query tree.
///
/// Leaves are boxed so that a node is small: the parser holds one per
/// nesting level on the stack, and WebAssembly's stack is 1 MiB.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// the empty query, or `*:*`
    MatchAll,
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    /// `field:value`, or a bare value (free text)
    Is(Box<Is>),
    /// `field < value` and the other comparisons
    Range(Box<Range>),
    /// `path:{ query }`: the query holds within one object at `path`
    Nested(Box<Nested>),
}

/// The field a leaf reads.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Field {
    /// no field, or the unquoted word `null`: free text over every leaf
    Any,
    Name(Name),
    /// a name with an unquoted `*`, expanded against the document's leaves
    Pattern(Pattern),
}

/// A plain field name.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Name {
    pub(crate) path: FieldPath,
    /// written in double quotes (`"a b":x`)
    pub(crate) quoted: bool,
    pub(crate) kind: FieldKind,
}

/// How values of a field compare, decided from its name alone since
/// there is no index mapping offline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Keyword,
    /// `@timestamp` and the ECS event dates: ranges compare as dates
    Date,
    /// a name whose last part is `ip`: CIDR values match networks
    Ip,
}

/// The value side of a leaf.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// text; `quoted` when written in double quotes
    Text { text: String, quoted: bool },
    /// unquoted `true` or `false`
    Bool(bool),
    /// unquoted `null`: matches nothing
    Null,
    /// a wildcard; `*` alone means "exists"
    Pattern(Pattern),
}

/// `field:value`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Is {
    pub(crate) field: Field,
    pub(crate) value: Value,
    /// the value read as an IP address or network, for IP fields
    pub(crate) net: Option<IpNet>,
    /// the text a term query compares values with, for text and `true`
    /// or `false`
    pub(crate) term: Option<Term>,
}

/// The comparison of a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RangeOp {
    Lt,
    Lte,
    Gt,
    Gte,
}

/// `field op value`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Range {
    pub(crate) field: Field,
    pub(crate) op: RangeOp,
    pub(crate) value: Value,
    pub(crate) bound: Bound,
}

/// A range's value, read every way a field might compare it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Bound {
    /// the text compared on keyword fields; None for `null`
    pub(crate) text: Option<String>,
    pub(crate) number: Option<Number>,
    pub(crate) date: Option<DateMath>,
    /// for ranges on IP fields, which order addresses
    pub(crate) ip: Option<IpAddr>,
}

/// `path:{ query }`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Nested {
    pub(crate) path: Field,
    /// where the objects are: the path as written, stars included, since
    /// Kibana sends a nested path as it is; None for the word `null`
    pub(crate) lookup: Option<FieldPath>,
    pub(crate) query: Node,
}

impl Node {
    /// An `or` of several nodes, or the node itself when alone.
    pub(crate) fn or(mut nodes: Vec<Node>) -> Node {
        match nodes.len() {
            1 => nodes.pop().unwrap_or(Node::MatchAll),
            _ => Node::Or(nodes),
        }
    }

    /// An `and` of several nodes, or the node itself when alone.
    pub(crate) fn and(mut nodes: Vec<Node>) -> Node {
        match nodes.len() {
            1 => nodes.pop().unwrap_or(Node::MatchAll),
            _ => Node::And(nodes),
        }
    }

    /// `field:value`; `*:*` is match-all, as in Kibana.
    pub(crate) fn is(field: &Literal, value: Literal) -> Node {
        let field = Field::from_literal(field);
        let value = Value::from_literal(value);
        if field.is_lone_star() && value.is_lone_star() {
            return Node::MatchAll;
        }
        let net = value.text().and_then(compare::ip_net);
        let term = match &value {
            Value::Text { text, .. } => Some(Term::new(text)),
            Value::Bool(flag) => Some(Term::new(if *flag { "true" } else { "false" })),
            Value::Null | Value::Pattern(_) => None,
        };
        Node::Is(Box::new(Is {
            field,
            value,
            net,
            term,
        }))
    }

    /// `field op value`.
    pub(crate) fn range(field: &Literal, op: RangeOp, value: Literal) -> Node {
        let value = Value::from_literal(value);
        let text = value.plain_text();
        let bound = Bound {
            number: text.as_deref().and_then(Number::parse),
            date: text.as_deref().and_then(DateMath::parse),
            ip: text.as_deref().and_then(|text| text.parse().ok()),
            text,
        };
        let field = Field::from_literal(field);
        Node::Range(Box::new(Range {
            field,
            op,
            value,
            bound,
        }))
    }

    /// `path:{ query }`.
    pub(crate) fn nested(path: &Literal, mut query: Node) -> Node {
        let path = Field::from_literal(path);
        let lookup = path.text().map(|text| FieldPath::new(&text));
        if let Some(lookup) = &lookup {
            query.set_kinds_under(lookup.as_str());
        }
        Node::Nested(Box::new(Nested {
            path,
            lookup,
            query,
        }))
    }

    /// Gives the fields inside a nested query the kind of their full
    /// name, as Kibana looks them up (`event:{created > now-1d}` reads
    /// the date field `event.created`).
    fn set_kinds_under(&mut self, prefix: &str) {
        match self {
            Node::MatchAll => {}
            Node::Or(items) | Node::And(items) => {
                for item in items {
                    item.set_kinds_under(prefix);
                }
            }
            Node::Not(inner) => inner.set_kinds_under(prefix),
            Node::Is(is) => is.field.set_kind_under(prefix),
            Node::Range(range) => range.field.set_kind_under(prefix),
            Node::Nested(nested) => {
                nested.path.set_kind_under(prefix);
                nested.query.set_kinds_under(prefix);
            }
        }
    }
}

impl Field {
    fn from_literal(literal: &Literal) -> Field {
        match literal {
            Literal::Null => Field::Any,
            Literal::Pattern(pattern) => Field::Pattern(pattern.clone()),
            Literal::Bool(flag) => Field::name(&flag.to_string(), false),
            Literal::Text { text, quoted } => Field::name(text, *quoted),
        }
    }

    fn name(text: &str, quoted: bool) -> Field {
        let path = FieldPath::new(text);
        let kind = FieldKind::of(text);
        Field::Name(Name { path, quoted, kind })
    }

    fn is_lone_star(&self) -> bool {
        matches!(self, Field::Pattern(pattern) if pattern.is_lone())
    }

    fn set_kind_under(&mut self, prefix: &str) {
        if let Field::Name(name) = self {
            let full = format!("{prefix}.{}", name.path.as_str());
            name.kind = FieldKind::of(&full);
        }
    }

    /// The field as a dotted name: a pattern keeps its stars.
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Field::Any => None,
            Field::Name(name) => Some(name.path.as_str().to_owned()),
            Field::Pattern(pattern) => Some(pattern.to_plain_text()),
        }
    }
}

impl FieldKind {
    /// The kind a field has by its name (see the choices in kql.md §0).
    pub(crate) fn of(name: &str) -> FieldKind {
        const DATES: [&str; 5] = [
            "@timestamp",
            "event.created",
            "event.ingested",
            "event.start",
            "event.end",
        ];
        if DATES.contains(&name) {
            FieldKind::Date
        } else if name == "ip" || name.ends_with(".ip") {
            FieldKind::Ip
        } else {
            FieldKind::Keyword
        }
    }
}

impl Value {
    fn from_literal(literal: Literal) -> Value {
        match literal {
            Literal::Text { text, quoted } => Value::Text { text, quoted },
            Literal::Bool(flag) => Value::Bool(flag),
            Literal::Null => Value::Null,
            Literal::Pattern(pattern) => Value::Pattern(pattern),
        }
    }

    fn is_lone_star(&self) -> bool {
        matches!(self, Value::Pattern(pattern) if pattern.is_lone())
    }

    /// The text an equality compares with; None for `null` and patterns.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Text { text, .. } => Some(text),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            Value::Null | Value::Pattern(_) => None,
        }
    }

    /// The value as plain text, stars included; None for `null`.
    pub(crate) fn plain_text(&self) -> Option<String> {
        match self {
            Value::Pattern(pattern) => Some(pattern.to_plain_text()),
            other => other.text().map(str::to_owned),
        }
    }
}

impl RangeOp {
    /// The operator as written in a query.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Lte => "<=",
            RangeOp::Gt => ">",
            RangeOp::Gte => ">=",
        }
    }

    /// The operator as Kibana names it.
    fn name(self) -> &'static str {
        match self {
            RangeOp::Lt => "lt",
            RangeOp::Lte => "lte",
            RangeOp::Gt => "gt",
            RangeOp::Gte => "gte",
        }
    }

    /// Whether `document` compared with the bound as `order` satisfies it.
    pub(crate) fn holds(self, order: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Greater, Less};
        match self {
            RangeOp::Lt => order == Less,
            RangeOp::Lte => order != Greater,
            RangeOp::Gt => order == Greater,
            RangeOp::Gte => order != Less,
        }
    }

    /// Whether date rounding (`now/d`) rounds up, as in Elasticsearch:
    /// `gt` and `lte` take the end of the unit, `gte` and `lt` its start.
    pub(crate) fn rounds_up(self) -> bool {
        matches!(self, RangeOp::Gt | RangeOp::Lte)
    }
}

/// Writes the compact notation of a node, used by the conformance cases:
/// `and(is(a,"x"),not(is(b,W"y*")))`.
///
/// Fields print bare when they are plain dotted names, JSON-quoted
/// otherwise, with `Q` when they were quoted in the query and `W` for a
/// pattern; `null` is the field of free text. Values print JSON-quoted,
/// with `Q` when quoted and `W` for a pattern (a literal `*` as `\*`).
pub(crate) fn notation(node: &Node, out: &mut String) {
    match node {
        Node::MatchAll => out.push_str("match_all"),
        Node::Or(items) => call(out, "or", items),
        Node::And(items) => call(out, "and", items),
        Node::Not(inner) => call(out, "not", std::slice::from_ref(inner)),
        Node::Is(is) => {
            out.push_str("is(");
            field_notation(&is.field, out);
            out.push(',');
            value_notation(&is.value, out);
            out.push(')');
        }
        Node::Range(range) => {
            out.push_str("range(");
            field_notation(&range.field, out);
            out.push(',');
            out.push_str(range.op.name());
            out.push(',');
            value_notation(&range.value, out);
            out.push(')');
        }
        Node::Nested(nested) => {
            out.push_str("nested(");
            field_notation(&nested.path, out);
            out.push(',');
            notation(&nested.query, out);
            out.push(')');
        }
    }
}

fn call(out: &mut String, name: &str, items: &[Node]) {
    out.push_str(name);
    out.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        notation(item, out);
    }
    out.push(')');
}

fn field_notation(field: &Field, out: &mut String) {
    match field {
        Field::Any => out.push_str("null"),
        Field::Pattern(pattern) => pattern_notation(pattern, out),
        Field::Name(name) => {
            let text = name.path.as_str();
            if name.quoted {
                out.push('Q');
                json_string(text, out);
            } else if is_plain_name(text) {
                out.push_str(text);
            } else {
                json_string(text, out);
            }
        }
    }
}

fn is_plain_name(text: &str) -> bool {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_.@-".contains(c);
    !text.is_empty() && text != "null" && text.chars().all(plain)
}

fn value_notation(value: &Value, out: &mut String) {
    match value {
        Value::Text { text, quoted } => {
            if *quoted {
                out.push('Q');
            }
            json_string(text, out);
        }
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
        Value::Pattern(pattern) => pattern_notation(pattern, out),
    }
}

fn pattern_notation(pattern: &Pattern, out: &mut String) {
    let escaped: Vec<String> = pattern
        .parts()
        .iter()
        .map(|part| part.replace('\\', "\\\\").replace('*', "\\*"))
        .collect();
    out.push('W');
    json_string(&escaped.join("*"), out);
}

fn json_string(text: &str, out: &mut String) {
    let quoted = serde_json::Value::from(text).to_string();
    out.push_str(&quoted);
}
