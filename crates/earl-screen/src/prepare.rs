//! From a raw name to comparable tokens with roles: the analysis both the index and the query
//! go through, so both sides are normalised the same way.

use crate::han::{self, Segment};
use crate::normalize::{self, Piece};
use crate::tables::{GENERIC_TYPO_MIN_LEN, HanTerm, Phrase, Role, tables};

/// Where a token's comparable form came from; drives the "how" of an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Latin text, the canonical form equals the word as written.
    Plain,
    /// Latin text mapped to a canonical word (`Tech` -> `technology`).
    Abbreviation,
    /// A misspelt descriptive word read as the term it misspells (`Instatute` -> `institute`).
    Typo,
    /// Transliterated from another alphabet or stripped of diacritics.
    Translit,
    /// Pinyin of Han characters.
    Pinyin,
    /// English translation of a Chinese word (`科技` -> `technology`).
    Translation,
}

/// One comparable token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// The text as written (a word, or the Han characters it came from).
    pub surface: String,
    /// Canonical comparable form (lowercase ASCII).
    pub form: String,
    /// Other acceptable forms (other pinyin readings, pinyin of a translated word).
    pub alts: Vec<String>,
    /// Role in the name.
    pub role: Role,
    /// Where the form came from.
    pub origin: Origin,
    /// Written inside parentheses.
    pub paren: bool,
}

/// A legal form found in a name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Legal {
    /// As written (`Co., Ltd.` normalised to `co ltd`, or `有限公司`).
    pub surface: String,
    /// Class (`ltd`, `jsc`, `gmbh` ...).
    pub class: String,
}

/// An analysed name.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct NameForm {
    /// Comparable tokens in written order.
    pub tokens: Vec<Token>,
    /// Legal forms, removed from the tokens.
    pub legal: Vec<Legal>,
    /// Tokens attached to the token before them by a hyphen, one bit each (`Jong-un`): parts
    /// of one compound name.
    pub hyphened: u64,
}

impl NameForm {
    /// Display form: tokens, legal forms in brackets.
    pub(crate) fn display(&self) -> String {
        let mut out = String::with_capacity(64);
        let parts = self.tokens.len() + self.legal.len();
        for (k, t) in self.tokens.iter().enumerate() {
            out.push_str(&t.form);
            if k + 1 < parts {
                out.push(' ');
            }
        }
        for (k, l) in self.legal.iter().enumerate() {
            out.push('[');
            out.push_str(&l.surface);
            out.push(']');
            if self.tokens.len() + k + 1 < parts {
                out.push(' ');
            }
        }
        out
    }

    /// Whether two names have the same [`NameForm::display`], without building the strings.
    pub(crate) fn same_display(&self, other: &NameForm) -> bool {
        fn bytes(f: &NameForm) -> impl Iterator<Item = u8> + '_ {
            let empty: &[u8] = b"";
            let tokens = f.tokens.iter().map(move |t| (empty, t.form.as_bytes(), empty));
            let legal = f.legal.iter().map(|l| (&b"["[..], l.surface.as_bytes(), &b"]"[..]));
            tokens.chain(legal).enumerate().flat_map(|(i, (open, text, close))| {
                let sep: &[u8] = if i == 0 { b"" } else { b" " };
                sep.iter().chain(open).chain(text).chain(close).copied()
            })
        }
        bytes(self).eq(bytes(other))
    }
}

struct Word {
    text: String,
    translit: bool,
    paren: bool,
    hyphen: bool,
    /// The word as written when `text` is the dictionary term it misspells.
    written: Option<String>,
}

const ORDINAL_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    // A common misspelling, frequent enough in names as typed ("Brigade Fourty-four").
    ("fourty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
];

/// Value of a tens word (`forty` -> 40), for compounds like `forty-four`.
fn tens_value(w: &str) -> Option<u32> {
    ORDINAL_WORDS.iter().find(|(k, v)| *k == w && *v >= 20 && v % 10 == 0).map(|(_, v)| *v)
}

/// Value of a unit written as a word or a digit (`four`, `4` -> 4).
fn unit_value(w: &str) -> Option<u32> {
    match w.as_bytes() {
        [d @ b'1'..=b'9'] => Some(u32::from(d - b'0')),
        _ => ORDINAL_WORDS.iter().find(|(k, v)| *k == w && (1..=9).contains(v)).map(|(_, v)| *v),
    }
}

/// Joins spelled-out compound numbers into digits (`forty four`, `forty-four`, `forty 4` ->
/// `44`), so they compare with the number written in digits.
fn join_number_words(words: &mut Vec<Word>) {
    let mut k = 0;
    while k + 1 < words.len() {
        let value = match (words.get(k), words.get(k + 1)) {
            (Some(a), Some(b)) => tens_value(&a.text).zip(unit_value(&b.text)),
            _ => None,
        };
        if let Some((tens, unit)) = value
            && let Some(w) = words.get_mut(k)
        {
            w.text = (tens + unit).to_string();
            words.remove(k + 1);
        }
        k += 1;
    }
}

/// Value of a Roman numeral from `i` to `xxxix` (`iv` -> 4), written canonically.
fn roman_value(w: &str) -> Option<u32> {
    if w.is_empty() || w.len() > 6 || !w.bytes().all(|c| matches!(c, b'i' | b'v' | b'x')) {
        return None;
    }
    let digit = |c: u8| match c {
        b'i' => 1,
        b'v' => 5,
        _ => 10,
    };
    let b = w.as_bytes();
    let mut total = 0i32;
    for (k, c) in b.iter().enumerate() {
        let v = digit(*c);
        if b.get(k + 1).is_some_and(|n| digit(*n) > v) { total -= v } else { total += v }
    }
    let value = u32::try_from(total).ok().filter(|v| (1..40).contains(v))?;
    // Only the canonical spelling (`iiii`, `vx` are not numerals).
    (to_roman(value) == w).then_some(value)
}

fn to_roman(mut v: u32) -> String {
    let mut out = String::new();
    for (n, s) in [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")] {
        while v >= n {
            out.push_str(s);
            v -= n;
        }
    }
    out
}

/// Reads a Roman numeral that closes a name (`Fund IV`, `Citigroup Capital Trust I`,
/// `Solutions II (Sweden)`: places and parenthesised words may follow) as a number. A name
/// needs two words before it, and the numerals that are also initials or a pinyin syllable
/// (`I`, `V`, `X`, `Xi`) count only in a name with a legal form or a descriptive word, so
/// `V. Putin` and `Wang Jian Xi` keep their letters.
fn roman_suffix(form: &mut NameForm) {
    let Some(pos) = form.tokens.iter().rposition(|t| !t.paren && t.role != Role::Place) else {
        return;
    };
    let company_like =
        !form.legal.is_empty() || form.tokens.iter().any(|t| t.role == Role::Generic);
    // Two real words before it (`C & I` is an acronym, not `C` and the number one).
    let words_before =
        form.tokens.iter().take(pos).filter(|t| t.form.len() >= 2 && t.role != Role::Stop).count();
    let Some(t) = form.tokens.get_mut(pos) else { return };
    if words_before < 2 || t.role != Role::Distinctive || t.origin != Origin::Plain {
        return;
    }
    let Some(value) = roman_value(&t.form) else { return };
    let ambiguous = t.form.len() == 1 || tables().syllables.contains(t.form.as_str());
    if ambiguous && !company_like {
        return;
    }
    t.form = value.to_string();
    t.role = Role::Number;
}

/// In a company name (a legal form or a descriptive word), a country or continent name is a
/// place (`Banco Santander Mexico`, `Faberlic Europe Sp. z o.o.`): a subsidiary's location
/// says little about identity. Person names keep such words distinctive (`Michael Jordan`),
/// and so does a name that would be left without a distinctive word (`Sweden AB`).
fn company_places(form: &mut NameForm) {
    let company_like =
        !form.legal.is_empty() || form.tokens.iter().any(|t| t.role == Role::Generic);
    if !company_like {
        return;
    }
    let countries = &tables().country_words;
    let is_country = |t: &Token| {
        t.role == Role::Distinctive
            && matches!(t.origin, Origin::Plain | Origin::Translit)
            && (countries.contains(&t.form) || crate::tables::CONTINENTS.contains(&t.form.as_str()))
    };
    let others = form.tokens.iter().filter(|t| t.role == Role::Distinctive && !is_country(t));
    if others.count() == 0 {
        return;
    }
    for t in &mut form.tokens {
        if is_country(t) {
            t.role = Role::Place;
        }
    }
}

/// `13`, `13th`, `1st` -> 13, 1.
fn number_value(w: &str) -> Option<String> {
    let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return ORDINAL_WORDS.iter().find(|(k, _)| *k == w).map(|(_, v)| v.to_string());
    }
    let rest = &w[digits.len()..];
    if rest.is_empty() || matches!(rest, "st" | "nd" | "rd" | "th") {
        let trimmed = digits.trim_start_matches('0');
        return Some(if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() });
    }
    None
}

/// Analyses one name.
pub(crate) fn analyze(name: &str) -> NameForm {
    let mut form = NameForm::default();
    let mut words: Vec<Word> = Vec::new();
    for piece in normalize::pieces(name) {
        match piece {
            Piece::Word { text, translit, paren, hyphen } => {
                words.push(Word { text, translit, paren, hyphen, written: None })
            }
            Piece::Han { orig, simp, paren } => {
                latin_words(&mut form, std::mem::take(&mut words));
                han_run(&mut form, &orig, &simp, paren);
            }
        }
    }
    latin_words(&mut form, words);
    roman_suffix(&mut form);
    company_places(&mut form);
    crate::romanisation::add_pinyin_readings(&mut form);
    // A name made only of legal-form words ("Company Limited") keeps them as tokens.
    if form.tokens.is_empty() && !form.legal.is_empty() {
        for l in std::mem::take(&mut form.legal) {
            for w in l.surface.split(' ') {
                form.tokens.push(Token {
                    surface: w.to_owned(),
                    form: w.to_owned(),
                    alts: Vec::new(),
                    role: Role::Generic,
                    origin: Origin::Plain,
                    paren: false,
                });
            }
        }
    }
    form
}

fn han_run(form: &mut NameForm, orig: &str, simp: &str, paren: bool) {
    let traditional = orig != simp;
    for seg in han::segment(orig, simp) {
        match seg {
            Segment::Unknown { surface, pinyin, alts } => form.tokens.push(Token {
                surface,
                form: pinyin,
                alts,
                role: Role::Distinctive,
                origin: Origin::Pinyin,
                paren,
            }),
            Segment::Number { surface, value } => form.tokens.push(Token {
                surface,
                form: value.to_string(),
                alts: Vec::new(),
                role: Role::Number,
                origin: Origin::Translation,
                paren,
            }),
            Segment::Term { surface, key, term } => match term {
                HanTerm::Legal { english, class } => {
                    let _ = english;
                    form.legal.push(Legal { surface, class: class.clone() });
                }
                HanTerm::Marker => {}
                HanTerm::Place { latin } => {
                    let chars: Vec<char> = key.chars().collect();
                    let (py, _) = han::romanise(&chars);
                    let mut alts: Vec<String> = latin.iter().skip(1).cloned().collect();
                    if latin.first() != Some(&py) {
                        alts.push(py);
                    }
                    form.tokens.push(Token {
                        surface,
                        form: latin.first().cloned().unwrap_or_default(),
                        alts,
                        role: Role::Place,
                        origin: Origin::Pinyin,
                        paren,
                    });
                }
                HanTerm::Brand { english } => {
                    let Some(first) = english.first() else { continue };
                    let chars: Vec<char> = key.chars().collect();
                    let (py, _) = han::romanise(&chars);
                    for (pos, word) in first.iter().enumerate() {
                        let mut alts: Vec<String> = Vec::new();
                        if first.len() == 1 {
                            alts.extend(
                                english
                                    .iter()
                                    .skip(1)
                                    .filter(|a| a.len() == 1)
                                    .filter_map(|a| a.first().cloned()),
                            );
                            alts.push(py.clone());
                        }
                        let (form_text, role) = canonical_or_distinctive(word);
                        form.tokens.push(Token {
                            surface: if pos == 0 { surface.clone() } else { String::new() },
                            form: form_text,
                            alts,
                            role,
                            origin: Origin::Translation,
                            paren,
                        });
                    }
                }
                HanTerm::Generic { english } => {
                    let Some(first) = english.first() else { continue };
                    let chars: Vec<char> = key.chars().collect();
                    let (py, _) = han::romanise(&chars);
                    for (pos, word) in first.iter().enumerate() {
                        let mut alts: Vec<String> = english
                            .iter()
                            .skip(1)
                            .filter(|alt| alt.len() == first.len())
                            .filter_map(|alt| alt.get(pos).cloned())
                            .collect();
                        // Pinyin of the whole word, so romanised list aliases ("Jicheng
                        // Dianlu" for 集成电路) still align by merge.
                        if pos == 0 {
                            alts.push(py.clone());
                        }
                        let (form_text, role) = canonical_single(word);
                        form.tokens.push(Token {
                            surface: if pos == 0 { surface.clone() } else { String::new() },
                            form: form_text,
                            alts,
                            role,
                            origin: Origin::Translation,
                            paren,
                        });
                    }
                }
            },
        }
    }
    let _ = traditional;
}

/// Like [`canonical_single`], but words outside the tables identify the party.
fn canonical_or_distinctive(word: &str) -> (String, Role) {
    let t = tables();
    if t.phrases.contains_key(word) || t.latin_places.contains(word) {
        return canonical_single(word);
    }
    if let Some(v) = number_value(word) {
        return (v, Role::Number);
    }
    (word.to_owned(), Role::Distinctive)
}

/// The phrase table's canonical form of a single Latin word (`tech` -> `technology`), if it
/// has one; no allocation (for splitting run-together words).
pub(crate) fn canonical_word(word: &str) -> Option<&'static str> {
    let list = tables().phrases.get(word)?;
    list.iter().find_map(|(key, phrase)| match (key.len(), phrase) {
        (1, Phrase::Words(ws)) => match ws.as_slice() {
            [(w, _)] => Some(w.as_str()),
            _ => None,
        },
        _ => None,
    })
}

/// Canonical form and role of a single Latin word via the phrase table.
fn canonical_single(word: &str) -> (String, Role) {
    let t = tables();
    if let Some(list) = t.phrases.get(word) {
        for (key, phrase) in list {
            if key.len() == 1
                && let Phrase::Words(ws) = phrase
                && let [(w, role)] = ws.as_slice()
            {
                return (w.clone(), *role);
            }
        }
    }
    if t.latin_places.contains(word) {
        return (word.to_owned(), Role::Place);
    }
    (word.to_owned(), Role::Generic)
}

/// Whether a legal form matched at `start..end` of `n` words may be stripped. Short forms
/// ("co", "sa", "ag") are also words and pinyin syllables: trust them only at the edges.
fn legal_position_ok(
    key_len: usize,
    key_chars: usize,
    start: usize,
    end: usize,
    rest_is_tail: bool,
) -> bool {
    if key_len > 1 || key_chars >= 4 {
        return true;
    }
    rest_is_tail || (start == 0 && end > 0)
}

/// Reads a one-edit misspelling of a legal-form word as that word when the repaired words form
/// a legal form ("Joynt Stock Company", "Co. Limted", "Compnay"): ERP exports are full of these,
/// and left as they are they count as unmatched distinctive words. Never the first word (a name
/// does not start with its legal form's long words) and only words that are no dictionary term.
fn repair_legal_typos(words: &mut [Word]) {
    let t = tables();
    let last = words.len().saturating_sub(1);
    // Legal forms close a name or sit beside another legal-form word: only those positions
    // are tried, which keeps this off the common path.
    let legalish = |w: Option<&Word>| {
        w.is_some_and(|w| t.legal_word_set.contains(&w.text) || t.phrases.contains_key(&w.text))
    };
    for i in 1..words.len() {
        let Some(w) = words.get(i) else { continue };
        let text = w.text.as_str();
        if text.len() < crate::tables::LEGAL_TYPO_MIN_LEN
            || !(i == last || legalish(words.get(i - 1)) || legalish(words.get(i + 1)))
            || !text.bytes().all(|b| b.is_ascii_lowercase())
            || t.phrases.contains_key(text)
            || t.legal_word_set.contains(text)
        {
            continue;
        }
        // One edit changes the length by at most one and at most two letters of the letter
        // set: cheap filters before the distance.
        let Some(fix) = near_terms(&t.legal_words, text, 1).next().map(|(l, _)| l.to_owned())
        else {
            continue;
        };
        let Some(slot) = words.get_mut(i) else { continue };
        let original = std::mem::replace(&mut slot.text, fix);
        if !completes_legal_form(words, i)
            && let Some(slot) = words.get_mut(i)
        {
            slot.text = original;
        }
    }
}

/// Terms of a by-length table (`Tables::legal_words`, `Tables::generic_words`) within `budget`
/// edits of `text` and not equal to it, with their distance, shortest length first: a letter
/// mask rules most terms out before any distance is computed.
fn near_terms<'a>(
    by_len: &'a rustc_hash::FxHashMap<usize, Vec<(String, u32)>>,
    text: &'a str,
    budget: usize,
) -> impl Iterator<Item = (&'a str, usize)> + 'a {
    let (len, mask) = (text.len(), crate::score::letter_mask(text));
    (len.saturating_sub(budget)..=len + budget)
        .filter_map(move |l| by_len.get(&l))
        .flatten()
        .filter(move |(_, m)| ((m ^ mask).count_ones() as usize) <= 2 * budget)
        .filter_map(move |(term, _)| {
            let d = crate::score::osa_distance(term.as_bytes(), text.as_bytes(), budget);
            (d > 0 && d <= budget).then_some((term.as_str(), d))
        })
}

/// Reads a misspelling of a long generic term as the term (`Instatute`, `Scinetific`,
/// `Applicaation`, `Opptoelectronic`): left as written it is an unknown word, which counts as
/// the name's identifying word, so the real name scores low and may not even be a candidate.
/// Rules: only words outside every table, not pinyin, of [`GENERIC_TYPO_MIN_LEN`] letters or
/// more; the first letter as written; one edit (two from twelve letters on); and one nearest term
/// only, or one canonical form for all nearest terms.
/// Returns whether a word was repaired.
fn repair_generic_typos(words: &mut [Word]) -> bool {
    let t = tables();
    let mut repaired = false;
    let outside_tables = |text: &str| {
        !(t.phrases.contains_key(text)
            || t.legal_word_set.contains(text)
            || t.latin_places.contains(text)
            || t.country_words.contains(text)
            || number_value(text).is_some())
    };
    // A name's first word is most often its own (a brand): when no other word could identify
    // the name, the first word is kept as written (`Interpal` is not a misspelt `internal`).
    let first_alone =
        words.get(1..).is_none_or(|rest| !rest.iter().any(|w| outside_tables(&w.text)));
    for (i, w) in words.iter_mut().enumerate() {
        let text = w.text.as_str();
        let len = text.len();
        if len < GENERIC_TYPO_MIN_LEN
            || (i == 0 && first_alone)
            || w.written.is_some()
            || !text.bytes().all(|b| b.is_ascii_lowercase())
            || !outside_tables(text)
            || crate::romanisation::is_pinyin_compound(text)
        {
            continue;
        }
        let budget = if len >= 12 { 2 } else { 1 };
        let mut best: Option<(usize, &str)> = None;
        let mut tied = false;
        let first = text.as_bytes().first();
        for (term, d) in near_terms(&t.generic_words, text, budget)
            .filter(|(term, _)| term.as_bytes().first() == first)
        {
            match best {
                Some((bd, bt)) if bd == d => {
                    tied |= canonical_word(bt) != canonical_word(term);
                }
                Some((bd, _)) if bd < d => {}
                _ => {
                    best = Some((d, term));
                    tied = false;
                }
            }
        }
        if let (Some((_, term)), false) = (best, tied) {
            let term = term.to_owned();
            w.written = Some(std::mem::replace(&mut w.text, term));
            repaired = true;
        }
    }
    repaired
}

/// Whether a legal-form phrase of the tables covers word `i`.
fn completes_legal_form(words: &[Word], i: usize) -> bool {
    let t = tables();
    (i.saturating_sub(4)..=i).any(|start| {
        let Some(first) = words.get(start) else { return false };
        t.phrases.get(&first.text).is_some_and(|cands| {
            cands.iter().any(|(key, phrase)| {
                matches!(phrase, Phrase::Legal(_))
                    && start + key.len() > i
                    && words
                        .get(start..start + key.len())
                        .is_some_and(|s| s.iter().zip(key).all(|(a, b)| a.text == *b))
            })
        })
    })
}

fn latin_words(form: &mut NameForm, mut words: Vec<Word>) {
    if words.is_empty() {
        return;
    }
    join_number_words(&mut words);
    let t = tables();
    // Legal forms first (a misspelt `Corporaton` is a legal form, not a generic word), then
    // once more with the generic words repaired, which may be a legal form's neighbours.
    repair_legal_typos(&mut words);
    if repair_generic_typos(&mut words) {
        repair_legal_typos(&mut words);
    }
    let n = words.len();
    // Pass 1: longest phrase at each position.
    enum Unit {
        Legal {
            surface: String,
            class: String,
            start: usize,
            end: usize,
            chars: usize,
            len: usize,
        },
        /// Words, surface, in parentheses, changed by the table, misspelt.
        Words(Vec<(String, Role)>, String, bool, bool, bool),
        Plain(String, bool, bool, bool),
    }
    let mut units: Vec<Unit> = Vec::new();
    let mut i = 0;
    while i < n {
        let mut done = false;
        if let Some(w) = words.get(i)
            && let Some(cands) = t.phrases.get(&w.text)
        {
            for (key, phrase) in cands {
                let end = i + key.len();
                if end > n {
                    continue;
                }
                let Some(slice) = words.get(i..end) else { continue };
                if !slice.iter().zip(key).all(|(a, b)| a.text == *b) {
                    continue;
                }
                let surface = slice
                    .iter()
                    .map(|w| w.written.as_deref().unwrap_or(&w.text))
                    .collect::<Vec<_>>()
                    .join(" ");
                let paren = slice.iter().all(|w| w.paren);
                let misspelt = slice.iter().any(|w| w.written.is_some());
                match phrase {
                    Phrase::Legal(class) => units.push(Unit::Legal {
                        surface,
                        class: class.clone(),
                        start: i,
                        end,
                        chars: key.iter().map(String::len).sum(),
                        len: key.len(),
                    }),
                    Phrase::Words(ws) => {
                        let changed =
                            ws.len() != key.len() || ws.iter().zip(key).any(|((a, _), b)| a != b);
                        units.push(Unit::Words(ws.clone(), surface, paren, changed, misspelt));
                    }
                }
                i = end;
                done = true;
                break;
            }
        }
        if !done {
            if let Some(w) = words.get(i) {
                units.push(Unit::Plain(w.text.clone(), w.paren, w.translit, w.hyphen));
            }
            i += 1;
        }
    }
    // Pass 2: decide which legal forms to strip (edges only for short ones).
    let is_tail = |k: usize| -> bool {
        units.get(k + 1..).is_none_or(|rest| {
            rest.iter().all(|u| match u {
                Unit::Legal { .. } => true,
                Unit::Words(ws, _, paren, _, _) => {
                    *paren || ws.iter().all(|(_, r)| *r == Role::Place)
                }
                Unit::Plain(text, paren, _, _) => *paren || t.latin_places.contains(text),
            })
        })
    };
    let mut strip = vec![false; units.len()];
    for (k, u) in units.iter().enumerate() {
        if let Unit::Legal { start, end, chars, len, .. } = u {
            let tail = is_tail(k);
            // Leading short forms only when the name continues ("OOO Romashka"), and not when
            // the form is a pinyin syllable before another ("Yu Sha Group", "Na Ta Optical":
            // a Chinese name written syllable by syllable).
            let pinyin = |w: Option<&Word>| {
                w.is_some_and(|w| {
                    t.syllables.contains(w.text.as_str())
                        || crate::romanisation::is_pinyin_compound(&w.text)
                })
            };
            let leading_syllable =
                *start == 0 && !tail && pinyin(words.get(*start)) && pinyin(words.get(*end));
            let ok = !leading_syllable
                && legal_position_ok(*len, *chars, *start, if *end < n { 1 } else { 0 }, tail);
            if let Some(s) = strip.get_mut(k) {
                *s = ok;
            }
        }
    }
    // A short form beside a stripped one is part of the same legal form, wherever it sits
    // ("China State Shipbuilding Corp, Ltd (CSSC) 701st Research Institute").
    let stripped_legal = |strip: &[bool], j: Option<usize>| {
        j.is_some_and(|j| {
            matches!(units.get(j), Some(Unit::Legal { .. })) && strip.get(j) == Some(&true)
        })
    };
    for k in 0..units.len() {
        let beside =
            stripped_legal(&strip, k.checked_sub(1)) || stripped_legal(&strip, Some(k + 1));
        if matches!(units.get(k), Some(Unit::Legal { .. }))
            && beside
            && let Some(s) = strip.get_mut(k)
        {
            *s = true;
        }
    }
    for (k, u) in units.into_iter().enumerate() {
        let stripped = strip.get(k).copied().unwrap_or(false);
        match u {
            Unit::Legal { surface, class, .. } if stripped => {
                form.legal.push(Legal { surface, class })
            }
            Unit::Legal { surface, .. } => {
                for w in surface.split(' ') {
                    push_plain(form, w.to_owned(), false, false);
                }
            }
            Unit::Words(ws, surface, paren, changed, misspelt) => {
                let single = ws.len() == 1;
                for (pos, (w, role)) in ws.into_iter().enumerate() {
                    form.tokens.push(Token {
                        surface: if pos == 0 || !single { surface.clone() } else { String::new() },
                        form: w,
                        alts: Vec::new(),
                        role,
                        origin: if misspelt {
                            Origin::Typo
                        } else if changed {
                            Origin::Abbreviation
                        } else {
                            Origin::Plain
                        },
                        paren,
                    });
                }
            }
            Unit::Plain(text, paren, translit, hyphen) => {
                if hyphen && !form.tokens.is_empty() && form.tokens.len() < 64 {
                    form.hyphened |= 1u64 << form.tokens.len();
                }
                push_plain(form, text, paren, translit)
            }
        }
    }
}

fn push_plain(form: &mut NameForm, text: String, paren: bool, translit: bool) {
    let t = tables();
    let (form_text, role) = if let Some(v) = number_value(&text) {
        (v, Role::Number)
    } else if t.latin_places.contains(&text) {
        (text.clone(), Role::Place)
    } else if text == "no" || text == "nr" {
        (text.clone(), Role::Stop)
    } else {
        (text.clone(), Role::Distinctive)
    };
    form.tokens.push(Token {
        surface: text,
        form: form_text,
        alts: Vec::new(),
        role,
        origin: if translit { Origin::Translit } else { Origin::Plain },
        paren,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(name: &str) -> (Vec<String>, Vec<String>) {
        let f = analyze(name);
        (
            f.tokens.iter().map(|t| format!("{}:{:?}", t.form, t.role)).collect(),
            f.legal.iter().map(|l| l.class.clone()).collect(),
        )
    }

    #[test]
    fn latin_company_names() {
        let (t, l) = forms("HUAWEI TECHNOLOGY CO LTD");
        assert_eq!(t, ["huawei:Distinctive", "technology:Generic"]);
        assert_eq!(l, ["ltd"]);
        let (t, _) = forms("Moore Threads Intelligent Tech (Beijing) Co Ltd");
        assert_eq!(
            t,
            [
                "moore:Distinctive",
                "threads:Distinctive",
                "intelligent:Generic",
                "technology:Generic",
                "beijing:Place"
            ]
        );
        let (t, l) = forms("Huawei Device (Hong Kong) Co., Limited");
        assert_eq!(t, ["huawei:Distinctive", "devices:Generic", "hongkong:Place"]);
        assert_eq!(l, ["ltd"]);
    }

    #[test]
    fn misspelt_legal_form_words_are_read_as_the_legal_form() {
        let (t, l) = forms("Tactical Missiles Corporation Joynt Stock Company");
        assert_eq!(t, forms("Tactical Missiles Corporation Joint Stock Company").0);
        assert!(!l.is_empty());
        assert_eq!(
            forms("Zhongxing Telecom Corportion").0,
            forms("Zhongxing Telecom Corporation").0
        );
        assert!(!forms("Zhongxing Telecom Corportion").1.is_empty());
        // Only when the repaired word completes a legal form, never as the first word, never a
        // dictionary term: these names keep their words.
        assert!(forms("Jointe Holdings").0.contains(&"jointe:Distinctive".to_owned()));
        assert!(forms("Corportion Street Bakery").0.iter().any(|t| t.starts_with("corportion")));
        assert!(forms("Stocky Brothers").0.iter().any(|t| t.starts_with("stocky")));
    }

    #[test]
    fn misspelt_generic_words_are_read_as_the_term() {
        for (typo, right) in [
            ("Zhichun Applicaation Technology", "Zhichun Application Technology"),
            ("Ruili Scinetific Instruments", "Ruili Scientific Instruments"),
            (
                "Harbin Engineering University Yantai Research Istitute",
                "Harbin Engineering University Yantai Research Institute",
            ),
            ("Nata Opptoelectronic Material", "Nata Optoelectronic Material"),
            ("Production and Contruction Corps", "Production and Construction Corps"),
        ] {
            assert_eq!(forms(typo).0, forms(right).0, "{typo}");
        }
        let f = analyze("Ruili Scinetific Instruments");
        let t = f.tokens.get(1).expect("second token");
        assert_eq!((t.surface.as_str(), t.origin), ("scinetific", Origin::Typo));
        // Ordinary words near a term, a name's only own word, short words, pinyin: kept.
        for (name, kept) in [
            ("Agro Experts", "expert"),
            ("Interpal", "interpal"),
            ("Interpal Ltd", "interpal"),
            ("Semtec Holdings", "semtec"),
            ("Hua Xinxian Science", "xinxian"),
        ] {
            assert!(
                forms(name).0.iter().any(|t| t.starts_with(&format!("{kept}:"))),
                "{name}: {:?}",
                forms(name).0
            );
        }
    }

    #[test]
    fn short_legal_forms_only_at_the_edges() {
        let (t, l) = forms("Ping An Insurance");
        assert_eq!(t[1], "an:Distinctive");
        assert!(l.is_empty());
        let (_, l) = forms("Siemens AG");
        assert_eq!(l, ["ag"]);
        let (t, _) = forms("Co Ltd");
        assert_eq!(t.len(), 2);
        // Mid-name, a short form beside a long one goes with it.
        let (t, l) = forms("China State Shipbuilding Corp, Ltd (CSSC) 701st Res Inst");
        assert!(!t.iter().any(|x| x.starts_with("ltd")), "{t:?}");
        assert_eq!(l.len(), 2);
        // A leading form that reads as pinyin before more pinyin is part of the name.
        let (t, l) = forms("Yu Sha Group Co. Ltd.");
        assert_eq!(
            (t[0].as_str(), l.as_slice()),
            ("yu:Distinctive", ["ltd".to_owned()].as_slice())
        );
        let (t, l) = forms("Na Ta Optoelectronic");
        assert_eq!((t[0].as_str(), l.len()), ("na:Distinctive", 0));
        let (t, l) = forms("AO Kaspersky Lab");
        assert_eq!(
            (t[0].as_str(), l.as_slice()),
            ("kaspersky:Distinctive", ["jsc".to_owned()].as_slice())
        );
    }

    #[test]
    fn chinese_company_names() {
        let (t, l) = forms("华为技术有限公司");
        assert_eq!(t, ["huawei:Distinctive", "technology:Generic"]);
        assert_eq!(l, ["ltd"]);
        let (t, _) = forms("摩尔线程智能科技(北京)有限责任公司");
        assert_eq!(
            t,
            [
                "moore:Distinctive",
                "threads:Distinctive",
                "intelligent:Generic",
                "technology:Generic",
                "beijing:Place"
            ]
        );
        let (t, _) = forms("中國電子科技集團公司第十三研究所");
        assert_eq!(
            t,
            [
                "china:Place",
                "electronics:Generic",
                "technology:Generic",
                "group:Generic",
                "13:Number",
                "research:Generic",
                "institute:Generic"
            ]
        );
    }

    #[test]
    fn same_display_agrees_with_display() {
        let names = [
            "Huawei Technologies Co., Ltd.",
            "HUAWEI TECHNOLOGIES CO LTD",
            "Huawei Technologies",
            "华为技术有限公司",
            "Co Ltd",
            "Siemens AG",
            "",
        ];
        for a in names {
            for b in names {
                let (fa, fb) = (analyze(a), analyze(b));
                assert_eq!(fa.same_display(&fb), fa.display() == fb.display(), "{a} / {b}");
            }
        }
    }

    #[test]
    fn numbers_and_ordinals() {
        let (t, _) = forms("13th Research Institute");
        assert_eq!(t[0], "13:Number");
        let (t, _) = forms("Brigade Forty 4");
        assert_eq!(t, ["brigade:Distinctive", "44:Number"]);
        for name in ["Brigade Forty-Four", "Brigade forty four", "Brigade Fourty-four"] {
            assert_eq!(forms(name).0, ["brigade:Distinctive", "44:Number"], "{name}");
        }
        assert_eq!(forms("Sixty Minutes").0[0], "60:Number");
    }

    #[test]
    fn party_labels_are_stop_words() {
        let (t, _) = forms("ORDERING CUSTOMER: KALLIOSAARI TRADING OY");
        assert_eq!(t[..2], ["ordering:Stop", "customer:Stop"]);
        assert_eq!(forms("BENEFICIARY: Sarikaya Hububat").0[0], "beneficiary:Stop");
    }

    #[test]
    fn countries_in_company_names_are_places() {
        assert_eq!(forms("FABERLIC EUROPE Sp. z o.o.").0, ["faberlic:Distinctive", "europe:Place"]);
        assert_eq!(forms("Banco Santander Mexico, S.A.").0[2], "mexico:Place");
        // Person names and names with nothing else keep the word.
        assert_eq!(forms("Michael Jordan").0[1], "jordan:Distinctive");
        assert_eq!(forms("Sweden AB").0, ["sweden:Distinctive"]);
    }

    #[test]
    fn roman_numerals_closing_a_name() {
        assert_eq!(forms("Bain Capital Fund XI L.P.").0[3], "11:Number");
        assert_eq!(forms("Bain Capital Fund X L.P.").0[3], "10:Number");
        assert_eq!(forms("Citigroup Capital Trust I").0[3], "1:Number");
        assert_eq!(forms("Bowne Global Solutions II (Sweden) AB").0[3], "2:Number");
        assert_eq!(forms("Pope John Paul II").0[3], "2:Number");
        // Initials and pinyin syllables in person names stay letters; so do non-numerals.
        assert_eq!(forms("Wang Jian Xi").0[2], "xi:Distinctive");
        assert_eq!(forms("Putin Vladimir V").0[2], "v:Distinctive");
        assert_eq!(forms("Alpha Beta Vix").0[2], "vix:Distinctive");
        assert_eq!(forms("Alpha Beta IIII").0[2], "iiii:Distinctive");
        assert_eq!(forms("C & I Co., Ltd.").0[2], "i:Distinctive");
        assert_eq!(roman_value("xxxix"), Some(39));
        assert_eq!(roman_value("iv"), Some(4));
        assert_eq!(roman_value("vi"), Some(6));
    }
}
