//! Developer tasks.
//!
//! - `cargo xtask build-lists [--shared DIR] [--out DIR]`: import the list files under
//!   `../shared/data` and (re)write the bundled snapshot `data/lists/*` deterministically.
//! - `cargo xtask check-lists [--dir DIR]`: load a snapshot directory, verify every hash and
//!   report entry counts and load time (run with `--release` for representative timings).

mod lists;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

fn workspace_root() -> PathBuf {
    // crates/xtask -> workspace root
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(|p| p.parent())
        .map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn flag_value(args: &[String], flag: &str) -> Result<Option<PathBuf>> {
    match args.iter().position(|a| a == flag) {
        Some(i) => {
            let v =
                args.get(i + 1).with_context(|| format!("{flag} needs a directory argument"))?;
            Ok(Some(PathBuf::from(v)))
        }
        None => Ok(None),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("build-lists") => {
            let shared = flag_value(&args, "--shared")?
                .unwrap_or_else(|| root.join("..").join("shared").join("data"));
            let out =
                flag_value(&args, "--out")?.unwrap_or_else(|| root.join("data").join("lists"));
            lists::build(&shared, &out)
        }
        Some("check-lists") => {
            let dir =
                flag_value(&args, "--dir")?.unwrap_or_else(|| root.join("data").join("lists"));
            lists::check(&dir)
        }
        Some(other) => bail!("unknown task `{other}` (expected build-lists or check-lists)"),
        None => {
            eprintln!("usage: cargo xtask build-lists [--shared DIR] [--out DIR]");
            eprintln!("       cargo xtask check-lists [--dir DIR]");
            Ok(())
        }
    }
}
