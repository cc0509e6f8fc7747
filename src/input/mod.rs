//! Bytes to pieces: the first stage of every scan.
//!
//! A [`FileReader`] takes the bytes of one file in chunks of any size and
//! hands out [`Piece`]s: each is a record candidate (one JSON value's text,
//! or one CSV data row) or an error, with the 1-based line where it starts.
//! The layer above parses the pieces; this one only finds their boundaries,
//! decodes the text and accounts for every byte.
//!
//! What it does, in order:
//!
//! 1. gzip, recognized by its magic bytes, one member or several;
//! 2. sniffing of the content (never of a name): binary formats that are not
//!    audit exports (zip, which includes .xlsx, old Office files, PDF,
//!    images, other binary data) and plain prose give one error for the
//!    whole file;
//! 3. decoding: UTF-8 with or without a BOM, UTF-16LE and UTF-16BE with or
//!    without a BOM, and lines of a UTF-8 file that are not UTF-8 read as
//!    Windows-1252 (with a warning);
//! 4. splitting: NDJSON (a line holding an array gives its elements, a
//!    line holding several values gives each), pretty-printed values one
//!    after another, top-level arrays, the known containers (an
//!    Elasticsearch search response, also inside an async search's
//!    `response`, Kibana's `rawResponse` or a multi-search's `responses`; a
//!    Graph audit page; the pipeline-test file), and CSV exports with an
//!    `AuditData` column (Purview, current and classic, and PowerShell's
//!    `Export-Csv`).
//!
//! The pieces, their lines and their errors are the same whatever the chunk
//! sizes. Between chunks the reader keeps only the piece in progress, so a
//! container of any size is streamed.
//!
//! # Accounting
//!
//! Structural text (blank lines, CSV headers, repeated headers,
//! PowerShell's `#TYPE` line, a container's envelope, the brackets and
//! commas of an array) is neither a record nor an error. Everything else
//! becomes exactly one [`Body::Json`], [`Body::Row`] or [`Body::Error`].
//! Where damage cannot be separated from what follows (a cut-off array,
//! damaged gzip data), the error says from which line on nothing more
//! could be read.
//!
//! # Limits
//!
//! A piece of up to [`MAX_PIECE`] bytes (64 MiB) is read; a longer one is
//! an error and reading resumes after it.
//!
//! ```
//! use m365_restricted_sender::input::{Body, FileReader};
//!
//! let mut reader = FileReader::new();
//! let mut seen = Vec::new();
//! let mut sink = |piece: m365_restricted_sender::input::Piece<'_>| {
//!     if let Body::Json(text) = piece.body {
//!         seen.push((piece.line, text.to_string()));
//!     }
//! };
//! reader.push(b"{\"Operation\":\"A\"}\n{\"Oper", &mut sink);
//! reader.push(b"ation\":\"B\"}\n", &mut sink);
//! let summary = reader.finish(&mut sink);
//! assert_eq!(seen[1], (2, "{\"Operation\":\"B\"}".to_string()));
//! assert_eq!(summary.bytes, 36);
//! ```

mod cp1252;
mod csv;
mod decode;
mod gzip;
mod json;
mod line_ends;
mod piece;
mod reader;
mod scan;
mod sniff;
mod text;

pub(crate) use json::split_line;
pub use reader::{FileReader, ReaderOptions};

/// The longest piece that is read, in bytes of decoded text: 64 MiB.
///
/// The product promises records of at least 16 MB; the margin keeps a
/// search response page or a large alert record well inside. A longer piece
/// is reported as an error at its first line and skipped, so that one
/// runaway record cannot exhaust the memory of a browser tab.
pub const MAX_PIECE: usize = 64 << 20;

/// One record candidate or one error, with the line where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece<'a> {
    /// The 1-based line of the decoded text where the piece starts: for an
    /// element of an array or container, the line of its first byte (its
    /// opening brace); for a CSV row, the line where the row starts.
    pub line: u64,
    /// The 1-based column, in bytes, of its first byte in that line (1 for
    /// a CSV row and for an error).
    pub column: u64,
    /// What the piece holds.
    pub body: Body<'a>,
    /// The piece is a whole NDJSON line, handed on without looking for
    /// the end of its value: it may hold several values, or be damaged.
    /// Only a reader told to do so hands such pieces on.
    pub(crate) whole_line: bool,
}

/// What a [`Piece`] holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Body<'a> {
    /// One JSON value's exact text, trimmed of surrounding blanks. It is
    /// only structurally delimited: the layer above parses it, and reports a
    /// value that is not an object.
    Json(&'a str),
    /// One CSV data row, its cells unescaped.
    Row(Row<'a>),
    /// A piece that could not be read; the message says what was expected
    /// and where, and ends with the position of the fault.
    Error(String),
}

/// The header of a CSV export: its column names as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    names: Vec<String>,
    audit_data: usize,
}

impl Header {
    /// The column names, in order, as the file spells them.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of a column, compared without regard to ASCII case.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }
}

/// One CSV data row: its cells, read by column name, and its own text.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    header: &'a Header,
    cells: &'a str,
    ends: &'a [usize],
    text: &'a str,
    audit_data: usize,
}

impl<'a> Row<'a> {
    /// The cell of a column (case-insensitive), if the row has that cell.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        self.header.position(column).and_then(|i| self.cell(i))
    }

    /// The `AuditData` cell: the raw record.
    ///
    /// When the row has more or fewer cells than the header, this is the
    /// cell that was recognized as the record (see the crate's CSV rules),
    /// which may sit at another index than the header's column.
    pub fn audit_data(&self) -> &'a str {
        self.cell(self.audit_data).unwrap_or("")
    }

    /// The cell at an index.
    pub fn cell(&self, index: usize) -> Option<&'a str> {
        csv::cell_at(self.cells, self.ends, index)
    }

    /// How many cells the row has (which may differ from the header).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cells (never true for a row handed out).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cells with their column names; cells beyond the header's
    /// columns are left out.
    pub fn cells(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        let names = self.header.names.iter();
        names
            .enumerate()
            .filter_map(|(i, name)| Some((name.as_str(), self.cell(i)?)))
    }

    /// The row's header.
    pub fn header(&self) -> &'a Header {
        self.header
    }

    /// The row's own text, as in the file (decoded), without its line
    /// terminator.
    pub fn text(&self) -> &'a str {
        self.text
    }
}

/// What a whole file turned out to be, once it has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Bytes given, as given (compressed when the file is compressed).
    pub bytes: u64,
    /// SHA-256 of the bytes as given, lowercase hexadecimal; `None` when
    /// [`ReaderOptions::sha256`] turned it off.
    pub sha256: Option<String>,
    /// The text encoding; `None` for binary data that was never decoded.
    pub encoding: Option<Encoding>,
    /// The compression, if any.
    pub compressed: Option<Compression>,
    /// The shape of the content.
    pub container: Container,
    /// Things the user should know that are not errors of a piece.
    pub warnings: Vec<Warning>,
}

/// A text encoding the reader decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a BOM (also plain ASCII).
    Utf8,
    /// UTF-16, little-endian, with or without a BOM.
    Utf16Le,
    /// UTF-16, big-endian, with or without a BOM.
    Utf16Be,
    /// A UTF-8 file of which some lines were read as Windows-1252.
    Windows1252,
}

impl Encoding {
    /// The name the report uses: `utf-8`, `utf-16le`, `utf-16be` or
    /// `windows-1252`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

/// A compression the reader undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip, one member or several one after another.
    Gzip,
}

impl Compression {
    /// The name the report uses: `gzip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
        }
    }
}

/// The shape of a file's content. For JSON, the first known container
/// found names the file, even when other values follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// No content at all, or only blank lines.
    Empty,
    /// JSON values: NDJSON, a top-level array, or values one after another.
    Json,
    /// An Elasticsearch search response: the records are `hits.hits[]`, at
    /// the top or in `response` (an async search), `rawResponse` (Kibana's
    /// search strategy) or each element of `responses` (a multi-search).
    EsResponse,
    /// A Microsoft Graph audit page: the records are `value[]`.
    Graph,
    /// Elastic's pipeline-test file: the records are `events[]`.
    PipelineTest,
    /// Purview's current CSV export (it has a `RecordId` column), or
    /// another CSV with an `AuditData` column and no sign of the other two.
    PurviewCsv,
    /// Purview's classic export: `CreationDate,UserIds,Operations,AuditData`.
    PurviewCsvClassic,
    /// PowerShell's `Export-Csv` of `Search-UnifiedAuditLog` (a `#TYPE` line,
    /// or columns such as `ResultIndex`, `Identity`, `ObjectState`).
    PowershellCsv,
    /// Nothing that is read: binary data, prose, a CSV without `AuditData`.
    Unrecognized,
}

impl Container {
    /// A short name: `empty`, `json`, `es-response`, `graph`,
    /// `pipeline-test`, `purview-csv`, `purview-csv-classic`,
    /// `powershell-csv` or `unrecognized`.
    pub fn as_str(self) -> &'static str {
        match self {
            Container::Empty => "empty",
            Container::Json => "json",
            Container::EsResponse => "es-response",
            Container::Graph => "graph",
            Container::PipelineTest => "pipeline-test",
            Container::PurviewCsv => "purview-csv",
            Container::PurviewCsvClassic => "purview-csv-classic",
            Container::PowershellCsv => "powershell-csv",
            Container::Unrecognized => "unrecognized",
        }
    }
}

/// Something about a file that is worth saying but is not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The line it concerns, if one.
    pub line: Option<u64>,
    /// What happened, lowercase, position at the end.
    pub message: String,
}
