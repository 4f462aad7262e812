#!/usr/bin/env bash
# Builds the provider as it was before the latency work (commit 0136948: no
# TCP_NODELAY, no concurrent calls, the SDK's older HTTPS client) in a git
# worktree under target/bench-before, kept between runs, and prints the
# binary's path on stdout (the build's output goes to stderr). Used by
# bench/run.sh and bench/rounds.sh, which measure it beside the current tree.
#
#   before=$(bash bench/before.sh)        # the commit: bash bench/before.sh --commit
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
before_commit=0136948
if [ "${1:-}" = --commit ]; then
  echo "$before_commit"
  exit 0
fi
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
before_src="$target/bench-before/src"
if [ "$(git -C "$before_src" rev-parse HEAD 2>/dev/null)" != "$(git rev-parse "$before_commit^{commit}")" ]; then
  rm -rf "$before_src"
  # --force: the folder may be registered still from a target/ since emptied.
  git worktree add --force --detach "$before_src" "$before_commit" >&2
fi
# At a lower priority (nice): on a shared machine the build yields to other work.
CARGO_TARGET_DIR="$target/bench-before/target" nice -n 10 cargo build --release --locked \
  --manifest-path "$before_src/Cargo.toml" --bin pulumi-resource-awsecr >&2
echo "$target/bench-before/target/release/pulumi-resource-awsecr"
