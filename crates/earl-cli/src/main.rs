//! The `earl` command-line tool: a thin shell over [`earl_engine::Engine`].
//!
//! Exit codes: 0 for any answer (a determination, a screening), 2 for unusable input or data
//! (the message names the field, line or file); bulk commands document their own codes.

mod args;
mod audit;
mod bulk;
mod check;
mod lists;
mod render;
mod screen;
mod serve;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};

// glibc's per-thread arenas grow and trim with an mprotect per screening query, and those
// calls serialise the worker threads on the kernel's memory-map lock (two threads ran slower
// than one); mimalloc keeps per-thread free lists and does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for unusable input or data.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`earl chips | head`) is not an error worth reporting.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "earl: error: {err:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = cli.global;
    match cli.command {
        Command::Check(a) => check::check(&global, &a),
        Command::Classify(a) => check::classify(&global, &a),
        Command::Chips(a) => check::chips(&global, &a),
        Command::Screen(a) => screen::screen(&global, &a),
        Command::ScreenFile(a) => bulk::screen_file(&global, &a),
        Command::Rescreen(a) => bulk::rescreen(&global, &a),
        Command::Lists(a) => lists::lists(&global, a),
        Command::Audit(a) => audit::audit(&global, a),
        Command::Serve(a) => serve::serve(&global, &a),
        Command::Token(a) => serve::token(&global, a),
    }
}
