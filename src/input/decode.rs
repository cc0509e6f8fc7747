//! Bytes to text: UTF-8 (with Windows-1252 lines) and UTF-16.
//!
//! Each decoder takes bytes in chunks of any size and hands out UTF-8 text
//! that is the same whatever the chunking, keeping between chunks only what
//! it must: a character cut in two, and for UTF-8 the rest of a line that
//! may still turn out to be Windows-1252.

use memchr::{memchr2, memrchr2};

use super::cp1252;
use super::piece::MIN_NUL_RUN;

/// How far into a line, from its first non-ASCII byte, the UTF-8 decoder
/// waits to judge the whole line. A longer line that is not UTF-8 is
/// decoded character by character instead: valid sequences as UTF-8, the
/// other bytes as Windows-1252. This bounds what is held for a file whose
/// one line is a whole JSON array.
pub(crate) const HOLD: usize = 1 << 20;

/// U+FEFF, the byte order mark, in UTF-8.
const UTF8_BOM: &[u8] = "\u{FEFF}".as_bytes();

/// What a stretch of decoded text is, for the warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Ordinary text.
    Plain,
    /// The text starts a line read as Windows-1252 (or its first byte that
    /// was not UTF-8, for a line decoded character by character).
    Fallback,
    /// The text holds the file's first unpaired UTF-16 surrogate.
    Replaced,
}

/// Where decoded text goes: the text and what it is.
pub(crate) type Emit<'e> = dyn FnMut(&str, Mark) + 'e;

/// A decoder for one of the encodings the reader accepts.
pub(crate) enum Decoder {
    Utf8(Utf8Lines),
    Utf16(Utf16),
}

impl Decoder {
    pub(crate) fn push(&mut self, bytes: &[u8], emit: &mut Emit<'_>) {
        match self {
            Decoder::Utf8(d) => d.push(bytes, emit),
            Decoder::Utf16(d) => d.push(bytes, emit),
        }
    }

    pub(crate) fn finish(&mut self, emit: &mut Emit<'_>) {
        match self {
            Decoder::Utf8(d) => d.finish(emit),
            Decoder::Utf16(d) => d.finish(emit),
        }
    }
}

/// UTF-8, where a line that is not valid UTF-8 is read as Windows-1252
/// (a line ends at a line feed or a carriage return: see [`line_end`]).
///
/// Valid text passes through without a copy. Only the end of a chunk's last
/// line, from its first non-ASCII byte on, is held until the line ends,
/// since a later byte of the same line may make the whole line
/// Windows-1252.
#[derive(Default)]
pub(crate) struct Utf8Lines {
    /// The current line from its first non-ASCII byte; in per-character
    /// mode only a sequence cut by the chunk's end.
    held: Vec<u8>,
    /// The current line is longer than [`HOLD`] and is decoded per
    /// character.
    per_char: bool,
    /// The current line (in per-character mode) was already counted.
    counted: bool,
    scratch: String,
    /// How many lines were read as Windows-1252.
    pub(crate) fallback_lines: u64,
}

impl Utf8Lines {
    fn push(&mut self, bytes: &[u8], emit: &mut Emit<'_>) {
        let rest = match self.per_char || !self.held.is_empty() {
            true => self.continue_line(bytes, emit),
            false => bytes,
        };
        self.fast(rest, emit);
    }

    fn finish(&mut self, emit: &mut Emit<'_>) {
        let held = std::mem::take(&mut self.held);
        if self.per_char {
            self.per_char_line(&held, true, emit);
        } else if !held.is_empty() {
            self.judge_line(&held, emit);
        }
    }

    /// Decodes whole valid stretches at once and stops at each line that
    /// is not UTF-8.
    fn fast(&mut self, mut rest: &[u8], emit: &mut Emit<'_>) {
        loop {
            let bad = match std::str::from_utf8(rest) {
                Ok(text) => return self.valid_tail(text, emit),
                Err(e) => e.valid_up_to(),
            };
            let line_start = last_line_end(&rest[..bad]).map_or(0, |i| i + 1);
            emit_valid(&rest[..line_start], emit);
            let Some(k) = line_end(&rest[bad..]) else {
                let tail = &rest[line_start..];
                let first = first_non_ascii(tail).unwrap_or(0);
                emit_valid(&tail[..first], emit);
                self.continue_line(&tail[first..], emit);
                return;
            };
            let end = bad + k + 1;
            self.judge_line(&rest[line_start..end], emit);
            rest = &rest[end..];
        }
    }

    /// Emits valid text, holding the last line from its first non-ASCII
    /// byte on.
    fn valid_tail(&mut self, text: &str, emit: &mut Emit<'_>) {
        let bytes = text.as_bytes();
        let tail = last_line_end(bytes).map_or(0, |i| i + 1);
        match first_non_ascii(&bytes[tail..]) {
            None => emit_str(text, Mark::Plain, emit),
            Some(k) => {
                emit_valid(&bytes[..tail + k], emit);
                self.continue_line(&bytes[tail + k..], emit);
            }
        }
    }

    /// Carries on with a line whose start is held (or decoded per
    /// character); returns what follows the line.
    fn continue_line<'b>(&mut self, bytes: &'b [u8], emit: &mut Emit<'_>) -> &'b [u8] {
        let (line, rest, ends) = match line_end(bytes) {
            Some(i) => (&bytes[..=i], &bytes[i + 1..], true),
            None => (bytes, &bytes[bytes.len()..], false),
        };
        if self.per_char {
            self.per_char_line(line, ends, emit);
        } else if ends {
            let mut held = std::mem::take(&mut self.held);
            held.extend_from_slice(line);
            self.judge_line(&held, emit);
            held.clear();
            self.held = held;
        } else {
            self.held.extend_from_slice(line);
            if self.held.len() > HOLD {
                let held = std::mem::take(&mut self.held);
                self.per_char = true;
                self.per_char_line(&held, false, emit);
            }
        }
        rest
    }

    /// Decodes a complete line (from its first non-ASCII byte at the
    /// latest): as UTF-8 when it is valid, else as Windows-1252.
    fn judge_line(&mut self, line: &[u8], emit: &mut Emit<'_>) {
        if let Ok(text) = std::str::from_utf8(line) {
            return emit_str(text, Mark::Plain, emit);
        }
        // NOTE: the line's ASCII start reads the same either way; passed on
        // first, it puts the warning at the line's first non-ASCII byte,
        // where a line that arrived in chunks starts being held.
        let first = first_non_ascii(line).unwrap_or(0);
        let (ascii, rest) = line.split_at(first);
        emit_valid(ascii, emit);
        if rest.len() > HOLD {
            self.per_char = true;
            let ends = ends_line(rest);
            return self.per_char_line(rest, ends, emit);
        }
        self.fallback_lines += 1;
        self.scratch.clear();
        decode_1252_keeping_boms(rest, &mut self.scratch);
        emit(&self.scratch, Mark::Fallback);
    }

    /// Decodes part of a long line character by character; `ends` says
    /// that the part ends the line (or the input).
    fn per_char_line(&mut self, part: &[u8], ends: bool, emit: &mut Emit<'_>) {
        let mut data = std::mem::take(&mut self.held);
        data.extend_from_slice(part);
        let mut rest = &data[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    emit_str(text, Mark::Plain, emit);
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    emit_valid(valid, emit);
                    let len = match e.error_len() {
                        Some(len) => len,
                        None if ends => after.len(),
                        None => {
                            self.held.extend_from_slice(after);
                            break;
                        }
                    };
                    self.per_char_invalid(&after[..len], emit);
                    rest = &after[len..];
                }
            }
        }
        if ends {
            self.per_char = false;
            self.counted = false;
        }
    }

    fn per_char_invalid(&mut self, bytes: &[u8], emit: &mut Emit<'_>) {
        let mark = match self.counted {
            true => Mark::Plain,
            false => Mark::Fallback,
        };
        if !self.counted {
            self.counted = true;
            self.fallback_lines += 1;
        }
        self.scratch.clear();
        cp1252::decode_into(bytes, &mut self.scratch);
        emit(&self.scratch, mark);
    }
}

/// Decodes a line as Windows-1252, but for each UTF-8 byte order mark in
/// it: files joined with `cat` keep each one's mark, at the start of a
/// line or right after a record, and read as `ï»¿` it would spoil the
/// record after it.
fn decode_1252_keeping_boms(bytes: &[u8], out: &mut String) {
    let mut rest = bytes;
    while let Some(k) = rest.windows(UTF8_BOM.len()).position(|w| w == UTF8_BOM) {
        cp1252::decode_into(&rest[..k], out);
        out.push('\u{FEFF}');
        rest = &rest[k + UTF8_BOM.len()..];
    }
    cp1252::decode_into(rest, out);
}

/// Where the first line of `bytes` ends: at a line feed or a carriage
/// return, since files with either alone are read (see `LineEnds`); a
/// CRLF is then a line and an empty one, which decodes the same.
fn line_end(bytes: &[u8]) -> Option<usize> {
    memchr2(b'\n', b'\r', bytes)
}

/// Where the last line that `bytes` ends does.
fn last_line_end(bytes: &[u8]) -> Option<usize> {
    memrchr2(b'\n', b'\r', bytes)
}

fn ends_line(bytes: &[u8]) -> bool {
    matches!(bytes.last(), Some(b'\n' | b'\r'))
}

fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    match bytes.is_ascii() {
        true => None,
        false => bytes.iter().position(|b| !b.is_ascii()),
    }
}

/// Emits bytes already known to be valid UTF-8.
fn emit_valid(bytes: &[u8], emit: &mut Emit<'_>) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        emit_str(text, Mark::Plain, emit);
    }
}

/// Whether a unit is a line break, a blank, a quote or a bracket with its
/// bytes shifted by one.
fn is_shifted(unit: u16) -> bool {
    let [high, low] = unit.to_be_bytes();
    low == 0 && matches!(high, b'{' | b'[' | b'"' | b'\n' | b'\r' | b' ' | b'\t')
}

fn emit_str(text: &str, mark: Mark, emit: &mut Emit<'_>) {
    if !text.is_empty() {
        emit(text, mark);
    }
}

/// UTF-16 in either byte order; an unpaired surrogate becomes U+FFFD.
///
/// NOTE: a zero-filled block of an odd number of bytes (rare: blocks are
/// even) would shift every unit after it by a byte. After a block, a unit
/// that reads as a line break, a space, a quote or a bracket shifted by a
/// byte (U+0A00, U+7B00...) is taken for one, and the units are paired
/// again a byte on.
// TODO: text after an odd block that starts otherwise (a CSV row's digits)
// is still read shifted: its shifted units are common CJK characters.
pub(crate) struct Utf16 {
    big_endian: bool,
    /// A byte of a code unit cut by the chunk's end.
    odd: Option<u8>,
    /// Zero units in a row just before.
    zeros: usize,
    /// A high surrogate cut from its low half by the chunk's end.
    high: Option<u16>,
    out: String,
    /// How many unpaired surrogates (or a lone last byte) were replaced.
    pub(crate) replaced: u64,
}

impl Utf16 {
    pub(crate) fn new(big_endian: bool) -> Utf16 {
        Utf16 {
            big_endian,
            odd: None,
            zeros: 0,
            high: None,
            out: String::new(),
            replaced: 0,
        }
    }

    fn push(&mut self, bytes: &[u8], emit: &mut Emit<'_>) {
        let mut units = Vec::with_capacity(bytes.len() / 2 + 2);
        units.extend(self.high.take());
        let mut rest = bytes;
        if let (Some(first), Some((&second, tail))) = (self.odd, rest.split_first()) {
            self.odd = None;
            if self.read_pair([first, second], &mut units) {
                rest = tail;
            }
        }
        let mut at = 0;
        while let Some(pair) = rest.get(at..at + 2) {
            at += match self.read_pair([pair[0], pair[1]], &mut units) {
                true => 2,
                false => 1,
            };
        }
        // An empty chunk keeps the byte held from the one before.
        if !bytes.is_empty() {
            self.odd = rest.get(at).copied();
        }
        if let Some(&last) = units.last() {
            if (0xD800..0xDC00).contains(&last) {
                self.high = units.pop();
            }
        }
        self.decode(&units, emit);
    }

    fn finish(&mut self, emit: &mut Emit<'_>) {
        let mut units: Vec<u16> = self.high.take().into_iter().collect();
        if self.odd.take().is_some() {
            units.push(0xDC00);
        }
        self.decode(&units, emit);
    }

    /// Reads the unit of `pair`; false when only its first byte was
    /// taken, the pair being shifted by a byte after a zero-filled block.
    fn read_pair(&mut self, pair: [u8; 2], units: &mut Vec<u16>) -> bool {
        let unit = self.unit(pair);
        if self.zeros >= MIN_NUL_RUN / 2 && is_shifted(unit) {
            self.zeros = 0;
            // Big-endian, the byte taken is the unit's low byte, whose
            // zero high byte the block's last unit took.
            if self.big_endian {
                units.push(u16::from(pair[0]));
            }
            return false;
        }
        self.zeros = match unit {
            0 => self.zeros + 1,
            _ => 0,
        };
        units.push(unit);
        true
    }

    fn unit(&self, pair: [u8; 2]) -> u16 {
        match self.big_endian {
            true => u16::from_be_bytes(pair),
            false => u16::from_le_bytes(pair),
        }
    }

    fn decode(&mut self, units: &[u16], emit: &mut Emit<'_>) {
        self.out.clear();
        let mut mark = Mark::Plain;
        for c in char::decode_utf16(units.iter().copied()) {
            let c = c.unwrap_or_else(|_| {
                self.replaced += 1;
                if self.replaced == 1 {
                    emit_str(&self.out, Mark::Plain, emit);
                    self.out.clear();
                    mark = Mark::Replaced;
                }
                char::REPLACEMENT_CHARACTER
            });
            self.out.push(c);
        }
        emit_str(&self.out, mark, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(d: &mut Decoder, bytes: &[u8], size: usize) -> String {
        let mut out = String::new();
        let mut emit = |t: &str, _: Mark| out.push_str(t);
        for chunk in bytes.chunks(size) {
            d.push(chunk, &mut emit);
        }
        d.finish(&mut emit);
        out
    }

    #[test]
    fn utf8_with_a_windows_1252_line() {
        let bytes = b"caf\xC3\xA9\nna\xEFve \x93q\x94\nend\xC3\xA9";
        for size in [1, 2, 3, 5, 100] {
            let mut d = Decoder::Utf8(Utf8Lines::default());
            let text = decode_in_chunks(&mut d, bytes, size);
            assert_eq!(text, "café\nnaïve “q”\nendé", "chunk size {size}");
            let Decoder::Utf8(d) = d else { unreachable!() };
            assert_eq!(d.fallback_lines, 1);
        }
    }

    #[test]
    fn a_line_mixing_utf8_and_1252_is_read_as_1252() {
        let bytes = "é".bytes().chain(*b" \xE9\n").collect::<Vec<_>>();
        for size in [1, 2, 7] {
            let mut d = Decoder::Utf8(Utf8Lines::default());
            let text = decode_in_chunks(&mut d, &bytes, size);
            assert_eq!(text, "Ã© é\n", "chunk size {size}");
        }
    }

    #[test]
    fn a_byte_order_mark_starting_a_windows_1252_line_stays_one() {
        let bytes = b"{\"a\":1}\n\xEF\xBB\xBF{\"b\":\"Jos\xE9\"}\n";
        for size in [1, 2, 4, 100] {
            let mut d = Decoder::Utf8(Utf8Lines::default());
            let text = decode_in_chunks(&mut d, bytes, size);
            assert_eq!(
                text, "{\"a\":1}\n\u{FEFF}{\"b\":\"José\"}\n",
                "chunk size {size}"
            );
            let Decoder::Utf8(d) = d else { unreachable!() };
            assert_eq!(d.fallback_lines, 1);
        }
    }

    #[test]
    fn utf16_surrogate_pair_split_across_chunks() {
        let text = "a😀b\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        for size in [1, 2, 3, 5] {
            let mut d = Decoder::Utf16(Utf16::new(false));
            assert_eq!(decode_in_chunks(&mut d, &bytes, size), text);
        }
    }

    #[test]
    fn utf16_keeps_a_cut_unit_across_an_empty_chunk() {
        let text = "{\"a\":1}\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let mut d = Decoder::Utf16(Utf16::new(false));
        let mut out = String::new();
        for chunk in [&bytes[..3], &[], &bytes[3..]] {
            d.push(chunk, &mut |s, _| out.push_str(s));
        }
        d.finish(&mut |s, _| out.push_str(s));
        assert_eq!(out, text);
    }

    #[test]
    fn utf16_unpaired_surrogate_is_replaced() {
        let bytes = [0x00, 0xD8, b'a', 0x00, b'b'];
        let mut d = Decoder::Utf16(Utf16::new(false));
        assert_eq!(decode_in_chunks(&mut d, &bytes, 1), "\u{FFFD}a\u{FFFD}");
    }
}
