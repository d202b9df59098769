//! Weighted token alignment between a query name and a list name.
//!
//! Every token carries a weight (role x corpus rarity). Candidate pairings ("edges") are
//! single tokens that agree (exactly, through a table, by pinyin, or within a typo budget) and
//! merges (one token = several joined tokens on the other side). Edges are chosen greedily,
//! best similarity first, each token used once; order does not matter, so reordered names and
//! moved city prefixes align. The name score combines the similarity-weighted coverage of both
//! sides, the query side counting more: an extra distinctive word in the query is stronger
//! evidence of a different party than an extra word in the (often longer) list name.

#![expect(
    clippy::indexing_slicing,
    reason = "edit-distance rows are fixed arrays indexed within their checked bounds"
)]

use crate::explain::MatchKind;
use crate::prepare::{NameForm, Origin, Token};
use crate::tables::Role;

/// Exponent of query-side coverage in the name score.
pub(crate) const QUERY_EXP: f64 = 0.6;
/// Exponent of list-side coverage in the name score.
pub(crate) const LIST_EXP: f64 = 0.4;
/// Extra penalty per share of distinctive weight left unmatched on both sides.
const CONTRADICTION: f64 = 0.5;
/// Pairings below this token similarity are not made.
const MIN_SIM: f32 = 0.72;
/// Tokens beyond this position are ignored (bitmask width).
const MAX_TOKENS: usize = 64;

/// A chosen pairing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Edge {
    pub q_start: u8,
    pub q_len: u8,
    pub l_start: u8,
    pub l_len: u8,
    pub sim: f32,
    pub how: MatchKind,
    pub edits: u8,
}

/// Result of aligning two names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alignment {
    pub edges: Vec<Edge>,
    pub cov_q: f64,
    pub cov_l: f64,
    pub score: f64,
    /// Query tokens (generic or place words) found in another name of the same entry.
    pub context: Vec<u8>,
}

/// Longest word the edit distance handles on the stack; longer words never count as typos.
const MAX_WORD: usize = 48;

/// Optimal string alignment distance, giving up above `max` (returns `max + 1`).
pub(crate) fn osa_distance(a: &[u8], b: &[u8], max: usize) -> usize {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max || n > MAX_WORD || m > MAX_WORD {
        return max + 1;
    }
    let mut prev2 = [0usize; MAX_WORD + 1];
    let mut prev = [0usize; MAX_WORD + 1];
    let mut cur = [0usize; MAX_WORD + 1];
    for (j, p) in prev.iter_mut().enumerate().take(m + 1) {
        *p = j;
    }
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = i;
        let ai = a[i - 1];
        for j in 1..=m {
            let bj = b[j - 1];
            let cost = usize::from(ai != bj);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == bj {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        prev2 = prev;
        prev = cur;
    }
    prev[m]
}

/// Similarity of two word forms that differ by typos, or `None` when too far apart.
/// Budget: one edit up to 5 letters, two up to 9, three beyond; never for words under 3
/// letters; a changed first letter costs extra (`Biren` is further from `Siren` than `Biran`).
pub(crate) fn typo_sim(a: &str, b: &str) -> Option<(f32, u8)> {
    let (la, lb) = (a.len(), b.len());
    let (short, long) = (la.min(lb), la.max(lb));
    if short < 3 || long - short > 2 {
        return None;
    }
    let budget = if long <= 5 {
        1
    } else if long <= 9 {
        2
    } else {
        3
    };
    // A changed first letter is a weaker sign of a typo than one inside the word.
    let first_differs = a.as_bytes().first() != b.as_bytes().first();
    let d = osa_distance(a.as_bytes(), b.as_bytes(), budget);
    if d == 0 || d > budget {
        return None;
    }
    // Two different pinyin syllables are different names (Zheng/Zhang, Li/Lu), not typos.
    if long <= 6 && {
        let syl = &crate::tables::tables().syllables;
        syl.contains(a) && syl.contains(b)
    } {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "word lengths are tiny")]
    let rel = d as f32 / long as f32;
    let mut sim = 1.0 - 0.9 * rel;
    if first_differs {
        sim *= 0.92;
    }
    if sim < MIN_SIM {
        return None;
    }
    Some((sim, u8::try_from(d).unwrap_or(u8::MAX)))
}

fn how_exact(a: &Token, b: &Token) -> (MatchKind, f32) {
    let kind = |o: Origin| match o {
        Origin::Translation => Some((MatchKind::Translation, 0.97)),
        Origin::Pinyin | Origin::Translit => Some((MatchKind::Transliteration, 0.98)),
        Origin::Abbreviation => Some((MatchKind::Abbreviation, 0.98)),
        Origin::Plain => None,
    };
    match (kind(a.origin), kind(b.origin)) {
        (Some(x), Some(y)) => {
            if a.surface == b.surface {
                (MatchKind::Exact, 1.0)
            } else if x.1 <= y.1 {
                x
            } else {
                y
            }
        }
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => (MatchKind::Exact, 1.0),
    }
}

/// Similarity of two single tokens.
pub(crate) fn token_sim(a: &Token, b: &Token) -> Option<(f32, MatchKind, u8)> {
    if a.form == b.form {
        let (how, sim) = how_exact(a, b);
        return Some((sim, how, 0));
    }
    let via_alt = a.alts.contains(&b.form)
        || b.alts.contains(&a.form)
        || a.alts.iter().any(|x| b.alts.contains(x));
    if via_alt {
        let how = if a.origin == Origin::Translation || b.origin == Origin::Translation {
            MatchKind::Translation
        } else {
            MatchKind::Transliteration
        };
        return Some((0.95, how, 0));
    }
    if a.role == Role::Number || b.role == Role::Number {
        return None;
    }
    if a.role == Role::Distinctive && b.role == Role::Distinctive {
        let (s, l) = if a.form.len() <= b.form.len() { (a, b) } else { (b, a) };
        if s.form.len() == 1 && l.form.len() > 1 && l.form.starts_with(&s.form) {
            return Some((0.75, MatchKind::Initial, 0));
        }
    }
    let mut best: Option<(f32, u8)> = typo_sim(&a.form, &b.form);
    for alt in &a.alts {
        if let Some(x) = typo_sim(alt, &b.form)
            && best.is_none_or(|b| x.0 > b.0)
        {
            best = Some(x);
        }
    }
    best.map(|(s, d)| (s, MatchKind::Typo, d))
}

fn mask(start: usize, len: usize) -> u64 {
    let mut m = 0u64;
    for i in start..start + len {
        if i < MAX_TOKENS {
            m |= 1u64 << i;
        }
    }
    m
}

/// Edges where one token on side A equals several consecutive tokens on side B joined.
fn merge_edges(a: &[Token], b: &[Token], a_is_query: bool, out: &mut Vec<Edge>) {
    for (i, ta) in a.iter().enumerate().take(MAX_TOKENS) {
        if ta.form.len() < 2 || ta.role == Role::Number {
            continue;
        }
        let forms = std::iter::once(&ta.form).chain(ta.alts.iter());
        for target in forms {
            for j in 0..b.len().min(MAX_TOKENS) {
                let Some(first) = b.get(j) else { continue };
                if first.form.is_empty() {
                    continue;
                }
                // Cheap gate: the joined text must start like the target.
                let head = |x: &str| {
                    x.as_bytes().get(..2.min(x.len())).map(<[u8]>::to_vec).unwrap_or_default()
                };
                let abbreviated = first.origin == Origin::Abbreviation;
                if !target.starts_with(first.form.as_str())
                    && head(target) != head(&first.form)
                    && !(abbreviated && target.starts_with(&first.surface.to_ascii_lowercase()))
                {
                    continue;
                }
                let mut joined = first.form.clone();
                // Also join the words as written: "STARtech" = "Star" + "Tech", whose
                // canonical forms would be "star" + "technology".
                let surface = |t: &Token| -> String {
                    if t.origin == Origin::Abbreviation
                        && t.surface.bytes().all(|c| c.is_ascii_alphanumeric())
                    {
                        t.surface.to_ascii_lowercase()
                    } else {
                        t.form.clone()
                    }
                };
                let mut joined_s = surface(first);
                for len in 2..=4usize {
                    let Some(next) = b.get(j + len - 1) else { break };
                    if j + len > MAX_TOKENS {
                        break;
                    }
                    joined.push_str(&next.form);
                    joined_s.push_str(&surface(next));
                    if joined.len() > target.len() + 3 && joined_s.len() > target.len() + 3 {
                        break;
                    }
                    let (sim, edits) = if joined == *target || joined_s == *target {
                        (0.96, 0)
                    } else if let Some((s, d)) = typo_sim(&joined, target) {
                        (s * 0.96, d)
                    } else {
                        continue;
                    };
                    let (qs, ql, ls, ll) = if a_is_query { (i, 1, j, len) } else { (j, len, i, 1) };
                    out.push(Edge {
                        q_start: u8::try_from(qs).unwrap_or(u8::MAX),
                        q_len: u8::try_from(ql).unwrap_or(1),
                        l_start: u8::try_from(ls).unwrap_or(u8::MAX),
                        l_len: u8::try_from(ll).unwrap_or(1),
                        sim,
                        how: MatchKind::MergeSplit,
                        edits,
                    });
                }
            }
        }
    }
}

fn span_weight(w: &[f32], start: u8, len: u8) -> f32 {
    let s = usize::from(start);
    w.get(s..s + usize::from(len)).map(|x| x.iter().sum()).unwrap_or(0.0)
}

/// Similarity credited to a query word found only in another name of the entry.
pub(crate) const CONTEXT_SIM: f32 = 0.9;

/// Credits unmatched generic/place query words that another name of the same entry carries
/// ("摩尔线程智能科技(北京)" against the alias "Mo'er Xianchen" of "Moore Thread Intelligent
/// Technology (Beijing)"): lists often drop descriptive words from aliases.
pub(crate) fn add_context(
    al: &mut Alignment,
    q: &NameForm,
    qw: &[f32],
    has: &dyn Fn(&str) -> bool,
) {
    let total_q: f32 = qw.iter().sum();
    if total_q <= 0.0 || al.edges.is_empty() {
        return;
    }
    let mut used = 0u64;
    for e in &al.edges {
        used |= mask(usize::from(e.q_start), usize::from(e.q_len));
    }
    let mut extra = 0.0f32;
    for (i, t) in q.tokens.iter().enumerate().take(MAX_TOKENS) {
        if used & (1u64 << i) != 0 || !matches!(t.role, Role::Generic | Role::Place) {
            continue;
        }
        if has(&t.form) || t.alts.iter().any(|a| has(a)) {
            extra += CONTEXT_SIM * qw.get(i).copied().unwrap_or(0.0);
            al.context.push(u8::try_from(i).unwrap_or(u8::MAX));
        }
    }
    if extra > 0.0 {
        al.cov_q = (al.cov_q + f64::from(extra / total_q)).min(1.0);
        al.score = combine(al.cov_q, al.cov_l);
    }
}

/// Name score from the two coverages.
pub(crate) fn combine(cov_q: f64, cov_l: f64) -> f64 {
    cov_q.clamp(0.0, 1.0).powf(QUERY_EXP) * cov_l.clamp(0.0, 1.0).powf(LIST_EXP)
}

/// Name score when the list name has no distinctive word ("China Electronics Technology
/// Group"): then every word the query lacks counts as much as every word it adds.
pub(crate) fn combine_generic(cov_q: f64, cov_l: f64) -> f64 {
    (cov_q.clamp(0.0, 1.0) * cov_l.clamp(0.0, 1.0)).sqrt()
}

/// Aligns query and list tokens.
pub(crate) fn align(q: &NameForm, qw: &[f32], l: &NameForm, lw: &[f32]) -> Alignment {
    let (qt, lt) = (&q.tokens, &l.tokens);
    let mut edges: Vec<Edge> = Vec::new();
    for (i, a) in qt.iter().enumerate().take(MAX_TOKENS) {
        for (j, b) in lt.iter().enumerate().take(MAX_TOKENS) {
            if let Some((sim, how, edits)) = token_sim(a, b)
                && sim >= MIN_SIM
            {
                edges.push(Edge {
                    q_start: u8::try_from(i).unwrap_or(u8::MAX),
                    q_len: 1,
                    l_start: u8::try_from(j).unwrap_or(u8::MAX),
                    l_len: 1,
                    sim,
                    how,
                    edits,
                });
            }
        }
    }
    merge_edges(qt, lt, true, &mut edges);
    merge_edges(lt, qt, false, &mut edges);
    // Best first; among equals prefer the edge carrying more weight.
    let value =
        |e: &Edge| span_weight(qw, e.q_start, e.q_len) + span_weight(lw, e.l_start, e.l_len);
    edges.sort_by(|x, y| y.sim.total_cmp(&x.sim).then_with(|| value(y).total_cmp(&value(x))));
    let (mut used_q, mut used_l) = (0u64, 0u64);
    let mut chosen = Vec::new();
    for e in edges {
        let mq = mask(usize::from(e.q_start), usize::from(e.q_len));
        let ml = mask(usize::from(e.l_start), usize::from(e.l_len));
        if used_q & mq != 0 || used_l & ml != 0 {
            continue;
        }
        used_q |= mq;
        used_l |= ml;
        chosen.push(e);
    }
    let total_q: f32 = qw.iter().sum();
    let total_l: f32 = lw.iter().sum();
    let mut mq = 0.0f32;
    let mut ml = 0.0f32;
    for e in &chosen {
        mq += e.sim * span_weight(qw, e.q_start, e.q_len);
        ml += e.sim * span_weight(lw, e.l_start, e.l_len);
    }
    let cov_q = if total_q > 0.0 { f64::from(mq / total_q) } else { 0.0 };
    let cov_l = if total_l > 0.0 { f64::from(ml / total_l) } else { 0.0 };
    let all_generic = !lt.iter().any(|t| matches!(t.role, Role::Distinctive | Role::Number));
    let mut score = if all_generic { combine_generic(cov_q, cov_l) } else { combine(cov_q, cov_l) };
    // A distinctive word on each side without a partner is a contradiction (a different
    // surname, a different brand), which weighs more than a word one side merely omits.
    let unmatched = |tokens: &[Token], w: &[f32], used: u64| -> f32 {
        tokens
            .iter()
            .zip(w)
            .enumerate()
            .take(MAX_TOKENS)
            .filter(|(i, (t, _))| {
                used & (1u64 << i) == 0 && matches!(t.role, Role::Distinctive | Role::Number)
            })
            .map(|(_, (_, w))| *w)
            .sum()
    };
    let uq = unmatched(qt, qw, used_q) / total_q.max(1e-6);
    let ul = unmatched(lt, lw, used_l) / total_l.max(1e-6);
    let contradiction = f64::from(uq.min(ul));
    if contradiction > 0.0 {
        score *= 1.0 - CONTRADICTION * contradiction;
    }
    chosen.sort_by_key(|e| e.q_start);
    Alignment { edges: chosen, cov_q, cov_l, score, context: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osa_matches_reference_vectors() {
        // From jellyfish-testdata damerau_levenshtein.csv / levenshtein.csv style cases.
        assert_eq!(osa_distance(b"kitten", b"sitting", 5), 3);
        assert_eq!(osa_distance(b"ca", b"abc", 5), 3);
        assert_eq!(osa_distance(b"abcd", b"acbd", 5), 1);
        assert_eq!(osa_distance(b"", b"abc", 5), 3);
        assert_eq!(osa_distance(b"abc", b"abc", 5), 0);
        assert_eq!(osa_distance(b"kitten", b"sitting", 1), 2);
    }

    #[test]
    fn typo_budget() {
        assert!(typo_sim("huawei", "huawie").is_some());
        assert!(
            typo_sim("biren", "siren")
                .is_some_and(|(s, _)| s < typo_sim("biren", "biran").map_or(0.0, |x| x.0))
        );
        assert!(typo_sim("sugon", "sugo").is_some());
        assert!(typo_sim("li", "lu").is_none());
        assert!(typo_sim("moerxiancheng", "moerxianchen").is_some());
    }
}
