//! Why a hit scored what it scored, in a form a reviewer can read (and JSON can carry).

use serde::Serialize;

/// How a query token (or segment) lined up with a list token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Same word.
    Exact,
    /// Same word up to a few edits (see `edits`).
    Typo,
    /// Same name in another script or spelling: pinyin of Han characters, traditional vs
    /// simplified characters, diacritics, Cyrillic/Greek/Arabic transliteration.
    Transliteration,
    /// A Chinese word and its English list form (`科技` = `technology`).
    Translation,
    /// A trade abbreviation or inflection (`Tech` = `Technologies`).
    Abbreviation,
    /// One token on one side equals several joined tokens on the other (`Zhongke` = `Zhong Ke`).
    MergeSplit,
    /// A place name that sits elsewhere in the other name (`Shenzhen X` vs `X (Shenzhen)`).
    Place,
    /// A single letter standing for a name (`A.` = `Ali`), or run-together initials standing
    /// for several words (`JC` = `Jean-Claude`, `US` = `United States`).
    Initial,
    /// A nickname or short form of a given name (`Ted` = `Theodore`), or the same given name
    /// in another language (`Juan` = `John`).
    Nickname,
    /// Person-name parts spelled in different romanisations that share their consonants
    /// (`Husayn` = `Hussein`, `Muhammad` = Arabic `mhmd`).
    Phonetic,
    /// Consecutive numbers in otherwise agreeing names (`Fund IV` / `Fund V`, `Snow Storm 1` /
    /// `Snow Storm 2`): a neighbour in one series (a sister fund or vessel), worth a
    /// reviewer's look but never an exact match; low similarity.
    OtherNumber,
    /// Legal forms (`Co., Ltd.` = `有限公司`); compared by class, never decisive.
    LegalForm,
    /// A generic or place word absent from the matched alias but present in another name of
    /// the same entry (aliases often drop descriptive words).
    EntryContext,
}

/// The role a token plays in a name; decides its weight together with its rarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    /// Identifies the party (`Huawei`, a surname): high weight.
    Distinctive,
    /// Descriptive word shared by many names (`technology`): low weight.
    Generic,
    /// Place name: low weight, may move.
    Place,
    /// Number: must agree exactly.
    Number,
    /// Function word (`of`, `and`): near-zero weight.
    Stop,
}

/// One aligned pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedPair {
    /// Query token(s) as written (several for a merge).
    pub query: String,
    /// List token(s) as written.
    pub list: String,
    /// Comparable forms that were compared (`huawei = huawei`), when they differ from the
    /// written text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forms: Option<String>,
    /// How they matched.
    pub how: MatchKind,
    /// Token similarity in [0, 1].
    pub similarity: f64,
    /// Edit distance for typos.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edits: Option<u8>,
    /// Role of the query token(s).
    pub role: TokenRole,
    /// Weight of the query token(s) (role x rarity).
    pub weight: f64,
    /// The pair sits in a different order in the two names.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub moved: bool,
}

/// A token without a partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmatched {
    /// The token as written.
    pub token: String,
    /// Its role.
    pub role: TokenRole,
    /// Its weight: the share of its side's weight it takes away from the score.
    pub weight: f64,
}

/// Legal forms of both names and their effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegalFormNote {
    /// Query legal forms as written.
    pub query: Vec<String>,
    /// List legal forms as written.
    pub list: Vec<String>,
    /// Multiplier applied to the score (1.0 = none).
    pub factor: f64,
}

/// The country signal and its effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryNote {
    /// Country given with the query (ISO alpha-2 when recognised).
    pub query: String,
    /// Country of the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// `same`, `different` or `unknown`.
    pub verdict: &'static str,
    /// Score before the country signal.
    pub score_before: f64,
    /// Score after it.
    pub score_after: f64,
}

/// Explanation of one hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Which of the entry's names matched: `name`, or the alias kind (`aka`, `fka`, `weak`,
    /// `original_script`, `translation`).
    pub matched_via: &'static str,
    /// The query after normalisation (comparable forms; legal forms in brackets).
    pub query_normalized: String,
    /// The matched list name after normalisation.
    pub list_normalized: String,
    /// Token alignment, in query order.
    pub aligned: Vec<AlignedPair>,
    /// Query tokens without a partner.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_query: Vec<Unmatched>,
    /// List tokens without a partner.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_list: Vec<Unmatched>,
    /// Share of the query's token weight that found a partner (similarity-weighted).
    pub query_coverage: f64,
    /// Share of the list name's token weight that found a partner.
    pub list_coverage: f64,
    /// Legal forms, when either side has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<LegalFormNote>,
    /// Multiplier for the kind of alias matched (weak aliases count less).
    #[serde(skip_serializing_if = "is_one")]
    pub alias_factor: f64,
    /// Country signal, when the query gave a country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryNote>,
}

fn is_one(x: &f64) -> bool {
    (*x - 1.0).abs() < 1e-9
}

/// Rounds to 3 decimals so explanations stay compact and stable.
pub(crate) fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
