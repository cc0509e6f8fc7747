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
// TODO: flate2 checks each member with crc32fast, whose 16 KB of tables
// do not compress: about 16 KB of the 200 KB the gzipped wasm may take.
// Reading the gzip framing here over miniz_oxide's inflate, with a CRC
// table built at run time, would drop them and std's io::Error text.
pub(crate) struct Gunzip {
    decoder: MultiGzDecoder<Vec<u8>>,
    /// Compressed bytes short of a whole step.
    pending: Vec<u8>,
    failed: bool,
}

impl Gunzip {
    pub(crate) fn new() -> Gunzip {
        Gunzip {
            decoder: MultiGzDecoder::new(Vec::new()),
            pending: Vec::with_capacity(STEP),
            failed: false,
        }
    }

    /// Decompresses a chunk; an error says what is wrong with the data, and
    /// nothing more is decompressed after it.
    ///
    /// NOTE: the decoder is always given the same steps of the compressed
    /// stream, whatever the chunks: how much it writes out before it finds
    /// damage depends on the steps, and the pieces must not.
    pub(crate) fn push(&mut self, input: &[u8], out: &mut Out<'_>) -> Result<(), String> {
        if self.failed {
            return Ok(());
        }
        let mut rest = input;
        if !self.pending.is_empty() {
            let wanted = (STEP - self.pending.len()).min(rest.len());
            let (head, tail) = rest.split_at(wanted);
            self.pending.extend_from_slice(head);
            rest = tail;
            if self.pending.len() < STEP {
                return Ok(());
            }
            let step = std::mem::take(&mut self.pending);
            self.write(&step, out)?;
            self.pending = step;
            self.pending.clear();
        }
        let steps = rest.chunks_exact(STEP);
        self.pending.extend_from_slice(steps.remainder());
        for step in steps {
            self.write(step, out)?;
        }
        Ok(())
    }

    /// Ends the stream: an error when the data stops inside a member.
    pub(crate) fn finish(&mut self, out: &mut Out<'_>) -> Result<(), String> {
        if self.failed {
            return Ok(());
        }
        let last = std::mem::take(&mut self.pending);
        self.write(&last, out)?;
        // NOTE: flate2 may panic on a write after `try_finish`; `failed`
        // keeps any further call away from the decoder.
        self.failed = true;
        let finished = self.decoder.try_finish();
        self.drain(out);
        finished.map_err(|e| describe(&e))
    }

    fn write(&mut self, step: &[u8], out: &mut Out<'_>) -> Result<(), String> {
        let written = self.decoder.write_all(step);
        self.drain(out);
        written.map_err(|e| {
            self.failed = true;
            self.pending.clear();
            describe(&e)
        })
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
