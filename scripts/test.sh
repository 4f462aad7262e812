#!/usr/bin/env bash
# The test command (README): sets up what the tests need on a fresh machine
# (test tools in a cached venv), then runs format and lint checks and every
# test: unit, wire compatibility, schema, and gRPC integration against a
# local ECR emulator that the tests start and stop themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "test tools (cached venv)"
bash scripts/test-venv.sh >/dev/null

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --no-fail-fast --quiet -- --color never
