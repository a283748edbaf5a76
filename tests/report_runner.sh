#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden tests of the output formats (STYLE.md §3): every directory
# CASES_DIR/<case>/ holds
#   input.py or input/   what is linted (appended to the arguments)
#   args                 optional: options, one shell line
#   stdin                optional: fed to standard input (default /dev/null)
#   exit                 optional: expected exit code (default 1)
#   expected.txt         expected stdout with --format text
#   expected.json        ... with --format json
#   expected.sarif       ... with --format sarif
#   expected.github      ... with --format github
# Each expected file present is one run in the case directory, with
# LC_ALL=C. Before comparing, the absolute path of the case directory becomes
# /ROOT and the version number VERSION (SARIF's originalUriBaseIds and
# semanticVersion, JSON's tool.version). In SARIF the rule table becomes
# "[RULES]" and each ruleIndex "[INDEX]" once checked to point at the rule
# of its ruleId: the table follows the registry (test_sarif checks it), and
# would otherwise make every golden change with each new rule. Prints TAP,
# one line per run.
#
# Usage: report_runner.sh CLI_BIN CASES_DIR
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV # the tree alone: no Python environment (env.sh reads one)

if [ $# -ne 2 ]; then
  echo "usage: report_runner.sh CLI_BIN CASES_DIR" >&2
  exit 2
fi
bin=$(readlink -f "$1")
cases_dir=$2
# Each case is a project of its own, not part of this repository's.
GIT_CEILING_DIRECTORIES=$(readlink -f "$cases_dir")
export GIT_CEILING_DIRECTORIES
if [ ! -x "$bin" ]; then
  echo "Bail out! $1 is not an executable"
  exit 1
fi

version=$("$bin" --version </dev/null 2>/dev/null |
  grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?([-+][0-9A-Za-z.+-]*)?' | head -n 1)
quote_re() { printf '%s' "$1" | sed 's/[][\.*^$/|]/\\&/g'; }
version_re=$(quote_re "$version")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

runs=()
for dir in "$cases_dir"/*/; do
  dir=${dir%/}
  [ -d "$dir" ] || continue
  for kind in txt json sarif github; do
    [ -f "$dir/expected.$kind" ] && runs+=("$dir|$kind")
  done
done
if [ "${#runs[@]}" -eq 0 ]; then
  echo "1..0 # SKIP no cases"
  exit 0
fi

# Replaces the rule table and the rule indexes of a SARIF log (after
# checking each index) and prints it again with the same layout.
read -r -d '' sarif_rules_py <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    log = json.load(f)
for run in log["runs"]:
    rules = run["tool"]["driver"]["rules"]
    for res in run["results"]:
        i = res["ruleIndex"]
        if rules[i]["id"] != res["ruleId"]:
            sys.exit(f"ruleIndex {i} is {rules[i]['id']}, not {res['ruleId']}")
        res["ruleIndex"] = "[INDEX]"
    run["tool"]["driver"]["rules"] = "[RULES]"
print(json.dumps(log, indent=2, ensure_ascii=False))
EOF

n=0
failed=0
echo "1..${#runs[@]}"
for run in "${runs[@]}"; do
  n=$((n + 1))
  dir=${run%|*}
  kind=${run##*|}
  name="${dir##*/} ($kind)"
  case $kind in
    txt) format=text ;;
    *) format=$kind ;;
  esac
  args_line=""
  [ -f "$dir/args" ] && args_line=$(cat "$dir/args")
  input=/dev/null
  [ -f "$dir/stdin" ] && input="$dir/stdin"
  expected_exit=1
  [ -f "$dir/exit" ] && expected_exit=$(tr -d ' \t\r\n' <"$dir/exit")
  target=()
  if [ -f "$dir/input.py" ]; then
    target=(input.py)
  elif [ -d "$dir/input" ]; then
    target=(input)
  fi

  (
    cd "$dir" || exit 125
    eval "set -- $args_line" || exit 125
    exec "$bin" --cache-dir "$tmp/cache" --format "$format" "$@" "${target[@]}"
  ) <"$input" >"$tmp/out" 2>"$tmp/err"
  rc=$?

  root=$(cd "$dir" && pwd)
  root_re=$(quote_re "$root")
  sed -e "s|$root_re|/ROOT|g" ${version_re:+-e "s/$version_re/VERSION/g"} \
    "$tmp/out" >"$tmp/actual"
  ok=1
  : >"$tmp/report"
  if [ "$kind" = sarif ]; then
    if python3 -c "$sarif_rules_py" "$tmp/actual" >"$tmp/actual.n" \
      2>>"$tmp/report"; then
      mv "$tmp/actual.n" "$tmp/actual"
    else
      ok=0
    fi
  fi
  if [ "$rc" != "$expected_exit" ]; then
    echo "exit code: expected $expected_exit, got $rc" >>"$tmp/report"
    ok=0
  fi
  if ! diff -u --label "expected.$kind" --label "actual" "$dir/expected.$kind" \
    "$tmp/actual" >>"$tmp/report"; then
    ok=0
  fi
  if [ "$ok" -eq 1 ]; then
    echo "ok $n - $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - $name"
    sed 's/^/# /' "$tmp/report"
    sed 's/^/# stderr: /' "$tmp/err"
  fi
done

[ "$failed" -eq 0 ]
