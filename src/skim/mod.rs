//! The fast path: a record judged from one pass over its text.
//!
//! Parsing a record into a tree and normalizing all of it costs tens of
//! microseconds; a query reads half a dozen fields. A skim reads the
//! record's text once, validating it as serde_json would, and keeps only
//! what the scan needs: the content fingerprint (`detect::dedup`), the
//! shape (wrappers, raw or ECS), and the values at the paths the queries
//! name. [`Lean`] then answers the queries: an ECS document's values as
//! they are, a raw record's through the normalized view (`o365::view`).
//!
//! Whenever a skim is unsure (a text serde_json would reject or read
//! otherwise, a value the view cannot follow), it says so, and the record
//! is parsed and normalized in full: errors and answers are always those
//! of the full path, which the tests check record by record.

mod lean;
mod parse;
mod plan;
#[cfg(test)]
mod tests;
mod text;

use std::borrow::Cow;

pub(crate) use lean::{Lean, LeanPlan};
use parse::{Buffers, Pass};

use crate::o365::RecordKind;

/// Wrappers may nest; the full path takes off as many.
const MAX_WRAPPERS: usize = 4;

/// What a value is, as far as a skim tells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// not there at all
    #[default]
    Absent,
    Null,
    Bool,
    Number,
    Str,
    Array,
    Object,
}

/// Reads records one after another, reusing its buffers.
#[derive(Debug, Default)]
pub(crate) struct Skimmer {
    buffers: Buffers,
    captures: Captures,
    /// the `_index` of a search hit, kept across the passes of a record
    index: String,
}

impl Skimmer {
    /// Skims a record candidate given as JSON text; `None` when the full
    /// path must read it.
    pub(crate) fn json<'s>(&'s mut self, text: &str, plan: &'s LeanPlan) -> Option<Lean<'s>> {
        let mut body = Cow::Borrowed(text);
        let (mut kind, mut index) = (None, false);
        self.index.clear();
        self.pass(&body, plan)?;
        for _ in 0..MAX_WRAPPERS {
            let Some(wrapper) = plan.wrapper(&self.captures) else {
                break;
            };
            kind = kind.or(Some(wrapper.kind));
            if !index {
                index = self.keep_index(plan, wrapper.kind);
            }
            body = inner(body, wrapper.body?, &self.captures)?;
            self.pass(&body, plan)?;
        }
        let index = index.then_some(self.index.as_str());
        Some(Lean::new(kind, index, &self.captures, plan))
    }

    /// Skims an export row's `AuditData` cell: the record itself, never
    /// unwrapped further.
    pub(crate) fn cell<'s>(&'s mut self, cell: &str, plan: &'s LeanPlan) -> Option<Lean<'s>> {
        if cell.trim().is_empty() {
            return None;
        }
        self.pass(cell, plan)?;
        let kind = Some(RecordKind::ExportRow);
        Some(Lean::new(kind, None, &self.captures, plan))
    }

    fn pass(&mut self, text: &str, plan: &LeanPlan) -> Option<()> {
        self.captures.reset(plan.plan().slot_count());
        let pass = Pass::new(text, plan.plan(), &mut self.buffers, &mut self.captures);
        pass.run().map(drop)
    }

    /// Keeps a search hit's `_index`; whether it had one.
    fn keep_index(&mut self, plan: &LeanPlan, kind: RecordKind) -> bool {
        let index = match kind {
            RecordKind::EsHit => plan.hit_index(&self.captures),
            _ => None,
        };
        if let Some(index) = index {
            self.index.push_str(index);
        }
        index.is_some()
    }
}

/// A wrapper found around the record just skimmed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wrapper {
    pub(crate) kind: RecordKind,
    /// where its record is; `None` when it holds no record (an error,
    /// which the full path reports) or one a skim cannot read (a search
    /// hit's `fields`, which the full path reads)
    pub(crate) body: Option<WrappedBody>,
}

/// Where a wrapper's record is in the text just skimmed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum WrappedBody {
    /// an object, between these bytes
    Object(usize, usize),
    /// JSON text in a string, the first value of this slot
    Text(u8),
}

/// The text of the record inside a wrapper.
fn inner<'t>(
    body: Cow<'t, str>,
    wrapped: WrappedBody,
    captures: &Captures,
) -> Option<Cow<'t, str>> {
    match (wrapped, body) {
        (WrappedBody::Object(start, end), Cow::Borrowed(text)) => {
            text.get(start..end).map(Cow::Borrowed)
        }
        (WrappedBody::Object(start, end), Cow::Owned(text)) => text
            .get(start..end)
            .map(|inner| Cow::Owned(inner.to_owned())),
        (WrappedBody::Text(slot), _) => {
            let text = captures.first_text(slot)?;
            let blank = text.trim().is_empty();
            (!blank).then(|| Cow::Owned(text.to_owned()))
        }
    }
}

/// What a pass kept: the fingerprint, and each slot's values.
#[derive(Debug, Default)]
pub(crate) struct Captures {
    pub(crate) fingerprint: u128,
    slots: Vec<SlotState>,
    leaves: Vec<Leaf>,
    /// the text of the leaves, decoded
    arena: String,
    /// slots with a non-null scalar strictly under them (one bit each)
    under_any: u64,
    /// the same, `""` not counted
    under_filled: u64,
    /// slots written since the last reset (one bit each); the others
    /// hold what an earlier record left, and read as empty
    touched: u64,
}

/// What a slot holds.
#[derive(Clone, Copy, Debug)]
struct SlotState {
    /// the value reached by keys alone (no array on the way)
    direct: ValueKind,
    start: usize,
    end: usize,
    first_leaf: usize,
    /// how many containers deep the first leaf was
    depth: usize,
    /// leaves came at different depths: by different splits of the path
    mixed: bool,
}

const NO_LEAF: usize = usize::MAX;

/// A slot's bit in the masks of [`Captures`] (slots are fewer than 64).
fn bit(slot: u8) -> u64 {
    1u64.checked_shl(u32::from(slot)).unwrap_or(0)
}

impl SlotState {
    /// Nothing captured.
    const EMPTY: SlotState = SlotState {
        direct: ValueKind::Absent,
        start: 0,
        end: 0,
        first_leaf: NO_LEAF,
        depth: 0,
        mixed: false,
    };
}

impl Default for SlotState {
    fn default() -> SlotState {
        SlotState::EMPTY
    }
}

/// A scalar at a slot's path; its text is in the arena.
#[derive(Clone, Copy, Debug)]
struct Leaf {
    slot: u8,
    kind: ValueKind,
    start: usize,
    end: usize,
}

impl Captures {
    /// Empties the captures for the next record: only the slots written
    /// are cleared, since most are never written.
    fn reset(&mut self, slots: usize) {
        self.fingerprint = 0;
        if self.slots.len() != slots {
            self.slots.clear();
            self.slots.resize(slots, SlotState::default());
        }
        self.touched = 0;
        self.leaves.clear();
        self.arena.clear();
        self.under_any = 0;
        self.under_filled = 0;
    }

    /// The value of a slot reached by keys alone: what it is, and where.
    pub(crate) fn direct(&mut self, slot: u8, kind: ValueKind, start: usize, end: usize) {
        if let Some(state) = self.slot_mut(slot) {
            (state.direct, state.start, state.end) = (kind, start, end);
        }
    }

    /// Keeps a scalar at a slot's path; `None` if its escapes do not
    /// decode (the pass checked them, so never).
    pub(crate) fn leaf(
        &mut self,
        slot: u8,
        kind: ValueKind,
        text: &str,
        escaped: bool,
        depth: usize,
    ) -> Option<()> {
        let start = self.arena.len();
        if escaped {
            text::decode(text.as_bytes(), &mut self.arena)?;
        } else {
            self.arena.push_str(text);
        }
        let end = self.arena.len();
        let index = self.leaves.len();
        self.leaves.push(Leaf {
            slot,
            kind,
            start,
            end,
        });
        let state = self.slot_mut(slot)?;
        if state.first_leaf == NO_LEAF {
            (state.first_leaf, state.depth) = (index, depth);
        } else {
            state.mixed |= state.depth != depth;
        }
        Some(())
    }

    /// Notes a non-null scalar under the slots of `bits`.
    pub(crate) fn note_under(&mut self, bits: u64, empty_string: bool) {
        self.under_any |= bits;
        if !empty_string {
            self.under_filled |= bits;
        }
    }

    fn state(&self, slot: u8) -> Option<&SlotState> {
        match self.touched & bit(slot) {
            0 => Some(&SlotState::EMPTY),
            _ => self.slots.get(usize::from(slot)),
        }
    }

    /// A slot to write, emptied first when this record has not written it.
    fn slot_mut(&mut self, slot: u8) -> Option<&mut SlotState> {
        let fresh = self.touched & bit(slot) == 0;
        self.touched |= bit(slot);
        let state = self.slots.get_mut(usize::from(slot))?;
        if fresh {
            *state = SlotState::default();
        }
        Some(state)
    }

    /// What the slot holds when reached by keys alone.
    pub(crate) fn kind(&self, slot: u8) -> ValueKind {
        self.state(slot)
            .map_or(ValueKind::Absent, |state| state.direct)
    }

    /// Where the slot's directly reached value is in the text.
    pub(crate) fn span(&self, slot: u8) -> Option<(usize, usize)> {
        self.state(slot).map(|state| (state.start, state.end))
    }

    /// The slot's scalars, in the order of the text.
    pub(crate) fn values(&self, slot: u8) -> impl Iterator<Item = (ValueKind, &str)> + '_ {
        let from = self.state(slot).map_or(NO_LEAF, |state| state.first_leaf);
        let leaves = self.leaves.get(from..).unwrap_or_default();
        let own = leaves.iter().filter(move |leaf| leaf.slot == slot);
        own.map(|leaf| {
            (
                leaf.kind,
                self.arena.get(leaf.start..leaf.end).unwrap_or(""),
            )
        })
    }

    /// The text of the slot's first scalar.
    pub(crate) fn first_text(&self, slot: u8) -> Option<&str> {
        self.values(slot).next().map(|(_, text)| text)
    }

    /// Whether the slot's values came by different splits of its path,
    /// whose order the text does not give.
    pub(crate) fn mixed(&self, slot: u8) -> bool {
        self.state(slot).is_some_and(|state| state.mixed)
    }

    /// Whether a non-null scalar lies strictly under the slot's path;
    /// `filled`: one other than `""`.
    pub(crate) fn under(&self, slot: u8, filled: bool) -> bool {
        let bits = if filled {
            self.under_filled
        } else {
            self.under_any
        };
        slot < 64 && bits & (1 << slot) != 0
    }
}
