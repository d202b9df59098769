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
//! Why a `false` is safe: a name only becomes a candidate when its accumulated query share
//! reaches [`MIN_PRESCORE`]. Each blocking unit credits a name at most once, with its weight
//! `w` times a similarity of at most 1, and only through forms that have postings in the
//! index. So the sum of `w` over the units that can reach a posted form bounds every name's
//! share; below the floor there is no candidate, hence no hit. Typo neighbours are
//! over-approximated by testing the typo rule against every posted form directly (the
//! deletion index can only find fewer), split words by requiring one half to be posted and
//! the other posted or within the typo rule of a posted form.

use rustc_hash::FxHashSet;

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
    /// Forms with postings in the index.
    posted: FxHashSet<Box<str>>,
    /// Posted forms of 3 or more bytes with their letter masks, by byte length.
    by_len: Vec<Vec<(Box<str>, u32)>>,
}

impl CandidateGate {
    /// The gate of `screener`'s index.
    pub fn new(screener: &Screener) -> CandidateGate {
        let corpus = std::sync::Arc::clone(&screener.corpus);
        let mut posted = FxHashSet::default();
        let mut by_len: Vec<Vec<(Box<str>, u32)>> = Vec::new();
        for (id, form) in corpus.forms.iter().enumerate() {
            let Ok(id) = u32::try_from(id) else { break };
            if screener.postings.get(id).0.is_empty() {
                continue;
            }
            posted.insert(form.clone());
            if form.len() >= 3 {
                if by_len.len() <= form.len() {
                    by_len.resize(form.len() + 1, Vec::new());
                }
                if let Some(bucket) = by_len.get_mut(form.len()) {
                    bucket.push((form.clone(), letter_mask(form)));
                }
            }
        }
        CandidateGate { corpus, posted, by_len }
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
        // Query-token masks of the units that may reach a posted form, one per unit.
        let mut reach: Vec<u64> = Vec::new();
        for (i, t) in q.tokens.iter().enumerate().take(64) {
            if t.role == Role::Stop {
                continue;
            }
            let bit = 1u64 << i;
            let typos = t.role == Role::Distinctive && t.form.len() >= MIN_FUZZY_QUERY;
            if self.has(&t.form)
                || t.alts.iter().any(|a| self.has(a))
                || (typos && self.near(&t.form))
            {
                reach.push(bit);
            }
            let splittable = |f: &str| f.len() >= 3 && f.is_ascii();
            let own = (t.role == Role::Distinctive && splittable(&t.form)).then_some(&t.form);
            let alts =
                t.alts.iter().filter(|a| t.role != Role::Number && a.len() >= 4 && splittable(a));
            for f in own.into_iter().chain(alts) {
                for cut in 1..f.len().saturating_sub(1) {
                    let (Some(l), Some(r)) = (f.get(..cut), f.get(cut..)) else { continue };
                    let (pl, pr) = (self.part(l), self.part(r));
                    let pair = (pl && (pr || (r.len() >= 5 && self.near(r))))
                        || (pr && l.len() >= 5 && self.near(l));
                    if pair {
                        reach.push(bit);
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
                let short = end == start + 1
                    && text.len() >= MIN_FUZZY_QUERY
                    && text.len() <= 8
                    && text.is_ascii();
                if self.has(&text) || (short && self.near(&text)) {
                    reach.push(mask);
                }
            }
        }
        if let Some((key, mask)) = joined_key(q)
            && self.has(&key)
        {
            reach.push(mask);
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
        let bound: f32 = reach.iter().map(|m| share(*m)).sum();
        // Each unit's credit is rounded to the accumulators' fixed point (half a step at
        // most); a little more for float sums.
        #[expect(clippy::cast_precision_loss, reason = "a handful of units")]
        let slack = reach.len() as f32 / FIXED + 1e-3;
        bound + slack >= MIN_PRESCORE
    }

    fn has(&self, form: &str) -> bool {
        self.posted.contains(form)
    }

    /// A piece of a split word that looks up a posted form, as written or canonical.
    fn part(&self, piece: &str) -> bool {
        self.has(piece) || canonical_word(piece).is_some_and(|c| self.has(c))
    }

    /// Whether some posted form is within the typo rule of `word`.
    fn near(&self, word: &str) -> bool {
        let len = word.len();
        if len < 3 {
            return false;
        }
        let m = letter_mask(word);
        let lo = len.saturating_sub(2).max(3);
        (lo..=len + 2)
            .filter_map(|l| self.by_len.get(l))
            .flatten()
            .any(|(f, fm)| typo_sim_masked(word, m, f, *fm).is_some())
    }
}
