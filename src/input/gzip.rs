//! gzip, undone as the bytes arrive.

use std::io::Write;

use flate2::write::MultiGzDecoder;

/// The two bytes every gzip member starts with.
pub(crate) const MAGIC: [u8; 2] = [0x1F, 0x8B];

/// How much compressed input is decompressed at a time. Deflate expands by
/// about 1,000 at most, so the output of one step stays near 16 MiB even
/// for a crafted file.
const STEP: usize = 16 << 10;

/// Where decompressed bytes go.
pub(crate) type Out<'o> = dyn FnMut(&[u8]) + 'o;

/// A gzip stream of one member or several, one after another.
pub(crate) struct Gunzip {
    decoder: MultiGzDecoder<Vec<u8>>,
    failed: bool,
}

impl Gunzip {
    pub(crate) fn new() -> Gunzip {
        Gunzip {
            decoder: MultiGzDecoder::new(Vec::new()),
            failed: false,
        }
    }

    /// Decompresses a chunk; an error says what is wrong with the data, and
    /// nothing more is decompressed after it.
    pub(crate) fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), String> {
        if self.failed {
            return Ok(());
        }
        for step in input.chunks(STEP) {
            let written = self.decoder.write_all(step);
            self.drain(out);
            if let Err(e) = written {
                self.failed = true;
                return Err(describe(&e));
            }
        }
        Ok(())
    }

    /// Ends the stream: an error when the data stops inside a member.
    pub(crate) fn finish(&mut self, out: &mut Out<'_>) -> Result<(), String> {
        if self.failed {
            return Ok(());
        }
        self.failed = true;
        let finished = self.decoder.try_finish();
        self.drain(out);
        finished.map_err(|e| describe(&e))
    }

    fn drain(&mut self, out: &mut Out<'_>) {
        let buffer = self.decoder.get_mut();
        if !buffer.is_empty() {
            out(buffer);
            buffer.clear();
        }
    }
}

fn describe(e: &std::io::Error) -> String {
    let detail = e.to_string().to_lowercase();
    let detail = detail.trim_end_matches('.');
    format!("gzip data is damaged ({detail})")
}
