//! Embeds every file of `data/lists` (the bundled list snapshot) into the binary, so earl runs
//! air-gapped with no data files beside it.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let lists = manifest_dir.join("../../data/lists").canonicalize()?;
    println!("cargo:rerun-if-changed={}", lists.display());
    let mut names: Vec<String> = std::fs::read_dir(&lists)?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n == "manifest.json" || n.ends_with(".jsonl"))
        .collect();
    names.sort();
    let mut out = String::from("/// Bundled list files: (file name, contents).\n");
    out.push_str("pub(crate) static BUNDLED_LIST_FILES: &[(&str, &str)] = &[\n");
    for n in &names {
        let path = lists.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(out, "    ({n:?}, include_str!({:?})),", path.display().to_string())?;
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR")?).join("bundled_lists.rs");
    std::fs::write(dest, out)?;
    Ok(())
}
