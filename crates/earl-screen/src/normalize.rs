//! Text normalisation: Unicode compatibility folding, case, punctuation, script split.
//!
//! A name becomes a sequence of [`Piece`]s: Latin words (other alphabets are transliterated to
//! ASCII with `deunicode`) and runs of Han characters (folded to simplified characters, kept
//! whole for the Chinese segmenter). Parentheses are remembered because list names put places
//! and short forms there ("Moore Threads (Beijing) Co.", "Huawei Device (Hong Kong)").

use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;

use crate::tables::tables;

/// One unit of a normalised name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A Latin-script word (lowercase ASCII letters and digits).
    Word {
        /// The word.
        text: String,
        /// The word came (partly) from a non-Latin alphabet or carried diacritics.
        translit: bool,
        /// Inside parentheses or brackets.
        paren: bool,
        /// Attached to the previous word by a hyphen (`Jong-un`, `Abd-al-Qadir`).
        hyphen: bool,
    },
    /// A run of Han characters.
    Han {
        /// The run as written (after compatibility folding), for explanations.
        orig: String,
        /// The run folded to simplified characters; same length in chars as `orig`.
        simp: String,
        /// Inside parentheses or brackets.
        paren: bool,
    },
}

/// Whether `c` is a Han ideograph (CJK unified, extensions, compatibility, `〇`).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF | 0x3007)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}')
}

struct Builder {
    pieces: Vec<Piece>,
    word: String,
    translit: bool,
    han_orig: String,
    han_simp: String,
    paren_depth: u32,
    /// The current word follows the previous one after a hyphen.
    word_hyphen: bool,
    /// A hyphen directly followed the last word.
    hyphen_pending: bool,
    /// Per piece: whether a dot stood between it and the previous piece (`L.P.` against
    /// `X L`), so runs of single letters are glued only within one punctuation style.
    dotted: Vec<bool>,
    /// A dot was seen since the last piece was flushed.
    dot_seen: bool,
}

impl Builder {
    fn paren(&self) -> bool {
        self.paren_depth > 0
    }

    fn flush_word(&mut self) {
        if !self.word.is_empty() {
            let text = std::mem::take(&mut self.word);
            let hyphen = std::mem::take(&mut self.word_hyphen);
            self.pieces.push(Piece::Word {
                text,
                translit: self.translit,
                paren: self.paren(),
                hyphen,
            });
            self.dotted.push(std::mem::take(&mut self.dot_seen));
        }
        self.translit = false;
    }

    fn flush_han(&mut self) {
        if !self.han_orig.is_empty() {
            let orig = std::mem::take(&mut self.han_orig);
            let simp = std::mem::take(&mut self.han_simp);
            self.pieces.push(Piece::Han { orig, simp, paren: self.paren() });
            self.dotted.push(std::mem::take(&mut self.dot_seen));
        }
    }

    fn flush(&mut self) {
        self.flush_word();
        self.flush_han();
    }

    fn push_ascii(&mut self, c: char, translit: bool) {
        if c.is_ascii_alphanumeric() {
            self.flush_han();
            if self.word.is_empty() {
                self.word_hyphen = std::mem::take(&mut self.hyphen_pending);
            }
            self.word.push(c.to_ascii_lowercase());
            self.translit |= translit;
        } else if !is_apostrophe(c) {
            self.flush();
            self.hyphen_pending = false;
        }
    }
}

/// Splits a name into normalised pieces.
pub(crate) fn pieces(name: &str) -> Vec<Piece> {
    pieces_with(name, Some(&tables().t2s))
}

/// [`pieces`] with an explicit traditional-to-simplified table (`None` while the tables
/// themselves are being built).
fn pieces_with(name: &str, t2s: Option<&FxHashMap<char, char>>) -> Vec<Piece> {
    let mut b = Builder {
        pieces: Vec::new(),
        word: String::new(),
        translit: false,
        han_orig: String::new(),
        han_simp: String::new(),
        paren_depth: 0,
        word_hyphen: false,
        hyphen_pending: false,
        dotted: Vec::new(),
        dot_seen: false,
    };
    // NFKC leaves ASCII unchanged: skip its decomposition tables for the common case.
    let chars: Box<dyn Iterator<Item = char> + '_> =
        if name.is_ascii() { Box::new(name.chars()) } else { Box::new(name.nfkc()) };
    for c in chars {
        if is_han(c) {
            b.flush_word();
            b.han_orig.push(c);
            b.han_simp.push(t2s.and_then(|m| m.get(&c)).copied().unwrap_or(c));
            continue;
        }
        if c.is_ascii_alphanumeric() {
            b.push_ascii(c, false);
            continue;
        }
        match c {
            '&' | '+' => {
                b.flush();
                b.pieces.push(Piece::Word {
                    text: "and".to_owned(),
                    translit: false,
                    paren: b.paren(),
                    hyphen: false,
                });
                b.hyphen_pending = false;
                b.dotted.push(std::mem::take(&mut b.dot_seen));
            }
            '(' | '[' | '{' | '\u{FF08}' | '\u{3010}' => {
                b.flush();
                b.paren_depth = b.paren_depth.saturating_add(1);
            }
            ')' | ']' | '}' | '\u{FF09}' | '\u{3011}' => {
                b.flush();
                b.paren_depth = b.paren_depth.saturating_sub(1);
            }
            '.' => {
                b.flush();
                b.hyphen_pending = false;
                b.dot_seen = true;
            }
            '-' | '\u{2010}' | '\u{2011}' => {
                let after_word = !b.word.is_empty();
                b.flush();
                b.hyphen_pending = after_word;
            }
            _ if is_apostrophe(c) => {}
            _ if c.is_alphanumeric() => {
                // Other scripts and diacritics: transliterate to ASCII.
                if let Some(ascii) = deunicode::deunicode_char(c) {
                    for a in ascii.chars() {
                        b.push_ascii(a, true);
                    }
                } else {
                    b.flush();
                }
            }
            _ if is_combining_mark(c) => {}
            _ => {
                b.flush();
                b.hyphen_pending = false;
            }
        }
    }
    b.flush();
    glue_acronyms(b.pieces, &b.dotted)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF)
}

/// Joins runs of single letters ("s.a.", "p.l.c.", "A C International") into one word, so
/// they read as the acronym they are however punctuated. A lone initial ("A. Khamenei")
/// stays apart, and a run keeps one punctuation style: in "Fund X L.P." the `X` written
/// apart does not join the dotted `L.P.` (`dotted[i]`: a dot precedes piece `i`).
fn glue_acronyms(pieces: Vec<Piece>, dotted: &[bool]) -> Vec<Piece> {
    let single = |p: Option<&Piece>| matches!(p, Some(Piece::Word { text, .. }) if text.len() == 1);
    let sep = |i: usize| dotted.get(i).copied().unwrap_or(false);
    // First decide which letters join the run before them, then move the pieces.
    let mut joins = vec![false; pieces.len()];
    // Separator style of the current run once it has two letters.
    let mut run_sep: Option<bool> = None;
    for i in 1..pieces.len() {
        let here = sep(i);
        let fits = single(pieces.get(i))
            && single(pieces.get(i - 1))
            && match run_sep {
                Some(style) => style == here,
                // A two-letter start must not break the style of a letter that follows.
                None => !single(pieces.get(i + 1)) || sep(i + 1) == here,
            };
        if let Some(j) = joins.get_mut(i) {
            *j = fits;
        }
        run_sep = fits.then_some(here);
    }
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    let lone: Vec<bool> = (0..pieces.len())
        .map(|i| {
            single(pieces.get(i))
                && !joins.get(i).copied().unwrap_or(false)
                && !joins.get(i + 1).copied().unwrap_or(false)
        })
        .collect();
    for (i, (piece, join)) in pieces.into_iter().zip(joins).enumerate() {
        // A letter that starts no run of its own still joins a lone letter before it: no two
        // one-letter words stay side by side, so normalising twice changes nothing.
        let lone_pair = lone.get(i).copied().unwrap_or(false) && single(out.last());
        if (join || lone_pair)
            && let (Some(Piece::Word { text: last, .. }), Piece::Word { text, .. }) =
                (out.last_mut(), &piece)
        {
            last.push_str(text);
            continue;
        }
        out.push(piece);
    }
    out
}

/// The Latin words of a text (Han runs dropped): used for table keys.
pub(crate) fn latin_tokens(text: &str) -> Vec<String> {
    pieces_with(text, None)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Word { text, .. } => Some(text),
            Piece::Han { .. } => None,
        })
        .collect()
}

/// A display form of the pieces: words and Han runs separated by spaces.
#[cfg(test)]
pub(crate) fn normalized_text(name: &str) -> String {
    pieces(name)
        .into_iter()
        .map(|p| match p {
            Piece::Word { text, .. } => text,
            Piece::Han { simp, .. } => simp,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_case_punctuation_width_and_ampersand() {
        assert_eq!(normalized_text("HUAWEI TECHNOLOGIES CO., LTD."), "huawei technologies co ltd");
        assert_eq!(normalized_text("ＨＵＡＷＥＩ　Ｔｅｃｈ"), "huawei tech");
        assert_eq!(normalized_text("AT&T Inc."), "at and t inc");
        // Letter runs glue within one punctuation style only.
        assert_eq!(normalized_text("Bain Capital Fund X L.P."), "bain capital fund x lp");
        assert_eq!(normalized_text("U.S.A Inc"), "usa inc");
        assert_eq!(normalized_text("A C International"), "ac international");
        assert_eq!(normalized_text("A. B. C. Company"), "abc company");
        assert_eq!(normalized_text("V. Putin"), "v putin");
        assert_eq!(normalized_text("Mo'er Xianchen"), "moer xianchen");
        assert_eq!(normalized_text("Gui'an New District"), "guian new district");
        assert_eq!(normalized_text("Goldman Sachs & Co. L.L.C."), "goldman sachs and co llc");
        assert_eq!(normalized_text("A. Khamenei"), "a khamenei");
    }

    #[test]
    fn transliterates_other_scripts_and_diacritics() {
        assert_eq!(normalized_text("François Hollande"), "francois hollande");
        assert_eq!(normalized_text("Владимир Путин"), "vladimir putin");
    }

    #[test]
    fn keeps_han_runs_and_folds_traditional() {
        let p = pieces("華為技術有限公司 (深圳)");
        assert_eq!(p.len(), 2);
        assert!(
            matches!(&p[0], Piece::Han { orig, simp, paren: false } if orig == "華為技術有限公司" && simp == "华为技术有限公司")
        );
        assert!(matches!(&p[1], Piece::Han { simp, paren: true, .. } if simp == "深圳"));
    }

    #[test]
    fn mixed_script_splits_runs() {
        assert_eq!(normalized_text("TDK株式会社"), "tdk 株式会社");
        assert_eq!(normalized_text("贝拉克·奥巴马"), "贝拉克 奥巴马");
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,40}") {
            let once = normalized_text(&s);
            let twice = normalized_text(&once);
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn never_panics_and_words_are_ascii(s in any::<String>()) {
            for p in pieces(&s) {
                if let Piece::Word { text, .. } = p {
                    prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric()));
                }
            }
        }
    }
}
