//! Strings inside JSON text: where they end, a word at a time, and what
//! their escapes decode to.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;
const QUOTES: u64 = ONES * b'"' as u64;
const BACKSLASHES: u64 = ONES * b'\\' as u64;
const SPACES: u64 = ONES * 0x20;

/// The first byte at or after `at` that stops a plain run of string
/// text: the closing quote, a backslash, or a control character (which
/// JSON forbids inside strings); the end of `bytes` when there is none.
///
/// With WebAssembly's 128-bit SIMD, sixteen bytes are tested at once;
/// the rest of the way, eight (see [`find_stop_in_words`]).
#[inline]
pub(crate) fn find_stop(bytes: &[u8], at: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let at = match simd::find_stop(bytes, at) {
        Ok(stop) => return stop,
        Err(rest) => rest,
    };
    find_stop_in_words(bytes, at)
}

/// [`find_stop`], eight bytes at a time (SWAR): in each test, a byte
/// that matches sets its high bit, and the lowest such bit is exact
/// (borrows only run upward, past a true match), so it gives the
/// position.
#[inline]
fn find_stop_in_words(bytes: &[u8], mut at: usize) -> usize {
    while let Some(word) = bytes.get(at..at + 8).and_then(read_word) {
        let found = stops(word);
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            return at;
        }
        at += 1;
    }
    at
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{u64x2, u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, v128_or};

    /// Where the first stop is, sixteen bytes at a time; where fewer than
    /// sixteen bytes are left when it is not found before.
    #[inline]
    pub(super) fn find_stop(bytes: &[u8], mut at: usize) -> Result<usize, usize> {
        while let Some(block) = bytes.get(at..at + 16) {
            let (low, high) = block.split_at(8);
            let word = |half: &[u8]| <[u8; 8]>::try_from(half).map_or(0, u64::from_le_bytes);
            let lanes = u64x2(word(low), word(high));
            let quote = u8x16_eq(lanes, u8x16_splat(b'"'));
            let backslash = u8x16_eq(lanes, u8x16_splat(b'\\'));
            let control = u8x16_lt(lanes, u8x16_splat(0x20));
            let found = u8x16_bitmask(v128_or(v128_or(quote, backslash), control));
            if found != 0 {
                return Ok(at + found.trailing_zeros() as usize);
            }
            at += 16;
        }
        Err(at)
    }
}

#[inline]
fn read_word(bytes: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(bytes).ok().map(u64::from_le_bytes)
}

/// The high bit of every byte of `word` that is `"`, `\` or below 0x20.
#[inline]
fn stops(word: u64) -> u64 {
    let quote = word ^ QUOTES;
    let backslash = word ^ BACKSLASHES;
    let zero_quote = quote.wrapping_sub(ONES) & !quote;
    let zero_backslash = backslash.wrapping_sub(ONES) & !backslash;
    let control = word.wrapping_sub(SPACES) & !word;
    (zero_quote | zero_backslash | control) & HIGHS
}

/// One escape read after a backslash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Escape {
    /// bytes after the backslash
    pub(crate) len: usize,
    /// written as serde_json writes it (see `detect::dedup`)
    pub(crate) canonical: bool,
}

/// Reads the escape whose backslash is at `at`; `None` for one serde_json
/// rejects, and for UTF-16 surrogates, which are left to the parser.
// TODO: surrogate pairs (`\ud83d\ude00`) could be decoded here too; they
// are rare in audit data, so such records take the slower full parse.
pub(crate) fn escape(bytes: &[u8], at: usize) -> Option<Escape> {
    let rest = bytes.get(at + 1..)?;
    let len = match rest.first()? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 1,
        b'u' => {
            let code = hex4(rest.get(1..5)?)?;
            if (0xD800..=0xDFFF).contains(&code) {
                return None;
            }
            5
        }
        _ => return None,
    };
    let canonical = crate::detect::is_canonical_escape(rest.get(..len)?);
    Some(Escape { len, canonical })
}

fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0, |code, &digit| {
        let value = char::from(digit).to_digit(16)?;
        Some(code * 16 + value)
    })
}

/// Appends the decoded text of a string's inside (between its quotes),
/// which [`escape`] accepted; `None` if it was not.
pub(crate) fn decode(inside: &[u8], out: &mut String) -> Option<()> {
    let mut at = 0;
    while at < inside.len() {
        let rest = inside.get(at..)?;
        let stop = memchr::memchr(b'\\', rest).map_or(inside.len(), |k| at + k);
        out.push_str(std::str::from_utf8(inside.get(at..stop)?).ok()?);
        if stop == inside.len() {
            break;
        }
        let escape = escape(inside, stop)?;
        out.push(decoded(inside.get(stop + 1..stop + 1 + escape.len)?)?);
        at = stop + 1 + escape.len;
    }
    Some(())
}

fn decoded(escape: &[u8]) -> Option<char> {
    Some(match escape.first()? {
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => char::from_u32(hex4(escape.get(1..5)?)?)?,
        other => char::from(*other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_stop_is_found_in_every_position() {
        for stop in [b'"', b'\\', 0x00, 0x1F, b'\n'] {
            for at in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes.extend_from_slice("é\u{7f}~ \"".as_bytes());
                bytes[at] = stop;
                assert_eq!(find_stop(&bytes, 0), at, "{stop:#x} at {at}");
            }
        }
        assert_eq!(find_stop(b"abc", 0), 3);
        assert_eq!(find_stop("\u{7f}ü é ~".as_bytes(), 0), 8);
    }

    #[test]
    fn escapes_are_read_as_serde_json_reads_them() {
        let read = |text: &str| escape(text.as_bytes(), 0);
        assert_eq!(read(r#"\""#).map(|e| (e.len, e.canonical)), Some((1, true)));
        assert_eq!(read(r"\/").map(|e| (e.len, e.canonical)), Some((1, false)));
        assert_eq!(read(r"\u00E9").map(|e| e.len), Some(5));
        for bad in [r"\x", r"\u12", r"\u12g4", r"\ud800", r"\uDFFF", "\\"] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    #[test]
    fn decoding_gives_the_text() {
        let mut out = String::new();
        let inside = r#"a\"b\\c\/\u00e9\u20AC\n\t end"#;
        assert_eq!(decode(inside.as_bytes(), &mut out), Some(()));
        assert_eq!(out, "a\"b\\c/é€\n\t end");
    }
}
