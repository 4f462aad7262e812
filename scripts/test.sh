#!/usr/bin/env bash
# The test command (README): sets up what the tests need on a fresh machine
# (test tools in a cached venv, the pinned Pulumi toolchain, and the newest and
# oldest supported Pulumi CLIs for the YAML tests), checks that the
# committed SDKs match schema.json and build, and that the examples in the
# schema's descriptions compile against them (each set-up stage quiet: one
# line with its time, its output in target/logs/), then runs format and lint checks
# and every test: unit, wire compatibility, schema, gRPC integration against a
# local ECR emulator, and end to end with the Pulumi CLI in YAML, TypeScript,
# Python and Go. Tests start and stop every server they use.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

step() { printf '\n==> %s\n' "$*"; }

# Cargo builds in a cache outside the clone, keyed by Cargo.lock and the
# compiler (CARGO_TARGET_DIR, when set, is used as it is): a fresh clone then
# compiles only this package, not its few hundred dependencies. This
# package's own artifacts from an earlier clone are removed first (they are
# never reused: cargo keys them by the clone's path), and caches of other
# keys but the newest one are removed.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  cache=${PULUMI_AWSECR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-awsecr}
  key=$( (cat Cargo.lock; rustc -vV) | sha256sum | cut -c1-16)
  export CARGO_TARGET_DIR=$cache/cargo-target-$key
  mkdir -p "$cache"
  # shellcheck disable=SC2012 # names are ours: cargo-target-<hex>
  ls -dt "$cache"/cargo-target-* 2>/dev/null | grep -vx "$CARGO_TARGET_DIR" | tail -n +2 | xargs -r rm -rf
  if [ -d "$CARGO_TARGET_DIR" ]; then
    cargo clean --quiet -p pulumi-resource-awsecr
    rm -rf "$CARGO_TARGET_DIR/debug/incremental"
  fi
  # Nothing incremental: each clone builds this package once.
  export CARGO_INCREMENTAL=0
  echo "cargo builds in $CARGO_TARGET_DIR (kept between runs)"
fi

# Set-up and SDK checks: one progress line per stage on stderr, the stage's
# own output (downloads, builds) in its log, printed in part on failure.
step "set-up (each stage's output in $awsecr_logs/)"
test_venv=$(stage_out test-venv "test tools (cached venv)" bash scripts/test-venv.sh)
stage pulumi-toolchain "Pulumi toolchain (cached after the first build)" bash scripts/pulumi-toolchain.sh
# The ends of the supported range (README, "Supported Pulumi CLIs"): CLI and
# YAML host only, sharing the Go caches the pinned build filled.
for cli in newest oldest; do
  stage "pulumi-toolchain-$cli" "Pulumi CLI v$(pulumi_version "$cli"), the $cli supported (cached after the first build)" \
    bash scripts/pulumi-toolchain.sh "$cli"
done
stage sdk-check "SDKs match schema.json (sdk-gen/gen.sh --check)" bash sdk-gen/gen.sh --check
AWSECR_SDK_VENV=$(stage_out sdk-build "SDKs build (tsc, Python import, go build/vet)" bash sdk-gen/build.sh)
export AWSECR_SDK_VENV

step "examples in schema.json fit the SDKs (sdk-gen/check-examples.sh)"
bash sdk-gen/check-examples.sh "$AWSECR_SDK_VENV"

step "the benchmark's own tests (bench/test_*.py: latency proxy, round trips)"
"$test_venv/bin/python" -m unittest discover -s bench -p 'test_*.py'

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --no-fail-fast --quiet -- --color never
