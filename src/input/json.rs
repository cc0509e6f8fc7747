//! JSON text to pieces: NDJSON, or values one after another.
//!
//! The first value decides. When it ends on the line where it starts (and
//! is not a known container), the input is NDJSON: from then on each line
//! stands alone, and a damaged line spoils nothing else. A line may hold
//! several values (`{..}{..}`, or an array of them); a scan, which reads
//! each record to its end anyway, takes a line that starts with `{` whole
//! and has it cut ([`split_line`]) only when it is not one record.
//! Otherwise values follow each other (pretty-printed objects, top-level
//! arrays, containers) and are found by the structural [`Scanner`].
//!
//! A closing bracket of the wrong kind there spoils the value it stands in:
//! one error covers it, and reading resumes at the next line that starts
//! at the damaged value's indentation or left of it (see [`Resync`]).
//!
//! NOTE: only the first value can make the input NDJSON, and only the
//! values read as values one after another are checked for containers; an
//! NDJSON line that holds a whole search response stays one piece.
//! TODO: recognize a container on a later NDJSON line too, if such files
//! turn up (each line is then a page of a scroll).

use memchr::{memchr, memchr2};

use super::piece::{error, from_line, too_long, Cut, Lines, NulRun, Partial, Sink};
use super::scan::{Ending, Event, Scanner};
use super::{Body, Container, Piece};

/// U+FEFF, the byte order mark, in UTF-8.
const BOM: &[u8] = "\u{FEFF}".as_bytes();

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
    /// In text that is one piece up to the end of the line.
    Plain,
    /// In JSON values (objects, arrays of pieces), followed by the scanner.
    Values,
    /// After a value that ended before the end of its line.
    AfterValue,
    /// In a line after an error: the rest of it is covered by the error.
    Skip,
    /// In a run of NULs at the start of a line or after a value, counted
    /// so far; what follows the run is read as if the line started there.
    Nuls(NulRun),
    /// In a run of NULs among a line's values, counted so far: a short
    /// one is part of the value it falls in, a zero-filled block cuts
    /// that value off.
    NulsInValues(NulRun),
}

/// Lines skipped after a mismatched bracket in values one after another.
///
/// NOTE: the damaged value's own end cannot be found by its brackets, so
/// its indentation stands in: the first line that starts at the value's
/// column with an opening bracket begins the next value, one that starts
/// there with a closing bracket ends the damaged one, and one that starts
/// left of it with any bracket goes on in the level around it. Text that
/// is not indented at all may resume inside the damaged value, which
/// then gives errors of its own.
#[derive(Debug, Clone, Copy)]
struct Resync {
    /// The column of the damaged value's first byte.
    column: u64,
    /// At the start of a line, before its first non-blank byte.
    at_line_start: bool,
    /// Blank bytes so far at the start of this line.
    indent: u64,
}

/// How a line met while skipping bears on the damaged value.
enum Landing {
    /// Skip it.
    Skip,
    /// Read on from its first non-blank byte.
    Here,
    /// Read on after its first non-blank byte, which ends the damaged value.
    After,
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
    /// The column of the piece in progress (values one after another).
    piece_column: u64,
    /// Skipping lines after a mismatched bracket.
    resync: Option<Resync>,
    /// In text that is not JSON between values one after another: it is
    /// one piece up to the end of its line.
    plain: bool,
    /// In a run of NULs between values one after another, counted so far.
    stream_nuls: Option<NulRun>,
    /// The text of the value a run of NULs on its line came in, until
    /// the run's length says whether it cut the value off.
    before_nuls: Option<String>,
    /// The structure broke: nothing more is read.
    stopped: bool,
    cap: usize,
    /// Hand on NDJSON lines that start with `{` whole (see [`Cut`]).
    whole_lines: bool,
}

impl JsonSplitter {
    pub(crate) fn new(cut: Cut) -> JsonSplitter {
        JsonSplitter {
            mode: Mode::Stream,
            first: true,
            first_line: 1,
            line_state: LineState::Start,
            scanner: Scanner::stream(),
            piece: Partial::default(),
            lines: Lines::default(),
            container: None,
            piece_column: 0,
            resync: None,
            plain: false,
            stream_nuls: None,
            before_nuls: None,
            stopped: false,
            cap: cut.cap,
            whole_lines: cut.whole_lines,
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

    /// Counts `count` bytes of the current line as read already (blanks
    /// that were dropped before the first value), so that its columns are
    /// right.
    pub(crate) fn skip_columns(&mut self, count: u64) {
        self.lines.skip_columns(count);
    }

    pub(crate) fn push(&mut self, text: &str, sink: &mut Sink<'_>) {
        let mut at = 0;
        let mut nul = None;
        while at < text.len() && !self.stopped {
            at = match self.mode {
                Mode::Stream => {
                    let stop = next_nul(text.as_bytes(), at, &mut nul);
                    self.stream(text, at, stop, sink)
                }
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

    /// Reads values one after another from `from`; the scanner stops at
    /// `stop`, a NUL or the end of the text.
    fn stream(&mut self, text: &str, from: usize, stop: usize, sink: &mut Sink<'_>) -> usize {
        if self.resync.is_some() {
            return self.resync(text.as_bytes(), from);
        }
        if self.plain {
            return self.plain_in_stream(text, from, sink);
        }
        let bytes = text.as_bytes();
        if let Some(run) = self.stream_nuls.take() {
            return self.nuls_in_stream(bytes, from, run, sink);
        }
        let mut at = from;
        while let Some(event) = self.scanner.next(&bytes[..stop], &mut at) {
            match event {
                Event::Start(here) => {
                    let line = self.lines.at(bytes, here);
                    self.piece_column = self.lines.column(bytes, here);
                    self.piece.begin(here, line, self.piece_column + 1);
                    if let Some(next) = self.not_a_value(bytes, here) {
                        return next;
                    }
                }
                Event::End(end) => {
                    let to_lines = self.first_value_on_one_line(bytes, end);
                    self.emit(text, end, sink);
                    if to_lines {
                        return self.switch_to_lines(end);
                    }
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
                        return self.switch_to_lines(end);
                    }
                }
                Event::Stray(here) => {
                    let at = self.position(bytes, here);
                    error(sink, at.0, unexpected(bytes[here], at));
                }
                Event::Mismatch(here, expected) => {
                    self.mismatch(bytes, here, expected, sink);
                    return at;
                }
                Event::Unclosed(newline) => {
                    self.unclosed(bytes, newline, sink);
                    return newline;
                }
            }
        }
        if stop == bytes.len() {
            return stop;
        }
        let (line, column) = self.position(bytes, stop);
        if !self.hold_piece(text, stop, sink) {
            self.scanner.resume();
        }
        self.stream_nuls = Some(NulRun::starting_at(line, column));
        stop
    }

    /// A top-level piece starting at `here` that is not a value: a byte
    /// order mark (files joined with `cat`) is passed over, and other
    /// text is one piece to the end of its line. Where to read on; `None`
    /// for a value.
    fn not_a_value(&mut self, bytes: &[u8], here: usize) -> Option<usize> {
        if !self.scanner.piece_is_top() || matches!(bytes[here], b'{' | b'[' | b'"') {
            return None;
        }
        if bytes[here..].starts_with(BOM) {
            self.piece.discard();
            self.scanner.resume();
            return Some(here + BOM.len());
        }
        self.plain = true;
        Some(here)
    }

    /// Counts the NULs of a run from `from`; once it ends, the values go
    /// on after it (see [`Self::end_nuls`]).
    fn nuls_in_stream(
        &mut self,
        bytes: &[u8],
        from: usize,
        mut run: NulRun,
        sink: &mut Sink<'_>,
    ) -> usize {
        let end = from + run.take_leading(&bytes[from..]);
        if end == bytes.len() {
            self.stream_nuls = Some(run);
        } else {
            // NOTE: among an envelope's keys (a search response's, say) a
            // block followed by a blank is passed over too: taken for the
            // end of a record, it would lose every record of the container.
            let envelope = self.scanner.between_watched_keys();
            if envelope && !run.is_block() {
                // An envelope is never read for its own errors.
                run.report(sink);
            }
            let keep = goes_on(bytes[end]) || envelope && !opens_value(bytes[end]);
            if self.end_nuls(Some(end), run, keep, sink) {
                self.scanner.resume();
            }
        }
        end
    }

    /// Text that is not JSON, between values one after another (a title, a
    /// warning a tool printed between records): one piece to the end of
    /// its line, as in NDJSON, rather than one for each word.
    fn plain_in_stream(&mut self, text: &str, from: usize, sink: &mut Sink<'_>) -> usize {
        let Some(k) = memchr(b'\n', &text.as_bytes()[from..]) else {
            return text.len();
        };
        self.emit(text, from + k, sink);
        self.plain = false;
        self.scanner.resume();
        from + k
    }

    /// From here on the input is NDJSON.
    fn switch_to_lines(&mut self, at: usize) -> usize {
        self.mode = Mode::Lines;
        self.line_state = LineState::AfterValue;
        self.scanner = Scanner::line();
        at
    }

    /// A closing bracket of the wrong kind.
    fn mismatch(&mut self, bytes: &[u8], here: usize, expected: u8, sink: &mut Sink<'_>) {
        let at = self.position(bytes, here);
        let what = unexpected_closer(bytes[here], expected, at);
        self.damaged(at.0, what, sink);
    }

    /// A string that runs into a newline: its closing quote is missing, and
    /// the quotes after it would pair wrongly to the end of the input.
    fn unclosed(&mut self, bytes: &[u8], newline: usize, sink: &mut Sink<'_>) {
        let line = self.lines.at(bytes, newline);
        let what = format!("a string runs past the end of line {line}");
        self.damaged(line, what, sink);
    }

    /// Damage at `line` that the brackets cannot get past: one error covers
    /// the value it stands in, and lines are skipped up to where reading
    /// can resume (see [`Resync`]).
    fn damaged(&mut self, line: u64, what: String, sink: &mut Sink<'_>) {
        if !self.scanner.in_piece() {
            error(sink, line, what);
            self.scanner.resume();
            return;
        }
        let start = self.piece.line;
        self.piece.discard();
        error(
            sink,
            start,
            format!("value from line {start} skipped, {what}"),
        );
        self.resync = Some(Resync {
            column: self.piece_column,
            at_line_start: false,
            indent: 0,
        });
    }

    /// Skips text after damage, a line at a time.
    fn resync(&mut self, bytes: &[u8], from: usize) -> usize {
        let Some(resync) = &mut self.resync else {
            return from;
        };
        if !resync.at_line_start {
            let Some(k) = memchr(b'\n', &bytes[from..]) else {
                return bytes.len();
            };
            self.lines.newline_at(from + k);
            resync.at_line_start = true;
            resync.indent = 0;
            return from + k + 1;
        }
        let rest = &bytes[from..];
        let Some(k) = rest.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r')) else {
            resync.indent += rest.len() as u64;
            return bytes.len();
        };
        resync.indent += k as u64;
        let here = from + k;
        let landing = resync.landing(bytes[here]);
        if bytes[here] == b'\n' {
            self.lines.newline_at(here);
            resync.indent = 0;
            return here + 1;
        }
        match landing {
            Landing::Skip => {
                resync.at_line_start = false;
                here
            }
            Landing::Here => {
                self.resync = None;
                self.scanner.resume();
                here
            }
            Landing::After => {
                self.resync = None;
                self.scanner.resume();
                here + 1
            }
        }
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
        self.emit_piece(text, end, false, sink);
    }

    fn emit_piece(&mut self, text: &str, end: usize, whole_line: bool, sink: &mut Sink<'_>) {
        let (line, column) = (self.piece.line, self.piece.column);
        match self.piece.end(text, end, self.cap) {
            Ok(json) => sink(Piece {
                line,
                column,
                body: Body::Json(json.trim_end()),
                whole_line,
            }),
            Err(len) => error(sink, line, too_long(len, self.cap, line)),
        }
        self.piece.clear_carried();
    }

    fn finish_stream(&mut self, sink: &mut Sink<'_>) {
        if let Some(run) = self.stream_nuls.take() {
            if self.end_nuls(None, run, false, sink) {
                self.scanner.resume();
            }
        }
        if self.resync.is_some() {
            return;
        }
        if self.plain {
            return self.emit("", 0, sink);
        }
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
                LineState::Start => self.line_start(text, at, sink),
                LineState::Plain => self.plain_line(text, at, sink),
                LineState::Values => self.values(text, at, sink),
                LineState::AfterValue => self.after_value(bytes, at, sink),
                LineState::Skip => self.skip_line(bytes, at),
                LineState::Nuls(run) => self.nuls(bytes, at, run, sink),
                LineState::NulsInValues(run) => self.nuls_in_values(bytes, at, run, sink),
            };
        }
        at
    }

    fn line_start(&mut self, text: &str, from: usize, sink: &mut Sink<'_>) -> usize {
        let bytes = text.as_bytes();
        let rest = &bytes[from..];
        let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
        let Some(k) = rest.iter().position(|b| !blank(b)) else {
            return bytes.len();
        };
        let here = from + k;
        // NOTE: files joined with `cat` keep each one's byte order mark at
        // the start of a line.
        if bytes[here..].starts_with(BOM) {
            return here + BOM.len();
        }
        if self.whole_lines && bytes[here] == b'{' {
            if let Some(next) = self.whole_line(text, here, sink) {
                return next;
            }
        }
        match bytes[here] {
            b'\n' => {
                self.lines.newline_at(here);
                return here + 1;
            }
            b'[' | b'{' => {
                self.line_state = LineState::Values;
                self.scanner = Scanner::line();
            }
            b']' | b'}' => {
                self.stray_in_line(bytes, here, sink);
                self.line_state = LineState::AfterValue;
                return here + 1;
            }
            0 => self.begin_nuls(bytes, here),
            _ => {
                self.line_state = LineState::Plain;
                self.begin_in_line(bytes, here);
            }
        }
        here
    }

    /// Hands on the line from `here` to its newline as one piece, when
    /// the newline is in this chunk and the line is within the cap; the
    /// next byte to read, after the newline.
    ///
    /// NOTE: a line of JSON is otherwise scanned for the ends of its
    /// values, so that several values on it are found; that scan takes
    /// about a sixth of the time of reading NDJSON. A whole line goes to a
    /// caller whose own reading finds that it holds one value, and which
    /// cuts it with [`split_line`] in the rare case it does not.
    fn whole_line(&mut self, text: &str, here: usize, sink: &mut Sink<'_>) -> Option<usize> {
        let bytes = text.as_bytes();
        let newline = here + memchr(b'\n', &bytes[here..])?;
        if newline - here > self.cap {
            return None;
        }
        self.begin_in_line(bytes, here);
        self.emit_piece(text, newline, true, sink);
        self.lines.newline_at(newline);
        Some(newline + 1)
    }

    /// Between values on a line: another value, or the end of the line,
    /// or text that is one piece to the end of the line.
    fn after_value(&mut self, bytes: &[u8], from: usize, sink: &mut Sink<'_>) -> usize {
        let rest = &bytes[from..];
        let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
        let Some(k) = rest.iter().position(|b| !blank(b)) else {
            return bytes.len();
        };
        let here = from + k;
        // NOTE: `cat` of a file without a last newline and one with a byte
        // order mark puts the mark right after a value.
        if bytes[here..].starts_with(BOM) {
            return here + BOM.len();
        }
        match bytes[here] {
            b'\n' => {
                self.lines.newline_at(here);
                self.line_state = LineState::Start;
                return here + 1;
            }
            b'[' | b'{' | b',' => self.line_state = LineState::Values,
            b']' | b'}' => {
                self.stray_in_line(bytes, here, sink);
                return here + 1;
            }
            0 => self.begin_nuls(bytes, here),
            _ => {
                self.line_state = LineState::Plain;
                self.begin_in_line(bytes, here);
            }
        }
        here
    }

    /// A closing bracket after the values of a line closes nothing: it is
    /// an error of its own, and what follows it on the line is read.
    fn stray_in_line(&mut self, bytes: &[u8], here: usize, sink: &mut Sink<'_>) {
        let at = self.position(bytes, here);
        error(sink, at.0, unexpected(bytes[here], at));
    }

    /// The line and 1-based column of the byte at `here`.
    fn position(&mut self, bytes: &[u8], here: usize) -> (u64, u64) {
        let column = self.lines.column(bytes, here) + 1;
        (self.lines.line, column)
    }

    /// Begins a piece at `here` on the current line of NDJSON.
    fn begin_in_line(&mut self, bytes: &[u8], here: usize) {
        let column = self.lines.column(bytes, here) + 1;
        self.piece.begin(here, self.lines.line, column);
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

    /// JSON values on a line: objects and arrays, whose elements are
    /// pieces.
    fn values(&mut self, text: &str, from: usize, sink: &mut Sink<'_>) -> usize {
        let bytes = text.as_bytes();
        let stop = memchr2(b'\n', 0, &bytes[from..]).map(|k| from + k);
        let line_bytes = &bytes[..stop.unwrap_or(bytes.len())];
        let mut at = from;
        while let Some(event) = self.scanner.next(line_bytes, &mut at) {
            match event {
                Event::Start(here) => self.begin_in_line(bytes, here),
                Event::End(end) => {
                    self.emit(text, end, sink);
                    if self.scanner.is_idle() {
                        self.line_state = LineState::AfterValue;
                        return end;
                    }
                }
                Event::ArrayClose(end) => {
                    self.line_state = LineState::AfterValue;
                    return end;
                }
                Event::Stray(here) => {
                    let what = unexpected(bytes[here], self.position(bytes, here));
                    self.line_error(sink, &what);
                    self.line_state = LineState::Skip;
                    return at;
                }
                Event::Mismatch(here, expected) => {
                    let position = self.position(bytes, here);
                    let what = unexpected_closer(bytes[here], expected, position);
                    self.line_error(sink, &what);
                    self.line_state = LineState::Skip;
                    return at;
                }
                // NOTE: a line's bytes hold no newline for a string to
                // run into; one cut off there is a piece that does not
                // parse.
                Event::ArrayOpen(_) | Event::Container(..) | Event::Unclosed(_) => {}
            }
        }
        let Some(newline) = stop else {
            return bytes.len();
        };
        if bytes[newline] == 0 {
            return self.begin_nuls_in_values(text, newline, sink);
        }
        self.end_values_line(text, newline, sink);
        self.lines.newline_at(newline);
        self.line_state = LineState::Start;
        newline + 1
    }

    /// Forgets the values of a line that ended or was given up on, so
    /// that a later line's stray `,` does not carry on inside them.
    fn forget_values(&mut self) {
        self.scanner = Scanner::line();
    }

    /// The end of a line in values: a value cut off there is one piece,
    /// which does not parse; an array cut off is an error.
    fn end_values_line(&mut self, text: &str, end: usize, sink: &mut Sink<'_>) {
        self.end_values(text, end, sink);
        self.forget_values();
    }

    fn end_values(&mut self, text: &str, end: usize, sink: &mut Sink<'_>) {
        let top = self.scanner.piece_is_top();
        match self.scanner.ending() {
            Ending::Clean => {}
            Ending::Scalar | Ending::InString | Ending::InValue if top => {
                self.emit(text, end, sink)
            }
            Ending::Scalar => {
                self.emit(text, end, sink);
                self.array_cut_off(sink);
            }
            _ => self.array_cut_off(sink),
        }
    }

    fn array_cut_off(&mut self, sink: &mut Sink<'_>) {
        let line = self.lines.line;
        let what = format!("array cut off at the end of the line at line {line}");
        self.line_error(sink, &what);
    }

    /// An error for the rest of the current line (and the piece in
    /// progress on it); `what` ends with the line.
    fn line_error(&mut self, sink: &mut Sink<'_>, what: &str) {
        self.piece.discard();
        self.forget_values();
        error(sink, self.lines.line, what.to_string());
    }

    fn begin_nuls(&mut self, bytes: &[u8], here: usize) {
        let (line, column) = self.position(bytes, here);
        self.line_state = LineState::Nuls(NulRun::starting_at(line, column));
    }

    fn begin_nuls_in_values(&mut self, text: &str, here: usize, sink: &mut Sink<'_>) -> usize {
        let (line, column) = self.position(text.as_bytes(), here);
        let run = NulRun::starting_at(line, column);
        self.line_state = match self.hold_piece(text, here, sink) {
            true => LineState::NulsInValues(run),
            false => {
                self.forget_values();
                LineState::Nuls(run)
            }
        };
        here
    }

    /// Sets aside the text of the piece in progress, if any, at the first
    /// NUL of a run, until the run's length says whether it cut the piece
    /// off; false for a piece too long to keep, which is an error.
    fn hold_piece(&mut self, text: &str, here: usize, sink: &mut Sink<'_>) -> bool {
        if !self.piece.is_open() {
            return true;
        }
        let (line, cap) = (self.piece.line, self.cap);
        let held = match self.piece.end(text, here, cap) {
            Ok(before) => {
                self.before_nuls = Some(before.to_string());
                true
            }
            Err(len) => {
                error(sink, line, too_long(len, cap, line));
                false
            }
        };
        self.piece.clear_carried();
        held
    }

    /// A run of NULs ended before `at`, or the text ended in it. Outside
    /// a piece it is an error of its own. In one, a short run is part of
    /// it; a zero-filled block is an error of its own, and cuts the piece
    /// off (a crash left a record half written and zero-filled the block
    /// after it, and the record written next follows) unless told to
    /// `keep` it, when the piece goes on after it and its own reading
    /// finds the damage. Whether a piece was cut off.
    fn end_nuls(
        &mut self,
        at: Option<usize>,
        run: NulRun,
        keep: bool,
        sink: &mut Sink<'_>,
    ) -> bool {
        let Some(before) = self.before_nuls.take() else {
            run.report(sink);
            return false;
        };
        if keep || !run.is_block() {
            // NOTE: at the end of the text too: a line handed on whole ends
            // there, and must be cut as the reading of chunks cuts it,
            // where the line's newline ends the run.
            let nuls = "\0".repeat(run.count as usize);
            self.piece.reopen(before + &nuls, at.unwrap_or(0));
            // NOTE: a few NULs in a record are reported by the record's
            // own error.
            if run.is_block() {
                run.report(sink);
            }
            return false;
        }
        let (line, column) = (self.piece.line, self.piece.column);
        sink(Piece {
            line,
            column,
            body: Body::Json(&before),
            whole_line: false,
        });
        run.report(sink);
        true
    }

    fn nuls_in_values(
        &mut self,
        bytes: &[u8],
        from: usize,
        mut run: NulRun,
        sink: &mut Sink<'_>,
    ) -> usize {
        let end = from + run.take_leading(&bytes[from..]);
        if end == bytes.len() {
            self.line_state = LineState::NulsInValues(run);
        } else {
            self.end_nuls_in_values(Some(end), run, goes_on(bytes[end]), sink);
        }
        end
    }

    /// A run of NULs among a line's values ended (see [`Self::end_nuls`]):
    /// after a piece it cut off, the line reads as if it started there.
    fn end_nuls_in_values(
        &mut self,
        at: Option<usize>,
        run: NulRun,
        keep: bool,
        sink: &mut Sink<'_>,
    ) {
        self.line_state = LineState::Values;
        if self.end_nuls(at, run, keep, sink) {
            self.forget_values();
            self.line_state = LineState::Start;
        }
    }

    /// Counts the NULs of a run from `from`; once it ends, the run is an
    /// error and the line goes on as if it started after it.
    fn nuls(&mut self, bytes: &[u8], from: usize, mut run: NulRun, sink: &mut Sink<'_>) -> usize {
        let end = from + run.take_leading(&bytes[from..]);
        if end == bytes.len() {
            self.line_state = LineState::Nuls(run);
        } else {
            run.report(sink);
            self.line_state = LineState::Start;
        }
        end
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
        if let LineState::NulsInValues(run) = self.line_state {
            self.end_nuls_in_values(None, run, false, sink);
        }
        match self.line_state {
            LineState::Plain => self.emit("", 0, sink),
            LineState::Values => self.end_values_line("", 0, sink),
            LineState::Nuls(run) => run.report(sink),
            LineState::NulsInValues(_)
            | LineState::Start
            | LineState::AfterValue
            | LineState::Skip => {}
        }
    }
}

/// Whether the byte after a zero-filled block goes on with the piece it
/// fell in: neither a new value's first byte nor a blank, before which a
/// record written after the block may start.
fn goes_on(byte: u8) -> bool {
    !opens_value(byte) && !matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

fn opens_value(byte: u8) -> bool {
    matches!(byte, b'{' | b'[')
}

/// Where the next NUL at `at` or after it is in `bytes` (or its end),
/// found once for each NUL however often it is asked.
fn next_nul(bytes: &[u8], at: usize, found: &mut Option<usize>) -> usize {
    match *found {
        Some(nul) if nul >= at => nul,
        _ => {
            let nul = memchr(0, &bytes[at..]).map_or(bytes.len(), |k| at + k);
            *found = Some(nul);
            nul
        }
    }
}

/// Cuts a whole line handed on as one piece ([`Piece::whole_line`]) as
/// reading it line by line would have: its values, one piece each, and
/// errors for what is damaged. `column` is where the piece starts.
pub(crate) fn split_line(text: &str, (line, column): (u64, u64), sink: &mut Sink<'_>) {
    // NOTE: the whole line was within the cap, so none of its values is
    // longer.
    let mut splitter = JsonSplitter::new(Cut {
        cap: usize::MAX,
        whole_lines: false,
    });
    splitter.switch_to_lines(0);
    splitter.line_state = LineState::Start;
    splitter.lines = Lines::starting_at(line, column);
    splitter.push(text, sink);
    splitter.finish(sink);
}

impl Resync {
    /// Where a line whose first non-blank byte is `byte` stands.
    fn landing(&self, byte: u8) -> Landing {
        let opens = matches!(byte, b'{' | b'[');
        let closes = matches!(byte, b'}' | b']');
        match self.indent.cmp(&self.column) {
            std::cmp::Ordering::Less if opens || closes => Landing::Here,
            std::cmp::Ordering::Equal if opens => Landing::Here,
            std::cmp::Ordering::Equal if closes => Landing::After,
            _ => Landing::Skip,
        }
    }
}

/// The message for a bracket that closes nothing.
fn unexpected(found: u8, (line, column): (u64, u64)) -> String {
    let found = char::from(found);
    format!("unexpected `{found}` at line {line} column {column}")
}

/// The message for a closing bracket of the wrong kind.
fn unexpected_closer(found: u8, expected: u8, (line, column): (u64, u64)) -> String {
    let (found, expected) = (char::from(found), char::from(expected));
    format!("unexpected `{found}` where `{expected}` was expected at line {line} column {column}")
}

fn container_name(kind: Container) -> &'static str {
    match kind {
        Container::EsResponse => "a search response's `hits.hits`",
        Container::Graph => "a Graph page's `value`",
        Container::PipelineTest => "a pipeline test's `events`",
        _ => "a container",
    }
}

#[cfg(test)]
mod tests {
    use super::split_line;
    use crate::input::{FileReader, Piece};

    const ROOT: &str = env!("CARGO_MANIFEST_DIR");

    /// A piece as compared here: line, column and body.
    fn seen(piece: &Piece<'_>) -> String {
        format!("{}:{} {:?}", piece.line, piece.column, piece.body)
    }

    /// Reads `bytes` in chunks of `size`, with whole lines handed on or
    /// not; with them, each whole line is cut with `split_line`. The
    /// pieces, and how many whole lines there were.
    fn read(bytes: &[u8], size: usize, whole_lines: bool) -> (Vec<String>, usize) {
        let mut reader = FileReader::new();
        if whole_lines {
            reader = reader.with_whole_lines();
        }
        let (mut pieces, mut whole) = (Vec::new(), 0);
        let mut sink = |piece: Piece<'_>| {
            let crate::input::Body::Json(text) = piece.body else {
                return pieces.push(seen(&piece));
            };
            if !piece.whole_line {
                return pieces.push(seen(&piece));
            }
            whole += 1;
            let position = (piece.line, piece.column);
            split_line(text, position, &mut |part| pieces.push(seen(&part)));
        };
        for chunk in bytes.chunks(size) {
            reader.push(chunk, &mut sink);
        }
        reader.finish(&mut sink);
        (pieces, whole)
    }

    fn fixtures() -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        for dir in ["tests/cases/input", "tests/cases/scan"] {
            let entries = std::fs::read_dir(format!("{ROOT}/{dir}"))
                .into_iter()
                .flatten();
            for path in entries.filter_map(|entry| Some(entry.ok()?.path())) {
                if let Ok(bytes) = std::fs::read(&path) {
                    files.push((path.display().to_string(), bytes));
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn whole_lines_cut_as_lines_read() {
        let mut whole_lines = 0;
        for (name, bytes) in fixtures() {
            for size in [1, 7, 4096, usize::MAX] {
                let size = size.min(bytes.len().max(1));
                let (expected, _) = read(&bytes, size, false);
                let (got, whole) = read(&bytes, size, true);
                assert_eq!(got, expected, "{name} in chunks of {size}");
                whole_lines += whole;
            }
        }
        assert!(
            whole_lines > 100,
            "only {whole_lines} whole lines were handed on"
        );
    }

    #[test]
    fn split_line_finds_what_a_line_holds() {
        let text = "  {\"a\":1}{\"b\":[2]} [{\"c\":3}] ] x";
        let mut pieces = Vec::new();
        split_line(text.trim_start(), (4, 3), &mut |piece| {
            pieces.push(seen(&piece))
        });
        assert_eq!(
            pieces,
            [
                "4:3 Json(\"{\\\"a\\\":1}\")",
                "4:10 Json(\"{\\\"b\\\":[2]}\")",
                "4:21 Json(\"{\\\"c\\\":3}\")",
                "4:1 Error(\"unexpected `]` at line 4 column 30\")",
                "4:32 Json(\"x\")",
            ]
        );
    }
}
