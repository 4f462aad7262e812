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
