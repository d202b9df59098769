//! Times load + index of all bundled lists, 10k realistic single queries (p50/p99), batch
//! throughput with rayon, and peak resident memory.
//!
//! `cargo run -p earl-screen --example speed --release`

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

fn main() {
    let t = Instant::now();
    let set = common::bundled();
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let s = Screener::new(&set.lists);
    let index_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("load {load_ms:.0} ms + index {index_ms:.0} ms; {:?}", s.stats());
    drop(set);

    let queries: Vec<String> =
        common::quality::cn_variants().into_iter().map(|v| v.query).collect();
    let n = 10_000;
    let mut lat: Vec<f64> = Vec::with_capacity(n);
    let mut alerts = 0usize;
    for i in 0..n {
        let q = &queries[i % queries.len()];
        let t = Instant::now();
        let hits = s.screen(&Query::new(q));
        lat.push(t.elapsed().as_secs_f64() * 1e6);
        alerts += usize::from(hits.first().is_some_and(|h| h.alert));
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    println!(
        "single query (1 core, {n} queries, {alerts} alerting): p50 {:.0} us, p90 {:.0} us, p99 {:.0} us, max {:.0} us",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );

    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        let batch: Vec<&String> = (0..40_000).map(|i| &queries[i % queries.len()]).collect();
        let t = Instant::now();
        let total: usize =
            pool.install(|| batch.par_iter().map(|q| s.screen(&Query::new(q)).len()).sum());
        let secs = t.elapsed().as_secs_f64();
        println!(
            "batch {threads} thread(s): {:.0} names/s ({} hits)",
            batch.len() as f64 / secs,
            total
        );
    }
    println!("peak resident memory (VmHWM): {:.0} MB", vm_hwm_mb());
}
