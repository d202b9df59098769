//! The determination: verdict, per-item results, party hits, reasons and data versions.

use crate::classify::{Missing, TppTerm};
use crate::rules::{Evidence, Policy};
use crate::screen::ListVersion;
use serde::Serialize;

/// Overall answer, ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No licence is required.
    NoLicenseRequired,
    /// A licence is required but a licence exception is available.
    LicenseException,
    /// Facts that decide the answer are missing.
    NeedsInformation,
    /// A licence (or, for sanctions, an OFAC licence) is required, or the transaction is
    /// prohibited.
    LicenseRequired,
}

impl Verdict {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoLicenseRequired => "no_license_required",
            Verdict::LicenseException => "license_exception",
            Verdict::NeedsInformation => "needs_information",
            Verdict::LicenseRequired => "license_required",
        }
    }
}

/// What a reason does to the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Imposes a licence requirement (or prohibition / sanctions block).
    LicenseRequired,
    /// A licence exception is available.
    LicenseException,
    /// A licence exception is not available.
    ExceptionUnavailable,
    /// Sets the review policy.
    ReviewPolicy,
    /// A fact is missing.
    Missing,
    /// The rule was checked and does not apply.
    NotApplicable,
    /// Information (classification arithmetic, rules not applied and why).
    Info,
    /// A warning that does not change the verdict.
    Warning,
}

/// One step of the reasoning, with its legal basis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Stable rule id from `data/rules`.
    pub rule: String,
    /// CFR paragraph.
    pub citation: String,
    /// Federal Register document or other source.
    pub source: String,
    /// Plain-language explanation.
    pub explanation: String,
    /// Numbers and fields used.
    pub facts: serde_json::Value,
    /// False when the reason rests on unverified facts or earl interpretations.
    pub verified: bool,
    /// Weakest evidence label among the facts used.
    pub evidence: Evidence,
    /// What the reason does.
    pub effect: Effect,
    /// Item index, for item-specific reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
    /// Party index, for party-specific reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<usize>,
}

/// Result for one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    /// Index in the input.
    pub index: usize,
    /// What the input gave: `product`, `chip`, `eccn` or `hbm`.
    pub input: String,
    /// Catalog product id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Product name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ECCN or plain-language classification.
    pub eccn: String,
    /// Paragraph that decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<String>,
    /// Total processing performance.
    pub tpp: Option<f64>,
    /// Performance density (2 decimals).
    pub performance_density: Option<f64>,
    /// Applicable die area used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicable_die_area_mm2: Option<f64>,
    /// Precision that gave the TPP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winning_precision: Option<String>,
    /// Per-precision TPP terms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tpp_terms: Vec<TppTerm>,
    /// Memory bandwidth density of standalone HBM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bandwidth_density: Option<f64>,
    /// Designed or marketed for datacenters (as used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<bool>,
    /// Classified under the foundry presumption (Note 1 to 3A090.a).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub presumed: bool,
    /// Arithmetic and tests.
    pub steps: Vec<String>,
    /// Verdict for this item.
    pub verdict: Verdict,
    /// Exception used for this item.
    pub license_exception: Option<String>,
    /// Whether NAC prior notification is required for this item.
    pub notification_required: bool,
    /// Review policy if a licence is applied for.
    pub review_policy: Option<Policy>,
    /// Field paths of the missing facts for this item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Classification rests only on verified facts.
    pub verified: bool,
}

/// A list hit, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitResult {
    /// List id.
    pub list: String,
    /// List kind.
    pub kind: earl_lists::ListKind,
    /// Entry name.
    pub name: String,
    /// Name or alias matched.
    pub matched_name: String,
    /// Entry id.
    pub entry_id: String,
    /// Entry country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Listing date.
    pub listed_on: Option<jiff::civil::Date>,
    /// Removal date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delisted_on: Option<jiff::civil::Date>,
    /// Score.
    pub score: f64,
    /// Screener alert flag.
    pub alert: bool,
    /// Whether the hit counted for the determination.
    pub counted: bool,
    /// Why not, if not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_counted_because: Option<String>,
    /// Federal Register citations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub federal_register: Vec<String>,
    /// Licence requirement column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_requirement: Option<String>,
    /// Review policy column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_policy: Option<String>,
    /// Footnotes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub footnotes: Vec<u8>,
    /// Screener explanation.
    pub explanation: serde_json::Value,
}

/// A party and its hits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyResult {
    /// Index in the input.
    pub index: usize,
    /// Role.
    pub role: Option<crate::input::Role>,
    /// Name.
    pub name: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Headquarters country.
    pub headquarters: Option<String>,
    /// Ultimate parent's headquarters country.
    pub parent_headquarters: Option<String>,
    /// Headquartered (or ultimate parent headquartered) in Macau or D:5: `true`, `false`
    /// or `null` when unknown.
    pub macau_or_d5_headquartered: Option<bool>,
    /// Alerting hits: entries the screener flags for this party on the transaction date.
    pub hits: Vec<HitResult>,
    /// The best few non-alerting candidates, for the analyst's eye; they change nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_misses: Vec<HitResult>,
}

/// Versions of the data used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataVersions {
    /// `<label>+<first 12 hex of rules_sha256>`.
    pub rules_version: String,
    /// SHA-256 over the rule files' digest and the catalog digest.
    pub rules_sha256: String,
    /// SHA-256 of the rule files alone.
    pub rule_files_sha256: String,
    /// SHA-256 of the chip catalog.
    pub catalog_sha256: String,
    /// Date up to which the rules were researched.
    pub rules_as_of: jiff::civil::Date,
    /// Lists screened.
    pub lists: Vec<ListVersion>,
}

/// A licence determination.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Determination {
    /// Overall verdict.
    pub verdict: Verdict,
    /// Exception used when the verdict is `license_exception`.
    pub license_exception: Option<String>,
    /// All exceptions items use (several when items use different ones).
    pub license_exceptions: Vec<String>,
    /// NAC prior notification required (for any item).
    pub notification_required: bool,
    /// Days of prior notification, when required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification_days: Option<u32>,
    /// Strictest review policy over the licence-requiring findings.
    pub review_policy: Option<Policy>,
    /// Transaction date.
    pub date: jiff::civil::Date,
    /// Destination as evaluated (`HK` becomes `CN`).
    pub destination: String,
    /// Per-item results.
    pub items: Vec<ItemResult>,
    /// Parties and hits.
    pub parties: Vec<PartyResult>,
    /// Reasons.
    pub reasons: Vec<Reason>,
    /// Field paths of the missing facts that decide the answer (why: `missing_facts`).
    pub missing: Vec<String>,
    /// Missing facts, structured.
    pub missing_facts: Vec<Missing>,
    /// Data versions.
    pub data: DataVersions,
}

impl Determination {
    /// JSON value of the determination.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Human-readable report.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("VERDICT: {}\n", self.verdict.as_str()));
        s.push_str(&format!("date {} | destination {}\n", self.date, self.destination));
        if let Some(e) = &self.license_exception {
            s.push_str(&format!("license exception: {e}\n"));
        }
        if self.license_exceptions.len() > 1
            || (self.license_exception.is_none() && !self.license_exceptions.is_empty())
        {
            s.push_str(&format!(
                "license exceptions used by items: {}\n",
                self.license_exceptions.join(", ")
            ));
        }
        if self.notification_required {
            s.push_str(&format!(
                "notification: NAC prior notification to BIS required{}\n",
                self.notification_days
                    .map(|d| format!(" at least {d} calendar days before export"))
                    .unwrap_or_default()
            ));
        }
        s.push_str(&format!(
            "review policy: {}\n",
            self.review_policy.map(Policy::as_str).unwrap_or(match self.verdict {
                Verdict::NeedsInformation => "undetermined until the missing facts are given",
                Verdict::LicenseException => "none (no licence application under the exception)",
                _ => "none (no licence required)",
            })
        ));
        s.push_str("\nITEMS\n");
        for it in &self.items {
            s.push_str(&format!(
                "  [{}] {}{}: {} -> {}{}\n",
                it.index,
                it.input,
                it.product.as_deref().map(|p| format!(" {p}")).unwrap_or_default(),
                it.eccn,
                it.verdict.as_str(),
                it.license_exception.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
            ));
            if let Some(p) = &it.paragraph {
                s.push_str(&format!("      paragraph: {p}\n"));
            }
            for step in &it.steps {
                s.push_str(&format!("      {step}\n"));
            }
            if !it.verified {
                s.push_str("      (classification rests on unverified facts)\n");
            }
        }
        if !self.parties.is_empty() {
            s.push_str("\nPARTIES\n");
            for p in &self.parties {
                s.push_str(&format!(
                    "  [{}] {} ({}){}\n",
                    p.index,
                    p.name.as_deref().unwrap_or("(no name)"),
                    p.role.map(|r| format!("{r:?}")).unwrap_or_else(|| "role not given".into()),
                    match p.macau_or_d5_headquartered {
                        Some(true) => ", Macau/D:5-headquartered",
                        Some(false) => "",
                        None => ", headquarters unknown",
                    }
                ));
                for h in &p.hits {
                    s.push_str(&format!(
                        "      hit: {} `{}` (matched `{}`, listed {}){}\n",
                        h.list,
                        h.name,
                        h.matched_name,
                        h.listed_on.map(|d| d.to_string()).unwrap_or_else(|| "date unknown".into()),
                        h.not_counted_because
                            .as_deref()
                            .map(|w| format!(" - not counted: {w}"))
                            .unwrap_or_default()
                    ));
                }
                if p.hits.is_empty() && p.name.is_some() {
                    s.push_str("      no alerting hit on the lists in force on the date\n");
                }
                for h in &p.near_misses {
                    s.push_str(&format!(
                        "      near miss (below alert threshold, {:.2}): {} `{}`\n",
                        h.score, h.list, h.name
                    ));
                }
            }
        }
        s.push_str("\nREASONS\n");
        for r in &self.reasons {
            let scope = match (r.item, r.party) {
                (Some(i), _) => format!("item {i}: "),
                (None, Some(p)) => format!("party {p}: "),
                _ => String::new(),
            };
            s.push_str(&format!(
                "  - [{}] {}{}\n      {} | {} | evidence {}{}\n",
                r.rule,
                scope,
                r.explanation,
                r.citation,
                r.source,
                r.evidence.label(),
                if r.verified { "" } else { " | NOT VERIFIED" }
            ));
        }
        if !self.missing.is_empty() {
            s.push_str("\nMISSING FACTS\n");
            for m in &self.missing_facts {
                s.push_str(&format!("  - {}: {}\n", m.field, m.why));
            }
        }
        s.push_str(&format!(
            "\nDATA rules {} (as of {})",
            self.data.rules_version, self.data.rules_as_of
        ));
        if self.data.lists.is_empty() {
            s.push_str("; no lists screened\n");
        } else {
            let l: Vec<String> =
                self.data.lists.iter().map(|l| format!("{} {}", l.list, l.as_of)).collect();
            s.push_str(&format!("; lists {}\n", l.join(", ")));
        }
        s
    }
}
