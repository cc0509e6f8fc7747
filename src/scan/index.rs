//! What a scan remembers of every record: its content's fingerprint, and
//! where its id was first seen. With the hits, the only part of a scan
//! that grows with the input.
//!
//! Both are hash tables of fingerprints, which are random already, so
//! they are their own hash. Each is cut into shards by a few bits of the
//! fingerprint: a table that outgrows its room is copied into one twice
//! as large, and in WebAssembly, whose memory never shrinks, the room it
//! leaves stays taken unless later tables fit in it. Small shards, which
//! grow one after another, fit in the room their neighbours left; one
//! large table would leave the whole of its last size behind (a 1 GB
//! scan's index took twice its size that way).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::detect::{self, ContentHash};

/// Shards of each table: 64, chosen by six bits of the fingerprint.
const SHARDS: usize = 64;

/// Fingerprints of the records read.
type Fingerprints = HashSet<ContentHash, BuildHasherDefault<Identity>>;

/// Ids by their fingerprint, with where each was first seen.
type Ids = HashMap<u64, FirstSeen, BuildHasherDefault<Identity>>;

/// The duplicate index and the id map.
pub(crate) struct Index {
    seen: Vec<Fingerprints>,
    ids: Vec<Ids>,
}

impl Default for Index {
    fn default() -> Index {
        Index {
            seen: (0..SHARDS).map(|_| Fingerprints::default()).collect(),
            ids: (0..SHARDS).map(|_| Ids::default()).collect(),
        }
    }
}

impl Index {
    /// Remembers a record's fingerprint; false when it was there already.
    pub(crate) fn insert(&mut self, hash: ContentHash) -> bool {
        let shard = self.seen.get_mut(shard(fold(hash)));
        shard.is_none_or(|shard| shard.insert(hash))
    }

    /// Where `id` was first seen: `here` when it is new.
    pub(crate) fn first_seen(&mut self, id: &str, here: FirstSeen) -> FirstSeen {
        let key = detect::fingerprint_bytes(id.as_bytes());
        match self.ids.get_mut(shard(key)) {
            Some(ids) => *ids.entry(key).or_insert(here),
            None => here,
        }
    }

    /// The bytes the tables hold: a slot per entry at 7/8 of the slots
    /// used at most, plus a control byte, rounded to a power of two.
    pub(crate) fn bytes(&self) -> usize {
        let slots = |capacity: usize| (capacity * 8 / 7).next_power_of_two();
        let seen = self.seen.iter().map(|shard| slots(shard.capacity()));
        let ids = self.ids.iter().map(|shard| slots(shard.capacity()));
        seen.sum::<usize>() * (size_of::<ContentHash>() + 1)
            + ids.sum::<usize>() * (size_of::<(u64, FirstSeen)>() + 1)
    }
}

/// The shard of a fingerprint: bits that the tables' own use of the
/// hash (its low bits for the slot, its top seven as a tag) leaves alone.
fn shard(hash: u64) -> usize {
    (hash >> 32) as usize % SHARDS
}

/// Where a record id was first seen, and with what content (its
/// fingerprint folded to 64 bits: a false "same content" would only
/// leave out a warning, with a chance of 2^-64).
#[derive(Clone, Copy)]
pub(crate) struct FirstSeen {
    hash: u64,
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
            hash: fold(hash),
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

/// The hasher of values that are random already.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }

    fn write_u128(&mut self, value: u128) {
        self.0 = fold(value);
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
