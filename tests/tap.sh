# SPDX-License-Identifier: MIT
# TAP helpers shared by the shell test scripts (hostile.sh, stress.sh,
# cache.sh): numbered test points, a readable failure (its lines; for an
# argument naming a file, the file's first lines) with the last run's exit
# code, stdout and stderr, and the usual predicates over them. Sourced, not
# run. The caller may set $out and $err (files the last run wrote) and $rc.

n=0
failed=0

ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}

not_ok() {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do
    if [ -f "$line" ]; then
      sed 's/^/# /' "$line" | head -n 40 # a file: its first lines
    else
      echo "# $line"
    fi
  done
  [ -n "${rc:-}" ] && echo "# exit code: $rc"
  if [ -n "${out:-}" ] && [ -s "$out" ]; then
    echo "# stdout:"
    head -n 20 "$out" | cut -c1-200 | sed 's/^/#   /'
  fi
  if [ -n "${err:-}" ] && [ -s "$err" ]; then
    echo "# stderr:"
    head -n 20 "$err" | cut -c1-200 | sed 's/^/#   /'
  fi
}

skip() {
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
}

# check NAME CONDITION-COMMAND...: one test point from a command's status.
check() {
  local name=$1
  shift
  if "$@"; then
    ok "$name"
  else
    not_ok "$name" "failed: $*"
  fi
}

has_line() { grep -qxF -- "$2" "$1"; }
count_line() { grep -cxF -- "$2" "$1"; }
rc_is() { [ "$rc" -eq "$1" ]; }
