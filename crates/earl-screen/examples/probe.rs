//! Prints hits and explanations for names given on the command line (developer aid).
//! `cargo run -p earl-screen --example probe --release -- "HUAWEI TECHNOLOGY CO LTD"`

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

use earl_screen::Query;

fn main() {
    let s = common::screener();
    eprintln!("{:?}", s.stats());
    let verbose = std::env::var("VERBOSE").is_ok();
    // `PAIR=1`: arguments are (query, candidate) pairs, scored with `explain_pair`.
    if std::env::var("PAIR").is_ok() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        for pair in args.chunks(2) {
            let [a, b] = pair else { continue };
            println!(
                "== {a} ~ {b}: {:?} ~ {:?}",
                earl_screen::name_tokens(a),
                earl_screen::name_tokens(b)
            );
            if let Some((score, ex)) = s.explain_pair(a, b) {
                println!("  {score:.3} {}", serde_json::to_string(&ex).unwrap_or_default());
            }
        }
        return;
    }
    for name in std::env::args().skip(1) {
        println!("== {name}");
        let mut q = Query::new(&name);
        q.limit = 5;
        for h in s.screen(&q) {
            println!(
                "  {:.3} {} {} | {} | {}",
                h.score,
                if h.alert { "ALERT" } else { "     " },
                h.id,
                h.name,
                h.matched_name
            );
            if verbose {
                println!("{}", serde_json::to_string(&h.explanation).unwrap_or_default());
            }
        }
    }
}
