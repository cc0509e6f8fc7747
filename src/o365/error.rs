//! Why a record candidate could not be read.

use std::fmt;

/// A record candidate that is not a record: what went wrong and where.
///
/// The position is relative to the candidate's own text (line 1 is its
/// first line), or to the JSON text inside a cell such as `AuditData`; the
/// caller knows on which line of the input the candidate starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    kind: RecordErrorKind,
    message: String,
    field: Option<&'static str>,
    position: Option<Position>,
}

/// The sort of fault, for callers that react to some of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// the text is not JSON
    Syntax,
    /// arrays and objects nest deeper than [`super::MAX_DEPTH`] levels
    DepthExceeded,
    /// valid JSON, but not an object
    NotAnObject,
    /// a wrapper whose record is missing, empty or of the wrong type
    Wrapper,
}

/// A 1-based line and column; the column counts bytes, as serde_json does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl RecordError {
    pub(crate) fn new(
        kind: RecordErrorKind,
        message: impl Into<String>,
        position: Option<Position>,
    ) -> RecordError {
        RecordError {
            kind,
            message: message.into(),
            field: None,
            position,
        }
    }

    /// The same fault, found in the JSON text held by `field`.
    pub(crate) fn inside(mut self, field: &'static str) -> RecordError {
        self.field = Some(field);
        self
    }

    pub fn kind(&self) -> RecordErrorKind {
        self.kind
    }

    /// What was expected or found, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The field whose JSON text held the fault (`AuditData`, `auditData`),
    /// when it was not the candidate's own text.
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    pub fn position(&self) -> Option<Position> {
        self.position
    }
}

/// "expected `,` or `}` in `AuditData` at line 2 column 14".
impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(field) = self.field {
            write!(f, " in `{field}`")?;
        }
        if let Some(Position { line, column }) = self.position {
            write!(f, " at line {line} column {column}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RecordError {}
