//! Importers never panic: random bytes, truncations and byte flips of valid inputs give an
//! entry list or an `ImportError`, nothing else.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use earl_lists::import::ofac::import_ofac;
use earl_lists::import::{Format, ListTarget, import};
use earl_lists::{ListKind, SnapshotSet};
use jiff::civil::date;
use proptest::prelude::*;

const NSFREG: &str = r#"{"list_id":"bis-entity-list","extracted":"2026-07-09","count":1,"entities":[{"name":"Sugon (a.k.a. Dawning)","aliases":["Zhongke Shuguang; and"],"country":"China","address":"Addresses for Sugon: No. 36 Road, Beijing; and No. 15, Tianjin. Foo Technology Co., Ltd., No. 1 Road, Beijing. (See alternate address under Russia)","status":null,"effective_date":null,"federal_register":"84 FR 29373, 6/24/19.\n87 FR 62202, 10/13/22","notes":"For all items subject to the EAR. (See §§ 734.9(g),3 746.8(a)(3) of the EAR) 4"}]}"#;
const FR: &str = r#"<RULE><EFFDATE><P>This rule is effective February 24, 2023.</P></EFFDATE><P><PRTPAGE P="12171"/></P><GPOTABLE><ROW><ENT I="01">CHINA, PEOPLE'S REPUBLIC OF</ENT></ROW><ROW><ENT I="22"> </ENT><ENT>AOOK Ltd., a.k.a., the following one alias:<LI>—AOOK.</LI><LI>Rm 8, 9<SU>th</SU> Floor, Hong Kong.</LI></ENT><ENT>For all items. (See §§ 734.9(g),<SU>3</SU> 744.21(b))</ENT><ENT>Policy of denial.</ENT><ENT>88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].</ENT></ROW><ROW><ENT I="22"> </ENT><ENT>5F, Beijing.</ENT></ROW></GPOTABLE></RULE>"#;
const CSL: &str = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n\"e1\",\"Entity List (EL) - Bureau of Industry and Security\",\"\",\"Entity\",\"\",\"Sugon\",\"\",\"Beijing, CN; and Tianjin, CN\",\"84 FR 29373\",\"2019-06-24\",\"\",\"\",\"For all items (See § 744.11 of the EAR) 4\",\"Presumption of denial.\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"Dawning; 中科曙光\",\"\",\"\",\"\",\"\",\"\",\"US, 1, Tax ID No.\"\n";
const OFAC: &str = "306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,\"Panama\",-0- ,\"a.k.a. 'BNC'; DOB 1962; nationality Iran; Passport A1 (Egypt); Linked To: X.\"\r\n\x1a";
const UN: &str = r#"<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09Z"><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><LISTED_ON>2003-06-27</LISTED_ON><NAME_ORIGINAL_SCRIPT>صدام</NAME_ORIGINAL_SCRIPT><INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>B &amp; C</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"#;
const DPL: &str = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n\"A\"\t\"1 St\"\t\"X\"\t\"\"\t\"AE\"\t\"\"\t\"08/24/2022\"\t\"01/14/2026\"\t\"Y\"\t\"2022-08-29\"\t\"ADDED\"\t\"87 F.R. 52741 8/29/2022\"\n";
const XYNA: &str = r#"[{"addresses":["People's Republic of China Foo Co."],"aliases":["斯巴鲁"],"country":"cn","date_added":"2026-02-24","entity_name":"","entity_type":"organization","id":"a","last_verified":"2026-07-19","list_id":"l","reason":"r","source_list_name":"s","source_url":null}]"#;
const FTM: &str = include_str!("fixtures/ftm-sample.jsonl");
const EARL: &str = "{\"id\":\"EL-CN-sugon\",\"list\":\"el\",\"name\":\"Sugon\",\"aliases\":[{\"name\":\"Dawning\"}],\"country\":\"CN\",\"listed_on\":\"2019-06-24\",\"footnotes\":[4]}\n";

fn fixtures() -> Vec<(Format, &'static str)> {
    vec![
        (Format::NsfregJson, NSFREG),
        (Format::FrXml, FR),
        (Format::CslCsv, CSL),
        (Format::OfacCsv, OFAC),
        (Format::UnXml, UN),
        (Format::DplTsv, DPL),
        (Format::XynaJson, XYNA),
        (Format::FtmJsonl, FTM),
        (Format::EarlJsonl, EARL),
    ]
}

fn target() -> ListTarget {
    ListTarget::new("fuzz", ListKind::Other, "Fuzz")
}

#[test]
fn fixtures_are_valid() {
    for (format, text) in fixtures() {
        let snap = import(format, &target(), text.as_bytes(), Some(date(2026, 1, 1)))
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert!(!snap.entries.is_empty(), "{format}");
    }
}

fn mutate(base: &[u8], cut: usize, flips: &[(usize, u8)]) -> Vec<u8> {
    let mut b = base.get(..cut.min(base.len())).unwrap_or_default().to_vec();
    for (pos, byte) in flips {
        if !b.is_empty() {
            let i = pos % b.len();
            b[i] = *byte;
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), which in 0usize..9) {
        let (format, _) = fixtures()[which];
        let _ = import(format, &target(), &bytes, Some(date(2026, 1, 1)));
    }

    #[test]
    fn mutated_inputs_never_panic(
        which in 0usize..9,
        cut in 0usize..4000,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    ) {
        let (format, text) = fixtures()[which];
        let bytes = mutate(text.as_bytes(), cut, &flips);
        let _ = import(format, &target(), &bytes, Some(date(2026, 1, 1)));
        let _ = import(format, &target(), &bytes, None);
    }

    #[test]
    fn ofac_companions_never_panic(
        add in proptest::collection::vec(any::<u8>(), 0..200),
        alt in "[0-9,\"a-z -]{0,80}",
        comments in "[0-9,\"A-Z .;']{0,80}",
    ) {
        let _ = import_ofac(OFAC.as_bytes(), Some(&add), Some(alt.as_bytes()), Some(comments.as_bytes()), &target(), Some(date(2026, 1, 1)));
    }

    #[test]
    fn snapshot_loading_never_panics(manifest in "\\PC{0,200}", body in "\\PC{0,200}") {
        let _ = SnapshotSet::from_parts(&manifest, |_| Some(body.as_str()));
    }
}

/// Truncations of the real files at many points (developer machines only).
#[test]
fn truncated_real_files_never_panic() {
    let files = [
        (Format::NsfregJson, "nsfreg-us-lists/bis_meu.json"),
        (Format::FrXml, "federal-register/2023-03929.xml"),
        (Format::CslCsv, "moov-watchman/csl-sample-2025.csv"),
        (Format::OfacCsv, "moov-watchman/ofac-cons-prim-2025-12.csv"),
        (Format::DplTsv, "moov-watchman/bis-dpl-2022-09.txt"),
        (Format::XynaJson, "xyna-export-control-registry/cn.json"),
    ];
    for (format, rel) in files {
        let Some(bytes) = common::shared(rel) else { return };
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let _ = import(format, &target(), &bytes[..cut], Some(date(2026, 1, 1)));
        }
    }
}
