//! The screener: an immutable in-memory index over list entries, candidate generation and
//! scoring.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use earl_lists::model::{AliasKind, EntityType, Entry, ListId, ListSnapshot};
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::blocking::{Accumulators, DeletionIndex, MIN_FUZZY_QUERY, Postings, fixed, q15, scale};
use crate::explain::{
    AlignedPair, CountryNote, Explanation, LegalFormNote, MatchKind, TokenRole, Unmatched, r3,
};
use crate::prepare::{NameForm, Token, analyze, canonical_word};
use crate::score::{
    Alignment, CONTEXT_SIM, Edge, NO_ID, Scratch, Side, align_in, combine, context_extra,
    letter_mask, typo_sim_masked,
};
use crate::tables::Role;

/// Analysing a name once for several indexes, and the candidate gate of small indexes.
mod gate;
pub use gate::{AnalysedName, CandidateGate};

/// Default alert threshold on [`Hit::score`]. Chosen on the development split of earl's
/// Chinese company-name set and name_bench (see docs/SCREENING.md): a score at or above it
/// means "a reviewer should look at this".
pub const DEFAULT_ALERT_THRESHOLD: f64 = 0.80;

/// Default number of hits returned.
pub const DEFAULT_LIMIT: usize = 10;

/// Candidates scored per query (after the cheap pre-score).
const MAX_CANDIDATES: usize = 40;
/// Candidates always aligned (more when the query asks for more hits); the rest of the
/// [`MAX_CANDIDATES`] only when their pre-score says they could come close to an alert.
const MIN_ALIGN: usize = 8;
/// Estimated score (the pre-score on the scorer's scale) from which a candidate beyond
/// [`MIN_ALIGN`] is still aligned.
const ALIGN_FLOOR: f32 = 0.5;
/// Candidates re-ranked with every query word before the cut to [`MAX_CANDIDATES`].
const RERANK: usize = 100;
/// Matched query share a name needs to be a candidate (`gate.rs` relies on it being the
/// only way to become one).
const MIN_PRESCORE: f32 = 0.15;
/// Similarity credited to merged or split words when blocking (as the aligner's merges).
const MERGE_SIM: f32 = 0.96;

/// One blocking unit of a query: query tokens (`mask`) with their share of the query weight
/// and the vocabulary forms that can stand for them, with similarities (a range of
/// [`Units::ids`], best first).
#[derive(Debug, Clone, Copy)]
struct Unit {
    mask: u64,
    w: f32,
    /// Distinctive or number words: walked first; generic/place units only as a fallback.
    selective: bool,
    /// A split word: both of its two forms must occur in the name.
    pair: bool,
    ids: (u32, u32),
}

/// The units of one query, their forms in one flat buffer (reused across queries).
#[derive(Debug, Default)]
struct Units {
    list: Vec<Unit>,
    ids: Vec<(u32, f32)>,
}

impl Units {
    fn clear(&mut self) {
        self.list.clear();
        self.ids.clear();
    }

    /// Adds a unit whose forms were appended to `ids` from position `from` on (sorted here,
    /// best first). Units without forms are dropped.
    fn close(&mut self, from: usize, mask: u64, w: f32, selective: bool, pair: bool) {
        let to = self.ids.len();
        if to == from {
            return;
        }
        if let Some(slice) = self.ids.get_mut(from..) {
            slice.sort_by(|a, b| b.1.total_cmp(&a.1));
        }
        let r = (u32::try_from(from).unwrap_or(u32::MAX), u32::try_from(to).unwrap_or(u32::MAX));
        self.list.push(Unit { mask, w, selective, pair, ids: r });
    }

    fn ids(&self, u: &Unit) -> &[(u32, f32)] {
        self.ids.get(u.ids.0 as usize..u.ids.1 as usize).unwrap_or(&[])
    }
}

/// Per-thread blocking buffers.
#[derive(Debug, Default)]
struct BlockBuf {
    acc: Accumulators,
    units: Units,
    fuzzy: Vec<u32>,
    table: Vec<(u32, u64, f32)>,
    ranked: Vec<u64>,
    best_q: Vec<f32>,
    text: String,
}

thread_local! {
    /// Blocking buffers of this thread: each thread screens its own queries and nothing is
    /// shared between threads, so there is no lock to wait on.
    static BLOCK: std::cell::RefCell<BlockBuf> = std::cell::RefCell::new(BlockBuf::default());
}

/// Ranking key from the matched shares of both sides: `q^3 l^2`, which orders names like the
/// scorer's `q^0.6 l^0.4` (its fifth power) without calling `powf`.
fn rank_key(q: f32, l: f32) -> f32 {
    let (q, l) = (q.clamp(0.0, 1.0), l.clamp(0.01, 1.0));
    q * q * q * l * l
}

/// `(form id, query tokens, similarity)` of every unit, sorted by id, for [`Screener::rescore`].
fn rerank_table(units: &Units, out: &mut Vec<(u32, u64, f32)>) {
    out.clear();
    for u in &units.list {
        out.extend(units.ids(u).iter().map(|(id, s)| (*id, u.mask, *s)));
    }
    out.sort_unstable_by_key(|a| a.0);
}

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
    /// Distinct interned forms: token forms, alternative forms and joined name keys.
    pub tokens: usize,
    /// Posting-list entries (names per form) plus typo-index keys.
    pub postings: usize,
    /// Build time in milliseconds.
    pub build_ms: f64,
}

/// Typo neighbours of a form: `(form id, similarity)`.
type Neighbours = Box<[(u32, f32)]>;

/// Corpus statistics shared between a screener and its subsets: the vocabulary of token forms
/// (interned to `u32` ids once at build) and their document frequencies.
#[derive(Debug)]
struct Corpus {
    /// Form -> id, for every token form and alternative form of the corpus.
    vocab: FxHashMap<Box<str>, u32>,
    /// Document frequency (number of names containing the form as a token form) per id.
    df: Vec<u32>,
    /// Form text per id (also the joined keys of names, which have df 0).
    forms: Vec<Box<str>>,
    /// Letter mask per id.
    masks: Vec<u32>,
    /// Typo neighbourhoods of the token forms (built on a second thread while the rest of
    /// the index is assembled; empty until then).
    fuzzy: OnceLock<DeletionIndex>,
    /// Verified typo neighbours per form id, filled the first time a query uses the form:
    /// reads are a single atomic load, so threads never wait on each other.
    neighbours: Vec<OnceLock<Neighbours>>,
    /// Number of names in the full corpus.
    names: u32,
}

impl Corpus {
    /// Interned id of a form, or [`NO_ID`].
    fn id(&self, form: &str) -> u32 {
        self.vocab.get(form).copied().unwrap_or(NO_ID)
    }

    fn form(&self, id: u32) -> &str {
        self.forms.get(id as usize).map_or("", |f| f)
    }

    fn mask(&self, id: u32) -> u32 {
        self.masks.get(id as usize).copied().unwrap_or(u32::MAX)
    }

    /// Appends the ids of vocabulary forms sharing a deletion key with `word`.
    fn typo_candidates(&self, word: &str, out: &mut Vec<u32>) {
        if let Some(f) = self.fuzzy.get() {
            f.candidates(word, out);
        }
    }

    /// Vocabulary forms within the typo budget of `form` (whose id is `id`, or [`NO_ID`]),
    /// with their similarity; `buf` is scratch space.
    fn typo_neighbours(&self, form: &str, id: u32, buf: &mut Vec<u32>, out: &mut Vec<(u32, f32)>) {
        let compute = |buf: &mut Vec<u32>, out: &mut Vec<(u32, f32)>| {
            buf.clear();
            self.typo_candidates(form, buf);
            buf.sort_unstable();
            buf.dedup();
            let m = letter_mask(form);
            for n in buf.iter() {
                if *n == id {
                    continue;
                }
                if let Some((sim, _)) = typo_sim_masked(form, m, self.form(*n), self.mask(*n)) {
                    out.push((*n, sim));
                }
            }
        };
        match self.neighbours.get(id as usize) {
            Some(cell) => {
                let cached = cell.get_or_init(|| {
                    let mut v = Vec::new();
                    compute(buf, &mut v);
                    v.into_boxed_slice()
                });
                out.extend_from_slice(cached);
            }
            None => compute(buf, out),
        }
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
    /// Sum of the weights (at least a tiny positive number).
    total: f32,
}

impl Keys {
    /// The aligner's view of a name with these keys.
    fn side<'a>(&'a self, form: &'a NameForm) -> Side<'a> {
        Side { form, w: &self.weights, ids: &self.ids, masks: &self.masks }
    }
}

/// Alternative-form ids of a name's tokens, `(token, id)`: for re-ranking candidates.
type AltIds = Box<[(u8, u32)]>;

fn alt_ids(form: &NameForm, corpus: &Corpus) -> AltIds {
    let mut v = Vec::new();
    for (i, t) in form.tokens.iter().enumerate().take(64) {
        for a in &t.alts {
            let id = corpus.id(a);
            if id != NO_ID {
                v.push((u8::try_from(i).unwrap_or(u8::MAX), id));
            }
        }
    }
    v.into_boxed_slice()
}

fn keys(form: &NameForm, corpus: &Corpus) -> Keys {
    let ids: Box<[u32]> = form.tokens.iter().map(|t| corpus.id(&t.form)).collect();
    let masks = form.tokens.iter().map(|t| letter_mask(&t.form)).collect();
    let weights = weights(form, &ids, corpus).into_boxed_slice();
    let total = weights.iter().sum::<f32>().max(1e-6);
    Keys { ids, masks, weights, total }
}

/// An indexed name.
#[derive(Debug, Clone)]
struct NameRec {
    entry: u32,
    /// `None` for the main name, else the alias index.
    alias: Option<u32>,
    form: NameForm,
    keys: Keys,
}

impl NameRec {
    fn side(&self) -> Side<'_> {
        self.keys.side(&self.form)
    }
}

/// One item of a name's re-ranking brief: a form id of token `tok` with the token's weight.
/// Special tokens: [`BRIEF_TOTAL`] carries the name's total weight, [`BRIEF_JOINED`] the id of
/// its joined key and the weight the key covers.
#[derive(Debug, Clone, Copy)]
struct BriefItem {
    id: u32,
    w: f32,
    tok: u8,
}

const BRIEF_TOTAL: u8 = u8::MAX;
const BRIEF_JOINED: u8 = u8::MAX - 1;

/// What re-ranking reads of every name, packed contiguously per name (one or two cache lines
/// instead of several scattered heap objects).
#[derive(Debug, Clone, Default)]
struct Briefs {
    off: Vec<u32>,
    items: Vec<BriefItem>,
}

impl Briefs {
    fn push(&mut self, keys: &Keys, alts: &AltIds, joined: (u32, f32)) {
        if self.off.is_empty() {
            self.off.push(0);
        }
        self.items.push(BriefItem { id: NO_ID, w: keys.total, tok: BRIEF_TOTAL });
        if joined.0 != NO_ID {
            self.items.push(BriefItem { id: joined.0, w: joined.1, tok: BRIEF_JOINED });
        }
        for (j, (id, w)) in keys.ids.iter().zip(keys.weights.iter()).enumerate().take(64) {
            let tok = u8::try_from(j).unwrap_or(0);
            self.items.push(BriefItem { id: *id, w: *w, tok });
            for (_, alt) in alts.iter().filter(|(t, _)| *t == tok) {
                self.items.push(BriefItem { id: *alt, w: *w, tok });
            }
        }
        self.off.push(u32::try_from(self.items.len()).unwrap_or(u32::MAX));
    }

    fn get(&self, name: u32) -> &[BriefItem] {
        let n = name as usize;
        match (self.off.get(n), self.off.get(n + 1)) {
            (Some(a), Some(b)) => self.items.get(*a as usize..*b as usize).unwrap_or(&[]),
            _ => &[],
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
        self.keys.side(&self.form)
    }
}

/// Immutable screening index. `Send + Sync`; build once, share by reference or `Arc`.
#[derive(Debug, Clone)]
pub struct Screener {
    entries: Vec<Arc<Entry>>,
    names: Vec<NameRec>,
    postings: Postings,
    briefs: Briefs,
    by_id: FxHashMap<(ListId, String), u32>,
    /// Per entry: ids of the generic and place word forms over all its names, sorted.
    ctx: Vec<Box<[u32]>>,
    /// Per entry: whether one of its names has a descriptive (generic) word.
    described: Vec<bool>,
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

/// Runs of two to four adjacent tokens that blocking looks up as one word (`Zhong Ke` =
/// `zhongke`): within the first 64 tokens, never across a stop word. `f` gets the run's first
/// and last token, its mask and its forms joined. The candidate gate walks the same runs
/// through this function, so the two cannot drift apart.
pub(crate) fn adjacent_runs(
    tokens: &[Token],
    text: &mut String,
    mut f: impl FnMut(usize, usize, u64, &str),
) {
    let n = tokens.len().min(64);
    for start in 0..n {
        text.clear();
        let mut mask = 0u64;
        for end in start..n.min(start + 4) {
            let Some(t) = tokens.get(end) else { break };
            if t.role == Role::Stop {
                break;
            }
            text.push_str(&t.form);
            mask |= 1u64 << end;
            if end > start {
                f(start, end, mask, text);
            }
        }
    }
}

/// Distinctive (and number) tokens joined, or all non-stop tokens when a name has none: the
/// same key for `Zhong Ke Shu Guang`, `Zhongke Shuguang` and `ZHONGKESHUGUANG`. `None` for a
/// single token (its form is already indexed). Returns the key and the tokens it covers.
fn joined_key(form: &NameForm) -> Option<(String, u64)> {
    let keyed = |t: &Token| matches!(t.role, Role::Distinctive | Role::Number);
    let any = form.tokens.iter().any(keyed);
    let mut key = String::new();
    let mut mask = 0u64;
    let mut n = 0;
    for (i, t) in form.tokens.iter().enumerate().take(64) {
        if (any && keyed(t)) || (!any && t.role != Role::Stop) {
            key.push_str(&t.form);
            mask |= 1u64 << i;
            n += 1;
        }
    }
    (n >= 2).then_some((key, mask))
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
    /// Alignment buffers of this thread, reused across queries.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Names from which index builds use a second thread.
const PARALLEL_BUILD: usize = 4096;

/// The parts of a list name that gives a name in two scripts, one in parentheses: `Air Koryo
/// (高麗航空)`, `China General Nuclear Power Corporation (CGNPC) （中国広核集団）` (Japan's End
/// User List writes most names so). Each part is indexed as a form of the same name, so a query
/// in either script meets its own part whole instead of a name half in another script. Empty
/// for other names.
fn script_parts(name: &str) -> Vec<String> {
    let is_han = crate::normalize::is_han;
    if !name.chars().any(is_han) || !name.chars().any(|c| c.is_ascii_alphabetic()) {
        return Vec::new();
    }
    let (mut parts, mut rest) = (Vec::new(), String::new());
    let mut chars = name.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let close = match c {
            '(' => ')',
            '（' => '）',
            _ => {
                rest.push(c);
                continue;
            }
        };
        let start = i + c.len_utf8();
        let inner = name.get(start..).and_then(|r| r.find(close).and_then(|end| r.get(..end)));
        match inner {
            Some(text) if text.chars().any(is_han) => {
                parts.push(text.to_owned());
                let end = start + text.len();
                // Skip the parenthesised text and its closing parenthesis.
                while chars.peek().is_some_and(|(j, _)| *j <= end) {
                    chars.next();
                }
            }
            _ => rest.push(c),
        }
    }
    if parts.is_empty() {
        return Vec::new();
    }
    if rest.chars().any(|c| c.is_ascii_alphabetic()) {
        parts.push(rest);
    }
    parts
}

/// Every name of every entry, analysed: `(entry, alias index or None, form)` in entry order.
/// Large corpora are analysed on two threads (each half of the entries).
fn analyze_entries(entries: &[Arc<Entry>]) -> Vec<(u32, Option<u32>, NameForm)> {
    let run = |from: usize, part: &[Arc<Entry>]| {
        let mut out = Vec::with_capacity(part.len() * 3);
        for (k, e) in part.iter().enumerate() {
            let ei = u32::try_from(from + k).unwrap_or(u32::MAX);
            let names = std::iter::once((None, e.name.as_str())).chain(
                e.aliases
                    .iter()
                    .enumerate()
                    .map(|(ai, a)| (Some(u32::try_from(ai).unwrap_or(u32::MAX)), a.name.as_str())),
            );
            for (alias, name) in names {
                out.push((ei, alias, analyze(name)));
                for part in script_parts(name) {
                    out.push((ei, alias, analyze(&part)));
                }
            }
        }
        out
    };
    let names: usize = entries.iter().map(|e| 1 + e.aliases.len()).sum();
    if names < PARALLEL_BUILD {
        return run(0, entries);
    }
    let mid = entries.len() / 2;
    let (first, second) = entries.split_at(mid);
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new().spawn_scoped(scope, || run(mid, second)).ok();
        let mut out = run(0, first);
        match helper.map(|h| h.join()) {
            Some(Ok(rest)) => out.extend(rest),
            _ => out.extend(run(mid, second)),
        }
        out
    })
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

/// The best-scoring name of an entry so far, with its alignment (ranges into the arenas of
/// [`Screener::screen_prepared`]).
#[derive(Debug, Clone, Copy)]
struct Kept {
    entry: u32,
    scored: Scored,
    edges: (usize, usize),
    context: (usize, usize),
    cov: (f64, f64),
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
        let forms = analyze_entries(&entries);
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
        let token_ids = df.len();
        for (_, _, f) in &forms {
            if let Some((key, _)) = joined_key(f) {
                intern(&key, &mut df);
            }
        }
        let mut forms_by_id: Vec<Box<str>> = vec![Box::from(""); df.len()];
        for (f, id) in &vocab {
            if let Some(slot) = forms_by_id.get_mut(*id as usize) {
                *slot = f.clone();
            }
        }
        let masks = forms_by_id.iter().map(|f| letter_mask(f)).collect();
        let neighbours = (0..forms_by_id.len()).map(|_| OnceLock::new()).collect();
        let corpus = Arc::new(Corpus {
            vocab,
            df,
            neighbours,
            forms: forms_by_id,
            masks,
            fuzzy: OnceLock::new(),
            names: u32::try_from(forms.len()).unwrap_or(u32::MAX),
        });
        let build_fuzzy = |c: &Corpus| {
            DeletionIndex::build(
                c.forms
                    .iter()
                    .enumerate()
                    .take(token_ids)
                    .filter(|(_, f)| f.bytes().all(|c| c.is_ascii_alphanumeric()))
                    .map(|(i, f)| (u32::try_from(i).unwrap_or(NO_ID), &**f)),
            )
        };
        let parallel = forms.len() >= PARALLEL_BUILD;
        let mut s = std::thread::scope(|scope| {
            let c: &Corpus = &corpus;
            // The deletion index is the second-largest build step and independent of the
            // postings: build it beside them.
            let helper = parallel
                .then(|| {
                    std::thread::Builder::new().spawn_scoped(scope, move || build_fuzzy(c)).ok()
                })
                .flatten();
            let s = Screener::assemble(entries, forms, Arc::clone(&corpus));
            let index = match helper.map(|h| h.join()) {
                Some(Ok(index)) => index,
                _ => build_fuzzy(c),
            };
            let _ = c.fuzzy.set(index);
            s
        });
        s.build_ms = start.elapsed().as_secs_f64() * 1000.0;
        s
    }

    fn assemble(
        entries: Vec<Arc<Entry>>,
        forms: Vec<(u32, Option<u32>, NameForm)>,
        corpus: Arc<Corpus>,
    ) -> Screener {
        let mut names = Vec::with_capacity(forms.len());
        let mut briefs = Briefs::default();
        let mut triples: Vec<(u32, u32, f32)> = Vec::new();
        let mut ctx: Vec<Vec<u32>> = vec![Vec::new(); entries.len()];
        let mut described = vec![false; entries.len()];
        let mut seen: Vec<(u32, f32)> = Vec::new();
        for (ni, (entry, alias, form)) in forms.into_iter().enumerate() {
            let ni = u32::try_from(ni).unwrap_or(u32::MAX);
            let keys = keys(&form, &corpus);
            let total: f32 = keys.weights.iter().sum::<f32>().max(1e-6);
            seen.clear();
            for ((t, id), w) in form.tokens.iter().zip(keys.ids.iter()).zip(keys.weights.iter()) {
                if t.role == Role::Stop {
                    continue;
                }
                let share = w / total;
                seen.push((*id, share));
                seen.extend(t.alts.iter().map(|a| (corpus.id(a), share)));
                if matches!(t.role, Role::Generic | Role::Place)
                    && let Some(set) = ctx.get_mut(usize::try_from(entry).unwrap_or(usize::MAX))
                {
                    set.push(*id);
                }
                if t.role == Role::Generic
                    && let Some(d) = described.get_mut(usize::try_from(entry).unwrap_or(usize::MAX))
                {
                    *d = true;
                }
            }
            let joined = match joined_key(&form) {
                Some((key, mask)) => {
                    let id = corpus.id(&key);
                    let share: f32 = keys
                        .weights
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1u64 << i) != 0)
                        .map(|(_, w)| w / total)
                        .sum();
                    seen.push((id, share));
                    (id, share * total)
                }
                None => (NO_ID, 0.0),
            };
            // One posting per form and name, with the largest share.
            seen.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
            seen.dedup_by_key(|x| x.0);
            triples
                .extend(seen.iter().filter(|(id, _)| *id != NO_ID).map(|(id, sh)| (*id, ni, *sh)));
            let alts = alt_ids(&form, &corpus);
            briefs.push(&keys, &alts, joined);
            names.push(NameRec { entry, alias, form, keys });
        }
        let postings = Postings::build(corpus.forms.len(), &triples);
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
        Screener { entries, names, postings, briefs, by_id, ctx, described, corpus, build_ms: 0.0 }
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
            postings: self.postings.len() + self.corpus.fuzzy.get().map_or(0, DeletionIndex::len),
            build_ms: self.build_ms,
        }
    }

    fn prepare(&self, name: &str) -> Prepared {
        self.prepare_form(analyze(name))
    }

    fn prepare_form(&self, form: NameForm) -> Prepared {
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

    /// Names worth scoring, best pre-score first (see `blocking.rs`), with their ranking key.
    fn candidates(&self, p: &Prepared) -> Vec<(u32, f32)> {
        BLOCK.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => self.block(p, &mut buf),
            Err(_) => self.block(p, &mut BlockBuf::default()),
        })
    }

    /// Fills `b.units` with the query's blocking units (see `blocking.rs`). A new kind of
    /// unit, or a wider reach of one, must be mirrored in `gate.rs` (`CandidateGate::admits`
    /// over-approximates these units to prove that re-screened rows have no candidate).
    fn units(&self, p: &Prepared, b: &mut BlockBuf) {
        let BlockBuf { units, fuzzy, text, .. } = b;
        units.clear();
        let (q, qw) = (&p.form, &p.keys.weights[..]);
        let total = p.keys.total;
        for (i, t) in q.tokens.iter().enumerate().take(64) {
            if t.role == Role::Stop {
                continue;
            }
            let w = qw.get(i).copied().unwrap_or(0.0) / total;
            let form_id = p.keys.ids.get(i).copied().unwrap_or(NO_ID);
            let selective = matches!(t.role, Role::Distinctive | Role::Number);
            let from = units.ids.len();
            if form_id != NO_ID {
                units.ids.push((form_id, 1.0));
            }
            for a in p.known.get(i).into_iter().flatten() {
                if *a != form_id {
                    units.ids.push((*a, 0.95));
                }
            }
            if t.role == Role::Distinctive && t.form.len() >= MIN_FUZZY_QUERY {
                self.corpus.typo_neighbours(&t.form, form_id, fuzzy, &mut units.ids);
            }
            units.close(from, 1u64 << i, w, selective, false);
            // A word may be two known words run together ("MAKlogistics", "Suntontech"), one
            // of them mistyped when the word is unknown ("Huawweicloud"); so may the pinyin
            // of a Chinese word ("jichengdianlu" = "Jicheng Dianlu").
            let splittable = |f: &str| f.len() >= 3 && f.is_ascii();
            let own = (t.role == Role::Distinctive && splittable(&t.form))
                .then_some((t.form.as_str(), form_id == NO_ID));
            // Typo look-ups are the costly part: a few per word at most.
            let mut typo_budget = 2;
            let alts = t
                .alts
                .iter()
                .filter(|a| t.role != Role::Number && a.len() >= 4 && splittable(a))
                .map(|a| (a.as_str(), false));
            for (f, typos) in own.into_iter().chain(alts) {
                for cut in 1..f.len().saturating_sub(1) {
                    let (Some(l), Some(r)) = (f.get(..cut), f.get(cut..)) else { continue };
                    if cut == 1 && r.len() < 5 {
                        continue;
                    }
                    let typos = typos && typo_budget > 0;
                    let li = self.part_id(l);
                    if li == NO_ID && !(typos && l.len() >= 5) {
                        continue;
                    }
                    let ri = self.part_id(r);
                    let pair = match (li, ri) {
                        (NO_ID, NO_ID) => None,
                        (NO_ID, r_id) if typos && l.len() >= 5 && r.len() >= 3 => {
                            typo_budget -= 1;
                            self.best_typo(l, fuzzy).map(|(l_id, sim)| (l_id, r_id, sim))
                        }
                        (l_id, NO_ID) if typos && r.len() >= 5 && l.len() >= 3 => {
                            typo_budget -= 1;
                            self.best_typo(r, fuzzy).map(|(r_id, sim)| (l_id, r_id, sim))
                        }
                        (NO_ID, _) | (_, NO_ID) => None,
                        (l_id, r_id) => Some((l_id, r_id, 1.0)),
                    };
                    if let Some((l_id, r_id, sim)) = pair {
                        let from = units.ids.len();
                        units.ids.push((l_id, sim * MERGE_SIM));
                        units.ids.push((r_id, sim * MERGE_SIM));
                        units.close(from, 1u64 << i, w, selective, true);
                    }
                }
            }
        }
        // Adjacent words run together: `Zhong Ke` = `zhongke`.
        let n = q.tokens.len().min(64);
        adjacent_runs(&q.tokens, text, |start, end, mask, text| {
            let w: f32 = (start..=end).map(|i| qw.get(i).copied().unwrap_or(0.0) / total).sum();
            let selective = q.tokens.get(start..=end).is_some_and(|ts| {
                ts.iter().any(|t| matches!(t.role, Role::Distinctive | Role::Number))
            });
            let from = units.ids.len();
            let id = self.corpus.id(text);
            if id != NO_ID {
                units.ids.push((id, MERGE_SIM));
            } else if end == start + 1
                && selective
                && text.len() >= MIN_FUZZY_QUERY
                && text.len() <= 8
                && text.is_ascii()
            {
                // Two short words (syllables) run together with a typo ("Yu Xin" =
                // "Yixin").
                let at = units.ids.len();
                self.corpus.typo_neighbours(text, NO_ID, fuzzy, &mut units.ids);
                for x in units.ids.get_mut(at..).into_iter().flatten() {
                    x.1 *= MERGE_SIM;
                }
            }
            units.close(from, mask, w, selective, false);
        });
        if let Some((key, mask)) = joined_key(q) {
            let id = self.corpus.id(&key);
            if id != NO_ID {
                let w = (0..n)
                    .filter(|i| mask & (1u64 << i) != 0)
                    .map(|i| qw.get(i).copied().unwrap_or(0.0) / total)
                    .sum();
                let from = units.ids.len();
                units.ids.push((id, MERGE_SIM));
                units.close(from, mask, w, true, false);
            }
        }
    }

    /// Id of a piece of a split word, as written or as its canonical form (`tech`).
    fn part_id(&self, part: &str) -> u32 {
        match self.corpus.id(part) {
            NO_ID => canonical_word(part).map_or(NO_ID, |c| self.corpus.id(c)),
            id => id,
        }
    }

    /// The vocabulary word closest to `word` within the typo budget.
    fn best_typo(&self, word: &str, buf: &mut Vec<u32>) -> Option<(u32, f32)> {
        buf.clear();
        self.corpus.typo_candidates(word, buf);
        let m = letter_mask(word);
        buf.iter()
            .filter_map(|id| {
                typo_sim_masked(word, m, self.corpus.form(*id), self.corpus.mask(*id))
                    .map(|(s, _)| (*id, s))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    fn block(&self, p: &Prepared, b: &mut BlockBuf) -> Vec<(u32, f32)> {
        self.units(p, b);
        let BlockBuf { acc, units, table, ranked, best_q, .. } = b;
        acc.begin(self.names.len());
        let cap = (self.names.len() / 20).max(200);
        let wide_cap = (self.names.len() / 8).max(500);
        let walk = |acc: &mut Accumulators, u: &Unit, cap: usize, skip_below: usize| {
            let stamp = acc.unit();
            let ids = units.ids(u);
            if let (true, [(a, sim), (b, _)]) = (u.pair, ids) {
                // Both halves of a split word: only names containing both.
                let ((na, sa), (nb, sb)) = (self.postings.get(*a), self.postings.get(*b));
                let ((sn, ss), (ln, ls)) =
                    if na.len() <= nb.len() { ((na, sa), (nb, sb)) } else { ((nb, sb), (na, sa)) };
                if sn.len() > cap || sn.len() <= skip_below {
                    return;
                }
                // Look the shorter list up in the longer one.
                let (q, s15) = (fixed(u.w * sim), q15(*sim));
                for (n, sh) in sn.iter().zip(ss) {
                    if let Ok(k) = ln.binary_search(n) {
                        let l = sh.saturating_add(ls.get(k).copied().unwrap_or(0));
                        acc.credit(*n, stamp, q, scale(l, s15));
                    }
                }
                return;
            }
            for (id, sim) in ids {
                let (names, shares) = self.postings.get(*id);
                if names.len() > cap || names.len() <= skip_below {
                    continue;
                }
                let (q, s15) = (fixed(u.w * sim), q15(*sim));
                for (n, sh) in names.iter().zip(shares) {
                    acc.credit(*n, stamp, q, scale(*sh, s15));
                }
            }
        };
        for u in units.list.iter().filter(|u| u.selective) {
            walk(acc, u, cap, 0);
        }
        // Descriptive words only block when the distinctive ones found few names:
        // "Technology" is in thousands of names and would flood the candidates.
        if acc.touched.len() < MAX_CANDIDATES {
            for u in units.list.iter().filter(|u| !u.selective) {
                walk(acc, u, cap, 0);
            }
        }
        // Still few: walk the common words too, if together they can reach the floor.
        if acc.touched.len() < MAX_CANDIDATES {
            let common: f32 = units
                .list
                .iter()
                .filter(|u| units.ids(u).iter().any(|(id, _)| self.postings.get(*id).0.len() > cap))
                .map(|u| u.w)
                .sum();
            if common >= MIN_PRESCORE {
                for u in &units.list {
                    walk(acc, u, wide_cap, cap);
                }
            }
        }
        // Ranking entries are `(descending key, name)` packed into one integer, so selecting
        // and sorting compare plain `u64`s (non-negative floats order like their bits).
        let pack =
            |n: u32, key: f32| (u64::from(u32::MAX - key.max(0.0).to_bits()) << 32) | u64::from(n);
        let unpack = |x: u64| -> (u32, f32) {
            #[expect(clippy::cast_possible_truncation, reason = "the low half is the name")]
            let n = x as u32;
            (n, f32::from_bits(u32::MAX - u32::try_from(x >> 32).unwrap_or(u32::MAX)))
        };
        ranked.clear();
        ranked.extend(acc.touched.iter().filter_map(|n| {
            let s = acc.shares(*n);
            (s.acc_q >= MIN_PRESCORE).then(|| pack(*n, rank_key(s.acc_q, s.acc_l)))
        }));
        if ranked.len() > MIN_ALIGN {
            if ranked.len() > RERANK {
                ranked.select_nth_unstable(RERANK);
                ranked.truncate(RERANK);
            }
            rerank_table(units, table);
            for x in ranked.iter_mut() {
                let (n, _) = unpack(*x);
                *x = pack(n, self.rescore(p, n, table, best_q));
            }
            if ranked.len() > MAX_CANDIDATES {
                ranked.select_nth_unstable(MAX_CANDIDATES);
                ranked.truncate(MAX_CANDIDATES);
            }
        }
        ranked.sort_unstable();
        ranked.iter().take(MAX_CANDIDATES).map(|x| unpack(*x)).collect()
    }

    /// The candidates worth aligning for a query asking for `limit` hits: the first
    /// [`MIN_ALIGN`] (or `limit + 4`), then those whose pre-score reaches [`ALIGN_FLOOR`].
    fn to_align(ranked: Vec<(u32, f32)>, limit: usize) -> impl Iterator<Item = u32> {
        let want = MIN_ALIGN.max(limit.saturating_add(4));
        let floor = ALIGN_FLOOR.powi(5);
        ranked
            .into_iter()
            .enumerate()
            .take_while(move |(k, (_, key))| *k < want || *key >= floor)
            .map(|(_, (n, _))| n)
    }

    /// Re-ranking score of candidate name `n`: coverage of both sides through every unit's
    /// forms (generic words included), as a [`rank_key`]. `best_q` is scratch space.
    fn rescore(
        &self,
        p: &Prepared,
        n: u32,
        table: &[(u32, u64, f32)],
        best_q: &mut Vec<f32>,
    ) -> f32 {
        best_q.clear();
        best_q.resize(p.keys.weights.len().min(64), 0.0);
        // Calls `f(query mask, sim)` for every unit form equal to `id`.
        let lookup = |id: u32, f: &mut dyn FnMut(u64, f32)| {
            let start = table.partition_point(|x| x.0 < id);
            for (_, mask, sim) in table.get(start..).unwrap_or(&[]).iter().take_while(|x| x.0 == id)
            {
                f(*mask, *sim);
            }
        };
        let credit_q = |mask: u64, sim: f32, best_q: &mut [f32]| {
            let mut m = mask;
            while m != 0 {
                if let Some(b) = best_q.get_mut(m.trailing_zeros() as usize) {
                    *b = b.max(sim);
                }
                m &= m - 1;
            }
        };
        let (mut total_l, mut matched_l, mut joined_l) = (1e-6f32, 0.0f32, 0.0f32);
        // Items of one token are consecutive: the token counts with its best form.
        let (mut tok, mut tok_w, mut tok_best) = (u8::MAX, 0.0f32, 0.0f32);
        for item in self.briefs.get(n) {
            match item.tok {
                BRIEF_TOTAL => total_l = item.w,
                BRIEF_JOINED => lookup(item.id, &mut |mask, sim| {
                    credit_q(mask, sim, best_q);
                    // The key covers the name's distinctive tokens: count them as matched.
                    joined_l += item.w * sim;
                }),
                t => {
                    if t != tok {
                        matched_l += tok_w * tok_best;
                        (tok, tok_w, tok_best) = (t, item.w, 0.0);
                    }
                    lookup(item.id, &mut |mask, sim| {
                        tok_best = tok_best.max(sim);
                        credit_q(mask, sim, best_q);
                    });
                }
            }
        }
        matched_l += tok_w * tok_best + joined_l;
        let matched_l = matched_l.min(total_l);
        let matched_q: f32 = p.keys.weights.iter().zip(best_q.iter()).map(|(w, b)| w * b).sum();
        rank_key(matched_q / p.keys.total, matched_l / total_l)
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

    /// The country signal on a name score: `(score, note)`. `qc` is the query country as
    /// [`normalise_country`] reads it (computed once per query); the note is only built when
    /// `with_note`.
    fn country_effect(
        &self,
        raw: Option<&str>,
        qc: Option<&str>,
        e: &Entry,
        score: f64,
        with_note: bool,
    ) -> (f64, Option<CountryNote>) {
        let Some(raw) = raw else { return (score, None) };
        let ec = e.country.as_deref().or_else(|| e.nationalities.first().map(String::as_str));
        let (verdict, after) = match (qc, ec) {
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
        let note = with_note.then(|| CountryNote {
            query: qc.unwrap_or(raw).to_owned(),
            entry: ec.map(str::to_owned),
            verdict,
            score_before: r3(score),
            score_after: r3(after),
        });
        (after, note)
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
            let total_q: f32 = qw.iter().sum::<f32>().max(1e-6);
            if extra > 0.0 {
                // Raise the coverage part of the score and keep the factors `align_in` applied
                // (contradictions, another line of business, a national subsidiary).
                let before = combine(cov_q, cov_l);
                cov_q = (cov_q + f64::from(extra / total_q)).min(1.0);
                s = if before > 0.0 {
                    s * combine(cov_q, cov_l) / before
                } else {
                    combine(cov_q, cov_l)
                };
            }
            // A bare name (`Biren`, `Zhongke Shuguang`) says nothing of the line of business;
            // the entry's other names do. Descriptive words the query adds that none of them
            // carries name another business (`Shanghai Biren Restaurant`), as two full names
            // with different descriptive words do in `align_in`.
            let bare = !rec.form.tokens.iter().any(|t| t.role == Role::Generic);
            if bare
                && self.described.get(usize::try_from(rec.entry).unwrap_or(usize::MAX))
                    == Some(&true)
            {
                let used = crate::score::query_tokens(&scratch.chosen);
                let foreign: f32 = q
                    .tokens
                    .iter()
                    .enumerate()
                    .take(64)
                    .filter(|(i, t)| t.role == Role::Generic && used & (1u64 << i) == 0 && !has(*i))
                    .map(|(i, _)| qw.get(i).copied().unwrap_or(0.0))
                    .sum();
                s *= 1.0 - f64::from(foreign / total_q);
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

    /// Screens one name. Hits are sorted by score (best first), at most `q.limit`.
    pub fn screen(&self, q: &Query<'_>) -> Vec<Hit> {
        self.screen_form(q, analyze(q.name))
    }

    /// [`Screener::screen`] of a name already analysed (`q.name` is not read).
    fn screen_form(&self, q: &Query<'_>, form: NameForm) -> Vec<Hit> {
        let p = self.prepare_form(form);
        if p.form.tokens.is_empty() || q.limit == 0 {
            return Vec::new();
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.screen_prepared(q, &p, &mut scratch),
            Err(_) => self.screen_prepared(q, &p, &mut Scratch::default()),
        })
    }

    fn screen_prepared(&self, q: &Query<'_>, p: &Prepared, scratch: &mut Scratch) -> Vec<Hit> {
        let qc = q.country.and_then(normalise_country);
        let mut context = Vec::new();
        // Best name per entry, with its alignment kept (edges and context in two arenas) so
        // hits need no second alignment.
        let mut best: Vec<Kept> = Vec::new();
        let (mut kept_edges, mut kept_ctx): (Vec<Edge>, Vec<u8>) = (Vec::new(), Vec::new());
        for n in Self::to_align(self.candidates(p), q.limit) {
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
            let (name_score, cov_q, cov_l) = self.score_in(p, rec, scratch, &mut context);
            let (score, _) = self.country_effect(q.country, qc.as_deref(), e, name_score, false);
            if score <= 0.0 {
                continue;
            }
            let slot = best.iter().position(|k| k.entry == rec.entry);
            if slot.is_some_and(|i| best.get(i).is_some_and(|k| score <= k.scored.score)) {
                continue;
            }
            let kept = Kept {
                entry: rec.entry,
                scored: Scored { name: n, score, name_score },
                edges: (kept_edges.len(), kept_edges.len() + scratch.chosen.len()),
                context: (kept_ctx.len(), kept_ctx.len() + context.len()),
                cov: (cov_q, cov_l),
            };
            kept_edges.extend_from_slice(&scratch.chosen);
            kept_ctx.extend_from_slice(&context);
            match slot.and_then(|i| best.get_mut(i)) {
                Some(k) => *k = kept,
                None => best.push(kept),
            }
        }
        best.sort_by(|a, b| {
            b.scored.score.total_cmp(&a.scored.score).then(a.scored.name.cmp(&b.scored.name))
        });
        best.truncate(q.limit);
        let display = if best.is_empty() { String::new() } else { p.form.display() };
        best.iter()
            .filter_map(|k| {
                let al = Alignment {
                    edges: kept_edges.get(k.edges.0..k.edges.1).unwrap_or(&[]).to_vec(),
                    cov_q: k.cov.0,
                    cov_l: k.cov.1,
                    context: kept_ctx.get(k.context.0..k.context.1).unwrap_or(&[]).to_vec(),
                };
                self.hit(q, qc.as_deref(), p, &display, k.scored, &al)
            })
            .collect()
    }

    fn hit(
        &self,
        q: &Query<'_>,
        qc: Option<&str>,
        p: &Prepared,
        display: &str,
        s: Scored,
        al: &Alignment,
    ) -> Option<Hit> {
        let rec = self.names.get(usize::try_from(s.name).ok()?)?;
        let entry = Arc::clone(self.entries.get(usize::try_from(rec.entry).ok()?)?);
        let (_, country) = self.country_effect(q.country, qc, &entry, s.name_score, true);
        let kind = self.alias_kind(rec);
        let explanation = explain(&p.form, display, &p.keys.weights, rec, al, kind, country);
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
        for n in Self::to_align(self.candidates(&p), DEFAULT_LIMIT) {
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
        self.explain_pair(query, candidate).map_or(0.0, |(s, _)| s)
    }

    /// [`Screener::score_pair`] with the explanation a hit would carry (`None` when either
    /// name has no comparable token).
    pub fn explain_pair(&self, query: &str, candidate: &str) -> Option<(f64, Explanation)> {
        let q = self.prepare(query);
        let c = analyze(candidate);
        if q.form.tokens.is_empty() || c.tokens.is_empty() {
            return None;
        }
        let keys = keys(&c, &self.corpus);
        let rec = NameRec { entry: u32::MAX, alias: None, form: c, keys };
        let mut scratch = Scratch::default();
        let mut context = Vec::new();
        let (score, cov_q, cov_l) = self.score_in(&q, &rec, &mut scratch, &mut context);
        let al = Alignment { edges: scratch.chosen.clone(), cov_q, cov_l, context };
        let display = q.form.display();
        Some((score, explain(&q.form, &display, &q.keys.weights, &rec, &al, None, None)))
    }
}

/// The written text and the forms of query or list tokens `start..start + len`, each joined
/// with spaces (tokens without written text, the second word of a translation, are skipped in
/// the first).
fn joined_surface(tokens: &[Token], start: u8, len: u8) -> (String, Cow<'_, str>) {
    let s = usize::from(start);
    let slice = tokens.get(s..s + usize::from(len)).unwrap_or(&[]);
    // One token (most pairs): its form is borrowed, not copied.
    if let [t] = slice {
        return (t.surface.clone(), Cow::Borrowed(t.form.as_str()));
    }
    let (mut surf, mut forms) = (String::new(), String::new());
    let mut written = 0;
    for (k, t) in slice.iter().enumerate() {
        if !t.surface.is_empty() {
            if written > 0 {
                surf.push(' ');
            }
            surf.push_str(&t.surface);
            written += 1;
        }
        if k > 0 {
            forms.push(' ');
        }
        forms.push_str(&t.form);
    }
    (surf, Cow::Owned(forms))
}

/// `a.to_lowercase() == b` without allocating (ASCII compared byte by byte).
fn lower_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.len() == b.len()
            && a.bytes().zip(b.bytes()).all(|(x, y)| x.to_ascii_lowercase() == y);
    }
    a.chars().flat_map(char::to_lowercase).eq(b.chars())
}

fn explain(
    q: &NameForm,
    q_display: &str,
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
        let forms = if qf == lf && lower_eq(&qs, &qf) && lower_eq(&ls, &lf) {
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
        query_normalized: q_display.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::script_parts;

    #[test]
    fn names_in_two_scripts_split_into_their_parts() {
        assert_eq!(script_parts("Air Koryo (高麗航空)"), ["高麗航空", "Air Koryo "]);
        assert_eq!(
            script_parts("China General Nuclear Power Corporation (CGNPC) （中国広核集団）"),
            ["中国広核集団", "China General Nuclear Power Corporation (CGNPC) "]
        );
        assert!(script_parts("Huawei Technologies Co., Ltd.").is_empty());
        assert!(script_parts("华为技术有限公司").is_empty());
        // Han outside parentheses is one name, not two.
        assert!(script_parts("Beijing 北京 Trading").is_empty());
        // Unbalanced parentheses are kept as written.
        assert!(script_parts("Air Koryo (高麗航空").is_empty());
    }
}
