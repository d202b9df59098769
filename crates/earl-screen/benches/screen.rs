//! Criterion benches: index build, normalisation, candidate generation, single queries (named
//! cases and a realistic mixed set), batch throughput on 2 threads, pair scoring.
//! `cargo bench -p earl-screen [-- <filter>]`

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

use std::cell::Cell;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use earl_screen::{Query, Screener};
use rayon::prelude::*;

/// Cycles through `items`, one per call (so a bench iteration is one query of the mix).
fn cycler<'a, T>(items: &'a [T]) -> impl FnMut() -> &'a T {
    let i = Cell::new(0usize);
    move || {
        let k = i.get();
        i.set((k + 1) % items.len());
        &items[k]
    }
}

fn benches(c: &mut Criterion) {
    let set = common::bundled();
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.bench_function("build_all_bundled", |b| b.iter(|| Screener::new(black_box(&set.lists))));
    g.finish();
    let s = Screener::new(&set.lists);
    let blend = common::workload::blend(&set, 2_000);
    let workloads = common::workload::all(&set, 2_000);

    let mut g = c.benchmark_group("normalise");
    for (label, q) in [
        ("latin", "Moore Threads Intelligent Tech (Beijing) Co., Ltd."),
        ("han", "摩尔线程智能科技(北京)有限责任公司"),
        ("cyrillic", "ООО Ромашка Технологии"),
    ] {
        g.bench_function(label, |b| b.iter(|| earl_screen::name_tokens(black_box(q))));
    }
    g.bench_function("blend_mix", |b| {
        let mut next = cycler(&blend);
        b.iter(|| earl_screen::name_tokens(black_box(next())))
    });
    g.finish();

    let mut g = c.benchmark_group("candidates");
    for (label, names) in &workloads {
        g.bench_function(*label, |b| {
            let mut next = cycler(names);
            b.iter(|| s.candidate_entries(black_box(next())))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("screen");
    for (label, q) in [
        ("latin_exact", "Huawei Technologies Co., Ltd."),
        ("erp_upper", "HUAWEI TECHNOLOGY CO LTD"),
        ("pinyin_split", "Zhong Ke Shu Guang"),
        ("han", "摩尔线程智能科技(北京)有限责任公司"),
        ("innocent", "Shanghai Xinhua Technology Co Ltd"),
        ("person", "Wang Wei"),
        ("salad", "Global Trading Smith Pacific Holdings"),
    ] {
        g.bench_function(label, |b| b.iter(|| s.screen(black_box(&Query::new(q)))));
    }
    for (label, names) in workloads.iter().map(|(l, n)| (*l, n)).chain([("blend", &blend)]) {
        g.bench_function(format!("mix/{label}"), |b| {
            let mut next = cycler(names);
            b.iter(|| s.screen(black_box(&Query::new(next()))))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(blend.len() as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
        g.bench_function(format!("blend_{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    blend.par_iter().map(|q| s.screen(&Query::new(q)).len()).sum::<usize>()
                })
            })
        });
    }
    g.finish();

    c.bench_function("score_pair", |b| {
        b.iter(|| {
            s.score_pair(
                black_box("Moore Threads Intelligent Tech (Beijing) Co Ltd"),
                black_box("Moore Thread Intelligent Technology (Beijing) Co., Ltd."),
            )
        })
    });
}

criterion_group!(screen, benches);
criterion_main!(screen);
