//! Build and check the bundled list snapshot (`data/lists`).
//!
//! Every bundled list is declared once in [`specs`]: its identity, the shared-data file(s) it
//! is imported from, the as-of date and the provenance that goes into `ListMeta`. The build
//! is deterministic: same inputs, same bytes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use earl_lists::import::{self, Format, ListTarget};
use earl_lists::snapshot::{SnapshotSet, encode_jsonl, encode_manifest, file_name, seal};
use earl_lists::{ListKind, ListSnapshot};
use jiff::civil::{Date, date};

/// Where a list's data comes from, relative to the shared data dir.
enum Input {
    /// One file in one format.
    One(Format, String),
    /// An OFAC legacy CSV set: primary, addresses, aliases, comments.
    Ofac([&'static str; 4]),
}

struct Spec {
    target: ListTarget,
    input: Input,
    as_of: Option<Date>,
}

const NSFREG: &str =
    "github.com/phagehunter/nsfreg @ 02787e87e65d9452d34e1413859cbea1b0a94b00 (2026-07-09)";
const NSFREG_LICENSE: &str = "US Government publication (17 U.S.C. 105, no copyright); upstream JSON structuring by the nsfreg author, repository has no license file";

#[expect(clippy::too_many_arguments, reason = "one call per list reads as a table")]
fn nsfreg(
    id: &str,
    kind: ListKind,
    title: &str,
    authority: &str,
    file: &str,
    url: &str,
    as_of: Date,
    notes: &[&str],
) -> Spec {
    let mut t = ListTarget::new(id, kind, title);
    t.authority = authority.to_owned();
    t.source = format!("{NSFREG}: data/{file}");
    t.source_url = Some(url.to_owned());
    t.license = Some(NSFREG_LICENSE.to_owned());
    t.notes = notes.iter().map(|n| (*n).to_owned()).collect();
    Spec {
        target: t,
        input: Input::One(Format::NsfregJson, format!("nsfreg-us-lists/{file}")),
        as_of: Some(as_of),
    }
}

fn specs() -> Vec<Spec> {
    const BIS: &str = "US Department of Commerce, Bureau of Industry and Security";
    let mut v = vec![
        nsfreg(
            "us_bis_entity_list",
            ListKind::EntityList,
            "Entity List (Supplement No. 4 to Part 744 of the EAR)",
            BIS,
            "bis_entity_list.json",
            "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744#Supplement-No.-4-to-Part-744",
            date(2026, 7, 9),
            &[
                "as_of is the upstream extraction date of the eCFR text (downloaded July 2026, extracted 2026-07-09); the latest Federal Register citation in the data is 90 FR 48195 of 2025-10-09, so the snapshot reflects the list as amended through at least that rule",
            ],
        ),
        nsfreg(
            "us_bis_meu",
            ListKind::MilitaryEndUser,
            "Military End-User (MEU) List (Supplement No. 7 to Part 744 of the EAR)",
            BIS,
            "bis_meu.json",
            "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744/appendix-Supplement%20No.%207%20to%20Part%20744",
            date(2026, 7, 9),
            &["as_of is the upstream extraction date of the eCFR text (downloaded July 2026)"],
        ),
        nsfreg(
            "us_bis_dpl",
            ListKind::DeniedPersons,
            "Denied Persons List",
            BIS,
            "bis_dpl.json",
            "https://www.bis.gov/licensing/end-user-guidance/denied-persons-list-dpl",
            date(2026, 4, 14),
            &[
                "BIS export dpl_04142026.csv of 2026-04-14; listed_on is the denial order's effective date",
            ],
        ),
        nsfreg(
            "us_ofac_nscmic",
            ListKind::Other,
            "Non-SDN Chinese Military-Industrial Complex Companies List (NS-CMIC)",
            "US Department of the Treasury, Office of Foreign Assets Control",
            "ofac_nscmic.json",
            "https://www.treasury.gov/ofac/downloads/ccmc/nscmiclist.pdf",
            date(2026, 7, 9),
            &[
                "OFAC publication as downloaded July 2026 (PDF-derived); investment restrictions, not an export-control list",
            ],
        ),
        nsfreg(
            "us_dod_1260h",
            ListKind::Other,
            "Section 1260H List of Chinese Military Companies",
            "US Department of War (Defense)",
            "dow_1260h.json",
            "https://www.federalregister.gov/documents/search?conditions%5Bsearch_type_id%5D=3&conditions%5Bterm%5D=1260H",
            date(2026, 6, 10),
            &[
                "Federal Register notice of 2026-06-10 (91 FR 35189); notes are cut at about 200 characters upstream",
            ],
        ),
        nsfreg(
            "us_dod_1286",
            ListKind::Other,
            "Section 1286 List of Foreign Talent Programs and Institutions",
            "US Department of War (Defense)",
            "dow_1286.json",
            "https://basicresearch.defense.gov/Programs/Academic-Research-Security/",
            date(2026, 7, 9),
            &[
                "FY24 Section 1286 List (public release, version 2); the edition carries no day, as_of is the upstream download date; entries have no country",
            ],
        ),
        nsfreg(
            "us_dhs_uflpa",
            ListKind::Other,
            "Uyghur Forced Labor Prevention Act (UFLPA) Entity List",
            "US Department of Homeland Security",
            "dhs_uflpa.json",
            "https://www.dhs.gov/uflpa-entity-list",
            date(2026, 7, 9),
            &["DHS page as fetched 2026-07-09"],
        ),
        nsfreg(
            "us_state_nonproliferation",
            ListKind::Other,
            "Nonproliferation Sanctions (State Department)",
            "US Department of State",
            "state_nonproliferation.json",
            "https://www.state.gov/bureau-of-arms-control-and-nonproliferation/nonproliferation-sanctions",
            date(2026, 7, 9),
            &[
                "master sanctions table of May 2025 (PDF-derived), downloaded 2026-07-09; as_of is the download date; check each sanction's own expiry in remarks",
            ],
        ),
        nsfreg(
            "us_state_debarred_statutory",
            ListKind::Other,
            "AECA/ITAR Statutorily Debarred Parties",
            "US Department of State, Directorate of Defense Trade Controls",
            "state_debarred_statutory.json",
            "https://deccspmddtc.servicenowservices.com/ddtc_public?id=ddtc_kb_article_page&sys_id=c22d1833dbb8d300d0a370131f9619f0",
            date(2025, 8, 25),
            &["DDTC statutory debarment list of 2025-08-25 (revised)"],
        ),
        nsfreg(
            "us_state_debarred_admin",
            ListKind::Other,
            "AECA/ITAR Administratively Debarred Parties",
            "US Department of State, Directorate of Defense Trade Controls",
            "state_debarred_admin.json",
            "https://deccspmddtc.servicenowservices.com/ddtc_public?id=ddtc_kb_article_page&sys_id=c22d1833dbb8d300d0a370131f9619f0",
            date(2023, 6, 1),
            &["DDTC administrative debarment list of 2023-06-01"],
        ),
        nsfreg(
            "us_fcc_covered",
            ListKind::Other,
            "List of Equipment and Services Covered by Section 2 of the Secure Networks Act",
            "US Federal Communications Commission",
            "fcc_covered.json",
            "https://www.fcc.gov/supplychain/coveredlist",
            date(2026, 7, 9),
            &[
                "FCC page as downloaded July 2026; entries are producers of covered equipment, listed_on is the covered-list date",
            ],
        ),
        nsfreg(
            "us_cbp_wro",
            ListKind::Other,
            "Withhold Release Orders and Findings List",
            "US Customs and Border Protection",
            "cbp_wro.json",
            "https://www.cbp.gov/document/stats/withhold-release-orders-findings",
            date(2026, 6, 23),
            &[
                "CBP export of 2026-06-23 (FY26); one entry per order or finding, so a facility can appear several times; status in remarks",
            ],
        ),
    ];
    v.extend(other_specs());
    v
}

const WATCHMAN: &str =
    "github.com/moov-io/watchman @ d299005fe25f511fe8abdb6425c745e16cb5ca2c (2026-08-21)";
const XYNA: &str = "github.com/xyna-bpinelab/security-export-control-registry @ 101c8139048a0ac3be8ce20f41091fcc812df165 (2026-07-24)";
const XYNA_LICENSE: &str = "upstream README states MIT (no LICENSE file in the repository); underlying data are publications of the Chinese Ministry of Commerce / Japanese METI";

struct Other {
    id: &'static str,
    kind: ListKind,
    title: &'static str,
    authority: &'static str,
    source: String,
    url: &'static str,
    license: &'static str,
    as_of: Date,
    notes: &'static [&'static str],
    select: Option<&'static str>,
    input: Input,
}

impl From<Other> for Spec {
    fn from(o: Other) -> Spec {
        let mut t = ListTarget::new(o.id, o.kind, o.title);
        t.authority = o.authority.to_owned();
        t.source = o.source;
        t.source_url = Some(o.url.to_owned());
        t.license = Some(o.license.to_owned());
        t.notes = o.notes.iter().map(|n| (*n).to_owned()).collect();
        t.select = o.select.map(str::to_owned);
        Spec { target: t, input: o.input, as_of: Some(o.as_of) }
    }
}

fn other_specs() -> Vec<Spec> {
    const OFAC: &str = "US Department of the Treasury, Office of Foreign Assets Control";
    const OFAC_LICENSE: &str = "US Government publication (17 U.S.C. 105, no copyright); copy taken from moov-io/watchman test data (Apache-2.0 repository)";
    const MOFCOM: &str = "Ministry of Commerce of the People's Republic of China (MOFCOM)";
    const MOFCOM_URL: &str = "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html";
    let xyna_cn = || format!("{XYNA}: data/entities/cn.json");
    let specs = vec![
        Other {
            id: "us_ofac_sdn",
            kind: ListKind::OfacSdn,
            title: "Specially Designated Nationals and Blocked Persons List (SDN)",
            authority: OFAC,
            source: format!(
                "{WATCHMAN}: test/testdata/bench/sdn.csv, add.csv, alt.csv, sdn_comments.csv (last changed upstream in 05de7744, 2021-07-07)"
            ),
            url: "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
            license: OFAC_LICENSE,
            as_of: date(2021, 7, 7),
            notes: &[
                "OUTDATED: the full SDN list as of July 2021 (highest ent_num 32391), the newest complete sdn.csv set available offline; it misses every designation since, including the 2022-2025 Russia and China actions. Import a current sdn.csv set with `earl lists import --format ofac-csv` before relying on it",
                "aliases from alt.csv are strong aliases; a.k.a. names in the remarks are OFAC weak aliases (kind weak)",
                "country is set only when all of an entry's addresses are in one country (or from a vessel's flag)",
            ],
            select: None,
            input: Input::Ofac([
                "moov-watchman/ofac-sdn-2021-07.csv",
                "moov-watchman/ofac-sdn-add-2021-07.csv",
                "moov-watchman/ofac-sdn-alt-2021-07.csv",
                "moov-watchman/ofac-sdn-comments-2021-07.csv",
            ]),
        },
        Other {
            id: "us_ofac_cons",
            kind: ListKind::OfacNonSdn,
            title: "Consolidated Sanctions List (non-SDN lists: SSI, NS-CMIC, NS-PLC, FSE, ...)",
            authority: OFAC,
            source: format!(
                "{WATCHMAN}: test/testdata/cons_prim.csv, cons_add.csv, cons_alt.csv, cons_comments.csv (last changed upstream in fca231b0, 2025-12-19)"
            ),
            url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
            license: OFAC_LICENSE,
            as_of: date(2025, 12, 19),
            notes: &[
                "as_of is the date the files were committed upstream; programs per entry (e.g. CMIC-EO13959 for NS-CMIC)",
            ],
            select: None,
            input: Input::Ofac([
                "moov-watchman/ofac-cons-prim-2025-12.csv",
                "moov-watchman/ofac-cons-add-2025-12.csv",
                "moov-watchman/ofac-cons-alt-2025-12.csv",
                "moov-watchman/ofac-cons-comments-2025-12.csv",
            ]),
        },
        Other {
            id: "un_sc_consolidated",
            kind: ListKind::UnConsolidated,
            title: "United Nations Security Council Consolidated List",
            authority: "United Nations Security Council",
            source: format!("{WATCHMAN}: test/testdata/UN_consolidated.xml (612b2174, 2026-02-27)"),
            url: "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
            license: "UN Security Council publication; reuse terms NOT verified (a third-party project reports that the un.org Terms of Use allow personal, non-commercial use only). Check before redistributing earl with this list",
            as_of: date(2026, 2, 27),
            notes: &["as_of is the file's dateGenerated; ids are UN permanent reference numbers"],
            select: None,
            input: Input::One(Format::UnXml, "moov-watchman/un-consolidated-2026-02-27.xml".into()),
        },
        Other {
            id: "cn_mofcom_unreliable_entity",
            kind: ListKind::CnUnreliableEntity,
            title: "Unreliable Entity List (不可靠实体清单)",
            authority: MOFCOM,
            source: xyna_cn(),
            url: MOFCOM_URL,
            license: XYNA_LICENSE,
            as_of: date(2026, 7, 19),
            notes: &[
                "as_of is the upstream last_verified date; records carry their MOFCOM announcement URL",
            ],
            select: Some("cn-unreliable-entity-list"),
            input: Input::One(Format::XynaJson, "xyna-export-control-registry/cn.json".into()),
        },
        Other {
            id: "cn_mofcom_export_control",
            kind: ListKind::CnExportControl,
            title: "Export Control Control List (出口管制管控名单)",
            authority: MOFCOM,
            source: xyna_cn(),
            url: MOFCOM_URL,
            license: XYNA_LICENSE,
            as_of: date(2026, 7, 19),
            notes: &[
                "as_of is the upstream last_verified date; records carry their MOFCOM announcement URL",
            ],
            select: Some("cn-export-control-watchlist"),
            input: Input::One(Format::XynaJson, "xyna-export-control-registry/cn.json".into()),
        },
        Other {
            id: "cn_mofcom_attention",
            kind: ListKind::CnAttention,
            title: "Attention List (关注名单)",
            authority: MOFCOM,
            source: xyna_cn(),
            url: MOFCOM_URL,
            license: XYNA_LICENSE,
            as_of: date(2026, 7, 19),
            notes: &[
                "as_of is the upstream last_verified date; records carry their MOFCOM announcement URL",
            ],
            select: Some("cn-attention-list"),
            input: Input::One(Format::XynaJson, "xyna-export-control-registry/cn.json".into()),
        },
        Other {
            id: "jp_meti_end_user",
            kind: ListKind::JpEndUser,
            title: "End User List (外国ユーザーリスト)",
            authority: "Ministry of Economy, Trade and Industry of Japan (METI)",
            source: format!("{XYNA}: data/entities/jp.json"),
            url: "https://www.meti.go.jp/press/2025/09/20250929006/20250929006.html",
            license: XYNA_LICENSE,
            as_of: date(2026, 7, 20),
            notes: &[
                "2025-09-29 edition of the list (per its source URL), verified upstream 2026-07-20; entries carry no listing date; the address field usually holds just the country",
            ],
            select: None,
            input: Input::One(Format::XynaJson, "xyna-export-control-registry/jp.json".into()),
        },
    ];
    specs.into_iter().map(Spec::from).collect()
}

fn read(shared: &Path, rel: &str) -> Result<Vec<u8>> {
    let path = shared.join(rel);
    fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

fn build_one(shared: &Path, spec: &Spec) -> Result<ListSnapshot> {
    match &spec.input {
        Input::One(format, file) => {
            let bytes = read(shared, file)?;
            import::import(*format, &spec.target, &bytes, spec.as_of)
                .with_context(|| format!("importing {file} as {}", spec.target.id))
        }
        Input::Ofac([prim, add, alt, comments]) => {
            let (p, a, l, c) = (
                read(shared, prim)?,
                read(shared, add)?,
                read(shared, alt)?,
                read(shared, comments)?,
            );
            import::ofac::import_ofac(&p, Some(&a), Some(&l), Some(&c), &spec.target, spec.as_of)
                .with_context(|| format!("importing {prim} as {}", spec.target.id))
        }
    }
}

/// Import every list and write `out/manifest.json` plus one `.jsonl` per list.
pub fn build(shared: &Path, out: &Path) -> Result<()> {
    if !shared.is_dir() {
        bail!("shared data dir {} not found (pass --shared DIR)", shared.display());
    }
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut metas = Vec::new();
    let mut written = BTreeSet::new();
    println!("{:<32} {:>7}  {:<10}  format", "list", "entries", "as_of");
    for spec in specs() {
        let snap = build_one(shared, &spec)?;
        let (meta, text) = seal(snap.meta, &snap.entries);
        debug_assert_eq!(text, encode_jsonl(&snap.entries));
        let name = file_name(&meta.id);
        write_if_changed(&out.join(&name), &text)?;
        println!(
            "{:<32} {:>7}  {}  {}",
            meta.id.as_str(),
            meta.entry_count,
            meta.as_of,
            meta.format
        );
        written.insert(name);
        metas.push(meta);
    }
    write_if_changed(&out.join("manifest.json"), &encode_manifest(&metas))?;
    // Drop list files that are no longer declared.
    for entry in fs::read_dir(out)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.ends_with(".jsonl") && !written.contains(name) {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
            println!("removed stale {name}");
        }
    }
    let total: usize = metas.iter().map(|m| m.entry_count).sum();
    println!("{} lists, {total} entries -> {}", metas.len(), out.display());
    Ok(())
}

fn write_if_changed(path: &PathBuf, text: &str) -> Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Load a snapshot directory as the engine would and report counts and timing.
pub fn check(dir: &Path) -> Result<()> {
    let manifest = fs::read_to_string(dir.join("manifest.json"))
        .with_context(|| format!("reading {}/manifest.json", dir.display()))?;
    let mut files = std::collections::HashMap::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl")
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
        {
            files.insert(name.to_owned(), fs::read_to_string(&path)?);
        }
    }
    let bytes: usize = files.values().map(String::len).sum();
    // The loader as the engine calls it, and a bare decode loop for comparison, alternated
    // so both see the same machine load; best of each, and hashing alone.
    let mut best = f64::MAX;
    let mut seq = f64::MAX;
    let mut set = SnapshotSet::default();
    for _ in 0..10 {
        let start = Instant::now();
        set = SnapshotSet::from_parts(&manifest, |n| files.get(n).map(String::as_str))?;
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
        let start = Instant::now();
        for meta in earl_lists::snapshot::decode_manifest(&manifest)? {
            let text = files.get(&file_name(&meta.id)).map_or("", String::as_str);
            earl_lists::snapshot::decode_jsonl(meta, text)?;
        }
        seq = seq.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    let start = Instant::now();
    for text in files.values() {
        let _ = earl_lists::snapshot::sha256_hex(text);
    }
    let hash_ms = start.elapsed().as_secs_f64() * 1000.0;
    for l in &set.lists {
        println!("{:<32} {:>7}  {}", l.meta.id.as_str(), l.entries.len(), l.meta.as_of);
    }
    println!(
        "{} lists, {} entries, {:.1} MB ({}): SnapshotSet::from_parts best of 10 = {best:.1} ms; decode loop {seq:.1} ms; sha256 alone {hash_ms:.1} ms",
        set.lists.len(),
        set.entry_count(),
        bytes as f64 / 1e6,
        if cfg!(debug_assertions) { "debug build" } else { "release build" }
    );
    Ok(())
}
