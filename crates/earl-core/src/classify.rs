//! ECCN 3A090 classification of chips, standalone HBM and given ECCNs, with the arithmetic.

use crate::dec::Dec;
use crate::input::{ChipSpec, HbmSpec, PRECISIONS};
use crate::rules::{Evidence, RuleSet, Scheme};
use jiff::civil::Date;
use serde::Serialize;

/// Advanced-computing tier of a controlled item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 3A090 of the Oct 2022 rule (single tier).
    Legacy,
    /// 3A090.b / 4A090.b / .z ".b" items.
    B,
    /// 3A090.a / 4A090.a / .z ".a" items.
    A,
    /// 3A090.c standalone HBM.
    C,
}

impl Tier {
    /// Letter used in rule data (`a`, `b`, `c`; `legacy` has none).
    pub fn letter(self) -> &'static str {
        match self {
            Tier::Legacy => "legacy",
            Tier::A => "a",
            Tier::B => "b",
            Tier::C => "c",
        }
    }
}

/// A fact that is needed but was not given.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Missing {
    /// Field path, e.g. `items[0].chip.die_area_mm2`.
    pub field: String,
    /// Why it matters.
    pub why: String,
}

impl Missing {
    pub(crate) fn new(field: impl Into<String>, why: impl Into<String>) -> Missing {
        Missing { field: field.into(), why: why.into() }
    }
}

/// One possible classification of an item (several when facts are missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// ECCN (or a plain-language result such as `not 3A090`).
    pub eccn: String,
    /// Tier, when the item is an advanced-computing item.
    pub tier: Option<Tier>,
    /// Designed or marketed for datacenters, when known.
    pub datacenter: Option<bool>,
    /// The ECCN given by the user for an item that is not 3A090 (`EAR99`, `3A991`, ...);
    /// `None` = unknown.
    pub other_eccn: Option<String>,
    /// What this candidate assumes about the missing facts (none if determined).
    pub assumption: Option<String>,
}

impl Candidate {
    fn ac(tier: Tier, dc: Option<bool>) -> Candidate {
        let eccn = match tier {
            Tier::Legacy => "3A090",
            Tier::A => "3A090.a",
            Tier::B => "3A090.b",
            Tier::C => "3A090.c",
        };
        Candidate {
            eccn: eccn.into(),
            tier: Some(tier),
            datacenter: dc,
            other_eccn: None,
            assumption: None,
        }
    }

    fn not_ac(other: Option<String>) -> Candidate {
        let eccn = other.clone().unwrap_or_else(|| "not 3A090".into());
        Candidate { eccn, tier: None, datacenter: None, other_eccn: other, assumption: None }
    }

    /// Short description for reasons, e.g. `3A090.a, datacenter`.
    pub fn describe(&self) -> String {
        match (self.tier, self.datacenter) {
            (Some(Tier::A | Tier::B), Some(true)) => {
                format!("{} designed or marketed for datacenters", self.eccn)
            }
            (Some(Tier::A | Tier::B), Some(false)) => {
                format!("{} not designed or marketed for datacenters", self.eccn)
            }
            _ => self.eccn.clone(),
        }
    }

    /// Strictness rank (higher = stricter): not controlled < .b < .a non-DC < .a DC.
    pub fn rank(&self) -> u8 {
        match (self.tier, self.datacenter) {
            (None, _) => 0,
            (Some(Tier::B), _) => 1,
            (Some(Tier::C), _) => 2,
            (Some(Tier::A), Some(false)) => 2,
            (Some(Tier::Legacy), _) => 3,
            (Some(Tier::A), _) => 3,
        }
    }
}

/// One precision's contribution to TPP.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TppTerm {
    /// Precision name.
    pub precision: String,
    /// Dense TOPS given.
    pub tops: f64,
    /// Bit length.
    pub bits: u32,
    /// TOPS x bits.
    pub product: f64,
}

/// The result of classifying one chip or HBM item on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// Date classified on.
    pub date: Date,
    /// The ECCN or plain-language result (`undetermined (...)` when facts are missing).
    pub eccn: String,
    /// Paragraph that decided, e.g. `3A090.a.1`.
    pub paragraph: Option<String>,
    /// TPP.
    pub tpp: Option<f64>,
    /// Per-precision products.
    pub tpp_terms: Vec<TppTerm>,
    /// Precision that gave the TPP.
    pub winning_precision: Option<String>,
    /// Applicable die area used.
    pub applicable_die_area_mm2: Option<f64>,
    /// Performance density (rounded to 2 decimals for display).
    pub performance_density: Option<f64>,
    /// Memory bandwidth density of standalone HBM (GB/s/mm2).
    pub memory_bandwidth_density: Option<f64>,
    /// Arithmetic and tests, in order.
    pub steps: Vec<String>,
    /// Possible classifications (one when determined).
    pub candidates: Vec<Candidate>,
    /// Facts that would decide between candidates.
    pub missing: Vec<Missing>,
    /// Rule ids used.
    pub rules: Vec<String>,
    /// Weakest evidence among the rules and catalog facts used.
    pub evidence: Evidence,
    /// False when the result rests on unverified facts or interpretations.
    pub verified: bool,
}

impl Classification {
    fn new(date: Date) -> Classification {
        Classification {
            date,
            eccn: String::new(),
            paragraph: None,
            tpp: None,
            tpp_terms: Vec::new(),
            winning_precision: None,
            applicable_die_area_mm2: None,
            performance_density: None,
            memory_bandwidth_density: None,
            steps: Vec::new(),
            candidates: Vec::new(),
            missing: Vec::new(),
            rules: Vec::new(),
            evidence: Evidence::V,
            verified: true,
        }
    }

    pub(crate) fn use_rule(&mut self, rules: &RuleSet, id: &str) {
        // Only rules in force on the date are recorded (and so cited).
        if !rules.meta(id).is_some_and(|m| m.in_force(self.date)) {
            return;
        }
        if !self.rules.iter().any(|r| r == id) {
            self.rules.push(id.to_owned());
        }
        if let Some(m) = rules.meta(id) {
            self.weaken(m.evidence);
        }
    }

    pub(crate) fn weaken(&mut self, e: Evidence) {
        if e > self.evidence {
            self.evidence = e;
        }
        self.verified = self.evidence.verified();
    }

    pub(crate) fn push_candidate(&mut self, c: Candidate) {
        if !self.candidates.contains(&c) {
            self.candidates.push(c);
        }
    }

    pub(crate) fn finish(&mut self) {
        self.candidates.sort_by_key(|c| std::cmp::Reverse(c.rank()));
        let mut eccns: Vec<&str> = Vec::new();
        for c in &self.candidates {
            if !eccns.contains(&c.eccn.as_str()) {
                eccns.push(&c.eccn);
            }
        }
        self.eccn = match eccns.as_slice() {
            [one] => (*one).to_owned(),
            [] => "undetermined".to_owned(),
            many => format!("undetermined ({})", many.join(" or ")),
        };
        self.missing.sort();
        self.missing.dedup();
    }

    /// Whether there is exactly one classification.
    pub fn is_determined(&self) -> bool {
        self.candidates.len() == 1
    }

    /// Human-readable arithmetic and result.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("Classification on {}: {}\n", self.date, self.eccn));
        if let Some(p) = &self.paragraph {
            s.push_str(&format!("  paragraph: {p}\n"));
        }
        for step in &self.steps {
            s.push_str(&format!("  - {step}\n"));
        }
        if self.candidates.len() > 1 {
            s.push_str("  possible results:\n");
            for c in &self.candidates {
                s.push_str(&format!(
                    "    * {}{}\n",
                    c.describe(),
                    c.assumption.as_deref().map(|a| format!(" (if {a})")).unwrap_or_default()
                ));
            }
        }
        for m in &self.missing {
            s.push_str(&format!("  missing: {}: {}\n", m.field, m.why));
        }
        s.push_str(&format!(
            "  rules: {} [evidence {}, {}]\n",
            self.rules.join(", "),
            self.evidence.label(),
            if self.verified { "verified" } else { "NOT verified" }
        ));
        s
    }
}

fn fmt_num(d: Dec) -> String {
    d.to_string()
}

/// Round to `places` decimals for display.
pub fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// Whether the die counts as non-planar, inferred from the node when not stated.
enum Arch {
    NonPlanar { inferred: bool },
    PlanarDie,
    Unknown,
}

fn planar_of(spec: &ChipSpec) -> Arch {
    match spec.planar {
        Some(true) => Arch::PlanarDie,
        Some(false) => Arch::NonPlanar { inferred: false },
        None => match spec.process_nm {
            Some(nm) if nm <= 16.0 => Arch::NonPlanar { inferred: true },
            _ => Arch::Unknown,
        },
    }
}

/// Compute TPP terms; returns the exact TPP and the winning precision.
fn tpp(c: &mut Classification, rules: &RuleSet, spec: &ChipSpec) -> Option<Dec> {
    let mut best: Option<(Dec, String)> = None;
    for (name, v) in &spec.tops {
        let bits = match rules.precision(name) {
            Some(p) => p.bits,
            None => PRECISIONS.iter().find(|(p, _)| p == name).map(|(_, b)| *b)?,
        };
        let tops = Dec::from_f64(*v)?;
        let product = tops.checked_mul(Dec::from_int(i64::from(bits)))?;
        c.tpp_terms.push(TppTerm {
            precision: name.clone(),
            tops: *v,
            bits,
            product: product.to_f64(),
        });
        if best.as_ref().is_none_or(|(b, _)| product.gt(*b)) {
            best = Some((product, name.clone()));
        }
    }
    let (value, name) = best?;
    let terms: Vec<String> = c
        .tpp_terms
        .iter()
        .map(|t| format!("{} {} x {} = {}", t.precision, t.tops, t.bits, t.product))
        .collect();
    c.steps.push(format!(
        "TPP = max over precisions of dense TOPS x bit length: {} -> TPP {} ({name})",
        terms.join("; "),
        fmt_num(value)
    ));
    c.tpp = Some(value.to_f64());
    c.winning_precision = Some(name.clone());
    c.use_rule(rules, "classification.tpp");
    if name == "tf32" {
        c.use_rule(rules, "classification.tf32_bits");
    }
    Some(value)
}

/// Classify a chip spec on a date. Missing facts are reported with paths under `prefix`
/// (e.g. `items[0].chip`).
pub fn classify_chip(rules: &RuleSet, spec: &ChipSpec, date: Date, prefix: &str) -> Classification {
    let mut c = Classification::new(date);
    let field = |f: &str| format!("{prefix}.{f}");
    let tpp_v = tpp(&mut c, rules, spec);
    let Some(t) = rules.ic_thresholds(date) else {
        c.steps.push(format!("ECCN 3A090 was not in force on {date} (created 7 Oct 2022)"));
        c.use_rule(rules, "general.coverage");
        c.paragraph = Some("no 3A090 on this date".into());
        c.push_candidate(Candidate::not_ac(None));
        c.finish();
        return c;
    };
    c.use_rule(rules, &t.meta.id);
    if spec.hbm == Some(true) && rules.hbm_threshold(date).is_some() {
        c.steps.push("HBM co-packaged with the logic IC: classified by TPP / performance density, not 3A090.c".into());
        c.use_rule(rules, "classification.hbm_copackaged");
    }
    let Some(tpp_v) = tpp_v else {
        c.missing.push(Missing::new(
            field("tops"),
            "dense TOPS per precision are needed to compute TPP",
        ));
        c.steps.push("no performance figures: TPP unknown".into());
        match t.scheme {
            Scheme::TppIo => c.push_candidate(Candidate::ac(Tier::Legacy, None)),
            Scheme::TppPd => {
                let dcs: Vec<bool> = spec.datacenter.map_or(vec![true, false], |d| vec![d]);
                for d in &dcs {
                    c.push_candidate(Candidate::ac(Tier::A, Some(*d)));
                }
                if spec.datacenter != Some(false) {
                    c.push_candidate(Candidate::ac(Tier::B, Some(true)));
                }
                if spec.datacenter.is_none() {
                    c.missing.push(Missing::new(
                        field("datacenter"),
                        "decides Note 2 and NAC/ACA eligibility",
                    ));
                }
            }
        }
        c.push_candidate(Candidate::not_ac(None));
        c.finish();
        return c;
    };
    match t.scheme {
        Scheme::TppIo => {
            if tpp_v.lt(t.tpp_a) {
                c.steps.push(format!("TPP {} < {}: not 3A090", fmt_num(tpp_v), fmt_num(t.tpp_a)));
                c.paragraph = Some(format!("TPP below {}", fmt_num(t.tpp_a)));
                c.push_candidate(Candidate::not_ac(None));
            } else {
                let io_min = t.io_gbps.unwrap_or(t.tpp_a);
                match spec.interconnect_gbps.and_then(Dec::from_f64) {
                    None => {
                        c.steps.push(format!(
                            "TPP {} >= {}; the 2022 rule also needs aggregate bidirectional I/O >= {} GB/s, not given",
                            fmt_num(tpp_v),
                            fmt_num(t.tpp_a),
                            fmt_num(io_min)
                        ));
                        c.missing.push(Missing::new(
                            field("interconnect_gbps"),
                            format!("the Oct 2022 3A090 test needs the aggregate bidirectional transfer rate (>= {} GB/s) once TPP >= {}", fmt_num(io_min), fmt_num(t.tpp_a)),
                        ));
                        c.push_candidate(Candidate::ac(Tier::Legacy, None));
                        c.push_candidate(Candidate::not_ac(None));
                    }
                    Some(io) if io.ge(io_min) => {
                        c.steps.push(format!(
                            "TPP {} >= {} and I/O {} GB/s >= {}: 3A090",
                            fmt_num(tpp_v),
                            fmt_num(t.tpp_a),
                            fmt_num(io),
                            fmt_num(io_min)
                        ));
                        c.paragraph = Some("3A090 (TPP and I/O transfer rate)".into());
                        c.push_candidate(Candidate::ac(Tier::Legacy, None));
                    }
                    Some(io) => {
                        c.steps.push(format!(
                            "TPP {} >= {} but I/O {} GB/s < {}: not 3A090",
                            fmt_num(tpp_v),
                            fmt_num(t.tpp_a),
                            fmt_num(io),
                            fmt_num(io_min)
                        ));
                        c.paragraph = Some("I/O transfer rate below the 2022 threshold".into());
                        c.push_candidate(Candidate::not_ac(None));
                    }
                }
            }
        }
        Scheme::TppPd => classify_pd(&mut c, rules, spec, date, tpp_v, t, &field),
    }
    c.finish();
    c
}

#[expect(clippy::too_many_lines, reason = "one readable walk through the 3A090.a/.b tests")]
fn classify_pd(
    c: &mut Classification,
    rules: &RuleSet,
    spec: &ChipSpec,
    date: Date,
    tpp_v: Dec,
    t: &crate::rules::IcThresholds,
    field: &dyn Fn(&str) -> String,
) {
    let (tpp_a2, pd_a2, tpp_b1, pd_b1, tpp_b2, pd_b2) = (
        t.tpp_a2.unwrap_or(t.tpp_a),
        t.pd_a2.unwrap_or(Dec::ZERO),
        t.tpp_b1.unwrap_or(t.tpp_a),
        t.pd_b1.unwrap_or(Dec::ZERO),
        t.tpp_b2.unwrap_or(t.tpp_a),
        t.pd_b2.unwrap_or(Dec::ZERO),
    );
    let dc = spec.datacenter;
    // Show the density whenever it can be computed, even where it does not decide.
    if let (Arch::NonPlanar { .. }, Some(a)) =
        (planar_of(spec), spec.die_area_mm2.filter(|a| *a > 0.0))
    {
        c.applicable_die_area_mm2 = Some(a);
        c.performance_density = Some(round(tpp_v.to_f64() / a, 2));
    }
    let dc_missing_for_nac = || {
        Missing::new(
            field("datacenter"),
            "whether the IC is designed or marketed for datacenters decides License Exception NAC/ACA eligibility for 3A090.a",
        )
    };
    if tpp_v.ge(t.tpp_a) {
        c.steps.push(format!("TPP {} >= {}: 3A090.a.1", fmt_num(tpp_v), fmt_num(t.tpp_a)));
        c.paragraph = Some("3A090.a.1".into());
        match dc {
            Some(d) => c.push_candidate(Candidate::ac(Tier::A, Some(d))),
            None => {
                c.push_candidate(Candidate::ac(Tier::A, Some(true)));
                c.push_candidate(Candidate::ac(Tier::A, Some(false)));
                c.missing.push(dc_missing_for_nac());
            }
        }
        return;
    }
    let low = if tpp_a2.lt(tpp_b2) { tpp_a2 } else { tpp_b2 };
    if tpp_v.lt(low) {
        c.steps.push(format!(
            "TPP {} < {}: no 3A090.a or .b test can be met",
            fmt_num(tpp_v),
            fmt_num(low)
        ));
        c.paragraph = Some(format!("TPP below {}", fmt_num(low)));
        c.push_candidate(Candidate::not_ac(None));
        return;
    }
    if let Some(n2) = rules.note2(date)
        && dc == Some(false)
        && tpp_v.lt(n2.value)
    {
        c.use_rule(rules, &n2.meta.id);
        c.steps.push(format!(
            "not designed or marketed for datacenters and TPP {} < {}: Note 2, not 3A090",
            fmt_num(tpp_v),
            fmt_num(n2.value)
        ));
        c.paragraph = Some("Note 2 to 3A090".into());
        c.push_candidate(Candidate::not_ac(None));
        return;
    }
    // Performance density decides; it needs the applicable (non-planar) die area.
    c.use_rule(rules, "classification.performance_density");
    #[derive(PartialEq)]
    enum Pd {
        Known(Dec, f64),
        NoArea,
        Unknown,
    }
    let pd = match planar_of(spec) {
        Arch::PlanarDie => {
            c.use_rule(rules, "classification.no_applicable_area");
            c.steps.push(
                "planar logic die: no applicable die area, so the performance-density tests are not met (earl interpretation)"
                    .into(),
            );
            Pd::NoArea
        }
        Arch::Unknown => {
            c.missing.push(Missing::new(
                field("planar"),
                format!(
                    "TPP {} is between {} and {}, so performance density decides, and only non-planar logic die area counts (give planar, or a process node of 16 nm or below)",
                    fmt_num(tpp_v),
                    fmt_num(low),
                    fmt_num(t.tpp_a)
                ),
            ));
            if spec.die_area_mm2.is_none() {
                c.missing.push(Missing::new(
                    field("die_area_mm2"),
                    "performance density = TPP / applicable die area",
                ));
            }
            Pd::Unknown
        }
        Arch::NonPlanar { inferred } => {
            if inferred {
                c.use_rule(rules, "classification.planar_inference");
                c.steps.push(format!(
                    "process {} nm <= 16 nm: logic die taken as non-planar",
                    spec.process_nm.map(|n| n.to_string()).unwrap_or_default()
                ));
            }
            match spec.die_area_mm2.and_then(Dec::from_f64) {
                Some(a) if !a.is_zero() => {
                    let pdf = tpp_v.to_f64() / a.to_f64();
                    c.applicable_die_area_mm2 = Some(a.to_f64());
                    c.performance_density = Some(round(pdf, 2));
                    c.steps.push(format!(
                        "performance density = TPP {} / applicable die area {} mm2 = {:.4}",
                        fmt_num(tpp_v),
                        fmt_num(a),
                        pdf
                    ));
                    Pd::Known(a, pdf)
                }
                _ => {
                    c.missing.push(Missing::new(
                        field("die_area_mm2"),
                        format!(
                            "TPP {} is between {} and {}, so performance density (TPP / applicable die area, must be > 0) decides",
                            fmt_num(tpp_v),
                            fmt_num(low),
                            fmt_num(t.tpp_a)
                        ),
                    ));
                    Pd::Unknown
                }
            }
        }
    };
    let mut classes: Vec<Option<Tier>> = Vec::new();
    match &pd {
        Pd::Known(area, _) => {
            let a2 = tpp_v.ge(tpp_a2) && tpp_v.ge_product(pd_a2, *area);
            let b1 = tpp_v.ge(tpp_b1) && tpp_v.ge_product(pd_b1, *area) && !a2;
            let b2 = tpp_v.ge(tpp_b2) && tpp_v.ge_product(pd_b2, *area) && !a2;
            if a2 {
                c.steps.push(format!(
                    "TPP >= {} and PD >= {}: 3A090.a.2",
                    fmt_num(tpp_a2),
                    fmt_num(pd_a2)
                ));
                c.paragraph = Some("3A090.a.2".into());
                classes.push(Some(Tier::A));
            } else if b1 || b2 {
                let which: Vec<&str> = [(b1, "b.1"), (b2, "b.2")]
                    .iter()
                    .filter(|(x, _)| *x)
                    .map(|(_, n)| *n)
                    .collect();
                c.steps.push(format!(
                    "3A090.{}: b.1 needs TPP >= {} and {} <= PD < {}; b.2 needs TPP >= {} and {} <= PD < {}",
                    which.join(" and "),
                    fmt_num(tpp_b1),
                    fmt_num(pd_b1),
                    fmt_num(pd_a2),
                    fmt_num(tpp_b2),
                    fmt_num(pd_b2),
                    fmt_num(pd_a2)
                ));
                c.paragraph = Some(format!("3A090.{}", which.join(" / ")));
                classes.push(Some(Tier::B));
            } else {
                c.steps.push(format!(
                    "PD below {} (a.2), and neither b.1 (TPP >= {}, PD >= {}) nor b.2 (PD >= {}) is met: not 3A090",
                    fmt_num(pd_a2),
                    fmt_num(tpp_b1),
                    fmt_num(pd_b1),
                    fmt_num(pd_b2)
                ));
                c.paragraph = Some("below the 3A090.a/.b density tests".into());
                classes.push(None);
            }
        }
        Pd::NoArea => classes.push(None),
        Pd::Unknown => {
            c.steps.push("performance density unknown: 3A090.a.2, 3A090.b or not 3A090".into());
            classes.extend([Some(Tier::A), Some(Tier::B), None]);
        }
    }
    let note2 = rules.note2(date);
    for class in classes {
        match class {
            None => c.push_candidate(Candidate::not_ac(None)),
            Some(tier) => match dc {
                Some(d) => c.push_candidate(Candidate::ac(tier, Some(d))),
                None => {
                    let mut dc_c = Candidate::ac(tier, Some(true));
                    dc_c.assumption = Some("designed or marketed for datacenters".into());
                    c.push_candidate(dc_c);
                    let mut n = Candidate::not_ac(None);
                    n.assumption = Some("not designed or marketed for datacenters (Note 2)".into());
                    c.push_candidate(n);
                    if let Some(n2) = note2 {
                        c.use_rule(rules, &n2.meta.id);
                    }
                    c.missing.push(Missing::new(
                        field("datacenter"),
                        format!(
                            "TPP {} < {}: under Note 2 an IC not designed or marketed for datacenters is not 3A090",
                            fmt_num(tpp_v),
                            fmt_num(t.tpp_a)
                        ),
                    ));
                }
            },
        }
    }
    if let Pd::Unknown = pd {
        for cand in &mut c.candidates {
            if cand.assumption.is_none() {
                cand.assumption = Some(match cand.tier {
                    Some(Tier::A) => format!("PD >= {}", fmt_num(pd_a2)),
                    Some(Tier::B) => {
                        format!("PD between {} and {}", fmt_num(pd_b2), fmt_num(pd_a2))
                    }
                    _ => "PD below the .b tests".into(),
                });
            }
        }
    }
}

/// Classify a standalone HBM item.
pub fn classify_hbm(rules: &RuleSet, hbm: &HbmSpec, date: Date, prefix: &str) -> Classification {
    let mut c = Classification::new(date);
    let Some(t) = rules.hbm_threshold(date) else {
        c.steps.push(format!("ECCN 3A090.c (HBM) was not in force on {date} (from 2 Dec 2024)"));
        c.paragraph = Some("no 3A090.c on this date".into());
        c.use_rule(rules, "general.coverage");
        c.push_candidate(Candidate::not_ac(None));
        c.finish();
        return c;
    };
    c.use_rule(rules, &t.meta.id);
    let bw = hbm.bandwidth_gbps.and_then(Dec::from_f64);
    let area = hbm.area_mm2.and_then(Dec::from_f64).filter(|a| !a.is_zero());
    match (bw, area) {
        (Some(bw), Some(area)) => {
            let density = bw.to_f64() / area.to_f64();
            c.memory_bandwidth_density = Some(round(density, 3));
            if bw.gt(t.value.checked_mul(area).unwrap_or(bw)) {
                c.steps.push(format!(
                    "memory bandwidth density = {} GB/s / {} mm2 = {:.4} > {}: 3A090.c",
                    bw, area, density, t.value
                ));
                c.paragraph = Some("3A090.c".into());
                c.push_candidate(Candidate::ac(Tier::C, None));
            } else {
                c.steps.push(format!(
                    "memory bandwidth density = {} GB/s / {} mm2 = {:.4}, not greater than {}: not 3A090.c",
                    bw,
                    area,
                    density,
                    t.value
                ));
                c.paragraph =
                    Some("memory bandwidth density not above the 3A090.c threshold".into());
                c.push_candidate(Candidate::not_ac(None));
            }
        }
        _ => {
            if bw.is_none() {
                c.missing.push(Missing::new(
                    format!("{prefix}.bandwidth_gbps"),
                    "memory bandwidth density = bandwidth / area decides 3A090.c",
                ));
            }
            if area.is_none() {
                c.missing.push(Missing::new(
                    format!("{prefix}.area_mm2"),
                    "memory bandwidth density = bandwidth / area decides 3A090.c",
                ));
            }
            c.push_candidate(Candidate::ac(Tier::C, None));
            c.push_candidate(Candidate::not_ac(None));
        }
    }
    c.finish();
    c
}

/// Tier of a given advanced-computing ECCN (None when not an advanced-computing ECCN), and
/// whether the tier is known.
pub fn tier_of_eccn(eccn: &str, date: Date, rules: &RuleSet) -> Option<Option<Tier>> {
    let legacy = rules.ic_thresholds(date).is_some_and(|t| t.scheme == Scheme::TppIo);
    let head = eccn.get(..5).unwrap_or("");
    let rest = eccn.get(5..).unwrap_or("");
    let ac_family = head == "3A090" || head == "4A090";
    let z = rest.starts_with(".z");
    rules.ic_thresholds(date)?;
    if ac_family {
        if legacy {
            return if rest.starts_with(".c") { None } else { Some(Some(Tier::Legacy)) };
        }
        return Some(match rest {
            ".a" => Some(Tier::A),
            ".b" => Some(Tier::B),
            ".c" if head == "3A090" => Some(Tier::C),
            "" => None,
            _ if rest.starts_with(".a.") => Some(Tier::A),
            _ if rest.starts_with(".b.") => Some(Tier::B),
            _ => None,
        });
    }
    if z && !legacy {
        let last = rest.rsplit('.').next().unwrap_or("");
        let single_level = ["4A004", "4A005", "5A992", "5D992"].contains(&head);
        return Some(match (last, single_level, rest) {
            ("a", _, _) => Some(Tier::A),
            ("b", _, _) => Some(Tier::B),
            (_, true, ".z.1") => Some(Tier::A),
            (_, true, ".z.2") => Some(Tier::B),
            _ => None,
        });
    }
    None
}

/// Candidates for an item given only by ECCN.
pub fn classify_eccn(
    rules: &RuleSet,
    eccn: &str,
    datacenter: Option<bool>,
    date: Date,
    prefix: &str,
) -> Classification {
    let mut c = Classification::new(date);
    c.use_rule(rules, "classification.given_eccn");
    c.steps.push(format!("ECCN {eccn} given in the input"));
    c.paragraph = Some(format!("{eccn} (given)"));
    match tier_of_eccn(eccn, date, rules) {
        None => c.push_candidate(Candidate::not_ac(Some(eccn.to_owned()))),
        Some(tier) => {
            let tiers: Vec<Tier> = match tier {
                Some(t) => vec![t],
                None => vec![Tier::A, Tier::B],
            };
            if tier.is_none() {
                c.missing.push(Missing::new(
                    format!("{prefix}.eccn"),
                    format!(
                        "{eccn}: give the .a or .b paragraph (it decides exception eligibility)"
                    ),
                ));
            }
            for t in tiers {
                let needs_dc = t == Tier::A;
                match (needs_dc, datacenter) {
                    (true, None) => {
                        for d in [true, false] {
                            let mut k = Candidate::ac(t, Some(d));
                            k.eccn = eccn.to_owned();
                            c.push_candidate(k);
                        }
                        c.missing.push(Missing::new(
                            format!("{prefix}.datacenter"),
                            "whether the item is designed or marketed for datacenters decides NAC/ACA eligibility for .a items",
                        ));
                    }
                    _ => {
                        let mut k = Candidate::ac(
                            t,
                            if needs_dc { datacenter } else { datacenter.or(Some(true)) },
                        );
                        k.eccn = eccn.to_owned();
                        c.push_candidate(k);
                    }
                }
            }
        }
    }
    c.finish();
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn spec(fp16: f64, area: Option<f64>, dc: Option<bool>) -> ChipSpec {
        ChipSpec {
            tops: BTreeMap::from([("fp16".to_owned(), fp16)]),
            die_area_mm2: area,
            datacenter: dc,
            process_nm: Some(5.0),
            ..ChipSpec::default()
        }
    }

    #[test]
    fn tpp_picks_highest_precision() {
        let r = RuleSet::bundled().unwrap();
        let s = ChipSpec {
            tops: BTreeMap::from([("fp8".to_owned(), 1835.0), ("bf16".to_owned(), 1835.0)]),
            datacenter: Some(true),
            ..ChipSpec::default()
        };
        let c = classify_chip(&r, &s, d("2024-06-01"), "chip");
        assert_eq!(c.tpp, Some(29360.0));
        assert_eq!(c.winning_precision.as_deref(), Some("bf16"));
        assert_eq!(c.eccn, "3A090.a");
    }

    #[test]
    fn edges() {
        let r = RuleSet::bundled().unwrap();
        let day = d("2024-06-01");
        // exactly 4800 -> .a.1
        assert_eq!(classify_chip(&r, &spec(300.0, None, Some(true)), day, "c").eccn, "3A090.a");
        // 4799.84 with tiny density -> not
        assert_eq!(
            classify_chip(&r, &spec(299.99, Some(10000.0), Some(true)), day, "c").eccn,
            "not 3A090"
        );
        // TPP exactly 1600 with PD >= 5.92 -> .a.2; just below 1600 -> not 3A090
        assert_eq!(
            classify_chip(&r, &spec(100.0, Some(270.0), Some(true)), day, "c").paragraph.as_deref(),
            Some("3A090.a.2")
        );
        assert_eq!(
            classify_chip(&r, &spec(99.99, Some(100.0), Some(true)), day, "c").eccn,
            "not 3A090"
        );
        // TPP 1600 with PD just under 5.92 -> .b.2
        assert_eq!(
            classify_chip(&r, &spec(100.0, Some(271.0), Some(true)), day, "c").eccn,
            "3A090.b"
        );
        // TPP 2400 (fp16 150) with PD exactly 1.6 (area 1500) -> .b.1
        assert_eq!(
            classify_chip(&r, &spec(150.0, Some(1500.0), Some(true)), day, "c").eccn,
            "3A090.b"
        );
        // TPP 2399.84 with PD 1.6 -> not (b.1 needs 2400, b.2 needs 3.2)
        assert_eq!(
            classify_chip(&r, &spec(149.99, Some(1499.9), Some(true)), day, "c").eccn,
            "not 3A090"
        );
        // TPP 1600, PD exactly 3.2 (area 500) -> .b.2
        assert_eq!(
            classify_chip(&r, &spec(100.0, Some(500.0), Some(true)), day, "c").eccn,
            "3A090.b"
        );
        // Note 2: non-datacenter below 4800 -> not 3A090 even at high PD
        assert_eq!(
            classify_chip(&r, &spec(290.0, Some(100.0), Some(false)), day, "c").eccn,
            "not 3A090"
        );
    }

    #[test]
    fn density_592_is_exact() {
        let r = RuleSet::bundled().unwrap();
        // TPP 5920 would be .a.1; use TPP 2960 (fp16 185) with area 500 -> PD 5.92 exactly.
        let c = classify_chip(&r, &spec(185.0, Some(500.0), Some(true)), d("2024-06-01"), "c");
        assert_eq!(c.paragraph.as_deref(), Some("3A090.a.2"));
        let c = classify_chip(&r, &spec(185.0, Some(500.01), Some(true)), d("2024-06-01"), "c");
        assert_eq!(c.eccn, "3A090.b");
    }

    #[test]
    fn missing_area_only_matters_between_1600_and_4800() {
        let r = RuleSet::bundled().unwrap();
        let c = classify_chip(&r, &spec(100.0, None, Some(true)), d("2024-06-01"), "items[0].chip");
        assert!(c.missing.iter().any(|m| m.field == "items[0].chip.die_area_mm2"));
        assert_eq!(c.candidates.len(), 3);
        let c = classify_chip(&r, &spec(400.0, None, Some(true)), d("2024-06-01"), "items[0].chip");
        assert!(c.missing.is_empty());
        let c = classify_chip(&r, &spec(50.0, None, Some(true)), d("2024-06-01"), "items[0].chip");
        assert!(c.missing.is_empty());
    }

    #[test]
    fn hbm_edges() {
        let r = RuleSet::bundled().unwrap();
        let h = |bw: f64, a: f64| HbmSpec {
            bandwidth_gbps: Some(bw),
            area_mm2: Some(a),
            ..HbmSpec::default()
        };
        assert_eq!(classify_hbm(&r, &h(200.0, 100.0), d("2025-01-01"), "h").eccn, "not 3A090");
        assert_eq!(classify_hbm(&r, &h(200.1, 100.0), d("2025-01-01"), "h").eccn, "3A090.c");
        assert_eq!(classify_hbm(&r, &h(1229.0, 110.0), d("2024-12-01"), "h").eccn, "not 3A090");
    }

    #[test]
    fn legacy_needs_interconnect_only_above_4800() {
        let r = RuleSet::bundled().unwrap();
        let mut s = spec(400.0, None, None);
        let c = classify_chip(&r, &s, d("2023-01-01"), "chip");
        assert!(c.missing.iter().any(|m| m.field == "chip.interconnect_gbps"));
        s.interconnect_gbps = Some(600.0);
        assert_eq!(classify_chip(&r, &s, d("2023-01-01"), "chip").eccn, "3A090");
        s.interconnect_gbps = Some(599.0);
        assert_eq!(classify_chip(&r, &s, d("2023-01-01"), "chip").eccn, "not 3A090");
        s.tops.insert("fp16".into(), 299.0);
        s.interconnect_gbps = None;
        assert!(classify_chip(&r, &s, d("2023-01-01"), "chip").missing.is_empty());
    }
}
