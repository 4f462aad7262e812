#!/usr/bin/env bash
# Checks the examples in schema.json's descriptions (what the SDK docs and the
# registry page show) and the program of the registry docs page
# (docs/_index.md) against the SDKs in sdk/: each resource and function
# has them in TypeScript, Python, Go and YAML; the TypeScript ones type-check
# with tsc (strict), the Go ones build with go vet, the Python ones run
# against the Python SDK with Pulumi's mocks, and the YAML ones fit the
# schema (types, property names, required inputs, references).
#
#   bash sdk-gen/check-examples.sh [<python venv>]
#
# Needs the built SDKs: the venv is the one sdk-gen/build.sh prints
# (AWSECR_SDK_VENV, as scripts/test.sh exports it); without either, build.sh runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

venv=${1:-${AWSECR_SDK_VENV:-}}
[ -n "$venv" ] || venv=$(bash sdk-gen/build.sh)
python="$venv/bin/python"
for built in sdk/nodejs/bin/index.d.ts sdk/nodejs/node_modules/.bin/tsc "$python"; do
  [ -e "$built" ] || { echo "check-examples: $built is missing: run bash sdk-gen/build.sh first" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" sdk-gen/examples.py extract schema.json "$work" docs/_index.md

echo "check-examples: YAML (against the schema)" >&2
"$python" sdk-gen/examples.py yaml schema.json "$work"

echo "check-examples: Python (run against sdk/python with mocks)" >&2
(cd "$work" && "$python" "$root/sdk-gen/examples.py" python "$work")

echo "check-examples: TypeScript (tsc --strict against sdk/nodejs/bin)" >&2
mkdir -p "$work/ts/node_modules/@pulumi-awsecr" "$work/ts/node_modules/@pulumi"
ln -s "$root/sdk/nodejs/bin" "$work/ts/node_modules/@pulumi-awsecr/awsecr"
ln -s "$root/sdk/nodejs/node_modules/@pulumi/pulumi" "$work/ts/node_modules/@pulumi/pulumi"
cat >"$work/ts/tsconfig.json" <<JSON
{
    "compilerOptions": {
        "strict": true,
        "noEmit": true,
        "target": "es2020",
        "module": "commonjs",
        "moduleResolution": "node",
        "typeRoots": ["$root/sdk/nodejs/node_modules/@types"],
        "types": ["node"],
        "skipLibCheck": true
    },
    "include": ["*.ts"]
}
JSON
"$root/sdk/nodejs/node_modules/.bin/tsc" -p "$work/ts"
echo "examples: $(ls "$work"/ts/*.ts | wc -l) TypeScript programs type-check" >&2

echo "check-examples: Go (go vet against the module in sdk/)" >&2
module=$(awk '$1 == "module" { print $2; exit }' sdk/go.mod)
pulumi_sdk=$(sed -n 's|^\s*github.com/pulumi/pulumi/sdk/v3 \(v[^ ]*\).*|\1|p' sdk/go.mod | head -n 1)
cat >"$work/go/go.mod" <<GOMOD
module awsecr-examples

go 1.25

require (
	$module v0.0.0
	github.com/pulumi/pulumi/sdk/v3 $pulumi_sdk
)

replace $module => $root/sdk
GOMOD
cp sdk/go.sum "$work/go/go.sum"
(cd "$work/go" && GOWORK=off GOFLAGS=-mod=mod go vet ./... >&2)
echo "examples: $(ls -d "$work"/go/*/ | wc -l) Go programs build" >&2
echo "check-examples: every example fits the SDKs" >&2
