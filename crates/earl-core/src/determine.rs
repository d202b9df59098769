//! The licence determination: classify items, screen parties, apply the dated rules,
//! combine.
//!
//! Facts that are unknown are carried as [`Tri::Unknown`]; an item whose classification is
//! undetermined is evaluated once per possible classification and the outcomes compared.
//! A missing fact is reported only when it could change the verdict, the exception or the
//! notification; where it only changes the review policy, the strictest policy is shown
//! and a reason says what would change it.

use crate::catalog::{Catalog, CatalogChip};
use crate::classify::{self, Candidate, Classification, Missing, Tier};
use crate::dec::Dec;
use crate::input::{ChipSpec, ExporterKind, HbmSpec, PackagedBy, Role, Transaction};
use crate::output::{
    DataVersions, Determination, Effect, HitResult, ItemResult, PartyResult, Reason, Verdict,
};
use crate::rules::{Evidence, ItemScope, Policy, RuleSet};
use crate::screen::{PartyHit, PartyScreener};
use earl_lists::ListKind;
use jiff::civil::Date;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Unknown,
        }
    }

    fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }
}

/// Non-alerting candidates shown per party (they never change the answer).
const NEAR_MISSES: usize = 3;

/// Combined SHA-256 over the rule files and the catalog (hex).
pub fn data_sha256(rules: &RuleSet, catalog: &Catalog) -> String {
    let mut h = Sha256::new();
    h.update(b"rules:");
    h.update(rules.sha256.as_bytes());
    h.update(b"\ncatalog:");
    h.update(catalog.sha256.as_bytes());
    hex::encode(h.finalize())
}

fn mk_reason(
    rules: &RuleSet,
    id: &str,
    effect: Effect,
    explanation: impl Into<String>,
    facts: Value,
    extra: &[Evidence],
) -> Reason {
    let (citation, source, mut evidence) = match rules.meta(id) {
        Some(m) => (m.citation.clone(), m.source.clone(), m.evidence),
        None => ("(unknown rule)".to_owned(), "(unknown)".to_owned(), Evidence::U),
    };
    for e in extra {
        if *e > evidence {
            evidence = *e;
        }
    }
    Reason {
        rule: id.to_owned(),
        citation,
        source,
        explanation: explanation.into(),
        facts,
        verified: evidence.verified(),
        evidence,
        effect,
        item: None,
        party: None,
    }
}

fn norm_country(c: &Option<String>) -> Option<String> {
    c.as_ref().map(|c| if c == "HK" { "CN".to_owned() } else { c.clone() })
}

struct PartyInfo {
    role: Option<Role>,
    country: Option<String>,
    hq: Option<String>,
    parent: Option<String>,
    d5: Tri,
    evidence: Evidence,
}

struct HqFacts {
    d5: Tri,
    d5_parties: Vec<usize>,
    missing: Vec<Missing>,
    /// An end user headquartered in the US or A:5/A:6 (parent not Macau/D:5) and no
    /// Macau/D:5-headquartered party.
    poa_end_user: bool,
    /// A Macau/D:5-headquartered party located outside Macau/D:5.
    d5_outside: bool,
    evidence: Evidence,
}

struct CountedHit<'h> {
    party: usize,
    hit: &'h PartyHit,
}

struct ItemInfo<'a> {
    index: usize,
    input: &'static str,
    product: Option<&'a CatalogChip>,
    spec: Option<ChipSpec>,
    hbm: Option<HbmSpec>,
    class: Classification,
    presumed: bool,
    tpp: Option<Dec>,
    pre_reasons: Vec<Reason>,
    prefix: String,
}

#[derive(Clone)]
struct Req {
    state: Tri,
    /// Overcome by NAC/ACA/HBM (742.6 destination or 744.23(a)(3) headquarters rule).
    overcomable: bool,
    policy: Option<Policy>,
    policy_reason: Option<Reason>,
    reason: Reason,
    missing: Vec<Missing>,
}

#[derive(Clone)]
struct ExcEval {
    state: Tri,
    name: String,
    notify: bool,
    days: u32,
    reasons: Vec<Reason>,
    missing: Vec<Missing>,
}

#[derive(Clone)]
struct Outcome {
    verdict: Verdict,
    exception: Option<(String, bool, u32)>,
    policy: Option<Policy>,
    missing: Vec<Missing>,
    reasons: Vec<Reason>,
}

struct Engine<'a> {
    tx: &'a Transaction,
    rules: &'a RuleSet,
    date: Date,
    dest: String,
    parties: Vec<PartyInfo>,
    hq: HqFacts,
    hits: Vec<(usize, Vec<PartyHit>)>,
}

/// Decide a transaction. Pure: all data comes from the arguments.
pub fn check(
    tx: &Transaction,
    rules: &RuleSet,
    catalog: &Catalog,
    screener: &dyn PartyScreener,
) -> Determination {
    let date = tx.date;
    let dest = if tx.destination == "HK" { "CN".to_owned() } else { tx.destination.clone() };
    let mut reasons: Vec<Reason> = Vec::new();

    // Framing reasons.
    if date > rules.data_as_of {
        reasons.push(mk_reason(
            rules,
            "general.future_date",
            Effect::Warning,
            format!("the rules bundled with earl were researched up to {}; changes after that date are not modelled", rules.data_as_of),
            json!({"date": date.to_string(), "rules_as_of": rules.data_as_of.to_string()}),
            &[],
        ));
    }
    let hk_used = tx.destination == "HK"
        || tx.parties.iter().any(|p| {
            [&p.country, &p.headquarters, &p.parent_headquarters]
                .iter()
                .any(|c| c.as_deref() == Some("HK"))
        });
    if hk_used && rules.meta("general.hong_kong_is_china").is_some_and(|m| m.in_force(date)) {
        reasons.push(mk_reason(
            rules,
            "general.hong_kong_is_china",
            Effect::Info,
            "Hong Kong is treated as China (CN) for destination and headquarters tests",
            json!({"given": "HK", "treated_as": "CN"}),
            &[],
        ));
    }

    let mut engine = Engine::new(tx, rules, dest.clone());
    let party_results = engine.screen(screener, &mut reasons);

    let mut items_info: Vec<ItemInfo<'_>> = tx
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| engine.classify_item(i, item, catalog))
        .collect();

    let mut item_results = Vec::new();
    let mut missing_all: Vec<Missing> = Vec::new();
    let mut policies: Vec<Policy> = Vec::new();
    let mut exceptions: Vec<String> = Vec::new();
    let mut notify_days: Option<u32> = None;
    let mut verdict = Verdict::NoLicenseRequired;

    for info in &mut items_info {
        let outcome = if dest == "US" { engine.domestic(info) } else { engine.evaluate_item(info) };
        reasons.append(&mut info.pre_reasons);
        let mut o = outcome;
        for r in &mut o.reasons {
            if r.item.is_none() {
                r.item = Some(info.index);
            }
        }
        push_unique(&mut reasons, std::mem::take(&mut o.reasons));
        verdict = verdict.max(o.verdict);
        if matches!(o.verdict, Verdict::LicenseRequired | Verdict::NeedsInformation)
            && let Some(p) = o.policy
        {
            policies.push(p);
        }
        if let Some((name, notify, days)) = &o.exception
            && o.verdict == Verdict::LicenseException
        {
            if !exceptions.contains(name) {
                exceptions.push(name.clone());
            }
            if *notify {
                notify_days = Some(notify_days.unwrap_or(0).max(*days));
            }
        }
        for m in &o.missing {
            if !missing_all.contains(m) {
                missing_all.push(m.clone());
            }
        }
        item_results.push(item_result(info, &o));
    }

    // Party-level requirements apply to every item; an item list is never empty, but keep
    // the verdict honest if it were.
    // A review policy only describes a licence that is certainly required; while facts are
    // missing the reasons say which policy would apply.
    let review_policy =
        if verdict == Verdict::LicenseRequired { policies.iter().copied().max() } else { None };
    exceptions.sort_by_key(|e| match e.as_str() {
        "NAC" => 0,
        "ACA" => 1,
        _ => 2,
    });
    let license_exception =
        if verdict == Verdict::LicenseException { exceptions.first().cloned() } else { None };

    if verdict == Verdict::NoLicenseRequired
        && !reasons.iter().any(|r| r.effect == Effect::NotApplicable)
        && dest != "US"
    {
        reasons.push(mk_reason(
            rules,
            "general.coverage",
            Effect::NotApplicable,
            "no advanced-computing rule applies on this date",
            json!({"date": date.to_string()}),
            &[],
        ));
    }
    let combined = data_sha256(rules, catalog);
    let data = DataVersions {
        rules_version: format!("{}+{}", rules.label, combined.get(..12).unwrap_or("")),
        rules_sha256: combined,
        rule_files_sha256: rules.sha256.clone(),
        catalog_sha256: catalog.sha256.clone(),
        rules_as_of: rules.data_as_of,
        lists: screener.lists(),
    };
    missing_all.sort();
    Determination {
        verdict,
        license_exception,
        notification_required: notify_days.is_some(),
        notification_days: notify_days,
        license_exceptions: exceptions,
        review_policy,
        date,
        destination: dest,
        items: item_results,
        parties: party_results,
        missing: missing_all.iter().map(|m| m.field.clone()).collect(),
        missing_facts: missing_all,
        reasons,
        data,
    }
}

fn push_unique(into: &mut Vec<Reason>, from: Vec<Reason>) {
    for r in from {
        if !into.iter().any(|x| {
            x.rule == r.rule
                && x.item == r.item
                && x.party == r.party
                && x.explanation == r.explanation
        }) {
            into.push(r);
        }
    }
}

fn item_result(info: &ItemInfo<'_>, o: &Outcome) -> ItemResult {
    let c = &info.class;
    let datacenter = if c
        .candidates
        .iter()
        .all(|k| k.datacenter == c.candidates.first().and_then(|f| f.datacenter))
    {
        c.candidates.first().and_then(|f| f.datacenter)
    } else {
        None
    }
    .or(info.spec.as_ref().and_then(|s| s.datacenter));
    ItemResult {
        index: info.index,
        input: info.input.to_owned(),
        product: info.product.map(|p| p.id.clone()),
        name: info.product.map(|p| p.name.clone()),
        eccn: c.eccn.clone(),
        paragraph: c.paragraph.clone(),
        tpp: c.tpp,
        performance_density: c.performance_density,
        applicable_die_area_mm2: c.applicable_die_area_mm2,
        winning_precision: c.winning_precision.clone(),
        tpp_terms: c.tpp_terms.clone(),
        memory_bandwidth_density: c.memory_bandwidth_density,
        datacenter,
        presumed: info.presumed,
        steps: c.steps.clone(),
        verdict: o.verdict,
        license_exception: if o.verdict == Verdict::LicenseException {
            o.exception.as_ref().map(|e| e.0.clone())
        } else {
            None
        },
        notification_required: o.verdict == Verdict::LicenseException
            && o.exception.as_ref().is_some_and(|e| e.1),
        review_policy: if o.verdict == Verdict::LicenseRequired { o.policy } else { None },
        missing: o.missing.iter().map(|m| m.field.clone()).collect(),
        verified: c.verified,
    }
}

impl<'a> Engine<'a> {
    fn new(tx: &'a Transaction, rules: &'a RuleSet, dest: String) -> Engine<'a> {
        let date = tx.date;
        let parties: Vec<PartyInfo> = tx
            .parties
            .iter()
            .map(|p| {
                let hq = norm_country(&p.headquarters);
                let parent = norm_country(&p.parent_headquarters);
                let mut evidence = Evidence::I;
                let mut is_d5 = |c: &str| {
                    if let Some(m) = rules.membership(c, "D:5", date)
                        && m.meta.evidence > evidence
                    {
                        evidence = m.meta.evidence;
                    }
                    rules.macau_or_d5(c, date)
                };
                let parent_d5 = parent.as_deref().map(&mut is_d5);
                let d5 = match (hq.as_deref().map(&mut is_d5), parent_d5) {
                    (Some(true), _) | (_, Some(true)) => Tri::Yes,
                    (Some(false), _) => Tri::No,
                    (None, _) => Tri::Unknown,
                };
                PartyInfo {
                    role: p.role,
                    country: norm_country(&p.country),
                    hq,
                    parent,
                    d5,
                    evidence,
                }
            })
            .collect();
        let mut missing = Vec::new();
        let mut d5_parties = Vec::new();
        let mut any_unknown = false;
        let mut evidence = Evidence::I;
        for (i, p) in parties.iter().enumerate() {
            match p.d5 {
                Tri::Yes => d5_parties.push(i),
                Tri::Unknown => {
                    any_unknown = true;
                    missing.push(Missing::new(
                        format!("parties[{i}].headquarters"),
                        "whether a party is headquartered (or has its ultimate parent headquartered) in Macau or Country Group D:5 decides the headquarters-based requirement and NAC vs ACA",
                    ));
                }
                Tri::No => {}
            }
            if p.evidence > evidence {
                evidence = p.evidence;
            }
        }
        if parties.is_empty() {
            missing.push(Missing::new(
                "parties",
                "no parties given: the headquarters of the end user (and of any other party) decides the headquarters-based requirement and NAC vs ACA",
            ));
        }
        let d5 = if !d5_parties.is_empty() {
            Tri::Yes
        } else if any_unknown || parties.is_empty() {
            Tri::Unknown
        } else {
            Tri::No
        };
        let us_a56 =
            |c: &str| c == "US" || rules.in_group(c, "A:5", date) || rules.in_group(c, "A:6", date);
        let poa_end_user = d5 == Tri::No
            && parties.iter().any(|p| {
                p.role == Some(Role::EndUser)
                    && p.hq.as_deref().is_some_and(us_a56)
                    && !p.parent.as_deref().is_some_and(|c| rules.macau_or_d5(c, date))
            });
        let d5_outside = d5_parties.iter().any(|i| {
            parties
                .get(*i)
                .is_some_and(|p| p.country.as_deref().is_some_and(|c| !rules.macau_or_d5(c, date)))
        });
        let hq = HqFacts { d5, d5_parties, missing, poa_end_user, d5_outside, evidence };
        Engine { tx, rules, date, dest, parties, hq, hits: Vec::new() }
    }

    fn reason(
        &self,
        id: &str,
        effect: Effect,
        explanation: impl Into<String>,
        facts: Value,
        extra: &[Evidence],
    ) -> Reason {
        mk_reason(self.rules, id, effect, explanation, facts, extra)
    }

    fn in_force(&self, id: &str) -> bool {
        self.rules.meta(id).is_some_and(|m| m.in_force(self.date))
    }

    // ---------------------------------------------------------------- parties

    fn screen(
        &mut self,
        screener: &dyn PartyScreener,
        reasons: &mut Vec<Reason>,
    ) -> Vec<PartyResult> {
        let mut out = Vec::new();
        let mut screened = 0usize;
        for (i, p) in self.tx.parties.iter().enumerate() {
            let info = self.parties.get(i);
            let mut hits_out = Vec::new();
            let mut counted = Vec::new();
            if let Some(name) = &p.name {
                screened += 1;
                for hit in screener.screen_party(name, p.country.as_deref(), self.date) {
                    let why_not = if !hit.alert {
                        Some("below the screener's alert threshold".to_owned())
                    } else if !hit.entry.in_force_on(self.date) {
                        Some(match (hit.entry.listed_on, hit.entry.delisted_on) {
                            (Some(l), _) if l > self.date => {
                                format!("listed on {l}, after the transaction date")
                            }
                            (_, Some(d)) => format!("removed on {d}"),
                            _ => "not in force on the transaction date".to_owned(),
                        })
                    } else {
                        None
                    };
                    hits_out.push(HitResult {
                        list: hit.list.to_string(),
                        kind: hit.kind,
                        name: hit.entry.name.clone(),
                        matched_name: hit.matched_name.clone(),
                        entry_id: hit.entry.id.clone(),
                        country: hit.entry.country.clone(),
                        listed_on: hit.entry.listed_on,
                        delisted_on: hit.entry.delisted_on,
                        score: hit.score,
                        alert: hit.alert,
                        counted: why_not.is_none(),
                        not_counted_because: why_not.clone(),
                        federal_register: hit
                            .entry
                            .federal_register
                            .iter()
                            .map(|f| f.cite.clone())
                            .collect(),
                        license_requirement: hit.entry.license_requirement.clone(),
                        license_policy: hit.entry.license_policy.clone(),
                        footnotes: hit.entry.footnotes.clone(),
                        explanation: hit.explanation.clone(),
                    });
                    if let Some(w) = why_not {
                        if hit.alert {
                            let mut r = self.reason(
                                list_rule_id(hit.kind),
                                Effect::Info,
                                format!("`{}` matches {} entry `{}`, but it is not applied: {w}", name, hit.list, hit.entry.name),
                                json!({"party": i, "entry": hit.entry.id, "listed_on": hit.entry.listed_on.map(|d| d.to_string()), "delisted_on": hit.entry.delisted_on.map(|d| d.to_string())}),
                                &[],
                            );
                            r.party = Some(i);
                            reasons.push(r);
                        }
                    } else {
                        counted.push(hit);
                    }
                }
            }
            out.push(PartyResult {
                index: i,
                role: p.role,
                name: p.name.clone(),
                country: info.and_then(|x| x.country.clone()),
                headquarters: info.and_then(|x| x.hq.clone()),
                parent_headquarters: info.and_then(|x| x.parent.clone()),
                macau_or_d5_headquartered: match info.map(|x| x.d5) {
                    Some(Tri::Yes) => Some(true),
                    Some(Tri::No) => Some(false),
                    _ => None,
                },
                near_misses: hits_out
                    .iter()
                    .filter(|h| !h.alert)
                    .take(NEAR_MISSES)
                    .cloned()
                    .collect(),
                hits: hits_out.into_iter().filter(|h| h.alert).collect(),
            });
            self.hits.push((i, counted));
        }
        // Party-level reasons (once each).
        for (pi, hits) in &self.hits {
            for hit in hits {
                reasons.extend(self.party_hit_reasons(*pi, hit));
            }
        }
        let lists = screener.lists();
        if self.tx.parties.is_empty() {
            // Nothing to screen; the headquarters facts report the gap where it matters.
        } else if lists.is_empty() {
            reasons.push(self.reason(
                "general.screening",
                Effect::Warning,
                "no restricted-party lists were available to the screener: parties were NOT screened",
                json!({"parties": self.tx.parties.len()}),
                &[],
            ));
        } else if self.hits.iter().all(|(_, h)| h.is_empty()) {
            let names: Vec<String> = lists.iter().map(|l| l.list.to_string()).collect();
            reasons.push(self.reason(
                "general.screening",
                Effect::NotApplicable,
                format!(
                    "{screened} named part{} screened against {}: no alerting hit in force on {}",
                    if screened == 1 { "y" } else { "ies" },
                    names.join(", "),
                    self.date
                ),
                json!({"screened": screened, "lists": names}),
                &[],
            ));
        }
        out
    }

    fn party_hit_reasons(&self, party: usize, hit: &PartyHit) -> Vec<Reason> {
        let e = &hit.entry;
        let fr: Vec<String> = e.federal_register.iter().map(|f| f.cite.clone()).collect();
        let facts = json!({
            "party": party,
            "list": hit.list.to_string(),
            "entry": e.name,
            "entry_id": e.id,
            "matched_name": hit.matched_name,
            "listed_on": e.listed_on.map(|d| d.to_string()),
            "federal_register": fr,
            "license_requirement": e.license_requirement,
            "license_policy": e.license_policy,
            "footnotes": e.footnotes,
        });
        let mut out = Vec::new();
        let listed = e
            .listed_on
            .map(|d| format!(" (listed {d})"))
            .unwrap_or_else(|| " (listing date not in the data; treated as in force)".into());
        let us = self.dest == "US";
        match hit.kind {
            ListKind::EntityList => {
                let text = if us {
                    format!("`{}` is on the Entity List{listed}; the destination is the United States, so this is not an export, but any export, reexport or transfer to this party needs a licence ({})", e.name, fr.join("; "))
                } else {
                    format!(
                        "`{}` is on the Entity List{listed}: licence required for all items subject to the EAR ({}); licence exceptions are not available (744.11){}",
                        e.name,
                        e.license_requirement.as_deref().unwrap_or("requirement column not in the data: all items assumed"),
                        if fr.is_empty() { String::new() } else { format!("; FR: {}", fr.join("; ")) }
                    )
                };
                out.push(self.reason("parties.entity_list", if us { Effect::Warning } else { Effect::LicenseRequired }, text, facts.clone(), &[]));
                let fdp: Vec<&u8> = e.footnotes.iter().filter(|f| [1u8, 3, 4, 5].contains(f)).collect();
                if !fdp.is_empty() && self.in_force("parties.entity_list.fdp") {
                    let paras: Vec<String> = fdp
                        .iter()
                        .map(|f| match f {
                            1 => "footnote 1: 734.9(e)(1), 744.11(a)(2)(i)".to_owned(),
                            3 => "footnote 3: 734.9(g)".to_owned(),
                            4 => "footnote 4: 734.9(e)(2), 744.11(a)(2)(iv)".to_owned(),
                            _ => "footnote 5: 734.9(e)(3), 744.11(a)(2)(v); excluded from 744.23(a)(2)(i)-(ii)".to_owned(),
                        })
                        .collect();
                    out.push(self.reason(
                        "parties.entity_list.fdp",
                        Effect::Warning,
                        format!("`{}` carries Entity List {}: foreign-produced items made with listed US technology or software are also subject to the EAR when this entity is a party", e.name, paras.join("; ")),
                        facts.clone(),
                        &[],
                    ));
                }
            }
            ListKind::DeniedPersons => out.push(self.reason(
                "parties.denied_persons",
                Effect::LicenseRequired,
                format!("`{}` is on the Denied Persons List{listed}: the transaction is PROHIBITED by the denial order (15 CFR 764.3)", e.name),
                facts,
                &[],
            )),
            ListKind::OfacSdn => out.push(self.reason(
                "parties.ofac_sdn",
                Effect::LicenseRequired,
                format!("`{}` is an OFAC Specially Designated National{listed}: its property is blocked and dealings are prohibited without an OFAC licence (31 CFR Chapter V); this is a sanctions block, not an EAR licence", e.name),
                facts,
                &[],
            )),
            ListKind::MilitaryEndUser => out.push(self.reason(
                "parties.meu",
                if us { Effect::Warning } else { Effect::LicenseRequired },
                format!("`{}` is on the Military End-User List{listed}: licence required for items in Supplement No. 2 to Part 744 (744.21); EAR99 items are outside that list", e.name),
                facts,
                &[],
            )),
            ListKind::Unverified => out.push(self.reason(
                "parties.unverified",
                Effect::ExceptionUnavailable,
                format!("`{}` is on the Unverified List{listed}: licence exceptions are unavailable and a UVL statement is required", e.name),
                facts,
                &[],
            )),
            _ => out.push(self.reason(
                "parties.other",
                Effect::Warning,
                format!("`{}` matches `{}` on {} (informational: no EAR licence requirement in earl)", e.name, hit.matched_name, hit.list),
                facts,
                &[],
            )),
        }
        for r in &mut out {
            r.party = Some(party);
        }
        out
    }

    fn counted(&self) -> impl Iterator<Item = CountedHit<'_>> {
        self.hits
            .iter()
            .flat_map(|(p, hs)| hs.iter().map(move |h| CountedHit { party: *p, hit: h }))
    }

    // ---------------------------------------------------------------- classification

    fn classify_item(
        &self,
        index: usize,
        item: &crate::input::Item,
        catalog: &'a Catalog,
    ) -> ItemInfo<'a> {
        let mut info = self.classify_item_inner(index, item, catalog);
        let class = &info.class;
        // The deciding rule: the threshold vintage (or the given ECCN); the other rules the
        // classification used (Note 2, planar inference, interpretations) get their own
        // reason so they are cited and their evidence is visible.
        let main = class
            .rules
            .iter()
            .find(|r| r.starts_with("thresholds_3a090.") && r.as_str() != "thresholds_3a090.note2")
            .or_else(|| {
                class.rules.iter().find(|r| {
                    r.as_str() == "classification.given_eccn" || r.as_str() == "general.coverage"
                })
            })
            .or_else(|| class.rules.first())
            .cloned()
            .unwrap_or_else(|| "general.coverage".to_owned());
        let mut reasons = vec![self.reason(
            &main,
            Effect::Info,
            format!(
                "classified as {}{}",
                class.eccn,
                class.paragraph.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
            ),
            json!({
                "tpp": class.tpp,
                "winning_precision": class.winning_precision,
                "performance_density": class.performance_density,
                "applicable_die_area_mm2": class.applicable_die_area_mm2,
                "memory_bandwidth_density": class.memory_bandwidth_density,
                "steps": class.steps,
                "rules": class.rules,
            }),
            &[class.evidence],
        )];
        for id in &class.rules {
            if *id == main
                || id == "classification.tpp"
                || id == "classification.performance_density"
            {
                continue;
            }
            if let Some(m) = self.rules.meta(id) {
                reasons.push(self.reason(
                    id,
                    Effect::Info,
                    format!("classification used: {}", m.note),
                    json!({}),
                    &[],
                ));
            }
        }
        for r in &mut reasons {
            r.item = Some(index);
        }
        reasons.append(&mut info.pre_reasons);
        info.pre_reasons = reasons;
        info
    }

    fn classify_item_inner(
        &self,
        index: usize,
        item: &crate::input::Item,
        catalog: &'a Catalog,
    ) -> ItemInfo<'a> {
        let rules = self.rules;
        let date = self.date;
        let product = item.product.as_deref().and_then(|p| catalog.get(p));
        if let Some(h) = &item.hbm {
            let class = classify::classify_hbm(rules, h, date, &format!("items[{index}].hbm"));
            return ItemInfo {
                index,
                input: "hbm",
                product: None,
                spec: None,
                hbm: Some(h.clone()),
                class,
                presumed: false,
                tpp: None,
                pre_reasons: Vec::new(),
                prefix: format!("items[{index}].hbm"),
            };
        }
        let spec = match (product, &item.chip) {
            (Some(p), Some(over)) => Some(p.spec.overlaid(over)),
            (Some(p), None) => Some(p.spec.clone()),
            (None, Some(c)) => Some(c.clone()),
            (None, None) => None,
        };
        let prefix = format!("items[{index}].chip");
        let Some(spec) = spec else {
            let eccn = item.eccn.clone().unwrap_or_else(|| "EAR99".into());
            let class = classify::classify_eccn(
                rules,
                &eccn,
                item.datacenter,
                date,
                &format!("items[{index}]"),
            );
            return ItemInfo {
                index,
                input: "eccn",
                product: None,
                spec: None,
                hbm: None,
                class,
                presumed: false,
                tpp: None,
                pre_reasons: Vec::new(),
                prefix: format!("items[{index}]"),
            };
        };
        let mut class = classify::classify_chip(rules, &spec, date, &prefix);
        let tpp = crate::input::tpp_of(&spec.tops);
        let mut pre = Vec::new();
        // Weaken by the provenance of catalog facts the result used (user overrides win).
        if let Some(p) = product {
            let over = item.chip.as_ref();
            let from_catalog = |f: &str| match over {
                None => true,
                Some(o) => match f {
                    "tops" => o.tops.is_empty(),
                    "die_area_mm2" => o.die_area_mm2.is_none(),
                    "interconnect_gbps" => o.interconnect_gbps.is_none(),
                    "datacenter" => o.datacenter.is_none(),
                    _ => true,
                },
            };
            let mut used = vec!["tops", "datacenter"];
            if class.performance_density.is_some() && tpp.is_some_and(|t| t.lt(Dec::from_int(4800)))
            {
                used.push("die_area_mm2");
            }
            if class.steps.iter().any(|s| s.contains("I/O")) {
                used.push("interconnect_gbps");
            }
            for f in used {
                if from_catalog(f)
                    && let Some(e) = p.evidence(f)
                {
                    class.weaken(e);
                }
            }
            if class.tpp_terms.is_empty() {
                class.missing.retain(|m| !m.field.ends_with(".tops"));
                class.missing.push(Missing::new(
                    format!("{prefix}.tops"),
                    format!("the catalog has no dense performance figures for {}; give them under items[{index}].chip (they override the catalog)", p.id),
                ));
            }
            if let Some(n) = &p.note {
                pre.push(self.reason(
                    "classification.given_eccn",
                    Effect::Warning,
                    format!("{}: {n}", p.name),
                    json!({"product": p.id}),
                    &[],
                ));
            }
        }
        // A user ECCN for a chip counts only where the chip is not 3A090.
        if let Some(e) = &item.eccn {
            for c in &mut class.candidates {
                if c.tier.is_none() {
                    c.other_eccn = Some(e.clone());
                }
            }
            if class.candidates.iter().any(|c| c.tier.is_some())
                && classify::tier_of_eccn(e, date, rules).is_none()
            {
                pre.push(self.reason(
                    "classification.given_eccn",
                    Effect::Warning,
                    format!("the given ECCN {e} is used only if the chip is not 3A090; its specifications point to {}", class.eccn),
                    json!({"given_eccn": e, "classified": class.eccn}),
                    &[],
                ));
            }
        }
        let mut presumed = false;
        self.foundry(index, &spec, &mut class, &mut pre, &mut presumed, &prefix);
        class.finish();
        if presumed && class.is_determined() {
            class.eccn = "3A090.a".into();
            class.paragraph = Some("Note 1 to 3A090.a (foundry presumption)".into());
        }
        for r in &mut pre {
            r.item = Some(index);
        }
        ItemInfo {
            index,
            input: if product.is_some() { "product" } else { "chip" },
            product,
            spec: Some(spec),
            hbm: None,
            class,
            presumed,
            tpp,
            pre_reasons: pre,
            prefix,
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "the three ways to overcome Note 1 read best in one place"
    )]
    fn foundry(
        &self,
        index: usize,
        spec: &ChipSpec,
        class: &mut Classification,
        pre: &mut Vec<Reason>,
        presumed: &mut bool,
        prefix: &str,
    ) {
        let rules = self.rules;
        let date = self.date;
        let kind = self.tx.exporter.as_ref().and_then(|e| e.kind);
        if !matches!(kind, Some(ExporterKind::FrontEndFabricator | ExporterKind::Osat)) {
            return;
        }
        let Some(p) = rules.foundry(date) else { return };
        if date < p.compliance {
            pre.push(self.reason(
                &p.meta.id,
                Effect::Info,
                format!("the foundry/OSAT presumption is effective from {} but compliance is required only from {}; not applied", p.meta.effective, p.compliance),
                json!({"effective": p.meta.effective.to_string(), "compliance": p.compliance.to_string()}),
                &[],
            ));
            return;
        }
        let node = spec.process_nm.and_then(Dec::from_f64);
        let applicable = match (node, spec.planar) {
            (Some(n), _) if !n.gt(p.max_process_nm) => Tri::Yes,
            (_, Some(false)) => Tri::Yes,
            (Some(_), Some(true)) => Tri::No,
            _ => Tri::Unknown,
        };
        let facts = json!({
            "exporter_kind": kind,
            "process_nm": spec.process_nm,
            "planar": spec.planar,
            "transistors_billion": spec.transistors_billion,
            "hbm": spec.hbm,
            "packaged_by": spec.packaged_by,
            "packaging_country": spec.packaging_country,
            "attested_transistors": spec.attested_transistors,
            "designer_approved": spec.designer_approved,
            "osat_approved": spec.osat_approved,
        });
        if applicable == Tri::No {
            pre.push(self.reason(
                &p.meta.id,
                Effect::NotApplicable,
                format!("exporter is a front-end fabricator/OSAT, but the IC is not an applicable advanced logic IC (process above {} nm and planar)", p.max_process_nm),
                facts,
                &[],
            ));
            return;
        }
        // Way (a): approved designer's attested TPP/PD show it is not 3A090.a.
        let normal_not_a = class.is_determined()
            && class.missing.is_empty()
            && class.candidates.iter().all(|c| c.tier != Some(Tier::A));
        let mut failures: Vec<String> = Vec::new();
        let mut overcome: Option<String> = None;
        match spec.designer_approved {
            Some(true) if normal_not_a => {
                overcome = Some(format!("(a) the approved/authorized IC designer's attested TPP/PD show {}", class.eccn));
            }
            Some(true) => failures.push(format!(
                "(a) the designer is approved, but the attested specifications do not show the IC is outside 3A090.a (result: {})",
                class.eccn
            )),
            _ => failures.push("(a) no approved or authorized IC designer attestation (designer_approved is not true)".into()),
        }
        if overcome.is_none() {
            // Ways (b) and (c): transistor-count attestation by the packager.
            let packager_ok = match spec.packaged_by {
                Some(PackagedBy::FrontEndFabricator) => {
                    match spec.packaging_country.as_deref() {
                        Some(c) if rules.macau_or_d5(if c == "HK" { "CN" } else { c }, date) => {
                            failures.push(format!("(b) packaged by the front-end fabricator in {c}, which is Macau or D:5"));
                            None
                        }
                        Some(c) => Some(format!(
                            "(b) packaged by the front-end fabricator in {c} (outside Macau and D:5)"
                        )),
                        None => {
                            failures.push("(b) packaged by the front-end fabricator, but the packaging country is not given".into());
                            None
                        }
                    }
                }
                Some(PackagedBy::Osat) => {
                    if spec.osat_approved == Some(true) {
                        Some("(c) packaged by an approved OSAT (Supp. 7 to Part 740)".to_owned())
                    } else {
                        failures.push("(c) packaged by an OSAT that is not stated to be an approved OSAT (osat_approved is not true)".into());
                        None
                    }
                }
                Some(PackagedBy::Other) => {
                    failures.push(
                        "(b)/(c) packaged by neither the front-end fabricator nor an approved OSAT"
                            .into(),
                    );
                    None
                }
                None => {
                    failures.push("(b)/(c) who packaged the IC is not given (packaged_by)".into());
                    None
                }
            };
            if let Some(way) = packager_ok {
                match self.transistor_test(spec) {
                    Ok(test) => {
                        overcome = Some(format!("{way}, with an attested transistor count {test}"))
                    }
                    Err(why) => failures.push(format!("{way}, but {why}")),
                }
            }
        }
        if let Some(how) = overcome {
            if applicable == Tri::Yes {
                pre.push(self.reason(
                    &p.meta.id,
                    Effect::Info,
                    format!("foundry/OSAT presumption (Note 1 to 3A090.a) overcome by {how}; the IC is classified by its specifications"),
                    facts,
                    &[],
                ));
            }
            return;
        }
        let presumed_c = Candidate {
            eccn: "3A090.a".into(),
            tier: Some(Tier::A),
            datacenter: Some(true),
            other_eccn: None,
            assumption: Some("presumed 3A090.a (foundry rule)".into()),
        };
        match applicable {
            Tri::Yes => {
                class.candidates = vec![Candidate { assumption: None, ..presumed_c }];
                class.missing.clear();
                class.steps.push("front-end fabricator / OSAT export of an applicable advanced logic IC: presumed 3A090.a and designed for datacenters (Note 1 to 3A090.a)".into());
                class.use_rule(rules, &p.meta.id);
                *presumed = true;
                pre.push(self.reason(
                    &p.meta.id,
                    Effect::Info,
                    format!(
                        "exporter is a {} and the IC is an applicable advanced logic IC: it IS treated as 3A090.a designed for datacenters because the presumption was not overcome: {}",
                        if kind == Some(ExporterKind::Osat) { "OSAT" } else { "front-end fabricator" },
                        failures.join("; ")
                    ),
                    facts,
                    &[],
                ));
            }
            _ => {
                class.push_candidate(presumed_c);
                class.missing.push(Missing::new(
                    format!("{prefix}.process_nm"),
                    format!("the exporter is a front-end fabricator/OSAT: ICs at {} nm or below, or non-planar, are presumed 3A090.a (give process_nm or planar)", p.max_process_nm),
                ));
                pre.push(self.reason(
                    &p.meta.id,
                    Effect::Missing,
                    format!("item {index}: whether the foundry presumption applies depends on the process node / transistor architecture, which is not given; if it applies it is not overcome: {}", failures.join("; ")),
                    facts,
                    &[],
                ));
            }
        }
    }

    fn transistor_test(&self, spec: &ChipSpec) -> Result<String, String> {
        if spec.attested_transistors != Some(true) {
            return Err(
                "the transistor count is not attested (attested_transistors is not true)".into()
            );
        }
        let Some(t) = spec.transistors_billion.and_then(Dec::from_f64) else {
            return Err("no transistor count is given".into());
        };
        let year = self.date.year();
        let mut why = Vec::new();
        let mut tests: Vec<&crate::rules::TransistorTest> = self
            .rules
            .transistor_tests
            .iter()
            .filter(|x| {
                x.meta.in_force(self.date)
                    && year >= x.year_from
                    && x.year_to.is_none_or(|y| year <= y)
            })
            .collect();
        tests.sort_by_key(|x| x.requires_no_hbm);
        for x in tests {
            let unverified = if x.meta.evidence.verified() { "" } else { " (unverified reading)" };
            if !t.lt(x.below_billion) {
                why.push(format!("{t} bn is not below {} bn", x.below_billion));
                continue;
            }
            if x.requires_no_hbm {
                match spec.hbm {
                    Some(false) => {
                        return Ok(format!(
                            "of {t} bn, below {} bn with no HBM for exports completed in {year}{unverified}",
                            x.below_billion
                        ));
                    }
                    Some(true) => why.push(format!(
                        "{t} bn is below {} bn but the IC contains HBM",
                        x.below_billion
                    )),
                    None => why.push(format!(
                        "{t} bn is below {} bn but it is not stated that the IC has no HBM",
                        x.below_billion
                    )),
                }
            } else {
                return Ok(format!("of {t} bn, below {} bn", x.below_billion));
            }
        }
        Err(why.join("; "))
    }

    // ---------------------------------------------------------------- evaluation

    fn domestic(&self, info: &ItemInfo<'_>) -> Outcome {
        let mut reasons = vec![self.reason(
            "general.not_an_export",
            Effect::NotApplicable,
            "the destination is the United States: not an export, so the EAR export licence requirements do not apply",
            json!({"destination": "US"}),
            &[],
        )];
        let mut verdict = Verdict::NoLicenseRequired;
        for ch in self.counted() {
            if matches!(ch.hit.kind, ListKind::DeniedPersons | ListKind::OfacSdn) {
                verdict = Verdict::LicenseRequired;
                let id = list_rule_id(ch.hit.kind);
                let mut r = self.reason(
                    id,
                    Effect::LicenseRequired,
                    format!(
                        "item {}: dealing with `{}` is prohibited even within the United States",
                        info.index, ch.hit.entry.name
                    ),
                    json!({"party": ch.party}),
                    &[],
                );
                r.party = Some(ch.party);
                reasons.push(r);
            }
        }
        Outcome {
            verdict,
            exception: None,
            policy: (verdict == Verdict::LicenseRequired).then_some(Policy::PresumptionOfDenial),
            missing: Vec::new(),
            reasons,
        }
    }

    fn evaluate_item(&self, info: &ItemInfo<'_>) -> Outcome {
        let cands = info.class.candidates.clone();
        let outcomes: Vec<(Candidate, Outcome)> =
            cands.iter().map(|c| (c.clone(), self.evaluate_candidate(info, c))).collect();
        let Some((first_c, first)) = outcomes.first().cloned() else {
            return Outcome {
                verdict: Verdict::NeedsInformation,
                exception: None,
                policy: None,
                missing: info.class.missing.clone(),
                reasons: Vec::new(),
            };
        };
        if outcomes.len() == 1 {
            return first;
        }
        let same = outcomes
            .iter()
            .all(|(_, o)| o.verdict == first.verdict && o.exception == first.exception);
        let policy = outcomes
            .iter()
            .filter(|(_, o)| {
                matches!(o.verdict, Verdict::LicenseRequired | Verdict::NeedsInformation)
            })
            .filter_map(|(_, o)| o.policy)
            .max();
        // Reasons common to all candidates are kept as they are; others are prefixed with
        // the assumption they rest on.
        let mut reasons: Vec<Reason> = Vec::new();
        for (c, o) in &outcomes {
            for r in &o.reasons {
                let common = outcomes.iter().all(|(_, oo)| {
                    oo.reasons.iter().any(|x| x.rule == r.rule && x.explanation == r.explanation)
                });
                let mut r = r.clone();
                if !common {
                    r.explanation = format!(
                        "if the item is {}{}: {}",
                        c.describe(),
                        c.assumption.as_deref().map(|a| format!(" ({a})")).unwrap_or_default(),
                        r.explanation
                    );
                }
                reasons.push(r);
            }
        }
        let mut uniq: Vec<Reason> = Vec::new();
        push_unique(&mut uniq, reasons);
        let summary: Vec<Value> = outcomes
            .iter()
            .map(|(c, o)| json!({"classification": c.describe(), "assumption": c.assumption, "verdict": o.verdict.as_str(), "license_exception": o.exception.as_ref().map(|e| e.0.clone())}))
            .collect();
        if same {
            let mut missing = Vec::new();
            if first.verdict == Verdict::NeedsInformation {
                for (_, o) in &outcomes {
                    for m in &o.missing {
                        if !missing.contains(m) {
                            missing.push(m.clone());
                        }
                    }
                }
            }
            uniq.insert(0, self.reason(
                info.class.rules.first().map(String::as_str).unwrap_or("classification.tpp"),
                Effect::Info,
                format!("classification is not fully determined ({}), but every possibility leads to the same answer", info.class.eccn.trim_start_matches("undetermined ")),
                json!({"possibilities": summary, "undetermined_by": info.class.missing}),
                &[info.class.evidence],
            ));
            let _ = first_c;
            return Outcome {
                verdict: first.verdict,
                exception: first.exception,
                policy,
                missing,
                reasons: uniq,
            };
        }
        let mut missing = info.class.missing.clone();
        for (_, o) in &outcomes {
            for m in &o.missing {
                if !missing.contains(m) {
                    missing.push(m.clone());
                }
            }
        }
        uniq.insert(0, self.reason(
            info.class.rules.first().map(String::as_str).unwrap_or("classification.tpp"),
            Effect::Missing,
            format!("classification is not determined ({}) and the possibilities lead to different answers", info.class.eccn.trim_start_matches("undetermined ")),
            json!({"possibilities": summary, "missing": info.class.missing}),
            &[info.class.evidence],
        ));
        Outcome {
            verdict: Verdict::NeedsInformation,
            exception: None,
            policy,
            missing,
            reasons: uniq,
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "the order of the checks is the decision flow; splitting it hides it"
    )]
    fn evaluate_candidate(&self, info: &ItemInfo<'_>, cand: &Candidate) -> Outcome {
        let rules = self.rules;
        let date = self.date;
        let dest = self.dest.as_str();
        let mut reqs: Vec<Req> = Vec::new();
        let mut notes: Vec<Reason> = Vec::new();

        // 1. Destination-based requirement (742.6(a)(6)).
        let mut dest_yes = false;
        if let Some(tier) = cand.tier {
            let family = match tier {
                Tier::Legacy => "3A090",
                Tier::A | Tier::B => "ac",
                Tier::C => "3A090.c",
            };
            if let Some(scope) = rules.scope(family, date) {
                let (inside, used) = rules.in_scope(scope, dest, date);
                let ev: Vec<Evidence> = used.iter().map(|m| m.meta.evidence).collect();
                let groups: Vec<String> =
                    used.iter().map(|m| format!("{} ({})", m.group, m.meta.id)).collect();
                let facts = json!({"destination": dest, "eccn": cand.eccn, "groups": groups, "scope": scope.meta.id});
                if inside {
                    dest_yes = true;
                    let (policy, preason) = self.ac_policy(info, cand, true);
                    reqs.push(Req {
                        state: Tri::Yes,
                        overcomable: true,
                        policy: Some(policy),
                        policy_reason: Some(preason),
                        reason: self.reason(
                            &scope.meta.id,
                            Effect::LicenseRequired,
                            format!("{} to {} ({}): licence required under the regional-stability control for advanced computing items", cand.eccn, country_label(dest), describe_scope(scope)),
                            facts,
                            &ev,
                        ),
                        missing: Vec::new(),
                    });
                } else {
                    let why = if used.iter().any(|m| m.group == "A:5" || m.group == "A:6") {
                        format!(
                            "{} is in Country Group D but also in A:5/A:6, which the rule excludes",
                            country_label(dest)
                        )
                    } else {
                        format!(
                            "{} is not in the destination scope ({})",
                            country_label(dest),
                            describe_scope(scope)
                        )
                    };
                    notes.push(self.reason(
                        &scope.meta.id,
                        Effect::NotApplicable,
                        format!("{}: {why}", cand.eccn),
                        facts,
                        &ev,
                    ));
                }
            }
            // 2. Headquarters-based requirement, outside the destination scope.
            if !dest_yes {
                for h in rules
                    .hq
                    .iter()
                    .filter(|h| h.meta.in_force(date) && h.tiers.iter().any(|t| t == tier.letter()))
                {
                    let hq = &self.hq;
                    let facts = json!({"destination": dest, "eccn": cand.eccn, "macau_or_d5_headquartered_parties": hq.d5_parties});
                    match hq.d5 {
                        Tri::No => notes.push(self.reason(
                            &h.meta.id,
                            Effect::NotApplicable,
                            format!("{}: no party is headquartered (or has its ultimate parent headquartered) in Macau or D:5", cand.eccn),
                            facts,
                            &[hq.evidence.min(Evidence::S)],
                        )),
                        state => {
                            let (policy, preason) = self.ac_policy(info, cand, false);
                            let mut r = self.reason(
                                &h.meta.id,
                                if state == Tri::Yes { Effect::LicenseRequired } else { Effect::Missing },
                                if state == Tri::Yes {
                                    format!("{} for an entity headquartered (or with its ultimate parent headquartered) in Macau or D:5: licence required wherever the entity is located ({})", cand.eccn, h.meta.citation)
                                } else {
                                    format!("{}: a licence is required if any party is headquartered (or has its ultimate parent headquartered) in Macau or D:5 ({}); party headquarters are not all given", cand.eccn, h.meta.citation)
                                },
                                facts,
                                &[hq.evidence.min(Evidence::S)],
                            );
                            if h.meta.id == "hq.742_6_a6_iii_A" && let Some(g) = rules.meta("ai_diffusion.hq_guidance") {
                                r.explanation.push_str(&format!("; {} ({})", g.note, g.source));
                            }
                            reqs.push(Req {
                                state,
                                overcomable: true,
                                policy: Some(policy),
                                policy_reason: Some(preason),
                                reason: r,
                                missing: if state == Tri::Unknown { hq.missing.clone() } else { Vec::new() },
                            });
                        }
                    }
                }
            }
        } else {
            let what = cand.other_eccn.clone().unwrap_or_else(|| "not 3A090".into());
            if let Some(scope) = rules.scope("ac", date).or_else(|| rules.scope("3A090", date)) {
                notes.push(self.reason(
                    &scope.meta.id,
                    Effect::NotApplicable,
                    format!("{what}: not an advanced-computing item, so the 3A090/4A090 destination and headquarters requirements do not apply"),
                    json!({"classification": what}),
                    &[],
                ));
            }
        }

        // 3. End uses.
        for eu in &self.tx.end_uses {
            let recs: Vec<&crate::rules::EndUseRule> = rules
                .end_uses
                .iter()
                .filter(|r| r.end_use == eu.as_str() && r.meta.in_force(date))
                .collect();
            if recs.is_empty() {
                continue;
            }
            let mut matched_any = false;
            for r in recs {
                let dest_match = r.countries.iter().any(|c| c == dest)
                    || r.groups.iter().any(|g| rules.in_group(dest, g, date));
                let place = if dest_match {
                    Tri::Yes
                } else if r.hq_entity {
                    self.hq.d5
                } else {
                    Tri::No
                };
                if place == Tri::No {
                    continue;
                }
                matched_any = true;
                let (item_state, item_missing) = self.item_in_scope(info, cand, &r.items);
                let mut state = place.and(item_state);
                // Footnote 5 entities are outside 744.23(a)(2)(i)-(ii) from 2 Dec 2024.
                if r.end_use == "advanced_node_ic_production"
                    && date >= Date::constant(2024, 12, 2)
                    && self.counted().any(|h| {
                        h.hit.kind == ListKind::EntityList && h.hit.entry.footnotes.contains(&5)
                    })
                {
                    state = Tri::No;
                    notes.push(self.reason(&r.meta.id, Effect::NotApplicable, "a party is a Footnote 5 entity: excluded from 744.23(a)(2)(i)-(ii) (744.23(a)(2)(iv)); the Entity List requirement governs", json!({}), &[]));
                    continue;
                }
                let facts = json!({"end_use": eu.as_str(), "destination": dest, "item": cand.eccn});
                match state {
                    Tri::No => notes.push(self.reason(
                        &r.meta.id,
                        Effect::NotApplicable,
                        format!(
                            "stated end use `{}`: the item ({}) is outside the item scope of {}",
                            eu.as_str(),
                            cand.other_eccn.as_deref().unwrap_or(&cand.eccn),
                            r.meta.citation
                        ),
                        facts,
                        &[],
                    )),
                    s => {
                        let (policy, pr) = self.end_use_policy(cand, &r.meta.id);
                        reqs.push(Req {
                            state: s,
                            overcomable: false,
                            policy: Some(policy),
                            policy_reason: pr,
                            reason: self.reason(
                                &r.meta.id,
                                if s == Tri::Yes { Effect::LicenseRequired } else { Effect::Missing },
                                format!(
                                    "stated end use `{}`{}: licence required ({}); licence exceptions NAC/ACA are unavailable (740.8(b)){}",
                                    eu.as_str(),
                                    if dest_match { format!(" in {}", country_label(dest)) } else { " by a Macau/D:5-headquartered entity".into() },
                                    r.meta.citation,
                                    if s == Tri::Unknown { "; whether the item is in scope is not known" } else { "" }
                                ),
                                facts,
                                &[],
                            ),
                            missing: if place == Tri::Unknown { self.hq.missing.iter().cloned().chain(item_missing).collect() } else { item_missing },
                        });
                    }
                }
            }
            if !matched_any
                && let Some(r) = rules
                    .end_uses
                    .iter()
                    .find(|r| r.end_use == eu.as_str() && r.meta.in_force(date))
            {
                notes.push(self.reason(
                    &r.meta.id,
                    Effect::NotApplicable,
                    format!(
                        "stated end use `{}`: {} is not a destination covered by {}",
                        eu.as_str(),
                        country_label(dest),
                        r.meta.citation
                    ),
                    json!({"end_use": eu.as_str(), "destination": dest}),
                    &[],
                ));
            }
        }

        // 4. Is-informed letters.
        for l in rules.letters.iter().filter(|l| l.meta.in_force(date)) {
            let dest_match = l.countries.iter().any(|c| c == dest)
                || l.groups.iter().any(|g| rules.in_group(dest, g, date));
            let (state, why, miss, ev) = self.letter_applies(info, l, dest_match);
            let facts = json!({"letter": l.meta.id, "addressee": l.addressee, "destination": dest});
            match state {
                Tri::No => {
                    if let Some(w) = why {
                        notes.push(self.reason(&l.meta.id, Effect::NotApplicable, w, facts, &ev));
                    }
                }
                s => {
                    // The letters' own review policy is not public. For an item that needs a
                    // licence under the CCL anyway, that licence's policy governs; otherwise
                    // 744.23(d)(1) is assumed.
                    let pol = rules.letter_policy(date);
                    let (policy, preason) = if cand.tier.is_some() {
                        (None, None)
                    } else {
                        let p = pol.map(|p| p.policy).unwrap_or(Policy::PresumptionOfDenial);
                        let r = pol.map(|r| {
                            self.reason(
                                &r.meta.id,
                                Effect::ReviewPolicy,
                                format!(
                                    "review policy for the {} letter: {} (assumed)",
                                    l.addressee,
                                    p.as_str()
                                ),
                                json!({}),
                                &[],
                            )
                        });
                        (Some(p), r)
                    };
                    reqs.push(Req {
                        state: s,
                        overcomable: false,
                        policy,
                        policy_reason: preason,
                        reason: self.reason(
                            &l.meta.id,
                            if s == Tri::Yes { Effect::LicenseRequired } else { Effect::Missing },
                            why.unwrap_or_default(),
                            facts,
                            &ev,
                        ),
                        missing: miss,
                    });
                }
            }
        }

        // 5. Party list requirements.
        let mut uvl = false;
        for ch in self.counted() {
            let e = &ch.hit.entry;
            match ch.hit.kind {
                ListKind::EntityList => {
                    let (policy, ev) = match e.license_policy.as_deref().and_then(parse_policy_text)
                    {
                        Some(p) => (p, Evidence::V),
                        None => (Policy::PresumptionOfDenial, Evidence::U),
                    };
                    let standard = e
                        .license_requirement
                        .as_deref()
                        .is_none_or(|t| t.to_lowercase().contains("all items subject to the ear"));
                    let mut r = self.reason(
                        "parties.entity_list",
                        Effect::LicenseRequired,
                        format!(
                            "Entity List party `{}`: licence required for this item{}",
                            e.name,
                            if standard { "" } else { " (the entry's requirement is not the standard 'all items' text; applied to all items, not verified)" }
                        ),
                        json!({"party": ch.party, "entry": e.id}),
                        &[if standard { Evidence::V } else { Evidence::U }],
                    );
                    r.party = Some(ch.party);
                    let mut pr = self.reason(
                        if ev == Evidence::U { "parties.entity_list.default_policy" } else { "parties.entity_list" },
                        Effect::ReviewPolicy,
                        if ev == Evidence::U {
                            format!(
                                "the bundled snapshot does not carry the review policy of `{}`; {} assumed (not verified for this entry)",
                                e.name,
                                policy.as_str()
                            )
                        } else {
                            format!("Entity List review policy for `{}`: {}", e.name, policy.as_str())
                        },
                        json!({"license_policy": e.license_policy}),
                        &[ev],
                    );
                    pr.party = Some(ch.party);
                    reqs.push(Req {
                        state: Tri::Yes,
                        overcomable: false,
                        policy: Some(policy),
                        policy_reason: Some(pr),
                        reason: r,
                        missing: Vec::new(),
                    });
                }
                ListKind::DeniedPersons | ListKind::OfacSdn => {
                    let mut r = self.reason(
                        list_rule_id(ch.hit.kind),
                        Effect::LicenseRequired,
                        if ch.hit.kind == ListKind::DeniedPersons {
                            format!("Denied Persons List party `{}`: the transaction is prohibited", e.name)
                        } else {
                            format!("OFAC SDN `{}`: blocked; an OFAC licence would be needed (not an EAR licence)", e.name)
                        },
                        json!({"party": ch.party, "entry": e.id}),
                        &[],
                    );
                    r.party = Some(ch.party);
                    reqs.push(Req {
                        state: Tri::Yes,
                        overcomable: false,
                        policy: Some(Policy::PresumptionOfDenial),
                        policy_reason: None,
                        reason: r,
                        missing: Vec::new(),
                    });
                }
                ListKind::MilitaryEndUser => {
                    let scope = rules
                        .end_uses
                        .iter()
                        .find(|r| r.end_use == "military" && matches!(r.items, ItemScope::List(_)))
                        .map(|r| r.items.clone())
                        .unwrap_or(ItemScope::Ccl);
                    let (state, miss) = self.item_in_scope(info, cand, &scope);
                    let mut r = self.reason(
                        "parties.meu",
                        match state {
                            Tri::Yes => Effect::LicenseRequired,
                            Tri::No => Effect::Warning,
                            Tri::Unknown => Effect::Missing,
                        },
                        match state {
                            Tri::Yes => format!("Military End-User `{}`: this item is in Supplement No. 2 to Part 744; licence required (744.21)", e.name),
                            Tri::No => format!("Military End-User `{}`: this item ({}) is outside Supplement No. 2 to Part 744; no 744.21 licence, but a military end user is a red flag", e.name, cand.other_eccn.as_deref().unwrap_or(&cand.eccn)),
                            Tri::Unknown => format!("Military End-User `{}`: whether this item is in Supplement No. 2 to Part 744 depends on its ECCN, which is not known", e.name),
                        },
                        json!({"party": ch.party, "entry": e.id}),
                        &[],
                    );
                    r.party = Some(ch.party);
                    if state == Tri::No {
                        notes.push(r);
                    } else {
                        reqs.push(Req {
                            state,
                            overcomable: false,
                            policy: Some(Policy::PresumptionOfDenial),
                            policy_reason: None,
                            reason: r,
                            missing: miss,
                        });
                    }
                }
                ListKind::Unverified => uvl = true,
                _ => {}
            }
        }

        // 6. Exceptions.
        let soft: Vec<&Req> = reqs.iter().filter(|r| r.overcomable && r.state != Tri::No).collect();
        let hard_yes = reqs.iter().any(|r| !r.overcomable && r.state == Tri::Yes);
        let hard_unknown: Vec<&Req> =
            reqs.iter().filter(|r| !r.overcomable && r.state == Tri::Unknown).collect();
        let exc = if soft.is_empty() {
            None
        } else {
            Some(self.exception(info, cand, dest_yes, hard_yes, !hard_unknown.is_empty(), uvl))
        };

        // 7. AI Diffusion: never applied; say so when it would have mattered.
        if cand.tier == Some(Tier::A)
            && let Some(f) = rules.frameworks.iter().find(|f| !f.enforced && f.meta.in_force(date))
        {
            notes.push(self.reason(
                &f.meta.id,
                Effect::Info,
                format!(
                    "not applied: the AI Diffusion rule (90 FR 4544) would have required a licence for {} to every destination from its compliance date {} (with AIA/ACM/LPP exceptions); BIS announced on {} that it would not enforce it, so earl does not apply it",
                    cand.eccn,
                    f.compliance.map(|d| d.to_string()).unwrap_or_default(),
                    f.nonenforcement_announced.map(|d| d.to_string()).unwrap_or_default()
                ),
                json!({"enforced": f.enforced, "destination": dest}),
                &[],
            ));
        }

        // 8. Combine.
        let soft_yes = soft.iter().any(|r| r.state == Tri::Yes);
        let soft_unknown = soft.iter().any(|r| r.state == Tri::Unknown);
        let mut reasons: Vec<Reason> = Vec::new();
        let mut missing: Vec<Missing> = Vec::new();
        let policy_of = |rs: &[&Req]| rs.iter().filter_map(|r| r.policy).max();
        let yes_reqs: Vec<&Req> = reqs.iter().filter(|r| r.state == Tri::Yes).collect();
        let live_reqs: Vec<&Req> = reqs.iter().filter(|r| r.state != Tri::No).collect();
        let (verdict, exception, policy) = if hard_yes {
            (Verdict::LicenseRequired, None, policy_of(&yes_reqs))
        } else if soft_yes {
            match &exc {
                Some(e) if e.state == Tri::Yes && hard_unknown.is_empty() => {
                    (Verdict::LicenseException, Some((e.name.clone(), e.notify, e.days)), None)
                }
                Some(e) if e.state == Tri::No => {
                    (Verdict::LicenseRequired, None, policy_of(&yes_reqs))
                }
                Some(e) => {
                    missing.extend(e.missing.iter().cloned());
                    for r in &hard_unknown {
                        missing.extend(r.missing.iter().cloned());
                    }
                    (Verdict::NeedsInformation, None, policy_of(&live_reqs))
                }
                None => (Verdict::LicenseRequired, None, policy_of(&yes_reqs)),
            }
        } else if soft_unknown || !hard_unknown.is_empty() {
            for r in &live_reqs {
                missing.extend(r.missing.iter().cloned());
            }
            if let Some(e) = &exc {
                missing.extend(e.missing.iter().cloned());
            }
            (Verdict::NeedsInformation, None, policy_of(&live_reqs))
        } else {
            (Verdict::NoLicenseRequired, None, None)
        };
        for r in &reqs {
            if r.state != Tri::No {
                reasons.push(r.reason.clone());
            }
        }
        if let Some(e) = exc {
            reasons.extend(e.reasons);
        }
        if matches!(verdict, Verdict::LicenseRequired | Verdict::NeedsInformation) {
            for r in reqs.iter().filter(|r| r.state != Tri::No && r.policy == policy) {
                if let Some(pr) = &r.policy_reason {
                    reasons.push(pr.clone());
                }
            }
        }
        reasons.extend(notes);
        missing.sort();
        missing.dedup();
        Outcome { verdict, exception, policy, missing, reasons }
    }

    fn item_in_scope(
        &self,
        info: &ItemInfo<'_>,
        cand: &Candidate,
        scope: &ItemScope,
    ) -> (Tri, Vec<Missing>) {
        let eccn: Option<String> =
            if cand.tier.is_some() { Some(cand.eccn.clone()) } else { cand.other_eccn.clone() };
        let ask = || {
            vec![Missing::new(
                format!("items[{}].eccn", info.index),
                "the ECCN of this item (e.g. 3A991 or EAR99) decides whether the end-use / end-user control reaches it",
            )]
        };
        match scope {
            ItemScope::All => (Tri::Yes, Vec::new()),
            ItemScope::Ccl => match eccn.as_deref() {
                Some("EAR99") => (Tri::No, Vec::new()),
                Some(_) => (Tri::Yes, Vec::new()),
                None => (Tri::Unknown, ask()),
            },
            ItemScope::List(list) => match eccn.as_deref() {
                Some("EAR99") => (Tri::No, Vec::new()),
                Some(e) => {
                    let hit = list.iter().any(|p| e.starts_with(p.as_str()))
                        || (cand.tier.is_some()
                            && (e.starts_with("3A090") || e.starts_with("4A090"))
                            && list.iter().any(|p| p == "3A090"));
                    (Tri::from_bool(hit), Vec::new())
                }
                None => (Tri::Unknown, ask()),
            },
        }
    }

    fn letter_applies(
        &self,
        info: &ItemInfo<'_>,
        l: &crate::rules::Letter,
        dest_match: bool,
    ) -> (Tri, Option<String>, Vec<Missing>, Vec<Evidence>) {
        let product_hit = info.product.is_some_and(|p| l.products.iter().any(|x| x == &p.id));
        let spec = info.spec.as_ref();
        let exporter_name =
            self.tx.exporter.as_ref().and_then(|e| e.name.as_deref()).map(str::to_lowercase);
        let exporter_hit = !l.exporter_names.is_empty()
            && exporter_name
                .as_deref()
                .is_some_and(|n| l.exporter_names.iter().any(|x| n.contains(x.as_str())));
        if product_hit {
            let Some(p) = info.product else { return (Tri::No, None, Vec::new(), Vec::new()) };
            return if dest_match {
                (
                    Tri::Yes,
                    Some(format!(
                        "{}: BIS informed {} that a licence is required for {} to China (incl. Hong Kong and Macau) and D:5 (744.23(b)); the letter names this product and earl applies it whoever exports it",
                        l.meta.id, l.addressee, p.name
                    )),
                    Vec::new(),
                    Vec::new(),
                )
            } else {
                (
                    Tri::No,
                    Some(format!(
                        "{}: the letter to {} covers {} only to China/Macau and D:5, not {}",
                        l.meta.id,
                        l.addressee,
                        p.name,
                        country_label(&self.dest)
                    )),
                    Vec::new(),
                    Vec::new(),
                )
            };
        }
        if exporter_hit {
            if !dest_match
                && !self
                    .parties
                    .iter()
                    .any(|p| p.hq.as_deref().is_some_and(|c| l.countries.iter().any(|x| x == c)))
            {
                return (
                    Tri::No,
                    Some(format!(
                        "{}: the letter to {} covers chips for Chinese customers; not this destination or party",
                        l.meta.id, l.addressee
                    )),
                    Vec::new(),
                    Vec::new(),
                );
            }
            let Some(max) = l.max_process_nm else {
                return (
                    Tri::Yes,
                    Some(format!("{}: letter to {}", l.meta.id, l.addressee)),
                    Vec::new(),
                    Vec::new(),
                );
            };
            return match spec.and_then(|s| s.process_nm).and_then(Dec::from_f64) {
                Some(n) if !n.gt(max) => (
                    Tri::Yes,
                    Some(format!(
                        "{}: BIS told {} that chips of {max} nm or more advanced designs for Chinese customers need a licence (744.23(b)); this chip is {n} nm",
                        l.meta.id, l.addressee
                    )),
                    Vec::new(),
                    Vec::new(),
                ),
                Some(n) => (
                    Tri::No,
                    Some(format!(
                        "{}: the letter to {} covers {max} nm or more advanced chips; this chip is {n} nm",
                        l.meta.id, l.addressee
                    )),
                    Vec::new(),
                    Vec::new(),
                ),
                None => (
                    Tri::Unknown,
                    Some(format!(
                        "{}: the letter to {} covers chips of {max} nm or more advanced designs for Chinese customers; the process node is not given",
                        l.meta.id, l.addressee
                    )),
                    vec![Missing::new(
                        format!("items[{}].chip.process_nm", info.index),
                        format!(
                            "the {} letter covers {max} nm or more advanced chips",
                            l.addressee
                        ),
                    )],
                    Vec::new(),
                ),
            };
        }
        // Bandwidth-keyed reach to other chips of the addressee (or of unknown designer).
        let Some(spec) = spec else { return (Tri::No, None, Vec::new(), Vec::new()) };
        if l.min_memory_gbps.is_none() && l.min_interconnect_gbps.is_none() {
            return (Tri::No, None, Vec::new(), Vec::new());
        }
        if !dest_match {
            return (Tri::No, None, Vec::new(), Vec::new());
        }
        // A chip exported by its designer without a stated designer is that exporter's chip.
        let exporter_designer = self
            .tx
            .exporter
            .as_ref()
            .filter(|e| e.kind == Some(ExporterKind::Designer))
            .and_then(|e| e.name.clone());
        let designer_name = spec.designer.clone().or(exporter_designer);
        let designer = designer_name.as_deref().map(str::to_lowercase);
        if let Some(d) = &designer
            && !l.designers.iter().any(|x| d.contains(x.as_str()))
        {
            return (
                Tri::No,
                Some(format!(
                    "{}: the letter was addressed to {}; the designer of this chip is {}, so it does not apply",
                    l.meta.id,
                    l.addressee,
                    designer_name.as_deref().unwrap_or("")
                )),
                Vec::new(),
                Vec::new(),
            );
        }
        let ev_of = |f: &str| info.product.and_then(|p| p.evidence(f));
        let mem = spec.dram_bandwidth_gbps.and_then(Dec::from_f64);
        let ic = spec.interconnect_gbps.and_then(Dec::from_f64);
        let mem_hit = l.min_memory_gbps.zip(mem).map(|(t, v)| v.ge(t));
        let ic_hit = l.min_interconnect_gbps.zip(ic).map(|(t, v)| v.ge(t));
        let who = if designer.is_some() {
            "this chip's designer is the addressee".to_owned()
        } else {
            "the designer is not given, so earl applies it".to_owned()
        };
        let thresholds = format!(
            "memory bandwidth >= {} GB/s or interconnect >= {} GB/s",
            l.min_memory_gbps.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            l.min_interconnect_gbps.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
        );
        if mem_hit == Some(true) || ic_hit == Some(true) {
            let mut ev = Vec::new();
            if mem_hit == Some(true)
                && let Some(e) = ev_of("dram_bandwidth_gbps")
            {
                ev.push(e);
            } else if let Some(e) = ev_of("interconnect_gbps") {
                ev.push(e);
            }
            return (
                Tri::Yes,
                Some(format!(
                    "{}: BIS informed {} that a licence is required for H20-class circuits to China (incl. Hong Kong and Macau) and D:5 — any circuit achieving {thresholds}; this chip has memory {} GB/s, interconnect {} GB/s ({who})",
                    l.meta.id,
                    l.addressee,
                    mem.map(|d| d.to_string()).unwrap_or_else(|| "?".into()),
                    ic.map(|d| d.to_string()).unwrap_or_else(|| "?".into())
                )),
                Vec::new(),
                ev,
            );
        }
        let mut miss = Vec::new();
        if mem.is_none() && l.min_memory_gbps.is_some() {
            miss.push(Missing::new(
                format!("{}.dram_bandwidth_gbps", info.prefix),
                format!("the {} letter reaches circuits achieving {thresholds}", l.addressee),
            ));
        }
        if ic.is_none() && l.min_interconnect_gbps.is_some() {
            miss.push(Missing::new(
                format!("{}.interconnect_gbps", info.prefix),
                format!("the {} letter reaches circuits achieving {thresholds}", l.addressee),
            ));
        }
        if miss.is_empty() {
            (
                Tri::No,
                Some(format!(
                    "{}: this chip is below the letter's bandwidths ({thresholds})",
                    l.meta.id
                )),
                Vec::new(),
                Vec::new(),
            )
        } else {
            (
                Tri::Unknown,
                Some(format!(
                    "{}: the letter to {} reaches circuits achieving {thresholds}; this chip's bandwidths are not all given ({who})",
                    l.meta.id, l.addressee
                )),
                miss,
                Vec::new(),
            )
        }
    }

    fn exception(
        &self,
        info: &ItemInfo<'_>,
        cand: &Candidate,
        dest_yes: bool,
        hard_yes: bool,
        hard_unknown: bool,
        uvl: bool,
    ) -> ExcEval {
        let rules = self.rules;
        let date = self.date;
        let no = |name: &str, reasons: Vec<Reason>| ExcEval {
            state: Tri::No,
            name: name.into(),
            notify: false,
            days: 0,
            reasons,
            missing: Vec::new(),
        };
        let tier = cand.tier.unwrap_or(Tier::A);
        let mut blocked: Vec<Reason> = Vec::new();
        if matches!(tier, Tier::A) && cand.datacenter != Some(false) {
            blocked.push(self.reason(
                "exceptions.restriction.datacenter_a",
                Effect::ExceptionUnavailable,
                "NAC/ACA are not available for 3A090.a items designed or marketed for use in a datacenter",
                json!({"eccn": cand.eccn, "datacenter": cand.datacenter}),
                &[],
            ));
        }
        if tier == Tier::Legacy {
            blocked.push(self.reason(
                "destinations.2022",
                Effect::ExceptionUnavailable,
                "no licence exception (NAC/ACA) existed for 3A090 under the Oct 2022 rule",
                json!({}),
                &[Evidence::U],
            ));
        }
        if hard_yes && self.in_force("exceptions.restriction.part744") {
            blocked.push(self.reason(
                "exceptions.restriction.part744",
                Effect::ExceptionUnavailable,
                "licence exceptions are unavailable: a Part 744 requirement (or a prohibition) applies to this item",
                json!({}),
                &[],
            ));
        }
        if uvl {
            blocked.push(self.reason(
                "exceptions.restriction.unverified_list",
                Effect::ExceptionUnavailable,
                "a party is on the Unverified List: licence exceptions are unavailable",
                json!({}),
                &[],
            ));
        }
        if tier == Tier::C && blocked.is_empty() {
            return self.hbm_exception(info, dest_yes, hard_unknown);
        }
        if !blocked.is_empty() || hard_yes {
            return no(if tier == Tier::C { "HBM" } else { "NAC" }, blocked);
        }
        let dest_md5 = rules.macau_or_d5(&self.dest, date);
        let primaries: Vec<&str> = if dest_yes && dest_md5 {
            vec!["macau_d5"]
        } else if dest_yes {
            match self.hq.d5 {
                Tri::Yes => vec!["hq_entity"],
                Tri::No => vec!["d1_d4"],
                Tri::Unknown => vec!["hq_entity", "d1_d4"],
            }
        } else {
            vec!["hq_entity"]
        };
        let mut results: Vec<(String, bool, u32, String)> = Vec::new();
        for p in &primaries {
            match rules
                .exceptions
                .iter()
                .find(|e| e.meta.in_force(date) && e.applies_to.iter().any(|a| a == p))
            {
                Some(e) => results.push((
                    e.name.clone(),
                    e.notify_for.iter().any(|n| n == p),
                    e.notification_days,
                    e.meta.id.clone(),
                )),
                None => return no("NAC", Vec::new()),
            }
        }
        let Some(first) = results.first().cloned() else { return no("NAC", Vec::new()) };
        let all_same = results.iter().all(|r| r.0 == first.0 && r.1 == first.1);
        let what = match primaries.first().copied() {
            Some("macau_d5") => {
                format!("to {} (Macau / Country Group D:5)", country_label(&self.dest))
            }
            Some("hq_entity") if primaries.len() == 1 => {
                "for a Macau/D:5-headquartered entity".to_owned()
            }
            _ => format!("to {} (Country Group D:1/D:4, not D:5)", country_label(&self.dest)),
        };
        let item_desc = cand.describe();
        if !all_same {
            let r = self.reason(
                &first.3,
                Effect::Missing,
                format!("{item_desc} is eligible for NAC/ACA {what}: ACA (no notification) if no party is Macau/D:5-headquartered, NAC with prior notification otherwise; party headquarters are not all given"),
                json!({"candidates": results.iter().map(|r| r.0.clone()).collect::<Vec<_>>()}),
                &[],
            );
            return ExcEval {
                state: Tri::Unknown,
                name: first.0,
                notify: first.1,
                days: first.2,
                reasons: vec![r],
                missing: self.hq.missing.clone(),
            };
        }
        let (name, notify, days, id) = first;
        let note = if notify {
            format!(
                "; prior notification to BIS in SNAP-R at least {days} calendar days before export (TPP, performance density and datasheet required)"
            )
        } else {
            "; no notification required".to_owned()
        };
        let r = self.reason(
            &id,
            Effect::LicenseException,
            format!("License Exception {name} available for {item_desc} {what}{note}; a written purchase order is required (740.8(a)(1)){}", if hard_unknown { "; other requirements are undetermined" } else { "" }),
            json!({"exception": name, "notification_required": notify, "notification_days": days, "datacenter": cand.datacenter, "eccn": cand.eccn}),
            &[],
        );
        ExcEval { state: Tri::Yes, name, notify, days, reasons: vec![r], missing: Vec::new() }
    }

    fn hbm_exception(&self, info: &ItemInfo<'_>, dest_yes: bool, _hard_unknown: bool) -> ExcEval {
        let date = self.date;
        let Some(x) = self.rules.hbm_exception(date) else {
            return ExcEval {
                state: Tri::No,
                name: "HBM".into(),
                notify: false,
                days: 0,
                reasons: Vec::new(),
                missing: Vec::new(),
            };
        };
        let mut fails: Vec<String> = Vec::new();
        let mut missing: Vec<Missing> = Vec::new();
        let mut to_confirm: Vec<String> = Vec::new();
        let hbm = info.hbm.clone().unwrap_or_default();
        let bw = hbm.bandwidth_gbps.and_then(Dec::from_f64);
        let area = hbm.area_mm2.and_then(Dec::from_f64);
        match (bw, area) {
            (Some(b), Some(a)) if b.lt(x.density_lt.checked_mul(a).unwrap_or(b)) => {}
            (Some(b), Some(a)) => fails.push(format!(
                "memory bandwidth density {:.3} GB/s/mm2 is not less than {}",
                b.to_f64() / a.to_f64(),
                x.density_lt
            )),
            _ => missing.push(Missing::new(
                format!("{}.bandwidth_gbps", info.prefix),
                "License Exception HBM needs density < 3.3",
            )),
        }
        let exp = self.tx.exporter.clone().unwrap_or_default();
        match norm_country(&exp.headquarters) {
            None => missing.push(Missing::new("exporter.headquarters", "License Exception HBM requires an exporter headquartered in the US or Country Group A:5 (without a Macau/D:5 ultimate parent)")),
            Some(h) => {
                let ok = h == "US" || x.exporter_hq_groups.iter().any(|g| self.rules.in_group(&h, g, date));
                if !ok {
                    fails.push(format!("the exporter is headquartered in {h}, not the US or A:5"));
                }
                if let Some(p) = norm_country(&exp.parent_headquarters)
                    && self.rules.macau_or_d5(&p, date)
                {
                    fails.push(format!("the exporter's ultimate parent is headquartered in {p} (Macau/D:5)"));
                }
            }
        }
        for (i, p) in self.parties.iter().enumerate() {
            match p.role {
                Some(Role::Distributor) => fails.push(format!("party {i} is a distributor (740.25(d))")),
                Some(Role::IntermediateConsignee) if self.tx.parties.get(i).and_then(|q| q.freight_forwarder) != Some(true) => fails.push(format!(
                    "party {i} is an intermediate consignee not stated to be a freight forwarder/customs broker hired by the packaging site (740.25(d))"
                )),
                _ => {}
            }
        }
        if dest_yes || self.rules.macau_or_d5(&self.dest, date) {
            match hbm.packaging_at_advanced_node_facility {
                Some(true) => fails.push("co-packaging at a Macau/D:5 facility where advanced-node ICs are produced (740.25(d))".into()),
                Some(false) => {}
                // Like the other 740.25 conditions (sold to the designer, shipped to the
                // packaging site), this is the exporter's to confirm; only a stated `true`
                // rules the exception out.
                None => to_confirm.push(format!(
                    "the co-packaging site is not a Macau/D:5 facility where advanced-node ICs are produced (740.25(d); `{}.packaging_at_advanced_node_facility` not stated)",
                    info.prefix
                )),
            }
        }
        let facts = json!({"density_lt": x.density_lt.to_f64(), "memory_bandwidth_density": info.class.memory_bandwidth_density, "exporter_headquarters": exp.headquarters, "conditions": x.conditions});
        if !fails.is_empty() {
            return ExcEval {
                state: Tri::No,
                name: x.name.clone(),
                notify: false,
                days: 0,
                reasons: vec![self.reason(
                    &x.meta.id,
                    Effect::ExceptionUnavailable,
                    format!("License Exception HBM not available: {}", fails.join("; ")),
                    facts,
                    &[],
                )],
                missing: Vec::new(),
            };
        }
        if !missing.is_empty() {
            return ExcEval {
                state: Tri::Unknown,
                name: x.name.clone(),
                notify: false,
                days: 0,
                reasons: vec![self.reason(
                    &x.meta.id,
                    Effect::Missing,
                    "License Exception HBM may be available; facts needed to decide are missing",
                    facts,
                    &[],
                )],
                missing,
            };
        }
        ExcEval {
            state: Tri::Yes,
            name: x.name.clone(),
            notify: false,
            days: 0,
            reasons: vec![self.reason(
                &x.meta.id,
                Effect::LicenseException,
                format!(
                    "License Exception HBM available (density below {}; exporter headquartered in the US/A:5). Conditions: {}{}",
                    x.density_lt,
                    x.conditions.join("; "),
                    if to_confirm.is_empty() {
                        String::new()
                    } else {
                        format!(". The exporter must also confirm: {}", to_confirm.join("; "))
                    }
                ),
                facts,
                &[],
            )],
            missing: Vec::new(),
        }
    }

    /// Review policy for a destination- or headquarters-based advanced-computing licence.
    fn ac_policy(
        &self,
        info: &ItemInfo<'_>,
        cand: &Candidate,
        destination_based: bool,
    ) -> (Policy, Reason) {
        let rules = self.rules;
        let date = self.date;
        let dest_md5 = rules.macau_or_d5(&self.dest, date);
        let set = rules.policy_set(date).map(|m| m.id.clone()).unwrap_or_default();
        // 742.6(b)(10) was not read: the 744.23(d) structure is applied by parallel ([I]),
        // except for 744.23(a)(3) headquarters licences, which 744.23(d) governs directly.
        let parallel =
            destination_based || cand.tier == Some(Tier::A) && date >= Date::constant(2025, 1, 15);
        let ev = if parallel { Evidence::I } else { Evidence::V };
        let hq = &self.hq;
        let facts = json!({"destination": self.dest, "eccn": cand.eccn, "datacenter": cand.datacenter, "macau_or_d5_headquartered": hq.d5_parties, "end_user_us_a5_a6": hq.poa_end_user});
        let (p, text) = match set.as_str() {
            "review.2022" => {
                if hq.poa_end_user {
                    (Policy::CaseByCase, "Oct 2022 rule: case-by-case for end users headquartered in the US or A:5/A:6".to_owned())
                } else {
                    (
                        Policy::PresumptionOfDenial,
                        "Oct 2022 rule: presumption of denial for 3A090/4A090 to China and Macau"
                            .to_owned(),
                    )
                }
            }
            "review.2023" => {
                if hq.poa_end_user {
                    (Policy::PresumptionOfApproval, "744.23(d) (Oct 2023): presumption of approval for an end user headquartered in the US or A:5/A:6, not majority-owned by a Macau/D:5-headquartered entity".to_owned())
                } else if dest_md5 {
                    (
                        Policy::PresumptionOfDenial,
                        "744.23(d) (Oct 2023): presumption of denial for Macau and D:5".to_owned(),
                    )
                } else {
                    (
                        Policy::CaseByCase,
                        "744.23(d) (Oct 2023): case-by-case for other applications".to_owned(),
                    )
                }
            }
            _ => {
                let dc_a = cand.tier == Some(Tier::A) && cand.datacenter != Some(false);
                if hq.poa_end_user {
                    (Policy::PresumptionOfApproval, "744.23(d)(2): presumption of approval for an end user headquartered in the US or A:5/A:6 not majority-owned by a Macau/D:5-headquartered entity".to_owned())
                } else if !dc_a {
                    (
                        Policy::CaseByCase,
                        format!(
                            "744.23(d)(3)(i): case-by-case for {} (not a datacenter 3A090.a item)",
                            cand.eccn
                        ),
                    )
                } else if dest_md5 || hq.d5 != Tri::No {
                    let zone =
                        rules.zone(date).filter(|z| z.countries.iter().any(|c| c == &self.dest));
                    match zone {
                        Some(z) => {
                            let tpp = info.tpp;
                            let dram = info
                                .spec
                                .as_ref()
                                .and_then(|s| s.dram_bandwidth_gbps)
                                .and_then(Dec::from_f64);
                            let in_zone = tpp.is_some_and(|t| t.lt(z.tpp_lt))
                                && dram.is_some_and(|d| d.lt(z.dram_gbps_lt));
                            if hq.d5_outside {
                                (Policy::PresumptionOfDenial, "presumption of denial: a Macau/D:5-headquartered party is located outside Macau/D:5 (the 2026 case-by-case policy does not reach it)".to_owned())
                            } else if in_zone {
                                let mut r = self.reason(
                                    &z.meta.id,
                                    Effect::ReviewPolicy,
                                    format!(
                                        "case-by-case (since {}): TPP {} < {} and total DRAM bandwidth {} GB/s < {} to {}; certifications required: {}",
                                        z.meta.effective,
                                        tpp.map(|t| t.to_string()).unwrap_or_default(),
                                        z.tpp_lt,
                                        dram.map(|t| t.to_string()).unwrap_or_default(),
                                        z.dram_gbps_lt,
                                        country_label(&self.dest),
                                        z.conditions.join("; ")
                                    ),
                                    facts,
                                    &info.product.and_then(|p| p.evidence("dram_bandwidth_gbps")).into_iter().collect::<Vec<_>>(),
                                );
                                r.item = Some(info.index);
                                return (Policy::CaseByCase, r);
                            } else {
                                let why = match (tpp, dram) {
                                    (None, _) => "TPP is not known".to_owned(),
                                    (_, None) => format!(
                                        "total DRAM bandwidth is not given; case-by-case would apply if it is below {} GB/s (and TPP below {})",
                                        z.dram_gbps_lt, z.tpp_lt
                                    ),
                                    (Some(t), Some(d)) => format!(
                                        "TPP {t} / DRAM bandwidth {d} GB/s are not both below {} / {}",
                                        z.tpp_lt, z.dram_gbps_lt
                                    ),
                                };
                                let mut r = self.reason(
                                    &z.meta.id,
                                    Effect::ReviewPolicy,
                                    format!("presumption of denial for datacenter 3A090.a to {}: the 2026 case-by-case zone does not apply because {why}", country_label(&self.dest)),
                                    facts,
                                    &[ev],
                                );
                                r.item = Some(info.index);
                                return (Policy::PresumptionOfDenial, r);
                            }
                        }
                        None => (
                            Policy::PresumptionOfDenial,
                            if hq.d5 == Tri::Unknown && !dest_md5 {
                                "744.23(d)(1): presumption of denial assumed because party headquarters are not all known (case-by-case if no party is Macau/D:5-headquartered)".to_owned()
                            } else {
                                "744.23(d)(1): presumption of denial for Macau, D:5 and Macau/D:5-headquartered entities (datacenter 3A090.a)".to_owned()
                            },
                        ),
                    }
                } else {
                    (
                        Policy::CaseByCase,
                        "744.23(d)(3)(iii): case-by-case for other applications".to_owned(),
                    )
                }
            }
        };
        let id = if set.is_empty() { "general.coverage".to_owned() } else { set };
        let mut r = self.reason(
            &id,
            Effect::ReviewPolicy,
            format!(
                "{text}{}",
                if parallel {
                    " (742.6(b)(10) not read; 744.23(d) applied by parallel)"
                } else {
                    ""
                }
            ),
            facts,
            &[ev],
        );
        r.item = Some(info.index);
        (p, r)
    }

    fn end_use_policy(&self, cand: &Candidate, id: &str) -> (Policy, Option<Reason>) {
        if id.starts_with("end_uses.military") {
            return (Policy::PresumptionOfDenial, None);
        }
        let set = self.rules.policy_set(self.date).map(|m| m.id.clone());
        let non_dc_ac = cand.tier.is_some_and(|t| t != Tier::A || cand.datacenter == Some(false))
            && self.date >= Date::constant(2024, 4, 4);
        let p = if self.hq.poa_end_user {
            Policy::PresumptionOfApproval
        } else if non_dc_ac {
            Policy::CaseByCase
        } else {
            Policy::PresumptionOfDenial
        };
        let r = set.map(|s| {
            self.reason(
                &s,
                Effect::ReviewPolicy,
                format!("744.23(d): {} for the end-use licence", p.as_str()),
                json!({"eccn": cand.eccn}),
                &[],
            )
        });
        (p, r)
    }
}

fn list_rule_id(kind: ListKind) -> &'static str {
    match kind {
        ListKind::EntityList => "parties.entity_list",
        ListKind::DeniedPersons => "parties.denied_persons",
        ListKind::OfacSdn => "parties.ofac_sdn",
        ListKind::MilitaryEndUser => "parties.meu",
        ListKind::Unverified => "parties.unverified",
        _ => "parties.other",
    }
}

/// Strictest policy named in an Entity List review-policy text.
fn parse_policy_text(t: &str) -> Option<Policy> {
    let t = t.to_lowercase();
    if t.contains("denial") {
        Some(Policy::PresumptionOfDenial)
    } else if t.contains("case-by-case") || t.contains("case by case") {
        Some(Policy::CaseByCase)
    } else if t.contains("approval") {
        Some(Policy::PresumptionOfApproval)
    } else {
        None
    }
}

fn country_label(code: &str) -> String {
    match earl_lists::country::display_name(code) {
        Some(n) => format!("{n} ({code})"),
        None => code.to_owned(),
    }
}

fn describe_scope(s: &crate::rules::Scope) -> String {
    let mut parts = Vec::new();
    if !s.groups.is_empty() {
        parts.push(format!("Country Groups {}", s.groups.join(", ")));
    }
    if !s.except_groups.is_empty() {
        parts.push(format!("excluding {}", s.except_groups.join(", ")));
    }
    if !s.countries.is_empty() {
        parts.push(format!("plus {}", s.countries.join(", ")));
    }
    parts.join(" ")
}
