//! Lexical rules of KQL literals: quoted strings, unquoted words with
//! their escapes, whitespace and the keyword lookahead.
//!
//! These follow Kibana's grammar character for character, quirks
//! included, because a different reading of one escape changes which
//! documents a query matches:
//!
//! - in an unquoted word the escapes are tried in a fixed order: `\t` `\r`
//!   `\n`, then `\` before a special character, then `\uXXXX`, then `\or`
//!   `\and` `\not`; so `\not` is a line feed followed by `ot`;
//! - an unquoted word stops before ` or `, ` and ` and before `not`
//!   followed by whitespace, even in the middle of a word;
//! - the word is then trimmed with JavaScript's `trim()`.

use super::pattern::Pattern;

/// What a literal reads as, before it becomes a field or a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Literal {
    /// text; `quoted` when written in double quotes
    Text { text: String, quoted: bool },
    /// unquoted `true` or `false`
    Bool(bool),
    /// unquoted `null`
    Null,
    /// an unquoted word with at least one unescaped `*`
    Pattern(Pattern),
}

/// Whitespace as KQL knows it: space, tab, CR, LF and no-break space.
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{a0}')
}

/// The characters that end an unquoted word unless escaped.
pub(crate) fn is_special(c: char) -> bool {
    matches!(
        c,
        '\\' | '(' | ')' | ':' | '<' | '>' | '"' | '*' | '{' | '}'
    )
}

/// Whitespace as JavaScript's `trim()` removes it: Unicode's White_Space
/// except U+0085, plus the byte order mark U+FEFF.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// Whether `text` starts with `word`, ignoring ASCII case.
pub(crate) fn starts_with_word(text: &str, word: &str) -> bool {
    text.get(..word.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(word))
}

/// Whether `text` starts with a single whitespace character; its length.
fn space_len(text: &str) -> Option<usize> {
    text.chars()
        .next()
        .filter(|&c| is_space(c))
        .map(char::len_utf8)
}

/// Whether `text` starts with `word` (any case) and one whitespace.
fn word_then_space(text: &str, word: &str) -> bool {
    starts_with_word(text, word) && space_len(&text[word.len()..]).is_some()
}

/// Kibana's `Keyword` lookahead, which ends an unquoted word: a space,
/// `or` or `and`, a space; or `not` and a space.
pub(crate) fn keyword_ahead(text: &str) -> bool {
    if word_then_space(text, "not") {
        return true;
    }
    match space_len(text) {
        Some(len) => {
            let after = &text[len..];
            word_then_space(after, "or") || word_then_space(after, "and")
        }
        None => false,
    }
}

/// A quoted string at the start of `text`, and the bytes it spans.
///
/// None when `text` does not start with `"` or the string never closes.
pub(crate) fn quoted(text: &str) -> Option<(Literal, usize)> {
    let body = text.strip_prefix('"')?;
    let mut out = Utf16Joiner::default();
    let mut at = 0;
    loop {
        let rest = &body[at..];
        let c = rest.chars().next()?;
        if c == '"' {
            let literal = Literal::Text {
                text: out.finish(),
                quoted: true,
            };
            return Some((literal, at + 2));
        }
        let (piece, len) = quoted_char(rest, c);
        out.push(piece);
        at += len;
    }
}

/// One character of a quoted string; any unknown escape is a backslash.
fn quoted_char(rest: &str, c: char) -> (Piece<'_>, usize) {
    if c != '\\' {
        return (Piece::Char(c), c.len_utf8());
    }
    let after = &rest[1..];
    if let Some(escaped) = escaped_space(after) {
        return (Piece::Char(escaped), 2);
    }
    if let Some(unit) = unicode_escape(after) {
        return (Piece::Unit(unit), 6);
    }
    match after.chars().next() {
        Some(q @ ('\\' | '"')) => (Piece::Char(q), 2),
        _ => (Piece::Char('\\'), 1),
    }
}

/// An unquoted word at the start of `text`, and the bytes it spans.
pub(crate) fn unquoted(text: &str) -> Option<(Literal, usize)> {
    let mut parts = vec![Utf16Joiner::default()];
    let mut at = 0;
    while let Some((piece, len)) = unquoted_char(&text[at..]) {
        match piece {
            Piece::Star => parts.push(Utf16Joiner::default()),
            other => parts.last_mut()?.push(other),
        }
        at += len;
    }
    if at == 0 {
        return None;
    }
    let parts = parts.into_iter().map(Utf16Joiner::finish).collect();
    Some((word(trim_js(parts)), at))
}

/// Reads a trimmed word: a pattern when it had a star, otherwise the
/// typed words `true`, `false`, `null`, or text.
fn word(mut parts: Vec<String>) -> Literal {
    if parts.len() > 1 {
        return Literal::Pattern(Pattern::new(parts));
    }
    let text = parts.pop().unwrap_or_default();
    match text.as_str() {
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        "null" => Literal::Null,
        _ => Literal::Text {
            text,
            quoted: false,
        },
    }
}

/// JavaScript's `trim()` over the whole word; stars are not whitespace,
/// so only the outer ends of the first and last parts are trimmed.
fn trim_js(mut parts: Vec<String>) -> Vec<String> {
    if let Some(first) = parts.first_mut() {
        *first = first.trim_start_matches(is_js_space).to_owned();
    }
    if let Some(last) = parts.last_mut() {
        *last = last.trim_end_matches(is_js_space).to_owned();
    }
    parts
}

/// One piece of a literal as the grammar reads it.
enum Piece<'a> {
    Char(char),
    /// a UTF-16 code unit from `\uXXXX`: JavaScript joins surrogate pairs
    Unit(u16),
    /// an escaped keyword, as typed (`\OR` is `OR`)
    Text(&'a str),
    /// an unescaped `*`
    Star,
}

/// One character of an unquoted word, or None where the word ends.
fn unquoted_char(rest: &str) -> Option<(Piece<'_>, usize)> {
    let c = rest.chars().next()?;
    if c == '\\' {
        return escape(&rest[1..]);
    }
    if c == '*' {
        return Some((Piece::Star, 1));
    }
    if is_special(c) || keyword_ahead(rest) {
        return None;
    }
    Some((Piece::Char(c), c.len_utf8()))
}

/// The escape after a backslash in an unquoted word, in Kibana's order.
fn escape(after: &str) -> Option<(Piece<'_>, usize)> {
    if let Some(escaped) = escaped_space(after) {
        return Some((Piece::Char(escaped), 2));
    }
    if let Some(c) = after.chars().next().filter(|&c| is_special(c)) {
        return Some((Piece::Char(c), 1 + c.len_utf8()));
    }
    if let Some(unit) = unicode_escape(after) {
        return Some((Piece::Unit(unit), 6));
    }
    ["or", "and", "not"]
        .into_iter()
        .find(|word| starts_with_word(after, word))
        .map(|word| (Piece::Text(&after[..word.len()]), 1 + word.len()))
}

/// `t`, `r` or `n` after a backslash (case-sensitive).
fn escaped_space(after: &str) -> Option<char> {
    match after.as_bytes().first() {
        Some(b't') => Some('\t'),
        Some(b'r') => Some('\r'),
        Some(b'n') => Some('\n'),
        _ => None,
    }
}

/// `uXXXX` after a backslash: exactly four hex digits, any case.
fn unicode_escape(after: &str) -> Option<u16> {
    let digits = after.strip_prefix('u')?.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

/// Builds a string from pieces, joining `\uD83D\uDE00`-style surrogate
/// pairs as JavaScript would.
///
/// NOTE: a lone surrogate cannot live in a Rust string; it becomes
/// U+FFFD, where JavaScript would keep an unpaired code unit.
#[derive(Default)]
struct Utf16Joiner {
    text: String,
    high: Option<u16>,
}

impl Utf16Joiner {
    fn push(&mut self, piece: Piece<'_>) {
        match piece {
            Piece::Unit(unit) => self.push_unit(unit),
            Piece::Char(c) => self.push_str(c.encode_utf8(&mut [0; 4])),
            Piece::Text(text) => self.push_str(text),
            Piece::Star => self.push_str("*"),
        }
    }

    fn push_str(&mut self, text: &str) {
        self.flush_high();
        self.text.push_str(text);
    }

    fn push_unit(&mut self, unit: u16) {
        match (self.high.take(), unit) {
            (Some(high), 0xDC00..=0xDFFF) => {
                let pair = char::decode_utf16([high, unit]).next();
                let c = pair.and_then(Result::ok);
                self.text.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            (high, 0xD800..=0xDBFF) => {
                self.high = high;
                self.flush_high();
                self.high = Some(unit);
            }
            (high, _) => {
                self.high = high;
                self.flush_high();
                let c = char::from_u32(u32::from(unit));
                self.text.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
        }
    }

    fn flush_high(&mut self) {
        if self.high.take().is_some() {
            self.text.push(char::REPLACEMENT_CHARACTER);
        }
    }

    fn finish(mut self) -> String {
        self.flush_high();
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Literal {
        Literal::Text {
            text: value.to_owned(),
            quoted: false,
        }
    }

    fn word_of(input: &str) -> Option<(Literal, usize)> {
        unquoted(input)
    }

    #[test]
    fn escapes_follow_kibanas_order() {
        assert_eq!(word_of(r"can\not"), Some((text("can\not"), 7)));
        assert_eq!(word_of(r"\NOT"), Some((text("NOT"), 4)));
        assert_eq!(word_of(r"\Or"), Some((text("Or"), 3)));
        assert_eq!(word_of(r"\u0041b"), Some((text("Ab"), 7)));
        assert_eq!(word_of(r"x\:y"), Some((text("x:y"), 4)));
        assert_eq!(word_of(r"x\y"), Some((text("x"), 1)));
        assert_eq!(word_of(r"\u00"), None);
    }

    #[test]
    fn words_stop_before_keywords_and_specials() {
        assert_eq!(word_of("x or y"), Some((text("x"), 1)));
        assert_eq!(word_of("x\u{a0}AND\ty"), Some((text("x"), 1)));
        assert_eq!(word_of("x and"), Some((text("x and"), 5)));
        assert_eq!(word_of("cannot be"), Some((text("can"), 3)));
        assert_eq!(word_of("nothing"), Some((text("nothing"), 7)));
        assert_eq!(word_of("a:b"), Some((text("a"), 1)));
    }

    #[test]
    fn words_are_trimmed_like_javascript() {
        assert_eq!(word_of(r" x\t"), Some((text("x"), 4)));
        assert_eq!(word_of("x\u{feff}"), Some((text("x"), 4)));
        assert_eq!(word_of("x\u{85}"), Some((text("x\u{85}"), 3)));
    }

    #[test]
    fn typed_words_and_patterns() {
        assert_eq!(word_of("true ").map(|w| w.0), Some(Literal::Bool(true)));
        assert_eq!(word_of("TRUE").map(|w| w.0), Some(text("TRUE")));
        assert_eq!(word_of("null").map(|w| w.0), Some(Literal::Null));
        let star = Pattern::new(vec![String::new(), String::new()]);
        assert_eq!(word_of(" * ").map(|w| w.0), Some(Literal::Pattern(star)));
        let escaped = Pattern::new(vec!["x".into(), "*".into()]);
        let found = word_of(r"x*\*").map(|w| w.0);
        assert_eq!(found, Some(Literal::Pattern(escaped)));
    }

    #[test]
    fn quoted_strings_keep_unknown_escapes() {
        let q = quoted;
        let lit = |s: &str| Literal::Text {
            text: s.to_owned(),
            quoted: true,
        };
        assert_eq!(q(r#""x\y""#), Some((lit(r"x\y"), 5)));
        assert_eq!(q(r#""x\"y""#), Some((lit("x\"y"), 6)));
        assert_eq!(q(r#""x\\""#), Some((lit("x\\"), 5)));
        assert_eq!(q(r#""\u0041*""#), Some((lit("A*"), 9)));
        assert_eq!(q(r#""x\""#), None);
        assert_eq!(q(r#""""#), Some((lit(""), 2)));
    }

    #[test]
    fn surrogate_pairs_join() {
        let found = word_of(r"\uD83D\uDE00").map(|w| w.0);
        assert_eq!(found, Some(text("\u{1F600}")));
        let lone = word_of(r"\uD83Dx").map(|w| w.0);
        assert_eq!(lone, Some(text("\u{FFFD}x")));
    }
}
