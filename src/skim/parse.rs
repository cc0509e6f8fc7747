//! One pass over one record's JSON text: validate, fingerprint, capture.
//!
//! The pass accepts a text only when serde_json would parse it to the same
//! object; anything it is unsure of (an error, a repeated key, a `\u`
//! surrogate, an exponent written otherwise than serde_json keeps it,
//! nesting past [`MAX_DEPTH`]) makes it give up, and the record is parsed
//! in full, so errors keep their exact messages and positions.
//!
//! Containers are tracked on an explicit stack, never by recursion. The
//! fingerprint follows `detect::dedup`: each member's canonical text is
//! hashed where it lies in the input when the input already is canonical
//! (compact, no escapes to rewrite), which is the common case; otherwise
//! it is built in a buffer, copying only from the first difference on.

use std::ops::Range;

use super::plan::{NodeId, Plan, Step, NO_NODE, ROOT};
use super::text::{self, decode, find_stop};
use super::{Captures, ValueKind};
use crate::detect::{write_object_mark, write_string, MemberSum};
use crate::o365::MAX_DEPTH;

/// The reusable buffers of passes: nothing is allocated per record once
/// they have grown to the largest record's needs.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    frames: Vec<Frame>,
    /// canonical text built where the input is not canonical
    canon: Vec<u8>,
    /// the keys of the objects open, to find repeated keys
    keys: Vec<Key>,
    /// a string decoded, before it is written canonically
    decoded: String,
}

/// An open array or object.
#[derive(Clone, Copy, Debug)]
struct Frame {
    object: bool,
    node: NodeId,
    /// slots this container lies strictly under (one bit each)
    under: u64,
    /// reached from the root by keys alone, through no array
    direct: bool,
    /// the slot whose value this container is, reached directly
    slot: Option<u8>,
    start: usize,
    /// whether the member stream around this object had been copied
    outer_copied: bool,
    sum: MemberSum,
    /// where this object's keys start in `Buffers::keys`
    keys_from: usize,
    /// a 128-bit set of the tags of this object's keys
    tags: u128,
    member: Member,
}

/// The member being read in an object.
#[derive(Clone, Copy, Debug, Default)]
struct Member {
    /// where its key's opening quote is
    start: usize,
    /// where its canonical text starts in `Buffers::canon`
    canon_from: usize,
    node: NodeId,
    /// wanted paths its value lies under, beyond its object's
    under: u64,
    open: bool,
}

#[derive(Clone, Copy, Debug)]
struct Key {
    tag: u8,
    start: usize,
    end: usize,
}

/// A pass over one text.
pub(crate) struct Pass<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    plan: &'a Plan,
    buffers: &'a mut Buffers,
    captures: &'a mut Captures,
    /// where the part of the current member's canonical text that is
    /// still read in place starts
    run: usize,
    /// the current member's canonical text is being built in `canon`
    copied: bool,
}

/// What the pass expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Value,
    /// a `,` or the end of the container on top
    Separator,
    /// nothing: the root object has ended
    Done,
}

impl<'a> Pass<'a> {
    pub(crate) fn new(
        text: &'a str,
        plan: &'a Plan,
        buffers: &'a mut Buffers,
        captures: &'a mut Captures,
    ) -> Pass<'a> {
        buffers.frames.clear();
        buffers.canon.clear();
        buffers.keys.clear();
        Pass {
            text,
            bytes: text.as_bytes(),
            at: 0,
            plan,
            buffers,
            captures,
            run: 0,
            copied: false,
        }
    }

    /// Reads the text, which must hold one object; its fingerprint.
    pub(crate) fn run(mut self) -> Option<u128> {
        self.skip_blanks();
        if self.peek() != Some(b'{') {
            return None;
        }
        let mut next = self.open(true)?;
        loop {
            next = match next {
                Next::Value => self.value()?,
                Next::Separator => self.separator()?,
                Next::Done => return self.end(),
            };
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// After the root object: blanks only, as serde_json wants.
    fn end(mut self) -> Option<u128> {
        let fingerprint = self.captures.fingerprint;
        self.skip_blanks();
        (self.at == self.bytes.len()).then_some(fingerprint)
    }

    fn value(&mut self) -> Option<Next> {
        match self.peek()? {
            b'"' => self.string_value(),
            b'{' => self.open(true),
            b'[' => self.open(false),
            b't' => self.literal(b"true", ValueKind::Bool),
            b'f' => self.literal(b"false", ValueKind::Bool),
            b'n' => self.literal(b"null", ValueKind::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// After a value, in the container on top: `,` and what follows it,
    /// or the container's end.
    fn separator(&mut self) -> Option<Next> {
        self.skip_blanks();
        let object = self.buffers.frames.last()?.object;
        match (self.peek()?, object) {
            (b',', true) => {
                self.at += 1;
                self.skip_blanks();
                self.key()
            }
            (b',', false) => {
                self.at += 1;
                self.skip_blanks();
                Some(Next::Value)
            }
            (b'}', true) | (b']', false) => self.close(),
            _ => None,
        }
    }

    /// Skips blanks; inside a member's text they are not canonical, so
    /// the text before them is copied.
    #[inline]
    fn skip_blanks(&mut self) {
        let start = self.at;
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
        if self.at != start && self.in_member() {
            self.copy_run(start);
            self.run = self.at;
        }
    }

    fn in_member(&self) -> bool {
        match self.buffers.frames.last() {
            Some(frame) if frame.object => frame.member.open,
            Some(_) => true,
            None => false,
        }
    }

    /// Copies the member's text read in place so far, up to `end`.
    fn copy_run(&mut self, end: usize) {
        let run = self.bytes.get(self.run..end).unwrap_or_default();
        self.buffers.canon.extend_from_slice(run);
        self.copied = true;
    }

    /// Opens an object or array at the current byte.
    fn open(&mut self, object: bool) -> Option<Next> {
        if self.buffers.frames.len() >= MAX_DEPTH {
            return None;
        }
        let frame = self.new_frame(object);
        if object && self.in_member() {
            self.copy_run(self.at);
        }
        let frame = Frame {
            outer_copied: self.copied,
            ..frame
        };
        self.buffers.frames.push(frame);
        self.at += 1;
        self.skip_blanks();
        match (self.peek()?, object) {
            (b'}', true) | (b']', false) => self.close(),
            (_, true) => self.key(),
            (_, false) => Some(Next::Value),
        }
    }

    fn new_frame(&mut self, object: bool) -> Frame {
        let (node, parent_under, direct) = self.value_place();
        let slot = self.plan.slot_at(node);
        if let Some(slot) = slot.filter(|_| direct) {
            self.captures
                .direct(slot, kind_of(object), self.at, self.at);
        }
        let under = match slot {
            Some(slot) if object => parent_under | (1 << slot),
            _ => parent_under,
        };
        Frame {
            object,
            node,
            under,
            direct,
            slot: slot.filter(|_| direct),
            start: self.at,
            outer_copied: false,
            sum: MemberSum::default(),
            keys_from: self.buffers.keys.len(),
            tags: 0,
            member: Member::default(),
        }
    }

    /// Where a value starting now sits: its trie node, the slots it lies
    /// under, and whether it is reached by keys alone.
    fn value_place(&self) -> (NodeId, u64, bool) {
        match self.buffers.frames.last() {
            None => (ROOT, 0, true),
            Some(frame) if frame.object => {
                let under = frame.under | frame.member.under;
                (frame.member.node, under, frame.direct)
            }
            Some(frame) => (frame.node, frame.under, false),
        }
    }

    /// Closes the container on top at the current byte.
    fn close(&mut self) -> Option<Next> {
        self.at += 1;
        let frame = self.buffers.frames.pop()?;
        if let Some(slot) = frame.slot {
            self.captures
                .direct(slot, kind_of(frame.object), frame.start, self.at);
        }
        if frame.object {
            self.buffers.keys.truncate(frame.keys_from);
            let hash = frame.sum.finish();
            if self.buffers.frames.is_empty() {
                self.captures.fingerprint = hash;
                return Some(Next::Done);
            }
            self.copied = frame.outer_copied;
            write_object_mark(hash, &mut self.buffers.canon);
            self.run = self.at;
        }
        self.value_done();
        Some(Next::Separator)
    }

    /// A member's key, the `:` after it, and the blanks before its value.
    fn key(&mut self) -> Option<Next> {
        let start = self.at;
        if self.peek()? != b'"' {
            return None;
        }
        let end = find_stop(self.bytes, start + 1);
        // NOTE: a key with an escape is left to the parser: repeated keys
        // are then compared decoded, which this pass does not do.
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        let key = self.bytes.get(start + 1..end)?;
        self.check_repeat(key, start + 1)?;
        let frame = self.buffers.frames.last_mut()?;
        let step = match frame.node {
            NO_NODE => Step::OFF,
            from => self.plan.child(from, key),
        };
        frame.member = Member {
            start,
            canon_from: self.buffers.canon.len(),
            node: step.node,
            under: step.under,
            open: true,
        };
        self.run = start;
        self.copied = false;
        self.at = end + 1;
        self.skip_blanks();
        if self.peek()? != b':' {
            return None;
        }
        self.at += 1;
        self.skip_blanks();
        Some(Next::Value)
    }

    /// Gives up on a key the object already has: serde_json keeps its
    /// last value only, which the member sum cannot take back.
    fn check_repeat(&mut self, key: &[u8], start: usize) -> Option<()> {
        let tag = key_tag(key);
        let frame = self.buffers.frames.last_mut()?;
        let bit = 1u128 << tag;
        if frame.tags & bit != 0 {
            let earlier = self.buffers.keys.get(frame.keys_from..)?;
            let same = |k: &Key| k.tag == tag && self.bytes.get(k.start..k.end) == Some(key);
            if earlier.iter().any(same) {
                return None;
            }
        }
        frame.tags |= bit;
        let end = start + key.len();
        self.buffers.keys.push(Key { tag, start, end });
        Some(())
    }

    fn string_value(&mut self) -> Option<Next> {
        let start = self.at;
        let (end, escaped, canonical) = self.string_end(start)?;
        if !canonical {
            self.write_canonical_string(start, end)?;
        }
        self.at = end;
        self.scalar(ValueKind::Str, start + 1..end - 1, escaped)?;
        Some(self.value_done())
    }

    /// The end (past the closing quote) of the string at `start`, whether
    /// it has escapes, and whether it is canonical.
    fn string_end(&self, start: usize) -> Option<(usize, bool, bool)> {
        let (mut at, mut escaped, mut canonical) = (start + 1, false, true);
        loop {
            at = find_stop(self.bytes, at);
            match self.bytes.get(at)? {
                b'"' => return Some((at + 1, escaped, canonical)),
                b'\\' => {
                    let escape = text::escape(self.bytes, at)?;
                    escaped = true;
                    canonical &= escape.canonical;
                    at += 1 + escape.len;
                }
                _ => return None,
            }
        }
    }

    fn write_canonical_string(&mut self, start: usize, end: usize) -> Option<()> {
        self.copy_run(start);
        let decoded = &mut self.buffers.decoded;
        decoded.clear();
        decode(self.bytes.get(start + 1..end - 1)?, decoded)?;
        write_string(decoded, &mut self.buffers.canon);
        self.run = end;
        Some(())
    }

    fn literal(&mut self, word: &[u8], kind: ValueKind) -> Option<Next> {
        let start = self.at;
        let end = start + word.len();
        if self.bytes.get(start..end)? != word {
            return None;
        }
        self.at = end;
        self.scalar(kind, start..end, false)?;
        Some(self.value_done())
    }

    /// A number as serde_json reads it. One whose exponent serde_json
    /// would rewrite (`E`, or no sign) is left to it.
    fn number(&mut self) -> Option<Next> {
        let start = self.at;
        let mut at = start + usize::from(self.peek() == Some(b'-'));
        at = match self.bytes.get(at)? {
            b'0' => at + 1,
            b'1'..=b'9' => self.digits(at + 1),
            _ => return None,
        };
        if self.bytes.get(at) == Some(&b'.') {
            at = self.at_least_one_digit(at + 1)?;
        }
        if self.bytes.get(at) == Some(&b'e') {
            if !matches!(self.bytes.get(at + 1), Some(b'+' | b'-')) {
                return None;
            }
            at = self.at_least_one_digit(at + 2)?;
        }
        if self.bytes.get(at) == Some(&b'E') {
            return None;
        }
        self.at = at;
        self.scalar(ValueKind::Number, start..at, false)?;
        Some(self.value_done())
    }

    fn digits(&self, mut at: usize) -> usize {
        while self.bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        at
    }

    fn at_least_one_digit(&self, at: usize) -> Option<usize> {
        let end = self.digits(at);
        (end > at).then_some(end)
    }

    /// Captures a scalar that sits at a wanted path, and notes it under
    /// the wanted paths it lies beneath.
    fn scalar(&mut self, kind: ValueKind, text: Range<usize>, escaped: bool) -> Option<()> {
        let (node, under, direct) = self.value_place();
        if under != 0 && kind != ValueKind::Null {
            self.captures
                .note_under(under, text.is_empty() && kind == ValueKind::Str);
        }
        let Some(slot) = self.plan.slot_at(node) else {
            return Some(());
        };
        if direct {
            self.captures.direct(slot, kind, self.at, self.at);
        }
        if kind != ValueKind::Null {
            let depth = self.buffers.frames.len();
            let text = self.text.get(text)?;
            self.captures.leaf(slot, kind, text, escaped, depth)?;
        }
        Some(())
    }

    /// Ends the member whose value just ended, when the value was one.
    fn value_done(&mut self) -> Next {
        let end = self.at;
        let Some(frame) = self.buffers.frames.last_mut() else {
            return Next::Separator;
        };
        if !frame.object {
            return Next::Separator;
        }
        let member = frame.member;
        let canon = &mut self.buffers.canon;
        if self.copied {
            canon.extend_from_slice(self.bytes.get(self.run..end).unwrap_or_default());
            frame
                .sum
                .add(canon.get(member.canon_from..).unwrap_or_default());
            canon.truncate(member.canon_from);
        } else {
            frame
                .sum
                .add(self.bytes.get(member.start..end).unwrap_or_default());
        }
        frame.member.open = false;
        self.copied = false;
        Next::Separator
    }
}

fn kind_of(object: bool) -> ValueKind {
    if object {
        ValueKind::Object
    } else {
        ValueKind::Array
    }
}

/// Seven bits from a key's length and bytes, to find repeats quickly;
/// keys with the same tag are then compared in full.
fn key_tag(key: &[u8]) -> u8 {
    let word = |bytes: &[u8]| bytes.iter().fold(0u64, |w, &b| (w << 8) ^ u64::from(b));
    let head = word(key.get(..8).unwrap_or(key));
    let tail = word(key.get(key.len().saturating_sub(8)..).unwrap_or_default());
    let mixed =
        (head ^ tail.rotate_left(29) ^ key.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> 57) as u8
}
