//! Prints every example determination (run with --nocapture to read them).
mod common;
use earl_core::{Transaction, check};

#[test]
fn print_examples() {
    let rules = common::rules();
    let catalog = common::catalog();
    let s = common::screener();
    for f in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples")).unwrap() {
        let p = f.unwrap().path();
        let tx = Transaction::from_json(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let d = check(&tx, &rules, &catalog, &s);
        println!("===== {}\n{}", p.display(), d.to_text());
    }
}
