//! The `earl` command-line tool.

fn main() {}
