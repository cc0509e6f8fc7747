//! Syntax errors: what went wrong, where, and in which query.
//!
//! The position is Kibana's: the furthest point the grammar reached
//! before it had to give up, so `a:x b:y` fails at the `:` after `b`
//! (the value `x b` ran up to it) just as Kibana reports. The kind is
//! then read from what the grammar expected there and what it found.

use std::fmt;
use std::ops::Range;

use super::literal::{is_space, is_special, quoted, starts_with_word};
use super::MAX_NESTING;
use SyntaxErrorKind as Kind;

/// What kind of syntax error a query has.
///
/// Each kind names the thing first, so related kinds sort together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntaxErrorKind {
    /// a `"` that never closes: `a:"x`, `a:"x\"`
    QuoteUnclosed,
    /// a backslash before a character it cannot escape: `a:x\y`, `a:x\`
    EscapeInvalid,
    /// a `(` with no `)`: `(a:x`, `a:(x or y`
    GroupUnclosed,
    /// a `{` with no `}`: `a:{b:x`
    NestedUnclosed,
    /// nothing after `:` or a range operator: `a:`, `a <`
    ValueMissing,
    /// nothing after `and`, `or`, `not` or `(`: `not `, `a:x and `
    ExpressionMissing,
    /// a keyword where a field or value belongs: `not not a:x`, `a: not x`
    KeywordMisplaced,
    /// a keyword without the whitespace it needs: `not(a:x)`,
    /// `(a:x)and(b:y)`
    KeywordUnspaced,
    /// two expressions with no `and` or `or` between them: `(a:x) b:y`
    OperatorMissing,
    /// a character that cannot stand where it is: `a:x}`, `a:x:y`, `a:<5`
    CharacterUnexpected,
    /// parentheses or braces nested deeper than [`MAX_NESTING`] levels
    NestingTooDeep,
}

/// A query that is not valid KQL.
///
/// `Display` gives a one-line message ending with the 0-based character
/// offset of the fault; [`SyntaxError::render`] shows the query with a
/// caret under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    kind: SyntaxErrorKind,
    span: Range<usize>,
    query: String,
}

impl SyntaxError {
    #[cold]
    pub(crate) fn new(kind: Kind, span: Range<usize>, query: &str) -> Self {
        SyntaxError {
            kind,
            span,
            query: query.to_owned(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> SyntaxErrorKind {
        self.kind
    }

    /// The bytes of the query at fault (empty at the end of the query).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The query as given.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The 0-based character offset of the fault.
    pub fn offset(&self) -> usize {
        char_count(&self.query, self.span.start)
    }

    /// The line of the query holding the fault, and a caret line under
    /// the fault:
    ///
    /// ```text
    /// (a:x
    ///     ^
    /// ```
    ///
    /// A line longer than 80 characters is cut to a window of 80 around
    /// the fault, each cut side marked with `…`, so that a huge query
    /// never floods a terminal or a page.
    pub fn render(&self) -> String {
        let (before, after) = self.query.split_at(self.start());
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = after.find('\n').map_or(after.len(), |i| i);
        let line_before = before.get(line_start..).unwrap_or_default();
        let line_after = after.get(..line_end).unwrap_or_default();
        let width = self.span.end.saturating_sub(before.len());
        let width = char_count(line_after, width.min(line_end)).max(1);
        let line: Vec<char> = line_before
            .chars()
            .chain(line_after.chars())
            .map(printable)
            .collect();
        Window::around(&line, line_before.chars().count(), width).render()
    }

    /// Where the fault starts, in bytes, safe to split the query at.
    fn start(&self) -> usize {
        let start = self.span.start.min(self.query.len());
        match self.query.is_char_boundary(start) {
            true => start,
            false => self.query.len(),
        }
    }

    fn message(&self) -> String {
        let at = self.query.get(self.start()..).unwrap_or_default();
        match self.kind {
            Kind::QuoteUnclosed => "unclosed quoted string".into(),
            Kind::EscapeInvalid => escape_message(at),
            Kind::GroupUnclosed => "expected `)`".into(),
            Kind::NestedUnclosed => "expected `}`".into(),
            Kind::ValueMissing => "expected a value".into(),
            Kind::ExpressionMissing => "expected a field or value".into(),
            Kind::KeywordMisplaced => {
                format!("unexpected keyword `{}`", leading_word(at))
            }
            Kind::KeywordUnspaced => self.unspaced_message(),
            Kind::OperatorMissing => "expected `and` or `or`".into(),
            Kind::CharacterUnexpected => unexpected(at),
            Kind::NestingTooDeep => {
                format!("nesting deeper than {MAX_NESTING} levels")
            }
        }
    }

    fn unspaced_message(&self) -> String {
        let span = unspaced_keyword(&self.query, self.span.start);
        let word = span.and_then(|span| self.query.get(span));
        let word = word.unwrap_or_default();
        if word.eq_ignore_ascii_case("not") {
            format!("keyword `{word}` needs whitespace after it")
        } else {
            format!("keyword `{word}` needs whitespace on both sides")
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.message(), self.offset())
    }
}

impl std::error::Error for SyntaxError {}

/// The most characters of the query that [`SyntaxError::render`] shows
/// on its line, the `…` marks not counted.
const RENDER_WIDTH: usize = 80;

/// Characters shown before the fault when the line must be cut; the rest
/// of the window goes to the fault and what follows it.
const CONTEXT_BEFORE: usize = 30;

/// The part of a line that a rendered error shows, and its caret.
struct Window<'a> {
    /// the characters shown
    shown: &'a [char],
    cut_before: bool,
    cut_after: bool,
    /// the caret's column in `shown`, and its width
    caret: usize,
    width: usize,
}

impl<'a> Window<'a> {
    /// At most [`RENDER_WIDTH`] characters of `line` around the fault at
    /// character `column`, `width` characters wide.
    fn around(line: &'a [char], column: usize, width: usize) -> Self {
        let column = column.min(line.len());
        let latest_start = line.len().saturating_sub(RENDER_WIDTH);
        let start = column.saturating_sub(CONTEXT_BEFORE).min(latest_start);
        let end = line.len().min(start + RENDER_WIDTH);
        let room = end.saturating_sub(column).max(1);
        Window {
            shown: line.get(start..end).unwrap_or_default(),
            cut_before: start > 0,
            cut_after: end < line.len(),
            caret: column.saturating_sub(start),
            width: width.min(room),
        }
    }

    fn render(&self) -> String {
        let mark = |cut: bool| if cut { "…" } else { "" };
        let shown: String = self.shown.iter().collect();
        let indent = self.caret + usize::from(self.cut_before);
        format!(
            "{}{shown}{}\n{}{}",
            mark(self.cut_before),
            mark(self.cut_after),
            " ".repeat(indent),
            "^".repeat(self.width)
        )
    }
}

fn char_count(text: &str, bytes: usize) -> usize {
    text.get(..bytes).map_or(0, |head| head.chars().count())
}

/// A character as the caret line can show it in one column.
fn printable(c: char) -> char {
    if c.is_control() {
        ' '
    } else {
        c
    }
}

fn escape_message(at: &str) -> String {
    match at.chars().nth(1) {
        None => "unfinished escape `\\`".into(),
        Some('u') => "expected 4 hex digits after `\\u`".into(),
        Some(c) => format!("invalid escape `\\{}`", c.escape_debug()),
    }
}

fn unexpected(at: &str) -> String {
    match at.chars().next() {
        Some(c) => format!("unexpected `{}`", c.escape_debug()),
        None => "unexpected end of query".into(),
    }
}

fn leading_word(at: &str) -> &str {
    let end = at
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(at.len());
    &at[..end]
}

/// What the grammar could have accepted at the furthest point it reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Expected(u16);

impl Expected {
    pub(crate) const SPACE: Expected = Expected(1);
    pub(crate) const NOT: Expected = Expected(1 << 1);
    pub(crate) const AND: Expected = Expected(1 << 2);
    pub(crate) const OR: Expected = Expected(1 << 3);
    pub(crate) const OPEN_PAREN: Expected = Expected(1 << 4);
    pub(crate) const CLOSE_PAREN: Expected = Expected(1 << 5);
    pub(crate) const OPEN_BRACE: Expected = Expected(1 << 6);
    pub(crate) const CLOSE_BRACE: Expected = Expected(1 << 7);
    pub(crate) const COLON: Expected = Expected(1 << 8);
    pub(crate) const RANGE: Expected = Expected(1 << 9);
    pub(crate) const FIELD: Expected = Expected(1 << 10);
    pub(crate) const VALUE: Expected = Expected(1 << 11);
    pub(crate) const END: Expected = Expected(1 << 12);

    pub(crate) fn add(&mut self, other: Expected) {
        self.0 |= other.0;
    }

    /// Either of two expectations.
    const fn or(self, other: Expected) -> Expected {
        Expected(self.0 | other.0)
    }

    /// Whether any of `other` is expected.
    fn has(self, other: Expected) -> bool {
        self.0 & other.0 != 0
    }
}

/// What may follow a complete expression: whatever was found there
/// instead, an operator was missing.
const AFTER_EXPRESSION: Expected = Expected::AND
    .or(Expected::OR)
    .or(Expected::END)
    .or(Expected::CLOSE_PAREN)
    .or(Expected::CLOSE_BRACE);

/// The error for a query that failed at byte `at` with `expected` there.
#[cold]
pub(crate) fn classify(query: &str, at: usize, expected: Expected) -> SyntaxError {
    let (kind, len) = kind_at(query, at, expected);
    let end = (at + len).min(query.len());
    SyntaxError::new(kind, at..end, query)
}

fn kind_at(query: &str, at: usize, expected: Expected) -> (Kind, usize) {
    let rest = query.get(at..).unwrap_or_default();
    let first = rest.chars().next().map_or(0, char::len_utf8);
    if rest.is_empty() {
        return (missing(expected), 0);
    }
    if let Some(after) = rest.strip_prefix('\\') {
        let escape = after.chars().next().map_or(0, char::len_utf8);
        return (Kind::EscapeInvalid, 1 + escape);
    }
    if rest.starts_with('"') && quoted(rest).is_none() {
        return (Kind::QuoteUnclosed, rest.len());
    }
    if let Some(word) = misplaced_keyword(rest, expected) {
        return (Kind::KeywordMisplaced, word.len());
    }
    if let Some(word) = unspaced_keyword(query, at) {
        let len = if word.start == at { word.len() } else { first };
        return (Kind::KeywordUnspaced, len);
    }
    if expected.has(AFTER_EXPRESSION) && starts_term(rest) {
        return (Kind::OperatorMissing, first);
    }
    (Kind::CharacterUnexpected, first)
}

/// The kind of error when the query ends too soon.
fn missing(expected: Expected) -> Kind {
    if expected.has(Expected::CLOSE_PAREN) {
        Kind::GroupUnclosed
    } else if expected.has(Expected::CLOSE_BRACE) {
        Kind::NestedUnclosed
    } else if expected.has(Expected::FIELD) {
        Kind::ExpressionMissing
    } else if expected.has(Expected::VALUE) {
        Kind::ValueMissing
    } else {
        Kind::CharacterUnexpected
    }
}

/// A keyword at the start of `rest` that cannot stand there: `not` and
/// whitespace anywhere a word was wanted (`a:cannot be` stops at it), or
/// `and`/`or` where a field or value was wanted.
fn misplaced_keyword(rest: &str, expected: Expected) -> Option<&str> {
    let term = Expected::FIELD.or(Expected::VALUE);
    let wants_term = expected.has(term);
    let words: &[&str] = if wants_term {
        &["not", "and", "or"]
    } else {
        &["not"]
    };
    words.iter().find_map(|word| {
        let after = rest.get(word.len()..)?;
        let ends = after.chars().next().is_none_or(is_space);
        let found = rest.get(..word.len())?;
        (found.eq_ignore_ascii_case(word) && ends).then_some(found)
    })
}

/// Where a keyword lacks its whitespace at `at`: `and(` found here, or
/// ` and` / `not` just before a character that is not whitespace.
fn unspaced_keyword(query: &str, at: usize) -> Option<Range<usize>> {
    let rest = query.get(at..)?;
    let glued = |word: &str| {
        let next = rest.get(word.len()..)?.chars().next();
        let glued = next.is_none_or(|c| !c.is_alphanumeric());
        (starts_with_word(rest, word) && glued).then(|| at..at + word.len())
    };
    let before = query.get(..at)?;
    let ends_with = |word: &str, boundary: &dyn Fn(char) -> bool| {
        let start = before.len().checked_sub(word.len())?;
        let tail = before.get(start..)?;
        let prior = before.get(..start)?.chars().next_back();
        let bounded = prior.is_none_or(boundary);
        (tail.eq_ignore_ascii_case(word) && bounded).then_some(start..at)
    };
    glued("and")
        .or_else(|| glued("or"))
        .or_else(|| ends_with("and", &is_space))
        .or_else(|| ends_with("or", &is_space))
        .or_else(|| ends_with("not", &|c| is_space(c) || c == '('))
}

/// Whether `rest` starts something that could begin an expression.
fn starts_term(rest: &str) -> bool {
    rest.chars()
        .next()
        .is_some_and(|c| matches!(c, '(' | '"') || !is_special(c))
}
