//! Property tests: monotonicity in performance, rules never cited before they apply, and
//! no panics on arbitrary transactions.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "property tests")]

mod common;

use earl_core::{ChipSpec, Item, Party, Role, Transaction, Verdict, check};
use jiff::civil::Date;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::NoLicenseRequired => 0,
        Verdict::LicenseException => 1,
        Verdict::NeedsInformation => 2,
        Verdict::LicenseRequired => 3,
    }
}

fn strictness(eccn: &str) -> u8 {
    match eccn {
        "3A090.a" | "3A090" => 2,
        "3A090.b" => 1,
        _ => 0,
    }
}

const DESTS: &[&str] =
    &["CN", "MO", "HK", "VN", "SA", "AE", "RU", "KH", "IL", "CY", "MY", "DE", "IN", "US"];
const HQS: &[&str] = &["CN", "MO", "US", "DE", "VN", "MY", "SG", "RU"];

fn day(offset: i32) -> Date {
    Date::constant(2022, 9, 1).checked_add(jiff::Span::new().days(offset)).unwrap()
}

fn tx_with(spec: ChipSpec, dest: &str, hq: &str, date: Date) -> Transaction {
    Transaction {
        date,
        exporter: None,
        destination: dest.to_owned(),
        items: vec![Item { chip: Some(spec), ..Item::default() }],
        parties: vec![Party {
            role: Some(Role::EndUser),
            name: Some("Example Party".into()),
            country: Some(dest.to_owned()),
            headquarters: Some(hq.to_owned()),
            ..Party::default()
        }],
        end_uses: Vec::new(),
    }
}

fn spec(fp16: f64, area: f64, dc: bool) -> ChipSpec {
    ChipSpec {
        tops: BTreeMap::from([("fp16".to_owned(), fp16)]),
        die_area_mm2: Some(area),
        datacenter: Some(dc),
        interconnect_gbps: Some(700.0),
        process_nm: Some(5.0),
        planar: Some(false),
        dram_bandwidth_gbps: Some(1000.0),
        designer: Some("Example Design".into()),
        ..ChipSpec::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn raising_tpp_or_density_never_lifts_a_control(
        fp16 in 0.0f64..600.0,
        factor in 1.0f64..3.0,
        area in 50.0f64..2000.0,
        shrink in 0.2f64..1.0,
        dc in any::<bool>(),
        d in 0usize..DESTS.len(),
        h in 0usize..HQS.len(),
        offset in 0i32..2400,
    ) {
        let rules = common::rules();
        let catalog = common::catalog();
        let s = common::screener();
        let date = day(offset);
        let base = check(&tx_with(spec(fp16, area, dc), DESTS[d], HQS[h], date), &rules, &catalog, &s);
        let more_tpp = check(&tx_with(spec(fp16 * factor, area, dc), DESTS[d], HQS[h], date), &rules, &catalog, &s);
        let more_pd = check(&tx_with(spec(fp16, area * shrink, dc), DESTS[d], HQS[h], date), &rules, &catalog, &s);
        for (name, up) in [("tpp", &more_tpp), ("density", &more_pd)] {
            prop_assert!(severity(up.verdict) >= severity(base.verdict),
                "raising {name} lowered the verdict {:?} -> {:?} ({fp16} x{factor}, area {area} x{shrink}, dc {dc}, {} {} {date})",
                base.verdict, up.verdict, DESTS[d], HQS[h]);
            prop_assert!(strictness(&up.items[0].eccn) >= strictness(&base.items[0].eccn),
                "raising {name} lowered the ECCN {} -> {}", base.items[0].eccn, up.items[0].eccn);
        }
    }

    #[test]
    fn no_rule_is_cited_outside_its_dates(
        product in 0usize..18,
        d in 0usize..DESTS.len(),
        h in 0usize..HQS.len(),
        offset in -400i32..3000,
        end_use in 0usize..5,
    ) {
        let rules = common::rules();
        let catalog = common::catalog();
        let s = common::screener();
        let id = catalog.ids()[product % catalog.ids().len()].to_owned();
        let mut tx = tx_with(ChipSpec::default(), DESTS[d], HQS[h], day(offset));
        tx.items = vec![Item { product: Some(id), ..Item::default() }, Item { eccn: Some("EAR99".into()), ..Item::default() }];
        tx.end_uses = match end_use {
            0 => vec![],
            1 => vec![earl_core::EndUse::Supercomputer],
            2 => vec![earl_core::EndUse::AdvancedNodeIcProduction],
            3 => vec![earl_core::EndUse::Military],
            _ => vec![earl_core::EndUse::SmeProduction],
        };
        let det = check(&tx, &rules, &catalog, &s);
        for r in &det.reasons {
            let m = rules.meta(&r.rule);
            prop_assert!(m.is_some(), "unknown rule {}", r.rule);
            let m = m.unwrap();
            prop_assert!(m.effective <= tx.date, "{} (effective {}) cited on {}", r.rule, m.effective, tx.date);
            prop_assert!(m.until.is_none_or(|u| tx.date <= u), "{} (until {:?}) cited on {}", r.rule, m.until, tx.date);
        }
        // Never a silent "no licence required".
        if det.verdict == Verdict::NoLicenseRequired {
            prop_assert!(!det.reasons.is_empty());
        }
    }

    #[test]
    fn check_never_panics(
        tops in proptest::collection::btree_map("[a-z0-9]{2,5}", prop_oneof![Just(f64::NAN), Just(-1.0), Just(0.0), 0.0f64..1e12], 0..4),
        area in proptest::option::of(prop_oneof![Just(0.0), Just(-3.0), Just(f64::INFINITY), 0.0f64..1e6]),
        nm in proptest::option::of(-5.0f64..100.0),
        flags in proptest::collection::vec(proptest::option::of(any::<bool>()), 6),
        dest in "[A-Z]{2}",
        offset in -5000i32..8000,
        hbm in proptest::option::of((proptest::option::of(-10.0f64..1e6), proptest::option::of(-1.0f64..1e4))),
        eccn in proptest::option::of(prop_oneof![Just("EAR99".to_owned()), Just("3A090".to_owned()), Just("5A992.z.9.q".to_owned()), "[0-9][A-E][0-9]{3}(\\.[a-z0-9]){0,3}"]),
    ) {
        let rules = common::rules();
        let catalog = common::catalog();
        let s = common::screener();
        let chip = ChipSpec {
            tops,
            die_area_mm2: area,
            process_nm: nm,
            datacenter: flags[0],
            planar: flags[1],
            hbm: flags[2],
            attested_transistors: flags[3],
            designer_approved: flags[4],
            osat_approved: flags[5],
            transistors_billion: nm,
            dram_bandwidth_gbps: area,
            interconnect_gbps: nm,
            ..ChipSpec::default()
        };
        let items = match hbm {
            Some((bw, a)) => vec![Item { hbm: Some(earl_core::HbmSpec { bandwidth_gbps: bw, area_mm2: a, packaging_at_advanced_node_facility: flags[0] }), ..Item::default() }],
            None => vec![Item { chip: Some(chip), eccn, ..Item::default() }, Item::default()],
        };
        let tx = Transaction {
            date: day(offset),
            exporter: Some(earl_core::Exporter { kind: Some(earl_core::ExporterKind::FrontEndFabricator), headquarters: Some(dest.clone()), ..Default::default() }),
            destination: dest.clone(),
            items,
            parties: vec![Party { name: Some("SiCarrier".into()), headquarters: Some(dest), role: Some(Role::IntermediateConsignee), ..Party::default() }],
            end_uses: vec![earl_core::EndUse::Military, earl_core::EndUse::Supercomputer],
        };
        let det = check(&tx, &rules, &catalog, &s);
        let _ = det.to_text();
        let _ = det.to_json();
    }

    #[test]
    fn from_json_never_panics(text in ".{0,200}") {
        let _ = Transaction::from_json(&text);
    }

    #[test]
    fn from_json_never_panics_on_json_like(
        date in "[0-9-]{0,12}",
        dest in "[A-Za-z]{0,3}",
        n in prop_oneof![Just("-1".to_owned()), Just("1e400".to_owned()), Just("0".to_owned()), "[0-9]{1,12}(\\.[0-9]{1,20})?"],
    ) {
        let text = format!(r#"{{"date": "{date}", "destination": "{dest}", "items": [{{"chip": {{"tops": {{"fp8": {n}}}, "die_area_mm2": {n}}}}}, {{"hbm": {{"bandwidth_gbps": {n}, "area_mm2": {n}}}}}]}}"#);
        let _ = Transaction::from_json(&text);
    }
}
