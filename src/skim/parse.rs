//! One pass over one record's JSON text: validate, fingerprint, capture.
//!
//! The pass accepts a text only when serde_json would parse it to the same
//! object; anything it is unsure of (an error, a repeated key, a `\u`
//! surrogate, an exponent written otherwise than serde_json keeps it,
//! nesting past [`MAX_DEPTH`]) makes it give up, and the record is parsed
//! in full, so errors keep their exact messages and positions.
//!
//! Containers are tracked on an explicit stack, never by recursion; the
//! innermost one is held in the pass itself, where the hot path reads it.
//! The fingerprint follows `detect::dedup`: each member's canonical text
//! is hashed where it lies in the input when the input already is
//! canonical (compact, no escapes to rewrite), which is the common case;
//! otherwise it is built in a buffer, copying from the first difference.
//!
//! TODO: a member's text is read twice, once for its quotes and once by
//! the hash; hashing the words the quote search loads would save about a
//! tenth of a member's cost, at the price of a hash defined by segments.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;

use super::plan::{key_tag, key_words, NodeId, Plan, Step, NO_NODE, ROOT};
use super::text::{self, decode, find_stop};
use super::{Captures, ValueKind};
use crate::detect::{write_object_mark, write_string, MemberSum};
use crate::o365::MAX_DEPTH;

/// The reusable buffers of passes: nothing is allocated per record once
/// they have grown to the largest record's needs.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    /// the containers open around the innermost one
    outer: Vec<Frame>,
    /// canonical text built where the input is not canonical
    canon: Vec<u8>,
    /// the keys of the objects open, to find repeated keys
    keys: Vec<Key>,
    /// a string decoded, before it is written canonically
    decoded: String,
    /// the keys of the open objects with many of them, hashed
    key_sets: Vec<KeySet>,
}

/// How many keys an object's new key is compared with one by one; past
/// them, the object's keys are hashed into a [`KeySet`], so that an object
/// of many keys is still read in linear time.
const KEYS_COMPARED: usize = 32;

/// The hashed keys of one open object.
#[derive(Debug)]
struct KeySet {
    /// where the object's keys start in [`Buffers::keys`]
    keys_from: usize,
    /// how many of them are hashed
    hashed: usize,
    /// NOTE: hashes, not keys: two keys of the same hash are taken for a
    /// repeat, which only leaves the record to the parser.
    hashes: HashSet<u64>,
}

impl Buffers {
    /// Whether the object whose keys start at `keys_from` has `key`,
    /// looked up in its key set (made or brought up to date first).
    fn has_hashed_key(&mut self, bytes: &[u8], keys_from: usize, key: &[u8]) -> bool {
        let Buffers { keys, key_sets, .. } = self;
        if key_sets.last().is_none_or(|set| set.keys_from != keys_from) {
            key_sets.push(KeySet {
                keys_from,
                hashed: 0,
                hashes: HashSet::new(),
            });
        }
        let Some(set) = key_sets.last_mut() else {
            return true;
        };
        let unhashed = keys.get(keys_from + set.hashed..).unwrap_or_default();
        for k in unhashed {
            let (start, len) = (k.start as usize, k.len as usize);
            set.hashes
                .insert(hash_key(bytes.get(start..start + len).unwrap_or_default()));
        }
        set.hashed = keys.len() - keys_from;
        set.hashes.contains(&hash_key(key))
    }

    /// Forgets the key set of an object that closed.
    fn close_key_set(&mut self, keys_from: usize) {
        if self
            .key_sets
            .last()
            .is_some_and(|set| set.keys_from == keys_from)
        {
            self.key_sets.pop();
        }
    }
}

fn hash_key(key: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
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
    /// whether the member text around this object had been copied
    outer_copied: bool,
    sum: MemberSum,
    /// where this object's keys start in `Buffers::keys`
    keys_from: usize,
    /// the tags of this object's keys, one bit each
    tags: [u64; 4],
    member: Member,
}

impl Frame {
    /// The frame standing for "no container" before the root opens.
    const NONE: Frame = Frame {
        object: false,
        node: ROOT,
        under: 0,
        direct: true,
        slot: None,
        start: 0,
        outer_copied: false,
        sum: MemberSum::ZERO,
        keys_from: 0,
        tags: [0; 4],
        member: Member::NONE,
    };
}

/// The member being read in an object.
#[derive(Clone, Copy, Debug)]
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

impl Member {
    const NONE: Member = Member {
        start: 0,
        canon_from: 0,
        node: NO_NODE,
        under: 0,
        open: false,
    };
}

/// A key of an open object, by its tag and where it is in the text.
#[derive(Clone, Copy, Debug)]
struct Key {
    tag: u8,
    start: u32,
    len: u32,
}

/// A pass over one text.
pub(crate) struct Pass<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    plan: &'a Plan,
    buffers: &'a mut Buffers,
    captures: &'a mut Captures,
    /// the innermost open container
    top: Frame,
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
        buffers.outer.clear();
        buffers.canon.clear();
        buffers.keys.clear();
        buffers.key_sets.clear();
        Pass {
            text,
            bytes: text.as_bytes(),
            at: 0,
            plan,
            buffers,
            captures,
            top: Frame::NONE,
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

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// After the root object: blanks only, as serde_json wants.
    fn end(mut self) -> Option<u128> {
        self.skip_blanks();
        (self.at == self.bytes.len()).then_some(self.captures.fingerprint)
    }

    #[inline]
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
    #[inline]
    fn separator(&mut self) -> Option<Next> {
        self.skip_blanks();
        match (self.peek()?, self.top.object) {
            (b',', true) => {
                self.at += 1;
                self.skip_blanks();
                self.members()
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
    #[inline(always)]
    fn skip_blanks(&mut self) {
        if matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.skip_some_blanks();
        }
    }

    #[cold]
    fn skip_some_blanks(&mut self) {
        let start = self.at;
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
        if self.in_member() {
            self.copy_run(start);
            self.run = self.at;
        }
    }

    /// Whether the pass is inside a member's value (arrays are only ever
    /// there, since the root is an object).
    #[inline]
    fn in_member(&self) -> bool {
        match self.top.object {
            true => self.top.member.open,
            false => !self.buffers.outer.is_empty(),
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
        if self.buffers.outer.len() >= MAX_DEPTH {
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
        let outer = std::mem::replace(&mut self.top, frame);
        self.buffers.outer.push(outer);
        self.at += 1;
        self.skip_blanks();
        match (self.peek()?, object) {
            (b'}', true) | (b']', false) => self.close(),
            (_, true) => self.members(),
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
            sum: MemberSum::ZERO,
            keys_from: self.buffers.keys.len(),
            tags: [0; 4],
            member: Member::NONE,
        }
    }

    /// Where a value starting now sits: its trie node, the slots it lies
    /// under, and whether it is reached by keys alone.
    #[inline]
    fn value_place(&self) -> (NodeId, u64, bool) {
        let top = &self.top;
        match top.object {
            true => (top.member.node, top.under | top.member.under, top.direct),
            false if self.buffers.outer.is_empty() => (ROOT, 0, true),
            false => (top.node, top.under, false),
        }
    }

    /// Closes the container on top at the current byte.
    fn close(&mut self) -> Option<Next> {
        self.at += 1;
        let outer = self.buffers.outer.pop()?;
        let frame = std::mem::replace(&mut self.top, outer);
        if let Some(slot) = frame.slot {
            self.captures
                .direct(slot, kind_of(frame.object), frame.start, self.at);
        }
        if frame.object {
            self.buffers.keys.truncate(frame.keys_from);
            self.buffers.close_key_set(frame.keys_from);
            let hash = frame.sum.finish();
            if self.buffers.outer.is_empty() {
                self.captures.fingerprint = hash;
                return Some(Next::Done);
            }
            self.copied = frame.outer_copied;
            write_object_mark(hash, &mut self.buffers.canon);
            self.run = self.at;
        }
        Some(self.value_done())
    }

    /// Members of the object on top, from the key at the current byte.
    ///
    /// Nearly every member of an audit record is plain: `"key":value`
    /// written compactly, the value a string without escapes to rewrite,
    /// a number or a literal, then `,` and the next key. Those are read
    /// here in one loop, their state in locals, their canonical text
    /// hashed where it lies; at anything else (blanks, a nested value, an
    /// escape to rewrite, the object's end) the general path takes over.
    #[inline]
    fn members(&mut self) -> Option<Next> {
        let (mut sum, mut tags) = (self.top.sum, self.top.tags);
        let next = self.member_run(&mut sum, &mut tags);
        (self.top.sum, self.top.tags) = (sum, tags);
        next
    }

    /// [`Pass::members`], with the object's sum and key tags in locals.
    #[inline]
    fn member_run(&mut self, sum: &mut MemberSum, tags: &mut [u64; 4]) -> Option<Next> {
        loop {
            let start = self.at;
            let (after_key, step) = self.member_key(start, tags)?;
            let value = after_key + 1;
            let plain = self.bytes.get(after_key) == Some(&b':');
            let Some((kind, end, escaped)) = self.plain_value(value).filter(|_| plain) else {
                self.open_member(start, step);
                return self.after_key(after_key);
            };
            let under = self.top.under | step.under;
            if step.node != NO_NODE || under != 0 {
                let text = match kind {
                    ValueKind::Str => value + 1..end - 1,
                    _ => value..end,
                };
                let place = (step.node, under, self.top.direct);
                self.place_scalar(place, kind, text, escaped)?;
            }
            sum.add(self.bytes.get(start..end)?);
            self.at = end;
            if self.bytes.get(end..end + 2) != Some(b",\"") {
                return Some(Next::Separator);
            }
            self.at = end + 1;
        }
    }

    /// A plain value at `at`: its kind, where it ends, and whether it has
    /// escapes (all canonical); `None` for any other value.
    #[inline]
    fn plain_value(&self, at: usize) -> Option<(ValueKind, usize, bool)> {
        match self.bytes.get(at)? {
            b'"' => {
                let (end, escaped, canonical) = self.string_end(at)?;
                canonical.then_some((ValueKind::Str, end, escaped))
            }
            b'-' | b'0'..=b'9' => Some((ValueKind::Number, self.number_end(at)?, false)),
            b't' => self.literal_end(at, b"true", ValueKind::Bool),
            b'f' => self.literal_end(at, b"false", ValueKind::Bool),
            b'n' => self.literal_end(at, b"null", ValueKind::Null),
            _ => None,
        }
    }

    fn literal_end(
        &self,
        at: usize,
        word: &[u8],
        kind: ValueKind,
    ) -> Option<(ValueKind, usize, bool)> {
        let end = at + word.len();
        (self.bytes.get(at..end)? == word).then_some((kind, end, false))
    }

    /// The `:` after a key and the blanks around it, the general way.
    fn after_key(&mut self, after_key: usize) -> Option<Next> {
        self.at = after_key;
        self.skip_blanks();
        if self.peek()? != b':' {
            return None;
        }
        self.at += 1;
        self.skip_blanks();
        Some(Next::Value)
    }

    /// Reads the key at `start`, checked against the object's other keys
    /// and followed in the trie: where it ends (past its closing quote),
    /// and where it leads.
    #[inline]
    fn member_key(&mut self, start: usize, tags: &mut [u64; 4]) -> Option<(usize, Step)> {
        if self.bytes.get(start) != Some(&b'"') {
            return None;
        }
        let end = find_stop(self.bytes, start + 1);
        // NOTE: a key with an escape is left to the parser: repeated keys
        // are then compared decoded, which this pass does not do.
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        let key = self.bytes.get(start + 1..end)?;
        let tag = self.tag(start + 1, key);
        self.check_repeat(key, tag, start + 1, tags)?;
        let step = match self.top.node {
            NO_NODE => Step::OFF,
            from => self.plan.child(from, key, tag),
        };
        Some((end + 1, step))
    }

    /// Opens the member whose key starts at `start`, for the general path.
    fn open_member(&mut self, start: usize, step: Step) {
        self.top.member = Member {
            start,
            canon_from: self.buffers.canon.len(),
            node: step.node,
            under: step.under,
            open: true,
        };
        self.run = start;
        self.copied = false;
    }

    /// The tag of the key at `start`, its words read in place: eight
    /// bytes follow its start in all but the shortest texts.
    #[inline]
    fn tag(&self, start: usize, key: &[u8]) -> u8 {
        let words = self.word(start).and_then(|head| match key.len() {
            0 => Some((0, 0)),
            short @ 1..=8 => Some((head & (u64::MAX >> (64 - 8 * short)), 0)),
            long => Some((head, self.word(start + long - 8)?)),
        });
        let (head, tail) = words.unwrap_or_else(|| key_words(key));
        key_tag(key.len(), head, tail)
    }

    #[inline]
    fn word(&self, at: usize) -> Option<u64> {
        let bytes = self.bytes.get(at..at + 8)?;
        <[u8; 8]>::try_from(bytes).ok().map(u64::from_le_bytes)
    }

    /// Gives up on a key the object already has: serde_json keeps its
    /// last value only, which the member sum cannot take back.
    #[inline]
    fn check_repeat(
        &mut self,
        key: &[u8],
        tag: u8,
        start: usize,
        tags: &mut [u64; 4],
    ) -> Option<()> {
        let (word, bit) = (usize::from(tag >> 6), 1 << (tag & 63));
        let seen = tags.get_mut(word)?;
        if *seen & bit != 0 && self.is_repeat(key, tag) {
            return None;
        }
        *seen |= bit;
        // NOTE: the input layer hands on pieces of at most 64 MiB.
        let (start, len) = (u32::try_from(start).ok()?, u32::try_from(key.len()).ok()?);
        self.buffers.keys.push(Key { tag, start, len });
        Some(())
    }

    #[cold]
    fn is_repeat(&mut self, key: &[u8], tag: u8) -> bool {
        let keys_from = self.top.keys_from;
        let earlier = self.buffers.keys.get(keys_from..).unwrap_or_default();
        if earlier.len() > KEYS_COMPARED {
            return self.buffers.has_hashed_key(self.bytes, keys_from, key);
        }
        earlier.iter().any(|k| {
            let (start, len) = (k.start as usize, k.len as usize);
            k.tag == tag && self.bytes.get(start..start + len) == Some(key)
        })
    }

    #[inline]
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
    #[inline]
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

    fn number(&mut self) -> Option<Next> {
        let start = self.at;
        let end = self.number_end(start)?;
        self.at = end;
        self.scalar(ValueKind::Number, start..end, false)?;
        Some(self.value_done())
    }

    /// The end of a number as serde_json reads it. One whose exponent
    /// serde_json would rewrite (`E`, or no sign) is left to it.
    #[inline]
    fn number_end(&self, start: usize) -> Option<usize> {
        let mut at = start + usize::from(self.bytes.get(start) == Some(&b'-'));
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
        (self.bytes.get(at) != Some(&b'E')).then_some(at)
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
    #[inline]
    fn scalar(&mut self, kind: ValueKind, text: Range<usize>, escaped: bool) -> Option<()> {
        let place = self.value_place();
        self.place_scalar(place, kind, text, escaped)
    }

    /// [`Pass::scalar`] for a value whose place (node, slots it lies
    /// under, reached directly) is known.
    fn place_scalar(
        &mut self,
        (node, under, direct): (NodeId, u64, bool),
        kind: ValueKind,
        text: Range<usize>,
        escaped: bool,
    ) -> Option<()> {
        if under != 0 && kind != ValueKind::Null {
            let empty = text.is_empty() && kind == ValueKind::Str;
            self.captures.note_under(under, empty);
        }
        let Some(slot) = self.plan.slot_at(node) else {
            return Some(());
        };
        if direct {
            self.captures.direct(slot, kind, text.start, text.end);
        }
        if kind != ValueKind::Null {
            let depth = self.buffers.outer.len();
            let text = self.text.get(text)?;
            self.captures.leaf(slot, kind, text, escaped, depth)?;
        }
        Some(())
    }

    /// Ends the member whose value just ended, when the value was one.
    #[inline]
    fn value_done(&mut self) -> Next {
        if !self.top.object {
            return Next::Separator;
        }
        let end = self.at;
        let member = self.top.member;
        let canon = &mut self.buffers.canon;
        if self.copied {
            canon.extend_from_slice(self.bytes.get(self.run..end).unwrap_or_default());
            self.top
                .sum
                .add(canon.get(member.canon_from..).unwrap_or_default());
            canon.truncate(member.canon_from);
        } else {
            self.top
                .sum
                .add(self.bytes.get(member.start..end).unwrap_or_default());
        }
        self.top.member.open = false;
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
