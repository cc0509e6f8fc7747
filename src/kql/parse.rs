//! The KQL grammar, rule for rule as Kibana's peggy grammar has it.
//!
//! Each rule is a method that either matches at the current position and
//! moves past what it read, or fails and leaves the position where it
//! was, so ordered choice and backtracking work as in a PEG. Failures are
//! recorded the way peggy records them (only the furthest position
//! counts, and the named rules `field`, `value`, `and`, `or`, `not` and
//! whitespace report themselves rather than their insides), so a syntax
//! error points where Kibana's would.
//!
//! ```text
//! start       = Space* OrQuery? Space*
//! OrQuery     = AndQuery (Or AndQuery)*
//! AndQuery    = NotQuery (And NotQuery)*
//! NotQuery    = Not SubQuery / SubQuery
//! SubQuery    = '(' Space* OrQuery Space* ')' / NestedQuery
//! NestedQuery = Field Space* ':' Space* '{' Space* OrQuery Space* '}'
//!             / Expression
//! Expression  = Field Space* RangeOperator Space* Literal
//!             / Field Space* ':' Space* ListOfValues
//!             / Value
//! ListOfValues = '(' Space* OrList Space* ')' / Value
//! OrList, AndList, NotList: as OrQuery, AndQuery, NotQuery over values
//! ```

use super::ast::{Node, RangeOp};
use super::error::{classify, Expected, SyntaxError, SyntaxErrorKind};
use super::literal::{self, is_space, starts_with_word, Literal};
use super::MAX_NESTING;

/// A rule's outcome: matched, failed (try something else), or nesting
/// too deep, which ends the parse.
type Parsed<T> = Result<Option<T>, TooDeep>;

/// Nesting past the limit, at the byte offset of the bracket that went
/// too deep. Kept to one word: every level of nesting holds one.
struct TooDeep(usize);

/// Parses a whole query into its tree.
pub(crate) fn parse(query: &str) -> Result<Node, SyntaxError> {
    let mut parser = Parser {
        src: query,
        pos: 0,
        depth: 0,
        failed_at: 0,
        expected: Expected::default(),
    };
    parser.start().map_err(|TooDeep(at)| {
        let kind = SyntaxErrorKind::NestingTooDeep;
        SyntaxError::new(kind, at..at + 1, query)
    })?
}

struct Parser<'q> {
    src: &'q str,
    /// the byte offset the next rule reads from
    pos: usize,
    /// how many parentheses and braces enclose the position
    depth: usize,
    /// the furthest byte offset where a rule failed
    failed_at: usize,
    /// what the rules that failed there would have accepted
    expected: Expected,
}

impl Parser<'_> {
    /// The whole query, or the syntax error Kibana would report.
    fn start(&mut self) -> Result<Result<Node, SyntaxError>, TooDeep> {
        self.spaces();
        let node = self.or_query()?.unwrap_or(Node::MatchAll);
        self.spaces();
        if self.pos < self.src.len() {
            self.fail(Expected::END);
            let error = classify(self.src, self.failed_at, self.expected);
            return Ok(Err(error));
        }
        Ok(Ok(node))
    }

    fn or_query(&mut self) -> Parsed<Node> {
        let nodes = self.chain(Keyword::Or, Self::and_query)?;
        Ok(nodes.map(Node::or))
    }

    fn and_query(&mut self) -> Parsed<Node> {
        let nodes = self.chain(Keyword::And, Self::not_query)?;
        Ok(nodes.map(Node::and))
    }

    fn not_query(&mut self) -> Parsed<Node> {
        let start = self.pos;
        if self.not_keyword() {
            if let Some(node) = self.sub_query()? {
                return Ok(Some(Node::Not(Box::new(node))));
            }
            self.pos = start;
        }
        self.sub_query()
    }

    fn sub_query(&mut self) -> Parsed<Node> {
        if let Some(node) = self.group(')', |p| p.or_query())? {
            return Ok(Some(node));
        }
        self.nested_query()
    }

    fn nested_query(&mut self) -> Parsed<Node> {
        let start = self.pos;
        if let Some(path) = self.field_then(':') {
            self.spaces();
            let inner = self.group_with('{', '}', |p| p.or_query())?;
            if let Some(inner) = inner {
                return Ok(Some(Node::nested(&path, inner)));
            }
        }
        self.pos = start;
        self.expression()
    }

    fn expression(&mut self) -> Parsed<Node> {
        let start = self.pos;
        if let Some(node) = self.field_range() {
            return Ok(Some(node));
        }
        self.pos = start;
        if let Some(field) = self.field_then(':') {
            self.spaces();
            if let Some(node) = self.list_of_values(&field)? {
                return Ok(Some(node));
            }
        }
        self.pos = start;
        Ok(self
            .literal(Expected::VALUE)
            .map(|value| Node::is(&Literal::Null, value)))
    }

    fn field_range(&mut self) -> Option<Node> {
        let field = self.literal(Expected::FIELD)?;
        self.spaces();
        let op = self.range_operator()?;
        self.spaces();
        let value = self.literal(Expected::VALUE)?;
        Some(Node::range(&field, op, value))
    }

    /// A field, optional whitespace and `separator`.
    fn field_then(&mut self, separator: char) -> Option<Literal> {
        let field = self.literal(Expected::FIELD)?;
        self.spaces();
        self.eat(separator, Expected::COLON).then_some(field)
    }

    fn list_of_values(&mut self, field: &Literal) -> Parsed<Node> {
        if let Some(node) = self.group(')', |p| p.or_list(field))? {
            return Ok(Some(node));
        }
        Ok(self
            .literal(Expected::VALUE)
            .map(|value| Node::is(field, value)))
    }

    fn or_list(&mut self, field: &Literal) -> Parsed<Node> {
        let nodes = self.chain(Keyword::Or, |p| p.and_list(field))?;
        Ok(nodes.map(Node::or))
    }

    fn and_list(&mut self, field: &Literal) -> Parsed<Node> {
        let nodes = self.chain(Keyword::And, |p| p.not_list(field))?;
        Ok(nodes.map(Node::and))
    }

    fn not_list(&mut self, field: &Literal) -> Parsed<Node> {
        let start = self.pos;
        if self.not_keyword() {
            if let Some(node) = self.list_of_values(field)? {
                return Ok(Some(Node::Not(Box::new(node))));
            }
            self.pos = start;
        }
        self.list_of_values(field)
    }

    /// `( inner )` with optional whitespace inside.
    fn group(
        &mut self,
        close: char,
        inner: impl FnOnce(&mut Self) -> Parsed<Node>,
    ) -> Parsed<Node> {
        self.group_with('(', close, inner)
    }

    /// `open inner close`, counted against the nesting limit.
    fn group_with(
        &mut self,
        open: char,
        close: char,
        inner: impl FnOnce(&mut Self) -> Parsed<Node>,
    ) -> Parsed<Node> {
        let start = self.pos;
        if !self.eat(open, bracket(open)) {
            return Ok(None);
        }
        self.descend(start)?;
        self.spaces();
        let node = inner(self)?;
        self.depth -= 1;
        if node.is_some() {
            self.spaces();
            if self.eat(close, bracket(close)) {
                return Ok(node);
            }
        }
        self.pos = start;
        Ok(None)
    }

    /// One more level of nesting, or the error when it is one too many.
    fn descend(&mut self, at: usize) -> Result<(), TooDeep> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(TooDeep(at));
        }
        Ok(())
    }

    /// `rule (keyword rule)*`: one or more items joined by `keyword`.
    fn chain(
        &mut self,
        keyword: Keyword,
        mut rule: impl FnMut(&mut Self) -> Parsed<Node>,
    ) -> Parsed<Vec<Node>> {
        let Some(first) = rule(self)? else {
            return Ok(None);
        };
        let mut nodes = vec![first];
        loop {
            let start = self.pos;
            if !self.spaced_keyword(keyword) {
                break;
            }
            match rule(self)? {
                Some(node) => nodes.push(node),
                None => {
                    self.pos = start;
                    break;
                }
            }
        }
        Ok(Some(nodes))
    }

    /// Kibana's `Or` and `And`: `Space+ keyword Space+`, any case.
    fn spaced_keyword(&mut self, keyword: Keyword) -> bool {
        let (word, expected) = match keyword {
            Keyword::Or => ("or", Expected::OR),
            Keyword::And => ("and", Expected::AND),
        };
        let start = self.pos;
        let before = self.skip_spaces();
        let matched = before > 0 && self.word_then_spaces(word);
        if !matched {
            self.pos = start;
            self.fail(expected);
        }
        matched
    }

    /// Kibana's `Not`: `not` and at least one whitespace, any case.
    fn not_keyword(&mut self) -> bool {
        let start = self.pos;
        let matched = self.word_then_spaces("not");
        if !matched {
            self.pos = start;
            self.fail(Expected::NOT);
        }
        matched
    }

    /// `word` in any case and at least one whitespace; moves past them
    /// (the caller restores the position when this fails).
    fn word_then_spaces(&mut self, word: &str) -> bool {
        if !starts_with_word(self.rest(), word) {
            return false;
        }
        self.pos += word.len();
        self.skip_spaces() > 0
    }

    /// A quoted or unquoted literal; a named rule, so a failure inside it
    /// is reported at its start as `expected`.
    fn literal(&mut self, expected: Expected) -> Option<Literal> {
        let rest = self.rest();
        match literal::quoted(rest).or_else(|| literal::unquoted(rest)) {
            Some((literal, len)) => {
                self.pos += len;
                Some(literal)
            }
            None => {
                self.fail(expected);
                None
            }
        }
    }

    fn range_operator(&mut self) -> Option<RangeOp> {
        let rest = self.rest();
        let (op, len) = if rest.starts_with("<=") {
            (RangeOp::Lte, 2)
        } else if rest.starts_with(">=") {
            (RangeOp::Gte, 2)
        } else if rest.starts_with('<') {
            (RangeOp::Lt, 1)
        } else if rest.starts_with('>') {
            (RangeOp::Gt, 1)
        } else {
            self.fail(Expected::RANGE);
            return None;
        };
        self.pos += len;
        Some(op)
    }

    /// `Space*`: always matches, and records the whitespace it could
    /// have read next, as peggy does.
    fn spaces(&mut self) {
        self.skip_spaces();
        self.fail(Expected::SPACE);
    }

    /// Moves past whitespace without recording anything; the count read.
    fn skip_spaces(&mut self) -> usize {
        let rest = self.rest();
        let len = rest.find(|c| !is_space(c)).unwrap_or(rest.len());
        self.pos += len;
        len
    }

    fn eat(&mut self, c: char, expected: Expected) -> bool {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            self.fail(expected);
            false
        }
    }

    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or_default()
    }

    /// Records that `expected` would have been accepted at the position.
    fn fail(&mut self, expected: Expected) {
        if self.pos > self.failed_at {
            self.failed_at = self.pos;
            self.expected = Expected::default();
        }
        if self.pos == self.failed_at {
            self.expected.add(expected);
        }
    }
}

/// The keywords that join items of a chain.
#[derive(Clone, Copy)]
enum Keyword {
    Or,
    And,
}

fn bracket(c: char) -> Expected {
    match c {
        '(' => Expected::OPEN_PAREN,
        ')' => Expected::CLOSE_PAREN,
        '{' => Expected::OPEN_BRACE,
        _ => Expected::CLOSE_BRACE,
    }
}
