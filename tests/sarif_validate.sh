#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Validates the SARIF of real runs of the binary: the demo tree, and a tree
# of bad inputs (a file that does not parse, one with an unknown encoding,
# a binary, a name that needs percent-encoding, a non-ASCII message, a file
# outside the current directory, a missing path), and findings with fixes
# (results with `fixes`). Each log is checked
#   1. against the SARIF 2.1.0 JSON schema shipped with the multitool
#      (node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json),
#      with Debian's python3-jsonschema;
#   2. with `Sarif.Multitool validate` (npm @microsoft/sarif-multitool),
#      which applies the SARIF spec's own rules: an error or a warning of
#      it fails the test, its notes (style advice such as "use message
#      arguments" or "URIs should be reachable") do not. validate exits 0
#      whatever it finds, so its own output log is read.
# npm ci --ignore-scripts leaves the multitool without its execute bit:
# this script sets it, or runs a private copy when node_modules is not
# writable. Prints TAP.
#
# Usage: sarif_validate.sh CLI_BIN SOURCE_ROOT
set -uo pipefail
export LC_ALL=C.UTF-8

if [ $# -ne 2 ]; then
  echo "usage: sarif_validate.sh CLI_BIN SOURCE_ROOT" >&2
  exit 2
fi
bin=$(readlink -f "$1")
src=$(readlink -f "$2")
mt_dir="$src/node_modules/@microsoft/sarif-multitool-linux"
schema="$mt_dir/sarif-2.1.0.json"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-sarif.XXXXXX")
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

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
  [ -f "$2" ] && sed 's/^/# /' "$2" | head -n 60
}

# A python3 that has jsonschema: Debian's first, then whatever is on PATH.
python=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import jsonschema' 2>/dev/null; then
    python=$p
    break
  fi
done

multitool=""
if [ -f "$mt_dir/Sarif.Multitool" ]; then
  multitool="$mt_dir/Sarif.Multitool"
  if [ ! -x "$multitool" ]; then
    if ! chmod +x "$multitool" 2>/dev/null; then
      cp "$multitool" "$tmp/Sarif.Multitool" && chmod +x "$tmp/Sarif.Multitool"
      multitool="$tmp/Sarif.Multitool"
    fi
  fi
fi

# The inputs. The demo tree is linted from the source root (relative URIs
# under %SRCROOT%); the bad tree from its own directory, plus one file
# outside it (an absolute file:// URI).
bad="$tmp/work"
mkdir -p "$bad/pkg" "$tmp/outside"
printf 'import time\nasync def f(:\n    time.sleep(1)\n' >"$bad/pkg/broken.py"
printf '# -*- coding: no-such-codec -*-\nx = 1\n' >"$bad/pkg/bad_cookie.py"
printf '\x7fELF\x00\x01\x02' >"$bad/pkg/binary.py"
printf 'import time\n\n\nasync def f():\n    x = "caf\xc3\xa9 \xe2\x98\x95"; time.sleep(1)\n' \
  >"$bad/pkg/odd name %, caf\xc3\xa9.py"
printf 'import asyncio\n\n\nasync def g():\n    asyncio.sleep(1)\n' \
  >"$tmp/outside/far.py"
# Findings with fixes (a replacement, a deletion): results with `fixes`.
mkdir -p "$tmp/fixes"
printf 'import asyncio\n\n\nasync def f():\n    x = 1  # noqa: AL100\n    return asyncio.get_event_loop(), x  # noqa: AL100, AL403\n    return asyncio.get_event_loop()\n' \
  >"$tmp/fixes/fixable.py"

logs=()
run_case() { # name, dir, args...
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && "$bin" --cache-dir "$tmp/cache" --format sarif \
    --output-file "$tmp/$name.sarif" "$@") \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  local rc=$?
  if [ "$rc" -le 2 ] && [ -s "$tmp/$name.sarif" ]; then
    ok "$name: asynclint wrote a SARIF log (exit $rc)"
    logs+=("$name")
  else
    not_ok "$name: asynclint wrote a SARIF log (exit $rc)" "$tmp/$name.err"
  fi
}
run_case demo "$src" fixtures/demo
run_case bad "$bad" --select ALL pkg "$tmp/outside/far.py" missing.py
run_case empty "$bad" --select AL100 pkg/broken.py
run_case fixes "$tmp/fixes" --select AL403,AL003,AL100 fixable.py
# The fixes log must hold them: three results with a fix, each with an
# artifactChange of fixable.py and its replacements.
if python3 - "$tmp/fixes.sarif" >"$tmp/fixes.check" 2>&1 <<'EOF'; then
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
fixed = [r for r in log["runs"][0]["results"] if r.get("fixes")]
assert len(fixed) == 3, f"{len(fixed)} results with fixes, want 3"
for r in fixed:
    (change,) = r["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "fixable.py", change
    for rep in change["replacements"]:
        assert rep["deletedRegion"]["startLine"] >= 5, rep
        assert "text" in rep["insertedContent"], rep
EOF
  ok "fixes: three results carry their fixes"
else
  not_ok "fixes: three results carry their fixes" "$tmp/fixes.check"
fi
# With the environment: findings about installed libraries' functions and
# the run's properties.pythonPath (tests/env.sh checks the findings).
if [ -d /usr/lib/python3/dist-packages/aiosmtplib ]; then
  run_case env "$src/fixtures/env" --python-path /usr/lib/python3/dist-packages app
  if "${python:-python3}" -c 'import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(log["runs"][0]["properties"]["pythonPath"] != [sys.argv[2]])' \
    "$tmp/env.sarif" /usr/lib/python3/dist-packages 2>"$tmp/env.pp"; then
    ok "env: runs[0].properties.pythonPath names the directory read"
  else
    not_ok "env: runs[0].properties.pythonPath names the directory read" "$tmp/env.pp"
  fi
else
  echo "ok $((n += 1)) - env: SARIF with an environment # SKIP python3-aiosmtplib not installed (./dev deps)"
fi

for name in "${logs[@]}"; do
  log="$tmp/$name.sarif"
  if [ -z "$python" ]; then
    echo "ok $((n += 1)) - $name: JSON schema # SKIP no python3 with jsonschema (apt install python3-jsonschema)"
  elif [ ! -f "$schema" ]; then
    echo "ok $((n += 1)) - $name: JSON schema # SKIP $schema missing (npm ci --ignore-scripts)"
  elif "$python" - "$schema" "$log" >"$tmp/$name.schema" 2>&1 <<'EOF'; then
import json, sys
import jsonschema
with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
with open(sys.argv[2], encoding="utf-8") as f:
    log = json.load(f)
cls = jsonschema.validators.validator_for(schema)
errors = sorted(cls(schema).iter_errors(log), key=lambda e: list(e.path))
for e in errors[:20]:
    print("/".join(map(str, e.path)) + ": " + e.message)
sys.exit(1 if errors else 0)
EOF
    ok "$name: valid against the SARIF 2.1.0 JSON schema"
  else
    not_ok "$name: valid against the SARIF 2.1.0 JSON schema" "$tmp/$name.schema"
  fi

  if [ -z "$multitool" ]; then
    echo "ok $((n += 1)) - $name: Sarif.Multitool validate # SKIP multitool not installed (npm ci --ignore-scripts)"
    continue
  fi
  rm -f "$tmp/$name.validation.sarif"
  "$multitool" validate --level "Error;Warning" \
    --output "$tmp/$name.validation.sarif" "$log" >"$tmp/$name.mt" 2>&1
  rc=$?
  if [ ! -s "$tmp/$name.validation.sarif" ]; then
    not_ok "$name: Sarif.Multitool validate ran (exit $rc)" "$tmp/$name.mt"
    continue
  fi
  if "${python:-python3}" - "$tmp/$name.validation.sarif" >"$tmp/$name.mterr" 2>&1 <<'EOF'; then
import json, sys
with open(sys.argv[1], encoding="utf-8-sig") as f:
    log = json.load(f)
bad = []
for run in log.get("runs", []):
    for res in run.get("results", []):
        if res.get("level", "warning") in ("error", "warning"):
            bad.append(res.get("ruleId", "?") + ": " + res.get("message", {}).get("text", str(res.get("message"))))
    for inv in run.get("invocations", []):
        for note in inv.get("toolExecutionNotifications", []):
            if note.get("level") == "error":
                bad.append("tool error: " + note.get("message", {}).get("text", ""))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
    ok "$name: Sarif.Multitool validate reports no errors or warnings"
  else
    not_ok "$name: Sarif.Multitool validate reports no errors or warnings" \
      "$tmp/$name.mterr"
  fi
done

echo "1..$n"
[ "$failed" -eq 0 ]
