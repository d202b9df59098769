//! Prints the hits (list, id, score, alert, matched name) of a fixed query set, one line per
//! hit, so two versions of the engine can be compared with `diff`.
//!
//! `[LIMIT=1] cargo run -p earl-screen --example regress --release > before.txt`

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

use std::io::Write;

use earl_screen::{Query, Screener};

fn main() {
    let set = common::bundled();
    let s = Screener::new(&set.lists);
    let mut queries: Vec<String> = common::workload::blend(&set, 3_000);
    queries.extend(common::quality::cn_variants().into_iter().map(|v| v.query));
    let limit: usize = std::env::var("LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(earl_screen::DEFAULT_LIMIT);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for q in &queries {
        writeln!(out, "== {q}").unwrap();
        for h in s.screen(&Query { limit, ..Query::new(q) }) {
            writeln!(
                out,
                "  {:.3} {} {} {} | {}",
                h.score,
                if h.alert { "A" } else { "-" },
                h.list,
                h.id,
                h.matched_name
            )
            .unwrap();
        }
    }
}
