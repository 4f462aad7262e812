# Sourced by the scripts (not run): the pinned Pulumi version and quiet
# set-up stages.
#
#   . "$root/scripts/lib.sh"
#   PULUMI_VERSION=v$(pulumi_version)
#   stage venv "test tools (cached venv)" bash scripts/test-venv.sh
#   bin=$(stage_out toolchain "Pulumi toolchain" bash scripts/pulumi-toolchain.sh)

awsecr_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Where the stages' logs go: one file per stage, overwritten by each run.
# target/ is ignored by git.
awsecr_logs=${AWSECR_LOG_DIR:-$awsecr_root/target/logs}

# pulumi_version [COMPAT]: prints the Pulumi version every script uses, three
# numbers without a leading v. The one place it is written is
# tools/pulumi/VERSION; tests/version_pin.rs checks every file that has to
# state it literally. With COMPAT (a directory of tools/pulumi/compat/, such
# as `newest`), the version of that extra CLI the end-to-end YAML tests also
# run against, from tools/pulumi/compat/COMPAT/VERSION.
pulumi_version() {
  local file="$awsecr_root/tools/pulumi/VERSION" v
  if [ -n "${1:-}" ]; then
    file="$awsecr_root/tools/pulumi/compat/$1/VERSION"
  fi
  v=$(head -n 1 "$file") || return 1
  if ! [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "error: $file must hold one version, three numbers such as 3.1.0, got '$v'" >&2
    return 1
  fi
  echo "$v"
}

# elapsed SECONDS: 42s, 3m12s, 1h05m00s.
elapsed() {
  local s=$1
  if [ "$s" -ge 3600 ]; then
    printf '%dh%02dm%02ds' $((s / 3600)) $((s % 3600 / 60)) $((s % 60))
  elif [ "$s" -ge 60 ]; then
    printf '%dm%02ds' $((s / 60)) $((s % 60))
  else
    printf '%ds' "$s"
  fi
}

# stage NAME TITLE COMMAND...: runs COMMAND (an external command, so that its
# own `set -e` holds) with its stdout and stderr in $awsecr_logs/NAME.log,
# and prints one progress line on stderr:
#   ==> TITLE ... done in 3m12s
# On failure it prints the log's path and its last 40 lines instead, and
# returns COMMAND's exit status (so `set -e` stops the caller).
stage() {
  _stage "$1" "$2" log "${@:3}"
}

# stage_out NAME TITLE COMMAND...: the same, but COMMAND's stdout is passed
# through, for the scripts that print a result: bin=$(stage_out ...).
stage_out() {
  _stage "$1" "$2" pass "${@:3}"
}

_stage() {
  local name=$1 title=$2 stdout=$3
  shift 3
  mkdir -p "$awsecr_logs"
  local log="$awsecr_logs/$name.log" start=$SECONDS rc=0
  printf '# %s\n# %s\n# started %s\n' "$title" "$*" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$log"
  printf '==> %s ... ' "$title" >&2
  if [ "$stdout" = pass ]; then
    "$@" 2>>"$log" || rc=$?
  else
    "$@" >>"$log" 2>&1 || rc=$?
  fi
  local took
  took=$(elapsed $((SECONDS - start)))
  if [ "$rc" -eq 0 ]; then
    printf 'done in %s\n' "$took" >&2
    return 0
  fi
  {
    printf 'FAILED after %s (exit %d)\n' "$took" "$rc"
    printf '    full log: %s\n    its last 40 lines:\n' "$log"
    tail -n 40 "$log" | sed 's/^/    | /'
  } >&2
  return "$rc"
}
