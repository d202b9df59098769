//! Person-name evidence: nicknames, a transliteration-tolerant consonant key, patronymic
//! particles, and the test for "this name reads like a person's".
//!
//! Person names differ in ways company names do not: `Ted` for `Theodore`, `Muhammad` /
//! `Mohammed` / `محمد` (`hmd` after transliteration) for one name, a middle name or
//! patronymic left out, `X bin Y` (son of Y) not being `Y bin X`. These rules only apply when
//! both names look like persons (no legal form, no descriptive or number words), so company
//! matching, and the Chinese company set in particular, is unaffected.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::prepare::NameForm;
use crate::tables::Role;

const PERSON_NAMES: &str = include_str!("../data/person_names.tsv");

/// Nickname relations, both directions: name -> related names.
fn nicknames() -> &'static FxHashMap<&'static str, Vec<&'static str>> {
    static NICK: OnceLock<FxHashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    NICK.get_or_init(|| {
        let mut m: FxHashMap<&'static str, Vec<&'static str>> = FxHashMap::default();
        for line in PERSON_NAMES.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(full), Some(nicks)) = (cols.next(), cols.next()) else { continue };
            for nick in nicks.split(' ').filter(|n| !n.is_empty()) {
                m.entry(full).or_default().push(nick);
                m.entry(nick).or_default().push(full);
            }
        }
        m
    })
}

/// Whether one given name is a nickname or short form of the other (`ted` / `theodore`).
pub(crate) fn nickname_pair(a: &str, b: &str) -> bool {
    nicknames().get(a).is_some_and(|v| v.contains(&b))
}

/// Particles after which a name part is a father's or ancestor's name (`bin`, `ibn`, `ould`).
pub(crate) fn is_patronymic_particle(w: &str) -> bool {
    matches!(w, "bin" | "ben" | "ibn" | "bint" | "binti" | "binte" | "ould" | "ibnu" | "bte" | "bt")
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Longest consonant key kept (longer names are compared on their first consonants).
pub(crate) const KEY_LEN: usize = 16;

/// A consonant key that spellings of one name in different romanisations share: vowels
/// dropped, `ph`/`f`, `kh`/`h`, `sh`/`ch`/`sch`, `zh`/`j`/`dj`, `c`/`k`/`q`, `z`/`s`, `w`/`v`,
/// `p`/`b` (Arabic has no p) folded, doubled letters collapsed, a final `h` dropped.
/// `Muhammad`, `Mohammed` and `mhmd` (Arabic script through `deunicode`) all give `mhmd`;
/// `Husayn` and `Hussein` give `hsn`; `Zelenskyy` and `Selenskyj` give `slnsk`.
/// Returns the key length written to `out`.
pub(crate) fn consonant_key(word: &str, out: &mut [u8; KEY_LEN]) -> usize {
    let w = word.as_bytes();
    let mut n = 0usize;
    let mut push = |c: u8, n: &mut usize| {
        if *n > 0 && out.get(*n - 1) == Some(&c) {
            return;
        }
        if let Some(slot) = out.get_mut(*n) {
            *slot = c;
            *n += 1;
        }
    };
    let mut i = 0usize;
    while i < w.len() {
        let c = w.get(i).copied().unwrap_or(0);
        let next = w.get(i + 1).copied();
        let (mapped, step) = match (c, next) {
            (b'p', Some(b'h')) => (Some(b'f'), 2),
            (b'k', Some(b'h')) => (Some(b'h'), 2),
            (b'g', Some(b'h')) => (Some(b'g'), 2),
            (b's', Some(b'c')) if w.get(i + 2) == Some(&b'h') => (Some(b'x'), 3),
            (b's' | b'c', Some(b'h')) => (Some(b'x'), 2),
            (b't', Some(b'c')) if w.get(i + 2) == Some(&b'h') => (Some(b'x'), 3),
            (b'z', Some(b'h')) | (b'd', Some(b'j')) => (Some(b'j'), 2),
            (b't' | b'd', Some(b'h')) => (Some(c), 2),
            (b'c', Some(b'k')) => (Some(b'k'), 2),
            // Slavic `j` after a vowel or at the end is a glide (`Sergej`, `Selenskyj`).
            (b'j', _) if i > 0 && (next.is_none_or(|x| !is_vowel(x))) => (None, 1),
            (b'h', None) if i > 0 => (None, 1),
            (b'w', None) if i > 0 => (None, 1),
            _ if is_vowel(c) => (None, 1),
            (b'c' | b'q', _) => (Some(b'k'), 1),
            (b'z', _) => (Some(b's'), 1),
            (b'w', _) => (Some(b'v'), 1),
            (b'p', _) => (Some(b'b'), 1),
            (b'x', _) => (Some(b'k'), 1),
            _ => (Some(c), 1),
        };
        if let Some(m) = mapped {
            push(m, &mut n);
        }
        i += step;
    }
    n
}

/// Whether two words share a [`consonant_key`] of at least three consonants (fewer says too
/// little: `Ali` / `Ola`). Both words are lowercase ASCII.
pub(crate) fn same_consonant_key(a: &str, b: &str) -> bool {
    let (mut ka, mut kb) = ([0u8; KEY_LEN], [0u8; KEY_LEN]);
    let (na, nb) = (consonant_key(a, &mut ka), consonant_key(b, &mut kb));
    na >= 3 && na == nb && ka.get(..na) == kb.get(..nb)
}

/// Whether a name reads like a person's: no legal form, at least one distinctive word, and
/// only distinctive or stop words (titles, particles) otherwise.
pub(crate) fn person_like(f: &NameForm) -> bool {
    f.legal.is_empty()
        && f.tokens.iter().any(|t| t.role == Role::Distinctive)
        && f.tokens.iter().all(|t| matches!(t.role, Role::Distinctive | Role::Stop))
}

/// Per token of a name: whether it follows a patronymic particle (`Salman` in `Mohammed bin
/// Salman`), as a bit mask; 0 when the name has no particle.
pub(crate) fn patronymic_mask(f: &NameForm) -> u64 {
    let mut m = 0u64;
    let mut after = false;
    for (i, t) in f.tokens.iter().enumerate().take(64) {
        if is_patronymic_particle(&t.form) && i > 0 {
            after = true;
            continue;
        }
        if after && t.role == Role::Distinctive {
            m |= 1u64 << i;
            after = false;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(w: &str) -> String {
        let mut buf = [0u8; KEY_LEN];
        let n = consonant_key(w, &mut buf);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn consonant_keys_fold_romanisations() {
        for (a, b) in [
            ("muhammad", "mohammed"),
            ("mohamad", "mhmd"),
            ("husayn", "hussein"),
            ("zelenskyy", "selenskyj"),
            ("volodymyr", "wolodymyr"),
            ("nuristani", "nooristani"),
            ("bashar", "bachar"),
            ("hassan", "hsn"),
            ("fernando", "frnndw"),
            ("zhelvinsky", "jelvinskiy"),
        ] {
            assert_eq!(key(a), key(b), "{a} / {b}");
        }
        for (a, b) in [("sancho", "sanchez"), ("shamsuddin", "shahabuddin"), ("ali", "ola")] {
            assert!(!same_consonant_key(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn nicknames_are_pairs_not_chains() {
        assert!(nickname_pair("ted", "theodore"));
        assert!(nickname_pair("theodore", "ted"));
        assert!(nickname_pair("ben", "benjamin"));
        assert!(!nickname_pair("benjamin", "benedict"));
        assert!(!nickname_pair("ted", "tom"));
        // Cross-language equivalents pair with the English form, not with each other.
        assert!(nickname_pair("juan", "john"));
        assert!(nickname_pair("pyotr", "peter"));
        assert!(!nickname_pair("juan", "ivan"));
    }
}
