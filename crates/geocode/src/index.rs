//! The name index: every name, alternate name and demonym of every entry, by the hash of its key,
//! plus the keys' word prefixes so a multi-word name is found by extending one word at a time.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Names longer than this many words are not indexed.
pub(crate) const MAX_WORDS: usize = 8;

/// A candidate is an entry index with two flags.
pub(crate) const ALT: u32 = 1 << 29;
pub(crate) const DEMONYM: u32 = 1 << 30;
/// A division's name without its administrative term ("Idlib" of "Idlib Governorate"): it names
/// the division only with a term after it ("Idlib province").
pub(crate) const BARE: u32 = 1 << 31;
const INDEX_MASK: u32 = (1 << 29) - 1;

/// One thing a name may refer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Cand(pub u32);

impl Cand {
    pub fn entry(self) -> usize {
        (self.0 & INDEX_MASK) as usize
    }
    /// Named by an alternate name rather than its main name.
    pub fn alt(self) -> bool {
        self.0 & ALT != 0
    }
    /// Named by a demonym or adjective ("Azerbaijani").
    pub fn demonym(self) -> bool {
        self.0 & DEMONYM != 0
    }
    /// Named by a division's name without its term; see [`BARE`].
    pub fn bare(self) -> bool {
        self.0 & BARE != 0
    }
}

/// FNV-1a over a key built word by word, so prefixes hash as they grow.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyHash(u64);

impl KeyHash {
    pub fn new() -> KeyHash {
        KeyHash(0xcbf2_9ce4_8422_2325)
    }
    /// The start of a key in the namespace of romanisation skeletons, so a skeleton is found
    /// only by a skeleton lookup and never takes over a name spelled as the text spells it.
    pub fn skeletons() -> KeyHash {
        KeyHash::new().word("\u{1}")
    }

    pub fn word(mut self, key: &str) -> KeyHash {
        if self.0 != 0xcbf2_9ce4_8422_2325 {
            self = self.byte(b' ');
        }
        for b in key.bytes() {
            self = self.byte(b);
        }
        self
    }
    fn byte(self, b: u8) -> KeyHash {
        KeyHash((self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    }
    /// The final, well-mixed value (splitmix64 finaliser).
    pub fn finish(self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A hasher for keys that are already hashes.
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type PreMap<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;
type PreSet = HashSet<u64, BuildHasherDefault<Prehashed>>;

/// The hash state of all words of `key` but the last (each in its [`article_form`]), calling
/// `prefix` with the state after each of them, and the last word.
///
/// [`article_form`]: crate::fold::article_form
pub(crate) fn key_prefix(key: &str, mut prefix: impl FnMut(u64)) -> (KeyHash, &str) {
    let mut h = KeyHash::new();
    let mut words = key.split(' ').peekable();
    while let Some(w) = words.next() {
        if words.peek().is_none() {
            return (h, w);
        }
        h = h.word(crate::fold::article_form(w));
        prefix(h.finish());
    }
    (h, "")
}

/// Names by key hash, in two shards by the hash's top bit, built on two threads.
#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    shards: [Shard; 2],
}

/// The names whose key hash has one value of the top bit.
#[derive(Debug, Default)]
struct Shard {
    ranges: PreMap<(u32, u32)>,
    cands: Vec<Cand>,
    prefixes: PreSet,
}

impl Shard {
    fn build(mut pairs: Vec<(u64, u32)>, mut prefix_hashes: Vec<u64>) -> Shard {
        pairs.sort_unstable();
        pairs.dedup();
        let mut ranges: PreMap<(u32, u32)> = PreMap::default();
        ranges.reserve(pairs.len());
        let mut cands = Vec::with_capacity(pairs.len());
        let mut i = 0;
        while i < pairs.len() {
            let h = pairs[i].0;
            let start = cands.len();
            while i < pairs.len() && pairs[i].0 == h {
                cands.push(Cand(pairs[i].1));
                i += 1;
            }
            // Casts: an index of a few million names fits u32.
            ranges.insert(h, (start as u32, (cands.len() - start) as u32));
        }
        prefix_hashes.sort_unstable();
        prefix_hashes.dedup();
        let mut prefixes = PreSet::default();
        prefixes.extend(prefix_hashes);
        Shard {
            ranges,
            cands,
            prefixes,
        }
    }
}

fn shard_of(h: u64) -> usize {
    (h >> 63) as usize
}

/// Collects names before the index is frozen.
#[derive(Debug, Default)]
pub(crate) struct IndexBuilder {
    pairs: Vec<(u64, u32)>,
    prefixes: Vec<u64>,
    scratch: crate::fold::KeyScratch,
    key: String,
}

impl IndexBuilder {
    pub fn with_capacity(names: usize) -> IndexBuilder {
        IndexBuilder {
            pairs: Vec::with_capacity(names),
            prefixes: Vec::with_capacity(names / 2),
            scratch: Default::default(),
            key: String::new(),
        }
    }

    /// Takes in the names `other` collected.
    pub fn append(&mut self, mut other: IndexBuilder) {
        self.pairs.append(&mut other.pairs);
        self.prefixes.append(&mut other.prefixes);
    }

    /// Adds `name` (any spelling; it is reduced to its key) as a name of `cand`.
    pub fn add(&mut self, name: &str, cand: u32) {
        self.add_keyed(name, cand, false);
    }

    /// Adds the romanisation skeleton of `name` (see [`crate::fold::romanisation_skeleton`])
    /// as a name of `cand`, in the skeletons' namespace ([`KeyHash::skeletons`]).
    pub fn add_skeleton(&mut self, name: &str, cand: u32) {
        self.add_keyed(name, cand, true);
    }

    fn add_keyed(&mut self, name: &str, cand: u32, skeleton: bool) {
        // One word behind: a word is hashed as a non-final word once the next one arrives.
        let pending = &mut self.key;
        pending.clear();
        let mut h = if skeleton {
            KeyHash::skeletons()
        } else {
            KeyHash::new()
        };
        let mut words = 0;
        let prefixes = &mut self.prefixes;
        crate::fold::for_each_key_word_in(name, &mut self.scratch, |w| {
            if words > 0 {
                h = h.word(crate::fold::article_form(pending));
                prefixes.push(h.finish());
                pending.clear();
            }
            if skeleton {
                pending.push_str(&crate::fold::romanisation_skeleton(w));
            } else {
                pending.push_str(w);
            }
            words += 1;
        });
        if (1..=MAX_WORDS).contains(&words) {
            self.pairs.push((h.word(pending).finish(), cand));
        }
    }

    pub fn build(self) -> NameIndex {
        let (pairs_hi, pairs_lo): (Vec<_>, Vec<_>) =
            self.pairs.into_iter().partition(|p| shard_of(p.0) == 1);
        let (prefixes_hi, prefixes_lo): (Vec<u64>, Vec<u64>) =
            self.prefixes.into_iter().partition(|&p| shard_of(p) == 1);
        let (lo, hi) = std::thread::scope(|s| {
            let hi = s.spawn(|| Shard::build(pairs_hi, prefixes_hi));
            let lo = Shard::build(pairs_lo, prefixes_lo);
            (
                lo,
                hi.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            )
        });
        NameIndex { shards: [lo, hi] }
    }
}

impl NameIndex {
    /// The candidates of a key hash.
    pub fn get(&self, h: u64) -> &[Cand] {
        let shard = &self.shards[shard_of(h)];
        match shard.ranges.get(&h) {
            Some(&(s, n)) => &shard.cands[s as usize..(s + n) as usize],
            None => &[],
        }
    }

    /// True when some longer name starts with these words.
    pub fn is_prefix(&self, h: u64) -> bool {
        self.shards[shard_of(h)].prefixes.contains(&h)
    }

    /// Number of distinct keys.
    pub fn keys(&self) -> usize {
        self.shards.iter().map(|s| s.ranges.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_names_are_found_word_by_word() {
        let mut b = IndexBuilder::default();
        b.add("nagorno karabakh", 7);
        b.add("kyiv", 3 | ALT);
        let idx = b.build();
        let nag = KeyHash::new().word("nagorno");
        assert!(idx.is_prefix(nag.finish()));
        assert!(idx.get(nag.finish()).is_empty());
        assert_eq!(idx.get(nag.word("karabakh").finish()), &[Cand(7)]);
        let kyiv = idx.get(KeyHash::new().word("kyiv").finish());
        assert_eq!(
            (kyiv[0].entry(), kyiv[0].alt(), kyiv[0].demonym()),
            (3, true, false)
        );
        assert_eq!(idx.keys(), 2);
    }
}
