//! `earl screen`: one name, or a file of names as JSON lines.

use std::io::{BufRead as _, BufWriter, Write as _};
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use earl_engine::{Engine, ScreenRequest};

use crate::args::{Global, ScreenArgs};
use crate::audit::{open_store, record};
use crate::check::engine;
use crate::render::render_hits;

pub fn screen(global: &Global, args: &ScreenArgs) -> anyhow::Result<ExitCode> {
    let engine = engine(global)?;
    match (&args.name, &args.input) {
        (Some(name), None) => screen_one(global, &engine, args, name),
        (None, Some(_)) => screen_batch(global, &engine, args),
        _ => Err(anyhow!("give either a NAME or --input FILE")),
    }
}

fn request(args: &ScreenArgs, name: &str) -> ScreenRequest {
    ScreenRequest {
        name: name.to_owned(),
        country: args.country.clone(),
        // Screen as of today unless told otherwise, so the answer (and its audit record) names
        // the date whose list entries it used.
        date: Some(args.date.clone().unwrap_or_else(earl_server::audit::today)),
        limit: Some(args.limit),
        lists: args.lists.clone(),
    }
}

fn screen_one(
    global: &Global,
    engine: &Engine,
    args: &ScreenArgs,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let req = request(args, name);
    let resp = engine.screen(&req).map_err(|e| anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&resp)?)?;
    } else {
        write!(out, "{}", render_hits(engine, &req, &resp))?;
    }
    if args.record {
        if args.lists.is_some() {
            return Err(anyhow!("--record screens against all lists; drop --lists"));
        }
        let store = open_store(global, args.db.as_deref())?;
        let query = earl_server::audit::ScreenQuery {
            name: req.name.clone(),
            country: req.country.clone(),
            date: req.date.clone(),
            limit: u32::try_from(args.limit).ok(),
        };
        let decided =
            earl_server::audit::decide(engine, &earl_server::audit::Decision::Screen(query))
                .map_err(|e| anyhow!("{e}"))?;
        let rec = record(engine, &*store, &decided)?;
        if !args.json {
            writeln!(out, "Recorded in the audit log as {}.", rec.id)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One query line: a JSON object or a bare name. Flags give defaults the line may override.
fn parse_line(args: &ScreenArgs, line: &str) -> Result<ScreenRequest, String> {
    let trimmed = line.trim();
    if trimmed.starts_with('{') {
        let mut req: ScreenRequest =
            serde_json::from_str(trimmed).map_err(|e| format!("invalid JSON query: {e}"))?;
        if req.country.is_none() {
            req.country = args.country.clone();
        }
        if req.date.is_none() {
            req.date = args.date.clone();
        }
        if req.limit.is_none() {
            req.limit = Some(args.limit);
        }
        if req.lists.is_none() {
            req.lists = args.lists.clone();
        }
        Ok(req)
    } else {
        Ok(request(args, trimmed))
    }
}

/// Lines screened per parallel chunk: large enough to keep both cores busy, small enough that
/// memory stays flat on any file size.
const CHUNK: usize = 4096;

/// One output line of a batch, serialised on a worker thread.
struct BatchLine {
    json: String,
    alert: bool,
    error: bool,
}

/// Screens one input line of a batch into its output line.
fn screen_line(
    engine: &Engine,
    args: &ScreenArgs,
    n: usize,
    text: &Result<String, String>,
) -> BatchLine {
    let req = match text {
        Ok(t) if t.trim().is_empty() => Err("empty line".to_owned()),
        Ok(t) => parse_line(args, t),
        Err(e) => Err(e.clone()),
    };
    match req.and_then(|r| engine.screen(&r).map_err(|e| e.to_string())) {
        Ok(resp) => BatchLine {
            json: serde_json::to_string(&resp).unwrap_or_default(),
            alert: resp.hits.iter().any(|h| h.alert),
            error: false,
        },
        Err(e) => BatchLine {
            json: serde_json::json!({
                "line": n,
                "query": text.as_deref().unwrap_or(""),
                "error": e,
            })
            .to_string(),
            alert: false,
            error: true,
        },
    }
}

fn screen_batch(global: &Global, engine: &Engine, args: &ScreenArgs) -> anyhow::Result<ExitCode> {
    let path = args.input.as_deref().ok_or_else(|| anyhow!("--input is required"))?;
    let reader: Box<dyn std::io::BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        ))
    };
    let sink: Box<dyn std::io::Write + Send> = match &args.output {
        Some(p) => {
            Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)
        }
        None => Box::new(std::io::stdout()),
    };
    let mut lines = reader.split(b'\n');
    let mut line_no = 0usize;
    // One thread writes chunk k while the pool screens chunk k + 1: the output (several KB of
    // explanation per name) is large enough that writing it in turn left the cores idle.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<BatchLine>>(1);
    let (queries, alerts, errors) = std::thread::scope(|scope| -> anyhow::Result<_> {
        let writer = scope.spawn(move || -> std::io::Result<(usize, usize, usize)> {
            let mut out = BufWriter::with_capacity(1 << 20, sink);
            let (mut queries, mut alerts, mut errors) = (0usize, 0usize, 0usize);
            for results in rx {
                for line in results {
                    if line.error {
                        errors += 1;
                    } else {
                        queries += 1;
                        alerts += usize::from(line.alert);
                    }
                    out.write_all(line.json.as_bytes())?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()?;
            Ok((queries, alerts, errors))
        });
        let read = (|| -> anyhow::Result<()> {
            loop {
                // Read one chunk of raw lines (keeping line numbers for errors).
                let mut chunk: Vec<(usize, Result<String, String>)> = Vec::with_capacity(CHUNK);
                for raw in lines.by_ref() {
                    line_no += 1;
                    let raw =
                        raw.with_context(|| format!("reading {} line {line_no}", path.display()))?;
                    let text = match String::from_utf8(raw) {
                        // A byte-order mark (Windows editors write one) is no part of the name.
                        Ok(t) if line_no == 1 => {
                            Ok(t.trim_start_matches('\u{feff}').trim_end_matches('\r').to_owned())
                        }
                        Ok(t) => Ok(t.trim_end_matches('\r').to_owned()),
                        Err(_) => Err("line is not valid UTF-8".to_owned()),
                    };
                    chunk.push((line_no, text));
                    if chunk.len() == CHUNK {
                        break;
                    }
                }
                if chunk.is_empty() {
                    return Ok(());
                }
                let results =
                    earl_engine::par_map(&chunk, |(n, text)| screen_line(engine, args, *n, text));
                // A closed channel means the writer stopped on an error, reported below.
                if tx.send(results).is_err() {
                    return Ok(());
                }
            }
        })();
        drop(tx);
        let written = writer.join().map_err(|_| anyhow!("the output writer thread panicked"))?;
        read?;
        written.context("writing the output")
    })?;
    eprintln!("screened {queries} names: {alerts} with alerts, {errors} unusable lines");
    if args.record {
        let store = open_store(global, args.db.as_deref())?;
        let decided = earl_server::audit::Decided {
            kind: "screen_batch",
            input: serde_json::json!({"file": path.display().to_string(), "lines": line_no}),
            output: serde_json::json!({"queries": queries, "alerts": alerts, "errors": errors}),
            response: None,
            screened: (queries as u64, alerts as u64),
        };
        record(engine, &*store, &decided)?;
    }
    Ok(if errors > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
