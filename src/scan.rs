//! The streaming scanner: bytes in, hits out, a report at the end.
//!
//! A [`Scanner`] takes files one after another and each file in chunks of
//! any size; it keeps only the partial piece between chunks, the hits, and
//! the duplicate index, so memory stays flat however large the input.
//! `scan`, the command line and the page all read through it.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::detect::{
    self, content_hash, ContentHash, Detector, ErrorEntry, Facts, FileReport, Hit, Options,
    RuleRef, ScanReport, Tool, Warning,
};
use crate::input::{Body, Container, FileReader, FileSummary, Piece};
use crate::kql::SyntaxError;
use crate::o365::{self, Record, RecordError, RecordKind};
use crate::rule;
use xxhash_rust::xxh3::xxh3_64;

/// Errors kept with their messages; the rest are only counted.
pub const KEPT_ERRORS: usize = 1_000;
/// Warnings kept; one more says how many were left out.
pub const KEPT_WARNINGS: usize = 1_000;
/// Record counts at which Microsoft's export tools stop: a page of the
/// audit search, the portal's export cap, PowerShell's large-set cap.
const CUT_OFF_COUNTS: [u64; 3] = [100, 5_000, 50_000];
/// The name of input given without a file name.
pub const UNNAMED: &str = "input";

/// Reads files chunk by chunk and judges every record.
pub struct Scanner {
    detector: Detector,
    reader: Option<FileReader>,
    state: State,
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
}

impl Scanner {
    /// A scanner with the given options; a custom query may not parse.
    pub fn new(options: Options) -> Result<Scanner, SyntaxError> {
        Ok(Scanner {
            detector: Detector::new(options)?,
            reader: None,
            state: State::default(),
        })
    }

    /// Starts the next file; the one before it is finished.
    pub fn file(&mut self, name: &str) {
        self.close_file();
        self.state.open_file(name);
        self.reader = Some(FileReader::new());
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
            let (state, detector) = (&mut self.state, &self.detector);
            reader.push(bytes, &mut |piece| state.take(detector, piece));
        }
        self.progress(first_new_hit)
    }

    fn progress(&self, first_new_hit: usize) -> Progress {
        Progress {
            file: self.state.file.report.name.clone(),
            bytes: self.state.file.bytes,
            records: self.state.records,
            hits: self.state.hits[first_new_hit..].to_vec(),
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

    /// Finishes the last file and returns the report; the scanner is then
    /// empty and can scan again.
    pub fn finish(&mut self) -> ScanReport {
        self.close_file();
        std::mem::take(&mut self.state).into_report(&self.detector)
    }

    fn close_file(&mut self) {
        if let Some(mut reader) = self.reader.take() {
            let (state, detector) = (&mut self.state, &self.detector);
            let summary = reader.finish(&mut |piece| state.take(detector, piece));
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
    seen: HashSet<ContentHash>,
    ids: HashMap<u64, FirstSeen>,
    hits: Vec<Hit>,
    records: u64,
    duplicates: u64,
    error_count: u64,
    errors: Vec<ErrorEntry>,
    warnings: Vec<Warning>,
    warnings_left_out: u64,
}

/// Where a record id was first seen, and with what content.
#[derive(Clone, Copy)]
struct FirstSeen {
    hash: ContentHash,
    file: usize,
    line: u64,
}

#[derive(Default)]
struct FileState {
    report: FileReport,
    bytes: u64,
    kinds: HashSet<RecordKind>,
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
        report.encoding = Some(summary.encoding.as_str());
        report.compressed = summary.compressed.map(|c| c.as_str());
        report.format = format;
    }

    fn take(&mut self, detector: &Detector, piece: Piece<'_>) {
        match piece.body {
            Body::Error(message) => self.error(Some(piece.line), message),
            Body::Json(text) => {
                let record = o365::read_json(text);
                self.record(detector, piece.line, text, record);
            }
            Body::Row(row) => {
                let record = o365::read_row(&row);
                self.record(detector, piece.line, row.text(), record);
            }
        }
    }

    fn record(
        &mut self,
        detector: &Detector,
        line: u64,
        raw: &str,
        read: Result<Record, RecordError>,
    ) {
        let record = match read {
            Ok(record) => record,
            Err(error) => return self.error(Some(line), located(&error, line)),
        };
        let index = self.file.report.records;
        self.file.report.records += 1;
        self.records += 1;
        self.file.kinds.insert(record.kind);
        if self.is_duplicate(&record, line) {
            self.duplicates += 1;
            return;
        }
        let verdict = detector.judge(&record);
        if verdict.hit() {
            let hit = self.hit(detector, &record, verdict, line, index, raw);
            self.hits.push(hit);
        }
    }

    fn hit(
        &self,
        detector: &Detector,
        record: &Record,
        verdict: detect::Verdict,
        line: u64,
        index: u64,
        raw: &str,
    ) -> Hit {
        let facts = Facts::of(record, &detector.view(record));
        Hit {
            file: self.file.report.name.clone(),
            line,
            index,
            query: verdict.query,
            alert_name: verdict.alert_name,
            alert: detector.alert(&record.event, verdict, &facts),
            timestamp: facts.timestamp(),
            millis: facts.time.map(|time| time.millis()),
            user: facts.user,
            alert_id: facts.alert_id,
            event: record.event.clone(),
            raw: raw.to_owned(),
        }
    }

    /// Remembers the record's content; true when it was seen before. An id
    /// seen before with other content is kept, with a warning.
    fn is_duplicate(&mut self, record: &Record, line: u64) -> bool {
        let hash = content_hash(record.content());
        if !self.seen.insert(hash) {
            return true;
        }
        if let Some(id) = record_id(record) {
            self.check_id(&id, hash, line);
        }
        false
    }

    /// Warns when `id` was first seen with other content. Ids are kept as
    /// fingerprints so the index stays small for millions of records.
    fn check_id(&mut self, id: &str, hash: ContentHash, line: u64) {
        let here = FirstSeen {
            hash,
            file: self.files.len(),
            line,
        };
        let first = *self.ids.entry(xxh3_64(id.as_bytes())).or_insert(here);
        if first.hash == hash {
            return;
        }
        let file = match self.files.get(first.file) {
            Some(report) => report.name.as_str(),
            None => self.file.report.name.as_str(),
        };
        let message = format!(
            "id `{id}` was seen before with other content ({file} line {}); \
             both records are kept",
            first.line
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
fn format_name(container: Container, kinds: &HashSet<RecordKind>) -> Option<&'static str> {
    match container {
        Container::Json | Container::Empty | Container::Unrecognized => {}
        known => return Some(known.as_str()),
    }
    let mut names = kinds.iter().map(|kind| kind_format(*kind));
    let first = names.next()?;
    Some(if names.all(|name| name == first) {
        first
    } else {
        "mixed"
    })
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
/// record's own text is moved to its line of the input; a fault inside a
/// cell (`AuditData`) keeps its position within the cell.
fn located(error: &RecordError, first_line: u64) -> String {
    match (error.field(), error.position()) {
        (None, Some(at)) => format!(
            "{} at line {} column {}",
            error.message(),
            first_line + at.line as u64 - 1,
            at.column
        ),
        _ => error.to_string(),
    }
}
