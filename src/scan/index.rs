//! What a scan remembers of every record: its content's fingerprint, and
//! where its id was first seen. With the hits, the only part of a scan
//! that grows with the input.
//!
//! A record's id is part of its content (a raw record's `Id`, an ECS
//! document's `event.id`), so records of equal content have equal ids,
//! and a record whose id is new is new. The id map therefore keeps the
//! fingerprint of the first record of each id, and the set of
//! fingerprints only takes the rest: records without an id, and later
//! records of an id with other content. Most records cost one look-up.
//!
//! Both are tables of fingerprints, which are random already, so their
//! own bits choose the slot: open addressing, probing slot after slot,
//! with an all-zero key for an empty slot (a key that is zero is kept
//! beside the slots). A look-up usually touches one cache line; a general
//! hash map, its control bytes apart from its slots, touched two, and
//! two look-ups a record were a tenth of a scan of 100,000 records.
//!
//! Each table is cut into shards by a few bits of the fingerprint: a
//! table that outgrows its room is copied into one twice as large, and
//! in WebAssembly, whose memory never shrinks, the room it leaves stays
//! taken unless later tables fit in it. Small shards, which grow one
//! after another, fit in the room their neighbours left; one large table
//! would leave the whole of its last size behind (a 1 GB scan's index
//! took twice its size that way).

use crate::detect::{self, ContentHash};

/// Shards of each table: 64, chosen by six bits of the fingerprint.
const SHARDS: usize = 64;

/// Slots of a shard before its first growth.
const FIRST_SLOTS: usize = 64;

/// The duplicate index and the id map.
pub(crate) struct Index {
    seen: Vec<Table<ContentHash, ()>>,
    ids: Vec<Table<u64, FirstSeen>>,
}

impl Default for Index {
    fn default() -> Index {
        Index {
            seen: (0..SHARDS).map(|_| Table::default()).collect(),
            ids: (0..SHARDS).map(|_| Table::default()).collect(),
        }
    }
}

/// What the index makes of a record.
#[derive(Clone, Copy)]
pub(crate) enum Seen {
    /// content not seen before
    New,
    /// content seen before
    Duplicate,
    /// content not seen before, under an id first seen with other
    /// content, there
    IdAgain(FirstSeen),
}

impl Index {
    /// Remembers a record by its fingerprint and id (see the module's
    /// doc); `here` says where it is.
    pub(crate) fn record(&mut self, hash: ContentHash, id: Option<&str>, here: FirstSeen) -> Seen {
        let Some(id) = id else {
            return match self.insert(hash) {
                true => Seen::New,
                false => Seen::Duplicate,
            };
        };
        let (first, new) = self.id_entry(id, here);
        if new {
            Seen::New
        } else if first.same_content(here) || !self.insert(hash) {
            Seen::Duplicate
        } else {
            Seen::IdAgain(first)
        }
    }

    /// Remembers a record's fingerprint; false when it was there already.
    pub(crate) fn insert(&mut self, hash: ContentHash) -> bool {
        match self.seen.get_mut(shard(hash.bits())) {
            Some(table) => table.entry(hash, ()).1,
            None => true,
        }
    }

    /// Where `id` was first seen: `here` when it is new.
    #[cfg(test)]
    pub(crate) fn first_seen(&mut self, id: &str, here: FirstSeen) -> FirstSeen {
        self.id_entry(id, here).0
    }

    /// Where `id` was first seen, and whether that is `here`.
    fn id_entry(&mut self, id: &str, here: FirstSeen) -> (FirstSeen, bool) {
        let key = detect::fingerprint_bytes(id.as_bytes());
        match self.ids.get_mut(shard(key)) {
            Some(table) => table.entry(key, here),
            None => (here, true),
        }
    }

    /// The bytes the tables hold.
    pub(crate) fn bytes(&self) -> usize {
        let seen = self.seen.iter().map(Table::bytes);
        let ids = self.ids.iter().map(Table::bytes);
        seen.sum::<usize>() + ids.sum::<usize>()
    }
}

/// The shard of a fingerprint: bits that the tables' own use of it (its
/// low bits for the slot) leaves alone.
fn shard(hash: u64) -> usize {
    (hash >> 32) as usize % SHARDS
}

/// A key of a [`Table`]: random bits, all zero for an empty slot.
trait Key: Copy + Default + PartialEq {
    /// 64 of its bits, which choose its slot and shard.
    fn bits(self) -> u64;
}

impl Key for u64 {
    fn bits(self) -> u64 {
        self
    }
}

impl Key for u128 {
    fn bits(self) -> u64 {
        fold(self)
    }
}

/// An open-addressing table whose keys are random bits.
struct Table<K, V> {
    slots: Vec<(K, V)>,
    /// slots in use, the zero key's not counted
    len: usize,
    /// the value of the key that is zero, which no slot can hold
    zero: Option<V>,
}

impl<K: Key, V: Copy + Default> Default for Table<K, V> {
    fn default() -> Table<K, V> {
        Table {
            slots: Vec::new(),
            len: 0,
            zero: None,
        }
    }
}

impl<K: Key, V: Copy + Default> Table<K, V> {
    /// The value kept for `key`, `value` when the key is new; and
    /// whether it was.
    #[inline]
    fn entry(&mut self, key: K, value: V) -> (V, bool) {
        if key == K::default() {
            return match self.zero {
                Some(kept) => (kept, false),
                None => (*self.zero.insert(value), true),
            };
        }
        // NOTE: three quarters full at most, so probes stay short.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = key.bits() as usize & mask;
        while let Some(slot) = self.slots.get_mut(at) {
            if slot.0 == key {
                return (slot.1, false);
            }
            if slot.0 == K::default() {
                *slot = (key, value);
                self.len += 1;
                return (value, true);
            }
            at = (at + 1) & mask;
        }
        (value, true)
    }

    /// Copies the keys into a table twice as large.
    #[cold]
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![Default::default(); size]);
        let mask = size - 1;
        for (key, value) in old.into_iter().filter(|(k, _)| *k != K::default()) {
            let mut at = key.bits() as usize & mask;
            while self
                .slots
                .get(at)
                .is_some_and(|slot| slot.0 != K::default())
            {
                at = (at + 1) & mask;
            }
            if let Some(slot) = self.slots.get_mut(at) {
                *slot = (key, value);
            }
        }
    }

    fn bytes(&self) -> usize {
        self.slots.capacity() * size_of::<(K, V)>()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len == 0 && self.zero.is_none()
    }
}

/// Where a record id was first seen, and with what content.
#[derive(Clone, Copy, Default)]
pub(crate) struct FirstSeen {
    /// the content's fingerprint, in two halves: a `u128` would align
    /// the table's slots to 16 bytes and pad them to 48
    hash: [u64; 2],
    /// the file's number in the high [`FILE_BITS`] bits, the line below
    at: u64,
}

/// Bits of [`FirstSeen::at`] that number the file (a million files); the
/// rest count lines (17 trillion). Beyond, the numbers saturate.
const FILE_BITS: u32 = 20;
const LINE_BITS: u32 = 64 - FILE_BITS;

impl FirstSeen {
    pub(crate) fn new(hash: ContentHash, file: usize, line: u64) -> FirstSeen {
        let file = (file as u64).min((1 << FILE_BITS) - 1);
        let line = line.min((1 << LINE_BITS) - 1);
        FirstSeen {
            hash: [hash as u64, (hash >> 64) as u64],
            at: (file << LINE_BITS) | line,
        }
    }

    pub(crate) fn same_content(self, other: FirstSeen) -> bool {
        self.hash == other.hash
    }

    pub(crate) fn file(self) -> usize {
        (self.at >> LINE_BITS) as usize
    }

    pub(crate) fn line(self) -> u64 {
        self.at & ((1 << LINE_BITS) - 1)
    }
}

fn fold(value: u128) -> u64 {
    (value as u64) ^ ((value >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_remembered_once_in_every_shard() {
        let mut index = Index::default();
        let hashes: Vec<u128> = (0..1_000u128)
            .map(|n| n.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
            .collect();
        assert!(hashes.iter().all(|&hash| index.insert(hash)));
        assert!(hashes.iter().all(|&hash| !index.insert(hash)));
        assert!(index.seen.iter().all(|shard| !shard.is_empty()));
        assert!(index.bytes() >= 1_000 * 17);
    }

    #[test]
    fn tables_grow_and_keep_every_key_once() {
        let mut index = Index::default();
        let keys = (1..200_000u128).map(|n| n.wrapping_mul(0xD6E8_FEB8_6659_FD93) << 1);
        let keys: Vec<u128> = keys.chain([0, 1 << 64]).collect();
        assert!(keys.iter().all(|&hash| index.insert(hash)));
        assert!(keys.iter().all(|&hash| !index.insert(hash)));
        let held = index
            .seen
            .iter()
            .map(|t| t.len + usize::from(t.zero.is_some()));
        assert_eq!(held.sum::<usize>(), keys.len());
    }

    #[test]
    fn a_key_of_zero_is_kept_like_any_other() {
        let mut table = Table::<u64, FirstSeen>::default();
        let first = FirstSeen::new(1, 2, 3);
        assert!(table.entry(0, first).1);
        let (kept, new) = table.entry(0, FirstSeen::new(4, 5, 6));
        assert!(!new && kept.same_content(first) && kept.line() == 3);
        assert!(table.slots.is_empty());
    }

    #[test]
    fn records_are_told_new_duplicate_or_under_an_id_seen_before() {
        let mut index = Index::default();
        let mut record = |hash: u128, id: Option<&str>, line: u64| match index.record(
            hash,
            id,
            FirstSeen::new(hash, 0, line),
        ) {
            Seen::New => "new".to_owned(),
            Seen::Duplicate => "duplicate".to_owned(),
            Seen::IdAgain(first) => format!("id of line {}", first.line()),
        };
        let seen: Vec<String> = [
            (1, Some("a"), 1),
            (2, Some("a"), 2),
            (2, Some("a"), 3),
            (1, Some("a"), 4),
            (3, Some("a"), 5),
            (4, None, 6),
            (4, None, 7),
            (5, Some("b"), 7),
            (5, Some("b"), 7),
        ]
        .into_iter()
        .map(|(hash, id, line)| record(hash, id, line))
        .collect();
        let want = [
            "new",
            "id of line 1",
            "duplicate",
            "duplicate",
            "id of line 1",
            "new",
            "duplicate",
            "new",
            "duplicate",
        ];
        assert_eq!(seen, want);
    }

    #[test]
    fn an_id_keeps_where_it_was_first_seen() {
        let mut index = Index::default();
        let first = FirstSeen::new(1, 2, 3);
        assert!(index.first_seen("a", first).same_content(first));
        let later = index.first_seen("a", FirstSeen::new(9, 5, 7));
        assert_eq!((later.file(), later.line()), (2, 3));
        assert!(!later.same_content(FirstSeen::new(9, 0, 0)));
        let huge = FirstSeen::new(0, usize::MAX, u64::MAX);
        assert_eq!(huge.file(), (1 << FILE_BITS) - 1);
        assert_eq!(huge.line(), (1 << LINE_BITS) - 1);
    }
}
