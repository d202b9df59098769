//! Shared test helpers: a SimpleScreener seeded with real entries.
#![allow(dead_code, reason = "not every test binary uses every helper")]
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used, reason = "test helpers")]

use earl_core::{Catalog, RuleSet, SimpleScreener};
use earl_lists::{Entry, FrCitation, ListId, ListKind};
use jiff::civil::Date;

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

pub fn rules() -> RuleSet {
    RuleSet::bundled().unwrap()
}

pub fn catalog() -> Catalog {
    Catalog::bundled().unwrap()
}

fn el(
    id: &str,
    name: &str,
    aliases: &[&str],
    country: &str,
    listed: &str,
    fr: &str,
    footnotes: &[u8],
) -> Entry {
    let list = ListId::from("us_bis_entity_list");
    let mut e = Entry::new(list, id, name);
    e.aliases = aliases
        .iter()
        .map(|a| earl_lists::Alias { name: (*a).to_owned(), kind: earl_lists::AliasKind::Aka })
        .collect();
    e.country = Some(country.to_owned());
    e.listed_on = Some(date(listed));
    e.federal_register = vec![FrCitation { cite: fr.to_owned(), date: Some(date(listed)) }];
    e.license_requirement =
        Some("For all items subject to the EAR (See § 744.11 of the EAR)".to_owned());
    e.footnotes = footnotes.to_vec();
    e
}

/// Real entries (names, FR citations and footnotes from the eCFR Entity List of July 2026;
/// listing dates are the FR publication dates). Review policies are not in that snapshot.
pub fn screener() -> SimpleScreener {
    let mut s = SimpleScreener::new();
    s.add_list(
        ListId::from("us_bis_entity_list"),
        ListKind::EntityList,
        date("2026-07-09"),
        "test-entity-list",
        vec![
            el(
                "cn-sicarrier",
                "Shenzhen SiCarrier Technologies Co., Ltd.",
                &["Shenzhen Xinkailai Technology Co., Ltd.", "SiCarrier"],
                "CN",
                "2024-12-05",
                "89 FR 96836, 12/5/24",
                &[],
            ),
            el(
                "cn-smic",
                "Semiconductor Manufacturing International Corporation (SMIC)",
                &["SMIC Shanghai"],
                "CN",
                "2020-12-22",
                "85 FR 83420, 12/22/20",
                &[5],
            ),
        ],
    );
    let mut meu = Entry::new(
        ListId::from("us_bis_meu"),
        "meu-test",
        "Example Aviation Industry Research Institute",
    );
    meu.country = Some("CN".into());
    meu.listed_on = Some(date("2020-12-23"));
    s.add_list(
        ListId::from("us_bis_meu"),
        ListKind::MilitaryEndUser,
        date("2026-07-09"),
        "test-meu",
        vec![meu],
    );
    let mut dpl = Entry::new(ListId::from("us_bis_dpl"), "dpl-test", "Example Denied Trading Ltd.");
    dpl.listed_on = Some(date("2021-01-01"));
    s.add_list(
        ListId::from("us_bis_dpl"),
        ListKind::DeniedPersons,
        date("2026-04-14"),
        "test-dpl",
        vec![dpl],
    );
    let mut sdn =
        Entry::new(ListId::from("us_ofac_sdn"), "sdn-test", "Example Blocked Shipping LLC");
    sdn.listed_on = Some(date("2022-01-01"));
    s.add_list(
        ListId::from("us_ofac_sdn"),
        ListKind::OfacSdn,
        date("2025-12-01"),
        "test-sdn",
        vec![sdn],
    );
    s
}
