#!/usr/bin/env bash
# Prints the path of a Python virtual environment holding the tools the tests
# need (tests/requirements.txt), creating it on first use. The venv lives in the
# cache outside the clone, keyed by the requirements file's hash, so repeat runs
# reuse it. Safe to call from several test processes at once (flock).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PULUMI_AWSECR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-awsecr}
req="$root/tests/requirements.txt"
key=$(cat "$req" | sha256sum | cut -c1-16)
venv="$cache/venv-$key"
mkdir -p "$cache"
exec 9>"$cache/venv.lock"
flock 9
if [ ! -f "$venv/.ready" ]; then
  echo "setting up test tools in $venv (first run only)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$venv/.ready"
fi
echo "$venv"
