//! A structural scanner for JSON text: where values start and end.
//!
//! It is not a parser. It follows strings, escapes and brackets, and reads
//! the keys of a top-level object along the few paths that lead to the
//! records of a known container: `value` (a Graph page), `events` (a
//! pipeline test file) and `hits.hits` of a search response, which may sit
//! at the top, in `response` (an async search), in `rawResponse` (Kibana)
//! or in each element of `responses` (a multi-search). Deep inside a value
//! it only looks at quotes and brackets, and inside strings it jumps from
//! one quote or backslash to the next with `memchr`, so most bytes are
//! passed over in bulk. It remembers which bracket opened each of the
//! first [`KEPT_LEVELS`] levels, so that a closing bracket of the wrong
//! kind is found where it stands. Its state survives between chunks: it can
//! stop at any byte.

use memchr::memchr3;

use super::Container;

/// What the scanner found, with the offset it concerns in the slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// A piece starts at this offset.
    Start(usize),
    /// The piece in progress ends before this offset.
    End(usize),
    /// A container's array of records opens at this offset; what was read
    /// of the top-level object around it is structural.
    Container(Container, usize),
    /// A top-level array opens at this offset.
    ArrayOpen(usize),
    /// A top-level array closes before this offset.
    ArrayClose(usize),
    /// A closing bracket at this offset, between values, closes nothing.
    Stray(usize),
    /// A closing bracket at this offset is not the one the innermost open
    /// bracket needs, which is given. The scanner is lost until
    /// [`Scanner::resume`].
    Mismatch(usize, u8),
    /// A string runs into the newline at this offset: JSON strings hold
    /// none, so its closing quote is missing. The scanner is lost until
    /// [`Scanner::resume`].
    Unclosed(usize),
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
    /// In a top-level object: a piece, or a container's envelope once a
    /// container's records were found in it.
    Object,
}

/// What a watched level of a top-level object is, on the way to records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    /// The top-level object itself.
    Root,
    /// A search response inside it: `response`, `rawResponse`, or an
    /// element of `responses`.
    Response,
    /// A search response's `hits` object.
    Hits,
    /// A multi-search response's `responses` array.
    Responses,
}

/// Watched levels go at most this deep: the top-level object, `responses`,
/// one response, its `hits`.
const MAX_WATCHED: usize = 4;

/// Where a value opened at a watched level leads.
enum Step {
    /// To another watched level.
    Watch(Node),
    /// To a container's array of records.
    Records(Container),
}

impl Node {
    /// Where a value opened here after `keys` leads, if anywhere.
    fn step(self, keys: &Keys, brace: bool) -> Option<Step> {
        use Container::{EsResponse, Graph, PipelineTest};
        use Node::*;
        if self == Responses {
            return brace.then_some(Step::Watch(Response));
        }
        if keys.state != KeyState::AfterColon {
            return None;
        }
        let is_response = keys.is(b"response") || keys.is(b"rawResponse");
        match (self, brace) {
            (Root | Response, true) if keys.is(b"hits") => Some(Step::Watch(Hits)),
            (Root, true) if is_response => Some(Step::Watch(Response)),
            (Root, false) if keys.is(b"responses") => Some(Step::Watch(Responses)),
            (Root, false) if keys.is(b"value") => Some(Step::Records(Graph)),
            (Root, false) if keys.is(b"events") => Some(Step::Records(PipelineTest)),
            (Hits, false) if keys.is(b"hits") => Some(Step::Records(EsResponse)),
            _ => None,
        }
    }

    fn closer(self) -> u8 {
        match self {
            Node::Responses => b']',
            _ => b'}',
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyState {
    ExpectKey,
    InKey,
    AfterKey,
    AfterColon,
    Value,
}

/// The key read last at a watched level.
#[derive(Debug, Clone, Copy)]
struct Keys {
    state: KeyState,
    key: [u8; 16],
    /// Bytes of the key kept; more than `key.len()` means no match.
    len: usize,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            state: KeyState::ExpectKey,
            key: [0; 16],
            len: 0,
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
}

/// How many levels' opening brackets are kept: records may nest 128
/// levels, and containers add a few. Deeper levels are only counted, and a
/// wrong closing bracket there goes unnoticed.
pub(crate) const KEPT_LEVELS: u64 = 256;

/// Which bracket opened each level (a set bit: `{`).
#[derive(Debug, Clone, Copy, Default)]
struct Kinds([u64; (KEPT_LEVELS / 64) as usize]);

impl Kinds {
    #[inline]
    fn open(&mut self, depth: u64, byte: u8) {
        let bit = 1u64 << (depth % 64);
        if let Some(word) = self.0.get_mut((depth / 64) as usize) {
            match byte {
                b'{' => *word |= bit,
                _ => *word &= !bit,
            }
        }
    }

    /// The closing bracket the level at `depth` needs, if it is kept.
    #[inline]
    fn closer(&self, depth: u64) -> Option<u8> {
        let word = self.0.get((depth / 64) as usize)?;
        Some(match word >> (depth % 64) & 1 {
            1 => b'}',
            _ => b']',
        })
    }

    #[inline]
    fn closes(&self, depth: u64, byte: u8) -> bool {
        self.closer(depth).is_none_or(|closer| closer == byte)
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

/// Bytes that end a run of string content; with `NEWLINE`, the newline
/// too.
const fn string_stops(newline: bool) -> [bool; 256] {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'\n' as usize] = newline;
    table
}

/// How a string passed over stands at the slice's end.
enum Open {
    /// Still in it (`Lex::Str` or, after a backslash, `Lex::Esc`).
    At(Lex),
    /// It runs into the newline at this offset.
    Unclosed(usize),
}

/// Passes over a string from just after its opening quote: the offset
/// after its closing quote, or how the string stands. `NEWLINE` says
/// whether the bytes may hold newlines (a line's bytes do not, and are
/// spared the test).
fn skip_string<const NEWLINE: bool>(bytes: &[u8], mut at: usize) -> Result<usize, Open> {
    loop {
        at = string_stop::<NEWLINE>(bytes, at);
        match bytes.get(at) {
            None => return Err(Open::At(Lex::Str)),
            Some(b'"') => return Ok(at + 1),
            Some(b'\n') => return Err(Open::Unclosed(at)),
            Some(_) if at + 1 == bytes.len() => return Err(Open::At(Lex::Esc)),
            Some(_) => at += 2,
        }
    }
}

/// The offset of the next quote, backslash or newline (or the slice's
/// end).
///
/// NOTE: eight bytes at a time, since most strings of audit records are
/// a few words long, where setting up `memchr2` costs more than it saves.
fn string_stop<const NEWLINE: bool>(bytes: &[u8], mut at: usize) -> usize {
    let stops = const { string_stops(NEWLINE) };
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let newline = match NEWLINE {
            true => has_byte(word, b'\n'),
            false => 0,
        };
        let found = has_byte(word, b'"') | has_byte(word, b'\\') | newline;
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let rest = bytes.get(at..).unwrap_or_default();
    at + rest.iter().take_while(|&&b| !stops[usize::from(b)]).count()
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
    /// Read the keys of top-level objects (not within one line's values,
    /// which are also the only bytes given without their newlines).
    watch: bool,
    /// The levels from the top that are watched: those at depths
    /// `1..=watched`, each a [`Node`] of `path`.
    watched: u64,
    path: [Node; MAX_WATCHED],
    /// The first container found in the top-level object in progress.
    container: Option<Container>,
    kinds: Kinds,
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
            watched: 0,
            path: [Node::Root; MAX_WATCHED],
            container: None,
            kinds: Kinds::default(),
        }
    }

    /// A scanner for the values of one line: an array's elements are
    /// pieces, objects are never containers.
    pub(crate) fn line() -> Scanner {
        Scanner {
            watch: false,
            ..Scanner::stream()
        }
    }

    /// Whether the piece in progress (or just ended) is a top-level value.
    pub(crate) fn piece_is_top(&self) -> bool {
        self.piece_depth == 0
    }

    /// Whether a piece is in progress.
    pub(crate) fn in_piece(&self) -> bool {
        self.in_piece
    }

    /// Whether the scanner stands between top-level values.
    pub(crate) fn is_idle(&self) -> bool {
        self.top == Top::Idle && !self.in_piece && self.lex == Lex::Out
    }

    /// Goes on after a [`Event::Mismatch`]: between the pieces of the
    /// damaged piece's level when it is an array's element or a
    /// container's record, else between top-level values.
    pub(crate) fn resume(&mut self) {
        if self.in_piece && self.piece_depth > 0 {
            self.depth = self.piece_depth;
            self.in_piece = false;
            self.lex = Lex::Out;
            return;
        }
        *self = Scanner {
            watch: self.watch,
            ..Scanner::stream()
        };
    }

    /// How things stand if the input ends here.
    pub(crate) fn ending(&self) -> Ending {
        match (self.in_piece, self.lex, self.top) {
            (true, Lex::Bare, _) => Ending::Scalar,
            (true, Lex::Str | Lex::Esc | Lex::Key, _) => Ending::InString,
            (true, _, _) => Ending::InValue,
            (false, _, Top::Array) => Ending::InArray,
            (false, _, Top::Object) => {
                Ending::InContainer(self.container.unwrap_or(Container::Json))
            }
            (false, _, Top::Idle) => Ending::Clean,
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
        let Some(k) = memchr3(b'"', b'\\', b'\n', rest) else {
            *at = bytes.len();
            return None;
        };
        let here = *at + k;
        *at = here + 1;
        match rest[k] {
            b'\\' => {
                self.lex = Lex::Esc;
                return None;
            }
            b'\n' => return Some(Event::Unclosed(here)),
            _ => {}
        }
        self.lex = Lex::Out;
        if self.keys.state == KeyState::InKey && self.watched() {
            self.keys.state = KeyState::AfterKey;
        }
        self.end_at_piece_depth(*at)
    }

    fn key(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let here = *at;
        let byte = bytes[here];
        *at += 1;
        match byte {
            b'\n' => return Some(Event::Unclosed(here)),
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

    /// Whether the scanner stands among the keys of a level it watches
    /// for a container's records, outside a value's string.
    pub(crate) fn between_watched_keys(&self) -> bool {
        self.watched() && matches!(self.lex, Lex::Out | Lex::Key)
    }

    /// Whether the scanner stands directly in a watched level.
    fn watched(&self) -> bool {
        self.watched != 0 && self.depth == self.watched
    }

    fn out(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        if self.watched() {
            return self.watch_byte(bytes, at);
        }
        if self.in_piece && self.depth > self.floor() {
            return self.inside(bytes, at);
        }
        let at_level = self.depth == self.piece_depth && self.pieces;
        match (self.in_piece, at_level) {
            (false, true) => self.level_byte(bytes, at),
            _ => self.deep(bytes, at),
        }
    }

    /// The depth below which a piece needs more than bracket counting:
    /// where it ends, or where a top-level object's keys are read.
    fn floor(&self) -> u64 {
        self.piece_depth.max(self.watched)
    }

    /// The inside of a piece, above its floor: the hot loop. It counts
    /// brackets and passes over strings, and leaves the bracket that
    /// brings the depth back to the floor, or that closes the wrong kind,
    /// to [`Scanner::deep`].
    fn inside(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        match self.watch {
            true => self.inside_of::<true>(bytes, at),
            false => self.inside_of::<false>(bytes, at),
        }
    }

    /// [`Scanner::inside`], for bytes that may hold newlines (values one
    /// after another) or not (a line's).
    fn inside_of<const NEWLINE: bool>(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let floor = self.floor();
        let mut depth = self.depth;
        let mut i = *at;
        while let Some(&byte) = bytes.get(i) {
            if !STRUCTURAL[usize::from(byte)] {
                i += 1;
                continue;
            }
            match byte {
                b'"' => match skip_string::<NEWLINE>(bytes, i + 1) {
                    Ok(end) => i = end,
                    Err(Open::At(lex)) => {
                        self.lex = lex;
                        i = bytes.len();
                    }
                    Err(Open::Unclosed(newline)) => {
                        self.depth = depth;
                        *at = newline + 1;
                        return Some(Event::Unclosed(newline));
                    }
                },
                b'{' | b'[' => {
                    depth += 1;
                    self.kinds.open(depth, byte);
                    i += 1;
                }
                _ if depth <= floor + 1 || !self.kinds.closes(depth, byte) => break,
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
            byte @ (b'{' | b'[') => {
                self.depth += 1;
                self.kinds.open(self.depth, byte);
                None
            }
            byte => self.close(here, byte),
        }
    }

    /// A closing bracket deep inside a value or an envelope.
    fn close(&mut self, here: usize, byte: u8) -> Option<Event> {
        if self.depth == 0 {
            return Some(Event::Stray(here));
        }
        if let Some(closer) = self.kinds.closer(self.depth).filter(|&c| c != byte) {
            return Some(Event::Mismatch(here, closer));
        }
        self.depth -= 1;
        if self.depth == 0 && self.top == Top::Object {
            self.top = Top::Idle;
        }
        self.end_at_piece_depth(here + 1)
    }

    fn back_to_idle(&mut self) {
        self.top = Top::Idle;
        self.piece_depth = 0;
        self.pieces = true;
        self.watched = 0;
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
                self.kinds.open(1, byte);
                self.top = Top::Array;
                self.piece_depth = 1;
                Some(Event::ArrayOpen(here))
            }
            b'{' | b'[' => {
                if self.top == Top::Idle {
                    self.open_top_object();
                }
                self.depth += 1;
                self.kinds.open(self.depth, byte);
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

    fn open_top_object(&mut self) {
        self.top = Top::Object;
        self.container = None;
        if self.watch {
            self.watched = 1;
            self.path[0] = Node::Root;
            self.keys = Keys::new();
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
                Some(Event::ArrayClose(here + 1))
            }
            Top::Object => {
                self.depth -= 1;
                self.pieces = false;
                None
            }
            Top::Idle => Some(Event::Stray(here)),
        }
    }

    /// The watched level the scanner stands in.
    fn node(&self) -> Node {
        let at = self.depth.saturating_sub(1) as usize;
        self.path.get(at).copied().unwrap_or(Node::Root)
    }

    /// A byte directly in a watched level, where keys are read.
    fn watch_byte(&mut self, bytes: &[u8], at: &mut usize) -> Option<Event> {
        let here = *at;
        let byte = bytes[here];
        *at += 1;
        let in_object = self.node() != Node::Responses;
        let keys = &mut self.keys;
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => None,
            // NOTE: a byte order mark in an envelope would otherwise hide
            // the key after it, and with it every record of the container.
            // TODO: other text that is not JSON between an envelope's keys
            // is passed over without an error.
            0xEF | 0xBB | 0xBF => None,
            b'"' if in_object && keys.state == KeyState::ExpectKey => {
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
            b'{' | b'[' => self.watched_open(here, byte),
            b'}' | b']' => self.watched_close(here, byte),
            _ => {
                keys.state = KeyState::Value;
                None
            }
        }
    }

    fn watched_open(&mut self, here: usize, byte: u8) -> Option<Event> {
        let brace = byte == b'{';
        let step = self.node().step(&self.keys, brace);
        self.depth += 1;
        self.kinds.open(self.depth, byte);
        self.keys.state = KeyState::Value;
        match step? {
            Step::Watch(node) => {
                let slot = self.path.get_mut(self.depth as usize - 1)?;
                *slot = node;
                self.watched = self.depth;
                if brace {
                    self.keys.state = KeyState::ExpectKey;
                }
                None
            }
            Step::Records(kind) => {
                self.piece_depth = self.depth;
                self.pieces = true;
                self.in_piece = false;
                self.container.get_or_insert(kind);
                Some(Event::Container(kind, here))
            }
        }
    }

    fn watched_close(&mut self, here: usize, byte: u8) -> Option<Event> {
        let closer = self.node().closer();
        if byte != closer {
            return Some(Event::Mismatch(here, closer));
        }
        self.depth -= 1;
        self.watched -= 1;
        self.keys.state = KeyState::Value;
        if self.depth > 0 {
            return None;
        }
        self.back_to_idle();
        if !self.in_piece {
            return None;
        }
        self.in_piece = false;
        Some(Event::End(here + 1))
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
    fn values_after_a_line_array() {
        let got = events("[1] {}", Scanner::line());
        use Event::*;
        let want = [
            ArrayOpen(0),
            Start(1),
            End(2),
            ArrayClose(3),
            Start(4),
            End(6),
        ];
        assert_eq!(got, want);
    }

    fn containers(text: &str) -> Vec<(Container, usize)> {
        let found = events(text, Scanner::stream()).into_iter();
        let containers = found.filter_map(|event| match event {
            Event::Container(kind, at) => Some((kind, at)),
            _ => None,
        });
        containers.collect()
    }

    #[test]
    fn search_responses_inside_async_kibana_and_multi_search_responses() {
        let es = crate::input::Container::EsResponse;
        let text = r#"{"is_partial":false,"response":{"hits":{"hits":[{}]}}}"#;
        assert_eq!(containers(text), [(es, 47)]);
        let text = r#"{"rawResponse":{"took":1,"hits":{"hits":[]}}}"#;
        assert_eq!(containers(text), [(es, 40)]);
        let text = r#"{"responses":[{"hits":{"hits":[{}]}},{"hits":{"hits":[{}]}}]}"#;
        assert_eq!(containers(text), [(es, 30), (es, 53)]);
        let got = events(text, Scanner::stream());
        let pieces = got.iter().filter(|e| matches!(e, Event::Start(_)));
        assert_eq!(pieces.count(), 3, "{got:?}");
    }

    #[test]
    fn other_paths_are_not_containers() {
        for text in [
            r#"{"a":{"hits":{"hits":[{}]}}}"#,
            r#"{"response":{"response":{"hits":{"hits":[]}}}}"#,
            r#"{"hits":{"x":{"hits":[]}}}"#,
            r#"{"responses":[[{"hits":{"hits":[]}}]]}"#,
            r#"{"hits":[{"hits":[]}]}"#,
        ] {
            assert_eq!(containers(text), [], "{text}");
        }
    }

    #[test]
    fn a_wrong_closing_bracket_is_found_where_it_stands() {
        let got = events(r#"{"a":[1,{"b":2}}"#, Scanner::stream());
        assert_eq!(got.last(), Some(&Event::Mismatch(15, b']')));
        let got = events("[{\"a\": 1]", Scanner::stream());
        assert_eq!(got.last(), Some(&Event::Mismatch(8, b'}')));
        let got = events(r#"{"hits":{"hits":[]]}"#, Scanner::stream());
        assert_eq!(got.last(), Some(&Event::Mismatch(18, b'}')));
    }

    #[test]
    fn scanning_resumes_between_the_pieces_of_the_damaged_level() {
        let text = b"[{\"a\":[}\n{}]";
        let mut scanner = Scanner::stream();
        let mut at = 0;
        let mut next = |scanner: &mut Scanner| scanner.next(text, &mut at);
        assert_eq!(next(&mut scanner), Some(Event::ArrayOpen(0)));
        assert_eq!(next(&mut scanner), Some(Event::Start(1)));
        assert_eq!(next(&mut scanner), Some(Event::Mismatch(7, b']')));
        scanner.resume();
        assert_eq!(next(&mut scanner), Some(Event::Start(9)));
        assert_eq!(next(&mut scanner), Some(Event::End(11)));
        assert_eq!(next(&mut scanner), Some(Event::ArrayClose(12)));
    }

    #[test]
    fn deep_nesting_is_only_counted() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let got = events(&text, Scanner::stream());
        assert_eq!(got.len(), 4);
    }
}
