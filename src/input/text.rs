//! Decoded text to pieces: decides between JSON and CSV from the first
//! non-blank text, then hands everything to that splitter.

use memchr::memchr_iter;

use super::csv::CsvSplitter;
use super::json::JsonSplitter;
use super::piece::{error, Cut, NulRun, Sink};
use super::sniff::{beginning, sniff_header, TextKind};
use super::Container;

/// The splitter for a file's text, once its kind is known.
pub(crate) enum Splitter {
    /// Not decided yet: the text from the first non-blank character is
    /// kept; blank text before it is only counted.
    Prelude(Prelude),
    Json(Box<JsonSplitter>),
    Csv(Box<CsvSplitter>),
    /// The text is not read (an error was given for the whole file).
    Rejected,
}

impl Splitter {
    pub(crate) fn new() -> Splitter {
        Splitter::Prelude(Prelude::default())
    }

    pub(crate) fn push(&mut self, text: &str, cut: Cut, sink: &mut Sink<'_>) {
        match self {
            Splitter::Prelude(prelude) => {
                let text = prelude.skip_blank(text, sink);
                if text.is_empty() {
                    return;
                }
                prelude.kept.push_str(text);
                // NOTE: judged again only when it may have changed, so that
                // tiny chunks do not make the wait quadratic.
                let json = prelude.kept.starts_with(['{', '[']);
                if json || text.contains('\n') || prelude.kept.len() > cut.cap {
                    self.decide(false, cut, sink);
                }
            }
            Splitter::Json(json) => json.push(text, sink),
            Splitter::Csv(csv) => csv.push(text, sink),
            Splitter::Rejected => {}
        }
    }

    pub(crate) fn finish(&mut self, cut: Cut, sink: &mut Sink<'_>) {
        if let Splitter::Prelude(_) = self {
            self.decide(true, cut, sink);
        }
        match self {
            Splitter::Json(json) => json.finish(sink),
            Splitter::Csv(csv) => csv.finish(sink),
            Splitter::Prelude(_) | Splitter::Rejected => {}
        }
    }

    /// Ends reading early (damaged compression): the piece in progress and
    /// everything after it are covered by one error.
    pub(crate) fn cut(&mut self, reason: &str, cut: Cut, sink: &mut Sink<'_>) {
        if let Splitter::Prelude(_) = self {
            self.decide(true, cut, sink);
        }
        match self {
            Splitter::Json(json) => json.cut(reason, sink),
            Splitter::Csv(csv) => csv.cut(reason, sink),
            Splitter::Prelude(_) | Splitter::Rejected => {}
        }
    }

    /// The line of the next byte to come.
    pub(crate) fn next_line(&self) -> u64 {
        match self {
            Splitter::Prelude(prelude) => 1 + prelude.blank_lines + count_lines(&prelude.kept),
            Splitter::Json(json) => json.next_line(),
            Splitter::Csv(csv) => csv.next_line(),
            Splitter::Rejected => 1,
        }
    }

    pub(crate) fn container(&self) -> Container {
        match self {
            Splitter::Prelude(_) => Container::Empty,
            Splitter::Json(json) => json.container(),
            Splitter::Csv(csv) => csv.container(),
            Splitter::Rejected => Container::Unrecognized,
        }
    }

    /// Decides once the kept text shows what the file is (or at its end).
    fn decide(&mut self, at_end: bool, cut: Cut, sink: &mut Sink<'_>) {
        let Splitter::Prelude(prelude) = self else {
            return;
        };
        if at_end {
            prelude.end_nul_run(sink);
        }
        let too_long = prelude.kept.len() > cut.cap;
        let next = match judge(&prelude.kept, at_end || too_long) {
            Judgement::Wait => return,
            Judgement::Empty => return,
            Judgement::Read(kind) => kind.splitter(cut),
            Judgement::After(lead, kind) => {
                let Prelude {
                    kept, blank_lines, ..
                } = std::mem::take(prelude);
                let line = blank_lines + 1;
                error(sink, line, lead.message(&kept, kind, line));
                *self = kind.splitter(cut);
                let skipped = count_lines(&kept[..lead.len]);
                self.push_blank_lines(blank_lines + skipped, cut, sink);
                self.push(&kept[lead.len..], cut, sink);
                return;
            }
            Judgement::Rejected(line, message) => {
                error(sink, prelude.blank_lines + line, message);
                *self = Splitter::Rejected;
                return;
            }
        };
        let Prelude {
            kept,
            blank_lines,
            blank_columns,
            ..
        } = std::mem::take(prelude);
        *self = next;
        self.push_blank_lines(blank_lines, cut, sink);
        if let Splitter::Json(json) = self {
            json.skip_columns(blank_columns);
        }
        self.push(&kept, cut, sink);
    }

    /// Gives the chosen splitter the blank lines the prelude only counted,
    /// a bounded piece at a time, so that its line numbers are right.
    fn push_blank_lines(&mut self, mut count: u64, cut: Cut, sink: &mut Sink<'_>) {
        const NEWLINES: &str = match std::str::from_utf8(&[b'\n'; 4096]) {
            Ok(text) => text,
            Err(_) => "\n",
        };
        while count > 0 {
            let step = count.min(NEWLINES.len() as u64);
            self.push(&NEWLINES[..step as usize], cut, sink);
            count -= step;
        }
    }
}

/// The text of a file whose kind is not known yet.
#[derive(Default)]
pub(crate) struct Prelude {
    /// The text from the first non-blank character on.
    kept: String,
    /// Lines of blank text before it.
    blank_lines: u64,
    /// Bytes of blank text on the current line, for a column.
    blank_columns: u64,
    /// A run of NULs among the blanks (a zero-filled block at the start
    /// of a file), counted so far.
    nul_run: Option<NulRun>,
}

impl Prelude {
    /// Counts and drops the blank text that comes before anything else, so
    /// that a file of nothing but blanks takes no memory. A run of NULs
    /// there is an error of its own.
    fn skip_blank<'a>(&mut self, mut text: &'a str, sink: &mut Sink<'_>) -> &'a str {
        if !self.kept.is_empty() {
            return text;
        }
        loop {
            if let Some(run) = &mut self.nul_run {
                let count = run.take_leading(text.as_bytes());
                self.blank_columns += count as u64;
                text = &text[count..];
                if text.is_empty() {
                    return text;
                }
                self.end_nul_run(sink);
            }
            let rest = text.trim_start_matches(is_blank);
            self.count_blank(&text[..text.len() - rest.len()]);
            text = rest;
            if !text.starts_with('\0') {
                return text;
            }
            let line = 1 + self.blank_lines;
            self.nul_run = Some(NulRun::starting_at(line, self.blank_columns + 1));
        }
    }

    fn count_blank(&mut self, blank: &str) {
        self.blank_lines += count_lines(blank);
        self.blank_columns = match blank.rfind('\n') {
            Some(newline) => (blank.len() - newline - 1) as u64,
            None => self.blank_columns + blank.len() as u64,
        };
    }

    fn end_nul_run(&mut self, sink: &mut Sink<'_>) {
        if let Some(run) = self.nul_run.take() {
            run.report(sink);
        }
    }
}

enum Judgement {
    /// More text is needed.
    Wait,
    /// Only blank text so far, and it is all there is.
    Empty,
    /// Text of this kind from its first line.
    Read(Kind),
    /// Lines that are neither JSON nor a CSV header, then JSON values or a
    /// CSV header: the lead is one error, and what follows is read.
    After(Lead, Kind),
    Rejected(u64, String),
}

/// What a file's text was found to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Csv(u8),
}

impl Kind {
    fn splitter(self, cut: Cut) -> Splitter {
        match self {
            Kind::Json => Splitter::Json(Box::new(JsonSplitter::new(cut))),
            Kind::Csv(delimiter) => Splitter::Csv(Box::new(CsvSplitter::new(delimiter, cut.cap))),
        }
    }
}

/// The text before the first line that is JSON or a CSV header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lead {
    /// Its length in bytes, up to the start of that line.
    len: usize,
}

impl Lead {
    fn message(self, kept: &str, kind: Kind, line: u64) -> String {
        let start = beginning(&kept[..self.len]);
        let before = match kind {
            Kind::Json => "the first JSON value",
            Kind::Csv(_) => "the CSV header",
        };
        format!(
            "text that is neither JSON nor CSV skipped before {before} \
             (it starts with `{start}`) at line {line}"
        )
    }
}

/// How far past a first line that is neither JSON nor a CSV header the
/// reader looks for one: a title or a stray line before an export is
/// skipped, while prose is still rejected as a whole.
const LOOK_AHEAD_LINES: usize = 64;
const LOOK_AHEAD_BYTES: usize = 64 * 1024;

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

/// Judges the text kept so far; `whole` says no more will come.
fn judge(kept: &str, whole: bool) -> Judgement {
    let content = kept.trim_start_matches(is_blank);
    let Some(first) = content.chars().next() else {
        return match whole {
            true => Judgement::Empty,
            false => Judgement::Wait,
        };
    };
    if first == '{' || first == '[' {
        return Judgement::Read(Kind::Json);
    }
    let line = 1 + count_lines(&kept[..kept.len() - content.len()]);
    let mut lines = content.split('\n');
    let Some(header) = complete_line(&mut lines, whole) else {
        return Judgement::Wait;
    };
    let header = match header.starts_with("#TYPE") {
        false => header,
        true => match next_non_blank(&mut lines, whole) {
            Some(header) => header,
            None if whole => header,
            None => return Judgement::Wait,
        },
    };
    // NOTE: a run of NULs ends a CSV row, as a line break would: a
    // zero-filled block may have taken the header's line break.
    let first_row = header.split('\0').next().unwrap_or(header);
    let message = match sniff_header(first_row) {
        TextKind::Csv(delimiter) => return Judgement::Read(Kind::Csv(delimiter)),
        TextKind::Rejected(message) => message,
    };
    let lead = kept.len() - content.len();
    if let Some((start, delimiter)) = header_after_nuls(header) {
        let len = lead + offset_in(content, header) + start;
        return Judgement::After(Lead { len }, Kind::Csv(delimiter));
    }
    match look_further(content, whole) {
        Some(Ok((start, kind))) => Judgement::After(Lead { len: lead + start }, kind),
        Some(Err(())) => Judgement::Wait,
        None => Judgement::Rejected(line, message),
    }
}

/// A CSV header after the last run of NULs on `line`: a header half
/// written when a crash zero-filled the block after it, and then written
/// again. Where it starts in the line, and its delimiter.
fn header_after_nuls(line: &str) -> Option<(usize, u8)> {
    let start = line.rfind('\0')? + 1;
    match sniff_header(line[start..].trim_end_matches('\r')) {
        TextKind::Csv(delimiter) => Some((start, delimiter)),
        TextKind::Rejected(_) => None,
    }
}

/// Where `part`, a slice of `text`, starts in it.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// Looks past the first line for a line that starts a JSON value or is a
/// CSV header, and gives where that line starts and what it begins;
/// `Some(Err)` when more text is needed to know.
fn look_further(content: &str, whole: bool) -> Option<Result<(usize, Kind), ()>> {
    let mut start = content.find('\n')? + 1;
    for _ in 0..LOOK_AHEAD_LINES {
        if start > LOOK_AHEAD_BYTES {
            return None;
        }
        let rest = &content[start..];
        let (line, next) = match rest.find('\n') {
            Some(end) => (&rest[..end], Some(start + end + 1)),
            None if whole => (rest, None),
            None => return Some(Err(())),
        };
        if let Some(kind) = kind_of_line(line) {
            return Some(Ok((start, kind)));
        }
        start = next?;
    }
    None
}

/// What a line begins: JSON values, a CSV header, or neither.
fn kind_of_line(line: &str) -> Option<Kind> {
    match line.trim_start_matches(is_blank).chars().next() {
        Some('{' | '[') => Some(Kind::Json),
        _ => match sniff_header(line.trim_end_matches('\r')) {
            TextKind::Csv(delimiter) => Some(Kind::Csv(delimiter)),
            TextKind::Rejected(_) => None,
        },
    }
}

/// The next line, if it is complete (ended by a newline, or by the end).
fn complete_line<'a>(lines: &mut std::str::Split<'a, char>, whole: bool) -> Option<&'a str> {
    let line = lines.next()?;
    let complete = whole || lines.clone().next().is_some();
    complete.then_some(line.trim_end_matches('\r'))
}

fn next_non_blank<'a>(lines: &mut std::str::Split<'a, char>, whole: bool) -> Option<&'a str> {
    loop {
        let line = complete_line(lines, whole)?;
        if !line.trim_matches(is_blank).is_empty() {
            return Some(line);
        }
    }
}

fn count_lines(text: &str) -> u64 {
    memchr_iter(b'\n', text.as_bytes()).count() as u64
}
