#!/usr/bin/env bash
# Runs every test of the workspace: unit, scenario, property, snapshot, quality-harness,
# CLI end-to-end and browser tests. The README and .ci/run both call this script.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-targets
cargo test --workspace --doc
