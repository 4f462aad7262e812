#!/usr/bin/env bash
# The round-trip figures of docs/performance.md alone ("Round trips per
# operation" and its row of the targets table): builds the release binary and
# the provider before the latency work (bench/before.sh), runs
# bench/measure.py rounds through the latency proxy (100 ms a request) and
# puts the section and its chart into the document (bench/rounds_report.py).
# bench/run.sh runs the same measurement as part of everything. About 10
# minutes here once both are built.
#
#   bash bench/rounds.sh
#   BENCH_OUT=FILE bash bench/rounds.sh      # write somewhere else than docs/performance.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${BENCH_OUT:-$root/docs/performance.md}

toolchain=$(bash scripts/pulumi-toolchain.sh)
venv=$(bash scripts/test-venv.sh)
python="$venv/bin/python"
nice -n 10 cargo build --release --bin pulumi-resource-awsecr
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
tuned="$target/release/pulumi-resource-awsecr"
before=$(bash bench/before.sh)
work="$target/bench-rounds"
mkdir -p "$work"
"$python" bench/measure.py rounds --out "$work/rounds.json" --delay-ms 100 \
  --compare "before=$before" --compare "after=$tuned" --toolchain "$toolchain"
"$python" bench/rounds_report.py "$work/rounds.json" "$(bash bench/before.sh --commit)" "$out"
echo "wrote the round-trip section of $out"
