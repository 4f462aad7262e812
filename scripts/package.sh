#!/usr/bin/env bash
# Builds the plugin tarball that `pulumi plugin install` takes:
#   dist/pulumi-resource-awsecr-v<version>-<os>-<arch>.tar.gz
# holding the binary (pulumi-resource-awsecr, .exe on Windows), README.md and
# LICENSE. The engine looks for exactly this name when it downloads a plugin.
#
# No PulumiPlugin.yaml: that file marks a plugin written for a language
# runtime, and `pulumi plugin install` then asks that runtime to install the
# plugin's dependencies. A native binary has no runtime, so it ships without it
# (as other native providers do).
#
#   bash scripts/package.sh                   # release build for this machine
#   bash scripts/package.sh --binary PATH     # package a binary built already
#   ... --platform OS-ARCH                    # the binary's platform (default this machine's):
#                                             # linux-amd64, linux-arm64, windows-amd64, darwin-arm64, ...
#   ... --version X.Y.Z                       # default: what the binary's --version prints
#                                             # (give it for a binary this machine cannot run)
#   ... --out DIR                             # write the tarball to DIR (default dist/)
# Prints the tarball's path on stdout. scripts/release.sh calls it for every
# platform.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# This machine's platform, in the engine's words.
host_platform() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=windows ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  echo "$os-$arch"
}

binary=""
out="$root/dist"
platform=$(host_platform)
version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    *) echo "usage: $0 [--binary PATH] [--platform OS-ARCH] [--version X.Y.Z] [--out DIR]" >&2; exit 2 ;;
  esac
done
if ! [[ $platform =~ ^(linux|darwin|windows)-(amd64|arm64)$ ]]; then
  echo "package: --platform must be <os>-<arch> with os linux, darwin or windows and arch amd64 or arm64, got '$platform'" >&2
  exit 2
fi
if [ -z "$binary" ]; then
  echo "building pulumi-resource-awsecr (release)..." >&2
  cargo build --quiet --release --bin pulumi-resource-awsecr
  binary="${CARGO_TARGET_DIR:-target}/release/pulumi-resource-awsecr"
fi
[ -n "$version" ] || version=$("$binary" --version)
name="pulumi-resource-awsecr-v$version-$platform"
exe=pulumi-resource-awsecr
case "$platform" in windows-*) exe=pulumi-resource-awsecr.exe ;; esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/$exe"
cp README.md LICENSE "$stage/"
chmod 755 "$stage/$exe"
mkdir -p "$out"
# Files owned by 0:0, not by whoever built them: GNU tar's flags, or bsdtar's
# (macOS).
owner=(--owner=0 --group=0 --numeric-owner)
tar --version 2>/dev/null | grep -q 'GNU tar' || owner=(--uid 0 --gid 0 --numeric-owner)
tar "${owner[@]}" -C "$stage" -czf "$out/$name.tar.gz" "$exe" README.md LICENSE
echo "$out/$name.tar.gz"
