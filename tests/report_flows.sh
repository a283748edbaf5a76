#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The report options that need more than one run or files around them,
# which a golden of fixtures/report cannot hold:
#   --baseline      written on the first run (exit 0, message on stderr);
#                   a re-run reports nothing; a new finding is the only one
#                   reported; moving code and re-indenting it brings nothing
#                   back; a corrupt or foreign baseline is an error (exit 2);
#                   --update-baseline rewrites it
#   --output-file   the report lands in the file (nothing on stdout), the
#                   temporary file is gone, a missing directory is a clear
#                   error (exit 2) and leaves nothing behind
#   --exit-zero     0 with findings, still 2 for a missing path
#   usage errors    --statistics with sarif, --update-baseline alone
# Prints TAP.
#
# Usage: report_flows.sh CLI_BIN
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV # the tree alone: no Python environment (env.sh reads one)

if [ $# -ne 1 ]; then
  echo "usage: report_flows.sh CLI_BIN" >&2
  exit 2
fi
bin=$(readlink -f "$1")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-flows.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

n=0
failed=0
# check NAME COMMAND...: runs the command (a test expression) as one case.
check() {
  local name=$1
  shift
  n=$((n + 1))
  if "$@"; then
    echo "ok $n - $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - $name"
    echo "# failed: $*"
    for f in out err; do
      [ -s "$f" ] && sed "s/^/# $f: /" "$f" | head -n 20
    done
  fi
}

# run ARGS...: runs asynclint, stdout in ./out, stderr in ./err, exit in $rc.
rc=0
run() {
  "$bin" "$@" >out 2>err
  rc=$?
}
rc_is() { [ "$rc" -eq "$1" ]; }
empty() { [ ! -s "$1" ]; }
has() { grep -qF -- "$2" "$1"; }
lines() { [ "$(wc -l <"$1")" -eq "$2" ]; }

mkdir -p proj/pkg
cat >proj/pkg/app.py <<'EOF'
import asyncio
import time


async def fetch():
    return 1


async def handler():
    fetch()
    time.sleep(1)
    fetch()
EOF
cd proj || exit 1

# --baseline -------------------------------------------------------------
run --baseline base.json pkg
check "baseline: the first run exits 0" rc_is 0
check "baseline: the first run says what it wrote" \
  has err "Baseline written: 3 findings in base.json"
check "baseline: nothing is reported on the first run" empty out
check "baseline: the file is JSON with a version and 3 findings" \
  python3 -c 'import json,sys; d=json.load(open("base.json")); sys.exit(not (d["version"] == 1 and len(d["findings"]) == 3))'

run --baseline base.json pkg
check "baseline: a re-run reports nothing" empty out
check "baseline: a re-run exits 0" rc_is 0
check "baseline: a re-run says all checks passed" has err "All checks passed"

# Move code around: a new function above, the handler re-indented inside a
# class, the two identical calls still in the same order.
cat >pkg/app.py <<'EOF'
import asyncio
import time


async def fetch():
    return 1


def helper():
    return 2


class Api:
    async def handler(self):
        fetch()
        x = 1
        time.sleep(1)
        fetch()
        return x
EOF
run --baseline base.json pkg
check "baseline: moved and re-indented code brings nothing back" empty out
check "baseline: ... and exits 0" rc_is 0

# A new finding: only it is reported (a third identical fetch() is a new
# occurrence, and a new blocking call).
cat >>pkg/app.py <<'EOF'


async def other():
    fetch()
    time.sleep(2)
EOF
run --baseline base.json pkg
check "baseline: only the new findings are reported" lines out 2
check "baseline: the new fetch() is reported" has out "pkg/app.py:23:5: AL100"
check "baseline: the new time.sleep is reported" has out "pkg/app.py:24:5: AL200"
check "baseline: new findings exit 1" rc_is 1
run --baseline ./base.json ./pkg/app.py
check "baseline: paths are compared normalised (./pkg/app.py)" lines out 2

run --baseline base.json --update-baseline pkg
check "baseline: --update-baseline rewrites it" \
  has err "Baseline written: 5 findings in base.json"
run --baseline base.json pkg
check "baseline: after the update nothing is new" empty out

printf '{"version": 1, "findings": [' >corrupt.json
run --baseline corrupt.json pkg
check "baseline: a corrupt file exits 2" rc_is 2
check "baseline: ... with a clear error" \
  has err "asynclint: cannot read baseline corrupt.json: line 1"
check "baseline: ... and no report" empty out
printf '{"version": 7, "findings": []}\n' >future.json
run --baseline future.json pkg
check "baseline: an unknown version exits 2" rc_is 2
check "baseline: ... and says so" has err "unsupported baseline version 7"
printf '{"version": 1, "findings": [{"path": 3}]}\n' >wrong.json
run --baseline wrong.json pkg
check "baseline: a malformed finding exits 2" rc_is 2
check "baseline: ... naming it" has err "finding 1: expected an object"
run --baseline new.json pkg missing.py
check "baseline: not written when a path is missing" test ! -e new.json
check "baseline: ... exit 2" rc_is 2
run --baseline nodir/base.json pkg
check "baseline: a missing directory exits 2" rc_is 2
check "baseline: ... with a clear error" \
  has err "asynclint: cannot write nodir/base.json: No such file or directory"

# --output-file -------------------------------------------------------------
run --format json --output-file report.json pkg
check "output-file: exit code as without it" rc_is 1
check "output-file: nothing on stdout" empty out
check "output-file: the summary still goes to stderr" has err "Found 5 problems"
check "output-file: the report is in the file" \
  python3 -c 'import json,sys; d=json.load(open("report.json")); sys.exit(len(d["diagnostics"]) != 5)'
check "output-file: no temporary file is left" \
  test "$(find . -name '.report.json.*' | wc -l)" -eq 0
check "output-file: the file is not private (0666 minus umask)" \
  test "$(stat -c %a report.json)" = "$(printf '%o' $((0666 & ~$(umask))))"
run -o report.txt --statistics pkg
check "output-file: -o with --statistics" has report.txt "AL100  unawaited-coroutine"
run --output-file nodir/report.sarif --format sarif pkg
check "output-file: a missing directory exits 2" rc_is 2
check "output-file: ... with the exact message" \
  has err "asynclint: cannot write nodir/report.sarif: No such file or directory"
check "output-file: ... and no summary" lines err 1
check "output-file: ... and nothing created" test ! -e nodir

# --exit-zero ---------------------------------------------------------------
run --exit-zero pkg
check "exit-zero: findings exit 0" rc_is 0
check "exit-zero: the findings are still printed" lines out 5
run --exit-zero pkg missing.py
check "exit-zero: a missing path still exits 2" rc_is 2

# Usage errors ----------------------------------------------------------------
run --statistics --format sarif pkg
check "usage: --statistics with sarif exits 2" rc_is 2
check "usage: ... and says why" has err "--statistics needs --format text or json"
run --update-baseline pkg
check "usage: --update-baseline alone exits 2" rc_is 2

echo "1..$n"
[ "$failed" -eq 0 ]
