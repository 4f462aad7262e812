#!/usr/bin/env bash
# Builds the committed SDKs the way users consume them, proving they work:
# - sdk/nodejs: installs @pulumi/pulumi at the pinned version
#   (tools/pulumi/VERSION) and compiles with tsc into sdk/nodejs/bin (the
#   package to install);
# - sdk/python: builds its wheel (no packaging warnings; the README is the
#   wheel's description and the license an SPDX expression), installs the
#   wheel into a cached venv next to pulumi at the pinned version and imports
#   it, checking the type hints are there;
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

echo "sdk-build: python (wheel without warnings, install into a venv with pulumi==$pulumi, import, type hints)" >&2
venv="$cache/sdk-python-$pulumi"
if [ ! -f "$venv/.ready" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pulumi==$pulumi" >&2
  touch "$venv/.ready"
fi
# The wheel as a user gets it, built in pip's isolated build environment; any
# warning of the build backend fails here. (PYTHONDONTWRITEBYTECODE would make
# setuptools warn that it skips byte-compiling: not the package's doing.)
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
if ! env -u PYTHONDONTWRITEBYTECODE "$venv/bin/pip" wheel --no-deps --disable-pip-version-check -v \
  -w "$wheels" ./sdk/python >"$wheels/build.log" 2>&1; then
  cat "$wheels/build.log" >&2
  echo "sdk-build: python: the wheel does not build" >&2
  exit 1
fi
if grep -iE "warning|deprecat" "$wheels/build.log" >&2; then
  echo "sdk-build: python: the wheel builds with the warnings above" >&2
  exit 1
fi
wheel=$(ls "$wheels"/*.whl)
"$venv/bin/python" - "$wheel" <<'PY' >&2
import email, sys, zipfile

wheel = zipfile.ZipFile(sys.argv[1])
name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
meta = email.message_from_bytes(wheel.read(name))
assert meta["License-Expression"], "the wheel has no License-Expression"
assert meta["Description-Content-Type"] == "text/markdown", "the wheel's description is not its README"
assert meta.get_payload().lstrip().startswith("# "), "the wheel carries no README"
print(f"{sys.argv[1].rsplit('/', 1)[-1]}: License-Expression {meta['License-Expression']}, README as description")
PY
# Dependencies first (a no-op once present), then this SDK's code afresh.
"$venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel" >&2
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
  cd sdk
  GOWORK=off go build ./go/... >&2
  GOWORK=off go vet ./go/... >&2
)
echo "sdk-build: all three SDKs build" >&2
echo "$venv"
