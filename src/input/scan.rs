//! A structural scanner for JSON text: where values start and end.
//!
//! It is not a parser. It follows strings, escapes and brackets, and reads
//! the keys of a top-level object at depth 1 (and at depth 2 under `hits`)
//! to recognize the known containers. Deep inside a value it only looks at
//! quotes and brackets, and inside strings it jumps from one quote or
//! backslash to the next with `memchr`, so most bytes are passed over in
//! bulk. Its state survives between chunks: it can stop at any byte.

use memchr::memchr2;

use super::Container;

/// What the scanner found, with the offset it concerns in the slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// A piece starts at this offset.
    Start(usize),
    /// The piece in progress ends before this offset.
    End(usize),
    /// The top-level object in progress is a known container, whose array
    /// of records opens at this offset; what was read of it is structural.
    Container(Container, usize),
    /// A top-level array opens at this offset.
    ArrayOpen(usize),
    /// A top-level array closes before this offset.
    ArrayClose(usize),
    /// A closing bracket at this offset closes nothing.
    Stray(usize),
    /// Something follows the array of a line that holds one.
    Trailing(usize),
}

/// How the input stands when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Between values: nothing is missing.
    Clean,
    /// In a bare scalar (a number, `true`...): the piece ends here.
    Scalar,
    /// Inside a string of a piece.
    InString,
    /// Inside a piece, between its brackets.
    InValue,
    /// Inside a top-level array, between its elements.
    InArray,
    /// Inside a container's envelope, outside its records.
    InContainer(Container),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Out,
    Str,
    Esc,
    /// In a key of a watched object, whose bytes are kept.
    Key,
    /// In a bare scalar that is a piece.
    Bare,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    /// Between top-level values.
    Idle,
    /// In a top-level array: its elements are pieces.
    Array,
    /// In a top-level object, which is a piece unless it is a container.
    Object,
    /// In a container's envelope.
    Envelope(Container),
    /// After the array of a line that holds one.
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyState {
    ExpectKey,
    InKey,
    AfterKey,
    AfterColon,
    Value,
}

/// The keys of a top-level object, read to recognize containers.
#[derive(Debug, Clone, Copy)]
struct Keys {
    state: KeyState,
    key: [u8; 8],
    /// Bytes of the key kept; more than `key.len()` means no match.
    len: usize,
    /// Inside the `hits` object at depth 2.
    in_hits: bool,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            state: KeyState::ExpectKey,
            key: [0; 8],
            len: 0,
            in_hits: false,
        }
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.key.get_mut(self.len) {
            *slot = byte;
        }
        self.len = self.len.saturating_add(1);
    }

    fn is(&self, name: &[u8]) -> bool {
        self.key.get(..self.len) == Some(name)
    }

    /// The container whose records are the array after this key.
    ///
    /// NOTE: decided at the array's `[`, before anything of it is kept, so
    /// that a container is never held whole. A record of its own with a
    /// top-level `value` or `events` array would be taken for a container;
    /// no audit record has one.
    fn container(&self, depth: u64) -> Option<Container> {
        if self.state != KeyState::AfterColon {
            return None;
        }
        match depth {
            1 if self.is(b"value") => Some(Container::Graph),
            1 if self.is(b"events") => Some(Container::PipelineTest),
            2 if self.in_hits && self.is(b"hits") => Some(Container::EsResponse),
            _ => None,
        }
    }
}

/// Bytes that matter outside strings deep inside a value.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// Bytes that end a run of string content.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Passes over a string from just after its opening quote: the offset
/// after its closing quote, or how the string stands at the slice's end.
fn skip_string(bytes: &[u8], mut at: usize) -> Result<usize, Lex> {
    loop {
        at = string_stop(bytes, at);
        match bytes.get(at) {
            None => return Err(Lex::Str),
            Some(b'"') => return Ok(at + 1),
            Some(_) if at + 1 == bytes.len() => return Err(Lex::Esc),
            Some(_) => at += 2,
        }
    }
}

/// The offset of the next quote or backslash (or the slice's end).
///
/// NOTE: eight bytes at a time, since most strings of audit records are
/// a few words long, where setting up `memchr2` costs more than it saves.
fn string_stop(bytes: &[u8], mut at: usize) -> usize {
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let found = has_byte(word, b'"') | has_byte(word, b'\\');
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let rest = bytes.get(at..).unwrap_or_default();
    at + rest
        .iter()
        .take_while(|&&b| !STRING_STOP[usize::from(b)])
        .count()
}

/// The high bit of each byte of `word` that equals `byte` (the lowest
/// one is exact; higher ones may be wrong, and are not used).
fn has_byte(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

fn ends_bare(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t' | b'\r' | b'\n' | b',' | b'"' | b'[' | b']' | b'{' | b'}'
    )
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// The scanner's state between bytes.
#[derive(Debug, Clone)]
pub(crate) struct Scanner {
    depth: u64,
    lex: Lex,
    top: Top,
    /// Values that begin at this depth are pieces.
    piece_depth: u64,
    /// Whether values at `piece_depth` are pieces (not after a
    /// container's array has closed).
    pieces: bool,
    in_piece: bool,
    keys: Keys,
    /// Read the keys of top-level objects (not within one line's array).
    watch: bool,
    /// The input is one line holding an array: nothing may follow it.
    line_mode: bool,
}

impl Scanner {
    /// A scanner for values that follow each other.
    pub(crate) fn stream() -> Scanner {
        Scanner {
            depth: 0,
            lex: Lex::Out,
            top: Top::Idle,
            piece_depth: 0,
            pieces: true,
            in_piece: false,
            keys: Keys::new(),
            watch: true,
            line_mode: false,
        }
    }

    /// A scanner for one line that holds an array.
    pub(crate) fn line() -> Scanner {
        Scanner {
            watch: false,
            line_mode: true,
            ..Scanner::stream()
        }
    }

    /// Whether the piece in progress (or just ended) is a top-level value.
    pub(crate) fn piece_is_top(&self) -> bool {
        self.piece_depth == 0
    }

    /// How things stand if the input ends here.
    pub(crate) fn ending(&self) -> Ending {
        match (self.in_piece, self.lex, self.top) {
            (true, Lex::Bare, _) => Ending::Scalar,
            (true, Lex::Str | Lex::Esc, _) => Ending::InString,
            (true, _, _) => Ending::InValue,
            (false, _, Top::Array) => Ending::InArray,
            (false, _, Top::Envelope(kind)) => Ending::InContainer(kind),
            (false, _, _) => Ending::Clean,
        }
    }

    /// Scans `bytes` from `*at` up to the next event, or to the end.
    pub(crate) fn next(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        while *at < bytes.len() {
            let event = match self.lex {
                Lex::Str => self.string(bytes, at),
                Lex::Esc => {
                    *at += 1;
                    self.lex = Lex::Str;
                    None
                }
                Lex::Key => self.key(bytes, at),
                Lex::Bare => self.bare(bytes, at),
                Lex::Out => self.out(bytes, at),
            };
            if event.is_some() {
                return event;
            }
        }
        None
    }

    fn string(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let rest = &bytes[*at..];
        let Some(k) = memchr2(b'"', b'\\', rest) else {
            *at = bytes.len();
            return None;
        };
        *at += k + 1;
        if rest[k] == b'\\' {
            self.lex = Lex::Esc;
            return None;
        }
        self.lex = Lex::Out;
        if self.keys.state == KeyState::InKey && self.watched() {
            self.keys.state = KeyState::AfterKey;
        }
        self.end_at_piece_depth(*at)
    }

    fn key(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let byte = bytes[*at];
        *at += 1;
        match byte {
            b'"' => {
                self.lex = Lex::Out;
                self.keys.state = KeyState::AfterKey;
            }
            b'\\' => {
                self.keys.len = usize::MAX;
                self.lex = Lex::Esc;
            }
            _ => self.keys.push(byte),
        }
        None
    }

    fn bare(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let rest = &bytes[*at..];
        match rest.iter().position(|&b| ends_bare(b)) {
            None => {
                *at = bytes.len();
                None
            }
            Some(k) => {
                *at += k;
                self.lex = Lex::Out;
                self.end_at_piece_depth(*at)
            }
        }
    }

    /// Ends a piece that is a string or a scalar.
    fn end_at_piece_depth(&mut self, end: usize) -> Option<Event> {
        if self.in_piece && self.depth == self.piece_depth {
            self.in_piece = false;
            return Some(Event::End(end));
        }
        None
    }

    fn watched(&self) -> bool {
        self.watch
            && self.top == Top::Object
            && (self.depth == 1 || (self.depth == 2 && self.keys.in_hits))
    }

    fn out(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        if self.watched() {
            return self.watch_byte(bytes, at);
        }
        if self.in_piece && self.depth > self.floor() {
            return self.inside(bytes, at);
        }
        let at_level = self.depth == self.piece_depth && self.pieces;
        match (self.in_piece, at_level, self.top) {
            (_, _, Top::Closed) => self.after_line_array(bytes, at),
            (false, true, _) => self.level_byte(bytes, at),
            _ => self.deep(bytes, at),
        }
    }

    /// The depth below which a piece needs more than bracket counting:
    /// where it ends, or where a top-level object's keys are read.
    fn floor(&self) -> u64 {
        match (self.watch && self.top == Top::Object, self.keys.in_hits) {
            (true, true) => 2,
            (true, false) => 1,
            (false, _) => self.piece_depth,
        }
    }

    /// The inside of a piece, above its floor: the hot loop. It counts
    /// brackets and passes over strings, and leaves the bracket that
    /// brings the depth back to the floor to [`Scanner::deep`].
    fn inside(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let floor = self.floor();
        let mut depth = self.depth;
        let mut i = *at;
        while let Some(&byte) = bytes.get(i) {
            if !STRUCTURAL[usize::from(byte)] {
                i += 1;
                continue;
            }
            match byte {
                b'"' => match skip_string(bytes, i + 1) {
                    Ok(end) => i = end,
                    Err(lex) => {
                        self.lex = lex;
                        i = bytes.len();
                    }
                },
                b'{' | b'[' => {
                    depth += 1;
                    i += 1;
                }
                _ if depth <= floor + 1 => break,
                _ => {
                    depth -= 1;
                    i += 1;
                }
            }
        }
        self.depth = depth;
        *at = i;
        match i < bytes.len() {
            true => self.deep(bytes, at),
            false => None,
        }
    }

    /// Deep inside a value, or in an envelope: only quotes and brackets.
    fn deep(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let rest = &bytes[*at..];
        let Some(k) = rest.iter().position(|&b| STRUCTURAL[usize::from(b)]) else {
            *at = bytes.len();
            return None;
        };
        let here = *at + k;
        *at = here + 1;
        match rest[k] {
            b'"' => {
                self.lex = Lex::Str;
                None
            }
            b'{' | b'[' => {
                self.depth += 1;
                None
            }
            _ => self.close(here),
        }
    }

    /// A closing bracket deep inside a value or an envelope.
    fn close(&mut self, here: usize) -> Option<Event> {
        if self.depth == 0 {
            return Some(Event::Stray(here));
        }
        self.depth -= 1;
        if self.depth == 0 && self.top == Top::Object {
            self.top = Top::Idle;
        }
        if let Some(event) = self.end_at_piece_depth(here + 1) {
            return Some(event);
        }
        if let Top::Envelope(_) = self.top {
            if self.depth + 1 == self.piece_depth {
                self.pieces = false;
            }
            if self.depth == 0 {
                self.back_to_idle();
            }
        }
        None
    }

    fn back_to_idle(&mut self) {
        self.top = Top::Idle;
        self.piece_depth = 0;
        self.pieces = true;
    }

    /// Between the pieces of a level: the top level, an array's elements
    /// or a container's records.
    fn level_byte(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let here = *at;
        let byte = bytes[here];
        *at += 1;
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => None,
            b'[' if self.top == Top::Idle => {
                self.depth = 1;
                self.top = Top::Array;
                self.piece_depth = 1;
                Some(Event::ArrayOpen(here))
            }
            b'{' | b'[' => {
                if self.top == Top::Idle {
                    self.top = Top::Object;
                    self.keys = Keys::new();
                }
                self.depth += 1;
                self.start(here)
            }
            b'"' => {
                self.lex = Lex::Str;
                self.start(here)
            }
            b']' => self.close_level(here),
            b'}' => Some(Event::Stray(here)),
            _ => {
                self.lex = Lex::Bare;
                self.start(here)
            }
        }
    }

    fn start(&mut self, here: usize) -> Option<Event> {
        self.in_piece = true;
        Some(Event::Start(here))
    }

    /// A `]` between the pieces of a level.
    fn close_level(&mut self, here: usize) -> Option<Event> {
        match self.top {
            Top::Array => {
                self.depth = 0;
                self.back_to_idle();
                if self.line_mode {
                    self.top = Top::Closed;
                }
                Some(Event::ArrayClose(here + 1))
            }
            Top::Envelope(_) => {
                self.depth -= 1;
                self.pieces = false;
                None
            }
            _ => Some(Event::Stray(here)),
        }
    }

    fn after_line_array(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let here = *at;
        *at += 1;
        match is_blank(bytes[here]) {
            true => None,
            false => Some(Event::Trailing(here)),
        }
    }

    /// A byte at depth 1 of a top-level object (or depth 2 in `hits`),
    /// where keys are read.
    fn watch_byte(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let here = *at;
        let byte = bytes[here];
        *at += 1;
        let keys = &mut self.keys;
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => None,
            b'"' if keys.state == KeyState::ExpectKey => {
                keys.state = KeyState::InKey;
                keys.len = 0;
                self.lex = Lex::Key;
                None
            }
            b'"' => {
                keys.state = KeyState::Value;
                self.lex = Lex::Str;
                None
            }
            b':' => {
                if keys.state == KeyState::AfterKey {
                    keys.state = KeyState::AfterColon;
                }
                None
            }
            b',' => {
                keys.state = KeyState::ExpectKey;
                None
            }
            b'{' => self.watched_object(),
            b'[' => self.watched_array(here),
            b'}' | b']' => self.watched_close(here),
            _ => {
                keys.state = KeyState::Value;
                None
            }
        }
    }

    fn watched_object(&mut self) -> Option<Event> {
        let keys = &mut self.keys;
        let hits = self.depth == 1 && keys.state == KeyState::AfterColon && keys.is(b"hits");
        self.depth += 1;
        keys.in_hits |= hits;
        keys.state = match hits {
            true => KeyState::ExpectKey,
            false => KeyState::Value,
        };
        None
    }

    fn watched_array(&mut self, here: usize) -> Option<Event> {
        let kind = self.keys.container(self.depth);
        self.depth += 1;
        self.keys.state = KeyState::Value;
        let kind = kind?;
        self.top = Top::Envelope(kind);
        self.piece_depth = self.depth;
        self.pieces = true;
        self.in_piece = false;
        Some(Event::Container(kind, here))
    }

    fn watched_close(&mut self, here: usize) -> Option<Event> {
        self.depth -= 1;
        self.keys.state = KeyState::Value;
        if self.depth == 0 {
            self.top = Top::Idle;
            self.in_piece = false;
            return Some(Event::End(here + 1));
        }
        self.keys.in_hits = false;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str, mut scanner: Scanner) -> Vec<Event> {
        let mut at = 0;
        let mut out = Vec::new();
        while let Some(event) = scanner.next(text.as_bytes(), &mut at) {
            out.push(event);
        }
        out
    }

    #[test]
    fn values_one_after_another() {
        let got = events(r#"{"a":"}"} 12 "x\"" "#, Scanner::stream());
        use Event::*;
        let want = [Start(0), End(9), Start(10), End(12), Start(13), End(18)];
        assert_eq!(got, want);
    }

    #[test]
    fn search_response_records() {
        let text = r#"{"took":1,"hits":{"total":2,"hits":[{"a":[1]},{}]}}"#;
        let got = events(text, Scanner::stream());
        use Event::*;
        let want = [
            Start(0),
            Container(crate::input::Container::EsResponse, 35),
            Start(36),
            End(45),
            Start(46),
            End(48),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_record_with_a_hits_key_is_not_a_container() {
        let text = r#"{"hits":[1],"x":{"hits":[2]}}"#;
        let got = events(text, Scanner::stream());
        assert_eq!(got, [Event::Start(0), Event::End(29)]);
    }

    #[test]
    fn stray_bracket_at_top_level() {
        let got = events("{}\n]", Scanner::stream());
        assert_eq!(got.last(), Some(&Event::Stray(3)));
    }

    #[test]
    fn text_after_a_line_array() {
        let got = events("[1] x", Scanner::line());
        use Event::*;
        let want = [ArrayOpen(0), Start(1), End(2), ArrayClose(3), Trailing(4)];
        assert_eq!(got, want);
    }

    #[test]
    fn deep_nesting_is_only_counted() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let got = events(&text, Scanner::stream());
        assert_eq!(got.len(), 4);
    }
}
