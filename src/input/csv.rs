//! CSV text to rows: Purview's exports and PowerShell's `Export-Csv`.
//!
//! Records are found by `csv-core`, which handles quoting, doubled quotes
//! and newlines inside cells, and streams: it stops anywhere and carries
//! on with the next chunk. The header is the first record with an
//! `AuditData` column; blank lines, PowerShell's `#TYPE` line and repeated
//! headers (exports concatenated) are structural.
//!
//! csv-core steps through every byte (about 250 MB/s in WebAssembly), so a
//! data row that lies whole in the current chunk and is quoted plainly (a
//! quoted cell closed right before a delimiter or the row's end, no quote
//! in an unquoted cell) is read here instead, from one quote to the next
//! (see [`CsvSplitter::copy_to_quote`]); it gives exactly the cells
//! csv-core would. Anything else (the header, a row cut by the chunk's
//! end, any odd quoting) is left to csv-core, whose state between records
//! is the same either way.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use memchr::{memchr, memchr2, memchr3, memchr_iter, memrchr};

use super::piece::{error, from_line, too_long, NulRun, Partial, Sink};
use super::{Body, Container, Header, Piece, Row};

/// Columns that only PowerShell's `Search-UnifiedAuditLog` writes.
const POWERSHELL_COLUMNS: [&str; 5] = [
    "ResultIndex",
    "ResultCount",
    "Identity",
    "IsValid",
    "ObjectState",
];

pub(crate) struct CsvSplitter {
    reader: Reader,
    delimiter: u8,
    header: Option<Header>,
    type_line: bool,
    container: Container,
    /// The current record's cells, unescaped, one after another.
    out: Vec<u8>,
    nout: usize,
    /// The current record's cells did not fit under the cap.
    overflow: bool,
    /// Where each cell of the current record ends in `out`.
    ends: Vec<usize>,
    nend: usize,
    /// The current record's own text.
    raw: Partial,
    in_record: bool,
    /// Quotes in the current record: quoting always pairs them, so an odd
    /// count in a record of several lines means a quote was never closed.
    quotes: u64,
    /// The line of the next byte.
    line: u64,
    /// The text of a row with an unterminated quote after its first line,
    /// to be read again as rows of their own.
    replay: Option<String>,
    /// Rows with an unterminated quote so far.
    replays: u32,
    stopped: bool,
    cap: usize,
    /// A run of NUL characters not yet ended by other text.
    nul_run: Option<NulRun>,
    /// Bytes of the current line before the text to come.
    line_bytes: u64,
}

/// Rows with an unterminated quote read past in one file before the rest
/// of it is taken to be damaged beyond repair.
const MAX_REPLAYS: u32 = 100;

/// What a record is, once read.
enum Kind {
    Structural,
    Header(Header),
    Row(usize),
    Error(String),
}

impl CsvSplitter {
    pub(crate) fn new(delimiter: u8, cap: usize) -> CsvSplitter {
        CsvSplitter {
            reader: ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            header: None,
            type_line: false,
            container: Container::PurviewCsv,
            out: vec![0; 1 << 12],
            nout: 0,
            overflow: false,
            ends: vec![0; 16],
            nend: 0,
            raw: Partial::default(),
            in_record: false,
            quotes: 0,
            line: 1,
            replay: None,
            replays: 0,
            stopped: false,
            cap,
            nul_run: None,
            line_bytes: 0,
        }
    }

    pub(crate) fn container(&self) -> Container {
        self.container
    }

    pub(crate) fn next_line(&self) -> u64 {
        self.line
    }

    /// Reads `text`, the next part of the input.
    ///
    /// NOTE: a run of NUL characters (a block a crash left zero-filled)
    /// is not given to the CSV reader: it is an error of its own and, once
    /// the text after it shows where it ends, ends the row it falls in
    /// (see [`Self::end_nul_run`]): the run most often took a row's line
    /// break, or lies between rows, and the next row is then read whole.
    pub(crate) fn push(&mut self, text: &str, sink: &mut Sink<'_>) {
        let mut at = 0;
        while let (false, Some(k)) = (self.stopped, memchr(0, &text.as_bytes()[at..])) {
            let nul = at + k;
            self.read_between_nuls(&text[at..nul], sink);
            at = self.nuls(text, nul);
        }
        self.read_between_nuls(&text[at..], sink);
    }

    /// Reads text that holds no NUL: it ends the run of NULs before it.
    fn read_between_nuls(&mut self, text: &str, sink: &mut Sink<'_>) {
        if text.is_empty() {
            return;
        }
        self.end_nul_run(sink);
        self.read_text(text, sink);
        self.count_line_bytes(text);
    }

    /// Counts the NULs from `at`; where they end.
    fn nuls(&mut self, text: &str, at: usize) -> usize {
        let start = NulRun::starting_at(self.line, self.line_bytes + 1);
        let run = self.nul_run.get_or_insert(start);
        let count = run.take_leading(&text.as_bytes()[at..]);
        self.line_bytes += count as u64;
        at + count
    }

    /// A run of NULs ended: it ends the row in progress, as the end of
    /// the input would; but in a quoted cell, a zero-filled block cut the
    /// row off (a crash left it half written, and the row written after
    /// the block starts afresh), while a few NULs are part of the cell.
    fn end_nul_run(&mut self, sink: &mut Sink<'_>) {
        let Some(run) = self.nul_run.take() else {
            return;
        };
        if self.stopped {
            return;
        }
        match (self.in_quoted_cell(), run.is_block()) {
            (true, true) => self.cut_off_row(sink),
            (true, false) => return self.read_text(&"\0".repeat(run.count as usize), sink),
            (false, _) => self.end_row(sink),
        }
        if !self.stopped {
            run.report(sink);
        }
    }

    /// Ends the row in progress where it stands.
    fn end_row(&mut self, sink: &mut Sink<'_>) {
        if self.in_record {
            self.finish_row(sink);
            self.restart_reader();
        }
    }

    /// Starts the CSV reader afresh after the end of a row that was not
    /// the end of the input.
    ///
    /// NOTE: a fresh reader drops a byte order mark that starts what it
    /// reads first; rows read whole without it keep theirs, so the reader
    /// is first given a blank line, which it passes over.
    fn restart_reader(&mut self) {
        self.reader.reset();
        let (mut out, mut ends) = ([0; 1], [0; 1]);
        self.reader.read_record(b"\n", &mut out, &mut ends);
    }

    fn in_quoted_cell(&self) -> bool {
        self.in_record && self.quotes % 2 == 1
    }

    fn cut_off_row(&mut self, sink: &mut Sink<'_>) {
        let line = self.raw.line;
        self.restart_reader();
        self.raw.discard();
        (self.in_record, self.overflow, self.nout, self.nend) = (false, false, 0, 0);
        let message = format!("row cut off inside a quoted cell at line {line}");
        error(sink, line, message);
    }

    fn count_line_bytes(&mut self, text: &str) {
        self.line_bytes = match memrchr(b'\n', text.as_bytes()) {
            Some(k) => (text.len() - k - 1) as u64,
            None => self.line_bytes + text.len() as u64,
        };
    }

    fn read_text(&mut self, text: &str, sink: &mut Sink<'_>) {
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() && !self.stopped {
            if !self.in_record {
                at = self.skip_terminators(bytes, at);
                if at == bytes.len() {
                    break;
                }
                self.in_record = true;
                self.quotes = 0;
                self.raw.begin(at, self.line, 1);
                if let Some(end) = self.plain_row(bytes, at) {
                    self.record(text, end, sink);
                    at = end;
                    continue;
                }
            }
            at = self.read(text, at, sink);
            if let Some(mut replay) = self.replay.take() {
                // NOTE: the rest of this chunk follows the replayed text,
                // and no row is in progress, so both are read as one.
                replay.push_str(&text[at..]);
                return self.read_text(&replay, sink);
            }
        }
        if !self.stopped {
            self.raw.carry(text, self.cap);
        }
    }

    pub(crate) fn finish(&mut self, sink: &mut Sink<'_>) {
        self.end_nul_run(sink);
        self.finish_row(sink);
        while let Some(replay) = self.replay.take() {
            self.read_text(&replay, sink);
            self.finish_row(sink);
        }
    }

    /// Reads the row in progress at the end of the input.
    fn finish_row(&mut self, sink: &mut Sink<'_>) {
        if self.stopped || !self.in_record {
            return;
        }
        loop {
            let out = self.out.get_mut(self.nout..).unwrap_or_default();
            let ends = self.ends.get_mut(self.nend..).unwrap_or_default();
            let (result, _, nout, nend) = self.reader.read_record(&[], out, ends);
            self.nout += nout;
            self.nend += nend;
            match result {
                ReadRecordResult::Record => return self.record("", 0, sink),
                ReadRecordResult::OutputFull => self.grow_out(),
                ReadRecordResult::OutputEndsFull => self.grow_ends(),
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return,
            }
        }
    }

    /// Ends reading early (damaged compression).
    pub(crate) fn cut(&mut self, reason: &str, sink: &mut Sink<'_>) {
        if self.stopped {
            return;
        }
        self.end_nul_run(sink);
        let line = match self.in_record {
            true => self.raw.line,
            false => self.line,
        };
        self.stop(sink, line, format!("{reason}{}", from_line(line)));
    }

    fn stop(&mut self, sink: &mut Sink<'_>, line: u64, message: String) {
        self.stopped = true;
        self.raw.discard();
        error(sink, line, message);
    }

    /// Passes over line terminators between records (blank lines too).
    fn skip_terminators(&mut self, bytes: &[u8], from: usize) -> usize {
        let rest = &bytes[from..];
        let k = rest
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .unwrap_or(rest.len());
        self.line += count(b'\n', &rest[..k]);
        from + k
    }

    fn read(&mut self, text: &str, at: usize, sink: &mut Sink<'_>) -> usize {
        let input = text.as_bytes().get(at..).unwrap_or_default();
        let out = self.out.get_mut(self.nout..).unwrap_or_default();
        let ends = self.ends.get_mut(self.nend..).unwrap_or_default();
        let (result, nin, nout, nend) = self.reader.read_record(input, out, ends);
        let consumed = &input[..nin];
        self.line += count(b'\n', consumed);
        self.quotes += count(b'"', consumed);
        self.nout += nout;
        self.nend += nend;
        match result {
            ReadRecordResult::OutputFull => self.grow_out(),
            ReadRecordResult::OutputEndsFull => self.grow_ends(),
            ReadRecordResult::Record => self.record(text, at + nin, sink),
            ReadRecordResult::InputEmpty | ReadRecordResult::End => {}
        }
        at + nin
    }

    /// Reads a data row starting at `start` into the cell buffers when it
    /// lies whole in `bytes` and is quoted plainly; where it ends (past
    /// its terminator, as csv-core consumes it). `None` leaves the row to
    /// csv-core, nothing having changed but the buffers' spare room.
    fn plain_row(&mut self, bytes: &[u8], start: usize) -> Option<usize> {
        self.header.as_ref()?;
        let end = self.plain_cells(bytes, start);
        if end.is_none() {
            (self.nout, self.nend) = (0, 0);
        }
        end
    }

    fn plain_cells(&mut self, bytes: &[u8], start: usize) -> Option<usize> {
        let (mut at, mut lines) = (start, 0);
        loop {
            at = match bytes.get(at)? {
                b'"' => self.quoted_cell(bytes, at + 1, &mut lines)?,
                _ => self.plain_cell(bytes, at)?,
            };
            self.end_cell()?;
            if at - start > self.cap {
                return None;
            }
            match *bytes.get(at)? {
                b'\n' => {
                    self.line += lines + 1;
                    return Some(at + 1);
                }
                b'\r' => {
                    self.line += lines;
                    return Some(at + 1);
                }
                byte if byte == self.delimiter => at += 1,
                _ => return None,
            }
        }
    }

    /// A quoted cell whose first byte (after the quote) is at `at`, its
    /// doubled quotes made single; where its closing quote ends.
    fn quoted_cell(&mut self, bytes: &[u8], mut at: usize, lines: &mut u64) -> Option<usize> {
        loop {
            let stop = self.copy_to_quote(bytes, at)?;
            if bytes.get(stop) == Some(&b'\n') {
                *lines += 1;
                self.write(b"\n")?;
                at = stop + 1;
            } else if bytes.get(stop + 1) == Some(&b'"') {
                self.write(b"\"")?;
                at = stop + 2;
            } else {
                return Some(stop + 1);
            }
        }
    }

    /// Copies the cell's text from `at` up to the next quote or newline,
    /// which it returns the position of.
    ///
    /// NOTE: an audit record's JSON has a doubled quote every few bytes,
    /// so the search and the copy are one loop, eight bytes at a time
    /// (each word is copied whole before it is tested; the bytes past the
    /// stop are overwritten by what follows), rather than a `memchr2` call
    /// and a copy per stretch, which made the CSV scan a tenth slower.
    fn copy_to_quote(&mut self, bytes: &[u8], mut at: usize) -> Option<usize> {
        const WORD: usize = 8;
        while let Some(word) = bytes.get(at..at + WORD) {
            if self.out.len() < self.nout + WORD {
                self.grow_out_to(self.nout + WORD);
            }
            self.out
                .get_mut(self.nout..self.nout + WORD)?
                .copy_from_slice(word);
            let found = quotes_or_newlines(u64::from_le_bytes(word.try_into().ok()?));
            if found != 0 {
                let len = (found.trailing_zeros() / 8) as usize;
                self.nout += len;
                return Some(at + len);
            }
            self.nout += WORD;
            at += WORD;
        }
        let rest = bytes.get(at..)?;
        let stop = at + memchr2(b'"', b'\n', rest)?;
        self.write(bytes.get(at..stop)?)?;
        Some(stop)
    }

    /// An unquoted cell from `at`; where it ends. One holding a quote is
    /// left to csv-core, which reads it as text.
    fn plain_cell(&mut self, bytes: &[u8], at: usize) -> Option<usize> {
        let rest = bytes.get(at..)?;
        let end = at + memchr3(self.delimiter, b'\r', b'\n', rest)?;
        let cell = bytes.get(at..end)?;
        if memchr(b'"', cell).is_some() {
            return None;
        }
        self.write(cell)?;
        Some(end)
    }

    /// Appends to the current cell, growing the buffer as needed.
    fn write(&mut self, part: &[u8]) -> Option<()> {
        let end = self.nout + part.len();
        if self.out.len() < end {
            self.grow_out_to(end);
        }
        self.out.get_mut(self.nout..end)?.copy_from_slice(part);
        self.nout = end;
        Some(())
    }

    fn end_cell(&mut self) -> Option<()> {
        if self.ends.len() <= self.nend {
            self.grow_ends();
        }
        *self.ends.get_mut(self.nend)? = self.nout;
        self.nend += 1;
        Some(())
    }

    fn grow_out(&mut self) {
        if self.out.len() > self.cap {
            // NOTE: the record is already too long to be read; its cells
            // are overwritten only to let csv-core find where it ends.
            self.overflow = true;
            self.nout = 0;
        } else {
            self.out.resize(self.out.len() * 2, 0);
        }
    }

    fn grow_out_to(&mut self, len: usize) {
        self.out.resize(len.max(self.out.len() * 2), 0);
    }

    fn grow_ends(&mut self) {
        self.ends.resize(self.ends.len() * 2, 0);
    }

    /// A row whose quote was never closed, ended before `end` in `text`.
    ///
    /// NOTE: the open quote swallowed the lines after the row's first line
    /// until another quote happened to close it. Rows are one line each
    /// but where a cell holds a newline, so the swallowed lines are read
    /// again as rows; after [`MAX_REPLAYS`] such rows (or one too long to
    /// keep) the file is taken to be damaged beyond that and read no
    /// further.
    fn unterminated(&mut self, text: &str, end: usize, sink: &mut Sink<'_>) {
        let line = self.raw.line;
        self.overflow = false;
        let rest = match self.raw.end(text, end, self.cap) {
            Ok(raw) if self.replays < MAX_REPLAYS => {
                raw.find('\n').map(|k| raw[k + 1..].to_owned())
            }
            _ => None,
        };
        let Some(rest) = rest else {
            let message = format!("unterminated quote{}", from_line(line));
            return self.stop(sink, line, message);
        };
        self.raw.clear_carried();
        self.replays += 1;
        let message = format!(
            "unterminated quote: the row is skipped and reading resumes on its next line, \
             at line {line}"
        );
        error(sink, line, message);
        self.line = line + 1;
        self.replay = Some(rest);
    }

    /// A record ended before `end` in `text`.
    fn record(&mut self, text: &str, end: usize, sink: &mut Sink<'_>) {
        self.in_record = false;
        let line = self.raw.line;
        let (nout, nend) = (self.nout, self.nend);
        self.nout = 0;
        self.nend = 0;
        // NOTE: an odd count of quotes in a row of one line did not
        // swallow the next line: csv-core read the stray quote as text, and
        // the cell is judged as it reads.
        if self.quotes % 2 == 1 && self.line > line {
            return self.unterminated(text, end, sink);
        }
        let overflow = std::mem::take(&mut self.overflow);
        let raw = match self.raw.end(text, end, self.cap) {
            Ok(raw) if !overflow => Ok(raw.trim_end_matches(['\r', '\n'])),
            Ok(raw) => Err(raw.len()),
            Err(len) => Err(len),
        };
        let raw = match raw {
            Ok(raw) => raw,
            Err(len) => return self.too_long(sink, len, line),
        };
        let cells = std::str::from_utf8(self.out.get(..nout).unwrap_or_default());
        let ends = self.ends.get(..nend).unwrap_or_default();
        let kind = match cells {
            Ok(cells) => kind(self.header.as_ref(), cells, ends, line),
            Err(_) => Kind::Error(format!("cells are not text at line {line}")),
        };
        match kind {
            Kind::Structural => self.type_line |= is_type_line(cells, ends),
            Kind::Header(header) => {
                self.container = container_of(&header, self.type_line);
                self.header = Some(header);
            }
            Kind::Row(audit_data) => {
                if let (Some(header), Ok(cells)) = (&self.header, cells) {
                    let row = Row {
                        header,
                        cells,
                        ends,
                        text: raw,
                        audit_data,
                    };
                    let body = Body::Row(row);
                    sink(Piece {
                        line,
                        column: 1,
                        body,
                        whole_line: false,
                    });
                }
            }
            Kind::Error(message) => {
                error(sink, line, message);
                if self.header.is_none() {
                    self.stopped = true;
                }
            }
        }
        self.raw.clear_carried();
    }

    fn too_long(&mut self, sink: &mut Sink<'_>, len: usize, line: u64) {
        self.raw.clear_carried();
        error(sink, line, too_long(len, self.cap, line));
    }
}

/// The cell at `index` of a record whose cells end at `ends`.
pub(crate) fn cell_at<'a>(cells: &'a str, ends: &[usize], index: usize) -> Option<&'a str> {
    let end = *ends.get(index)?;
    let start = match index.checked_sub(1) {
        None => 0,
        Some(before) => *ends.get(before)?,
    };
    cells.get(start..end)
}

fn cells_count(count: usize) -> String {
    match count {
        1 => "1 cell".to_string(),
        _ => format!("{count} cells"),
    }
}

fn kind(header: Option<&Header>, cells: &str, ends: &[usize], line: u64) -> Kind {
    let first = cell_at(cells, ends, 0).unwrap_or_default();
    // NOTE: a byte order mark alone is blank: exports joined with `cat`
    // keep each one's.
    let blank = first.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if ends.len() <= 1 && blank.is_empty() || first.starts_with("#TYPE") {
        return Kind::Structural;
    }
    let Some(header) = header else {
        return header_of(cells, ends, line);
    };
    if is_header(header, cells, ends) {
        return Kind::Structural;
    }
    let audit_data = audit_data_cell(header, cells, ends);
    if let Some(index) = audit_data.filter(|&index| holds_json(cells, ends, index)) {
        return Kind::Row(index);
    }
    if names_audit_data(cells, ends) {
        // Another export's header, its columns in another order.
        return header_of(cells, ends, line);
    }
    match audit_data {
        Some(index) => Kind::Row(index),
        None => Kind::Error(format!(
            "row has {} where the header has {}, and none of them \
             holds `AuditData`, at line {line}",
            cells_count(ends.len()),
            header.names.len()
        )),
    }
}

fn header_of(cells: &str, ends: &[usize], line: u64) -> Kind {
    let names: Vec<String> = (0..ends.len())
        .filter_map(|i| cell_at(cells, ends, i))
        .map(|name| name.trim().to_string())
        .collect();
    let audit_data = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case("AuditData"));
    match audit_data {
        Some(audit_data) => Kind::Header(Header { names, audit_data }),
        None => Kind::Error(format!(
            "expected a header row with an `AuditData` column at line {line}"
        )),
    }
}

/// Whether a row repeats the header (exports concatenated, each with its
/// header and perhaps its own byte order mark).
fn is_header(header: &Header, cells: &str, ends: &[usize]) -> bool {
    let same = |(i, name): (usize, &String)| header_cell(cells, ends, i).eq_ignore_ascii_case(name);
    ends.len() == header.names.len() && header.names.iter().enumerate().all(same)
}

/// Whether a cell looks like a JSON object, as a record's `AuditData` does.
fn holds_json(cells: &str, ends: &[usize], index: usize) -> bool {
    cell_at(cells, ends, index).is_some_and(|c| c.trim_start().starts_with('{'))
}

/// Whether a row has a cell that is the text `AuditData`: a header, since
/// a record's cell holds a JSON object.
fn names_audit_data(cells: &str, ends: &[usize]) -> bool {
    (0..ends.len()).any(|i| header_cell(cells, ends, i).eq_ignore_ascii_case("AuditData"))
}

/// A cell read as a column name: trimmed, and without the byte order mark
/// that starts each of several exports joined.
fn header_cell<'a>(cells: &'a str, ends: &[usize], index: usize) -> &'a str {
    let cell = cell_at(cells, ends, index).unwrap_or_default();
    cell.trim_start_matches('\u{FEFF}').trim()
}

fn is_type_line(cells: Result<&str, std::str::Utf8Error>, ends: &[usize]) -> bool {
    let first = cells.ok().and_then(|c| cell_at(c, ends, 0));
    first.is_some_and(|c| c.starts_with("#TYPE"))
}

/// Which cell holds the record: the `AuditData` column's when the row has
/// as many cells as the header, else the one cell that looks like a JSON
/// object (the column's own first).
fn audit_data_cell(header: &Header, cells: &str, ends: &[usize]) -> Option<usize> {
    let column = header.audit_data;
    if ends.len() == header.names.len() {
        return Some(column);
    }
    let looks_like_json = |i: &usize| holds_json(cells, ends, *i);
    if looks_like_json(&column) {
        return Some(column);
    }
    let mut found = (0..ends.len()).filter(looks_like_json);
    match (found.next(), found.next()) {
        (Some(index), None) => Some(index),
        _ => None,
    }
}

fn container_of(header: &Header, type_line: bool) -> Container {
    let has = |name: &str| header.position(name).is_some();
    if type_line || POWERSHELL_COLUMNS.iter().any(|c| has(c)) {
        Container::PowershellCsv
    } else if has("RecordId") {
        Container::PurviewCsv
    } else if has("UserIds") && has("Operations") {
        Container::PurviewCsvClassic
    } else {
        Container::PurviewCsv
    }
}

/// The high bit of every byte of `word` that is a quote or a newline;
/// the lowest is exact (a borrow only runs upward, past a true match).
fn quotes_or_newlines(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quote = word ^ (ONES * u64::from(b'"'));
    let newline = word ^ (ONES * u64::from(b'\n'));
    let zero_quote = quote.wrapping_sub(ONES) & !quote;
    let zero_newline = newline.wrapping_sub(ONES) & !newline;
    (zero_quote | zero_newline) & HIGHS
}

fn count(byte: u8, bytes: &[u8]) -> u64 {
    memchr_iter(byte, bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use crate::input::{Body, FileReader, Piece};

    /// Every piece of `text`, as (line, cells or error), read in chunks
    /// of `size` bytes.
    fn pieces(text: &str, size: usize) -> Vec<(u64, Result<Vec<String>, String>)> {
        let mut reader = FileReader::new();
        let mut out = Vec::new();
        let mut sink = |piece: Piece<'_>| {
            let body = match piece.body {
                Body::Row(row) => Ok((0..row.len())
                    .filter_map(|i| row.cell(i))
                    .map(str::to_owned)
                    .collect()),
                Body::Error(message) => Err(message),
                Body::Json(text) => Err(format!("json {text}")),
            };
            out.push((piece.line, body));
        };
        for chunk in text.as_bytes().chunks(size) {
            reader.push(chunk, &mut sink);
        }
        reader.finish(&mut sink);
        out
    }

    #[test]
    fn plainly_quoted_rows_give_what_csv_core_gives() {
        let header = "RecordId,AuditData,Other\r\n";
        let rows = [
            "1,\"{\"\"a\"\":\"\"b\"\"}\",x\r\n",
            "2,\"line one\nline two\",\r\n",
            "3,,\"\"\"\"\n",
            "4,\"{}\",\"tail\"\r",
            "5,\"{\"\"q\"\":1}\"after,x\n",
            "7,\"{}\"\n\n\n8,\"{\"\"k\"\":\"\"\"\"}\",\"\"\n",
            "9,\"{}\",\"open\n",
        ];
        let text = format!("{header}{}", rows.concat());
        let whole = pieces(&text, text.len());
        assert_eq!(whole.len(), 8, "{whole:?}");
        assert!(
            whole.iter().take(7).all(|(_, row)| row.is_ok()),
            "{whole:?}"
        );
        for size in [1, 2, 7, 64] {
            assert_eq!(pieces(&text, size), whole, "chunks of {size}");
        }
        let semicolons = text.replace(',', ";");
        let whole = pieces(&semicolons, semicolons.len());
        assert_eq!(pieces(&semicolons, 1), whole);
        let quote_in_plain_cell = format!("{header}6,un\"quoted,\"{{}}\"\n");
        let whole = pieces(&quote_in_plain_cell, quote_in_plain_cell.len());
        assert_eq!(pieces(&quote_in_plain_cell, 1), whole);
    }

    #[test]
    fn quotes_and_newlines_are_found_wherever_they_fall_in_a_word() {
        let header = "RecordId,AuditData\n";
        let rows: String = (0..20)
            .map(|k| {
                let pad = "é".repeat(k / 2) + &"a".repeat(k % 2);
                format!("{k},\"{{\"\"{pad}\"\":\"\"{pad}\n{pad}\"\"}}{pad}\"\n")
            })
            .collect();
        let text = format!("{header}{rows}");
        let whole = pieces(&text, text.len());
        assert_eq!(whole.len(), 20, "{whole:?}");
        for (k, (_, row)) in whole.iter().enumerate() {
            let pad = "é".repeat(k / 2) + &"a".repeat(k % 2);
            let cell = format!("{{\"{pad}\":\"{pad}\n{pad}\"}}{pad}");
            assert_eq!(row.as_ref().map(|cells| &cells[1]), Ok(&cell), "row {k}");
        }
        assert_eq!(pieces(&text, 1), whole);
    }
}
