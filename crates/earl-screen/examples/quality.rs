//! Prints precision/recall/F1 of earl's screening per labelled set and category, beside
//! OpenSanctions logic-v2 (name_bench) and Watchman (cascade pairs) where their scores exist.
//!
//! `cargo run -p earl-screen --example quality --release [-- --misses]`

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

use common::quality::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let show_misses = args.iter().any(|a| a == "--misses");
    // `--dump FILE`: every pairwise score as TSV (set, group, split, label, score, query,
    // candidate), for threshold sweeps outside this tool.
    let dump_path = args.iter().position(|a| a == "--dump").and_then(|i| args.get(i + 1));
    let mut dump = String::new();
    let s = common::screener();
    println!("corpus: {:?}", s.stats());
    for (title, pairs) in
        [("name_bench (pairwise)", name_bench()), ("watchman pairs (pairwise)", watchman_pairs())]
    {
        let Some(pairs) = pairs else { continue };
        println!("\n## {title}: {} pairs", pairs.len());
        println!(
            "{:<34} {:>5} | {:>5} {:>5} {:>5} | ref {:>5} {:>5} {:>5}",
            "group", "n", "P", "R", "F1", "P", "R", "F1"
        );
        for (k, (ours, theirs)) in eval_pairs(&s, &pairs) {
            println!(
                "{:<34} {:>5} | {:>5.3} {:>5.3} {:>5.3} | ref {:>5.3} {:>5.3} {:>5.3}",
                k,
                ours.n(),
                ours.precision(),
                ours.recall(),
                ours.f1(),
                theirs.precision(),
                theirs.recall(),
                theirs.f1()
            );
        }
        for p in pairs.iter().filter(|_| dump_path.is_some()) {
            let sc = s.score_pair(&p.query, &p.candidate);
            dump.push_str(&format!(
                "{title}\t{}\t{}\t{}\t{sc:.4}\t{}\t{}\n",
                p.group,
                p.split,
                p.is_match,
                p.query.replace(['\t', '\n'], " "),
                p.candidate.replace(['\t', '\n'], " ")
            ));
        }
        if show_misses {
            for p in &pairs {
                let sc = s.score_pair(&p.query, &p.candidate);
                if (sc >= earl_screen::DEFAULT_ALERT_THRESHOLD) != p.is_match {
                    println!(
                        "  {} {:.3} {:?} ~ {:?} [{}] {} {}",
                        if p.is_match { "FN" } else { "FP" },
                        sc,
                        p.query,
                        p.candidate,
                        p.category,
                        p.group,
                        p.split
                    );
                }
            }
        }
    }
    if let Some(path) = dump_path {
        std::fs::write(path, &dump).expect("write dump");
    }
    let rows = cn_variants();
    let mut misses = Vec::new();
    let by = eval_search(&s, &rows, &mut misses);
    println!(
        "\n## Chinese company-name variants (search against the whole corpus): {} rows",
        rows.len()
    );
    println!(
        "{:<40} {:>5} {:>8} {:>8} | {:>5} {:>8} | skip",
        "split/category", "pos", "cand_R", "recall", "neg", "false_al"
    );
    for (k, c) in &by {
        println!(
            "{:<40} {:>5} {:>8.3} {:>8.3} | {:>5} {:>8.3} | {}",
            k,
            c.positives,
            c.candidate_recall(),
            c.recall(),
            c.negatives,
            c.false_alert_rate(),
            c.skipped
        );
    }
    if show_misses {
        for m in misses {
            println!("  {m}");
        }
    }
}
