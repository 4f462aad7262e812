#!/usr/bin/env bash
# The request-quota figures of docs/performance.md alone ("At ECR's request
# quotas", issue 29): builds the release binary, runs bench/measure.py quota
# (1,000 repositories through a 20 requests/s bucket with a burst of 40, at
# the engine's default parallelism and at --parallel 64: up, refresh, an
# update of every repository, destroy; then the same with no quota, the
# floor the engine and the provider set on their own) and puts the section and its chart
# into the document (bench/quota_report.py). bench/run.sh runs the same
# measurement as part of everything. About 40 minutes here.
#
#   bash bench/quota.sh
#   BENCH_QUOTA_REPOS=200 bash bench/quota.sh     # a quick try (not for publishing)
#   ... BENCH_OUT=FILE                            # write somewhere else than docs/performance.md
#
# A part alone (not for the document's table), e.g. the refresh at --parallel 64:
#   python bench/measure.py quota --out q.json --repos 1000 --quota-runs parallel64 \
#     --quota-steps up,refresh --provider ... --version ... --toolchain ...
# (--quota-baseline --quota-no-limit: only the runs with no quota; AWSECR_PACING=off
# in the environment: the provider without its own pacing.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${BENCH_OUT:-$root/docs/performance.md}
repos=${BENCH_QUOTA_REPOS:-1000}

toolchain=$(bash scripts/pulumi-toolchain.sh)
venv=$(bash scripts/test-venv.sh)
python="$venv/bin/python"
nice -n 10 cargo build --release --bin pulumi-resource-awsecr
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
tuned="$target/release/pulumi-resource-awsecr"
work="$target/bench-quota"
mkdir -p "$work"
"$python" bench/measure.py quota --out "$work/quota.json" --repos "$repos" --quota-baseline \
  --provider "$tuned" --version "$("$tuned" --version)" --toolchain "$toolchain"
"$python" bench/quota_report.py "$work/quota.json" "$out"
echo "wrote the quota section of $out"
