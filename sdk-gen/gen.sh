#!/usr/bin/env bash
# Regenerates the SDKs in sdk/{nodejs,python,go} from schema.json with
# Pulumi's own code generators (`pulumi package gen-sdk`, pinned toolchain).
#
#   bash sdk-gen/gen.sh           # regenerate; commit the result
#   bash sdk-gen/gen.sh --check   # fail if a committed SDK is stale
#   bash sdk-gen/gen.sh --plugin-download-url <url>   # a release build, below
#
# The Go SDK's module is sdk/: sdk/go.mod (module = the schema's importBasePath
# without /go/awsecr, tagged sdk/v<version>) pinned to the same Pulumi SDK as
# the toolchain (tools/pulumi/VERSION), and its go.sum. The Python SDK is
# finished by python-packaging.py (its README next to pyproject.toml, the
# license as an SPDX string), so its wheel and sdist build without warnings.
#
# Where the engine downloads the plugin from is not in the committed schema,
# as in Pulumi's own providers (theirs come from Pulumi's default plugin
# server). A release that hosts the plugin tarballs stamps the place into
# schema.json and the SDKs before it builds anything, e.g. for the GitHub
# releases of <owner>/pulumi-awsecr:
#   bash sdk-gen/gen.sh --plugin-download-url github://api.github.com/<owner>
# and then builds the plugin (which embeds schema.json) and the SDK packages
# from that tree, which is a release build and never committed. Programs
# using those SDKs then make the engine fetch
# pulumi-resource-awsecr-v<version>-<os>-<arch>.tar.gz from there by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

check=0
download_url=
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --plugin-download-url)
      download_url=${2:-}
      [ -n "$download_url" ] || { echo "sdk-gen: --plugin-download-url needs a URL (github://api.github.com/<owner>, https://...)" >&2; exit 2; }
      shift ;;
    *) echo "sdk-gen: unknown argument $1 (--check, --plugin-download-url <url>)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$download_url" ]; then
  if [ "$check" = 1 ]; then
    echo "sdk-gen: --check compares with the committed schema and takes no --plugin-download-url" >&2
    exit 2
  fi
  # pluginDownloadURL goes after publisher, where Pulumi's schemas keep it.
  python3 -c '
import json, sys
schema = json.load(open("schema.json"))
stamped = {}
for key, value in schema.items():
    if key != "pluginDownloadURL":
        stamped[key] = value
    if key == "publisher":
        stamped["pluginDownloadURL"] = sys.argv[1]
open("schema.json", "w").write(json.dumps(stamped, indent=2) + "\n")
' "$download_url"
  echo "sdk-gen: schema.json now says pluginDownloadURL = $download_url (a release build: do not commit it)" >&2
fi

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

# The Go SDK's module is sdk/ (go.mod next to go/, nodejs/, python/), as in
# Pulumi's own providers, so its release tag is sdk/v<version>; the package's
# import path stays the schema's importBasePath, <module>/go/awsecr.
import_path=$(python3 -c 'import json; print(json.load(open("schema.json"))["language"]["go"]["importBasePath"])')
module=${import_path%/go/*}
[ "$module/go/awsecr" = "$import_path" ] || { echo "sdk-gen: importBasePath $import_path is not <module>/go/awsecr" >&2; exit 1; }
gosdk="$work/sdk"
if [ ! -f "$gosdk/go.mod" ]; then
  cat >"$gosdk/go.mod" <<GOMOD
module $module

go 1.25

require github.com/pulumi/pulumi/sdk/v3 $PULUMI_SDK_VERSION
GOMOD
fi
# go.sum: reuse the committed one when it still fits, so --check needs no network.
[ -f sdk/go.sum ] && cp sdk/go.sum "$gosdk/go.sum"
(cd "$gosdk" && GOWORK=off GOFLAGS=-mod=mod go mod tidy >&2)

pypackage=$(python3 -c 'import json; print(json.load(open("schema.json"))["language"]["python"]["packageName"])')
python3 sdk-gen/python-packaging.py "$work/sdk/python" "$pypackage"

if [ "$check" = 1 ]; then
  stale=0
  for file in go.mod go.sum; do
    if ! diff "$work/sdk/$file" "sdk/$file" >"$work/$file.diff" 2>&1; then
      echo "sdk-gen: sdk/$file is stale (differs from what schema.json generates):" >&2
      head -n 20 "$work/$file.diff" >&2
      stale=1
    fi
  done
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
  echo "sdk-gen: sdk/nodejs, sdk/python, sdk/go and sdk/go.mod match schema.json" >&2
else
  for lang in nodejs python go; do
    rm -rf "sdk/$lang"
    mkdir -p sdk
    cp -r "$work/sdk/$lang" "sdk/$lang"
  done
  cp "$work/sdk/go.mod" "$work/sdk/go.sum" sdk/
  echo "sdk-gen: wrote sdk/nodejs, sdk/python, sdk/go, sdk/go.mod" >&2
fi
