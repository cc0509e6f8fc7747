//! Windows-1252, the one legacy code page audit exports turn up in.
//!
//! NOTE: written out here rather than taken from an encoding library: the
//! whole table is 32 entries, and a general library would add hundreds of
//! kilobytes of tables to the wasm module for this one code page.

/// The characters of bytes 0x80 to 0x9F. The five bytes the code page
/// leaves undefined map to the C1 control of the same value, as browsers do.
const HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// The character of one Windows-1252 byte.
pub(crate) fn char_of(byte: u8) -> char {
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// Appends the text of Windows-1252 bytes.
pub(crate) fn decode_into(bytes: &[u8], out: &mut String) {
    out.extend(bytes.iter().map(|&b| char_of(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_range_is_identity() {
        assert_eq!(char_of(b'A'), 'A');
        assert_eq!(char_of(0xE9), 'é');
        assert_eq!(char_of(0xFF), 'ÿ');
    }

    #[test]
    fn high_range_uses_the_table() {
        let mut text = String::new();
        decode_into(b"\x80 \x93x\x94 \x99 \x9F", &mut text);
        assert_eq!(text, "€ “x” ™ Ÿ");
    }
}
