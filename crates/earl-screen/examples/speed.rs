//! Times load + index of all bundled lists, single-thread query latency (p50/p90/p99) on
//! realistic workloads, batch throughput with rayon on 1 and 2 threads, and peak resident
//! memory.
//!
//! `cargo run -p earl-screen --example speed --release [-- --n 10000 --only lead_mixed
//! --limit 1 --no-batch]`
//!
//! Workloads (tests/common/workload.rs, seeded): `lead_mixed` (1/4 real Entity List names, 3/4
//! random company-word salads), `cn_variants` (the Chinese variant set), `han` (Chinese
//! character names), `persons` (SDN persons and random names), `blend` (half lead_mixed, the
//! rest evenly from the others).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    reason = "developer tool: fails loudly on bad local data"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

// The allocator the `earl` binary ships with (crates/earl-cli/src/main.rs), so the numbers are
// the product's (docs/SCREENING.md also gives glibc numbers, measured without these lines).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use earl_screen::{Query, Screener};
use rayon::prelude::*;

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0) / 1024.0
            })
        })
        .unwrap_or(0.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// User + system CPU time of the whole process (all threads), in seconds.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            // Fields 14 and 15 (utime, stime) counted from 1 over the whole line.
            let ut: f64 = f.get(11)?.parse().ok()?;
            let st: f64 = f.get(12)?.parse().ok()?;
            Some((ut + st) / 100.0)
        })
        .unwrap_or(0.0)
}

fn latency(s: &Screener, label: &str, queries: &[String], limit: usize) {
    let mut lat: Vec<f64> = Vec::with_capacity(queries.len());
    let mut alerts = 0usize;
    for q in queries {
        let t = Instant::now();
        let hits = s.screen(&Query { limit, ..Query::new(q) });
        lat.push(t.elapsed().as_secs_f64() * 1e6);
        alerts += usize::from(hits.first().is_some_and(|h| h.alert));
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    let mean = lat.iter().sum::<f64>() / lat.len() as f64;
    println!(
        "  {label:<12} n {:>6}  p50 {:>6.0} us  p90 {:>6.0} us  p99 {:>6.0} us  max {:>6.0} us  mean {:>6.0} us  ({alerts} alerting)",
        lat.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0),
        mean
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--n")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    println!("load average at start: {}", load_average());
    let t = Instant::now();
    let set = common::bundled();
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let s = Screener::new(&set.lists);
    let index_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "load {load_ms:.0} ms + index {index_ms:.0} ms = {:.0} ms; {:?}",
        load_ms + index_ms,
        s.stats()
    );
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
    let mut workloads = common::workload::all(&set, n);
    if let Some(o) = &only {
        workloads.retain(|(l, _)| l == o);
    }
    let blend = common::workload::blend(&set, n);
    let lead = common::workload::lead_mixed(&set, n, 7);
    let no_batch = args.iter().any(|a| a == "--no-batch");
    let limit: usize = args
        .iter()
        .position(|a| a == "--limit")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(earl_screen::DEFAULT_LIMIT);
    drop(set);

    // Warm caches and lazily built tables before timing.
    for q in blend.iter().take(500) {
        std::hint::black_box(s.screen(&Query::new(q)));
    }
    println!("single query, 1 core, limit {limit}:");
    for (label, queries) in &workloads {
        latency(&s, label, queries, limit);
    }
    if only.as_deref().is_none_or(|o| o == "blend") {
        latency(&s, "blend", &blend, limit);
    }

    // Limit 10 is the API default (CLI, server); bulk screening asks for the best hit only.
    let batches: &[(&str, &Vec<String>, usize)] = if no_batch {
        &[]
    } else {
        &[("lead_mixed", &lead, 10), ("blend", &blend, 10), ("blend", &blend, 1)]
    };
    for (label, queries, limit) in batches {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            let batch: Vec<&String> = (0..n * 2).map(|i| &queries[i % queries.len()]).collect();
            let t = Instant::now();
            let cpu = cpu_seconds();
            let total: usize = pool.install(|| {
                batch
                    .par_iter()
                    .map(|q| s.screen(&Query { limit: *limit, ..Query::new(q) }).len())
                    .sum()
            });
            let secs = t.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu;
            println!(
                "batch {label:<10} limit {limit:>2}, {threads} thread(s): {:>7.0} names/s, {:.2} cores busy, {:>7.0} names per CPU-second ({} names, {total} hits)",
                batch.len() as f64 / secs,
                cpu / secs,
                batch.len() as f64 / cpu.max(1e-9),
                batch.len(),
            );
        }
    }
    println!("peak resident memory (VmHWM): {:.0} MB", vm_hwm_mb());
    println!("load average at end: {}", load_average());
}
