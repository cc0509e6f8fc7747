//! Canonical KQL text for a query tree.
//!
//! The text parses back to the same tree: `a : b` prints as `a:b`, value
//! lists print as the leaves they stand for (`a:(x or y)` as
//! `a:x or a:y`), and every character that would read differently is
//! escaped. The escapes are chosen with Kibana's quirks in mind: `\not`
//! would be a line feed, so a lowercase `not` is written `\u006eot`.

use std::fmt::{self, Write};

use super::ast::{Field, Is, Name, Nested, Node, Range, Value};
use super::literal::{is_space, is_special, starts_with_word};
use super::pattern::Pattern;

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(self, Parent::Root, f)
    }
}

/// What encloses a node, which decides whether it needs parentheses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Root,
    Or,
    And,
    Not,
}

fn write_node(node: &Node, parent: Parent, f: &mut dyn Write) -> fmt::Result {
    let grouped = match node {
        Node::Or(_) => parent != Parent::Root,
        Node::And(_) => matches!(parent, Parent::And | Parent::Not),
        Node::Not(_) => parent == Parent::Not,
        _ => false,
    };
    if grouped {
        f.write_char('(')?;
    }
    write_bare(node, f)?;
    if grouped {
        f.write_char(')')?;
    }
    Ok(())
}

fn write_bare(node: &Node, f: &mut dyn Write) -> fmt::Result {
    match node {
        Node::MatchAll => f.write_str("*:*"),
        Node::Or(items) => write_chain(items, Parent::Or, f),
        Node::And(items) => write_chain(items, Parent::And, f),
        Node::Not(inner) => {
            f.write_str("not ")?;
            write_node(inner, Parent::Not, f)
        }
        Node::Is(is) => write_is(is, f),
        Node::Range(range) => write_range(range, f),
        Node::Nested(nested) => write_nested(nested, f),
    }
}

/// The items of an `or` or an `and`, with the keyword between them.
fn write_chain(items: &[Node], parent: Parent, f: &mut dyn Write) -> fmt::Result {
    let separator = if parent == Parent::Or {
        " or "
    } else {
        " and "
    };
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        write_node(item, parent, f)?;
    }
    Ok(())
}

fn write_is(is: &Is, f: &mut dyn Write) -> fmt::Result {
    if !matches!(is.field, Field::Any) {
        write_field(&is.field, f)?;
        f.write_char(':')?;
    }
    write_value(&is.value, f)
}

fn write_range(range: &Range, f: &mut dyn Write) -> fmt::Result {
    write_field(&range.field, f)?;
    write!(f, " {} ", range.op.symbol())?;
    write_value(&range.value, f)
}

fn write_nested(nested: &Nested, f: &mut dyn Write) -> fmt::Result {
    write_field(&nested.path, f)?;
    f.write_str(":{")?;
    write_node(&nested.query, Parent::Root, f)?;
    f.write_char('}')
}

fn write_field(field: &Field, f: &mut dyn Write) -> fmt::Result {
    match field {
        Field::Any => f.write_str("null"),
        Field::Pattern(pattern) => write_pattern(pattern, f),
        Field::Name(Name { path, quoted, .. }) => {
            if *quoted {
                write_quoted(path.as_str(), f)
            } else {
                write_unquoted(path.as_str(), f)
            }
        }
    }
}

fn write_value(value: &Value, f: &mut dyn Write) -> fmt::Result {
    match value {
        Value::Text { text, quoted: true } => write_quoted(text, f),
        Value::Text {
            text,
            quoted: false,
        } => write_unquoted(text, f),
        Value::Bool(flag) => write!(f, "{flag}"),
        Value::Null => f.write_str("null"),
        Value::Pattern(pattern) => write_pattern(pattern, f),
    }
}

fn write_pattern(pattern: &Pattern, f: &mut dyn Write) -> fmt::Result {
    for (i, part) in pattern.parts().iter().enumerate() {
        if i > 0 {
            f.write_char('*')?;
        }
        write_word(part, f)?;
    }
    Ok(())
}

fn write_quoted(text: &str, f: &mut dyn Write) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\n' => f.write_str("\\n")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// An unquoted word. The parser trims words, so only an empty one needs
/// a stand-in: an escaped tab, which trims away to nothing again.
fn write_unquoted(text: &str, f: &mut dyn Write) -> fmt::Result {
    if text.is_empty() {
        return f.write_str("\\t");
    }
    write_word(text, f)
}

/// Text inside an unquoted word, escaped so it reads back unchanged.
fn write_word(text: &str, f: &mut dyn Write) -> fmt::Result {
    let mut previous = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = write_word_char(rest, previous, f)?;
        previous = Some(c);
        rest = &rest[len..];
    }
    Ok(())
}

/// Writes the character (or escaped keyword) at the start of `rest`; the
/// bytes it consumed.
fn write_word_char(
    rest: &str,
    previous: Option<char>,
    f: &mut dyn Write,
) -> Result<usize, fmt::Error> {
    let after_space = previous.is_some_and(is_space);
    for word in ["or", "and"] {
        let ends = rest.get(word.len()..).is_some_and(ends_word);
        if after_space && starts_with_word(rest, word) && ends {
            // `\or` reads back as the keyword text exactly as written.
            write!(f, "\\{}", &rest[..word.len()])?;
            return Ok(word.len());
        }
    }
    if starts_with_word(rest, "not") && ends_word(&rest[3..]) {
        return write_not(&rest[..3], f).map(|()| 3);
    }
    let c = rest.chars().next().unwrap_or_default();
    match c {
        '\t' => f.write_str("\\t")?,
        '\r' => f.write_str("\\r")?,
        '\n' => f.write_str("\\n")?,
        c if is_special(c) => write!(f, "\\{c}")?,
        c => f.write_char(c)?,
    }
    Ok(c.len_utf8())
}

/// Whether a keyword before `after` would read as one: whitespace or
/// the end of the word (whatever follows the word may be whitespace).
fn ends_word(after: &str) -> bool {
    after.chars().next().is_none_or(is_space)
}

/// `not` in any case without it reading as a keyword: `\not` would be a
/// line feed and `ot`, so a lowercase `n` is written as `\u006e`.
fn write_not(word: &str, f: &mut dyn Write) -> fmt::Result {
    match word.strip_prefix('n') {
        Some(tail) => write!(f, "\\u006e{tail}"),
        None => write!(f, "\\{word}"),
    }
}
