//! Screening one name against several small indexes (re-screening a customer file against
//! the entries a list change touched) without paying the full query cost for every row.
//!
//! - [`AnalysedName`]: the analysis of a name does not depend on the index, so it is done
//!   once and reused for every index ([`Screener::screen_analysed`]).
//! - [`CandidateGate`]: a cheap test that proves a name can produce no candidate in a given
//!   index, so the blocking (with its typo look-ups in the full vocabulary's deletion index)
//!   and the scoring are skipped. It follows [`Screener::units`] unit by unit and answers
//!   `true` whenever a unit *might* reach one of the index's posted forms.
//!
//! Why a `false` is safe: an indexed name only becomes a candidate when its accumulated query
//! share reaches [`MIN_PRESCORE`]. Each blocking unit credits a name at most once, with the
//! unit's weight `w` times a similarity of at most 1, and only through forms posted for that
//! name. So, per indexed name, the sum of `w` over the units that can reach one of its forms
//! bounds its share; when no name's bound reaches the floor there is no candidate, hence no
//! hit. The reach of a unit is over-approximated: typo neighbours by testing the typo rule
//! against every posted form directly (the deletion index can only find fewer), a split word
//! by the names of a half that is posted (the other half posted or within the typo rule of a
//! posted form).

use rustc_hash::FxHashMap;

use super::{
    Corpus, Hit, MIN_PRESCORE, NameForm, Query, Role, Screener, joined_key, keys, letter_mask,
    typo_sim_masked,
};
use crate::blocking::{FIXED, MIN_FUZZY_QUERY};
use crate::prepare::{analyze, canonical_word};

/// A name analysed once (normalised, segmented, romanised, legal forms set aside), to screen
/// against several indexes.
#[derive(Debug, Clone)]
pub struct AnalysedName {
    form: NameForm,
}

impl AnalysedName {
    /// Analyses `name` (any script).
    pub fn new(name: &str) -> AnalysedName {
        AnalysedName { form: analyze(name) }
    }

    /// Whether the name has no comparable token (screening it finds nothing).
    pub fn is_empty(&self) -> bool {
        self.form.tokens.is_empty()
    }
}

impl Screener {
    /// [`Screener::screen`] of a name analysed beforehand; `q.name` is not read. Gives the
    /// same hits as `screen` with `q.name` set to the analysed name.
    pub fn screen_analysed(&self, q: &Query<'_>, name: &AnalysedName) -> Vec<Hit> {
        if name.is_empty() || q.limit == 0 {
            return Vec::new();
        }
        self.screen_form(q, name.form.clone())
    }
}

/// Proves for most names that they have no candidate in one (small) index: when
/// [`CandidateGate::admits`] is `false`, [`Screener::screen`] with that name returns no hit,
/// whatever the query's country, date, lists or limit. Meant for indexes of a few hundred
/// entries (a list change); on a full index almost every name is admitted.
#[derive(Debug, Clone)]
pub struct CandidateGate {
    corpus: std::sync::Arc<Corpus>,
    /// Indexed names whose postings hold a form, as bit sets (`words` words each).
    sets: Vec<Box<[u64]>>,
    words: usize,
    /// Forms with postings in the index -> their set.
    posted: FxHashMap<Box<str>, u32>,
    /// Posted forms of 3 or more bytes with their letter masks and sets, by byte length.
    by_len: Vec<Vec<(Box<str>, u32, u32)>>,
    /// Pieces of a split word that look up a posted form -> its set: the posted forms and
    /// the words whose canonical form ([`canonical_word`]) is posted.
    parts: FxHashMap<Box<str>, u32>,
    /// Byte lengths of `parts` (bit `n` for length `n`; lengths of 128 or more set bit 127).
    part_lens: u128,
}

fn len_bit(len: usize) -> u128 {
    1u128 << len.min(127)
}

fn or_into(acc: &mut [u64], set: &[u64]) {
    for (a, b) in acc.iter_mut().zip(set) {
        *a |= *b;
    }
}

impl CandidateGate {
    /// The gate of `screener`'s index.
    pub fn new(screener: &Screener) -> CandidateGate {
        let corpus = std::sync::Arc::clone(&screener.corpus);
        let words = screener.names.len().div_ceil(64).max(1);
        let mut sets = Vec::new();
        let mut posted = FxHashMap::default();
        let mut by_len: Vec<Vec<(Box<str>, u32, u32)>> = Vec::new();
        for (id, form) in corpus.forms.iter().enumerate() {
            let Ok(id) = u32::try_from(id) else { break };
            let names = screener.postings.get(id).0;
            if names.is_empty() {
                continue;
            }
            let mut set = vec![0u64; words];
            for n in names {
                if let Some(w) = set.get_mut(*n as usize / 64) {
                    *w |= 1u64 << (n % 64);
                }
            }
            let Ok(k) = u32::try_from(sets.len()) else { break };
            sets.push(set.into_boxed_slice());
            posted.insert(form.clone(), k);
            if form.len() >= 3 {
                if by_len.len() <= form.len() {
                    by_len.resize(form.len() + 1, Vec::new());
                }
                if let Some(bucket) = by_len.get_mut(form.len()) {
                    bucket.push((form.clone(), letter_mask(form), k));
                }
            }
        }
        let mut parts = posted.clone();
        for word in crate::tables::tables().phrases.keys() {
            if let Some(k) = canonical_word(word).and_then(|c| posted.get(c)) {
                parts.insert(word.as_str().into(), *k);
            }
        }
        let part_lens = parts.keys().fold(0u128, |m, p| m | len_bit(p.len()));
        CandidateGate { corpus, sets, words, posted, by_len, parts, part_lens }
    }

    /// Number of posted forms (0: the index is empty and admits nothing).
    pub fn forms(&self) -> usize {
        self.posted.len()
    }

    /// `false` only when `name` provably has no candidate in the index (see the module
    /// documentation); `true` means "screen it".
    pub fn admits(&self, name: &AnalysedName) -> bool {
        let q = &name.form;
        if self.posted.is_empty() || q.tokens.is_empty() {
            return false;
        }
        // The units that may reach a posted form: their query tokens and the indexed names
        // they may reach (one bit set per unit).
        let mut reach: Vec<(u64, Vec<u64>)> = Vec::new();
        let mut set = vec![0u64; self.words];
        for (i, t) in q.tokens.iter().enumerate().take(64) {
            if t.role == Role::Stop {
                continue;
            }
            let bit = 1u64 << i;
            set.fill(0);
            let mut any = self.posted_into(&t.form, &mut set);
            for a in &t.alts {
                any |= self.posted_into(a, &mut set);
            }
            if t.role == Role::Distinctive && t.form.len() >= MIN_FUZZY_QUERY {
                any |= self.near_into(&t.form, &mut set);
            }
            if any {
                reach.push((bit, set.clone()));
            }
            let splittable = |f: &str| f.len() >= 3 && f.is_ascii();
            let own = (t.role == Role::Distinctive && splittable(&t.form)).then_some(&t.form);
            let alts =
                t.alts.iter().filter(|a| t.role != Role::Number && a.len() >= 4 && splittable(a));
            for f in own.into_iter().chain(alts) {
                for cut in 1..f.len().saturating_sub(1) {
                    let (Some(l), Some(r)) = (f.get(..cut), f.get(cut..)) else { continue };
                    let (pl, pr) = (self.part(l), self.part(r));
                    // A pair unit credits names holding both halves: those of a posted half
                    // bound them.
                    let half = match (pl, pr) {
                        (Some(a), Some(_)) => Some(a),
                        (Some(a), None) if r.len() >= 5 && self.near(r) => Some(a),
                        (None, Some(b)) if l.len() >= 5 && self.near(l) => Some(b),
                        _ => None,
                    };
                    if let Some(k) = half.and_then(|k| self.sets.get(k as usize)) {
                        reach.push((bit, k.to_vec()));
                    }
                }
            }
        }
        let n = q.tokens.len().min(64);
        let mut text = String::new();
        for start in 0..n {
            text.clear();
            let mut mask = 0u64;
            for end in start..n.min(start + 4) {
                let Some(t) = q.tokens.get(end) else { break };
                if t.role == Role::Stop {
                    break;
                }
                text.push_str(&t.form);
                mask |= 1u64 << end;
                if end == start {
                    continue;
                }
                set.fill(0);
                let mut any = self.posted_into(&text, &mut set);
                if end == start + 1
                    && text.len() >= MIN_FUZZY_QUERY
                    && text.len() <= 8
                    && text.is_ascii()
                {
                    any |= self.near_into(&text, &mut set);
                }
                if any {
                    reach.push((mask, set.clone()));
                }
            }
        }
        if let Some((key, mask)) = joined_key(q) {
            set.fill(0);
            if self.posted_into(&key, &mut set) {
                reach.push((mask, set));
            }
        }
        if reach.is_empty() {
            return false;
        }
        // Weights as the index computes them for this query (its corpus statistics).
        let k = keys(q, &self.corpus);
        let share = |mask: u64| -> f32 {
            (0..n).filter(|i| mask & (1u64 << i) != 0).filter_map(|i| k.weights.get(i)).sum::<f32>()
                / k.total
        };
        // Each unit's credit is rounded to the accumulators' fixed point (half a step at
        // most); a little more for float sums.
        #[expect(clippy::cast_precision_loss, reason = "a handful of units")]
        let slack = reach.len() as f32 / FIXED + 1e-3;
        let mut bound = vec![0f32; self.words * 64];
        for (mask, set) in &reach {
            let w = share(*mask);
            for (wi, word) in set.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    if let Some(b) = bound.get_mut(wi * 64 + bits.trailing_zeros() as usize) {
                        *b += w;
                    }
                    bits &= bits - 1;
                }
            }
        }
        bound.iter().any(|b| b + slack >= MIN_PRESCORE)
    }

    /// Adds the names of `form` to `set` when it is posted.
    fn posted_into(&self, form: &str, set: &mut [u64]) -> bool {
        match self.posted.get(form).and_then(|k| self.sets.get(*k as usize)) {
            Some(s) => {
                or_into(set, s);
                true
            }
            None => false,
        }
    }

    /// The set of a piece of a split word that looks up a posted form, as written or
    /// canonical.
    fn part(&self, piece: &str) -> Option<u32> {
        if self.part_lens & len_bit(piece.len()) == 0 {
            return None;
        }
        self.parts.get(piece).copied()
    }

    /// Posted forms within the typo rule of `word` (`f` is called with the set of each).
    fn near_each(&self, word: &str, mut f: impl FnMut(u32) -> bool) -> bool {
        let len = word.len();
        if len < 3 {
            return false;
        }
        let m = letter_mask(word);
        let lo = len.saturating_sub(2).max(3);
        let mut any = false;
        for (form, fm, k) in (lo..=len + 2).filter_map(|l| self.by_len.get(l)).flatten() {
            if typo_sim_masked(word, m, form, *fm).is_some() {
                any = true;
                if !f(*k) {
                    break;
                }
            }
        }
        any
    }

    /// Whether some posted form is within the typo rule of `word`.
    fn near(&self, word: &str) -> bool {
        self.near_each(word, |_| false)
    }

    /// Adds the names of every posted form within the typo rule of `word` to `set`.
    fn near_into(&self, word: &str, set: &mut [u64]) -> bool {
        self.near_each(word, |k| {
            if let Some(s) = self.sets.get(k as usize) {
                or_into(set, s);
            }
            true
        })
    }
}
