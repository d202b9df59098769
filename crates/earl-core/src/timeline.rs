//! Catalog views: each chip's status for China on a date, and when each became controlled.

use crate::catalog::Catalog;
use crate::determine::check;
use crate::input::{Item, Party, Role, Transaction};
use crate::output::Verdict;
use crate::rules::{Policy, RuleSet};
use crate::screen::NoScreener;
use jiff::civil::Date;
use serde::Serialize;

/// A chip's status for an export to China on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChipRow {
    /// Product id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Classification.
    pub eccn: String,
    /// TPP.
    pub tpp: Option<f64>,
    /// Performance density.
    pub performance_density: Option<f64>,
    /// Verdict for China (party: a China-headquartered end user).
    pub verdict: Verdict,
    /// Exception.
    pub license_exception: Option<String>,
    /// Review policy.
    pub review_policy: Option<Policy>,
    /// Rule ids that imposed a requirement or decided the policy.
    pub rules: Vec<String>,
    /// Classification rests only on verified facts.
    pub verified: bool,
}

/// A change in a chip's status for China.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    /// Product id.
    pub id: String,
    /// Date of the change.
    pub date: Date,
    /// New classification.
    pub eccn: String,
    /// New verdict.
    pub verdict: Verdict,
    /// New exception.
    pub license_exception: Option<String>,
    /// New review policy.
    pub review_policy: Option<Policy>,
    /// The rules behind the new status.
    pub rules: Vec<String>,
    /// Release of the product (catalog text).
    pub released: Option<String>,
}

fn china_tx(id: &str, date: Date) -> Transaction {
    Transaction {
        date,
        exporter: None,
        destination: "CN".into(),
        items: vec![Item { product: Some(id.to_owned()), ..Item::default() }],
        parties: vec![Party {
            role: Some(Role::EndUser),
            country: Some("CN".into()),
            headquarters: Some("CN".into()),
            ..Party::default()
        }],
        end_uses: Vec::new(),
    }
}

fn row(rules: &RuleSet, catalog: &Catalog, id: &str, date: Date) -> Option<ChipRow> {
    let chip = catalog.get(id)?;
    let d = check(&china_tx(id, date), rules, catalog, &NoScreener);
    let item = d.items.first()?;
    let mut used: Vec<String> = d
        .reasons
        .iter()
        .filter(|r| {
            matches!(
                r.effect,
                crate::output::Effect::LicenseRequired
                    | crate::output::Effect::LicenseException
                    | crate::output::Effect::ReviewPolicy
            )
        })
        .map(|r| r.rule.clone())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    used.retain(|r| seen.insert(r.clone()));
    Some(ChipRow {
        id: id.to_owned(),
        name: chip.name.clone(),
        eccn: item.eccn.clone(),
        tpp: item.tpp,
        performance_density: item.performance_density,
        verdict: d.verdict,
        license_exception: d.license_exception.clone(),
        review_policy: d.review_policy,
        rules: used,
        verified: item.verified,
    })
}

impl Catalog {
    /// Every catalog chip's status for export to a China-headquartered end user in China
    /// on `date`.
    pub fn chips(&self, rules: &RuleSet, date: Date) -> Vec<ChipRow> {
        self.ids().into_iter().filter_map(|id| row(rules, self, id, date)).collect()
    }

    /// For each chip, the dates its status for China changed (evaluated on every rule
    /// effective date and the day after each rule ended).
    pub fn timeline(&self, rules: &RuleSet) -> Vec<TimelineRow> {
        let mut dates: Vec<Date> = rules
            .records()
            .flat_map(|m| [Some(m.effective), m.until.and_then(|u| u.tomorrow().ok())])
            .flatten()
            .filter(|d| *d >= Date::constant(2022, 10, 7) && *d <= rules.data_as_of)
            .collect();
        dates.sort();
        dates.dedup();
        let mut out = Vec::new();
        for id in self.ids() {
            let mut last: Option<(String, Verdict, Option<String>, Option<Policy>)> = None;
            for d in &dates {
                let Some(r) = row(rules, self, id, *d) else { continue };
                let key = (r.eccn.clone(), r.verdict, r.license_exception.clone(), r.review_policy);
                if last.as_ref() != Some(&key) {
                    // The first row is only interesting if the chip is controlled.
                    if last.is_some() || r.verdict != Verdict::NoLicenseRequired {
                        out.push(TimelineRow {
                            id: id.to_owned(),
                            date: *d,
                            eccn: r.eccn.clone(),
                            verdict: r.verdict,
                            license_exception: r.license_exception.clone(),
                            review_policy: r.review_policy,
                            rules: r.rules.clone(),
                            released: self.get(id).and_then(|c| c.released.clone()),
                        });
                    }
                    last = Some(key);
                }
            }
        }
        out
    }
}

/// Render chip rows as a table.
pub fn chips_to_text(rows: &[ChipRow]) -> String {
    let mut s = format!(
        "{:<20} {:<26} {:>8} {:>7}  {:<20} {:<22}\n",
        "id", "classification", "TPP", "PD", "verdict (China)", "policy"
    );
    for r in rows {
        s.push_str(&format!(
            "{:<20} {:<26} {:>8} {:>7}  {:<26} {:<22}{}\n",
            r.id,
            r.eccn,
            r.tpp.map(|t| format!("{t}")).unwrap_or_else(|| "?".into()),
            r.performance_density.map(|t| format!("{t:.2}")).unwrap_or_else(|| "-".into()),
            match &r.license_exception {
                Some(e) => format!("{} ({e})", r.verdict.as_str()),
                None => r.verdict.as_str().to_owned(),
            },
            r.review_policy.map(Policy::as_str).unwrap_or("-"),
            if r.verified { "" } else { "  [unverified facts]" }
        ));
    }
    s
}

/// Render the timeline (dates are rule dates; a chip's own release date is in the catalog).
pub fn timeline_to_text(rows: &[TimelineRow]) -> String {
    let mut s = String::from(
        "Status for export to a China-headquartered end user in China, by rule date\n",
    );
    let mut last = "";
    for r in rows {
        if r.id != last {
            match &r.released {
                Some(rel) => s.push_str(&format!("{} (released {rel})\n", r.id)),
                None => s.push_str(&format!("{}\n", r.id)),
            }
            last = &r.id;
        }
        s.push_str(&format!(
            "  {}  {:<26} {:<36} {:<22} {}\n",
            r.date,
            r.eccn,
            match &r.license_exception {
                Some(e) => format!("{} ({e})", r.verdict.as_str()),
                None => r.verdict.as_str().to_owned(),
            },
            r.review_policy.map(Policy::as_str).unwrap_or("-"),
            r.rules.join(", ")
        ));
    }
    s
}
