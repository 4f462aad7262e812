#!/usr/bin/env bash
# Regenerates the SDKs in sdk/{nodejs,python,go} from schema.json with
# Pulumi's own code generators (`pulumi package gen-sdk`, pinned toolchain).
#
#   bash sdk-gen/gen.sh           # regenerate; commit the result
#   bash sdk-gen/gen.sh --check   # fail if a committed SDK is stale
#
# The Go SDK also gets a go.mod (module = the schema's importBasePath) pinned
# to the same Pulumi SDK as the toolchain (tools/pulumi/VERSION), and its go.sum.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

check=0
[ "${1:-}" = "--check" ] && check=1

. "$root/scripts/lib.sh"
PULUMI_SDK_VERSION=v$(pulumi_version)
bin=$(bash scripts/pulumi-toolchain.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PULUMI_HOME="$work/home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

for lang in nodejs python go; do
  echo "sdk-gen: generating $lang" >&2
  "$bin/pulumi" package gen-sdk schema.json --language "$lang" -o "$work/sdk" >&2
done

module=$(python3 -c 'import json; print(json.load(open("schema.json"))["language"]["go"]["importBasePath"])')
gosdk="$work/sdk/go/awsecr"
if [ ! -f "$gosdk/go.mod" ]; then
  cat >"$gosdk/go.mod" <<GOMOD
module $module

go 1.25

require github.com/pulumi/pulumi/sdk/v3 $PULUMI_SDK_VERSION
GOMOD
fi
# go.sum: reuse the committed one when it still fits, so --check needs no network.
[ -f sdk/go/awsecr/go.sum ] && cp sdk/go/awsecr/go.sum "$gosdk/go.sum"
(cd "$gosdk" && GOWORK=off GOFLAGS=-mod=mod go mod tidy >&2)

if [ "$check" = 1 ]; then
  stale=0
  for lang in nodejs python go; do
    if ! diff -r -x node_modules -x bin -x __pycache__ -x "*.egg-info" -x build "$work/sdk/$lang" "sdk/$lang" >"$work/$lang.diff" 2>&1; then
      echo "sdk-gen: sdk/$lang is stale (differs from what schema.json generates):" >&2
      head -n 20 "$work/$lang.diff" >&2
      stale=1
    fi
  done
  if [ "$stale" = 1 ]; then
    echo "sdk-gen: run 'bash sdk-gen/gen.sh' and commit the result" >&2
    exit 1
  fi
  echo "sdk-gen: sdk/nodejs, sdk/python and sdk/go match schema.json" >&2
else
  for lang in nodejs python go; do
    rm -rf "sdk/$lang"
    mkdir -p sdk
    cp -r "$work/sdk/$lang" "sdk/$lang"
  done
  echo "sdk-gen: wrote sdk/nodejs, sdk/python, sdk/go" >&2
fi
