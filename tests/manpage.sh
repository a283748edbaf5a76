#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The built man page (build/asynclint.1, from man/asynclint.1.in), as TAP:
#   1. groff -man -ww -z prints no warning (and mandoc -T lint -W warning,
#      when mandoc is installed);
#   2. every long option of `asynclint --help` is an entry of OPTIONS, and
#      every entry of OPTIONS is an option of --help: an option added to the
#      CLI without its documentation fails here, not silently;
#   3. every --format of --help has a subsection under OUTPUT FORMATS;
#   4. RULES is exactly what `asynclint --man-rules` prints from the rule
#      descriptors (the text of --explain), one subsection per rule of
#      --list-rules.
# Usage: manpage.sh ASYNCLINT PAGE
set -uo pipefail

bin=$1
page=$2
n=0
failed=0

ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok() {
  n=$((n + 1))
  failed=1
  echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do printf '# %s\n' "$line"; done
}

# Lines of section NAME (.SH NAME up to the next .SH) of the page.
section() {
  awk -v name="$1" '
    /^\.SH / { on = ($0 == ".SH " name || $0 == ".SH \"" name "\"") ; next }
    on' "$page"
}

# The long options named in the .TP tags of OPTIONS, one per line.
page_options() {
  section OPTIONS | awk 'tag { print; tag = 0 } /^\.TP/ { tag = 1 }' |
    sed 's/\\-/-/g' | grep -o -- '--[a-z0-9][a-z0-9-]*' | sed 's/^--//' | sort -u
}

help_options() {
  # Indented lines that start with an option: the option table, however
  # it is grouped.
  "$bin" --help | grep -o -- '^ \+\(-[A-Za-z], \)\?--[a-z0-9][a-z0-9-]*' |
    sed 's/.*--//' | sort -u
}

echo "1..4"

# 1. Warnings ------------------------------------------------------------
warnings=$(groff -man -ww -z "$page" 2>&1)
if command -v mandoc >/dev/null 2>&1; then
  warnings+=$(mandoc -T lint -W warning "$page" 2>&1)
fi
if [ -z "$warnings" ]; then
  ok "no groff/mandoc warnings"
else
  mapfile -t lines <<<"$warnings"
  not_ok "groff/mandoc warnings in $page" "${lines[@]}"
fi

# 2. Options -------------------------------------------------------------
help=$(help_options)
documented=$(page_options)
if [ -z "$help" ]; then
  not_ok "options: found no option in '$bin --help'"
else
  missing=$(comm -23 <(echo "$help") <(echo "$documented"))
  extra=$(comm -13 <(echo "$help") <(echo "$documented"))
  if [ -z "$missing$extra" ]; then
    ok "OPTIONS documents exactly the $(echo "$help" | wc -l) long options of --help"
  else
    msgs=()
    for o in $missing; do
      msgs+=("--$o is in --help but not under OPTIONS: add a .TP entry to man/asynclint.1.in")
    done
    for o in $extra; do
      msgs+=("--$o is under OPTIONS but not in --help: remove it from man/asynclint.1.in")
    done
    not_ok "OPTIONS and --help disagree" "${msgs[@]}"
  fi
fi

# 3. Formats -------------------------------------------------------------
# The --format line of --help: `--format FORMAT  [words:] a, b, c (default..`.
formats=$("$bin" --help | sed -n 's/^ *--format FORMAT *\([^(]*\).*/\1/p' |
  sed 's/.*://' | tr -d ' ' | tr ',' '\n' | grep -x '[a-z0-9-]\+')
subsections=$(section 'OUTPUT FORMATS' | sed -n 's/^\.SS \([a-z0-9]*\)$/\1/p')
msgs=()
[ -n "$formats" ] || msgs+=("no format list found in --help")
for f in $formats; do
  grep -qx "$f" <<<"$subsections" ||
    msgs+=("--format $f has no '.SS $f' under OUTPUT FORMATS in man/asynclint.1.in")
done
if [ ${#msgs[@]} -eq 0 ]; then
  ok "OUTPUT FORMATS has a subsection for each format: $(echo $formats)"
else
  not_ok "OUTPUT FORMATS lacks formats" "${msgs[@]}"
fi

# 4. Rules ---------------------------------------------------------------
expected=$("$bin" --man-rules)
actual=$(section RULES | sed -n '/^\.SS /,$p')
msgs=()
if [ "$expected" != "$actual" ]; then
  mapfile -t d < <(diff <(echo "$expected") <(echo "$actual") | head -20)
  msgs+=("RULES differs from --man-rules (stale build?):" "${d[@]}")
fi
while read -r code name _; do
  [[ $code == AL* ]] || continue
  grep -qx ".SS $code ${name//-/\\\\-}" <<<"$actual" ||
    msgs+=("$code $name has no subsection under RULES")
done < <("$bin" --list-rules)
if [ ${#msgs[@]} -eq 0 ]; then
  ok "RULES is generated from the rule descriptors, one subsection per rule"
else
  not_ok "RULES does not match the rules" "${msgs[@]}"
fi

exit $failed
