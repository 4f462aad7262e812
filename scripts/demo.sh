#!/usr/bin/env bash
# The main job on the embedded default: builds what is missing, starts a local
# ECR emulator, runs `pulumi up` on examples/yaml with a local state backend,
# prints the stack outputs and the repositories as ECR reports them, then
# destroys the stack and stops the emulator. Leaves nothing running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# Where cargo builds (CARGO_TARGET_DIR, relative to the root, if set).
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target="$root/$target" ;; esac

. scripts/lib.sh

step() { printf '\n==> %s\n' "$*"; }

# Set-up: one progress line per stage on stderr, the stage's own output
# (compiler, downloads) in its log, printed in part on failure.
step "set-up (each stage's output in $awsecr_logs/)"
stage cargo-build "building the provider (cargo build)" cargo build --bin pulumi-resource-awsecr
provider="$target/debug/pulumi-resource-awsecr"
version=$("$provider" --version)
bin=$(stage_out pulumi-toolchain "Pulumi toolchain (built once from Go modules, then cached)" bash scripts/pulumi-toolchain.sh)
export PATH="$bin:$PATH"
venv=$(stage_out test-venv "ECR emulator and test tools (cached venv)" bash scripts/test-venv.sh)
echo "provider $version, pulumi $(pulumi version)"

step "local ECR emulator"
work=$(mktemp -d -t awsecr-demo-XXXXXX)
moto_pid=""
cleanup() {
  if [ -n "$moto_pid" ] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
    echo "emulator stopped"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
"$venv/bin/python" tests/support/moto_ecr.py -H 127.0.0.1 -p 0 >"$work/moto.log" 2>&1 &
moto_pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|.*Running on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/moto.log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.log"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "the emulator did not start"; cat "$work/moto.log"; exit 1; }
endpoint="http://127.0.0.1:$port"
echo "ECR emulator at $endpoint (pid $moto_pid)"

export PULUMI_HOME="$work/home" PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE=demo \
  PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_IGNORE_AMBIENT_PLUGINS=true \
  AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
mkdir -p "$work/state"
cp -r examples/yaml "$work/project"
cd "$work/project"
pulumi plugin install resource awsecr "$version" --file "$provider" >/dev/null
kms_key=$("$venv/bin/python" -c "import boto3; print(boto3.client('kms', endpoint_url='$endpoint').create_key()['KeyMetadata']['Arn'])")
# The example grants pull access to a task execution role; the emulator, like
# ECR, refuses a policy naming a role that does not exist, so make it first.
"$venv/bin/python" -c "import boto3; boto3.client('iam', endpoint_url='$endpoint').create_role(RoleName='api-task-execution', AssumeRolePolicyDocument='{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}')" >/dev/null

step "pulumi up (stack 'demo', local state in $work/state)"
pulumi stack init demo --non-interactive >/dev/null
pulumi config set awsecr:region us-east-1
pulumi config set awsecr:endpoint "$endpoint"
pulumi config set --secret awsecr:accessKey testing
pulumi config set --secret awsecr:secretKey testing
pulumi config set kmsKeyArn "$kms_key"
pulumi up --yes --non-interactive --skip-preview

step "stack outputs"
pulumi stack output

step "the repositories as ECR reports them"
"$venv/bin/python" - "$endpoint" <<'PY'
import json, sys, boto3
ecr = boto3.client("ecr", endpoint_url=sys.argv[1])
repositories = [r for page in ecr.get_paginator("describe_repositories").paginate() for r in page["repositories"]]
for r in repositories:
    tags = ecr.list_tags_for_resource(resourceArn=r["repositoryArn"])["tags"]
    try:
        policy = json.loads(ecr.get_lifecycle_policy(repositoryName=r["repositoryName"])["lifecyclePolicyText"])
        rules = "; ".join(f'{x["selection"]["tagStatus"]} {x["selection"]["countType"]} {x["selection"]["countNumber"]}' for x in policy["rules"])
    except ecr.exceptions.LifecyclePolicyNotFoundException:
        rules = "none"
    print(f'{r["repositoryName"]}')
    print(f'  url:          {r["repositoryUri"]}')
    print(f'  tag mode:     {r["imageTagMutability"]} {[f["filter"] for f in r.get("imageTagMutabilityExclusionFilters", [])]}')
    print(f'  scan on push: {r["imageScanningConfiguration"]["scanOnPush"]}')
    print(f'  encryption:   {r["encryptionConfiguration"]["encryptionType"]}')
    print(f'  lifecycle:    {rules}')
    print(f'  tags:         {", ".join(t["Key"] + "=" + t["Value"] for t in tags) or "none"}')
PY

step "pulumi destroy"
pulumi destroy --yes --non-interactive --skip-preview
pulumi stack rm --yes demo >/dev/null

step "done"
