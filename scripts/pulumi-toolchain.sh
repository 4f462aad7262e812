#!/usr/bin/env bash
# Prints the directory holding the pinned Pulumi toolchain (the `pulumi` CLI,
# its language hosts and their helper scripts), building it on first use.
#
#   scripts/pulumi-toolchain.sh           the pinned toolchain (tools/pulumi/VERSION)
#   scripts/pulumi-toolchain.sh newest    an extra CLI of tools/pulumi/compat/
#
# With the name of a directory of tools/pulumi/compat/ (`newest`, `oldest`)
# it builds that extra Pulumi CLI instead, with the YAML language host that
# fits it and no other host: the end-to-end YAML tests run against these too
# (README, "Supported Pulumi CLIs"). Each is described by its own
# compat/<name>/VERSION and cli/ and yaml/ modules, and cached on its own.
#
# The toolchain is built from Go modules pinned in tools/pulumi/*/go.{mod,sum}
# (no installer is needed) at the version pinned in tools/pulumi/VERSION, and
# cached outside the clone, keyed by that version and a hash of those files and
# of the stand-in hosts' sources, so later runs take a second or two:
#
#   ${PULUMI_AWSECR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-awsecr}/pulumi-v<version>-<hash>/bin
#   (an extra CLI: .../pulumi-v<version>-cli-yaml-<hash>/bin)
#
# Every build shares one Go module cache and one Go build cache under that
# directory (go/mod, go/build), so the second and third CLI download and
# compile only what differs from the first.
#
# The nodejs, python and go language hosts are NOT Pulumi's own: their modules
# are not served by the module proxy reachable here, so tools/pulumi/hosts holds
# small stand-ins that speak the same protocol, run programs with the real
# language SDKs and generate SDKs with Pulumi's own code generators (pkg/v3).
# The CLI and the YAML host are Pulumi's real ones.
#
# If a `pulumi` on PATH already reports the pinned version and has every
# language host next to it, that directory is printed instead (for the pinned
# toolchain only).
#
# Only the bin directory goes to stdout; progress goes to stderr. Safe to run
# from several processes at once (flock); a build is assembled in a temporary
# directory and renamed into place, so a half-built toolchain is never used.
#
#   bin=$(scripts/pulumi-toolchain.sh) && PATH="$bin:$PATH" pulumi version
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/lib.sh"

# Bump when the build recipe below changes, so cached toolchains are rebuilt.
RECIPE=2

log() { echo "pulumi-toolchain: $*" >&2; }

compat=${1:-}
if [ -z "$compat" ]; then
  PULUMI_VERSION=v$(pulumi_version)
  # The modules this toolchain is built from.
  tools="$root/tools/pulumi"
  name_suffix=""
else
  if ! [[ $compat =~ ^[a-z0-9-]+$ ]] || [ ! -f "$root/tools/pulumi/compat/$compat/VERSION" ]; then
    log "error: no toolchain '$compat' in tools/pulumi/compat/ (there are: $(cd "$root/tools/pulumi/compat" && echo */ | tr -d /))"
    exit 1
  fi
  PULUMI_VERSION=v$(pulumi_version "$compat")
  tools="$root/tools/pulumi/compat/$compat"
  name_suffix="-cli-yaml"
fi

# Language hosts a complete Pulumi install has next to `pulumi`.
all_hosts=(pulumi-language-nodejs pulumi-language-python pulumi-language-go pulumi-language-yaml)

# 1. A matching Pulumi already on PATH?
if [ -z "$compat" ] && existing=$(command -v pulumi 2>/dev/null); then
  dir=$(cd "$(dirname "$existing")" && pwd)
  if [ "$("$existing" version 2>/dev/null || true)" = "$PULUMI_VERSION" ]; then
    ok=1
    for h in "${all_hosts[@]}"; do
      [ -x "$dir/$h" ] || { ok=0; break; }
    done
    if [ "$ok" = 1 ]; then
      echo "$dir"
      exit 0
    fi
  fi
fi

# 2. The cached build, keyed by the recipe, the pinned module files and the
# stand-in hosts' sources (an extra CLI has no hosts).
key=$(
  cd "$tools"
  {
    echo "recipe=$RECIPE"
    for f in $({ ls -d */go.mod */go.sum; [ -n "$compat" ] || find hosts -name '*.go'; } | LC_ALL=C sort); do
      echo "== $f"
      cat "$f"
    done
  } | sha256sum | cut -c1-12
)
cache=${PULUMI_AWSECR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-awsecr}
final="$cache/pulumi-$PULUMI_VERSION$name_suffix-$key"
stamp="$final/.complete"

if [ -f "$stamp" ]; then
  echo "$final/bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "error: 'go' is needed to build the Pulumi toolchain"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/pulumi-toolchain.lock"
flock 9
# Another process may have finished the build while we waited for the lock.
if [ -f "$stamp" ]; then
  echo "$final/bin"
  exit 0
fi

# We hold the lock, so any temporary build dirs are leftovers of killed runs.
rm -rf "$cache"/.tmp-pulumi-* "$final"
tmp=$(mktemp -d "$cache/.tmp-pulumi-XXXXXX")
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"

# Keep the build independent of the caller's Go settings (a go.work above the
# clone, vendoring, ...). go.sum is complete, so the default -mod=readonly holds.
# The installed Go builds every toolchain (never one fetched for a go.mod).
export GOWORK=off GOFLAGS="-buildvcs=false -modcacherw" CGO_ENABLED=0 GOTOOLCHAIN=local
# One module cache and one build cache for every toolchain: the CLIs share most
# of their modules, so the second and third build reuse the first one's
# downloads and compiled packages. -modcacherw keeps them removable with rm -rf.
export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build"

gobuild() { # module-dir ldflags package
  go -C "$tools/$1" build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w $2" -o "$tmp/bin/" "$3" >&2
}
modversion() { # module-dir module-path
  go -C "$tools/$1" list -m -f '{{.Version}}' "$2"
}
moddir() { # module-dir module-path
  go -C "$tools/$1" list -m -f '{{.Dir}}' "$2"
}

modules=(cli hosts)
[ -z "$compat" ] || modules=(cli)
for m in "${modules[@]}"; do
  v=$(modversion $m github.com/pulumi/pulumi/pkg/v3)
  if [ "$v" != "$PULUMI_VERSION" ]; then
    log "error: ${tools#"$root/"}/$m/go.mod pins pkg/v3 $v, ${tools#"$root/"}/VERSION says $PULUMI_VERSION (see README, \"The Pulumi version\")"
    exit 1
  fi
done

start=$SECONDS
log "building pulumi CLI $PULUMI_VERSION (first run takes several minutes)..."
# Older releases (v3.142.0 among them) print the version of pkg/v3/version,
# newer ones that of sdk/v3: both are set (one a release lacks is ignored).
gobuild cli "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION \
  -X github.com/pulumi/pulumi/pkg/v3/version.Version=$PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

yaml_version=$(modversion yaml github.com/pulumi/pulumi-yaml)
log "building pulumi-language-yaml $yaml_version..."
gobuild yaml "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$yaml_version" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml

# An extra CLI is for the YAML tests: no other host, no helper scripts.
if [ -z "$compat" ]; then
  # Pulumi's nodejs, python and go hosts of this release are Go modules of their
  # own (github.com/pulumi/pulumi/sdk/{nodejs/cmd/pulumi-language-nodejs,
  # python/cmd/pulumi-language-python,go/pulumi-language-go}/v3), but the module
  # proxy reachable here serves no version of them. Stand-ins from
  # tools/pulumi/hosts take their place (see tools/pulumi/hosts/langhost).
  log "building stand-in pulumi-language-nodejs/-python/-go (tools/pulumi/hosts; Pulumi's own are not served here)..."
  gobuild hosts "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" ./cmd/...

  # Helper scripts that a Pulumi release ships next to the language hosts; they
  # come from the SDK module of the same release.
  go -C "$tools/cli" mod download github.com/pulumi/pulumi/sdk/v3
  sdk=$(moddir cli github.com/pulumi/pulumi/sdk/v3)
  for f in python/cmd/pulumi-language-python-exec \
    python/dist/pulumi-resource-pulumi-python \
    nodejs/dist/pulumi-resource-pulumi-nodejs; do
    install -m 0755 "$sdk/$f" "$tmp/bin/"
  done
fi

got=$("$tmp/bin/pulumi" version)
if [ "$got" != "$PULUMI_VERSION" ]; then
  log "error: built pulumi reports '$got', expected $PULUMI_VERSION"
  exit 1
fi

{
  echo "pulumi $PULUMI_VERSION${compat:+ (tools/pulumi/compat/$compat)}"
  echo "pulumi-yaml $yaml_version"
  if [ -z "$compat" ]; then
    echo "pulumi-language-nodejs/-python/-go: stand-ins from tools/pulumi/hosts"
  else
    echo "no other language host"
  fi
  echo "go $(go env GOVERSION)"
} >"$tmp/.complete"
mv -T "$tmp" "$final"
trap - EXIT
log "built in $((SECONDS - start))s: $final/bin"
echo "$final/bin"
