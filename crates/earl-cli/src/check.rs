//! `earl check`, `earl classify`, `earl chips`.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use earl_engine::Engine;
use jiff::civil::Date;

use crate::args::{CheckArgs, ChipsArgs, ClassifyArgs, Global};
use crate::audit::{open_store, record};

/// Load the engine with the global options.
pub fn engine(global: &Global) -> anyhow::Result<Engine> {
    let opts = earl_engine::LoadOptions {
        data_dir: global.data_dir.clone(),
        bundled_only: global.bundled_only,
    };
    Engine::load(&opts).context("loading earl's data")
}

/// Read a file, or standard input for `-`.
pub fn read_input(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// A `--date` value, or today.
pub fn date_or_today(date: Option<&str>) -> anyhow::Result<Date> {
    match date {
        Some(d) => earl_engine::parse_date(d)
            .ok_or_else(|| anyhow!("--date: `{d}` is not a valid YYYY-MM-DD date")),
        None => Ok(jiff::ZonedDateTime::now().date()),
    }
}

pub fn check(global: &Global, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let text = read_input(&args.file)?;
    let engine = engine(global)?;
    let determination = engine
        .check_json(&text)
        .map_err(|e| anyhow!("{}: invalid transaction: {e}", args.file.display()))?;
    let json = determination.to_json();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        write!(out, "{}", determination.to_text())?;
    }
    if args.record {
        let store = open_store(global, args.db.as_deref())?;
        let input: serde_json::Value = serde_json::from_str(&text)?;
        let decided = earl_server::audit::Decided {
            kind: "check",
            input,
            output: json,
            response: None,
            screened: (0, 0),
        };
        let rec = record(&engine, &*store, &decided)?;
        if !args.json {
            writeln!(out, "\nRecorded in the audit log as {}.", rec.id)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn classify(global: &Global, args: &ClassifyArgs) -> anyhow::Result<ExitCode> {
    let date = date_or_today(args.date.as_deref())?;
    let engine = engine(global)?;
    let looks_like_file =
        args.target == "-" || args.target.ends_with(".json") || Path::new(&args.target).is_file();
    let classification = if looks_like_file {
        let text = read_input(Path::new(&args.target))?;
        engine
            .classify_spec_json(&text, date)
            .map_err(|e| anyhow!("{}: invalid chip spec: {e}", args.target))?
    } else {
        engine.classify_product(&args.target, date).map_err(|e| anyhow!("{e}"))?
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&classification)?)?;
    } else {
        write!(out, "{}", classification.to_text())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn chips(global: &Global, args: &ChipsArgs) -> anyhow::Result<ExitCode> {
    let engine = engine(global)?;
    let mut out = std::io::stdout().lock();
    if args.timeline {
        let rows = engine.timeline();
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        } else {
            write!(out, "{}", earl_core::timeline_to_text(&rows))?;
        }
    } else {
        let date = date_or_today(args.date.as_deref())?;
        let rows = engine.chips(date);
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        } else {
            writeln!(out, "Chip catalog classified on {date} (export to China):\n")?;
            write!(out, "{}", earl_core::chips_to_text(&rows))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
