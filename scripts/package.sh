#!/usr/bin/env bash
# Builds the plugin tarball that `pulumi plugin install` takes:
#   dist/pulumi-resource-awsecr-v<version>-linux-amd64.tar.gz
# holding the binary, README.md and LICENSE.
#
# No PulumiPlugin.yaml: that file marks a plugin written for a language
# runtime, and `pulumi plugin install` then asks that runtime to install the
# plugin's dependencies. A native binary has no runtime, so it ships without it
# (as other native providers do).
#
#   bash scripts/package.sh                   # release build (size- and start-up-tuned)
#   bash scripts/package.sh --binary PATH     # package a binary built already
#   ... --out DIR                             # write the tarball to DIR (default dist/)
# Prints the tarball's path on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

binary=""
out="$root/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--binary PATH] [--out DIR]" >&2; exit 2 ;;
  esac
done
if [ -z "$binary" ]; then
  echo "building pulumi-resource-awsecr (release)..." >&2
  cargo build --quiet --release --bin pulumi-resource-awsecr
  binary="target/release/pulumi-resource-awsecr"
fi
version=$("$binary" --version)
name="pulumi-resource-awsecr-v$version-linux-amd64"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" README.md LICENSE "$stage/"
mkdir -p "$out"
tar -C "$stage" -czf "$out/$name.tar.gz" pulumi-resource-awsecr README.md LICENSE
echo "$out/$name.tar.gz"
