//! Criterion benches of the decision path a caller pays for per request: a whole determination
//! (parse, classify every item, screen every party, apply the dated rules) for each bundled
//! example, a spec classification, and one screening request through the engine (validation,
//! date filter, hit building). Screening internals have their own benches in earl-screen.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench harness: a failed set-up should stop the run loudly"
)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use earl_engine::{Engine, LoadOptions, ScreenRequest, parse_date};

fn engine() -> Engine {
    let dir = tempfile::tempdir().unwrap();
    Engine::load(&LoadOptions { data_dir: Some(dir.path().to_path_buf()), bundled_only: true })
        .unwrap()
}

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    std::fs::read_to_string(path).unwrap()
}

fn bench_check(c: &mut Criterion) {
    let engine = engine();
    let mut group = c.benchmark_group("check");
    for name in [
        "h100-to-shenzhen.json",
        "h20-2025.json",
        "entity-list-party.json",
        "foundry-7nm.json",
        "hbm-to-china.json",
        "needs-info.json",
    ] {
        let text = example(name);
        // A bench over an input the engine rejects would measure the error path only.
        engine.check_json(&text).unwrap();
        group.bench_function(name.trim_end_matches(".json"), |b| {
            b.iter(|| engine.check_json(black_box(&text)).unwrap());
        });
    }
    group.finish();
}

fn bench_classify(c: &mut Criterion) {
    let engine = engine();
    let date = parse_date("2025-05-05").unwrap();
    let spec = r#"{"tops": {"fp8": 1979, "bf16": 989}, "die_area_mm2": 814, "datacenter": true}"#;
    engine.classify_spec_json(spec, date).unwrap();
    c.bench_function("classify/spec_json", |b| {
        b.iter(|| engine.classify_spec_json(black_box(spec), date).unwrap());
    });
    c.bench_function("classify/catalog_product", |b| {
        b.iter(|| engine.classify_product(black_box("nvidia-h20"), date).unwrap());
    });
    c.bench_function("chips/all_on_date", |b| b.iter(|| engine.chips(black_box(date))));
}

fn bench_screen(c: &mut Criterion) {
    let engine = engine();
    let mut group = c.benchmark_group("engine_screen");
    for (label, name) in [
        ("listed_latin", "HUAWEI TECHNOLOGY CO LTD"),
        ("listed_han", "曙光信息产业股份有限公司"),
        ("innocent", "Shenzhen Example Cloud Co., Ltd."),
    ] {
        let req = ScreenRequest {
            name: name.to_owned(),
            country: Some("CN".to_owned()),
            date: Some("2025-05-05".to_owned()),
            limit: None,
            lists: None,
        };
        group.bench_function(label, |b| b.iter(|| engine.screen(black_box(&req)).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, bench_check, bench_classify, bench_screen);
criterion_main!(benches);
