#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instruction-count profile of asynclint --threads 1 and of the parse-only
# floor with valgrind's callgrind, on a ~5 MB subset of the corpus
# (aiohttp, tornado, trio, asyncssh). Counts, unlike times, do not depend
# on the machine's load. Run by hand; not part of `meson test`.
#
#   bench/profile.sh [-B BUILDDIR] [PATH ...]
#
#   -B BUILDDIR  release build with -g (default build-bench-g; configured
#                with --buildtype=release -Dc_args=-g -Dtests=false when
#                missing: the same code as release, plus file names)
#   PATH ...     what to lint instead of the default subset
#
# Writes .cache/bench/profile/callgrind.{asynclint,floor}.out (open them
# with callgrind_annotate or kcachegrind) and summary.md: the instructions
# per stage, asynclint / floor, and the top 25 functions of each
# (bench/profile.py), also printed.
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
build="build-bench-g"
if [ "${1:-}" = -B ]; then build=$2; shift 2; fi
case ${1:-} in -h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$repo"
if [ ! -d "$build" ]; then
  meson setup "$build" --buildtype=release -Dc_args=-g -Dtests=false >/dev/null
fi
ninja -C "$build" asynclint bench/asynclint-floor >/dev/null

src=${CORPUS_CACHE:-$repo/.cache/corpus}/src
if [ $# -gt 0 ]; then
  paths=("$@")
else
  paths=()
  for p in python3-aiohttp python3-tornado python3-trio python3-asyncssh; do
    [ -d "$src/$p" ] || { echo "profile.sh: no $src/$p (run tests/corpus/fetch.sh)" >&2; exit 2; }
    paths+=("$src/$p/usr/lib/python3/dist-packages")
  done
fi
abs=()
for p in "${paths[@]}"; do abs+=("$(readlink -f "$p")"); done
paths=("${abs[@]}")

out=$repo/.cache/bench/profile
mkdir -p "$out"
lint=("$repo/$build/asynclint" --isolated --exit-zero -q --threads 1)
if "$repo/$build/asynclint" --help | grep -q -- --no-cache; then
  lint+=(--no-cache)
fi
cd "$out" # nothing lands in the work tree
"$repo/$build/bench/asynclint-floor" "${paths[@]}" >&2
echo "==> callgrind: asynclint (about 3 minutes)" >&2
valgrind --tool=callgrind --callgrind-out-file=callgrind.asynclint.out \
  "${lint[@]}" "${paths[@]}" >/dev/null 2>callgrind.asynclint.log
echo "==> callgrind: floor" >&2
valgrind --tool=callgrind --callgrind-out-file=callgrind.floor.out \
  "$repo/$build/bench/asynclint-floor" "${paths[@]}" >/dev/null \
  2>callgrind.floor.log
python3 "$repo/bench/profile.py" callgrind.asynclint.out callgrind.floor.out |
  tee summary.md
echo "written: $out/summary.md, $out/callgrind.{asynclint,floor}.out" >&2
