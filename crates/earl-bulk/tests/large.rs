//! A large-file smoke test, ignored by default (it screens 200,000 rows). Run it with
//! `cargo test -p earl-bulk --release --test large -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, reason = "test setup fails loudly")]

mod common;

use std::io::Write;

use earl_bulk::{BulkOptions, ProgressMode, screen_file};
use earl_screen::Screener;

#[test]
#[ignore = "screens 200,000 rows; run in release mode"]
fn two_hundred_thousand_rows_stream_through() {
    let lists = common::load_snapshot_dir(&common::lists_dir()).unwrap();
    let listed: Vec<String> = lists.entries().map(|e| e.name.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    writeln!(w, "id,name,country").unwrap();
    let rows = 200_000usize;
    let cities = ["Shenzhen", "Hamburg", "Lyon", "Austin", "Osaka", "Milan"];
    let trades = ["Huaxin", "Nordic", "Ruitai", "Atlas", "Jinbao", "Summit", "Hengtong", "Cedar"];
    let kinds = ["Electronics Co., Ltd.", "Logistics GmbH", "Trading LLC", "Components S.A."];
    for i in 0..rows {
        // Every 200th row is a listed name; the rest are ordinary companies.
        let name = if i % 200 == 0 {
            listed[(i / 200) % listed.len()].clone()
        } else {
            format!(
                "{} {}{} {}",
                cities[i % cities.len()],
                trades[(i / 7) % trades.len()],
                i % 997,
                kinds[(i / 3) % kinds.len()]
            )
        };
        writeln!(w, "R{i},\"{}\",CN", name.replace('"', "\"\"")).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let mut opts = BulkOptions::new(&input, dir.path().join("out.csv"));
    opts.progress = ProgressMode::Never;
    let screener = Screener::new(&lists.lists);
    let s = screen_file(&screener, &lists, &opts, None).unwrap();
    print!("{}", s.render_text());
    assert_eq!(
        (s.rows, s.screened, s.errors, s.written),
        (rows as u64, rows as u64, 0, rows as u64)
    );
    assert!(s.alerts >= (rows / 200) as u64 * 9 / 10, "listed names alert: {}", s.alerts);
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(rdr.records().count(), rows);
}
