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
//! posted form). Names are folded onto 256 bits (name `n` on bit `n % 256`): on a larger
//! index a bit's bound covers several names, which only makes it larger.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;

use super::{
    Corpus, Hit, MIN_PRESCORE, NameForm, Query, Role, Screener, Token, adjacent_runs, joined_key,
    keys, letter_mask, typo_sim_masked,
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

/// Indexed names as bits, name `n` on bit `n % 256`.
type Set = [u64; 4];

fn add_name(set: &mut Set, n: u32) {
    let b = n as usize % 256;
    if let Some(w) = set.get_mut(b / 64) {
        *w |= 1u64 << (b % 64);
    }
}

fn or_into(acc: &mut Set, set: &Set) {
    for (a, b) in acc.iter_mut().zip(set) {
        *a |= *b;
    }
}

/// Units one query may have before the gate stops counting and admits it.
const MAX_UNITS: usize = 48;

/// A per-thread memo: results by key, and a buffer to build keys in.
type Memo<T> = (FxHashMap<Box<str>, T>, String);

/// Distinguishes gates in the per-thread memos.
static NEXT_GATE: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Typo look-ups already made by this thread, per gate and word: the names of the
    /// posted forms within the typo rule (`None`: none). Customer files repeat their words.
    static NEAR: RefCell<Memo<Option<Set>>> = RefCell::new((FxHashMap::default(), String::new()));
}

thread_local! {
    /// Units of single tokens already worked out by this thread, per gate, role, form and
    /// alternative forms (see [`CandidateGate::token_units`]).
    static TOKENS: RefCell<Memo<Box<[Set]>>> = RefCell::new((FxHashMap::default(), String::new()));
}

/// Entries in each per-thread memo before it is emptied (memory stays bounded).
const MEMO_ENTRIES: usize = 1 << 16;

/// Proves for most names that they have no candidate in one (small) index: when
/// [`CandidateGate::admits`] is `false`, [`Screener::screen`] with that name returns no hit,
/// whatever the query's country, date, lists or limit. Meant for indexes of a few hundred
/// entries (a list change); on a full index almost every name is admitted.
#[derive(Debug, Clone)]
pub struct CandidateGate {
    corpus: std::sync::Arc<Corpus>,
    /// This gate's key prefix in the per-thread memo of typo look-ups.
    memo_prefix: Box<str>,
    /// Forms with postings in the index -> the names holding them.
    posted: FxHashMap<Box<str>, Set>,
    /// Posted forms of 3 or more bytes with their letter masks and names, by byte length.
    by_len: Vec<Vec<(Box<str>, u32, Set)>>,
    /// Pieces of a split word that look up a posted form -> its names: the posted forms and
    /// the words whose canonical form ([`canonical_word`]) is posted.
    parts: FxHashMap<Box<str>, Set>,
    /// Byte lengths of `parts` (bit `n` for length `n`; lengths of 128 or more set bit 127).
    part_lens: u128,
}

fn len_bit(len: usize) -> u128 {
    1u128 << len.min(127)
}

impl CandidateGate {
    /// The gate of `screener`'s index.
    pub fn new(screener: &Screener) -> CandidateGate {
        let corpus = std::sync::Arc::clone(&screener.corpus);
        let mut posted = FxHashMap::default();
        let mut by_len: Vec<Vec<(Box<str>, u32, Set)>> = Vec::new();
        for (id, form) in corpus.forms.iter().enumerate() {
            let Ok(id) = u32::try_from(id) else { break };
            let names = screener.postings.get(id).0;
            if names.is_empty() {
                continue;
            }
            let mut set = Set::default();
            for n in names {
                add_name(&mut set, *n);
            }
            posted.insert(form.clone(), set);
            if form.len() >= 3 {
                if by_len.len() <= form.len() {
                    by_len.resize(form.len() + 1, Vec::new());
                }
                if let Some(bucket) = by_len.get_mut(form.len()) {
                    bucket.push((form.clone(), letter_mask(form), set));
                }
            }
        }
        let mut parts = posted.clone();
        for word in crate::tables::tables().phrases.keys() {
            if let Some(set) = canonical_word(word).and_then(|c| posted.get(c)) {
                parts.insert(word.as_str().into(), *set);
            }
        }
        let part_lens = parts.keys().fold(0u128, |m, p| m | len_bit(p.len()));
        let memo_prefix = format!("{}\u{1}", NEXT_GATE.fetch_add(1, Ordering::Relaxed)).into();
        CandidateGate { corpus, memo_prefix, posted, by_len, parts, part_lens }
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
        // they may reach.
        let mut reach = [(0u64, Set::default()); MAX_UNITS];
        let mut units = 0usize;
        let mut push = |mask: u64, set: Set| {
            if let Some(slot) = reach.get_mut(units) {
                *slot = (mask, set);
            }
            units += 1;
        };
        for (i, t) in q.tokens.iter().enumerate().take(64) {
            if t.role == Role::Stop {
                continue;
            }
            self.token_units(t, |set| push(1u64 << i, set));
        }
        let n = q.tokens.len().min(64);
        let mut text = String::new();
        adjacent_runs(&q.tokens, &mut text, |start, end, mask, text| {
            let mut set = Set::default();
            let mut any = self.posted_into(text, &mut set);
            if end == start + 1
                && text.len() >= MIN_FUZZY_QUERY
                && text.len() <= 8
                && text.is_ascii()
                && let Some(near) = self.near(text)
            {
                or_into(&mut set, &near);
                any = true;
            }
            if any {
                push(mask, set);
            }
        });
        if let Some((key, mask)) = joined_key(q) {
            let mut set = Set::default();
            if self.posted_into(&key, &mut set) {
                push(mask, set);
            }
        }
        if units == 0 {
            return false;
        }
        if units > MAX_UNITS {
            return true;
        }
        // Weights as the index computes them for this query (its corpus statistics).
        let k = keys(q, &self.corpus);
        let share = |mask: u64| -> f32 {
            (0..n).filter(|i| mask & (1u64 << i) != 0).filter_map(|i| k.weights.get(i)).sum::<f32>()
                / k.total
        };
        // Each unit's credit is rounded to the accumulators' fixed point (half a step at
        // most); a little more for float sums.
        #[expect(clippy::cast_precision_loss, reason = "at most MAX_UNITS")]
        let slack = units as f32 / FIXED + 1e-3;
        let mut bound = [0f32; 256];
        for (mask, set) in reach.iter().take(units) {
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

    /// Calls `f` with the names of each unit of token `t` alone (its forms and typo
    /// neighbours; each split into two words) that may reach a posted form. Memoised per
    /// thread: customer files repeat their words.
    fn token_units(&self, t: &Token, mut f: impl FnMut(Set)) {
        let found = TOKENS.with(|cell| {
            let Ok(mut memo) = cell.try_borrow_mut() else { return None };
            let (map, key) = &mut *memo;
            key.clear();
            key.push_str(&self.memo_prefix);
            key.push(char::from(b'0' + t.role as u8));
            key.push_str(&t.form);
            for a in &t.alts {
                key.push('\u{1}');
                key.push_str(a);
            }
            if let Some(units) = map.get(key.as_str()) {
                return Some(units.clone());
            }
            let mut units = Vec::new();
            self.token_units_uncached(t, |s| units.push(s));
            let units: Box<[Set]> = units.into_boxed_slice();
            if map.len() >= MEMO_ENTRIES {
                map.clear();
            }
            map.insert(key.as_str().into(), units.clone());
            Some(units)
        });
        match found {
            Some(units) => units.iter().for_each(|s| f(*s)),
            None => self.token_units_uncached(t, f),
        }
    }

    fn token_units_uncached(&self, t: &Token, mut f: impl FnMut(Set)) {
        let mut set = Set::default();
        let mut any = self.posted_into(&t.form, &mut set);
        for a in &t.alts {
            any |= self.posted_into(a, &mut set);
        }
        if t.role == Role::Distinctive
            && t.form.len() >= MIN_FUZZY_QUERY
            && let Some(near) = self.near(&t.form)
        {
            or_into(&mut set, &near);
            any = true;
        }
        if any {
            f(set);
        }
        let splittable = |w: &str| w.len() >= 3 && w.is_ascii();
        let own = (t.role == Role::Distinctive && splittable(&t.form)).then_some(&t.form);
        let alts =
            t.alts.iter().filter(|a| t.role != Role::Number && a.len() >= 4 && splittable(a));
        for w in own.into_iter().chain(alts) {
            for cut in 1..w.len().saturating_sub(1) {
                let (Some(l), Some(r)) = (w.get(..cut), w.get(cut..)) else { continue };
                // A pair unit credits names holding both halves: those of a posted half
                // bound them.
                let half = match (self.part(l), self.part(r)) {
                    (Some(a), Some(_)) => Some(a),
                    (Some(a), None) if r.len() >= 5 && self.near(r).is_some() => Some(a),
                    (None, Some(b)) if l.len() >= 5 && self.near(l).is_some() => Some(b),
                    _ => None,
                };
                if let Some(set) = half {
                    f(set);
                }
            }
        }
    }

    /// Adds the names of `form` to `set` when it is posted.
    fn posted_into(&self, form: &str, set: &mut Set) -> bool {
        match self.posted.get(form) {
            Some(s) => {
                or_into(set, s);
                true
            }
            None => false,
        }
    }

    /// The names of a piece of a split word that looks up a posted form, as written or
    /// canonical.
    fn part(&self, piece: &str) -> Option<Set> {
        if self.part_lens & len_bit(piece.len()) == 0 {
            return None;
        }
        self.parts.get(piece).copied()
    }

    /// The names of the posted forms within the typo rule of `word` (`None`: no such form).
    fn near(&self, word: &str) -> Option<Set> {
        NEAR.with(|cell| {
            let Ok(mut memo) = cell.try_borrow_mut() else { return self.near_scan(word) };
            let (map, key) = &mut *memo;
            key.clear();
            key.push_str(&self.memo_prefix);
            key.push_str(word);
            if let Some(found) = map.get(key.as_str()) {
                return *found;
            }
            let found = self.near_scan(word);
            if map.len() >= MEMO_ENTRIES {
                map.clear();
            }
            map.insert(key.as_str().into(), found);
            found
        })
    }

    fn near_scan(&self, word: &str) -> Option<Set> {
        let len = word.len();
        if len < 3 {
            return None;
        }
        let m = letter_mask(word);
        let lo = len.saturating_sub(2).max(3);
        let mut out: Option<Set> = None;
        for (form, fm, set) in (lo..=len + 2).filter_map(|l| self.by_len.get(l)).flatten() {
            if typo_sim_masked(word, m, form, *fm).is_some() {
                or_into(out.get_or_insert_with(Set::default), set);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use earl_lists::model::{Alias, AliasKind, Entry, ListId};

    use super::*;

    const NAMES: &[(&str, &[&str])] = &[
        ("Shenzhen Huaxin Semiconductor Co., Ltd.", &["深圳华芯半导体有限公司"]),
        ("Hangzhou Ruitai Intelligent Technology Co., Ltd.", &[]),
        ("Beijing Zhongke Guangxin Optoelectronics Co., Ltd.", &["Zhongke Guangxin"]),
        ("Wuhan Jinbao Electronics Co., Ltd.", &["武汉金宝电子有限公司"]),
        ("Sugon Information Industry Co., Ltd.", &["曙光信息产业股份有限公司", "Dawning"]),
        ("Nikolai Petrovich Ivanov", &[]),
        ("Huawei Technologies Co., Ltd.", &["华为技术有限公司"]),
        ("Hikvision Digital Technology", &["海康威视"]),
        ("Novosibirsk Avionika Systems LLC", &[]),
        ("Falconridge General Trading FZE", &[]),
        ("Chengdu Longxing Communication Co., Ltd.", &[]),
        ("Tianjin Fuan New Materials Co., Ltd.", &["天津富安新材料有限公司"]),
        ("Maria Rossi", &[]),
        ("Nordic Logistics GmbH", &[]),
        ("Atlas Precision Components S.A.", &[]),
        ("Summit Electronics Trading LLC", &[]),
        ("Harbin Institute of Technology", &["哈尔滨工业大学", "HIT"]),
        ("Cedar Analytics Inc.", &[]),
        ("Zhang Wei", &["张伟"]),
        ("Moscow Aviation Institute", &["MAI"]),
    ];

    fn screener() -> Screener {
        let entries = NAMES
            .iter()
            .enumerate()
            .map(|(i, (name, aliases))| {
                let mut e = Entry::new(ListId::from("test"), i.to_string(), *name);
                e.aliases = aliases
                    .iter()
                    .map(|a| Alias { name: (*a).to_owned(), kind: AliasKind::default() })
                    .collect();
                Arc::new(e)
            })
            .collect();
        Screener::from_entries(entries)
    }

    /// Names around the listed ones: as listed, typos at every position, words joined,
    /// split and dropped, other words' company forms, Chinese forms, unrelated names.
    fn queries() -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let words: Vec<&str> =
            NAMES.iter().flat_map(|(n, a)| n.split_whitespace().chain(a.iter().copied())).collect();
        for (name, aliases) in NAMES {
            out.push((*name).to_owned());
            out.push(name.to_uppercase());
            out.push(name.replace(' ', ""));
            out.extend(aliases.iter().map(|a| (*a).to_owned()));
            let b: Vec<char> = name.chars().collect();
            for p in 0..b.len() {
                let mut del = b.clone();
                del.remove(p);
                out.push(del.iter().collect());
                let mut sub = b.clone();
                sub[p] = if sub[p] == 'e' { 'a' } else { 'e' };
                out.push(sub.iter().collect());
                if p + 1 < b.len() {
                    let mut swap = b.clone();
                    swap.swap(p, p + 1);
                    out.push(swap.iter().collect());
                }
                let mut ins = b.clone();
                ins.insert(p, 'x');
                out.push(ins.iter().collect());
            }
            let ws: Vec<&str> = name.split_whitespace().collect();
            for i in 0..ws.len() {
                let mut dropped = ws.clone();
                dropped.remove(i);
                out.push(dropped.join(" "));
                if let Some(w) = ws.get(i)
                    && w.len() > 6
                {
                    out.push(format!("{} {}", &w[..3], &w[3..]));
                }
            }
        }
        for (i, a) in words.iter().enumerate() {
            for b in words.iter().skip(i % 7).step_by(7) {
                out.push(format!("{a} {b} Co., Ltd."));
                out.push(format!("{a}{b}"));
            }
        }
        for filler in
            ["Acme Widgets GmbH", "Blue Harbor Foods", "Jan Jensen", "王芳", "上海贸易公司"]
        {
            out.push(filler.to_owned());
        }
        out
    }

    #[test]
    fn a_closed_gate_means_no_candidate_and_no_hit() {
        let full = screener();
        let keep = ["0", "2", "4", "5", "11", "18"];
        let subset = full.subset(&|_, e| keep.contains(&e.id.as_str()));
        let gate = CandidateGate::new(&subset);
        assert!(gate.forms() > 0);
        let (mut closed, mut total) = (0, 0);
        for q in queries() {
            total += 1;
            let name = AnalysedName::new(&q);
            if gate.admits(&name) {
                continue;
            }
            closed += 1;
            assert!(subset.candidate_entries(&q).is_empty(), "gate closed on a candidate: {q}");
            assert!(subset.screen(&Query::new(&q)).is_empty(), "gate closed on a hit: {q}");
        }
        // The gate is useful: most names around the other entries are ruled out.
        assert!(closed * 3 > total, "only {closed} of {total} closed");
        for q in
            ["Shenzhen Huaxin Semiconductor", "Sugon", "曙光信息产业", "Zhang Wei", "Tianjin Fuan"]
        {
            assert!(gate.admits(&AnalysedName::new(q)), "{q}");
        }
        for q in ["Nordic Logistics GmbH", "Maria Rossi", "Acme Widgets GmbH"] {
            assert!(!gate.admits(&AnalysedName::new(q)), "{q}");
        }
    }

    #[test]
    fn an_empty_index_admits_nothing() {
        let empty = screener().subset(&|_, _| false);
        let gate = CandidateGate::new(&empty);
        assert_eq!(gate.forms(), 0);
        assert!(!gate.admits(&AnalysedName::new("Huawei Technologies")));
    }

    #[test]
    fn screening_an_analysed_name_equals_screening_the_text() {
        let full = screener();
        for q in ["Huawei Technologies", "深圳华芯半导体", "Zhongke Guangxin Opto", "", "Co., Ltd."]
        {
            let a = full.screen(&Query::new(q));
            let b = full.screen_analysed(&Query::new("ignored"), &AnalysedName::new(q));
            let key = |h: &Vec<Hit>| h.iter().map(|h| (h.id.clone(), h.score)).collect::<Vec<_>>();
            assert_eq!(key(&a), key(&b), "{q}");
        }
    }
}
