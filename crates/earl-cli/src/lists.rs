//! `earl lists`: show, import, reset, diff, export.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use earl_engine::{DataDir, Engine};
use earl_lists::diff::{ListDiff, diff_sets};
use earl_lists::import::{Format, ListTarget};
use earl_lists::{ListId, ListKind, ListSnapshot, SnapshotSet, snapshot};

use crate::args::{DiffArgs, Global, ImportArgs, ListsAction, ListsArgs};
use crate::check::engine;

pub fn lists(global: &Global, args: ListsArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        None => show(global, args.json),
        Some(ListsAction::Show { json }) => show(global, json || args.json),
        Some(ListsAction::Import(a)) => import(global, &a),
        Some(ListsAction::Reset { list }) => reset(global, &list),
        Some(ListsAction::Diff(a)) => diff(global, &a),
        Some(ListsAction::Export { dir }) => {
            let engine = engine(global)?;
            earl_engine::data::write_set(&dir, engine.lists())?;
            eprintln!("wrote {} lists to {}", engine.lists().lists.len(), dir.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn show(global: &Global, json: bool) -> anyhow::Result<ExitCode> {
    let engine = engine(global)?;
    let info = engine.list_info();
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&info)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let stats = engine.screener().stats();
    writeln!(
        out,
        "{} lists, {} entries, {} names indexed; loaded and indexed in {} ms\n",
        info.len(),
        engine.lists().entry_count(),
        stats.names,
        engine.load_time().as_millis()
    )?;
    writeln!(
        out,
        "{:<30} {:>6}  {:<10}  {:<8}  {:<12}  title",
        "list", "entries", "as of", "origin", "sha256"
    )?;
    for l in &info {
        writeln!(
            out,
            "{:<30} {:>6}  {:<10}  {:<8}  {:<12}  {}",
            l.meta.id,
            l.meta.entry_count,
            l.meta.as_of,
            l.origin,
            l.meta.sha256.get(..12).unwrap_or(""),
            l.meta.title
        )?;
    }
    writeln!(out, "\nSources and caveats: `earl lists --json`; docs/DATA.md.")?;
    Ok(ExitCode::SUCCESS)
}

/// The list a format usually feeds, when `--list` is not given.
fn default_list(format: Format) -> Option<&'static str> {
    match format {
        Format::FrXml => Some("us_bis_entity_list"),
        Format::CslCsv => Some("us_csl"),
        Format::OfacCsv => Some("us_ofac_sdn"),
        Format::UnXml => Some("un_sc_consolidated"),
        Format::DplTsv => Some("us_bis_dpl"),
        Format::FtmJsonl => Some("opensanctions"),
        Format::NsfregJson | Format::XynaJson | Format::EarlJsonl => None,
    }
}

fn import(global: &Global, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let format: Format = args.format.parse().map_err(|e| anyhow!("--format: {e}"))?;
    let list_id = match (&args.list, default_list(format)) {
        (Some(l), _) => l.clone(),
        (None, Some(d)) => d.to_owned(),
        (None, None) => bail!("--list: format `{format}` feeds several lists; name the list id"),
    };
    let as_of = match &args.as_of {
        Some(d) => Some(
            earl_engine::parse_date(d)
                .ok_or_else(|| anyhow!("--as-of: `{d}` is not a valid YYYY-MM-DD date"))?,
        ),
        None => None,
    };
    // Validate everything before touching the data dir: a bad file leaves the data in use.
    let engine = engine(global)?;
    let id = ListId(list_id.clone());
    let current = engine.lists().get(&id);
    let target = target_for(&id, current, &args.file);
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let mut imported = if format == Format::OfacCsv {
        import_ofac(&args.file, &bytes, &target, as_of)?
    } else {
        earl_lists::import::import(format, &target, &bytes, as_of)
            .map_err(|e| anyhow!("{}: {e}", args.file.display()))?
    };
    if args.amend {
        let base = current
            .ok_or_else(|| anyhow!("--amend: list `{list_id}` is not loaded, nothing to amend"))?;
        let mut amended = earl_lists::import::fr_xml::apply_amendment(base, &imported.entries);
        amended.meta.as_of = imported.meta.as_of.max(base.meta.as_of);
        amended.meta.source = format!("{} + {}", base.meta.source, imported.meta.source);
        let (meta, _) = snapshot::seal(amended.meta.clone(), &amended.entries);
        amended.meta = meta;
        imported = amended;
    }
    if imported.entries.is_empty() {
        bail!("{}: no entries found; the list in use is unchanged", args.file.display());
    }
    let dir = DataDir::resolve(global.data_dir.as_deref());
    let before = current.map(|l| l.entries.len());
    dir.install(&imported)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "imported {} entries into `{}` (as of {}, sha256 {}) — was {}; stored in {}",
        imported.entries.len(),
        list_id,
        imported.meta.as_of,
        imported.meta.sha256.get(..12).unwrap_or(""),
        before.map_or_else(|| "not loaded".to_owned(), |n| format!("{n} entries")),
        dir.root().display()
    )?;
    if let Some(old) = current {
        let d = earl_lists::diff::diff(old, &imported);
        writeln!(out, "changes against the list in use: {}", d.summary())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn target_for(id: &ListId, current: Option<&ListSnapshot>, file: &Path) -> ListTarget {
    let source = format!("user import: {}", file.display());
    match current {
        Some(l) => {
            let mut t = ListTarget::new(id.0.clone(), l.meta.kind, l.meta.title.clone());
            t.authority.clone_from(&l.meta.authority);
            t.source_url.clone_from(&l.meta.source_url);
            t.license.clone_from(&l.meta.license);
            t.source = source;
            t
        }
        None => {
            let mut t = ListTarget::new(id.0.clone(), guess_kind(id.as_str()), id.0.clone());
            t.source = source;
            t
        }
    }
}

fn guess_kind(id: &str) -> ListKind {
    match id {
        "us_bis_entity_list" => ListKind::EntityList,
        "us_bis_meu" => ListKind::MilitaryEndUser,
        "us_bis_dpl" => ListKind::DeniedPersons,
        "us_bis_uvl" => ListKind::Unverified,
        "us_ofac_sdn" => ListKind::OfacSdn,
        "us_ofac_cons" => ListKind::OfacNonSdn,
        "un_sc_consolidated" => ListKind::UnConsolidated,
        "us_csl" => ListKind::Consolidated,
        _ => ListKind::Other,
    }
}

fn import_ofac(
    path: &Path,
    prim: &[u8],
    target: &ListTarget,
    as_of: Option<jiff::civil::Date>,
) -> anyhow::Result<ListSnapshot> {
    // OFAC publishes sdn.csv with add.csv, alt.csv and sdn_comments.csv beside it.
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut companions: [Option<Vec<u8>>; 3] = [None, None, None];
    if let Some(names) = earl_lists::import::ofac::companion_names(file_name) {
        for (slot, name) in companions.iter_mut().zip(names.iter()) {
            let p = dir.join(name);
            if p.is_file() {
                *slot =
                    Some(std::fs::read(&p).with_context(|| format!("reading {}", p.display()))?);
            }
        }
    }
    let [add, alt, comments] = &companions;
    earl_lists::import::ofac::import_ofac(
        prim,
        add.as_deref(),
        alt.as_deref(),
        comments.as_deref(),
        target,
        as_of,
    )
    .map_err(|e| anyhow!("{}: {e}", path.display()))
}

fn reset(global: &Global, list: &str) -> anyhow::Result<ExitCode> {
    let dir = DataDir::resolve(global.data_dir.as_deref());
    if dir.remove(&ListId(list.to_owned()))? {
        println!("`{list}` now uses the bundled snapshot again");
    } else {
        println!("`{list}` was not imported; nothing to reset");
    }
    Ok(ExitCode::SUCCESS)
}

/// Resolve a snapshot argument: `bundled`, `current`, a snapshot directory, or one list file
/// in the snapshot format (`<list_id>.jsonl`).
pub fn resolve_snapshot(global: &Global, arg: &str) -> anyhow::Result<SnapshotSet> {
    match arg {
        "bundled" => earl_engine::data::bundled_lists().map_err(|e| anyhow!("bundled lists: {e}")),
        "current" => Ok(engine(global)?.lists().clone()),
        _ => {
            let path = Path::new(arg);
            if path.is_dir() {
                Ok(earl_engine::data::read_snapshot_dir(path)?)
            } else if path.is_file() {
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                let id = ListId(stem.to_owned());
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let entries = snapshot::parse_entries(&id, &text)
                    .map_err(|e| anyhow!("{}: {e}", path.display()))?;
                let base = Engine::load(&earl_engine::LoadOptions {
                    data_dir: global.data_dir.clone(),
                    bundled_only: global.bundled_only,
                })?;
                let meta = base
                    .lists()
                    .get(&id)
                    .map(|l| l.meta.clone())
                    .ok_or_else(|| anyhow!("{}: unknown list id `{stem}`", path.display()))?;
                let (meta, _) = snapshot::seal(meta, &entries);
                Ok(SnapshotSet { lists: vec![ListSnapshot { meta, entries }] })
            } else {
                bail!("`{arg}` is not `bundled`, `current`, a snapshot directory or a list file")
            }
        }
    }
}

fn diff(global: &Global, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let old = resolve_snapshot(global, &args.old)?;
    let new = resolve_snapshot(global, &args.new)?;
    // Compare only lists present in both when one side is a single list file.
    let diffs: Vec<(ListId, ListDiff)> = diff_sets(&old, &new)
        .into_iter()
        .filter(|(id, _)| old.get(id).is_some() && new.get(id).is_some())
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let v: Vec<serde_json::Value> = diffs
            .iter()
            .map(|(id, d)| serde_json::json!({"list": id, "summary": d.summary(), "diff": d}))
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        write!(out, "{}", render_diffs(&diffs))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn render_diffs(diffs: &[(ListId, ListDiff)]) -> String {
    let mut s = String::new();
    for (id, d) in diffs {
        let _ = writeln!(s, "{id}: {}", d.summary());
        for e in &d.added {
            let _ = writeln!(s, "  + {} [{}] {}", e.name, e.id, e.country.as_deref().unwrap_or(""));
        }
        for e in &d.removed {
            let _ = writeln!(s, "  - {} [{}] {}", e.name, e.id, e.country.as_deref().unwrap_or(""));
        }
        for c in &d.changed {
            let _ = writeln!(s, "  ~ {} [{}]", c.new.name, c.id);
            for f in &c.fields {
                let _ = writeln!(s, "      {}: {} -> {}", f.field, f.before, f.after);
            }
        }
    }
    if diffs.iter().all(|(_, d)| d.is_empty()) {
        s.push_str("no differences\n");
    }
    s
}
