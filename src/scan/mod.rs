//! The streaming scanner: bytes in, hits out, a report at the end.
//!
//! A [`Scanner`] takes files one after another and each file in chunks of
//! any size; it keeps only the partial piece between chunks, the hits, and
//! the duplicate index, so memory stays flat however large the input.
//! `scan`, the command line and the page all read through it.
//!
//! Each record is first skimmed (see `skim`): one pass over its text that
//! validates it, fingerprints it and keeps the few values the queries
//! read. A record the skim judges not to be a hit is counted and checked
//! for duplicates from that alone. Hits, and records the skim is unsure
//! of, are parsed and normalized in full, as before, so that the report
//! is the same to the byte whichever way a record went
//! ([`Scanner::set_fast_path`] turns the skim off, to compare).
//!
//! What grows with the input is the hits and the index of fingerprints
//! and ids (`index`): about 70 bytes a record.

mod index;

use serde::Serialize;

use crate::detect::{
    self, content_hash, ContentHash, Detector, ErrorEntry, Facts, FileReport, Hit, Options,
    RuleRef, ScanReport, Tool, Warning,
};
use crate::input::{
    self, Body, Container, Encoding, FileReader, FileSummary, Piece, ReaderOptions,
};
use crate::kql::SyntaxError;
use crate::o365::{self, LoneSurrogates, Record, RecordError, RecordKind};
use crate::rule;
use crate::skim::{Lean, Skimmer};
use index::{FirstSeen, Index, Seen};

/// Errors kept with their messages; the rest are only counted.
pub const KEPT_ERRORS: usize = 1_000;
/// Warnings kept; one more says how many were left out.
pub const KEPT_WARNINGS: usize = 1_000;
/// Record counts at which Microsoft's export tools stop: a page of the
/// audit search, the portal's export cap, PowerShell's large-set cap.
const CUT_OFF_COUNTS: [u64; 3] = [100, 5_000, 50_000];
/// How much memory the hits' details (event, alert and raw text) may
/// take, as [`detail_bytes`] estimates it. A typical alert's details take
/// some 40 KB, so this keeps them for thousands of hits; past it, the
/// report of a huge data set still fits in a wasm instance and in the
/// page's JavaScript heap.
pub const HIT_DETAILS: usize = 128 << 20;
/// The name of input given without a file name.
pub const UNNAMED: &str = "input";

/// Reads files chunk by chunk and judges every record.
pub struct Scanner {
    detector: Detector,
    reader: Option<FileReader>,
    state: State,
    /// the fast path's buffers; none when it is turned off
    skimmer: Option<Skimmer>,
}

/// What one `push` found: the hits so far in that chunk, and progress.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    /// The file being read.
    pub file: String,
    /// Bytes of that file read so far.
    pub bytes: u64,
    /// Records read so far, all files.
    pub records: u64,
    /// Hits found in this chunk.
    pub hits: Vec<Hit>,
    /// The file was rejected as a whole (its error says why): the rest of
    /// it is not read, and need not be pushed.
    pub rejected: bool,
}

impl Scanner {
    /// A scanner with the given options; a custom query may not parse.
    pub fn new(options: Options) -> Result<Scanner, SyntaxError> {
        Ok(Scanner {
            detector: Detector::new(options)?,
            reader: None,
            state: State::default(),
            skimmer: Some(Skimmer::default()),
        })
    }

    /// Turns the fast path on (the default) or off. Off, every record is
    /// parsed and normalized in full: the report is the same, only slower.
    /// For comparisons and measurements.
    pub fn set_fast_path(&mut self, on: bool) {
        self.skimmer = on.then(Skimmer::default);
    }

    /// Starts the next file; the one before it is finished.
    pub fn file(&mut self, name: &str) {
        self.close_file();
        self.state.open_file(name);
        let options = ReaderOptions {
            sha256: self.detector.options().sha256,
            ..ReaderOptions::default()
        };
        self.reader = Some(FileReader::with_options(options).with_whole_lines());
    }

    /// Reads the next chunk of the current file (a file named `input`
    /// when none was started).
    pub fn push(&mut self, bytes: &[u8]) -> Progress {
        if self.reader.is_none() {
            self.file(UNNAMED);
        }
        let first_new_hit = self.state.hits.len();
        self.state.file.bytes += bytes.len() as u64;
        if let Some(reader) = &mut self.reader {
            let (state, skimmer) = (&mut self.state, &mut self.skimmer);
            let detector = &self.detector;
            reader.push(bytes, &mut |piece| {
                state.take(detector, skimmer.as_mut(), piece);
            });
        }
        self.progress(first_new_hit)
    }

    fn progress(&self, first_new_hit: usize) -> Progress {
        Progress {
            file: self.state.file.report.name.clone(),
            bytes: self.state.file.bytes,
            records: self.state.records,
            hits: self.state.hits[first_new_hit..].to_vec(),
            rejected: self.is_file_rejected(),
        }
    }

    /// Records a file that could not be read at all (missing, no
    /// permission) as an error of the report.
    pub fn unreadable(&mut self, name: &str, message: &str) {
        self.close_file();
        self.state.open_file(name);
        self.state.error(None, message.to_owned());
        self.state.close_file(None);
    }

    /// Records that the current file could not be read to its end.
    pub fn read_error(&mut self, message: &str) {
        self.state.error(None, message.to_owned());
    }

    /// Whether the current file was rejected as a whole (see
    /// [`Progress::rejected`]).
    pub fn is_file_rejected(&self) -> bool {
        self.reader.as_ref().is_some_and(FileReader::is_rejected)
    }

    /// Whether the caller stopped reading the current file (see
    /// [`Scanner::stop_file`]).
    pub fn is_file_stopped(&self) -> bool {
        self.state.file.stopped
    }

    /// Records that the caller stopped reading the current file, rejected
    /// as a whole, before its end (a stream that may never end): its size
    /// and SHA-256 are then unknown, and the report says so.
    pub fn stop_file(&mut self) {
        self.state.file.stopped = true;
    }

    /// The bytes the duplicate index and the id map hold now: the only
    /// parts of a scan's memory, with the hits, that grow with the input.
    pub fn index_bytes(&self) -> usize {
        self.state.index.bytes()
    }

    /// The bytes the hits hold now, roughly: their list, their short
    /// texts and their details (see [`HIT_DETAILS`]).
    pub fn hits_bytes(&self) -> usize {
        let hits = &self.state.hits;
        let list = hits.capacity() * std::mem::size_of::<Hit>();
        let texts: usize = hits.iter().map(short_texts).sum();
        list + texts + self.state.detail_bytes
    }

    /// How many records so far were judged from a skim alone, without
    /// being parsed in full: a measure of the fast path, for benchmarks.
    pub fn skimmed(&self) -> u64 {
        self.state.skimmed
    }

    /// Finishes the last file and returns the report; the scanner is then
    /// empty and can scan again.
    pub fn finish(&mut self) -> ScanReport {
        self.close_file();
        std::mem::take(&mut self.state).into_report(&self.detector)
    }

    fn close_file(&mut self) {
        if let Some(mut reader) = self.reader.take() {
            let (state, skimmer) = (&mut self.state, &mut self.skimmer);
            let detector = &self.detector;
            let summary = reader.finish(&mut |piece| {
                state.take(detector, skimmer.as_mut(), piece);
            });
            state.close_file(Some(summary));
        }
    }
}

/// Scans whole files given in memory, as one data set.
pub fn scan(files: &[(&str, &[u8])], options: Options) -> Result<ScanReport, SyntaxError> {
    let mut scanner = Scanner::new(options)?;
    for (name, bytes) in files {
        scanner.file(name);
        scanner.push(bytes);
    }
    Ok(scanner.finish())
}

#[derive(Default)]
struct State {
    file: FileState,
    files: Vec<FileReport>,
    /// every record's fingerprint, and where each id was first seen
    index: Index,
    hits: Vec<Hit>,
    records: u64,
    duplicates: u64,
    /// records judged from a skim alone
    skimmed: u64,
    error_count: u64,
    errors: Vec<ErrorEntry>,
    warnings: Vec<Warning>,
    warnings_left_out: u64,
    /// bytes of raw text the hits keep with their details
    detail_bytes: usize,
    hits_without_details: u64,
}

#[derive(Default)]
struct FileState {
    report: FileReport,
    bytes: u64,
    kinds: Kinds,
    /// Read no further once rejected, see [`Scanner::stop_file`].
    stopped: bool,
}

/// The kinds of record a file held.
#[derive(Clone, Copy, Default)]
struct Kinds(u8);

impl Kinds {
    const ALL: [RecordKind; 6] = [
        RecordKind::Ecs,
        RecordKind::Raw,
        RecordKind::O365Audit,
        RecordKind::Graph,
        RecordKind::ExportRow,
        RecordKind::EsHit,
    ];

    fn insert(&mut self, kind: RecordKind) {
        let bit = Kinds::ALL.iter().position(|known| *known == kind);
        self.0 |= bit.map_or(0, |bit| 1 << bit);
    }

    fn iter(self) -> impl Iterator<Item = RecordKind> {
        let held = move |(bit, _): &(usize, &RecordKind)| self.0 & (1 << bit) != 0;
        Kinds::ALL
            .iter()
            .enumerate()
            .filter(held)
            .map(|(_, kind)| *kind)
    }
}

impl State {
    fn open_file(&mut self, name: &str) {
        self.file = FileState::default();
        self.file.report.name = name.to_owned();
    }

    fn close_file(&mut self, summary: Option<FileSummary>) {
        if let Some(summary) = summary {
            self.describe(summary);
        }
        let count = self.file.report.records;
        if CUT_OFF_COUNTS.contains(&count) {
            let message = format!(
                "the file holds exactly {count} records, a limit of \
                 Microsoft's export tools: it may have been cut off"
            );
            self.warn(None, message);
        }
        let file = std::mem::take(&mut self.file);
        self.files.push(file.report);
    }

    fn describe(&mut self, summary: FileSummary) {
        for warning in summary.warnings {
            self.warn(warning.line, warning.message);
        }
        let format = format_name(summary.container, &self.file.kinds);
        let report = &mut self.file.report;
        report.bytes = summary.bytes;
        report.sha256 = summary.sha256;
        if self.file.stopped {
            report.sha256 = None;
            let read = summary.bytes;
            let message = format!(
                "read no further than byte {read} once rejected: its size and SHA-256 are unknown"
            );
            self.warn(None, message);
        }
        let report = &mut self.file.report;
        report.encoding = summary.encoding.map(Encoding::as_str);
        report.compressed = summary.compressed.map(|c| c.as_str());
        report.format = format;
    }

    fn take(&mut self, detector: &Detector, mut skimmer: Option<&mut Skimmer>, piece: Piece<'_>) {
        let (line, column) = (piece.line, piece.column);
        let plan = detector.lean_plan();
        match piece.body {
            Body::Error(message) => self.error(Some(line), message),
            Body::Json(text) => {
                let skim = plan.zip(skimmer.as_deref_mut());
                let skimmed = skim.and_then(|(plan, s)| s.json(text, plan));
                // NOTE: a skim that reads a whole line to its end has found
                // one record there; anything else (several values, damage,
                // a record only the parser reads) is cut as the line reads.
                if piece.whole_line && skimmed.is_none() {
                    return input::split_line(text, (line, column), &mut |piece| {
                        self.take(detector, skimmer.as_deref_mut(), piece)
                    });
                }
                if !self.skimmed(detector, skimmed, line) {
                    let read = o365::read_json(text);
                    self.record(detector, (line, column), text, read);
                }
            }
            Body::Row(row) => {
                let cell = row.audit_data();
                let skimmed = plan.zip(skimmer).and_then(|(plan, s)| s.cell(cell, plan));
                if !self.skimmed(detector, skimmed, line) {
                    let read = o365::read_row(&row);
                    self.record(detector, (line, column), row.text(), read);
                }
            }
        }
    }

    /// Counts a skimmed record that is not a hit; false, with nothing
    /// counted, when it must be read in full: a hit (whose report needs
    /// the whole record), or a record the skim cannot judge.
    fn skimmed(&mut self, detector: &Detector, lean: Option<Lean<'_>>, line: u64) -> bool {
        let Some(lean) = lean else {
            return false;
        };
        let verdict = detector.judge_lean(&lean);
        let (Some(verdict), Some(id)) = (verdict, lean.id()) else {
            return false;
        };
        if verdict.hit() {
            return false;
        }
        self.count(lean.kind);
        self.skimmed += 1;
        if self.is_duplicate(lean.fingerprint, id, line) {
            self.duplicates += 1;
        }
        true
    }

    /// Takes a record read in full, from its text at `(line, column)`.
    fn record(
        &mut self,
        detector: &Detector,
        (line, column): (u64, u64),
        raw: &str,
        read: Result<Record, RecordError>,
    ) {
        let record = match read {
            Ok(record) => record,
            Err(error) => return self.error(Some(line), located(&error, line, column)),
        };
        if let Some(lone) = record.lone_surrogates {
            self.warn_lone_surrogates(lone, line);
        }
        if let Some(repeated) = &record.repeated_key {
            let at = line + repeated.line.saturating_sub(1) as u64;
            // NOTE: a key may be of any length; the start names it.
            let key: String = repeated.key.chars().take(64).collect();
            let message =
                format!("key `{key}` repeated in an object, its last value read, at line {at}");
            self.warn(Some(at), message);
        }
        let index = self.count(record.kind);
        let id = record_id(&record);
        if self.is_duplicate(content_hash(record.content()), id.as_deref(), line) {
            self.duplicates += 1;
            return;
        }
        let verdict = detector.judge(&record);
        if verdict.hit() {
            let raw = self.keeps_details(line).then_some(raw);
            let hit = self.hit(detector, record, verdict, line, index, raw);
            self.detail_bytes += detail_bytes(&hit);
            self.hits.push(hit);
        }
    }

    /// Whether the next hit still keeps its event, alert and raw text.
    /// Many hits, or hits of huge records, would otherwise run the wasm
    /// instance out of memory, losing the whole report.
    fn keeps_details(&mut self, line: u64) -> bool {
        if self.detail_bytes < HIT_DETAILS {
            return true;
        }
        if self.hits_without_details == 0 {
            let message = format!(
                "the hits' details take {} MiB of memory: this hit and every \
                 later one keep their verdicts, user, alert id and time, but \
                 not their event, alert and raw text",
                HIT_DETAILS >> 20
            );
            self.warn(Some(line), message);
        }
        self.hits_without_details += 1;
        false
    }

    /// Counts a record of the current file; its index in the file.
    fn count(&mut self, kind: RecordKind) -> u64 {
        let index = self.file.report.records;
        self.file.report.records += 1;
        self.records += 1;
        self.file.kinds.insert(kind);
        index
    }

    fn hit(
        &self,
        detector: &Detector,
        record: Record,
        verdict: detect::Verdict,
        line: u64,
        index: u64,
        raw: Option<&str>,
    ) -> Hit {
        let facts = Facts::of(&record, &detector.view(&record));
        let details = raw.is_some();
        Hit {
            file: self.file.report.name.clone(),
            line,
            index,
            query: verdict.query,
            alert_name: verdict.alert_name,
            alert: details
                .then(|| detector.alert(&record.event, verdict, &facts))
                .flatten(),
            timestamp: facts.timestamp(),
            millis: facts.time.map(|time| time.millis()),
            user: facts.user,
            alert_id: facts.alert_id,
            event: match details {
                true => record.event,
                false => serde_json::Value::Null,
            },
            raw: raw.map(str::to_owned),
        }
    }

    /// Remembers the record's content; true when it was seen before. An id
    /// seen before with other content is kept, with a warning.
    fn is_duplicate(&mut self, hash: ContentHash, id: Option<&str>, line: u64) -> bool {
        let here = FirstSeen::new(hash, self.files.len(), line);
        match self.index.record(hash, id, here) {
            Seen::New => false,
            Seen::Duplicate => true,
            Seen::IdAgain(first) => {
                self.warn_id(id.unwrap_or_default(), first, line);
                false
            }
        }
    }

    /// Warns that `id` was first seen with other content. Ids are kept as
    /// fingerprints so the index stays small for millions of records.
    fn warn_id(&mut self, id: &str, first: FirstSeen, line: u64) {
        let file = match self.files.get(first.file()) {
            Some(report) => report.name.as_str(),
            None => self.file.report.name.as_str(),
        };
        let message = format!(
            "id `{id}` was seen before with other content ({file} line {}); \
             both records are kept",
            first.line()
        );
        self.warn(Some(line), message);
    }

    fn error(&mut self, line: Option<u64>, message: String) {
        self.error_count += 1;
        self.file.report.errors += 1;
        if self.errors.len() < KEPT_ERRORS {
            let file = self.file.report.name.clone();
            self.errors.push(ErrorEntry {
                file,
                line,
                message,
            });
        }
    }

    fn warn_lone_surrogates(&mut self, lone: LoneSurrogates, first_line: u64) {
        let line = first_line + lone.line.saturating_sub(1) as u64;
        let escapes = match lone.count {
            1 => "escape",
            _ => "escapes",
        };
        let message = format!(
            "{} unpaired UTF-16 surrogate {escapes} read as `U+FFFD`, the first at line {line}",
            lone.count
        );
        self.warn(Some(line), message);
    }

    fn warn(&mut self, line: Option<u64>, message: String) {
        if self.warnings.len() >= KEPT_WARNINGS {
            self.warnings_left_out += 1;
            return;
        }
        let file = self.file.report.name.clone();
        self.warnings.push(Warning {
            file,
            line,
            message,
        });
    }

    fn into_report(mut self, detector: &Detector) -> ScanReport {
        if self.warnings_left_out > 0 {
            let message = format!("{} more warnings were left out", self.warnings_left_out);
            self.warnings.push(Warning {
                file: String::new(),
                line: None,
                message,
            });
        }
        let mut hits = self.hits;
        // NOTE: a hit that takes its user from another hit of its alert
        // gets its alert again, so that the reason names the user.
        for position in detect::fill_users_from_alerts(&mut hits) {
            let hit = &mut hits[position];
            hit.alert = detector.alert(&hit.event, hit.verdict(), &hit.facts());
        }
        let users = if detector.is_custom() {
            Vec::new()
        } else {
            detect::restricted_users(&hits)
        };
        detect::sort_by_time(&mut hits);
        ScanReport {
            tool: Tool::CURRENT,
            rule: rule_ref(),
            options: detector.options().clone(),
            files: self.files,
            records: self.records,
            duplicates: self.duplicates,
            error_count: self.error_count,
            hits,
            users,
            errors: self.errors,
            warnings: self.warnings,
        }
    }
}

fn rule_ref() -> RuleRef {
    RuleRef {
        id: rule::info().id,
        version: rule::info().version,
    }
}

/// The report's name for a file's shape: the container's when it has one,
/// else the kind its records share, else `mixed`.
fn format_name(container: Container, kinds: &Kinds) -> Option<&'static str> {
    match container {
        Container::Json | Container::Empty | Container::Unrecognized => {}
        known => return Some(known.as_str()),
    }
    let mut names = kinds.iter().map(kind_format);
    let first = names.next()?;
    Some(if names.all(|name| name == first) {
        first
    } else {
        "mixed"
    })
}

/// The bytes of a hit's own texts other than its details.
fn short_texts(hit: &Hit) -> usize {
    let optional = [&hit.timestamp, &hit.user, &hit.alert_id];
    let optional: usize = optional
        .iter()
        .filter_map(|text| text.as_ref())
        .map(String::len)
        .sum();
    hit.file.len() + optional
}

/// The memory a hit's details take, roughly: their text, and what the
/// parsed event and alert add per value and per member.
fn detail_bytes(hit: &Hit) -> usize {
    let raw = hit.raw.as_ref().map_or(0, String::len);
    let alert = hit.alert.as_ref().map_or(0, value_bytes);
    raw + value_bytes(&hit.event) + alert
}

/// What a JSON value takes on the heap: a member costs its key, its value
/// and about a third of a B-tree node's slot overhead; an element the
/// value itself.
fn value_bytes(value: &serde_json::Value) -> usize {
    use serde_json::Value;
    const VALUE: usize = std::mem::size_of::<Value>();
    const MEMBER: usize = VALUE + std::mem::size_of::<String>() + 32;
    match value {
        Value::Null | Value::Bool(_) => 0,
        Value::Number(number) => number.as_str().len(),
        Value::String(text) => text.len(),
        Value::Array(items) => items.iter().map(|item| VALUE + value_bytes(item)).sum(),
        Value::Object(members) => members
            .iter()
            .map(|(key, item)| MEMBER + key.len() + value_bytes(item))
            .sum(),
    }
}

/// The format a file of records of one kind has. A JSON export whose rows
/// carry `AuditData` (PowerShell's `ConvertTo-Json`) holds Management
/// Activity API records, and a list of bare search hits is a search
/// response without its envelope.
fn kind_format(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Ecs => "ecs",
        RecordKind::Raw | RecordKind::ExportRow => "o365-api",
        RecordKind::O365Audit => "o365audit",
        RecordKind::Graph => "graph",
        RecordKind::EsHit => "es-response",
    }
}

/// The record's id, for the warning about ids repeated with other
/// content: the raw record's `Id`, else the ECS `event.id`.
fn record_id(record: &Record) -> Option<String> {
    if let Some(raw) = &record.raw {
        return raw.get("Id").and_then(|id| id.as_str()).map(str::to_owned);
    }
    detect::first_string(&record.event, "event.id")
}

/// The error's message with its position made absolute: a fault in the
/// record's own text, which starts at `(first_line, first_column)`, is
/// moved to its line and column of the input; a fault inside a cell
/// (`AuditData`) is given by its column in the cell's text and its line.
fn located(error: &RecordError, first_line: u64, first_column: u64) -> String {
    let Some(at) = error.position() else {
        return error.to_string();
    };
    let line = first_line + at.line as u64 - 1;
    let message = error.message();
    match error.field() {
        None => {
            let column = match at.line {
                1 => first_column + at.column as u64 - 1,
                _ => at.column as u64,
            };
            format!("{message} at line {line} column {column}")
        }
        Some(field) => {
            let column = at.column;
            format!("{message} at column {column} of `{field}` at line {line}")
        }
    }
}
