# Sourced by the scripts (not run): the pinned Pulumi version.
#
#   . "$root/scripts/lib.sh"
#   PULUMI_VERSION=v$(pulumi_version)

awsecr_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# pulumi_version: prints the Pulumi version every script uses, three numbers
# without a leading v. The one place it is written is tools/pulumi/VERSION;
# tests/version_pin.rs checks every file that has to state it literally.
pulumi_version() {
  local file="$awsecr_root/tools/pulumi/VERSION" v
  v=$(head -n 1 "$file") || return 1
  if ! [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "error: $file must hold one version, three numbers such as 3.1.0, got '$v'" >&2
    return 1
  fi
  echo "$v"
}
