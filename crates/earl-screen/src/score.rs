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
use crate::person::{patronymic_mask, person_like};
use crate::prepare::{NameForm, Origin, Token};
use crate::tables::Role;

/// Exponent of query-side coverage in the name score.
pub(crate) const QUERY_EXP: f64 = 0.6;
/// Exponent of list-side coverage in the name score.
pub(crate) const LIST_EXP: f64 = 0.4;
/// Extra penalty per share of distinctive weight left unmatched on both sides.
const CONTRADICTION: f64 = 0.5;
/// Penalty per share of descriptive weight left unmatched on both sides.
const GENERIC_CONTRADICTION: f64 = 1.0;
/// Factor when two person names agree only through initials.
const INITIALS_ONLY: f64 = 0.8;
/// Factor when one company name only carries a country qualifier (a national subsidiary).
const NATIONAL_SUBSIDIARY: f64 = 0.8;
/// Weight kept by the extra parts of a person name when the other name is fully found in it.
const OMISSION: f32 = 0.3;
/// Least similarity of a pairing that counts as "found" for [`OMISSION`].
const FIRM_SIM: f32 = 0.8;
/// Similarity factor when a father's name (after `bin`, `ibn`...) pairs with a given name.
const PATRONYM_SWAP: f32 = 0.6;
/// Similarity of two different numbers paired as members of one series ([`MatchKind::OtherNumber`]).
const OTHER_NUMBER_SIM: f32 = 0.5;
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
    /// Query tokens (generic or place words) found in another name of the same entry.
    pub context: Vec<u8>,
}

/// Longest word the edit distance handles on the stack; longer words never count as typos.
const MAX_WORD: usize = 48;

/// Optimal string alignment distance, giving up above `max` (returns `max + 1`). Reference
/// dynamic programme; [`osa_bits`] computes the same distance faster for short ASCII words.
pub(crate) fn osa_distance(a: &[u8], b: &[u8], max: usize) -> usize {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max || n > MAX_WORD || m > MAX_WORD {
        return max + 1;
    }
    let mut rows = [[0usize; MAX_WORD + 1]; 3];
    let (mut r2, mut r1, mut r0) = (0usize, 1usize, 2usize);
    for (j, p) in rows[r1].iter_mut().enumerate().take(m + 1) {
        *p = j;
    }
    for i in 1..=n {
        rows[r0][0] = i;
        let mut row_min = i;
        let ai = a[i - 1];
        for j in 1..=m {
            let bj = b[j - 1];
            let cost = usize::from(ai != bj);
            let mut v = (rows[r1][j] + 1).min(rows[r0][j - 1] + 1).min(rows[r1][j - 1] + cost);
            if i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == bj {
                v = v.min(rows[r2][j - 2] + 1);
            }
            rows[r0][j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        (r2, r1, r0) = (r1, r0, r2);
    }
    rows[r1][m].min(max + 1)
}

/// Index of a byte in the bit-parallel alphabet (lowercase letters and digits), or `None`.
fn alpha_index(c: u8) -> Option<usize> {
    match c {
        b'a'..=b'z' => Some(usize::from(c - b'a')),
        b'0'..=b'9' => Some(26 + usize::from(c - b'0')),
        _ => None,
    }
}

/// Optimal string alignment distance by Hyyrö's bit-vector algorithm (2003), for words of at
/// most 64 lowercase letters/digits; `None` when the words fall outside that, so the caller
/// uses [`osa_distance`].
pub(crate) fn osa_bits(a: &[u8], b: &[u8]) -> Option<usize> {
    let m = a.len();
    if m == 0 || m > 64 {
        return if m == 0 { Some(b.len()) } else { None };
    }
    let mut peq = [0u64; 36];
    for (i, c) in a.iter().enumerate() {
        peq[alpha_index(*c)?] |= 1u64 << i;
    }
    let last = 1u64 << (m - 1);
    let (mut vp, mut vn) = (u64::MAX >> (64 - m), 0u64);
    let (mut d0_prev, mut pm_prev) = (0u64, 0u64);
    let mut dist = m;
    for c in b {
        let pm = peq[alpha_index(*c)?];
        let tr = (((!d0_prev) & pm) << 1) & pm_prev;
        let d0 = ((((pm & vp).wrapping_add(vp)) ^ vp) | pm | vn) | tr;
        let hp = vn | !(d0 | vp);
        let hn = d0 & vp;
        if hp & last != 0 {
            dist += 1;
        } else if hn & last != 0 {
            dist -= 1;
        }
        let x = (hp << 1) | 1;
        vn = x & d0;
        vp = (hn << 1) | !(x | d0);
        d0_prev = d0;
        pm_prev = pm;
    }
    Some(dist)
}

/// Letters (and digits, folded) present in a word, one bit each: two words within `d` edits
/// differ in at most `2 d` bits, which rejects most pairs before any distance is computed.
pub(crate) fn letter_mask(s: &str) -> u32 {
    let mut m = 0u32;
    for c in s.bytes() {
        let bit = match c {
            b'a'..=b'z' => u32::from(c - b'a'),
            b'0'..=b'9' => 26 + u32::from(c - b'0') % 6,
            _ => 31,
        };
        m |= 1u32 << bit;
    }
    m
}

/// Typo budget by the longer word's length: one edit up to 5 letters, two up to 9, three
/// beyond.
fn typo_budget(long: usize) -> usize {
    if long <= 5 {
        1
    } else if long <= 9 {
        2
    } else {
        3
    }
}

/// Similarity of two word forms that differ by typos, or `None` when too far apart.
/// Budget: one edit up to 5 letters, two up to 9, three beyond; never for words under 3
/// letters; a changed first letter costs extra (`Biren` is further from `Siren` than `Biran`).
pub(crate) fn typo_sim(a: &str, b: &str) -> Option<(f32, u8)> {
    typo_sim_masked(a, letter_mask(a), b, letter_mask(b))
}

/// [`typo_sim`] with the words' [`letter_mask`]s already known.
#[inline]
pub(crate) fn typo_sim_masked(a: &str, am: u32, b: &str, bm: u32) -> Option<(f32, u8)> {
    let (la, lb) = (a.len(), b.len());
    let (short, long) = (la.min(lb), la.max(lb));
    if short < 3 || long - short > 2 {
        return None;
    }
    let budget = typo_budget(long);
    if (am ^ bm).count_ones() as usize > 2 * budget {
        return None;
    }
    typo_sim_checked(a, b, long, budget)
}

/// The distance part of [`typo_sim_masked`], once the cheap filters passed.
fn typo_sim_checked(a: &str, b: &str, long: usize, budget: usize) -> Option<(f32, u8)> {
    // A changed first letter is a weaker sign of a typo than one inside the word.
    let first_differs = a.as_bytes().first() != b.as_bytes().first();
    let d = match osa_bits(a.as_bytes(), b.as_bytes()) {
        Some(d) => d,
        None => osa_distance(a.as_bytes(), b.as_bytes(), budget),
    };
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
        Origin::Typo => Some((MatchKind::Typo, TERM_TYPO_SIM)),
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

/// Interned id of a form that is not in the corpus vocabulary.
pub(crate) const NO_ID: u32 = u32::MAX;

/// One side of an alignment: the analysed name, its token weights and, per token, the
/// interned form id ([`NO_ID`] when unseen) and [`letter_mask`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Side<'a> {
    pub form: &'a NameForm,
    pub w: &'a [f32],
    pub ids: &'a [u32],
    pub masks: &'a [u32],
}

impl Side<'_> {
    fn id(&self, i: usize) -> u32 {
        self.ids.get(i).copied().unwrap_or(NO_ID)
    }
    fn mask(&self, i: usize) -> u32 {
        self.masks.get(i).copied().unwrap_or(u32::MAX)
    }
}

/// Whether two token forms are equal: by interned id when both are known (one known and one
/// unseen cannot be equal), by text otherwise.
fn same_form(a: &Token, ai: u32, b: &Token, bi: u32) -> bool {
    match (ai, bi) {
        (NO_ID, NO_ID) => a.form == b.form,
        (NO_ID, _) | (_, NO_ID) => false,
        _ => ai == bi,
    }
}

/// Factor on a descriptive-words-only list name when the query adds a place (`align_in`).
const GENERIC_NAME_OTHER_PLACE: f64 = 0.9;
/// Similarity of a misspelt descriptive word and the term it misspells (`Instatute` /
/// `Institute`; see `prepare::repair_generic_typos`).
const TERM_TYPO_SIM: f32 = 0.95;
/// Similarity of a nickname and the full given name (`Ted` / `Theodore`).
const NICKNAME_SIM: f32 = 0.9;
/// Similarity of person-name parts that share their consonant key (`Husayn` / `Hussein`).
const PHONETIC_SIM: f32 = 0.86;
/// Similarity of run-together initials and the words they stand for (`JC` / `Jean Claude`).
const INITIALS_SIM: f32 = 0.85;
/// Similarity of two-letter person-name parts one edit apart (`On` / `Un` in Korean names).
const SHORT_TYPO_SIM: f32 = 0.72;

/// Whether `a` is `b` with a Latvian or Lithuanian nominative ending (`-s`, `-as`, `-is`,
/// `-us`): `Sergejs Lavrovs`, `Putinas` for `Sergey Lavrov`, `Putin`. The stem must equal
/// `b`, or share its consonant key within two edits (`Morales` is not `Morillo`); stems
/// under three letters say too little.
fn baltic_ending_pair(a: &str, b: &str) -> bool {
    if b.ends_with('s') {
        return false;
    }
    ["as", "is", "us", "s"].iter().any(|ending| {
        a.strip_suffix(ending).is_some_and(|stem| {
            stem.len() >= 3
                && (stem == b
                    || (crate::person::same_consonant_key(stem, b)
                        && osa_distance(stem.as_bytes(), b.as_bytes(), 2) <= 2))
        })
    })
}

/// Person-name similarities beyond typos: nicknames, shared consonant keys, one edit in a
/// two-letter part (two pinyin syllables excepted: `Li` / `Lu` are different surnames).
fn person_sim(a: &Token, b: &Token) -> Option<(f32, MatchKind, u8)> {
    if a.role != Role::Distinctive || b.role != Role::Distinctive {
        return None;
    }
    let (fa, fb) = (a.form.as_str(), b.form.as_str());
    if crate::person::nickname_pair(fa, fb) {
        return Some((NICKNAME_SIM, MatchKind::Nickname, 0));
    }
    if fa.len() >= 3 && fb.len() >= 3 && crate::person::same_consonant_key(fa, fb) {
        return Some((PHONETIC_SIM, MatchKind::Phonetic, 0));
    }
    if baltic_ending_pair(fa, fb) || baltic_ending_pair(fb, fa) {
        return Some((PHONETIC_SIM, MatchKind::Phonetic, 0));
    }
    let (short, long) = (fa.len().min(fb.len()), fa.len().max(fb.len()));
    if short == 2 && long <= 3 && osa_distance(fa.as_bytes(), fb.as_bytes(), 1) == 1 {
        let syl = &crate::tables::tables().syllables;
        if !(syl.contains(fa) && syl.contains(fb)) {
            return Some((SHORT_TYPO_SIM, MatchKind::Typo, 1));
        }
    }
    None
}

/// Similarity of two single tokens (`ai`/`bi` interned ids, `am`/`bm` letter masks);
/// `person`: both names read like persons' (see [`person_sim`]).
fn token_sim(
    a: &Token,
    (ai, am): (u32, u32),
    b: &Token,
    (bi, bm): (u32, u32),
    person: bool,
) -> Option<(f32, MatchKind, u8)> {
    if same_form(a, ai, b, bi) {
        let (how, sim) = how_exact(a, b);
        // A misspelt term: the edits between the words as written, for the explanation.
        let edits = if how == MatchKind::Typo {
            let d = osa_distance(a.surface.as_bytes(), b.surface.as_bytes(), 3);
            u8::try_from(d.max(1)).unwrap_or(u8::MAX)
        } else {
            0
        };
        return Some((sim, how, edits));
    }
    let via_alt = (!a.alts.is_empty() || !b.alts.is_empty())
        && (a.alts.contains(&b.form)
            || b.alts.contains(&a.form)
            || a.alts.iter().any(|x| b.alts.contains(x)));
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
    let mut best: Option<(f32, u8)> = typo_sim_masked(&a.form, am, &b.form, bm);
    for alt in &a.alts {
        if let Some(x) = typo_sim_masked(alt, letter_mask(alt), &b.form, bm)
            && best.is_none_or(|b| x.0 > b.0)
        {
            best = Some(x);
        }
    }
    let typo = best.map(|(s, d)| (s, MatchKind::Typo, d));
    if person
        && let Some(p) = person_sim(a, b)
        && typo.is_none_or(|t| p.0 > t.0)
    {
        return Some(p);
    }
    typo
}

/// Edges where a token of run-together initials on side A (`jc`, `us`, `pla`) stands for as
/// many consecutive words on side B (`jean claude`, `united states`, `peoples liberation
/// army`); stop words in between are covered too.
fn initial_edges(a: &[Token], b: &[Token], a_is_query: bool, out: &mut Vec<Edge>) {
    let nb = b.len().min(MAX_TOKENS);
    for (i, ta) in a.iter().enumerate().take(MAX_TOKENS) {
        let letters = ta.form.as_bytes();
        if !(2..=5).contains(&letters.len())
            || ta.role != Role::Distinctive
            || !letters.iter().all(u8::is_ascii_lowercase)
        {
            continue;
        }
        for j in 0..nb {
            let mut k = 0usize;
            let mut end = j;
            while end < nb && k < letters.len() {
                let Some(t) = b.get(end) else { break };
                if t.role == Role::Stop && k > 0 {
                    end += 1;
                    continue;
                }
                if t.form.len() < 2
                    || t.role == Role::Number
                    || t.form.as_bytes().first() != letters.get(k)
                {
                    break;
                }
                k += 1;
                end += 1;
            }
            if k == letters.len() && end - j >= 2 {
                let (qs, ql, ls, ll) =
                    if a_is_query { (i, 1, j, end - j) } else { (j, end - j, i, 1) };
                out.push(Edge {
                    q_start: u8::try_from(qs).unwrap_or(u8::MAX),
                    q_len: u8::try_from(ql).unwrap_or(1),
                    l_start: u8::try_from(ls).unwrap_or(u8::MAX),
                    l_len: u8::try_from(ll).unwrap_or(1),
                    sim: INITIALS_SIM,
                    how: MatchKind::Initial,
                    edits: 0,
                });
            }
        }
    }
}

/// Bits `start..start + len` (token positions of a span).
fn mask(start: usize, len: usize) -> u64 {
    let mut m = 0u64;
    for i in start..start + len {
        if i < MAX_TOKENS {
            m |= 1u64 << i;
        }
    }
    m
}

/// Reusable buffers for aligning many names against one query without allocating.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    edges: Vec<Edge>,
    /// Edges chosen by the last alignment, in query order.
    pub chosen: Vec<Edge>,
    /// A second pick over the same edges (see `align_in`).
    placed: Vec<Edge>,
    joined: Vec<u8>,
    joined_s: Vec<u8>,
}

/// Appends the text a token contributes to a joined (merged) surface: the word as written for
/// abbreviations ("STARtech" = "Star" + "Tech", whose canonical forms would be "star" +
/// "technology"), else its form.
fn push_surface(buf: &mut Vec<u8>, t: &Token) {
    if t.origin == Origin::Abbreviation && t.surface.bytes().all(|c| c.is_ascii_alphanumeric()) {
        buf.extend(t.surface.bytes().map(|c| c.to_ascii_lowercase()));
    } else {
        buf.extend_from_slice(t.form.as_bytes());
    }
}

/// Length of what [`push_surface`] appends.
fn surface_len(t: &Token) -> usize {
    if t.origin == Origin::Abbreviation && t.surface.bytes().all(|c| c.is_ascii_alphanumeric()) {
        t.surface.len()
    } else {
        t.form.len()
    }
}

fn starts_with_lower(target: &[u8], surface: &str) -> bool {
    let s = surface.as_bytes();
    target.len() >= s.len() && target.iter().zip(s).all(|(t, c)| *t == c.to_ascii_lowercase())
}

fn head2(x: &[u8]) -> &[u8] {
    x.get(..2.min(x.len())).unwrap_or(&[])
}

/// Edges where one token on side A equals several consecutive tokens on side B joined.
fn merge_edges(a: &[Token], b: &[Token], a_is_query: bool, scratch: &mut Scratch) {
    let Scratch { edges: out, joined, joined_s, .. } = scratch;
    reading_merge_edges(a, b, a_is_query, out);
    let nb = b.len().min(MAX_TOKENS);
    if nb < 2 {
        return;
    }
    // Shortest join starting at each position (forms or written surfaces of two neighbours): a
    // target shorter than that (minus the typo slack) cannot be a merge there, which rules out
    // most pairs at once.
    let mut pair_len = [usize::MAX; MAX_TOKENS];
    let pairs = nb - 1;
    for (j, w) in b.windows(2).take(nb - 1).enumerate() {
        if let ([x, y], Some(slot)) = (w, pair_len.get_mut(j)) {
            *slot = (x.form.len() + y.form.len()).min(surface_len(x) + surface_len(y));
        }
    }
    let min_pair = pair_len.iter().take(pairs).copied().min().unwrap_or(usize::MAX);
    let longest = a
        .iter()
        .take(MAX_TOKENS)
        .flat_map(|t| std::iter::once(t.form.len()).chain(t.alts.iter().map(String::len)))
        .max()
        .unwrap_or(0);
    if longest + 2 < min_pair {
        return;
    }
    for (i, ta) in a.iter().enumerate().take(MAX_TOKENS) {
        if ta.form.len() < 2 || ta.role == Role::Number {
            continue;
        }
        let forms = std::iter::once(&ta.form).chain(ta.alts.iter());
        for target in forms {
            let tb = target.as_bytes();
            if tb.len() + 2 < min_pair {
                continue;
            }
            for j in 0..nb - 1 {
                if pair_len.get(j).is_none_or(|l| *l > tb.len() + 2) {
                    continue;
                }
                let Some(first) = b.get(j) else { continue };
                if first.form.is_empty() {
                    continue;
                }
                // Cheap gate: the joined text must start like the target.
                let fb = first.form.as_bytes();
                // (`starts_with` implies equal heads unless the form is one letter.)
                let gate = head2(tb) == head2(fb)
                    || (fb.len() == 1 && tb.first() == fb.first())
                    || (first.origin == Origin::Abbreviation
                        && starts_with_lower(tb, &first.surface));
                if !gate {
                    continue;
                }
                // Lengths first: the texts are only built when they can match.
                let (mut lf, mut ls) = (fb.len(), surface_len(first));
                for len in 2..=4usize {
                    let Some(next) = b.get(j + len - 1) else { break };
                    if j + len > MAX_TOKENS {
                        break;
                    }
                    lf += next.form.len();
                    ls += surface_len(next);
                    if lf > tb.len() + 3 && ls > tb.len() + 3 {
                        break;
                    }
                    if lf != tb.len() && ls != tb.len() && lf.abs_diff(tb.len()) > 2 {
                        continue;
                    }
                    joined.clear();
                    joined_s.clear();
                    for t in b.get(j..j + len).unwrap_or(&[]) {
                        joined.extend_from_slice(t.form.as_bytes());
                        push_surface(joined_s, t);
                    }
                    let (sim, edits) = if joined.as_slice() == tb || joined_s.as_slice() == tb {
                        (0.96, 0)
                    } else if joined.len().abs_diff(tb.len()) > 2 {
                        continue;
                    } else if let Some((s, d)) =
                        std::str::from_utf8(joined).ok().and_then(|j| typo_sim(j, target))
                    {
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

/// Similarity of a word that is a name run together with a trade abbreviation and the two
/// words it stands for (`Higoninfo` / `Higon Information`).
const ABBREVIATED_MERGE_SIM: f32 = 0.93;

/// Edges where one word on side A is a word of side B run together with an abbreviation of
/// the next one (`Higoninfo` = `Higon` + `Info` = `Higon Information`, `Suntontech` = `Sunton
/// Technology`): joining side B's forms cannot find these, as the second word is written
/// short. Only distinctive words of six letters or more, split after three or more.
fn abbreviated_merge_edges(a: &[Token], b: &[Token], a_is_query: bool, out: &mut Vec<Edge>) {
    for (i, ta) in a.iter().enumerate().take(MAX_TOKENS) {
        if ta.role != Role::Distinctive || ta.form.len() < 6 {
            continue;
        }
        for (j, pair) in b.windows(2).enumerate().take(MAX_TOKENS - 1) {
            let [x, y] = pair else { continue };
            if x.form.len() < 3 || y.role == Role::Distinctive {
                continue;
            }
            let Some(rest) = ta.form.strip_prefix(x.form.as_str()) else { continue };
            if rest.len() < 2 || crate::prepare::canonical_word(rest) != Some(y.form.as_str()) {
                continue;
            }
            let (qs, ql, ls, ll) = if a_is_query { (i, 1, j, 2) } else { (j, 2, i, 1) };
            out.push(Edge {
                q_start: u8::try_from(qs).unwrap_or(u8::MAX),
                q_len: ql,
                l_start: u8::try_from(ls).unwrap_or(u8::MAX),
                l_len: ll,
                sim: ABBREVIATED_MERGE_SIM,
                how: MatchKind::MergeSplit,
                edits: 0,
            });
        }
    }
}

/// Edges where one token on side A equals two neighbouring person-name parts on side B read
/// through their other romanisations (`Chin` `ping` = `jin` + `ping`, `Kwok` `Keung` = `guo` +
/// `qiang`): Wade-Giles and Hong Kong spellings write given names in parts, pinyin as one word
/// (`Jinping`, `Guoqiang`). Only words with readings from `romanisation.rs` take part.
fn reading_merge_edges(a: &[Token], b: &[Token], a_is_query: bool, out: &mut Vec<Edge>) {
    let read = |t: &Token| {
        t.role == Role::Distinctive
            && !t.alts.is_empty()
            && matches!(t.origin, Origin::Plain | Origin::Translit)
    };
    for (j, pair) in b.windows(2).enumerate().take(MAX_TOKENS - 1) {
        let [x, y] = pair else { continue };
        if !(read(x) || read(y)) || x.role != Role::Distinctive || y.role != Role::Distinctive {
            continue;
        }
        for (i, ta) in a.iter().enumerate().take(MAX_TOKENS) {
            if ta.role != Role::Distinctive {
                continue;
            }
            let found = std::iter::once(&ta.form).chain(ta.alts.iter()).any(|target| {
                std::iter::once(&x.form).chain(x.alts.iter()).any(|xf| {
                    target.strip_prefix(xf.as_str()).is_some_and(|rest| {
                        std::iter::once(&y.form).chain(y.alts.iter()).any(|yf| {
                            rest == yf && !(*xf == x.form && *yf == y.form && *target == ta.form)
                        })
                    })
                })
            });
            if found {
                let (qs, ql, ls, ll) = if a_is_query { (i, 1, j, 2) } else { (j, 2, i, 1) };
                out.push(Edge {
                    q_start: u8::try_from(qs).unwrap_or(u8::MAX),
                    q_len: u8::try_from(ql).unwrap_or(1),
                    l_start: u8::try_from(ls).unwrap_or(u8::MAX),
                    l_len: u8::try_from(ll).unwrap_or(1),
                    sim: 0.95,
                    how: MatchKind::Transliteration,
                    edits: 0,
                });
            }
        }
    }
}

/// Whether a number is written as an ordinal (`13th`, `Second`, Chinese `第十三`, whose `第`
/// is dropped, so any Chinese numeral counts): ordinals number the units of an organisation
/// (`CETC 13th` / `14th Research Institute`), each a party of its own, not a series of funds.
fn ordinal(surface: &str) -> bool {
    let tail = surface.get(surface.len().saturating_sub(2)..).unwrap_or("");
    ["st", "nd", "rd", "th"].iter().any(|s| tail.eq_ignore_ascii_case(s))
        || surface.chars().any(crate::normalize::is_han)
}

/// Whether two number forms are consecutive integers (`4` / `5`).
fn consecutive(a: &str, b: &str) -> bool {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.abs_diff(y) == 1,
        _ => false,
    }
}

/// Whether a company name (a legal form or a descriptive word) ends with, or has in
/// parentheses, a country name left unmatched.
fn national_qualifier(f: &NameForm, used: u64) -> bool {
    let tokens = &f.tokens;
    if f.legal.is_empty() && !tokens.iter().any(|t| t.role == Role::Generic) {
        return false;
    }
    let countries = &crate::tables::tables().country_words;
    let last = tokens.len().saturating_sub(1);
    tokens.iter().enumerate().take(MAX_TOKENS).any(|(i, t)| {
        used & (1u64 << i) == 0
            && t.role == Role::Place
            && (t.paren || i == last)
            && matches!(t.origin, Origin::Plain | Origin::Translit)
            && countries.contains(&t.form)
    })
}

/// Share of a name's weight (`total`) in tokens outside `used` that pass `role`.
fn unmatched_share(
    tokens: &[Token],
    w: &[f32],
    used: u64,
    total: f32,
    role: impl Fn(&Token) -> bool,
) -> f32 {
    let sum: f32 = tokens
        .iter()
        .zip(w)
        .enumerate()
        .take(MAX_TOKENS)
        .filter(|(i, (t, _))| used & (1u64 << i) == 0 && role(t))
        .map(|(_, (_, w))| *w)
        .sum();
    sum / total.max(1e-6)
}

/// Positions of the number tokens not in `used`.
fn leftover_numbers(t: &[Token], used: u64) -> impl Iterator<Item = usize> + '_ {
    t.iter()
        .enumerate()
        .take(MAX_TOKENS)
        .filter(move |(i, x)| x.role == Role::Number && used & (1u64 << i) == 0)
        .map(|(i, _)| i)
}

fn span_weight(w: &[f32], start: u8, len: u8) -> f32 {
    let s = usize::from(start);
    w.get(s..s + usize::from(len)).map(|x| x.iter().sum()).unwrap_or(0.0)
}

/// Similarity credited to a query word found only in another name of the entry.
pub(crate) const CONTEXT_SIM: f32 = 0.9;

/// Credit for unmatched generic/place query words that another name of the same entry carries
/// ("摩尔线程智能科技(北京)" against the alias "Mo'er Xianchen" of "Moore Thread Intelligent
/// Technology (Beijing)"): lists often drop descriptive words from aliases. `has(i)` says
/// whether the entry carries query token `i`; credited tokens are appended to `context`.
/// Returns the credited weight (0 when no edge was chosen).
pub(crate) fn context_extra(
    edges: &[Edge],
    q: &NameForm,
    qw: &[f32],
    has: &dyn Fn(usize) -> bool,
    context: &mut Vec<u8>,
) -> f32 {
    let total_q: f32 = qw.iter().sum();
    // The alias must share a word of the name's own first: a bare number and a descriptive
    // word (`13th Institute`) would otherwise collect the rest of any query from the entry's
    // other names (`China Aerospace Science and Technology Corporation`).
    let own_word = edges.iter().any(|e| {
        e.sim >= FIRM_SIM
            && q.tokens
                .get(usize::from(e.q_start)..usize::from(e.q_start) + usize::from(e.q_len))
                .is_some_and(|ts| ts.iter().any(|t| t.role == Role::Distinctive))
    });
    if total_q <= 0.0 || !own_word {
        return 0.0;
    }
    let used = query_tokens(edges);
    let mut extra = 0.0f32;
    for (i, t) in q.tokens.iter().enumerate().take(MAX_TOKENS) {
        if used & (1u64 << i) != 0 || !matches!(t.role, Role::Generic | Role::Place) {
            continue;
        }
        if has(i) {
            extra += CONTEXT_SIM * qw.get(i).copied().unwrap_or(0.0);
            context.push(u8::try_from(i).unwrap_or(u8::MAX));
        }
    }
    extra
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

/// The query tokens the edges cover, as bits.
pub(crate) fn query_tokens(edges: &[Edge]) -> u64 {
    edges.iter().fold(0, |m, e| m | mask(usize::from(e.q_start), usize::from(e.q_len)))
}

/// Picks edges best first, each only when its tokens are still free; returns the used tokens
/// of each side.
fn pick(edges: &[Edge], chosen: &mut Vec<Edge>) -> (u64, u64) {
    let (mut used_q, mut used_l) = (0u64, 0u64);
    chosen.clear();
    for e in edges {
        let mq = mask(usize::from(e.q_start), usize::from(e.q_len));
        let ml = mask(usize::from(e.l_start), usize::from(e.l_len));
        if used_q & mq != 0 || used_l & ml != 0 {
            continue;
        }
        used_q |= mq;
        used_l |= ml;
        chosen.push(*e);
    }
    (used_q, used_l)
}

/// Whether a name has the same word twice.
fn repeats_a_form(side: Side<'_>) -> bool {
    let tokens = &side.form.tokens;
    let n = tokens.len().min(MAX_TOKENS);
    (0..n).any(|i| {
        (i + 1..n).any(|j| match (tokens.get(i), tokens.get(j)) {
            (Some(a), Some(b)) => same_form(a, side.id(i), b, side.id(j)),
            _ => false,
        })
    })
}

/// Aligns query and list tokens: `(cov_q, cov_l, score)`. The chosen edges are left in
/// `scratch.chosen`, in query order.
pub(crate) fn align_in(q: Side<'_>, l: Side<'_>, scratch: &mut Scratch) -> (f64, f64, f64) {
    let (qt, lt) = (&q.form.tokens, &l.form.tokens);
    let (qw, lw) = (q.w, l.w);
    let person = person_like(q.form) && person_like(l.form);
    // `X bin Y` is not `Y bin X`: a father's name pairs only with a father's name.
    let (pq, pl) = if person { (patronymic_mask(q.form), patronymic_mask(l.form)) } else { (0, 0) };
    let check_patronyms = pq != 0 && pl != 0;
    scratch.edges.clear();
    for (i, a) in qt.iter().enumerate().take(MAX_TOKENS) {
        let ka = (q.id(i), q.mask(i));
        for (j, b) in lt.iter().enumerate().take(MAX_TOKENS) {
            if let Some((mut sim, how, edits)) = token_sim(a, ka, b, (l.id(j), l.mask(j)), person) {
                if check_patronyms && ((pq >> i) & 1) != ((pl >> j) & 1) {
                    sim *= PATRONYM_SWAP;
                }
                if sim < MIN_SIM {
                    continue;
                }
                scratch.edges.push(Edge {
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
    merge_edges(qt, lt, true, scratch);
    merge_edges(lt, qt, false, scratch);
    abbreviated_merge_edges(qt, lt, true, &mut scratch.edges);
    abbreviated_merge_edges(lt, qt, false, &mut scratch.edges);
    initial_edges(qt, lt, true, &mut scratch.edges);
    initial_edges(lt, qt, false, &mut scratch.edges);
    // Best first; among equals prefer the edge carrying more weight.
    let value =
        |e: &Edge| span_weight(qw, e.q_start, e.q_len) + span_weight(lw, e.l_start, e.l_len);
    scratch
        .edges
        .sort_by(|x, y| y.sim.total_cmp(&x.sim).then_with(|| value(y).total_cmp(&value(x))));
    let (mut used_q, mut used_l) = pick(&scratch.edges, &mut scratch.chosen);
    // A word written twice in a name ("Academy of Military Medical Sciences, Institute of
    // Medical Equipment") gives equal edges to either copy, and the greedy pick may take the
    // copy another pairing needed ("militarymedical" = "military medical"). When words are
    // left over on both sides, the pick is tried again preferring partners in the same place,
    // and the better of the two kept.
    let leftovers = used_q != mask(0, qt.len()) && used_l != mask(0, lt.len());
    if leftovers && (repeats_a_form(q) || repeats_a_form(l)) {
        let matched = |chosen: &[Edge]| -> f32 {
            chosen
                .iter()
                .map(|e| {
                    e.sim
                        * (span_weight(qw, e.q_start, e.q_len)
                            + span_weight(lw, e.l_start, e.l_len))
                })
                .sum()
        };
        let greedy = matched(&scratch.chosen);
        let shift = |e: &Edge| e.q_start.abs_diff(e.l_start);
        scratch.edges.sort_by(|x, y| {
            y.sim
                .total_cmp(&x.sim)
                .then_with(|| shift(x).cmp(&shift(y)))
                .then_with(|| value(y).total_cmp(&value(x)))
        });
        let mut placed = std::mem::take(&mut scratch.placed);
        let used = pick(&scratch.edges, &mut placed);
        if matched(&placed) > greedy {
            std::mem::swap(&mut scratch.chosen, &mut placed);
            (used_q, used_l) = used;
        }
        scratch.placed = placed;
    }
    // Consecutive numbers left over on both sides are neighbours in one series (`Fund IV` /
    // `Fund V`, `Snow Storm 1` / `2`): weak agreement rather than a contradiction. Numbers
    // further apart (`Leasing 3` / `Leasing 6`) stay a contradiction.
    let has_number = |t: &[Token]| t.iter().any(|x| x.role == Role::Number);
    let numbers: Vec<(usize, usize)> = if has_number(qt) && has_number(lt) {
        leftover_numbers(qt, used_q)
            .zip(leftover_numbers(lt, used_l))
            .filter(|(i, j)| match (qt.get(*i), lt.get(*j)) {
                (Some(a), Some(b)) => {
                    consecutive(&a.form, &b.form) && !ordinal(&a.surface) && !ordinal(&b.surface)
                }
                _ => false,
            })
            .collect()
    } else {
        Vec::new()
    };
    for (i, j) in numbers {
        used_q |= 1u64 << i;
        used_l |= 1u64 << j;
        scratch.chosen.push(Edge {
            q_start: u8::try_from(i).unwrap_or(u8::MAX),
            q_len: 1,
            l_start: u8::try_from(j).unwrap_or(u8::MAX),
            l_len: 1,
            sim: OTHER_NUMBER_SIM,
            how: MatchKind::OtherNumber,
            edits: 0,
        });
    }
    let mut total_q: f32 = qw.iter().sum();
    let mut total_l: f32 = lw.iter().sum();
    let mut mq = 0.0f32;
    let mut ml = 0.0f32;
    for e in &scratch.chosen {
        mq += e.sim * span_weight(qw, e.q_start, e.q_len);
        ml += e.sim * span_weight(lw, e.l_start, e.l_len);
    }
    if person {
        // A person name whose every part (two at least) is found in the other name: the other
        // name's extra parts are omitted middle names, patronymics or titles, not a
        // contradiction ("Sergey Lavrov" / "Sergey Viktorovich Lavrov"). Found means paired
        // closely and not through a merge ("Abdul Karim" is not found in "Anna Abdulkarim").
        let (mut firm_q, mut firm_l) = (0u64, 0u64);
        for e in
            scratch.chosen.iter().filter(|e| e.sim >= FIRM_SIM && e.how != MatchKind::MergeSplit)
        {
            firm_q |= mask(usize::from(e.q_start), usize::from(e.q_len));
            firm_l |= mask(usize::from(e.l_start), usize::from(e.l_len));
        }
        let (used_q, used_l) = (firm_q, firm_l);
        // Two written parts at least: `Abd-al-Qadir` is one given name, `Kim Jong-un` two.
        let full =
            |f: &NameForm, used: u64| {
                let parts =
                    f.tokens.iter().enumerate().take(MAX_TOKENS).filter(|(i, t)| {
                        t.role == Role::Distinctive && f.hyphened & (1u64 << i) == 0
                    });
                parts.count() >= 2
                    && f.tokens
                        .iter()
                        .enumerate()
                        .take(MAX_TOKENS)
                        .all(|(i, t)| t.role != Role::Distinctive || used & (1u64 << i) != 0)
            };
        let unused = |w: &[f32], used: u64| -> f32 {
            w.iter()
                .enumerate()
                .take(MAX_TOKENS)
                .filter(|(i, _)| used & (1u64 << i) == 0)
                .map(|(_, w)| *w)
                .sum()
        };
        if full(l.form, used_l) && !full(q.form, used_q) {
            total_q -= (1.0 - OMISSION) * unused(qw, used_q);
        } else if full(q.form, used_q) && !full(l.form, used_l) {
            total_l -= (1.0 - OMISSION) * unused(lw, used_l);
        }
    }
    let cov_q = if total_q > 0.0 { f64::from(mq / total_q) } else { 0.0 };
    let cov_l = if total_l > 0.0 { f64::from(ml / total_l) } else { 0.0 };
    // Two initials alone (`N.N.` for a full name: given name and surname) fit a great many
    // people: never decisive. Longer acronyms (`PLA`) are more specific.
    let initials_only = person
        && !scratch.chosen.is_empty()
        && scratch.chosen.iter().all(|e| e.how == MatchKind::Initial && e.q_len.max(e.l_len) <= 2);
    let all_generic = !lt.iter().any(|t| matches!(t.role, Role::Distinctive | Role::Number));
    let mut score = if all_generic { combine_generic(cov_q, cov_l) } else { combine(cov_q, cov_l) };
    // A distinctive word on each side without a partner is a contradiction (a different
    // surname, a different brand), which weighs more than a word one side merely omits.
    let identity = |t: &Token| matches!(t.role, Role::Distinctive | Role::Number);
    let contradiction = f64::from(
        unmatched_share(qt, qw, used_q, total_q, identity)
            .min(unmatched_share(lt, lw, used_l, total_l, identity)),
    );
    if contradiction > 0.0 {
        score *= 1.0 - CONTRADICTION * contradiction;
    }
    // A descriptive word on each side without a partner names a different line of business
    // (`BAE Systems` / `BAE Industries`, `Agro Exports` / `Agro Imports`), a place on each
    // side a different location (`Solutions (Sweden)` / `Solutions (Finland)`): a sibling
    // company rather than the same one written differently. A parenthesised word counts as
    // such a qualifier too (`ICBC (Asia)` / `ICBC (London)`).
    if !all_generic {
        let business = |t: &Token| matches!(t.role, Role::Generic | Role::Place) || t.paren;
        let other_business = f64::from(
            unmatched_share(qt, qw, used_q, total_q, business)
                .min(unmatched_share(lt, lw, used_l, total_l, business)),
        );
        if other_business > 0.0 {
            score *= 1.0 - GENERIC_CONTRADICTION * other_business;
        }
    }
    if initials_only {
        score *= INITIALS_ONLY;
    }
    // A list name of descriptive words only ("Electronic Network Inc.") is told apart from
    // other firms by those words alone: a place the query adds ("Wuxi Electronics Network")
    // names another firm. (A place another name of the entry carries is credited later, see
    // `context_extra`.)
    // A country is no such place (`China` before a Chinese institution's name).
    let countries = &crate::tables::tables().country_words;
    if all_generic
        && !lt.iter().any(|t| t.role == Role::Place)
        && qt.iter().enumerate().take(MAX_TOKENS).any(|(i, t)| {
            t.role == Role::Place && used_q & (1u64 << i) == 0 && !countries.contains(&t.form)
        })
    {
        score *= GENERIC_NAME_OTHER_PLACE;
    }
    // A country closing one company name only (`Banco Santander Mexico`, `Marrowby Chemicals
    // (Thailand)`) names a national subsidiary: a separate legal entity from the parent.
    if !all_generic && national_qualifier(q.form, used_q) != national_qualifier(l.form, used_l) {
        score *= NATIONAL_SUBSIDIARY;
    }
    scratch.chosen.sort_by_key(|e| e.q_start);
    (cov_q, cov_l, score)
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
    fn bit_parallel_osa_agrees_on_examples() {
        for (a, b) in [
            ("kitten", "sitting"),
            ("ca", "abc"),
            ("abcd", "acbd"),
            ("", "abc"),
            ("abc", ""),
            ("huawei", "huawie"),
            ("moerxiancheng", "moerxianchen"),
        ] {
            assert_eq!(
                osa_bits(a.as_bytes(), b.as_bytes()),
                Some(osa_distance(a.as_bytes(), b.as_bytes(), 64)),
                "{a} / {b}"
            );
        }
        assert_eq!(osa_bits(b"ab-c", b"abc"), None);
    }

    proptest::proptest! {
        #[test]
        fn bit_parallel_osa_equals_dynamic_programme(a in "[a-e0-2]{0,20}", b in "[a-e0-2]{0,20}") {
            proptest::prop_assert_eq!(
                osa_bits(a.as_bytes(), b.as_bytes()),
                Some(osa_distance(a.as_bytes(), b.as_bytes(), 64))
            );
        }

        #[test]
        fn letter_masks_never_reject_true_typos(a in "[a-z0-9]{3,12}", b in "[a-z0-9]{3,12}") {
            let d = osa_distance(a.as_bytes(), b.as_bytes(), 64);
            let diff = (letter_mask(&a) ^ letter_mask(&b)).count_ones() as usize;
            proptest::prop_assert!(diff <= 2 * d, "{} {} d={} diff={}", a, b, d, diff);
        }
    }

    #[test]
    fn baltic_nominative_endings() {
        assert!(baltic_ending_pair("lavrovs", "lavrov"));
        assert!(baltic_ending_pair("sergejs", "sergey"));
        assert!(baltic_ending_pair("putinas", "putin"));
        assert!(!baltic_ending_pair("lavrov", "lavrovs"));
        assert!(!baltic_ending_pair("ios", "io"));
        assert!(!baltic_ending_pair("jonas", "jones"));
        assert!(!baltic_ending_pair("morales", "morillo"));
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
