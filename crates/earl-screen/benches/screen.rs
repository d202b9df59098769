//! Criterion benches: index build, single queries (Latin, ERP-style, Chinese), pair scoring.
//! `cargo bench -p earl-screen`

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

use criterion::{Criterion, criterion_group, criterion_main};
use earl_screen::{Query, Screener};
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let set = common::bundled();
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.bench_function("build_all_bundled", |b| b.iter(|| Screener::new(black_box(&set.lists))));
    g.finish();
    let s = Screener::new(&set.lists);
    for (label, q) in [
        ("latin_exact", "Huawei Technologies Co., Ltd."),
        ("erp_upper", "HUAWEI TECHNOLOGY CO LTD"),
        ("pinyin_split", "Zhong Ke Shu Guang"),
        ("han", "摩尔线程智能科技(北京)有限责任公司"),
        ("innocent", "Shanghai Xinhua Technology Co Ltd"),
        ("person", "Wang Wei"),
    ] {
        c.bench_function(&format!("screen/{label}"), |b| {
            b.iter(|| s.screen(black_box(&Query::new(q))))
        });
    }
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
