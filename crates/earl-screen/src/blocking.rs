//! Candidate generation ("blocking"): which indexed names are worth aligning with a query.
//!
//! Everything works on interned form ids. A query contributes *units*: each token's exact
//! form and alternative readings, its typo neighbours in the vocabulary (found through a
//! deletion-neighbourhood index, SymSpell-style, and verified with the scorer's own typo
//! rule), adjacent tokens joined (`Zhong Ke` -> `zhongke`), tokens split into two vocabulary
//! words (`MAKlogistics` -> `mak` + `logistics`), and the joined distinctive key of the whole
//! query (`zhongkeshuguang`, matched against the same key of every indexed name). Walking a
//! unit's posting lists accumulates, per name, the matched share of the query weight and of
//! the name's own weight into dense per-thread slots (no hashing, no allocation per query).
//! The best names by that cheap pre-score are re-ranked with every query word (also the
//! generic ones that were too common to walk) and only the top few reach the aligner.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

/// Posting lists over interned form ids in compressed-row form: for each id, the names
/// containing the form (ascending) and the weight share of that form in each name (fixed
/// point, [`FIXED`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Postings {
    off: Vec<u32>,
    names: Vec<u32>,
    share: Vec<u16>,
}

impl Postings {
    /// From `(id, name, share)` triples given in ascending name order; ids below `vocab`.
    pub(crate) fn build(vocab: usize, triples: &[(u32, u32, f32)]) -> Postings {
        let mut off = vec![0u32; vocab + 1];
        for (id, _, _) in triples {
            if let Some(c) = off.get_mut(usize::try_from(*id).unwrap_or(usize::MAX) + 1) {
                *c += 1;
            }
        }
        for i in 1..off.len() {
            let prev = off.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = off.get_mut(i) {
                *c += prev;
            }
        }
        let total = off.last().copied().unwrap_or(0) as usize;
        let mut names = vec![0u32; total];
        let mut share = vec![0u16; total];
        let mut fill: Vec<u32> = off.clone();
        for (id, name, s) in triples {
            let Some(pos) = fill.get_mut(usize::try_from(*id).unwrap_or(usize::MAX)) else {
                continue;
            };
            let p = *pos as usize;
            *pos += 1;
            if let (Some(n), Some(x)) = (names.get_mut(p), share.get_mut(p)) {
                *n = *name;
                *x = fixed(*s);
            }
        }
        Postings { off, names, share }
    }

    /// Names containing form `id` and the form's weight share in each (fixed point).
    pub(crate) fn get(&self, id: u32) -> (&[u32], &[u16]) {
        let i = usize::try_from(id).unwrap_or(usize::MAX);
        let (Some(a), Some(b)) = (self.off.get(i), self.off.get(i.wrapping_add(1))) else {
            return (&[], &[]);
        };
        let r = *a as usize..*b as usize;
        (self.names.get(r.clone()).unwrap_or(&[]), self.share.get(r).unwrap_or(&[]))
    }

    /// Total number of postings.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// Leading bytes of a word that its deletion keys are built from: typos further in still
/// leave the prefix (and so one key) intact.
const PREFIX: usize = 10;

/// Deletions per key: one for words up to 7 letters, two for longer words.
fn deletions(len: usize) -> usize {
    if len >= 8 { 2 } else { 1 }
}

fn key_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.write_usize(bytes.len());
    h.finish()
}

/// Calls `f` with the hash of every deletion key of `word`: its prefix with up to
/// [`deletions`] bytes removed.
fn for_each_key(word: &[u8], mut f: impl FnMut(u64)) {
    let p = word.get(..word.len().min(PREFIX)).unwrap_or(word);
    let d = deletions(word.len());
    let mut buf = [0u8; PREFIX];
    f(key_hash(p));
    for i in 0..p.len() {
        let mut k = 0;
        for (x, c) in p.iter().enumerate() {
            if x != i
                && let Some(slot) = buf.get_mut(k)
            {
                *slot = *c;
                k += 1;
            }
        }
        f(key_hash(buf.get(..k).unwrap_or(&[])));
        if d < 2 {
            continue;
        }
        for j in i + 1..p.len() {
            let mut k = 0;
            for (x, c) in p.iter().enumerate() {
                if x != i
                    && x != j
                    && let Some(slot) = buf.get_mut(k)
                {
                    *slot = *c;
                    k += 1;
                }
            }
            f(key_hash(buf.get(..k).unwrap_or(&[])));
        }
    }
}

/// Deletion-neighbourhood index over vocabulary words: two words within the typo budget share
/// a key, so a query word's keys find its candidate typo partners in a few hash look-ups.
/// Keys are 64-bit hashes; collisions only add candidates, which are verified afterwards.
#[derive(Debug, Default)]
pub(crate) struct DeletionIndex {
    map: FxHashMap<u64, (u32, u32)>,
    ids: Vec<u32>,
}

/// Shortest vocabulary word in the deletion index (a 3-letter word can be a typo partner of
/// a 4-letter one).
pub(crate) const MIN_FUZZY_INDEXED: usize = 3;
/// Shortest query word looked up for typos (shorter words cannot reach the typo similarity
/// floor).
pub(crate) const MIN_FUZZY_QUERY: usize = 4;

impl DeletionIndex {
    /// Indexes `(id, word)` pairs; words shorter than [`MIN_FUZZY_INDEXED`] are left out.
    pub(crate) fn build<'a>(words: impl Iterator<Item = (u32, &'a str)>) -> DeletionIndex {
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (id, w) in words {
            if w.len() < MIN_FUZZY_INDEXED {
                continue;
            }
            for_each_key(w.as_bytes(), |k| pairs.push((k, id)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut map: FxHashMap<u64, (u32, u32)> = FxHashMap::default();
        map.reserve(pairs.len() / 2);
        let mut ids = Vec::with_capacity(pairs.len());
        let mut i = 0;
        while let Some((key, _)) = pairs.get(i) {
            let start = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            while let Some((k, id)) = pairs.get(i)
                && k == key
            {
                ids.push(*id);
                i += 1;
            }
            let len = u32::try_from(ids.len()).unwrap_or(u32::MAX) - start;
            map.insert(*key, (start, len));
        }
        DeletionIndex { map, ids }
    }

    /// Appends the ids of indexed words sharing a deletion key with `word` (unsorted, may
    /// repeat).
    pub(crate) fn candidates(&self, word: &str, out: &mut Vec<u32>) {
        for_each_key(word.as_bytes(), |k| {
            if let Some((s, l)) = self.map.get(&k) {
                let r = *s as usize..(*s + *l) as usize;
                out.extend_from_slice(self.ids.get(r).unwrap_or(&[]));
            }
        });
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }
}

/// Per-name accumulator of the current query, packed into 8 bytes so the whole array
/// (one slot per indexed name) stays small enough for the core's caches.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Stamp of the query that last touched this name.
    seen: u16,
    /// Stamp of the unit that last credited this name.
    unit: u16,
    /// Matched share of the query weight, fixed point ([`FIXED`]).
    q: u16,
    /// Matched share of the name's weight, fixed point.
    l: u16,
}

/// Fixed-point scale of the accumulated shares (sums up to 8 are representable).
pub(crate) const FIXED: f32 = 8192.0;

/// `share * sim` for a fixed-point share and a similarity in [0, 1] given in 1/32768 units.
#[inline]
pub(crate) fn scale(share: u16, sim_q15: u32) -> u16 {
    u16::try_from((u32::from(share) * sim_q15) >> 15).unwrap_or(u16::MAX)
}

/// A similarity in [0, 1] in 1/32768 units, for [`scale`].
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "clamped to [0, 32768] first"
)]
pub(crate) fn q15(sim: f32) -> u32 {
    (sim.clamp(0.0, 1.0) * 32768.0) as u32
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "clamped to the u16 range first"
)]
#[inline]
pub(crate) fn fixed(x: f32) -> u16 {
    // `as` truncates; adding one half rounds (shares are never negative). No `round()`: it is
    // a library call on this target.
    (x * FIXED + 0.5).clamp(0.0, f32::from(u16::MAX)) as u16
}

/// Matched shares of a candidate name: of the query weight and of the name's own weight.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shares {
    pub acc_q: f32,
    pub acc_l: f32,
}

/// Dense per-thread accumulators, one slot per indexed name, reused across queries: a query
/// touches only the slots of names in its posting lists, and stamps make clearing free.
#[derive(Debug, Default)]
pub(crate) struct Accumulators {
    slots: Vec<Slot>,
    /// Names touched by the current query.
    pub touched: Vec<u32>,
    stamp: u16,
    query: u16,
}

impl Accumulators {
    /// Starts a query over `names` indexed names.
    pub(crate) fn begin(&mut self, names: usize) {
        if self.slots.len() < names {
            self.slots.resize(names, Slot::default());
        }
        self.touched.clear();
        self.query = self.next_stamp();
    }

    fn next_stamp(&mut self) -> u16 {
        if self.stamp == u16::MAX {
            // Wrapped (every few thousand queries): forget every old stamp. A query in
            // progress keeps what it accumulated, under the new stamps.
            let kept: Vec<(u32, Slot)> = self
                .touched
                .iter()
                .filter_map(|n| self.slots.get(*n as usize).map(|s| (*n, *s)))
                .collect();
            self.slots.fill(Slot::default());
            self.stamp = 1;
            self.query = 1;
            for (n, s) in kept {
                if let Some(slot) = self.slots.get_mut(n as usize) {
                    *slot = Slot { seen: 1, unit: 0, ..s };
                }
            }
        }
        self.stamp += 1;
        self.stamp
    }

    /// Starts a unit: each name is credited at most once per unit.
    pub(crate) fn unit(&mut self) -> u16 {
        self.next_stamp()
    }

    /// Credits name `n` for unit `u` with query share `q` and name share `l`, both fixed
    /// point (once per unit: the first, best, credit counts).
    #[inline]
    pub(crate) fn credit(&mut self, n: u32, u: u16, q: u16, l: u16) {
        let Some(s) = self.slots.get_mut(n as usize) else { return };
        if s.seen != self.query {
            *s = Slot { seen: self.query, unit: u, q, l };
            self.touched.push(n);
        } else if s.unit != u {
            s.unit = u;
            s.q = s.q.saturating_add(q);
            s.l = s.l.saturating_add(l);
        }
    }

    /// The accumulated shares of a touched name.
    pub(crate) fn shares(&self, n: u32) -> Shares {
        self.slots.get(n as usize).map_or(Shares::default(), |s| Shares {
            acc_q: f32::from(s.q) / FIXED,
            acc_l: f32::from(s.l) / FIXED,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::osa_distance;

    fn neighbours(idx: &DeletionIndex, w: &str) -> Vec<u32> {
        let mut v = Vec::new();
        idx.candidates(w, &mut v);
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn deletion_index_finds_typos_within_budget() {
        let words = ["huawei", "sugon", "shuguang", "cambrian", "zhongkeshuguang", "naura"];
        let idx = DeletionIndex::build(words.iter().enumerate().map(|(i, w)| (i as u32, *w)));
        assert!(neighbours(&idx, "huawie").contains(&0));
        assert!(neighbours(&idx, "sugno").contains(&1));
        assert!(neighbours(&idx, "shugang").contains(&2));
        assert!(neighbours(&idx, "camrbian").contains(&3));
        assert!(neighbours(&idx, "zhongkeshugang").contains(&4));
        assert!(neighbours(&idx, "narua").contains(&5));
        assert!(!neighbours(&idx, "tesla").contains(&0));
    }

    proptest::proptest! {
        #[test]
        fn one_edit_is_always_found(w in "[a-z]{3,14}", pos in 0usize..14, c in "[a-z]", op in 0u8..4) {
            let b = w.as_bytes();
            let p = pos % b.len();
            let mut t: Vec<u8> = b.to_vec();
            match op {
                0 => t[p] = c.as_bytes()[0],
                1 => t.insert(p, c.as_bytes()[0]),
                2 => { t.remove(p); }
                _ => if p + 1 < t.len() { t.swap(p, p + 1) },
            }
            let t = String::from_utf8(t).unwrap();
            proptest::prop_assume!(osa_distance(w.as_bytes(), t.as_bytes(), 3) <= 1);
            let idx = DeletionIndex::build(std::iter::once((7u32, w.as_str())));
            if t.len() >= MIN_FUZZY_INDEXED {
                proptest::prop_assert!(neighbours(&idx, &t).contains(&7), "{} / {}", w, t);
            }
        }
    }

    #[test]
    fn accumulators_survive_stamp_wrap_around() {
        let mut acc = Accumulators::default();
        for _ in 0..70_000 {
            acc.begin(4);
            let u = acc.unit();
            acc.credit(1, u, fixed(0.5), fixed(0.25));
            acc.credit(1, u, fixed(0.5), fixed(0.25));
            let u = acc.unit();
            acc.credit(1, u, fixed(0.25), fixed(0.25));
            acc.credit(2, u, fixed(1.0), fixed(1.0));
            assert_eq!(acc.touched, [1, 2]);
            let s = acc.shares(1);
            assert!((s.acc_q - 0.75).abs() < 1e-3 && (s.acc_l - 0.5).abs() < 1e-3);
        }
    }

    #[test]
    fn postings_are_grouped_by_id_in_name_order() {
        let p = Postings::build(3, &[(2, 0, 0.5), (0, 0, 0.5), (2, 1, 1.0), (1, 3, 1.0)]);
        assert_eq!(p.get(2), (&[0u32, 1][..], &[fixed(0.5), fixed(1.0)][..]));
        assert_eq!(p.get(0).0, &[0]);
        assert_eq!(p.get(1).0, &[3]);
        assert_eq!(p.get(9).0.len(), 0);
        assert_eq!(p.len(), 4);
    }
}
