//! Which values a skim keeps: a small trie of the dotted paths wanted.
//!
//! Elasticsearch reads `event.action` from `{"event":{"action":..}}`, from
//! `{"event.action":..}` and from any mixture, arrays flattened (see
//! `doc.rs`). A value therefore sits at a wanted path when the keys that
//! lead to it, joined with dots, spell the path. The trie has a node for
//! every prefix of a wanted path that ends at a dot, and an edge from a
//! node to every longer such prefix, labelled with the rest: `a.b.c` gives
//! edges `a`, `a.b`, `a.b.c` from the root, `b`, `b.c` from `a`, and `c`
//! from `a.b`. Following the keys of a record through the trie finds every
//! value at a wanted path, whichever way its keys are split.

/// A node of the trie; [`NO_NODE`] for containers off every wanted path.
pub(crate) type NodeId = u32;

/// Where no wanted path goes.
pub(crate) const NO_NODE: NodeId = u32::MAX;

/// The root of the trie: the record itself.
pub(crate) const ROOT: NodeId = 0;

/// The most paths one plan keeps; their flags fit in a `u64`.
pub(crate) const MAX_SLOTS: usize = 64;

/// The paths wanted, as a trie, each path with its slot number.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    nodes: Vec<Node>,
    paths: Vec<String>,
    /// whether keys that run past a wanted path (`a.b.c` for `a.b`) are
    /// looked for, which only `exists` queries need
    past: bool,
}

/// Where a key leads: the node, and the slots whose paths the value lies
/// strictly under that its container does not (one bit each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub(crate) node: NodeId,
    pub(crate) under: u64,
}

impl Step {
    /// Off every wanted path.
    pub(crate) const OFF: Step = Step {
        node: NO_NODE,
        under: 0,
    };
}

#[derive(Clone, Debug)]
struct Node {
    /// the slot of the path that ends here
    slot: Option<u8>,
    edges: Vec<Edge>,
    /// by a key's tag (see [`key_tag`]), the first edge with that tag,
    /// plus one (0: none), so that most keys are turned away by one test
    first: Box<[u8; 256]>,
}

#[derive(Clone, Debug)]
struct Edge {
    key: Box<[u8]>,
    /// the next edge with the same tag, plus one (0: none)
    next: u8,
    node: NodeId,
    /// the slots of wanted paths strictly between the two nodes
    under: u64,
    /// the slot of the node it leads to, as a bit (0 for none)
    slot_bit: u64,
}

impl Plan {
    /// A plan for `paths` (duplicates kept once); `None` when there are
    /// more than [`MAX_SLOTS`] of them, or one is empty (the record
    /// itself is no value). `past` asks for the slots that keys running
    /// past a path lie under, for `exists`.
    pub(crate) fn new<S: AsRef<str>>(paths: &[S], past: bool) -> Option<Plan> {
        let mut unique: Vec<String> = Vec::new();
        for path in paths.iter().map(AsRef::as_ref) {
            if path.is_empty() {
                return None;
            }
            if !unique.iter().any(|known| known == path) {
                unique.push(path.to_owned());
            }
        }
        if unique.len() > MAX_SLOTS {
            return None;
        }
        let prefixes = prefixes(&unique);
        let nodes = prefixes
            .iter()
            .map(|prefix| node(prefix, &prefixes, &unique))
            .collect();
        Some(Plan {
            nodes,
            paths: unique,
            past,
        })
    }

    /// The slot of a path, if it is wanted.
    pub(crate) fn slot(&self, path: &str) -> Option<u8> {
        slot_of(path, &self.paths)
    }

    /// How many slots the plan has.
    pub(crate) fn slot_count(&self) -> usize {
        self.paths.len()
    }

    /// Where the key `key`, whose tag is `tag`, leads from `from`.
    #[inline]
    pub(crate) fn child(&self, from: NodeId, key: &[u8], tag: u8) -> Step {
        let Some(node) = self.nodes.get(from as usize) else {
            return Step::OFF;
        };
        let mut next = node.first[usize::from(tag)];
        while let Some(edge) = node.edges.get(usize::from(next).wrapping_sub(1)) {
            if *edge.key == *key {
                return Step {
                    node: edge.node,
                    under: edge.under,
                };
            }
            next = edge.next;
        }
        match self.past {
            true => past(node, key),
            false => Step::OFF,
        }
    }

    /// The slot of the path that ends at `node`.
    #[inline]
    pub(crate) fn slot_at(&self, node: NodeId) -> Option<u8> {
        self.nodes.get(node as usize).and_then(|node| node.slot)
    }
}

/// Eight bits of a key, from its length and its first and last eight
/// bytes ([`key_words`]), that tell most keys apart at once: the trie's
/// edges and the repeated keys of an object are looked for by it first.
#[inline]
pub(crate) fn key_tag(length: usize, head: u64, tail: u64) -> u8 {
    let length = (length as u64).wrapping_mul(0xA076_1D64_78BD_642F);
    let mixed = head ^ tail.rotate_left(29) ^ length;
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

/// A key's first eight bytes as a little-endian word (zero-padded), and
/// its last eight when it is longer than eight (else zero).
pub(crate) fn key_words(key: &[u8]) -> (u64, u64) {
    let word = |at: usize| {
        key.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
    };
    match word(0) {
        Some(head) => {
            let tail = key.len().checked_sub(8).filter(|_| key.len() > 8);
            let tail = tail.and_then(word).map_or(0, u64::from_le_bytes);
            (u64::from_le_bytes(head), tail)
        }
        None => {
            let packed = key.iter().rev().fold(0, |w, &b| (w << 8) | u64::from(b));
            (packed, 0)
        }
    }
}

fn tag_of(key: &[u8]) -> u8 {
    let (head, tail) = key_words(key);
    key_tag(key.len(), head, tail)
}

/// A key that matches no edge but runs past some (`a.b.c` past `a.b`):
/// its value lies off the trie, under those edges' paths.
fn past(node: &Node, key: &[u8]) -> Step {
    let runs_past =
        |edge: &&Edge| key.get(edge.key.len()) == Some(&b'.') && key.starts_with(&edge.key);
    let under = node.edges.iter().filter(runs_past);
    Step {
        node: NO_NODE,
        under: under.fold(0, |bits, edge| bits | edge.under | edge.slot_bit),
    }
}

/// The root (empty), then every prefix of a path that ends at a dot, and
/// every whole path, each once.
fn prefixes(paths: &[String]) -> Vec<String> {
    let mut prefixes = vec![String::new()];
    for path in paths {
        let ends = path.match_indices('.').map(|(at, _)| at);
        for end in ends.chain([path.len()]) {
            let prefix = path.get(..end).unwrap_or_default();
            if !prefixes.iter().skip(1).any(|known| known == prefix) {
                prefixes.push(prefix.to_owned());
            }
        }
    }
    prefixes
}

fn node(prefix: &str, prefixes: &[String], paths: &[String]) -> Node {
    let mut node = Node {
        slot: slot_of(prefix, paths),
        edges: Vec::new(),
        first: Box::new([0; 256]),
    };
    for (index, longer) in prefixes.iter().enumerate().skip(1) {
        let Some(key) = edge_key(prefix, longer) else {
            continue;
        };
        let first = &mut node.first[usize::from(tag_of(key.as_bytes()))];
        // NOTE: a node has fewer edges than its plan has paths (at most
        // 64, each with a few prefixes), so their numbers fit in a byte.
        let number = u8::try_from(node.edges.len() + 1).unwrap_or(u8::MAX);
        node.edges.push(Edge {
            key: key.as_bytes().into(),
            next: std::mem::replace(first, number),
            node: index as NodeId,
            under: between(prefix, longer, paths),
            slot_bit: slot_of(longer, paths).map_or(0, |slot| 1 << slot),
        });
    }
    node
}

fn slot_of(path: &str, paths: &[String]) -> Option<u8> {
    let index = paths.iter().position(|known| known == path)?;
    u8::try_from(index).ok()
}

/// The key that leads from `prefix` to `longer`, if one does.
fn edge_key<'a>(prefix: &str, longer: &'a str) -> Option<&'a str> {
    if prefix.is_empty() {
        return Some(longer);
    }
    longer.strip_prefix(prefix)?.strip_prefix('.')
}

/// The slots of wanted paths strictly between `from` and `to`: a value
/// at `to` lies under them, and a container at `from` does not.
fn between(from: &str, to: &str, paths: &[String]) -> u64 {
    let mut bits = 0;
    for (slot, path) in paths.iter().enumerate() {
        let above_to = edge_key(path, to).is_some_and(|rest| !rest.is_empty());
        let below_from = edge_key(from, path).is_some_and(|rest| !rest.is_empty());
        if above_to && below_from {
            bits |= 1 << slot;
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(paths: &[&str], past: bool) -> Plan {
        Plan::new(paths, past).unwrap_or_else(|| panic!("no plan"))
    }

    fn child(plan: &Plan, node: NodeId, key: &str) -> Step {
        plan.child(node, key.as_bytes(), tag_of(key.as_bytes()))
    }

    fn walk(plan: &Plan, keys: &[&str]) -> Option<u8> {
        let mut node = ROOT;
        for key in keys {
            node = child(plan, node, key).node;
        }
        plan.slot_at(node)
    }

    fn under(plan: &Plan, keys: &[&str]) -> u64 {
        let (mut node, mut bits) = (ROOT, 0);
        for key in keys {
            let step = child(plan, node, key);
            (node, bits) = (step.node, bits | step.under);
        }
        bits
    }

    #[test]
    fn every_split_of_a_path_reaches_its_slot() {
        let plan = plan(&["event.action", "a.b.c", "event"], false);
        let action = plan.slot("event.action");
        assert!(action.is_some());
        assert_eq!(walk(&plan, &["event", "action"]), action);
        assert_eq!(walk(&plan, &["event.action"]), action);
        assert_eq!(walk(&plan, &["event"]), plan.slot("event"));
        let abc = plan.slot("a.b.c");
        for split in [
            &["a", "b", "c"][..],
            &["a.b", "c"],
            &["a", "b.c"],
            &["a.b.c"],
        ] {
            assert_eq!(walk(&plan, split), abc, "{split:?}");
        }
        assert_eq!(walk(&plan, &["a", "b"]), None);
        assert_eq!(walk(&plan, &["event", "act"]), None);
        assert_eq!(walk(&plan, &["ev", "ent.action"]), None);
    }

    #[test]
    fn key_words_pad_short_keys_and_take_the_end_of_long_ones() {
        assert_eq!(key_words(b"ab"), (0x6261, 0));
        assert_eq!(key_words(b"abcdefgh").1, 0);
        let (head, tail) = key_words(b"abcdefghij");
        assert_eq!(head, u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(tail, u64::from_le_bytes(*b"cdefghij"));
    }

    #[test]
    fn too_many_or_empty_paths_give_no_plan() {
        let paths: Vec<String> = (0..=MAX_SLOTS).map(|n| format!("f{n}")).collect();
        assert!(Plan::new(&paths, false).is_none());
        assert!(Plan::new(&paths[1..], false).is_some());
        assert!(Plan::new(&["a", ""], false).is_none());
    }

    #[test]
    fn values_below_a_path_are_under_it_whatever_the_split() {
        let plan = plan(&["a", "a.b.c"], true);
        let a = 1 << plan.slot("a").unwrap_or(0);
        let abc = 1 << plan.slot("a.b.c").unwrap_or(0);
        assert_eq!(under(&plan, &["a.b"]), a);
        assert_eq!(under(&plan, &["a.b.c"]), a);
        assert_eq!(under(&plan, &["a.x"]), a);
        assert_eq!(under(&plan, &["a.b.c.d"]), a | abc);
        assert_eq!(under(&plan, &["ab"]), 0);
        // NOTE: inside a container already under `a`, only what is new
        // is given; the container carries the rest.
        assert_eq!(under(&plan, &["a", "b.c.d"]), abc);
        let exact = self::plan(&["a", "a.b.c"], false);
        assert_eq!(under(&exact, &["a.x"]), 0);
    }
}
