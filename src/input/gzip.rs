//! gzip, undone as the bytes arrive.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// The two bytes every gzip member starts with.
pub(crate) const MAGIC: [u8; 2] = [0x1F, 0x8B];

/// How much compressed input is decompressed at a time. Deflate expands by
/// about 1,000 at most, so the output of one step stays near 16 MiB even
/// for a crafted file.
const STEP: usize = 16 << 10;

/// Where decompressed bytes go.
pub(crate) type Out<'o> = dyn FnMut(&[u8]) + 'o;

/// How much is decompressed between two calls to the output.
const WINDOW: usize = 32 << 10;

/// A gzip stream of one member or several, one after another: the
/// framing read here, the deflate data inflated by miniz_oxide.
// TODO: a gzipped file reads about 10% slower natively than through
// flate2 and crc32fast (whose 16 KB of tables made the wasm 19 KB larger
// gzipped); where the time goes is not profiled yet.
pub(crate) struct Gunzip {
    member: Member,
    inflater: Box<InflateState>,
    window: Vec<u8>,
    crc_table: CrcTable,
    /// Compressed bytes short of a whole step.
    pending: Vec<u8>,
    /// Zero bytes after the last member.
    padding: u64,
    failed: bool,
}

/// Where in a member the stream is.
enum Member {
    /// Bytes of a header read so far (none between two members).
    Header(Vec<u8>),
    /// Inside the deflate data, with the checksum and the length so far.
    Body(Check),
    /// The trailer's bytes read so far, and what they must match.
    Trailer(Check, Vec<u8>),
    /// Zero bytes where a next member would start: the padding a tape or
    /// a block device leaves, which gzip passes over with a warning.
    Padding,
}

/// A member's CRC-32 and length (modulo 2^32), as its trailer gives them.
#[derive(Clone, Copy, Default)]
struct Check {
    crc: u32,
    size: u32,
}

impl Gunzip {
    pub(crate) fn new() -> Gunzip {
        Gunzip {
            member: Member::Header(Vec::new()),
            inflater: InflateState::new_boxed(DataFormat::Raw),
            window: vec![0; WINDOW],
            crc_table: CrcTable::new(),
            pending: Vec::with_capacity(STEP),
            padding: 0,
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
        self.failed = true;
        match &self.member {
            Member::Header(read) if read.is_empty() => Ok(()),
            Member::Padding => Ok(()),
            _ => Err(damaged("unexpected end of file")),
        }
    }

    /// How many zero bytes came after the last member.
    pub(crate) fn padding(&self) -> u64 {
        self.padding
    }

    fn write(&mut self, step: &[u8], out: &mut Out<'_>) -> Result<(), String> {
        self.read(step, out).map_err(|detail| {
            self.failed = true;
            self.pending.clear();
            damaged(detail)
        })
    }

    /// Reads a step through however many members it holds.
    fn read(&mut self, mut step: &[u8], out: &mut Out<'_>) -> Result<(), &'static str> {
        while !step.is_empty() {
            let used = match &mut self.member {
                Member::Header(read) if read.is_empty() && step[0] == 0 => {
                    self.member = Member::Padding;
                    0
                }
                Member::Header(read) => read_header(read, step)?,
                Member::Body(check) => {
                    let mut check = *check;
                    let used = self.inflate(step, &mut check, out)?;
                    if let Inflated::More(0) = used {
                        return Err("corrupt deflate stream");
                    }
                    self.member = match used {
                        Inflated::More(_) => Member::Body(check),
                        Inflated::End(_) => Member::Trailer(check, Vec::new()),
                    };
                    used.bytes()
                }
                Member::Trailer(check, read) => read_trailer(*check, read, step)?,
                Member::Padding => self.read_padding(step)?,
            };
            step = &step[used.min(step.len())..];
            self.advance();
        }
        Ok(())
    }

    fn read_padding(&mut self, step: &[u8]) -> Result<usize, &'static str> {
        let zeros = step.iter().take_while(|&&b| b == 0).count();
        self.padding += zeros as u64;
        match zeros < step.len() {
            true => Err("data after the zero padding that ends it"),
            false => Ok(zeros),
        }
    }

    /// Moves on once a header or a trailer is whole.
    fn advance(&mut self) {
        let next = match &self.member {
            Member::Header(read) if header_length(read) == Ok(Some(read.len())) => {
                Member::Body(Check::default())
            }
            Member::Trailer(_, read) if read.len() == TRAILER => Member::Header(Vec::new()),
            _ => return,
        };
        if matches!(next, Member::Body(_)) {
            self.inflater = InflateState::new_boxed(DataFormat::Raw);
        }
        self.member = next;
    }

    /// Inflates deflate data from `input` until it ends or `input` runs out.
    fn inflate(
        &mut self,
        input: &[u8],
        check: &mut Check,
        out: &mut Out<'_>,
    ) -> Result<Inflated, &'static str> {
        let mut used = 0;
        loop {
            let result = inflate(
                &mut self.inflater,
                &input[used..],
                &mut self.window,
                MZFlush::None,
            );
            used += result.bytes_consumed;
            let written = &self.window[..result.bytes_written];
            if !written.is_empty() {
                check.add(written, &self.crc_table);
                out(written);
            }
            match result.status {
                Ok(MZStatus::StreamEnd) => return Ok(Inflated::End(used)),
                Ok(_) if used < input.len() || result.bytes_written > 0 => {}
                Ok(_) | Err(MZError::Buf) => return Ok(Inflated::More(used)),
                Err(_) => return Err("corrupt deflate stream"),
            }
        }
    }
}

/// How much of a step the deflate data took, and whether it ended there.
enum Inflated {
    More(usize),
    End(usize),
}

impl Inflated {
    fn bytes(&self) -> usize {
        match self {
            Inflated::More(used) | Inflated::End(used) => *used,
        }
    }
}

/// CRC-32 and ISIZE, four bytes each.
const TRAILER: usize = 8;

/// The longest header read: its extra field takes 64 KiB at most, and
/// names are short.
const LONGEST_HEADER: usize = 1 << 20;

/// Takes header bytes from `input` until the header is whole: how many.
fn read_header(read: &mut Vec<u8>, input: &[u8]) -> Result<usize, &'static str> {
    let before = read.len();
    read.extend_from_slice(input);
    match header_length(read)? {
        Some(end) => {
            read.truncate(end);
            Ok(end - before)
        }
        None if read.len() > LONGEST_HEADER => Err("invalid gzip header"),
        None => Ok(input.len()),
    }
}

/// The length of the gzip header `read` starts with, once it is whole.
fn header_length(read: &[u8]) -> Result<Option<usize>, &'static str> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    let fixed = 10;
    if read.len() >= 2 && read[..2] != MAGIC || read.len() >= 3 && read[2] != 8 {
        return Err("invalid gzip header");
    }
    let Some(&flags) = read.get(3) else {
        return Ok(None);
    };
    let mut end = fixed;
    if flags & FEXTRA != 0 {
        let Some(length) = read.get(end..end + 2) else {
            return Ok(None);
        };
        end += 2 + usize::from(u16::from_le_bytes([length[0], length[1]]));
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            let Some(zero) = read.get(end..).and_then(|r| r.iter().position(|&b| b == 0)) else {
                return Ok(None);
            };
            end += zero + 1;
        }
    }
    if flags & FHCRC != 0 {
        end += 2;
    }
    Ok((read.len() >= end).then_some(end))
}

/// Takes trailer bytes from `input`, and checks the trailer once whole.
fn read_trailer(check: Check, read: &mut Vec<u8>, input: &[u8]) -> Result<usize, &'static str> {
    let used = (TRAILER - read.len()).min(input.len());
    read.extend_from_slice(&input[..used]);
    if read.len() == TRAILER {
        let word =
            |at: usize| u32::from_le_bytes([read[at], read[at + 1], read[at + 2], read[at + 3]]);
        if word(0) != check.crc {
            return Err("corrupt gzip stream does not have a matching checksum");
        }
        if word(4) != check.size {
            return Err("corrupt gzip stream does not have a matching length");
        }
    }
    Ok(used)
}

impl Check {
    fn add(&mut self, bytes: &[u8], table: &CrcTable) {
        self.crc = table.update(self.crc, bytes);
        self.size = self.size.wrapping_add(bytes.len() as u32);
    }
}

/// CRC-32 (IEEE, reflected), eight bytes at a time ("slicing by 8").
///
/// NOTE: the 8 KB table is built when a gzip stream starts rather than
/// compiled in, where it would take 8 KB of the wasm that gzip cannot
/// shrink.
struct CrcTable(Box<[[u32; 256]; 8]>);

impl CrcTable {
    fn new() -> CrcTable {
        let mut table = Box::new([[0; 256]; 8]);
        for n in 0..256 {
            let mut crc = n as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    0xEDB8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
            table[0][n] = crc;
        }
        for n in 0..256 {
            for slice in 1..8 {
                let previous = table[slice - 1][n];
                table[slice][n] = (previous >> 8) ^ table[0][(previous & 0xFF) as usize];
            }
        }
        CrcTable(table)
    }

    fn update(&self, crc: u32, bytes: &[u8]) -> u32 {
        let table = &self.0;
        let mut crc = !crc;
        let words = bytes.chunks_exact(8);
        let tail = words.remainder();
        for word in words {
            let low = crc ^ u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            let at = |slice: usize, byte: u32| table[slice][(byte & 0xFF) as usize];
            crc = at(7, low)
                ^ at(6, low >> 8)
                ^ at(5, low >> 16)
                ^ at(4, low >> 24)
                ^ at(3, word[4].into())
                ^ at(2, word[5].into())
                ^ at(1, word[6].into())
                ^ at(0, word[7].into());
        }
        for &byte in tail {
            crc = table[0][usize::from((crc as u8) ^ byte)] ^ (crc >> 8);
        }
        !crc
    }
}

fn damaged(detail: &str) -> String {
    format!("gzip data is damaged ({detail})")
}

#[cfg(test)]
mod tests {
    use super::CrcTable;

    #[test]
    fn crc_of_the_check_string() {
        let table = CrcTable::new();
        assert_eq!(table.update(0, b"123456789"), 0xCBF4_3926);
        let split = table.update(table.update(0, b"1234"), b"56789");
        assert_eq!(split, 0xCBF4_3926);
    }
}
