#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lint the corpus fetched by tests/corpus/fetch.sh, one asynclint run per
# package, and tabulate the findings (see tests/corpus/README.md). Run by
# hand; not part of `meson test`.
#
#   tests/corpus/run.sh [-b ASYNCLINT] [-o OUTDIR] [-r N] [-- ASYNCLINT-OPTIONS ...]
#
#   -b ASYNCLINT  the binary (default: build/asynclint of this repo)
#   -o OUTDIR     where results go (default: .cache/corpus/results)
#   -r N          run each package N times and keep the fastest wall time
#                 (default 1; use 3 or more for timings worth quoting)
#   after --      options passed to every asynclint run, for example
#                 `-- --select AL2,AL3,AL4` (default: none, so the default
#                 rules run)
#
# For each package under .cache/corpus/src/PACKAGE/ the Python roots are
# the top-level packages and modules of usr/lib/python3/dist-packages/
# (*.dist-info and *.egg-info left out), all given to one run so that they
# are analysed as one tree; libpython3.11-testsuite is linted at its
# test_asyncio package only. Writes:
#   OUTDIR/findings/PACKAGE.txt  the findings (text format; paths relative
#                                to .cache/corpus/src/PACKAGE)
#   OUTDIR/summary.txt           per package: files, MB, seconds, MB/s and
#                                the count of each rule that fired (also
#                                printed)
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
cache=${CORPUS_CACHE:-$repo/.cache/corpus}
bin=$repo/build/asynclint
out=$cache/results
repeat=1

while [ $# -gt 0 ]; do
  case $1 in
    -b) bin=$(readlink -f "$2"); shift 2 ;;
    -o) out=$2; shift 2 ;;
    -r) repeat=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
extra=("$@")

[ -x "$bin" ] || { echo "run.sh: $bin is not an executable (build first)" >&2; exit 2; }
[ -d "$cache/src" ] || { echo "run.sh: no corpus in $cache/src (run tests/corpus/fetch.sh)" >&2; exit 2; }
mkdir -p "$out/findings"

# The Python roots of one unpacked package, one per line, relative to it.
roots_of() {
  local pkg=$1 dir=$cache/src/$1
  case $pkg in
    libpython3.*-testsuite)
      (cd "$dir" && ls -d usr/lib/python3.*/test/test_asyncio) ;;
    *)
      (cd "$dir" && find usr/lib/python3/dist-packages -mindepth 1 -maxdepth 1 \
        \( -type d ! -name '*.dist-info' ! -name '*.egg-info' ! -name __pycache__ \
        -o -type f \( -name '*.py' -o -name '*.pyi' \) \) | sort) ;;
  esac
}

rows=$out/rows.tsv # package, files, bytes, seconds, CODE=count ...
: > "$rows"
for dir in "$cache"/src/*/; do
  pkg=$(basename "$dir")
  case $pkg in *.tmp) continue ;; esac
  mapfile -t roots < <(roots_of "$pkg" 2>/dev/null || true)
  if [ ${#roots[@]} -eq 0 ]; then
    echo "skip $pkg: no Python root" >&2
    continue
  fi
  read -r files bytes < <(cd "$dir" && find "${roots[@]}" -type f \( -name '*.py' -o -name '*.pyi' \) \
    -printf '%s\n' | awk '{n++; s+=$1} END {print n+0, s+0}')
  best=
  for ((i = 0; i < repeat; i++)); do
    start=$(date +%s.%N)
    # Paths are reported relative to the package directory, as given.
    # --exit-zero: any non-zero status is an error (a bad option in
    # ASYNCLINT-OPTIONS, a crash), so stop there.
    if ! (cd "$dir" && "$bin" --isolated --exit-zero -q "${extra[@]}" -- "${roots[@]}") \
      > "$out/findings/$pkg.txt" 2> "$out/findings/$pkg.stderr"; then
      echo "run.sh: asynclint failed on $pkg:" >&2
      cat "$out/findings/$pkg.stderr" >&2
      exit 2
    fi
    end=$(date +%s.%N)
    best=$(awk -v a="$start" -v b="$end" -v m="$best" 'BEGIN { t = b - a; printf "%.3f", (m == "" || t < m) ? t : m }')
  done
  [ -s "$out/findings/$pkg.stderr" ] || rm -f "$out/findings/$pkg.stderr"
  # One row per package: name, files, bytes, seconds, then CODE=count pairs.
  counts=$(awk '{ if (match($0, /: AL[0-9][0-9][0-9] /)) { c = substr($0, RSTART + 2, 5); n[c]++ } }
    END { for (c in n) printf "%s=%d ", c, n[c] }' "$out/findings/$pkg.txt")
  printf '%s\t%s\t%s\t%s\t%s\n' "$pkg" "$files" "$bytes" \
    "$best" "$counts" >> "$rows"
done

# The table: one column per rule that fired anywhere.
awk -F'\t' '
  { pkg[NR] = $1; files[NR] = $2; bytes[NR] = $3; secs[NR] = $4
    n = split($5, kv, " ")
    for (i = 1; i <= n; i++) { split(kv[i], p, "="); cnt[NR, p[1]] = p[2]; codes[p[1]] = 1 } }
  END {
    nc = 0; for (c in codes) col[++nc] = c
    for (i = 1; i <= nc; i++) for (j = i + 1; j <= nc; j++) if (col[j] < col[i]) { t = col[i]; col[i] = col[j]; col[j] = t }
    printf "%-26s %6s %7s %7s %7s", "package", "files", "MB", "s", "MB/s"
    for (i = 1; i <= nc; i++) printf " %6s", col[i]
    printf "\n"
    for (r = 1; r <= NR; r++) {
      mb = bytes[r] / 1e6; tf += files[r]; tb += bytes[r]; ts += secs[r]
      printf "%-26s %6d %7.2f %7.3f %7.1f", pkg[r], files[r], mb, secs[r], (secs[r] > 0 ? mb / secs[r] : 0)
      for (i = 1; i <= nc; i++) { v = cnt[r, col[i]] + 0; tot[i] += v; printf " %6s", v ? v : "." }
      printf "\n"
    }
    printf "%-26s %6d %7.2f %7.3f %7.1f", "TOTAL", tf, tb / 1e6, ts, (ts > 0 ? tb / 1e6 / ts : 0)
    for (i = 1; i <= nc; i++) printf " %6d", tot[i]
    printf "\n"
  }' "$rows" | tee "$out/summary.txt"
