//! What the splitters keep between chunks: the piece in progress, and the
//! line count.

use memchr::{memchr_iter, memrchr};

use super::{Body, Piece};

/// Where pieces go.
pub(crate) type Sink<'s> = dyn FnMut(Piece<'_>) + 's;

/// How a file's text is cut into pieces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cut {
    /// The longest piece, in bytes.
    pub(crate) cap: usize,
    /// Whether an NDJSON line that starts with `{` is handed on whole, as
    /// one piece marked [`Piece::whole_line`], without looking for the
    /// end of its value: the caller checks that it holds one record as it
    /// reads it, and cuts it with [`split_line`](super::split_line) when
    /// it does not.
    pub(crate) whole_lines: bool,
}

/// The piece in progress. Its text is copied only when it spans chunks;
/// a piece that starts and ends in one chunk is handed out from the chunk.
#[derive(Default)]
pub(crate) struct Partial {
    open: bool,
    /// Start within the current chunk; `None` once carried over.
    from: Option<usize>,
    /// The text carried over from earlier chunks.
    carried: String,
    /// Bytes so far in earlier chunks (also when too long to keep).
    carried_len: usize,
    too_long: bool,
    /// The line of the piece's first byte.
    pub(crate) line: u64,
    /// The 1-based column of the piece's first byte.
    pub(crate) column: u64,
}

impl Partial {
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    pub(crate) fn begin(&mut self, at: usize, line: u64, column: u64) {
        self.open = true;
        self.from = Some(at);
        self.line = line;
        self.column = column;
    }

    /// Forgets the piece in progress (it turned out to be structural).
    pub(crate) fn discard(&mut self) {
        self.open = false;
        self.from = None;
        self.carried.clear();
        self.carried_len = 0;
        self.too_long = false;
    }

    /// Ends the piece before `end` in `chunk` and hands out its text, or
    /// its length when it is longer than `cap`.
    pub(crate) fn end<'a>(
        &'a mut self,
        chunk: &'a str,
        end: usize,
        cap: usize,
    ) -> Result<&'a str, usize> {
        self.open = false;
        let from = self.from.take();
        let start = from.unwrap_or(0);
        let len = self.carried_len + end.saturating_sub(start);
        self.carried_len = 0;
        if len > cap || self.too_long {
            self.too_long = false;
            self.carried.clear();
            return Err(len);
        }
        let tail = chunk.get(start..end).unwrap_or("");
        if self.carried.is_empty() {
            return Ok(tail);
        }
        self.carried.push_str(tail);
        Ok(&self.carried)
    }

    /// Opens again a piece that was ended early, with its text so far,
    /// going on from `at` in the current chunk.
    pub(crate) fn reopen(&mut self, text: String, at: usize) {
        self.open = true;
        self.from = Some(at);
        self.carried_len = text.len();
        self.carried = text;
    }

    /// Empties the carried text once the piece it held was handed out.
    pub(crate) fn clear_carried(&mut self) {
        self.carried.clear();
    }

    /// Keeps the rest of the chunk when a piece is in progress at its end.
    pub(crate) fn carry(&mut self, chunk: &str, cap: usize) {
        if !self.open {
            return;
        }
        let start = self.from.take().unwrap_or(0);
        let tail = chunk.get(start..).unwrap_or("");
        self.carried_len += tail.len();
        if self.carried_len > cap {
            self.too_long = true;
            self.carried = String::new();
        } else if !self.too_long {
            self.carried.push_str(tail);
        }
    }
}

/// The line count of the text read so far, advanced lazily within a chunk,
/// and where the current line starts, for columns.
pub(crate) struct Lines {
    /// The line of the byte at `offset`.
    pub(crate) line: u64,
    /// How far into the current chunk newlines have been counted.
    offset: usize,
    /// Bytes of the text before the current chunk.
    chunk_start: u64,
    /// Where the line of the byte at `offset` starts in the text.
    line_start: u64,
}

impl Default for Lines {
    fn default() -> Lines {
        Lines {
            line: 1,
            offset: 0,
            chunk_start: 0,
            line_start: 0,
        }
    }
}

impl Lines {
    /// The count for text that starts at `line` and 1-based `column`.
    pub(crate) fn starting_at(line: u64, column: u64) -> Lines {
        Lines {
            line,
            chunk_start: column.saturating_sub(1),
            ..Lines::default()
        }
    }

    /// The line of the byte at `at` in `chunk`; `at` never goes back.
    pub(crate) fn at(&mut self, chunk: &[u8], at: usize) -> u64 {
        if at > self.offset {
            let span = chunk.get(self.offset..at).unwrap_or(&[]);
            if let Some(last) = memrchr(b'\n', span) {
                self.line += memchr_iter(b'\n', span).count() as u64;
                self.line_start = self.chunk_start + (self.offset + last + 1) as u64;
            }
            self.offset = at;
        }
        self.line
    }

    /// The 0-based column, in bytes, of the byte at `at` in its line.
    pub(crate) fn column(&mut self, chunk: &[u8], at: usize) -> u64 {
        self.at(chunk, at);
        (self.chunk_start + at as u64).saturating_sub(self.line_start)
    }

    /// Records a newline at `at`, found by the caller.
    pub(crate) fn newline_at(&mut self, at: usize) {
        self.line += 1;
        self.offset = at + 1;
        self.line_start = self.chunk_start + self.offset as u64;
    }

    /// Counts `count` bytes of the current line between chunks, as if a
    /// chunk of them without a newline had come.
    pub(crate) fn skip_columns(&mut self, count: u64) {
        self.chunk_start += count;
    }

    /// Counts to the end of the chunk, ready for the next one.
    pub(crate) fn end_chunk(&mut self, chunk: &[u8]) {
        self.at(chunk, chunk.len());
        self.chunk_start += chunk.len() as u64;
        self.offset = 0;
    }
}

/// Hands out an error piece.
pub(crate) fn error(sink: &mut Sink<'_>, line: u64, message: String) {
    sink(Piece {
        line,
        column: 1,
        body: Body::Error(message),
        whole_line: false,
    });
}

/// The shortest run of NULs taken for a zero-filled block rather than
/// stray bytes: binary data often starts with a few NULs, and a record
/// may hold one.
pub(crate) const MIN_NUL_RUN: usize = 16;

/// A run of NUL characters where a record or a line should start: a
/// zero-filled block, as a crash leaves in a file that was being written.
/// It is one error of its own, and what follows it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NulRun {
    pub(crate) line: u64,
    /// 1-based, in bytes.
    pub(crate) column: u64,
    pub(crate) count: u64,
}

impl NulRun {
    pub(crate) fn starting_at(line: u64, column: u64) -> NulRun {
        NulRun {
            line,
            column,
            count: 0,
        }
    }

    /// Adds the NULs at the start of `bytes` to the run; how many.
    pub(crate) fn take_leading(&mut self, bytes: &[u8]) -> usize {
        let count = bytes.iter().take_while(|&&b| b == 0).count();
        self.count += count as u64;
        count
    }

    /// Whether the run is long enough to be a zero-filled block.
    pub(crate) fn is_block(&self) -> bool {
        self.count >= MIN_NUL_RUN as u64
    }

    /// Hands out the error for the run.
    pub(crate) fn report(self, sink: &mut Sink<'_>) {
        let NulRun {
            line,
            column,
            count,
        } = self;
        let what = match count {
            1 => "a NUL character".to_string(),
            _ => format!("a run of {count} NUL characters"),
        };
        let why = match self.is_block() {
            true => ", a zero-filled block such as a crash leaves in a file being written,",
            false => "",
        };
        let message = format!("{what} skipped{why} at line {line} column {column}");
        error(sink, line, message);
    }
}

/// The error for a piece longer than the cap.
pub(crate) fn too_long(len: usize, cap: usize, line: u64) -> String {
    format!(
        "record of {len} bytes is longer than the limit of {} bytes; \
         skipped at line {line}",
        cap
    )
}

/// The end of every message about input that could not be read further.
pub(crate) fn from_line(line: u64) -> String {
    format!(": nothing more could be read from line {line} on")
}
