//! `earl screen-file` and `earl rescreen`: thin wrappers over `earl-bulk`.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use earl_bulk::{BulkOptions, HeaderMode, ProgressMode, ReviewAudit, Reviews, Summary};
use earl_engine::Engine;
use earl_lists::ListId;

use crate::args::{BulkArgs, Global, HeaderArg, ProgressArg, RescreenArgs};
use crate::audit::{cli_caller, open_store};
use crate::check::{date_or_today, engine};

fn options(args: &BulkArgs) -> anyhow::Result<BulkOptions> {
    let mut o = BulkOptions::new(&args.input, &args.output);
    o.errors.clone_from(&args.errors);
    o.format = match &args.format {
        Some(f) => Some(f.parse().map_err(|e: String| anyhow!("--format: {e}"))?),
        None => None,
    };
    o.header = match args.header {
        HeaderArg::Auto => HeaderMode::Auto,
        HeaderArg::Yes => HeaderMode::Present,
        HeaderArg::No => HeaderMode::Absent,
    };
    o.delimiter = match args.delimiter {
        None => None,
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => return Err(anyhow!("--delimiter: `{c}` is not a single-byte character")),
    };
    let col = |flag: &str, v: &Option<String>| -> anyhow::Result<_> {
        v.as_deref().map(str::parse).transpose().map_err(|e: String| anyhow!("{flag}: {e}"))
    };
    o.name_column = col("--name-column", &args.name_column)?;
    o.country_column = col("--country-column", &args.country_column)?;
    o.id_column = col("--id-column", &args.id_column)?;
    if !(0.0..=1.0).contains(&args.threshold) {
        return Err(anyhow!("--threshold: must be between 0 and 1"));
    }
    o.threshold = args.threshold;
    // Default to today so entries removed from a list no longer match.
    o.date = Some(date_or_today(args.date.as_deref())?);
    o.lists = args.lists.as_ref().map(|l| l.iter().map(|id| ListId(id.clone())).collect());
    o.threads = args.threads;
    if args.chunk_rows == 0 {
        return Err(anyhow!("--chunk-rows: must be at least 1"));
    }
    o.chunk_rows = args.chunk_rows;
    o.cache_names = args.cache_names;
    o.progress = match args.progress {
        ProgressArg::Auto => ProgressMode::Auto,
        ProgressArg::Always => ProgressMode::Always,
        ProgressArg::Never => ProgressMode::Never,
    };
    Ok(o)
}

fn check_lists(engine: &Engine, o: &BulkOptions) -> anyhow::Result<()> {
    for id in o.lists.iter().flatten() {
        if engine.lists().get(id).is_none() {
            return Err(anyhow!("--lists: unknown list `{id}` (see `earl lists`)"));
        }
    }
    Ok(())
}

fn reviews(global: &Global, engine: &Engine, args: &BulkArgs) -> anyhow::Result<Option<Reviews>> {
    let Some(path) = &args.reviews else { return Ok(None) };
    let store = open_store(global, args.db.as_deref())?;
    engine.archive_in_use().context("archiving the list snapshots in use")?;
    let versions = engine.data_versions();
    let audit = ReviewAudit {
        store: &*store,
        caller: cli_caller(),
        rules_version: versions.rules_version.clone(),
        engine_version: env!("CARGO_PKG_VERSION").to_owned(),
        lists: versions
            .lists
            .iter()
            .map(|l| earl_store::ListRef {
                list: l.list.to_string(),
                as_of: l.as_of.to_string(),
                sha256: l.sha256.clone(),
            })
            .collect(),
    };
    let r = Reviews::load(path, engine.screener(), Some(&audit))
        .with_context(|| format!("reading reviews {}", path.display()))?;
    Ok(Some(r))
}

fn report(args: &BulkArgs, summary: &Summary) -> anyhow::Result<ExitCode> {
    let text = if args.json {
        serde_json::to_string_pretty(summary)? + "\n"
    } else {
        summary.render_text()
    };
    // The summary never mixes with results written to standard output.
    if args.output.as_os_str() == "-" {
        std::io::stderr().lock().write_all(text.as_bytes())?;
    } else if args.json {
        std::io::stdout().lock().write_all(text.as_bytes())?;
    } else {
        std::io::stderr().lock().write_all(text.as_bytes())?;
    }
    Ok(ExitCode::from(summary.exit_code()))
}

pub fn screen_file(global: &Global, args: &BulkArgs) -> anyhow::Result<ExitCode> {
    let opts = options(args)?;
    let engine = engine(global)?;
    check_lists(&engine, &opts)?;
    let reviews = reviews(global, &engine, args)?;
    let summary =
        earl_bulk::screen_file(engine.screener(), engine.lists(), &opts, reviews.as_ref())?;
    report(args, &summary)
}

pub fn rescreen(global: &Global, args: &RescreenArgs) -> anyhow::Result<ExitCode> {
    let opts = options(&args.bulk)?;
    let since = crate::lists::resolve_snapshot(global, &args.since)
        .with_context(|| format!("--since {}", args.since))?;
    let engine = engine(global)?;
    check_lists(&engine, &opts)?;
    let reviews = reviews(global, &engine, &args.bulk)?;
    let summary =
        earl_bulk::rescreen(&since, engine.lists(), engine.screener(), &opts, reviews.as_ref())?;
    report(&args.bulk, &summary)
}
