//! Times bulk screening and re-screening of a customer file against the bundled lists.
//!
//! ```text
//! cargo run -p earl-bulk --release --example bulk_bench -- screen /tmp/customers.csv /tmp/out.csv
//! cargo run -p earl-bulk --release --example bulk_bench -- rescreen /tmp/customers.csv /tmp/re.csv --changes 50
//! ```
//!
//! `rescreen` derives a "new" snapshot from the bundled one: `--changes N` entries of the
//! Entity List change, split as 80 % added (new Chinese entries in the style of a Federal
//! Register notice), 10 % changed (a footnote and a license policy), 10 % removed.
//! `io` screens against an empty index: the cost of reading, parsing and writing alone.
//! Options: `--threads N`, `--chunk N`, `--cache N` (distinct names whose results are reused,
//! 0 disables), `--json` (print the summary as JSON).

// The `earl` binary's allocator, so timings match `earl screen-file` / `earl rescreen`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use earl_bulk::{BulkOptions, ProgressMode, RescreenPlan, rescreen_with_plan, screen_file};
use earl_lists::{Entry, ListId, SnapshotSet};
use earl_screen::Screener;

const NEW_NAMES: &[&str] = &[
    "Shenzhen Huaxin Semiconductor Co., Ltd.",
    "Hangzhou Ruitai Intelligent Technology Co., Ltd.",
    "Beijing Zhongke Guangxin Optoelectronics Co., Ltd.",
    "Shanghai Hengtong Precision Machinery Co., Ltd.",
    "Chengdu Longxing Communication Co., Ltd.",
    "Wuhan Jinbao Electronics Co., Ltd.",
    "Suzhou Boxin Information Technology Co., Ltd.",
    "Tianjin Fuan New Materials Co., Ltd.",
];

/// The bundled set with `n` Entity List changes.
fn changed_set(base: &SnapshotSet, n: usize) -> SnapshotSet {
    let mut new = base.clone();
    let el = ListId::from("us_bis_entity_list");
    let Some(list) = new.lists.iter_mut().find(|l| l.meta.id == el) else { return new };
    let removed = n / 10;
    let changed = n / 10;
    let added = n - removed - changed;
    let cn: Vec<usize> = list
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.country.as_deref() == Some("CN"))
        .map(|(i, _)| i)
        .collect();
    for i in cn.iter().take(changed) {
        if let Some(e) = list.entries.get_mut(*i) {
            e.footnotes = vec![4];
            e.license_policy = Some("Presumption of denial.".into());
        }
    }
    let drop: Vec<String> = cn
        .iter()
        .skip(changed)
        .take(removed)
        .filter_map(|i| list.entries.get(*i).map(|e| e.id.clone()))
        .collect();
    list.entries.retain(|e| !drop.contains(&e.id));
    for k in 0..added {
        let base_name = NEW_NAMES.get(k % NEW_NAMES.len()).copied().unwrap_or("X Co., Ltd.");
        let name = if k < NEW_NAMES.len() {
            base_name.to_owned()
        } else {
            format!("{base_name} Branch {k}")
        };
        let mut e = Entry::new(el.clone(), format!("EL-CN-new-{k}"), name);
        e.country = Some("CN".into());
        e.listed_on = "2025-01-15".parse().ok();
        e.license_policy = Some("Presumption of denial.".into());
        list.entries.push(e);
    }
    new
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(input), Some(output)) = (args.first(), args.get(1), args.get(2)) else {
        return Err("usage: bulk_bench screen|rescreen|io INPUT OUTPUT [--changes N] [--threads N] [--chunk N] [--cache N] [--json]".into());
    };
    let flag = |name: &str| -> Option<&String> {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1))
    };
    let mut opts = BulkOptions::new(input, output);
    opts.progress = ProgressMode::Auto;
    if let Some(t) = flag("--threads") {
        opts.threads = Some(t.parse()?);
    }
    if let Some(c) = flag("--chunk") {
        opts.chunk_rows = c.parse()?;
    }
    if let Some(c) = flag("--cache") {
        opts.cache_names = c.parse()?;
    }
    let t = Instant::now();
    let lists = common::load_snapshot_dir(&common::lists_dir())?;
    let load_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let summary = match mode.as_str() {
        "screen" => {
            let screener = Screener::new(&lists.lists);
            eprintln!(
                "lists loaded in {load_s:.2} s, index built in {:.2} s",
                t.elapsed().as_secs_f64()
            );
            screen_file(&screener, &lists, &opts, None)?
        }
        "io" => {
            // An empty index: measures reading, parsing and writing alone.
            let screener = Screener::from_entries(Vec::new());
            screen_file(&screener, &lists, &opts, None)?
        }
        "rescreen" => {
            let n: usize = flag("--changes").map_or(Ok(50), |s| s.parse())?;
            let new = changed_set(&lists, n);
            let screener = Screener::new(&new.lists);
            let built = t.elapsed().as_secs_f64();
            let plan = RescreenPlan::new(&lists, &new, &screener);
            eprintln!(
                "lists loaded in {load_s:.2} s, new index {built:.2} s, diff + plan {:.2} s",
                t.elapsed().as_secs_f64() - built
            );
            rescreen_with_plan(&plan, &opts, None)?
        }
        other => return Err(format!("unknown mode {other}").into()),
    };
    if args.iter().any(|a| a == "--json") {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", summary.render_text());
    }
    eprintln!("total {:.2} s including index build", t.elapsed().as_secs_f64());
    Ok(())
}
