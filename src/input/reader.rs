//! The reader of one file: hashing, gzip, sniffing, decoding, splitting.

use sha2::{Digest, Sha256};

use super::decode::{Decoder, Mark, Utf16, Utf8Lines};
use super::gzip::{self, Gunzip};
use super::line_ends::LineEnds;
use super::piece::{error, from_line, Cut, Sink};
use super::sniff::{sniff_bytes, Sniffed, MAX_NUL_RUN, SNIFF_LEN};
use super::text::Splitter;
use super::MAX_PIECE;
use super::{Compression, Encoding, FileSummary, Piece, Warning};

/// Reads one file, pushed in chunks of any size, into [`Piece`]s.
///
/// Call [`push`](FileReader::push) for each chunk and
/// [`finish`](FileReader::finish) once at the end; pieces go to the sink as
/// soon as they are complete, borrowed for the duration of the call. The
/// pieces, their lines and their errors do not depend on where the chunks
/// were cut.
pub struct FileReader {
    bytes: u64,
    hasher: Option<Sha256>,
    /// The first bytes, until the gzip magic can be judged.
    head: Vec<u8>,
    started: bool,
    gzip: Option<Gunzip>,
    text: TextStage,
}

/// How a [`FileReader`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderOptions {
    /// The longest piece read, in bytes of decoded text; a longer one is
    /// an error. [`MAX_PIECE`] by default; lower it for hosts with little
    /// memory.
    pub piece_limit: usize,
    /// Whether to compute the file's SHA-256 (on by default).
    ///
    /// NOTE: hashing is the costliest step of reading NDJSON: about
    /// 1.5 GB/s natively with the CPU's SHA instructions, several times
    /// slower in WebAssembly, which has none. A host that does not show the
    /// hash, or hashes elsewhere, turns it off.
    pub sha256: bool,
}

impl Default for ReaderOptions {
    fn default() -> ReaderOptions {
        ReaderOptions {
            piece_limit: MAX_PIECE,
            sha256: true,
        }
    }
}

/// Decompressed bytes to pieces.
struct TextStage {
    /// The first bytes, until the encoding can be judged.
    sniff: Vec<u8>,
    /// How many of them are a leading run of NUL bytes, which the sniff
    /// looks past (see [`MAX_NUL_RUN`]).
    leading_nuls: usize,
    sniffed: bool,
    decoder: Option<Decoder>,
    line_ends: LineEnds,
    encoding: Encoding,
    splitter: Splitter,
    first: FirstLines,
    cut: Cut,
}

/// Where the decoder first guessed or replaced, for the warnings.
#[derive(Default)]
struct FirstLines {
    /// The line of the first line read as Windows-1252.
    fallback: Option<u64>,
    /// The line of the first unpaired UTF-16 surrogate.
    replaced: Option<u64>,
}

impl FirstLines {
    /// Notes the line of the first stretch of a kind worth a warning.
    fn note(&mut self, mark: Mark, line: u64) {
        match mark {
            Mark::Plain => {}
            Mark::Fallback => {
                self.fallback.get_or_insert(line);
            }
            Mark::Replaced => {
                self.replaced.get_or_insert(line);
            }
        }
    }
}

impl Default for FileReader {
    fn default() -> FileReader {
        FileReader::new()
    }
}

impl FileReader {
    /// A reader for one file, with the default options.
    pub fn new() -> FileReader {
        FileReader::with_options(ReaderOptions::default())
    }

    /// A reader with other limits, or without the file's SHA-256.
    pub fn with_options(options: ReaderOptions) -> FileReader {
        FileReader {
            bytes: 0,
            hasher: options.sha256.then(Sha256::new),
            head: Vec::new(),
            started: false,
            gzip: None,
            text: TextStage::new(Cut {
                cap: options.piece_limit,
                whole_lines: false,
            }),
        }
    }

    /// Hands on each NDJSON line that starts with `{` whole, unchecked
    /// (see [`Piece::whole_line`]), for a caller that checks it anyway as
    /// it reads it.
    pub(crate) fn with_whole_lines(mut self) -> FileReader {
        self.text.cut.whole_lines = true;
        self
    }

    /// Reads the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8], sink: &mut dyn FnMut(Piece<'_>)) {
        self.bytes += chunk.len() as u64;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(chunk);
        }
        if self.is_rejected() {
            return;
        }
        if self.started {
            return self.route(chunk, sink);
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() >= gzip::MAGIC.len() {
            self.start(sink);
        }
    }

    /// Whether the file was rejected as a whole (binary data, prose, a CSV
    /// without `AuditData`): one error said so, and nothing more of it is
    /// read. Its later chunks are only counted and hashed, so a caller may
    /// stop reading it, which ends the reading of an endless stream.
    pub fn is_rejected(&self) -> bool {
        self.text.is_rejected()
    }

    /// Reads what is left and says what the file was.
    pub fn finish(&mut self, sink: &mut dyn FnMut(Piece<'_>)) -> FileSummary {
        if !self.started {
            self.start(sink);
        }
        if let Some(gunzip) = &mut self.gzip {
            let text = &mut self.text;
            let done = gunzip.finish(&mut |bytes| text.push(bytes, sink));
            if let Err(reason) = done {
                text.cut(&reason, sink);
            }
        }
        self.text.finish(sink);
        self.summary()
    }

    fn start(&mut self, sink: &mut Sink<'_>) {
        self.started = true;
        if self.head.starts_with(&gzip::MAGIC) {
            self.gzip = Some(Gunzip::new());
        }
        let head = std::mem::take(&mut self.head);
        self.route(&head, sink);
    }

    fn route(&mut self, bytes: &[u8], sink: &mut Sink<'_>) {
        let text = &mut self.text;
        let Some(gunzip) = &mut self.gzip else {
            return text.push(bytes, sink);
        };
        if let Err(reason) = gunzip.push(bytes, &mut |out| text.push(out, sink)) {
            text.cut(&reason, sink);
        }
    }

    fn summary(&mut self) -> FileSummary {
        let sha256 = self.hasher.take().map(|hasher| {
            let digest = hasher.finalize();
            digest.iter().map(|b| format!("{b:02x}")).collect()
        });
        FileSummary {
            bytes: self.bytes,
            sha256,
            encoding: self.text.encoding(),
            compressed: self.gzip.as_ref().map(|_| Compression::Gzip),
            container: self.text.splitter.container(),
            warnings: self.warnings(),
        }
    }

    fn warnings(&self) -> Vec<Warning> {
        let mut warnings = self.text.warnings();
        if let Some(padding) = self.gzip.as_ref().map(Gunzip::padding).filter(|&p| p > 0) {
            warnings.push(Warning {
                line: None,
                message: format!("{padding} zero bytes after the gzip data ignored"),
            });
        }
        warnings
    }
}

impl TextStage {
    fn new(cut: Cut) -> TextStage {
        TextStage {
            sniff: Vec::new(),
            leading_nuls: 0,
            sniffed: false,
            decoder: None,
            line_ends: LineEnds::default(),
            encoding: Encoding::Utf8,
            splitter: Splitter::new(),
            first: FirstLines::default(),
            cut,
        }
    }

    fn is_rejected(&self) -> bool {
        matches!(self.splitter, Splitter::Rejected)
    }

    fn push(&mut self, bytes: &[u8], sink: &mut Sink<'_>) {
        if self.sniffed {
            return self.decode(bytes, sink);
        }
        self.count_leading_nuls(bytes);
        self.sniff.extend_from_slice(bytes);
        if self.sniff.len() >= self.leading_nuls + SNIFF_LEN {
            self.start(sink);
        }
    }

    /// Counts the NUL bytes `bytes` adds to a run that starts the file.
    fn count_leading_nuls(&mut self, bytes: &[u8]) {
        if self.leading_nuls == self.sniff.len() {
            let more = bytes.iter().take_while(|&&b| b == 0).count();
            self.leading_nuls = (self.leading_nuls + more).min(MAX_NUL_RUN);
        }
    }

    fn finish(&mut self, sink: &mut Sink<'_>) {
        if !self.sniffed {
            self.start(sink);
        }
        self.flush(sink);
        self.splitter.finish(self.cut, sink);
    }

    /// Ends reading because the bytes stopped coming (damaged gzip): what
    /// was decoded is read, and one error covers the rest.
    fn cut(&mut self, reason: &str, sink: &mut Sink<'_>) {
        if !self.sniffed {
            self.start(sink);
        }
        self.flush(sink);
        self.splitter.cut(reason, self.cut, sink);
        if let Splitter::Prelude(_) = self.splitter {
            let line = self.splitter.next_line();
            error(sink, line, format!("{reason}{}", from_line(line)));
            self.splitter = Splitter::Rejected;
        }
    }

    /// Decodes what the decoder still holds.
    fn flush(&mut self, sink: &mut Sink<'_>) {
        let TextStage {
            decoder,
            line_ends,
            splitter,
            first,
            cut,
            ..
        } = self;
        let Some(decoder) = decoder else {
            return;
        };
        decoder.finish(&mut |text, mark| {
            pass_on(text, mark, splitter, line_ends, first, *cut, sink);
        });
        line_ends.finish(&mut |text| splitter.push(text, *cut, sink));
    }

    /// Judges the first bytes and starts decoding.
    fn start(&mut self, sink: &mut Sink<'_>) {
        self.sniffed = true;
        let head = std::mem::take(&mut self.sniff);
        // NOTE: only the first bytes are judged, however many arrived at
        // once, so the verdict does not depend on the chunk sizes.
        let first = head.get(..self.leading_nuls + SNIFF_LEN).unwrap_or(&head);
        let (encoding, bom) = match sniff_bytes(first) {
            Sniffed::Text { encoding, bom } => (encoding, bom),
            Sniffed::Rejected(message) => {
                error(sink, 1, message);
                self.splitter = Splitter::Rejected;
                return;
            }
        };
        self.encoding = encoding;
        self.decoder = Some(match encoding {
            Encoding::Utf16Le => Decoder::Utf16(Utf16::new(false)),
            Encoding::Utf16Be => Decoder::Utf16(Utf16::new(true)),
            _ => Decoder::Utf8(Utf8Lines::default()),
        });
        self.decode(head.get(bom..).unwrap_or_default(), sink);
    }

    fn decode(&mut self, bytes: &[u8], sink: &mut Sink<'_>) {
        let TextStage {
            decoder,
            line_ends,
            splitter,
            first,
            cut,
            ..
        } = self;
        let Some(decoder) = decoder else {
            return;
        };
        decoder.push(bytes, &mut |text, mark| {
            pass_on(text, mark, splitter, line_ends, first, *cut, sink);
        });
    }

    fn fallback_lines(&self) -> u64 {
        match &self.decoder {
            Some(Decoder::Utf8(d)) => d.fallback_lines,
            _ => 0,
        }
    }

    /// `None` when the bytes were rejected before any of them was decoded
    /// (a zip, an image): such a file has no text encoding to speak of.
    /// A file rejected later is given the encoding it was sniffed as.
    fn encoding(&self) -> Option<Encoding> {
        if self.is_rejected() {
            return self.decoder.as_ref().map(|_| self.encoding);
        }
        Some(match self.fallback_lines() {
            0 => self.encoding,
            _ => Encoding::Windows1252,
        })
    }

    /// What the decoder replaced or guessed; nothing for a rejected file.
    ///
    /// NOTE: once a file is rejected its later chunks are not decoded,
    /// while the rest of a chunk that was already being decoded is; what
    /// that rest held would otherwise count or not with the chunk sizes.
    fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.is_rejected() {
            return warnings;
        }
        if let Some(line) = self.first.fallback {
            let count = self.fallback_lines();
            let lines = if count == 1 { "line" } else { "lines" };
            warnings.push(Warning {
                line: Some(line),
                message: format!(
                    "{count} {lines} not UTF-8, read as Windows-1252, \
                     the first at line {line}"
                ),
            });
        }
        if let (Some(line), Some(Decoder::Utf16(d))) = (self.first.replaced, &self.decoder) {
            let count = d.replaced;
            let sequences = if count == 1 { "sequence" } else { "sequences" };
            warnings.push(Warning {
                line: Some(line),
                message: format!(
                    "{count} invalid UTF-16 {sequences} replaced with `U+FFFD`, \
                     the first at line {line}"
                ),
            });
        }
        warnings
    }
}

/// Hands decoded text on to the splitter, noting where the decoder
/// guessed or replaced.
///
/// NOTE: never inlined: the decoders emit text from many places, and a
/// copy of this behind each of them once added 45 KB to the wasm module.
#[inline(never)]
fn pass_on(
    text: &str,
    mark: Mark,
    splitter: &mut Splitter,
    line_ends: &mut LineEnds,
    first: &mut FirstLines,
    cut: Cut,
    sink: &mut Sink<'_>,
) {
    let line = splitter.next_line() + u64::from(line_ends.holds_break_before(text));
    first.note(mark, line);
    line_ends.feed(text, &mut |text| splitter.push(text, cut, sink));
}
