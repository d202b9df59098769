//! The screener: an immutable in-memory index over list entries, candidate generation and
//! scoring.

use std::sync::Arc;
use std::time::Instant;

use earl_lists::model::{AliasKind, EntityType, Entry, ListId, ListSnapshot};
use jiff::civil::Date;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::explain::{
    AlignedPair, CountryNote, Explanation, LegalFormNote, MatchKind, TokenRole, Unmatched, r3,
};
use crate::prepare::{NameForm, Token, analyze};
use crate::score::{
    Alignment, CONTEXT_SIM, NO_ID, Scratch, Side, align_in, combine, context_extra, letter_mask,
};
use crate::tables::Role;

/// Default alert threshold on [`Hit::score`]. Chosen on the development split of earl's
/// Chinese company-name set and name_bench (see docs/SCREENING.md): a score at or above it
/// means "a reviewer should look at this".
pub const DEFAULT_ALERT_THRESHOLD: f64 = 0.80;

/// Default number of hits returned.
pub const DEFAULT_LIMIT: usize = 10;

/// Candidates scored per query (after the cheap pre-score).
const MAX_CANDIDATES: usize = 40;

/// A screening request.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    /// Name to screen (any script).
    pub name: &'a str,
    /// Country of the party (ISO alpha-2 or an English name): a soft signal.
    pub country: Option<&'a str>,
    /// Date of the transaction: entries not in force on it produce no hit.
    pub date: Option<Date>,
    /// Restrict to these lists.
    pub lists: Option<&'a [ListId]>,
    /// Restrict to entries of this type (entries of unknown type always pass).
    pub entity_type: Option<EntityType>,
    /// Maximum number of hits.
    pub limit: usize,
}

impl<'a> Query<'a> {
    /// A query for a name with default options.
    pub fn new(name: &'a str) -> Self {
        Query {
            name,
            country: None,
            date: None,
            lists: None,
            entity_type: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// One screening hit: an entry and why it matched.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// List of the entry.
    pub list: ListId,
    /// Entry id within the list.
    pub id: String,
    /// The entry's canonical name as the list writes it.
    pub name: String,
    /// The entry name or alias that matched best.
    pub matched_name: String,
    /// Match score in [0, 1]; 1.0 only for the same name up to case, width, punctuation and
    /// script folding.
    pub score: f64,
    /// Whether `score` reaches the alert threshold.
    pub alert: bool,
    /// Why.
    pub explanation: Explanation,
    /// The full entry.
    #[serde(skip)]
    pub entry: Arc<Entry>,
}

/// Size and build cost of an index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IndexStats {
    /// Entries indexed.
    pub entries: usize,
    /// Names indexed (main names and aliases).
    pub names: usize,
    /// Distinct token forms in the corpus statistics.
    pub tokens: usize,
    /// Posting-list entries (token and n-gram).
    pub postings: usize,
    /// Build time in milliseconds.
    pub build_ms: f64,
}

/// Corpus statistics shared between a screener and its subsets: the vocabulary of token forms
/// (interned to `u32` ids once at build) and their document frequencies.
#[derive(Debug)]
struct Corpus {
    /// Form -> id, for every token form and alternative form of the corpus.
    vocab: FxHashMap<Box<str>, u32>,
    /// Document frequency (number of names containing the form as a token form) per id.
    df: Vec<u32>,
    /// Number of names in the full corpus.
    names: u32,
}

impl Corpus {
    /// Interned id of a form, or [`NO_ID`].
    fn id(&self, form: &str) -> u32 {
        self.vocab.get(form).copied().unwrap_or(NO_ID)
    }

    /// Rarity in [0.05, 1]: normalised inverse document frequency; unseen forms are rare.
    fn rarity(&self, id: u32) -> f32 {
        let df = self.df.get(usize::try_from(id).unwrap_or(usize::MAX)).copied().unwrap_or(0);
        let n = f64::from(self.names.max(1));
        let r = ((n + 1.0) / (f64::from(df) + 1.0)).ln() / (n + 1.0).ln();
        #[expect(clippy::cast_possible_truncation, reason = "value is in [0, 1]")]
        let r = r.clamp(0.05, 1.0) as f32;
        r
    }
}

/// Per-token data of an analysed name computed once: interned form ids, letter masks,
/// weights.
#[derive(Debug, Clone, Default)]
struct Keys {
    ids: Box<[u32]>,
    masks: Box<[u32]>,
    weights: Box<[f32]>,
}

fn keys(form: &NameForm, corpus: &Corpus) -> Keys {
    let ids: Box<[u32]> = form.tokens.iter().map(|t| corpus.id(&t.form)).collect();
    let masks = form.tokens.iter().map(|t| letter_mask(&t.form)).collect();
    let weights = weights(form, &ids, corpus).into_boxed_slice();
    Keys { ids, masks, weights }
}

/// An indexed name.
#[derive(Debug, Clone)]
struct NameRec {
    entry: u32,
    /// `None` for the main name, else the alias index.
    alias: Option<u32>,
    form: NameForm,
    keys: Keys,
    grams: u16,
}

impl NameRec {
    fn side(&self) -> Side<'_> {
        Side {
            form: &self.form,
            w: &self.keys.weights,
            ids: &self.keys.ids,
            masks: &self.keys.masks,
        }
    }
}

/// An analysed query with its per-token data.
struct Prepared {
    form: NameForm,
    keys: Keys,
    /// Per token: the known ids of its form and alternative forms (entry-context look-ups).
    known: Vec<Vec<u32>>,
}

impl Prepared {
    fn side(&self) -> Side<'_> {
        Side {
            form: &self.form,
            w: &self.keys.weights,
            ids: &self.keys.ids,
            masks: &self.keys.masks,
        }
    }
}

/// Immutable screening index. `Send + Sync`; build once, share by reference or `Arc`.
#[derive(Debug, Clone)]
pub struct Screener {
    entries: Vec<Arc<Entry>>,
    names: Vec<NameRec>,
    token_post: FxHashMap<u32, Vec<u32>>,
    gram_post: FxHashMap<u32, Vec<u32>>,
    by_id: FxHashMap<(ListId, String), u32>,
    /// Per entry: ids of the generic and place word forms over all its names, sorted.
    ctx: Vec<Box<[u32]>>,
    corpus: Arc<Corpus>,
    build_ms: f64,
}

fn role_factor(role: Role, has_distinctive: bool) -> f32 {
    match (role, has_distinctive) {
        (Role::Distinctive, _) => 1.0,
        (Role::Number, _) => 0.6,
        (Role::Generic, true) => 0.3,
        (Role::Place, true) => 0.25,
        (Role::Generic, false) => 0.9,
        (Role::Place, false) => 0.6,
        (Role::Stop, _) => 0.05,
    }
}

fn weights(form: &NameForm, ids: &[u32], corpus: &Corpus) -> Vec<f32> {
    let has_distinctive =
        form.tokens.iter().any(|t| matches!(t.role, Role::Distinctive | Role::Number));
    form.tokens
        .iter()
        .zip(ids)
        .map(|(t, id)| {
            let mut f = role_factor(t.role, has_distinctive);
            if t.role == Role::Distinctive && t.form.len() == 1 {
                f *= 0.4;
            }
            // Parenthesised words are annotations ("(NUDT)", "(CETC 14)"): weak evidence
            // either way.
            if t.paren && matches!(t.role, Role::Distinctive | Role::Number) {
                f *= 0.35;
            }
            f * (0.25 + 0.75 * corpus.rarity(*id))
        })
        .collect()
}

/// Text the n-gram blocker works on: distinctive tokens joined (all tokens when a name has
/// none), so merged/split spellings and typos still share most trigrams.
fn gram_key(form: &NameForm) -> String {
    let keep = |t: &&Token| matches!(t.role, Role::Distinctive | Role::Number);
    let mut s: String = form.tokens.iter().filter(keep).map(|t| t.form.as_str()).collect();
    if s.is_empty() {
        s = form.tokens.iter().filter(|t| t.role != Role::Stop).map(|t| t.form.as_str()).collect();
    }
    s
}

fn trigrams(key: &str) -> Vec<u32> {
    let mut padded = Vec::with_capacity(key.len() + 2);
    padded.push(b'^');
    padded.extend_from_slice(key.as_bytes());
    padded.push(b'$');
    let mut out: Vec<u32> = padded
        .windows(3)
        .map(|w| match w {
            [a, b, c] => (u32::from(*a) << 16) | (u32::from(*b) << 8) | u32::from(*c),
            _ => 0,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn alias_label(kind: Option<AliasKind>) -> &'static str {
    match kind {
        None => "name",
        Some(AliasKind::Aka) => "aka",
        Some(AliasKind::Fka) => "fka",
        Some(AliasKind::Weak) => "weak",
        Some(AliasKind::OriginalScript) => "original_script",
        Some(AliasKind::Translation) => "translation",
    }
}

fn alias_factor(kind: Option<AliasKind>) -> f64 {
    match kind {
        Some(AliasKind::Weak) => 0.9,
        _ => 1.0,
    }
}

/// Countries that screen as one for the soft country signal (entries are often listed under
/// China with a Hong Kong or Macau address).
fn country_group(code: &str) -> &str {
    match code {
        "CN" | "HK" | "MO" => "CN",
        other => other,
    }
}

fn normalise_country(c: &str) -> Option<String> {
    let t = c.trim();
    if t.len() == 2 && earl_lists::country::is_known_code(&t.to_ascii_uppercase()) {
        return Some(t.to_ascii_uppercase());
    }
    earl_lists::country::code_from_name(t).map(str::to_owned)
}

fn token_role(r: Role) -> TokenRole {
    match r {
        Role::Distinctive => TokenRole::Distinctive,
        Role::Generic => TokenRole::Generic,
        Role::Place => TokenRole::Place,
        Role::Number => TokenRole::Number,
        Role::Stop => TokenRole::Stop,
    }
}

/// Broad legal-form classes that are interchangeable in practice ("Co., Ltd." vs "Corp").
const BROAD_COMPANY: &[&str] = &["ltd", "co", "corp", "llc", "plc", "inc", "kk", "bv", "pte"];

fn legal_factor(q: &NameForm, l: &NameForm) -> f64 {
    if q.legal.is_empty() || l.legal.is_empty() {
        return 1.0;
    }
    let shared = q.legal.iter().any(|a| l.legal.iter().any(|b| a.class == b.class));
    let broad = |f: &NameForm| f.legal.iter().all(|x| BROAD_COMPANY.contains(&x.class.as_str()));
    if shared || (broad(q) && broad(l)) { 1.0 } else { 0.95 }
}

thread_local! {
    /// Per-thread n-gram hit counters (one slot per indexed name) and the slots touched, so
    /// a query neither allocates nor clears the whole array.
    static SCRATCH: std::cell::RefCell<(Vec<u16>, Vec<u32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Multiplier when a list name is a single short token and the query says more.
const ACRONYM_FACTOR: f64 = 0.9;

fn is_acronym_only(f: &NameForm) -> bool {
    matches!(f.tokens.as_slice(), [t] if t.form.len() <= 4 && t.role == Role::Distinctive)
}

/// Scored candidate before hit construction.
#[derive(Debug, Clone, Copy)]
struct Scored {
    name: u32,
    score: f64,
    name_score: f64,
}

impl Screener {
    /// Builds the index over all entries of the given snapshots.
    pub fn new(lists: &[ListSnapshot]) -> Screener {
        let entries: Vec<Arc<Entry>> =
            lists.iter().flat_map(|s| s.entries.iter().cloned().map(Arc::new)).collect();
        Screener::from_entries(entries)
    }

    /// Builds the index over shared entries.
    pub fn from_entries(entries: Vec<Arc<Entry>>) -> Screener {
        let start = Instant::now();
        let mut forms: Vec<(u32, Option<u32>, NameForm)> = Vec::new();
        for (ei, e) in entries.iter().enumerate() {
            let ei = u32::try_from(ei).unwrap_or(u32::MAX);
            forms.push((ei, None, analyze(&e.name)));
            for (ai, a) in e.aliases.iter().enumerate() {
                forms.push((ei, Some(u32::try_from(ai).unwrap_or(u32::MAX)), analyze(&a.name)));
            }
        }
        let mut vocab: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut df: Vec<u32> = Vec::new();
        let mut intern = |form: &str, df: &mut Vec<u32>| -> u32 {
            if let Some(id) = vocab.get(form) {
                return *id;
            }
            let id = u32::try_from(df.len()).unwrap_or(NO_ID);
            vocab.insert(form.into(), id);
            df.push(0);
            id
        };
        let mut seen: Vec<u32> = Vec::new();
        for (_, _, f) in &forms {
            seen.clear();
            for t in &f.tokens {
                seen.push(intern(&t.form, &mut df));
                for a in &t.alts {
                    intern(a, &mut df);
                }
            }
            seen.sort_unstable();
            seen.dedup();
            for id in &seen {
                if let Some(c) = df.get_mut(usize::try_from(*id).unwrap_or(usize::MAX)) {
                    *c += 1;
                }
            }
        }
        let corpus =
            Arc::new(Corpus { vocab, df, names: u32::try_from(forms.len()).unwrap_or(u32::MAX) });
        let mut s = Screener::assemble(entries, forms, corpus);
        s.build_ms = start.elapsed().as_secs_f64() * 1000.0;
        s
    }

    fn assemble(
        entries: Vec<Arc<Entry>>,
        forms: Vec<(u32, Option<u32>, NameForm)>,
        corpus: Arc<Corpus>,
    ) -> Screener {
        let mut names = Vec::with_capacity(forms.len());
        let mut token_post: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        let mut gram_post: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        let mut ctx: Vec<Vec<u32>> = vec![Vec::new(); entries.len()];
        let mut seen: Vec<u32> = Vec::new();
        for (ni, (entry, alias, form)) in forms.into_iter().enumerate() {
            let ni = u32::try_from(ni).unwrap_or(u32::MAX);
            let keys = keys(&form, &corpus);
            seen.clear();
            for (t, id) in form.tokens.iter().zip(keys.ids.iter()) {
                if t.role == Role::Stop {
                    continue;
                }
                seen.push(*id);
                seen.extend(t.alts.iter().map(|a| corpus.id(a)));
                if matches!(t.role, Role::Generic | Role::Place)
                    && let Some(set) = ctx.get_mut(usize::try_from(entry).unwrap_or(usize::MAX))
                {
                    set.push(*id);
                }
            }
            seen.sort_unstable();
            seen.dedup();
            for id in &seen {
                token_post.entry(*id).or_default().push(ni);
            }
            let grams = trigrams(&gram_key(&form));
            for g in &grams {
                gram_post.entry(*g).or_default().push(ni);
            }
            names.push(NameRec {
                entry,
                alias,
                form,
                keys,
                grams: u16::try_from(grams.len()).unwrap_or(u16::MAX),
            });
        }
        let ctx = ctx
            .into_iter()
            .map(|mut v| {
                v.sort_unstable();
                v.dedup();
                v.into_boxed_slice()
            })
            .collect();
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.list.clone(), e.id.clone()), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        Screener { entries, names, token_post, gram_post, by_id, ctx, corpus, build_ms: 0.0 }
    }

    /// A smaller screener over the entries `keep` accepts, scoring exactly like this one
    /// (token rarity comes from the full corpus), for re-screening only added or changed
    /// entries.
    pub fn subset(&self, keep: &dyn Fn(&ListId, &Entry) -> bool) -> Screener {
        let start = Instant::now();
        let mut entries = Vec::new();
        let mut remap: FxHashMap<u32, u32> = FxHashMap::default();
        for (i, e) in self.entries.iter().enumerate() {
            if keep(&e.list, e) {
                remap.insert(
                    u32::try_from(i).unwrap_or(u32::MAX),
                    u32::try_from(entries.len()).unwrap_or(u32::MAX),
                );
                entries.push(Arc::clone(e));
            }
        }
        let forms = self
            .names
            .iter()
            .filter_map(|n| remap.get(&n.entry).map(|ne| (*ne, n.alias, n.form.clone())))
            .collect();
        let mut s = Screener::assemble(entries, forms, Arc::clone(&self.corpus));
        s.build_ms = start.elapsed().as_secs_f64() * 1000.0;
        s
    }

    /// The entry with this id on this list.
    pub fn entry(&self, list: &ListId, id: &str) -> Option<&Entry> {
        let i = self.by_id.get(&(list.clone(), id.to_owned()))?;
        self.entries.get(usize::try_from(*i).ok()?).map(|a| a.as_ref())
    }

    /// Index size and build time.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            entries: self.entries.len(),
            names: self.names.len(),
            tokens: self.corpus.vocab.len(),
            postings: self.token_post.values().map(Vec::len).sum::<usize>()
                + self.gram_post.values().map(Vec::len).sum::<usize>(),
            build_ms: self.build_ms,
        }
    }

    fn prepare(&self, name: &str) -> Prepared {
        let form = analyze(name);
        let keys = keys(&form, &self.corpus);
        let known = form
            .tokens
            .iter()
            .zip(keys.ids.iter())
            .map(|(t, id)| {
                std::iter::once(*id)
                    .chain(t.alts.iter().map(|a| self.corpus.id(a)))
                    .filter(|i| *i != NO_ID)
                    .collect()
            })
            .collect();
        Prepared { form, keys, known }
    }

    /// Names worth scoring, best pre-score first.
    fn candidates(&self, p: &Prepared) -> Vec<u32> {
        let (q, qw) = (&p.form, &p.keys.weights[..]);
        let total: f32 = qw.iter().sum::<f32>().max(1e-6);
        let cap = (self.names.len() / 20).max(200);
        let mut acc: FxHashMap<u32, f32> = FxHashMap::default();
        // Descriptive words only block when the query has nothing better: "Technology" is in
        // thousands of names and would flood the candidate list.
        let has_distinctive =
            q.tokens.iter().any(|t| matches!(t.role, Role::Distinctive | Role::Number));
        for ((t, w), known) in q.tokens.iter().zip(qw).zip(&p.known) {
            if t.role == Role::Stop
                || has_distinctive && matches!(t.role, Role::Generic | Role::Place)
            {
                continue;
            }
            let mut seen: FxHashSet<u32> = FxHashSet::default();
            for f in known {
                if let Some(list) = self.token_post.get(f)
                    && list.len() <= cap
                {
                    for n in list {
                        if seen.insert(*n) {
                            *acc.entry(*n).or_insert(0.0) += w / total;
                        }
                    }
                }
            }
        }
        let qgrams = trigrams(&gram_key(q));
        // Trigrams shared by many names say little and cost much: skip them.
        let gram_cap = (self.names.len() / 40).max(300);
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let qn = qgrams.len() as f32;
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let (counts, touched) = &mut *scratch;
            if counts.len() < self.names.len() {
                counts.resize(self.names.len(), 0);
            }
            for g in &qgrams {
                if let Some(list) = self.gram_post.get(g)
                    && list.len() <= gram_cap
                {
                    for n in list {
                        if let Some(c) = counts.get_mut(usize::try_from(*n).unwrap_or(usize::MAX)) {
                            if *c == 0 {
                                touched.push(*n);
                            }
                            *c = c.saturating_add(1);
                        }
                    }
                }
            }
            for n in touched.drain(..) {
                let Some(c) = counts.get_mut(usize::try_from(n).unwrap_or(usize::MAX)) else {
                    continue;
                };
                let h = std::mem::take(c);
                let ng =
                    self.names.get(usize::try_from(n).unwrap_or(usize::MAX)).map_or(0, |r| r.grams);
                let dice = 2.0 * f32::from(h) / (qn + f32::from(ng)).max(1.0);
                if dice >= 0.3 {
                    *acc.entry(n).or_insert(0.0) += dice;
                }
            }
        });
        let mut ranked: Vec<(u32, f32)> = acc.into_iter().filter(|(_, s)| *s >= 0.15).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(MAX_CANDIDATES);
        ranked.into_iter().map(|(n, _)| n).collect()
    }

    fn passes(&self, q: &Query<'_>, e: &Entry) -> bool {
        if let Some(d) = q.date
            && !e.in_force_on(d)
        {
            return false;
        }
        if let Some(lists) = q.lists
            && !lists.contains(&e.list)
        {
            return false;
        }
        if let Some(t) = q.entity_type
            && e.entity_type != EntityType::Unknown
            && t != EntityType::Unknown
            && e.entity_type != t
        {
            return false;
        }
        true
    }

    fn alias_kind(&self, rec: &NameRec) -> Option<AliasKind> {
        let e = self.entries.get(usize::try_from(rec.entry).ok()?)?;
        let a = rec.alias?;
        e.aliases.get(usize::try_from(a).ok()?).map(|a| a.kind)
    }

    fn name_text(&self, rec: &NameRec) -> String {
        let Some(e) = self.entries.get(usize::try_from(rec.entry).unwrap_or(usize::MAX)) else {
            return String::new();
        };
        match rec.alias {
            None => e.name.clone(),
            Some(a) => e
                .aliases
                .get(usize::try_from(a).unwrap_or(usize::MAX))
                .map(|a| a.name.clone())
                .unwrap_or_default(),
        }
    }

    fn country_effect(&self, q: &Query<'_>, e: &Entry, score: f64) -> (f64, Option<CountryNote>) {
        let Some(raw) = q.country else { return (score, None) };
        let qc = normalise_country(raw);
        let ec = e.country.clone().or_else(|| e.nationalities.first().cloned());
        let (verdict, after) = match (&qc, &ec) {
            (Some(a), Some(b)) if country_group(a) == country_group(b) => {
                let boosted = score + (1.0 - score) * 0.1;
                // Never the only reason for an alert.
                let capped = if score < DEFAULT_ALERT_THRESHOLD {
                    boosted.min(DEFAULT_ALERT_THRESHOLD - 0.001).max(score)
                } else {
                    boosted
                };
                ("same", capped)
            }
            (Some(_), Some(_)) => ("different", score * 0.97),
            _ => ("unknown", score),
        };
        let note = CountryNote {
            query: qc.unwrap_or_else(|| raw.to_owned()),
            entry: ec,
            verdict,
            score_before: r3(score),
            score_after: r3(after),
        };
        (after, Some(note))
    }

    /// Scores the query against one indexed name (no country signal): `(score, cov_q,
    /// cov_l)`. The chosen edges stay in `scratch`; context-credited query tokens are appended
    /// to `context`.
    fn score_in(
        &self,
        p: &Prepared,
        rec: &NameRec,
        scratch: &mut Scratch,
        context: &mut Vec<u8>,
    ) -> (f64, f64, f64) {
        let (q, qw) = (&p.form, &p.keys.weights[..]);
        let (mut cov_q, cov_l, mut s) = align_in(p.side(), rec.side(), scratch);
        if let Some(set) = self.ctx.get(usize::try_from(rec.entry).unwrap_or(usize::MAX))
            && !set.is_empty()
        {
            let has = |i: usize| {
                p.known.get(i).is_some_and(|ids| ids.iter().any(|id| set.binary_search(id).is_ok()))
            };
            let extra = context_extra(&scratch.chosen, q, qw, &has, context);
            if extra > 0.0 {
                let total_q: f32 = qw.iter().sum();
                cov_q = (cov_q + f64::from(extra / total_q)).min(1.0);
                s = combine(cov_q, cov_l);
            }
        }
        if cov_q > 0.95 && cov_l > 0.95 && q.same_display(&rec.form) {
            s = 1.0;
        } else if is_acronym_only(&rec.form) && q.tokens.len() > 1 {
            // A bare short alias ("TCL", "ZKX") inside a longer query is weak evidence.
            s *= ACRONYM_FACTOR;
        }
        s *= legal_factor(q, &rec.form) * alias_factor(self.alias_kind(rec));
        (s.clamp(0.0, 1.0), cov_q, cov_l)
    }

    /// [`Screener::score_in`] with the alignment returned (for explanations).
    fn score_name(&self, p: &Prepared, rec: &NameRec, scratch: &mut Scratch) -> (f64, Alignment) {
        let mut context = Vec::new();
        let (s, cov_q, cov_l) = self.score_in(p, rec, scratch, &mut context);
        let al = Alignment { edges: scratch.chosen.clone(), cov_q, cov_l, context };
        (s, al)
    }

    /// Screens one name. Hits are sorted by score (best first), at most `q.limit`.
    pub fn screen(&self, q: &Query<'_>) -> Vec<Hit> {
        let p = self.prepare(q.name);
        if p.form.tokens.is_empty() || q.limit == 0 {
            return Vec::new();
        }
        let mut scratch = Scratch::default();
        let mut context = Vec::new();
        let mut best: Vec<(u32, Scored)> = Vec::new();
        for n in self.candidates(&p) {
            let Some(rec) = self.names.get(usize::try_from(n).unwrap_or(usize::MAX)) else {
                continue;
            };
            let Some(e) = self.entries.get(usize::try_from(rec.entry).unwrap_or(usize::MAX)) else {
                continue;
            };
            if !self.passes(q, e) {
                continue;
            }
            context.clear();
            let (name_score, _, _) = self.score_in(&p, rec, &mut scratch, &mut context);
            let (score, _) = self.country_effect(q, e, name_score);
            if score <= 0.0 {
                continue;
            }
            let cand = Scored { name: n, score, name_score };
            match best.iter_mut().find(|(entry, _)| *entry == rec.entry) {
                Some((_, slot)) => {
                    if score > slot.score {
                        *slot = cand;
                    }
                }
                None => best.push((rec.entry, cand)),
            }
        }
        let mut ranked: Vec<Scored> = best.into_iter().map(|(_, s)| s).collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
        ranked.truncate(q.limit);
        ranked.into_iter().filter_map(|s| self.hit(q, &p, s, &mut scratch)).collect()
    }

    fn hit(&self, q: &Query<'_>, p: &Prepared, s: Scored, scratch: &mut Scratch) -> Option<Hit> {
        let rec = self.names.get(usize::try_from(s.name).ok()?)?;
        let entry = Arc::clone(self.entries.get(usize::try_from(rec.entry).ok()?)?);
        let (_, al) = self.score_name(p, rec, scratch);
        let (_, country) = self.country_effect(q, &entry, s.name_score);
        let kind = self.alias_kind(rec);
        let explanation = explain(&p.form, &p.keys.weights, rec, &al, kind, country);
        let score = r3(s.score);
        Some(Hit {
            list: entry.list.clone(),
            id: entry.id.clone(),
            name: entry.name.clone(),
            matched_name: self.name_text(rec),
            score,
            alert: score >= DEFAULT_ALERT_THRESHOLD,
            explanation,
            entry,
        })
    }

    /// Entries that reach the scorer for this name (candidate generation only, no filters),
    /// as `(list, id)`: for measuring blocking recall separately from scoring.
    pub fn candidate_entries(&self, name: &str) -> Vec<(ListId, String)> {
        let p = self.prepare(name);
        if p.form.tokens.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<(ListId, String)> = Vec::new();
        for n in self.candidates(&p) {
            if let Some(e) = self
                .names
                .get(usize::try_from(n).unwrap_or(usize::MAX))
                .and_then(|r| self.entries.get(usize::try_from(r.entry).unwrap_or(usize::MAX)))
            {
                let key = (e.list.clone(), e.id.clone());
                if !out.contains(&key) {
                    out.push(key);
                }
            }
        }
        out
    }

    /// Pairwise score of a query name against a candidate name, using this screener's corpus
    /// statistics (for evaluation on labelled pairs).
    pub fn score_pair(&self, query: &str, candidate: &str) -> f64 {
        let q = self.prepare(query);
        let c = analyze(candidate);
        if q.form.tokens.is_empty() || c.tokens.is_empty() {
            return 0.0;
        }
        let keys = keys(&c, &self.corpus);
        let rec = NameRec { entry: u32::MAX, alias: None, form: c, keys, grams: 0 };
        self.score_in(&q, &rec, &mut Scratch::default(), &mut Vec::new()).0
    }
}

fn joined_surface(tokens: &[Token], start: u8, len: u8) -> (String, String) {
    let s = usize::from(start);
    let slice = tokens.get(s..s + usize::from(len)).unwrap_or(&[]);
    let surf: Vec<&str> =
        slice.iter().map(|t| t.surface.as_str()).filter(|x| !x.is_empty()).collect();
    let forms: Vec<&str> = slice.iter().map(|t| t.form.as_str()).collect();
    (surf.join(" "), forms.join(" "))
}

fn explain(
    q: &NameForm,
    qw: &[f32],
    rec: &NameRec,
    al: &Alignment,
    kind: Option<AliasKind>,
    country: Option<CountryNote>,
) -> Explanation {
    let l = &rec.form;
    // Order check: list positions of the aligned pairs, in query order.
    let mut aligned = Vec::new();
    let mut prev_l: Option<u8> = None;
    for e in &al.edges {
        let (qs, qf) = joined_surface(&q.tokens, e.q_start, e.q_len);
        let (ls, lf) = joined_surface(&l.tokens, e.l_start, e.l_len);
        let moved = prev_l.is_some_and(|p| e.l_start < p);
        prev_l = Some(prev_l.map_or(e.l_start, |p| p.max(e.l_start)));
        let role = q
            .tokens
            .get(usize::from(e.q_start))
            .map_or(TokenRole::Distinctive, |t| token_role(t.role));
        let mut how = e.how;
        if role == TokenRole::Place && moved && how == MatchKind::Exact {
            how = MatchKind::Place;
        }
        let weight = q
            .tokens
            .get(usize::from(e.q_start)..usize::from(e.q_start) + usize::from(e.q_len))
            .map(|_| {
                let s = usize::from(e.q_start);
                qw.get(s..s + usize::from(e.q_len)).map_or(0.0, |x| x.iter().sum::<f32>())
            })
            .unwrap_or(0.0);
        let forms = if qs.to_lowercase() == qf && ls.to_lowercase() == lf && qf == lf {
            None
        } else {
            Some(format!("{qf} = {lf}"))
        };
        aligned.push(AlignedPair {
            query: qs,
            list: ls,
            forms,
            how,
            similarity: r3(f64::from(e.sim)),
            edits: (e.edits > 0).then_some(e.edits),
            role,
            weight: r3(f64::from(weight)),
            moved,
        });
    }
    for i in &al.context {
        if let Some(t) = q.tokens.get(usize::from(*i)) {
            aligned.push(AlignedPair {
                query: if t.surface.is_empty() { t.form.clone() } else { t.surface.clone() },
                list: t.form.clone(),
                forms: None,
                how: MatchKind::EntryContext,
                similarity: r3(f64::from(CONTEXT_SIM)),
                edits: None,
                role: token_role(t.role),
                weight: r3(f64::from(qw.get(usize::from(*i)).copied().unwrap_or(0.0))),
                moved: false,
            });
        }
    }
    let covered = |start: u8, len: u8, i: usize| -> bool {
        i >= usize::from(start) && i < usize::from(start) + usize::from(len)
    };
    let total_q: f32 = qw.iter().sum::<f32>().max(1e-6);
    let total_l: f32 = rec.keys.weights.iter().sum::<f32>().max(1e-6);
    let unmatched_query = q
        .tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            !al.edges.iter().any(|e| covered(e.q_start, e.q_len, *i))
                && !al.context.iter().any(|c| usize::from(*c) == *i)
        })
        .map(|(i, t)| Unmatched {
            token: if t.surface.is_empty() { t.form.clone() } else { t.surface.clone() },
            role: token_role(t.role),
            weight: r3(f64::from(qw.get(i).copied().unwrap_or(0.0) / total_q)),
        })
        .collect();
    let unmatched_list = l
        .tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| !al.edges.iter().any(|e| covered(e.l_start, e.l_len, *i)))
        .map(|(i, t)| Unmatched {
            token: if t.surface.is_empty() { t.form.clone() } else { t.surface.clone() },
            role: token_role(t.role),
            weight: r3(f64::from(rec.keys.weights.get(i).copied().unwrap_or(0.0) / total_l)),
        })
        .collect();
    let legal_form = (!q.legal.is_empty() || !l.legal.is_empty()).then(|| LegalFormNote {
        query: q.legal.iter().map(|x| x.surface.clone()).collect(),
        list: l.legal.iter().map(|x| x.surface.clone()).collect(),
        factor: r3(legal_factor(q, l)),
    });
    Explanation {
        matched_via: alias_label(kind),
        query_normalized: q.display(),
        list_normalized: l.display(),
        aligned,
        unmatched_query,
        unmatched_list,
        query_coverage: r3(al.cov_q),
        list_coverage: r3(al.cov_l),
        legal_form,
        alias_factor: alias_factor(kind),
        country,
    }
}
