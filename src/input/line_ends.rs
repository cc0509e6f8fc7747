//! Line endings of carriage returns alone, as old Mac programs (and Excel's
//! "CSV (Macintosh)") write them, turned into newlines before splitting.
//!
//! The first line ending of the text decides: a `\r` followed by anything
//! but `\n` makes every later `\r` a newline (but one in a `\r\n`, which
//! ends its line as it is, so that a mix of the two counts lines right);
//! a `\n` or `\r\n` leaves the text as it is, at no cost after that
//! first line.
//!
//! NOTE: the raw text of a record in such a file shows `\n` where the file
//! had `\r`. A `\r` inside a quoted CSV cell becomes `\n` too, which is what
//! such a cell means.

/// What the first line ending showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Ends {
    /// No line ending seen yet.
    #[default]
    Unknown,
    /// `\r` held back at the end of a chunk: what follows it decides.
    PendingCr,
    /// `\n` or `\r\n`: the text is passed on as it is.
    Newline,
    /// `\r` alone: each `\r` but one before `\n` is passed on as `\n`.
    CarriageReturn,
    /// The same, with a `\r` held back at the end of a chunk.
    CarriageReturnPending,
}

#[derive(Debug, Default)]
pub(crate) struct LineEnds {
    ends: Ends,
    translated: String,
}

impl LineEnds {
    /// Passes decoded text on, with carriage returns made newlines once
    /// they are known to end lines.
    pub(crate) fn feed(&mut self, text: &str, out: &mut dyn FnMut(&str)) {
        match self.ends {
            Ends::Newline => out(text),
            Ends::CarriageReturn => self.translate(text, out),
            Ends::CarriageReturnPending => {
                if !text.is_empty() {
                    self.ends = Ends::CarriageReturn;
                    out(if text.starts_with('\n') { "\r" } else { "\n" });
                    self.translate(text, out);
                }
            }
            Ends::PendingCr => self.after_pending(text, out),
            Ends::Unknown => self.find_first(text, out),
        }
    }

    /// Whether a `\r` is held back that `text`, coming next, makes a line
    /// ending: the line `text` starts on is then one past the last one
    /// passed on.
    pub(crate) fn holds_break_before(&self, text: &str) -> bool {
        let pending = matches!(self.ends, Ends::PendingCr | Ends::CarriageReturnPending);
        pending && !text.is_empty() && !text.starts_with('\n')
    }

    /// Passes on a `\r` still held back at the end of the text.
    pub(crate) fn finish(&mut self, out: &mut dyn FnMut(&str)) {
        if matches!(self.ends, Ends::PendingCr | Ends::CarriageReturnPending) {
            self.ends = Ends::CarriageReturn;
            out("\n");
        }
    }

    fn find_first(&mut self, text: &str, out: &mut dyn FnMut(&str)) {
        let bytes = text.as_bytes();
        let Some(at) = memchr::memchr2(b'\r', b'\n', bytes) else {
            return out(text);
        };
        if bytes[at] == b'\n' {
            self.ends = Ends::Newline;
            return out(text);
        }
        out(&text[..at]);
        self.ends = Ends::PendingCr;
        self.after_pending(&text[at + 1..], out);
    }

    fn after_pending(&mut self, text: &str, out: &mut dyn FnMut(&str)) {
        if text.is_empty() {
            return;
        }
        if text.starts_with('\n') {
            self.ends = Ends::Newline;
            out("\r");
            return out(text);
        }
        self.ends = Ends::CarriageReturn;
        out("\n");
        self.translate(text, out);
    }

    fn translate(&mut self, text: &str, out: &mut dyn FnMut(&str)) {
        if !text.contains('\r') {
            return out(text);
        }
        let (text, held) = match text.strip_suffix('\r') {
            Some(rest) => (rest, true),
            None => (text, false),
        };
        self.translated.clear();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let crlf = c == '\r' && chars.peek().is_some_and(|&next| next == '\n');
            self.translated
                .push(if c == '\r' && !crlf { '\n' } else { c });
        }
        out(&self.translated);
        if held {
            self.ends = Ends::CarriageReturnPending;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fed(chunks: &[&str]) -> String {
        let mut ends = LineEnds::default();
        let mut all = String::new();
        for chunk in chunks {
            ends.feed(chunk, &mut |text| all.push_str(text));
        }
        ends.finish(&mut |text| all.push_str(text));
        all
    }

    #[test]
    fn carriage_returns_alone_become_newlines() {
        assert_eq!(fed(&["a\rb\rc\r"]), "a\nb\nc\n");
        assert_eq!(fed(&["a\r", "b\r", "c"]), "a\nb\nc");
        assert_eq!(fed(&["a", "\r"]), "a\n");
    }

    #[test]
    fn crlf_after_carriage_returns_alone_ends_one_line() {
        assert_eq!(fed(&["a\rb\r\nc\r\n"]), "a\nb\r\nc\r\n");
        assert_eq!(fed(&["a\rb\r", "\nc\r", "d"]), "a\nb\r\nc\nd");
        assert_eq!(fed(&["a\rb\r", "", "\n"]), "a\nb\r\n");
    }

    #[test]
    fn newlines_and_crlf_are_left_alone() {
        assert_eq!(fed(&["a\r\nb\rc\n"]), "a\r\nb\rc\n");
        assert_eq!(fed(&["a\r", "\nb\r", "c"]), "a\r\nb\rc");
        assert_eq!(fed(&["a\nb\rc"]), "a\nb\rc");
    }

    #[test]
    fn the_same_whatever_the_chunks() {
        let text = "{\"a\":1}\r{\"b\":\"x\"}\r\r{\"c\":2}\r\n{}\r";
        let whole = fed(&[text]);
        for cut in 0..text.len() {
            assert_eq!(fed(&[&text[..cut], &text[cut..]]), whole, "cut at {cut}");
        }
    }
}
