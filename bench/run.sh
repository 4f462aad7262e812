#!/usr/bin/env bash
# Regenerates docs/performance.md and its charts (docs/performance/*.svg)
# from scratch on this machine (issues 7 and 17): builds what it needs (the
# tuned release, the plain release before tuning, the aws-lc-rs variant, the
# provider as it was before the latency work (commit 0136948, in a git
# worktree under target/bench-before, kept between runs), the Go peer and
# the cold-start tool in tools/bench-peer, the plugin tarball, the
# criterion benches), measures, and writes the document. Starts and stops
# its own emulators and proxies; leaves nothing running.
#
#   bash bench/run.sh                  # the published figures (about 20 minutes of measuring here once
#                                      # the builds are cached; the first builds take far longer)
#   BENCH_QUICK=1 bash bench/run.sh    # a quick try: fewer runs, smaller stacks
#   ... BENCH_OUT=FILE                 # write somewhere else than docs/performance.md
#                                      # (the charts go to FILE's folder, in FILE's name without .md)
#
# Progress goes to stdout. The pieces: bench/measure.py (the measurements),
# bench/report.py (the document) with bench/svg.py (its charts) and
# bench/quota_report.py (its request-quota section; bench/quota.sh measures
# and writes that section alone), bench/rounds_report.py (its round-trip
# section; bench/rounds.sh alone), bench/inventory_report.py (its inventory-at-scale
# section), bench/before.sh (builds the provider
# before the latency work),
# bench/harness.py (emulator, stacks), bench/latency_proxy.py (a fixed delay
# per AWS request, a token bucket standing for ECR's request quotas, and the
# critical-path round trips; its tests are
# bench/test_latency_proxy.py), bench/direct_ecr.py (the direct-SDK
# baseline), bench/rss_wrapper.py (peak memory of the provider under
# `pulumi up`), benches/*.rs (criterion).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

quick=${BENCH_QUICK:-0}
out=${BENCH_OUT:-$root/docs/performance.md}
if [ "$quick" = 1 ]; then
  start_runs=5 memory_runs=2 up_runs=2 sizes=10,20,40 up_repos=20
  criterion_args=(--warm-up-time 1 --measurement-time 2 --sample-size 20)
else
  # Sized to finish the measurements in about 25 minutes on 2 CPUs: the
  # 500-repository ups dominate (about a minute each with checkpoints).
  start_runs=15 memory_runs=2 up_runs=3 sizes=50,100,250,500 up_repos=100
  criterion_args=(--warm-up-time 1 --measurement-time 3)
fi
# The round-trip figures: the delay the latency proxy holds each AWS request
# (a far region), and the commit before the latency work (TCP_NODELAY,
# concurrent calls, the SDK's current HTTPS client), measured beside the
# current tree in the same run.
delay_ms=100
before_commit=$(bash bench/before.sh --commit)

# Builds run at a lower priority (nice): on a shared machine they yield to
# other work; the measurements run at the normal priority.
build() { nice -n 10 "$@"; }

began=$SECONDS
step() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Everything the run makes (the peer, the tarball, each section's JSON) stays
# in target/bench-run until the next run, to look at or to re-render from.
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
work="$target/bench-run"
rm -rf "$work"
mkdir -p "$work"

step "tools: Pulumi toolchain and the test venv (cached)"
toolchain=$(bash scripts/pulumi-toolchain.sh)
venv=$(bash scripts/test-venv.sh)
python="$venv/bin/python"
pulumi_version=$("$toolchain/pulumi" version)
echo "pulumi $pulumi_version in $toolchain; python in $venv"

step "tests of the bench's own pieces (bench/test_*.py)"
"$python" -m unittest discover -s bench -p 'test_*.py'

step "build: release binary, tuned (cargo build --release)"
build cargo build --release --bin pulumi-resource-awsecr
tuned="$target/release/pulumi-resource-awsecr"
version=$("$tuned" --version)

step "build: release binary before tuning (cargo build --profile bench-plain)"
build cargo build --profile bench-plain --bin pulumi-resource-awsecr
plain="$target/bench-plain/pulumi-resource-awsecr"
strip -o "$work/plain-stripped" "$plain"

step "build: the aws-lc-rs variant (cargo build --release --features crypto-aws-lc, target/bench-aws-lc)"
CARGO_TARGET_DIR="$target/bench-aws-lc" build cargo build --release --features crypto-aws-lc --bin pulumi-resource-awsecr
awslc="$target/bench-aws-lc/release/pulumi-resource-awsecr"

step "build: the provider before the latency work (commit $before_commit, target/bench-before; bench/before.sh)"
before=$(bash bench/before.sh)
before_src="$target/bench-before/src"

step "build: the Go peer and the cold-start tool (tools/bench-peer)"
export GOWORK=off GOFLAGS=-buildvcs=false CGO_ENABLED=0
build go -C tools/bench-peer build -trimpath -ldflags "-s -w" -o "$work/pulumi-resource-benchpeer" .
build go -C tools/bench-peer build -trimpath -o "$work/coldstart" ./cmd/coldstart
ls -l "$work/pulumi-resource-benchpeer" "$work/coldstart"

step "build: plugin tarball (scripts/package.sh)"
tarball=$(bash scripts/package.sh --binary "$tuned" --out "$work/dist")
ls -l "$tarball"

step "build: criterion benches (cargo bench --no-run)"
build cargo bench --bench codec --bench repository --no-run

build_seconds=$((SECONDS - began))
results="$work/results"
mkdir -p "$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

step "criterion microbenchmarks (codec, repository)"
rm -rf "$target/criterion"
cargo bench --bench codec --bench repository -- --noplot "${criterion_args[@]}" 2>&1 |
  tee "$work/criterion.log" | grep -E '^[A-Za-z].*time:|^ +time:' || true
[ -d "$target/criterion" ] || { echo "criterion wrote no results"; exit 1; }

step "cold start and idle memory ($start_runs runs each: awsecr tuned, before ($before_commit), aws-lc-rs, plain; Go peer)"
"$python" bench/measure.py startup --out "$results/startup.json" --runs "$start_runs" \
  --coldstart "$work/coldstart" \
  --bin "awsecr=$tuned" --bin "awsecr, before=$before" --bin "awsecr, aws-lc-rs=$awslc" \
  --bin "awsecr, plain release=$plain" --bin "Go peer=$work/pulumi-resource-benchpeer"

step "crates in more than one version (cargo tree -d -e normal): before ($before_commit) and now"
"$python" bench/measure.py deps --out "$results/deps.json" \
  --manifest "before=$before_src/Cargo.toml" --manifest "after=$root/Cargo.toml"

step "critical-path round trips per operation at $delay_ms ms a request: before ($before_commit) and now"
"$python" bench/measure.py rounds --out "$results/rounds.json" --delay-ms "$delay_ms" \
  --compare "before=$before" --compare "after=$tuned" --toolchain "$toolchain"

step "pulumi up and refresh of $up_repos repositories at $delay_ms ms a request vs the same calls made directly ($up_runs runs)"
"$python" bench/measure.py latency --out "$results/latency.json" --runs "$up_runs" --repos "$up_repos" --parallel 10 \
  --delay-ms "$delay_ms" --compare "before=$before" --compare "after=$tuned" --toolchain "$toolchain"

step "AWS calls per operation (one repository through every operation)"
"$python" bench/measure.py calls --out "$results/calls.json" \
  --provider "$tuned" --version "$version" --toolchain "$toolchain"

step "pulumi up of $up_repos repositories vs the same calls made directly with boto3; scaling to $sizes ($up_runs runs)"
"$python" bench/measure.py up --out "$results/up.json" --runs "$up_runs" --repos "$up_repos" --parallel 10 \
  --scale-sizes "$sizes" \
  --provider "$tuned" --version "$version" --toolchain "$toolchain"

step "peak memory of the provider during pulumi up of $sizes repositories ($memory_runs runs each)"
"$python" bench/measure.py memory --out "$results/memory.json" --runs "$memory_runs" --sizes "$sizes" \
  --provider "$tuned" --version "$version" --toolchain "$toolchain"

quota_repos=1000
[ "$quick" = 1 ] && quota_repos=150
step "ECR's request quotas: $quota_repos repositories through a 20 requests/s bucket (burst 40), default parallelism and --parallel 64"
"$python" bench/measure.py quota --out "$results/quota.json" --repos "$quota_repos" --quota-baseline \
  --provider "$tuned" --version "$version" --toolchain "$toolchain"

step "inventory of 2000 repositories at $delay_ms ms a request, 100 a page: --no-report against the minimum listing, and with the report"
inv_runs=3
[ "$quick" = 1 ] && inv_runs=1
"$python" bench/measure.py inventory --out "$results/inventory.json" --runs "$inv_runs" --repos 2000 --page-size 100 \
  --delay-ms "$delay_ms" --provider "$tuned" --version "$version" --toolchain "$toolchain"

step "writing $out"
mkdir -p "$(dirname "$out")"
report=("$python" bench/report.py --results "$results" --tuned "$tuned" --plain "$plain"
  --plain-stripped "$work/plain-stripped" --peer "$work/pulumi-resource-benchpeer" --tarball "$tarball"
  --before "$before" --before-commit "$before_commit" --aws-lc "$awslc"
  --criterion "$target/criterion" --pulumi "$pulumi_version" --seconds $((SECONDS - began)) --build-seconds "$build_seconds"
  --quick "$quick" --load-start "$load_start" --out "$out")
printf '%q ' "${report[@]}" >"$work/report-command.sh"
"${report[@]}"
sed -n '/^## Targets/,/^## Binary/p' "$out" | sed '$d'
step "done in $(((SECONDS - began) / 60)) min $(((SECONDS - began) % 60)) s: $out"
