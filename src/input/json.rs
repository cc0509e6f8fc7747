//! JSON text to pieces: NDJSON, or values one after another.
//!
//! The first value decides. When it ends on the line where it starts (and
//! is not a known container), the input is NDJSON: from then on each line
//! stands alone, and a damaged line spoils nothing else. Otherwise values
//! follow each other (pretty-printed objects, top-level arrays, containers)
//! and are found by the structural [`Scanner`].
//!
//! NOTE: only the first value can make the input NDJSON, and only the
//! values read as values one after another are checked for containers; an
//! NDJSON line that holds a whole search response stays one piece.
//! TODO: recognize a container on a later NDJSON line too, if such files
//! turn up (each line is then a page of a scroll).

use memchr::memchr;

use super::piece::{error, from_line, too_long, Lines, Partial, Sink};
use super::scan::{Ending, Event, Scanner};
use super::{Body, Container, Piece};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Values one after another (also while the first value is read).
    Stream,
    /// NDJSON, line by line.
    Lines,
}

/// Where an NDJSON line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineState {
    /// Before the line's first non-blank byte.
    Start,
    /// In a line that is one piece.
    Plain,
    /// In a line that holds an array: its elements are pieces.
    Array,
    /// In a line after an error: the rest of it is covered by the error.
    Skip,
}

pub(crate) struct JsonSplitter {
    mode: Mode,
    /// The first top-level value has not ended yet.
    first: bool,
    /// The line where the first value (if an array) opened.
    first_line: u64,
    line_state: LineState,
    scanner: Scanner,
    piece: Partial,
    lines: Lines,
    container: Option<Container>,
    /// The structure broke: nothing more is read.
    stopped: bool,
    cap: usize,
}

impl JsonSplitter {
    pub(crate) fn new(cap: usize) -> JsonSplitter {
        JsonSplitter {
            mode: Mode::Stream,
            first: true,
            first_line: 1,
            line_state: LineState::Start,
            scanner: Scanner::stream(),
            piece: Partial::default(),
            lines: Lines::default(),
            container: None,
            stopped: false,
            cap,
        }
    }

    /// The container found, or plain JSON.
    pub(crate) fn container(&self) -> Container {
        self.container.unwrap_or(Container::Json)
    }

    /// The line of the next byte to come.
    pub(crate) fn next_line(&self) -> u64 {
        self.lines.line
    }

    pub(crate) fn push(&mut self, text: &str, sink: &mut Sink<'_>) {
        let mut at = 0;
        while at < text.len() && !self.stopped {
            at = match self.mode {
                Mode::Stream => self.stream(text, at, sink),
                Mode::Lines => self.lines(text, at, sink),
            };
        }
        if self.stopped {
            return;
        }
        self.piece.carry(text, self.cap);
        self.lines.end_chunk(text.as_bytes());
    }

    pub(crate) fn finish(&mut self, sink: &mut Sink<'_>) {
        if self.stopped {
            return;
        }
        match self.mode {
            Mode::Stream => self.finish_stream(sink),
            Mode::Lines => self.finish_lines(sink),
        }
    }

    /// Ends reading where the input was cut off for another reason
    /// (damaged compression): one error covers the piece in progress.
    pub(crate) fn cut(&mut self, reason: &str, sink: &mut Sink<'_>) {
        if self.stopped {
            return;
        }
        let line = match self.piece.is_open() {
            true => self.piece.line,
            false => self.lines.line,
        };
        self.stop(sink, line, format!("{reason}{}", from_line(line)));
    }

    fn stop(&mut self, sink: &mut Sink<'_>, line: u64, message: String) {
        self.stopped = true;
        self.piece.discard();
        error(sink, line, message);
    }

    fn stream(&mut self, text: &str, from: usize, sink: &mut Sink<'_>) -> usize {
        let bytes = text.as_bytes();
        let mut at = from;
        while let Some(event) = self.scanner.next(bytes, &mut at) {
            match event {
                Event::Start(here) => {
                    let line = self.lines.at(bytes, here);
                    self.piece.begin(here, line);
                }
                Event::End(end) => {
                    if self.first_value_on_one_line(bytes, end) {
                        self.mode = Mode::Lines;
                        self.line_state = LineState::Plain;
                        return end;
                    }
                    self.emit(text, end, sink);
                }
                Event::Container(kind, _) => {
                    self.first = false;
                    self.piece.discard();
                    self.container.get_or_insert(kind);
                }
                Event::ArrayOpen(here) => {
                    self.first_line = self.lines.at(bytes, here);
                }
                Event::ArrayClose(end) => {
                    if self.first_array_on_one_line(bytes, end) {
                        self.mode = Mode::Lines;
                        self.line_state = LineState::Start;
                        return end;
                    }
                }
                Event::Stray(here) | Event::Trailing(here) => {
                    let line = self.lines.at(bytes, here);
                    let byte = char::from(bytes[here]);
                    let message = format!("unexpected `{byte}`{}", from_line(line));
                    self.stop(sink, line, message);
                    return bytes.len();
                }
            }
        }
        bytes.len()
    }

    /// Whether the first top-level value ended on its first line: then the
    /// input is NDJSON, and the value's line is read as one.
    fn first_value_on_one_line(&mut self, bytes: &[u8], end: usize) -> bool {
        if !self.first || !self.scanner.piece_is_top() {
            return false;
        }
        self.first = false;
        self.lines.at(bytes, end) == self.piece.line
    }

    fn first_array_on_one_line(&mut self, bytes: &[u8], end: usize) -> bool {
        if !self.first {
            return false;
        }
        self.first = false;
        self.lines.at(bytes, end) == self.first_line
    }

    fn emit(&mut self, text: &str, end: usize, sink: &mut Sink<'_>) {
        let line = self.piece.line;
        match self.piece.end(text, end, self.cap) {
            Ok(json) => sink(Piece {
                line,
                body: Body::Json(json.trim_end()),
            }),
            Err(len) => error(sink, line, too_long(len, self.cap, line)),
        }
        self.piece.clear_carried();
    }

    fn finish_stream(&mut self, sink: &mut Sink<'_>) {
        let line = self.piece.line;
        let what = match self.scanner.ending() {
            Ending::Clean => return,
            Ending::Scalar => return self.emit("", 0, sink),
            Ending::InString => "a string",
            Ending::InValue => "a value",
            Ending::InArray => return self.cut_off("an array", sink),
            Ending::InContainer(kind) => return self.cut_off(container_name(kind), sink),
        };
        let message = format!("input ends inside {what}{}", from_line(line));
        self.stop(sink, line, message);
    }

    fn cut_off(&mut self, what: &str, sink: &mut Sink<'_>) {
        let line = self.lines.line;
        let message = format!("input ends inside {what}{}", from_line(line));
        self.stop(sink, line, message);
    }

    fn lines(&mut self, text: &str, from: usize, sink: &mut Sink<'_>) -> usize {
        let bytes = text.as_bytes();
        let mut at = from;
        while at < bytes.len() && !self.stopped {
            at = match self.line_state {
                LineState::Start => self.line_start(bytes, at),
                LineState::Plain => self.plain_line(text, at, sink),
                LineState::Array => self.array_line(text, at, sink),
                LineState::Skip => self.skip_line(bytes, at),
            };
        }
        at
    }

    // TODO: a byte order mark at the start of a later line (files joined
    // with `cat`) stays in that line's piece, which then fails to parse;
    // skipping U+FEFF here would read it.
    fn line_start(&mut self, bytes: &[u8], from: usize) -> usize {
        let rest = &bytes[from..];
        let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
        let Some(k) = rest.iter().position(|b| !blank(b)) else {
            return bytes.len();
        };
        let here = from + k;
        match bytes[here] {
            b'\n' => {
                self.lines.newline_at(here);
                return here + 1;
            }
            b'[' => {
                self.line_state = LineState::Array;
                self.scanner = Scanner::line();
            }
            _ => {
                self.line_state = LineState::Plain;
                self.piece.begin(here, self.lines.line);
            }
        }
        here
    }

    fn plain_line(&mut self, text: &str, from: usize, sink: &mut Sink<'_>) -> usize {
        let bytes = text.as_bytes();
        let Some(k) = memchr(b'\n', &bytes[from..]) else {
            return bytes.len();
        };
        let newline = from + k;
        self.emit(text, newline, sink);
        self.lines.newline_at(newline);
        self.line_state = LineState::Start;
        newline + 1
    }

    fn array_line(&mut self, text: &str, from: usize, sink: &mut Sink<'_>) -> usize {
        let bytes = text.as_bytes();
        let newline = memchr(b'\n', &bytes[from..]).map(|k| from + k);
        let line_bytes = &bytes[..newline.unwrap_or(bytes.len())];
        let mut at = from;
        while let Some(event) = self.scanner.next(line_bytes, &mut at) {
            match event {
                Event::Start(here) => self.piece.begin(here, self.lines.line),
                Event::End(end) => self.emit(text, end, sink),
                Event::Stray(here) => {
                    let byte = char::from(bytes[here]);
                    let what = format!("unexpected `{byte}` in the array");
                    self.line_error(sink, &what);
                    self.line_state = LineState::Skip;
                    return at;
                }
                Event::Trailing(_) => {
                    self.line_error(sink, "unexpected text after the array");
                    self.line_state = LineState::Skip;
                    return at;
                }
                _ => {}
            }
        }
        let Some(newline) = newline else {
            return bytes.len();
        };
        self.end_array_line(text, newline, sink);
        self.lines.newline_at(newline);
        self.line_state = LineState::Start;
        newline + 1
    }

    fn end_array_line(&mut self, text: &str, end: usize, sink: &mut Sink<'_>) {
        match self.scanner.ending() {
            Ending::Clean => {}
            Ending::Scalar => {
                self.emit(text, end, sink);
                self.line_error(sink, "array cut off at the end of the line");
            }
            _ => self.line_error(sink, "array cut off at the end of the line"),
        }
    }

    fn line_error(&mut self, sink: &mut Sink<'_>, what: &str) {
        self.piece.discard();
        let line = self.lines.line;
        error(sink, line, format!("{what} at line {line}"));
    }

    fn skip_line(&mut self, bytes: &[u8], from: usize) -> usize {
        let Some(k) = memchr(b'\n', &bytes[from..]) else {
            return bytes.len();
        };
        self.lines.newline_at(from + k);
        self.line_state = LineState::Start;
        from + k + 1
    }

    fn finish_lines(&mut self, sink: &mut Sink<'_>) {
        match self.line_state {
            LineState::Plain => self.emit("", 0, sink),
            LineState::Array => self.end_array_line("", 0, sink),
            LineState::Start | LineState::Skip => {}
        }
    }
}

fn container_name(kind: Container) -> &'static str {
    match kind {
        Container::EsResponse => "a search response's `hits.hits`",
        Container::Graph => "a Graph page's `value`",
        Container::PipelineTest => "a pipeline test's `events`",
        _ => "a container",
    }
}
