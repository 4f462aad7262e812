#!/usr/bin/env bash
# Builds the committed SDKs the way users consume them, proving they work:
# - sdk/nodejs: installs @pulumi/pulumi at the pinned version
#   (tools/pulumi/VERSION) and compiles with tsc into sdk/nodejs/bin (the
#   package to install);
# - sdk/python: installs into a cached venv next to pulumi at the pinned
#   version and imports it, checking the type hints are there;
# - sdk/go: go build and go vet.
# Build outputs (bin/, node_modules/) are ignored by the SDKs' .gitignore.
# Prints the Python venv's path on stdout (examples and tests use it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. "$root/scripts/lib.sh"
pulumi=$(pulumi_version)
cache=${PULUMI_AWSECR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-awsecr}
mkdir -p "$cache"
exec 9>"$cache/sdk-build.lock"
flock 9

echo "sdk-build: nodejs (npm install, tsc)" >&2
(
  cd sdk/nodejs
  npm install --no-save --no-audit --no-fund --prefer-offline --loglevel=error \
    "@pulumi/pulumi@$pulumi" >&2
  npx --no-install tsc >&2
  cp package.json README.md bin/
)

echo "sdk-build: python (install into a venv with pulumi==$pulumi, import, type hints)" >&2
venv="$cache/sdk-python-$pulumi"
if [ ! -f "$venv/.ready" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pulumi==$pulumi" >&2
  touch "$venv/.ready"
fi
# Dependencies first (a no-op once present), then this SDK's code afresh.
"$venv/bin/pip" install --quiet --disable-pip-version-check ./sdk/python >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./sdk/python >&2
"$venv/bin/python" - <<'PY' >&2
import importlib.resources, inspect
import pulumi_awsecr as awsecr

assert importlib.resources.files("pulumi_awsecr").joinpath("py.typed").is_file(), "py.typed is missing"
params = inspect.signature(awsecr.RepositoryArgs.__init__).parameters
for name in ("repository_name", "lifecycle_policy", "tags", "force_delete"):
    annotation = params[name].annotation
    assert annotation is not inspect.Parameter.empty, f"RepositoryArgs.{name} has no type hint"
    print(f"RepositoryArgs.{name}: {annotation}")
print("python SDK imports, with type hints")
PY

echo "sdk-build: go (build, vet)" >&2
(
  cd sdk/go/awsecr
  GOWORK=off go build ./... >&2
  GOWORK=off go vet ./... >&2
)
echo "sdk-build: all three SDKs build" >&2
echo "$venv"
