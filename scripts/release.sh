#!/usr/bin/env bash
# Builds a release into dist/ (ignored by git) and checks every artifact:
#
#   pulumi-resource-awsecr-v<version>-<os>-<arch>.tar.gz   the plugin, per platform
#   pulumi-awsecr-awsecr-<version>.tgz                     the npm package (npm pack)
#   pulumi_awsecr-<version>-py3-none-any.whl               the Python wheel
#   pulumi_awsecr-<version>.tar.gz                         the Python sdist
#   awsecr-go-sdk-v<version>.zip                           the Go SDK module (Go's module zip form)
#   SHA256SUMS                                             over all of the above (sha256sum -c)
#
#   bash scripts/release.sh                   # every platform, the SDK packages, SHA256SUMS
#   bash scripts/release.sh --host-only       # linux-amd64 only, with the SDK packages (CI's test)
#   options:
#     --plugin-download-url URL   stamp where the engine downloads the plugin from
#                                 (sdk-gen/gen.sh --plugin-download-url): everything is
#                                 built from a copy of the tree, the checkout is untouched
#     --binary PATH               with --host-only: package this linux-amd64 binary,
#                                 built already, instead of a release build
#     --out DIR                   where to write (default dist/, emptied first; another
#                                 DIR must be empty or absent)
#     --setup                     first install what the cross builds need (rustup
#                                 targets; Debian's cross compilers and qemu-user,
#                                 as root): see README, "Releasing"
#
# Platforms: linux-amd64 (this machine), linux-arm64 and windows-amd64
# (cross-compiled with Debian's gcc-aarch64-linux-gnu and gcc-mingw-w64-x86-64).
# darwin-amd64/arm64 are built by a macOS release job (README, "Releasing").
#
# Checks: `file` says each binary is for its platform; the linux-amd64 binary,
# and the linux-arm64 one under qemu-aarch64, are started as the engine
# starts them and asked over gRPC for their version and schema
# (scripts/plugin-check.py), the Windows one too under wine when wine is
# installed; every tarball holds exactly the binary, README.md and LICENSE;
# the npm package, the wheel (no build warning, README as description, SPDX
# license), the sdist and the Go module carry the version (and the plugin
# download URL when one is stamped), and the Go module builds; SHA256SUMS
# verifies. tests/release.rs installs the SDK packages into fresh projects and
# runs a program with the plugin from the linux-amd64 tarball.
#
# Version: Cargo.toml's; schema.json must agree. Each stage prints one line,
# its output in target/logs/release-*.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/scripts/lib.sh"

usage() {
  sed -n '12,25p' "$0" >&2
  exit 2
}

host_only=0
binary=""
download_url=""
out="$root/dist"
out_given=0
setup=0
while [ $# -gt 0 ]; do
  case "$1" in
    --host-only) host_only=1; shift ;;
    --binary) binary=${2:-}; shift 2 || usage ;;
    --plugin-download-url) download_url=${2:-}; shift 2 || usage ;;
    --out) out=${2:-}; out_given=1; shift 2 || usage ;;
    --setup) setup=1; shift ;;
    *) usage ;;
  esac
done
if [ -n "$binary" ] && [ "$host_only" = 0 ]; then
  echo "release: --binary packages one linux-amd64 binary: use it with --host-only" >&2
  exit 2
fi
if [ -n "$binary" ] && [ -n "$download_url" ]; then
  echo "release: --binary serves the schema it was built with; --plugin-download-url needs a build of the stamped tree" >&2
  exit 2
fi
[ -n "$out" ] || usage
if [ -n "$download_url" ] && [[ ! $download_url =~ ^[a-z]+:// ]]; then
  echo "release: --plugin-download-url takes a URL such as github://api.github.com/<owner> or https://..." >&2
  exit 2
fi

version=$(python3 -c 'import sys, tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["package"]["version"])')
schema_version=$(python3 -c 'import json; print(json.load(open("schema.json"))["version"])')
if [ "$version" != "$schema_version" ]; then
  echo "release: Cargo.toml says version $version but schema.json says $schema_version" >&2
  exit 1
fi

# platform  rust target                  C cross compiler (Debian package)
platforms=(
  "linux-amd64   x86_64-unknown-linux-gnu  -"
  "linux-arm64   aarch64-unknown-linux-gnu aarch64-linux-gnu-gcc"
  "windows-amd64 x86_64-pc-windows-gnu     x86_64-w64-mingw32-gcc"
)
[ "$host_only" = 1 ] && platforms=("${platforms[0]}")
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "release: builds on linux-amd64 (this is $(uname -sm)); a macOS job follows README, \"Releasing\"" >&2
  exit 1
fi

# What the cross builds and their checks need, and how to get it.
missing_targets=()
missing_debs=()
if [ "$host_only" = 0 ]; then
  installed=$(rustup target list --installed)
  for p in "${platforms[@]}"; do
    read -r _ target _ <<<"$p"
    grep -qx "$target" <<<"$installed" || missing_targets+=("$target")
  done
  command -v aarch64-linux-gnu-gcc >/dev/null || missing_debs+=(gcc-aarch64-linux-gnu)
  command -v x86_64-w64-mingw32-gcc >/dev/null || missing_debs+=(gcc-mingw-w64-x86-64)
  command -v qemu-aarch64 >/dev/null || missing_debs+=(qemu-user)
fi
command -v file >/dev/null || missing_debs+=(file)
if [ "$setup" = 1 ]; then
  if [ ${#missing_targets[@]} -gt 0 ]; then
    rustup target add "${missing_targets[@]}"
    missing_targets=()
  fi
  if [ ${#missing_debs[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing_debs[@]}"
    missing_debs=()
  fi
fi
if [ ${#missing_targets[@]} -gt 0 ] || [ ${#missing_debs[@]} -gt 0 ]; then
  echo "release: missing what the builds or their checks need; run bash scripts/release.sh --setup, or:" >&2
  [ ${#missing_targets[@]} -eq 0 ] || echo "  rustup target add ${missing_targets[*]}" >&2
  [ ${#missing_debs[@]} -eq 0 ] || echo "  apt-get install ${missing_debs[*]}" >&2
  exit 1
fi

if [ "$out_given" = 1 ]; then
  if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
    echo "release: $out is not empty" >&2
    exit 1
  fi
else
  rm -rf "$out"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A stamped build gets a target folder of its own. Cargo keys a build by the
# package's path inside its workspace, not the workspace's place, so the
# copied tree and the checkout would share artifacts, and the checkout's
# schema.json, older than a stamped binary, would not trigger a rebuild: the
# next plain release would package the stamped plugin (plugin-check refuses
# it: its schema names the download URL).
if [ -n "$download_url" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}/stamped
else
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
fi
export AWSECR_LOG_DIR=$awsecr_logs
pulumi=$(pulumi_version)
SECONDS=0
echo "release: pulumi-resource-awsecr $version into $out" >&2

# The tree to build from: the checkout, or a copy stamped with the download URL.
tree=$root
if [ -n "$download_url" ]; then
  tree=$work/tree
  mkdir -p "$tree"
  git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$tree"
  stage release-stamp "stamp pluginDownloadURL = $download_url into a copy of the tree" \
    bash "$tree/sdk-gen/gen.sh" --plugin-download-url "$download_url"
fi

venv=$(stage_out release-venv "test tools (cached venv: grpcio and Pulumi's gRPC stubs)" bash scripts/test-venv.sh)
checks=()
note() { checks+=("$1"); }

# ---------------------------------------------------------------- plugins

# (Stage functions run with `set -e` off, as in any `||` list: each step
# says `|| return`.)
build() {
  local target=$1 cc=$2
  cd "$tree" || return
  if [ "$cc" = - ]; then
    cargo build --release --bin pulumi-resource-awsecr
  else
    local var=${target//-/_}
    local upper=${var^^}
    env "CARGO_TARGET_${upper}_LINKER=$cc" "CC_$var=$cc" "AR_$var=${cc%gcc}ar" \
      cargo build --release --target "$target" --bin pulumi-resource-awsecr
  fi
}

# The `file` line each platform's binary must match.
file_pattern() {
  case "$1" in
    linux-amd64) echo 'ELF 64-bit LSB (pie )?executable, x86-64, .*interpreter /lib64/ld-linux-x86-64\.so\.2' ;;
    linux-arm64) echo 'ELF 64-bit LSB (pie )?executable, ARM aarch64, .*interpreter /lib/ld-linux-aarch64\.so\.1' ;;
    windows-amd64) echo 'PE32\+ executable \(console\) x86-64.*MS Windows' ;;
  esac
}

# The newest glibc symbol version a Linux binary needs: the oldest glibc it runs on.
glibc_floor() {
  local objdump=objdump
  [ "$1" = linux-arm64 ] && objdump=aarch64-linux-gnu-objdump
  command -v "$objdump" >/dev/null || return 0
  "$objdump" -T "$2" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1
}

# bcryptprimitives.dll with ProcessPrng only, for wine 8.0 (see below).
wine_shim() {
  cat >"$1/bcryptprimitives.c" <<'C'
#include <windows.h>
#include <ntsecapi.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!RtlGenRandom(data, chunk)) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
C
  printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\nProcessPrng\n' >"$1/bcryptprimitives.def"
  x86_64-w64-mingw32-gcc -O2 -shared -o "$1/bcryptprimitives.dll" "$1/bcryptprimitives.c" "$1/bcryptprimitives.def" -ladvapi32
}

for p in "${platforms[@]}"; do
  read -r platform target cc <<<"$p"
  if [ -n "$binary" ]; then
    bin=$binary
  else
    stage "release-build-$platform" "plugin $platform: cargo build --release --target $target" build "$target" "$cc"
    bin=$CARGO_TARGET_DIR/$target/release/pulumi-resource-awsecr
    [ "$cc" = - ] && bin=$CARGO_TARGET_DIR/release/pulumi-resource-awsecr
    [[ $platform == windows-* ]] && bin=$bin.exe
  fi
  tarball=$(bash scripts/package.sh --binary "$bin" --platform "$platform" --version "$version" --out "$out")

  # The tarball: exactly these files, the binary for its platform.
  exe=pulumi-resource-awsecr
  [[ $platform == windows-* ]] && exe=$exe.exe
  listing=$(tar -tzf "$tarball" | sort | tr '\n' ' ')
  if [ "$listing" != "LICENSE README.md $exe " ]; then
    echo "release: $tarball holds $listing, expected LICENSE README.md $exe" >&2
    exit 1
  fi
  unpacked=$work/$platform
  mkdir -p "$unpacked"
  tar -xzf "$tarball" -C "$unpacked"
  kind=$(file -b "$unpacked/$exe")
  if ! grep -qE "$(file_pattern "$platform")" <<<"$kind"; then
    echo "release: $platform binary is not one: file says: $kind" >&2
    exit 1
  fi
  note "$(basename "$tarball"): $kind"
  floor=""
  [[ $platform == linux-* ]] && floor=$(glibc_floor "$platform" "$unpacked/$exe")
  [ -z "$floor" ] || note "  needs ${floor/_/ } or later"

  # Started as the engine starts it, asked for its version and schema.
  case "$platform" in
    linux-amd64) run=("$unpacked/$exe"); stop=(); how="started" ;;
    linux-arm64) run=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$unpacked/$exe"); stop=(); how="started under qemu-aarch64" ;;
    windows-amd64)
      wine=$(command -v wine || command -v wine64 || ls /usr/lib/wine/wine64 2>/dev/null || true)
      if [ -z "$wine" ]; then
        note "  not started: wine is not installed (file-checked only; apt-get install wine64 to start it)"
        continue
      fi
      # Rust's std takes its random bytes from ProcessPrng in
      # bcryptprimitives.dll, which Debian 12's wine 8.0 lacks: a one-function
      # stand-in (RtlGenRandom) beside a copy of the binary, found first by
      # Windows' DLL search. Only for this check; the tarball is as built.
      shim=$work/wine-run
      mkdir -p "$shim"
      cp "$unpacked/$exe" "$shim/"
      wine_shim "$shim"
      # wine does not pass SIGTERM on as a console event.
      run=(env WINEDEBUG=-all WINEPREFIX="$work/wine" "$wine" "$shim/$exe"); stop=(--no-stop-check); how="started under ${wine##*/}" ;;
  esac
  result=$(stage_out "release-check-$platform" "plugin $platform: $how, asked for its version and schema" \
    "$venv/bin/python" scripts/plugin-check.py --schema "$tree/schema.json" --version "$version" "${stop[@]}" -- "${run[@]}")
  note "  $how: $result"
done

# ---------------------------------------------------------------- SDK packages

# Every SDK says the plugin comes from the stamped URL, or from nowhere.
check_server() {
  local what=$1 server=$2
  if [ "$server" != "$download_url" ]; then
    echo "release: $what says the plugin comes from '${server}', expected '${download_url}'" >&2
    exit 1
  fi
}

npm_package() {
  cp -r "$tree/sdk/nodejs" "$work/nodejs" || return
  rm -rf "$work/nodejs/node_modules" "$work/nodejs/bin"
  cd "$work/nodejs" || return
  npm install --no-save --no-audit --no-fund --prefer-offline --loglevel=error "@pulumi/pulumi@$pulumi" || return
  npx --no-install tsc || return
  cp package.json README.md "$root/LICENSE" bin/ || return
  npm pack --pack-destination "$out" ./bin
}
stage release-npm "npm package (tsc, npm pack)" npm_package
tgz=$out/pulumi-awsecr-awsecr-$version.tgz
[ -f "$tgz" ] || { echo "release: npm pack did not write $tgz" >&2; ls "$out" >&2; exit 1; }
manifest=$(tar -xzOf "$tgz" package/package.json)
files=$(tar -tzf "$tgz")
for f in package/index.js package/index.d.ts package/repository.js package/README.md package/LICENSE; do
  grep -qx "$f" <<<"$files" || { echo "release: $tgz lacks $f" >&2; exit 1; }
done
read -r npm_version npm_server < <(python3 -c '
import json, sys
p = json.load(sys.stdin)
print(p["version"], p["pulumi"].get("server", ""))' <<<"$manifest")
[ "$npm_version" = "$version" ] || { echo "release: $tgz is version $npm_version" >&2; exit 1; }
check_server "$(basename "$tgz")" "$npm_server"
note "$(basename "$tgz"): $(grep -c . <<<"$files") files, version $npm_version"

python_packages() {
  local tools="$work/pytools"
  python3 -m venv "$tools" || return
  "$tools/bin/pip" install --quiet --disable-pip-version-check "build==1.3.0" || return
  cp -r "$tree/sdk/python" "$work/python" || return
  rm -rf "$work/python/build" "$work/python"/*.egg-info
  # The sdist, then the wheel from the sdist (what an installer from source
  # does), each in an isolated build environment. Any warning fails.
  env -u PYTHONDONTWRITEBYTECODE "$tools/bin/python" -m build --outdir "$out" "$work/python" >"$work/python-build.log" 2>&1 ||
    { cat "$work/python-build.log"; return 1; }
  cat "$work/python-build.log"
  if grep -iE "warning|deprecat" "$work/python-build.log"; then
    echo "the Python packages build with the warnings above"
    return 1
  fi
}
stage release-python "Python wheel and sdist (python -m build, no warnings)" python_packages
wheel=$out/pulumi_awsecr-$version-py3-none-any.whl
sdist=$out/pulumi_awsecr-$version.tar.gz
python3 - "$wheel" "$sdist" "$version" "$download_url" <<'PY' || exit 1
import email, json, sys, tarfile, zipfile

wheel_path, sdist_path, version, server = sys.argv[1:]
wheel = zipfile.ZipFile(wheel_path)
names = wheel.namelist()
meta = email.message_from_bytes(wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
problems = []
if meta["Version"] != version:
    problems.append(f"wheel version {meta['Version']}")
if not meta["License-Expression"]:
    problems.append("wheel without License-Expression")
if meta["Description-Content-Type"] != "text/markdown" or not meta.get_payload().lstrip().startswith("# "):
    problems.append("wheel without its README as description")
for need in ("pulumi_awsecr/__init__.py", "pulumi_awsecr/py.typed", "pulumi_awsecr/pulumi-plugin.json"):
    if need not in names:
        problems.append(f"wheel lacks {need}")
plugin = json.loads(wheel.read("pulumi_awsecr/pulumi-plugin.json"))
if plugin.get("version") != version or plugin.get("server", "") != server:
    problems.append(f"wheel's pulumi-plugin.json says {plugin}")
sdist = tarfile.open(sdist_path).getnames()
top = f"pulumi_awsecr-{version}"
for need in ("PKG-INFO", "pyproject.toml", "README.md", "pulumi_awsecr/py.typed", "pulumi_awsecr/pulumi-plugin.json"):
    if f"{top}/{need}" not in sdist:
        problems.append(f"sdist lacks {need}")
if problems:
    sys.exit("release: " + "; ".join(problems))
print(f"wheel {len(names)} files, sdist {len(sdist)} files", file=sys.stderr)
PY
note "$(basename "$wheel"): version $version, README as description, License-Expression, py.typed"
note "$(basename "$sdist"): builds the wheel above"

# The Go SDK as Go's module zip. Its module is sdk/ (sdk/go.mod; the package
# is <module>/go/awsecr), so its tag is sdk/v<version> (README, "Versions and
# tags"), and the zip holds what Go's proxy would serve for that tag: the
# files git keeps under sdk/ (the Node.js and Python sources too, as in
# Pulumi's own providers; never node_modules or a build's output) under
# <module>@v<version>/, with the repository's LICENSE at the module root, as
# Go adds it to a module in a subdirectory.
module=$(awk '$1 == "module" { print $2; exit }' "$tree/sdk/go.mod")
gozip=$out/awsecr-go-sdk-v$version.zip
git -C "$root" ls-files -z --cached --others --exclude-standard -- sdk >"$work/go-files"
python3 - "$tree" "$root/LICENSE" "$module@v$version" "$gozip" "$work/go-files" <<'PY'
import os, sys, zipfile

tree, license, prefix, dest, listed = sys.argv[1:]
names = open(listed).read().split("\0")
files = sorted(p for p in names if p and os.path.isfile(os.path.join(tree, p)))
if "sdk/go.mod" not in files:
    sys.exit("release: git keeps no sdk/go.mod")
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for path in files:
        z.write(os.path.join(tree, path), f"{prefix}/{os.path.relpath(path, 'sdk')}")
    if "sdk/LICENSE" not in files:
        z.write(license, f"{prefix}/LICENSE")
print(f"Go module zip: {len(files)} files", file=sys.stderr)
PY
# The check is Go's own: the zip is served from a file-based module proxy as
# a tagged release would be, and a fresh program requiring $module v$version
# downloads it (Go checks a module zip's layout and paths as it extracts it)
# and builds against its package. Pulumi's modules come from the local module
# cache's download folder, else the usual proxy; a module cache of its own
# keeps any earlier copy of this version out of the way.
go_check() {
  local proxy=$work/goproxy/$module/@v consumer=$work/go-consumer
  mkdir -p "$proxy" "$consumer" || return
  cp "$gozip" "$proxy/v$version.zip" || return
  cp "$tree/sdk/go.mod" "$proxy/v$version.mod" || return
  echo "v$version" >"$proxy/list"
  printf '{"Version":"v%s","Time":"%s"}\n' "$version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$proxy/v$version.info"
  cat >"$consumer/go.mod" <<GOMOD || return
module awsecr-release-check

go 1.25

require $module v$version
GOMOD
  cat >"$consumer/main.go" <<GO || return
package main

import (
	"$module/go/awsecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := awsecr.NewRepository(ctx, "app", nil)
		return err
	})
}
GO
  cp "$tree/sdk/go.sum" "$consumer/go.sum" || return
  local upstream cached
  upstream=$(go env GOPROXY) || return
  cached=$(go env GOMODCACHE)/cache/download || return
  (
    cd "$consumer" &&
      export GOWORK=off GOFLAGS="-mod=mod -modcacherw" GONOSUMDB=$module GOMODCACHE=$work/gomodcache \
        GOPROXY="file://$work/goproxy,file://$cached,$upstream" &&
      go build -trimpath -o /dev/null . &&
      go list -m -f '{{.Dir}}' "$module" >"$work/go-module-dir"
  )
}
stage release-go "Go SDK module (zip served by a file-based module proxy, a program built against it)" go_check
gomod=$(cat "$work/go-module-dir")
go_plugin=$(cat "$gomod/go/awsecr/pulumi-plugin.json")
read -r go_version go_server < <(python3 -c '
import json, sys
p = json.load(sys.stdin)
print(p["version"], p.get("server", ""))' <<<"$go_plugin")
[ "$go_version" = "$version" ] || { echo "release: the Go SDK's pulumi-plugin.json says version $go_version" >&2; exit 1; }
check_server "the Go SDK's pulumi-plugin.json" "$go_server"
note "$(basename "$gozip"): module $module (package $module/go/awsecr), builds; tag sdk/v$version"

# ---------------------------------------------------------------- SHA256SUMS

(
  cd "$out"
  find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort | xargs -d '\n' sha256sum -- >SHA256SUMS
  sha256sum --quiet -c SHA256SUMS
)
note "SHA256SUMS: $(wc -l <"$out/SHA256SUMS") files, sha256sum -c passes"

echo "release: done in $(elapsed "$SECONDS"); checked:" >&2
printf '  %s\n' "${checks[@]}" >&2
[ -z "$download_url" ] || echo "  every artifact names the plugin download URL $download_url" >&2
echo "$out"
