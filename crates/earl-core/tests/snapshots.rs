//! Snapshots of the text and JSON renderings of the example determinations, a
//! classification, and the catalog views.

#![allow(clippy::unwrap_used, reason = "test helpers")]

mod common;

use earl_core::{Transaction, check, chips_to_text, timeline_to_text};

fn example(name: &str) -> earl_core::Determination {
    let path = format!("{}/../../examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let tx = Transaction::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    check(&tx, &common::rules(), &common::catalog(), &common::screener())
}

macro_rules! stable {
    ($($body:tt)*) => {
        insta::with_settings!({filters => vec![(r"\d{4}\.\d+\.\d+\+[0-9a-f]{12}", "[rules_version]")]}, { $($body)* })
    };
}

macro_rules! snap_example {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            let d = example($name);
            stable!(insta::assert_snapshot!(concat!($name, ".txt"), d.to_text()));
            insta::assert_json_snapshot!(concat!($name, ".json"), d, {
                ".data.rules_version" => "[rules_version]",
                ".data.rules_sha256" => "[sha256]",
                ".data.rule_files_sha256" => "[sha256]",
                ".data.catalog_sha256" => "[sha256]",
            });
        }
    };
}

snap_example!(h100_to_shenzhen, "h100-to-shenzhen");
snap_example!(h20_2025, "h20-2025");
snap_example!(hbm_to_china, "hbm-to-china");
snap_example!(foundry_7nm, "foundry-7nm");
snap_example!(rtx4090_gaming, "rtx4090-gaming");
snap_example!(entity_list_party, "entity-list-party");
snap_example!(needs_info, "needs-info");

#[test]
fn classification_text() {
    let c = common::rules().classify_spec(
        &common::catalog().get("nvidia-l40").unwrap().spec,
        common::date("2024-06-03"),
    );
    insta::assert_snapshot!("classification-l40", c.to_text());
}

#[test]
fn catalog_views() {
    let rules = common::rules();
    let catalog = common::catalog();
    insta::assert_snapshot!(
        "chips-2025-06-02",
        chips_to_text(&catalog.chips(&rules, common::date("2025-06-02")))
    );
    insta::assert_snapshot!("timeline", timeline_to_text(&catalog.timeline(&rules)));
}
