#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark of issue 6 (see bench/README.md): asynclint against its
# parse-only floor on the real corpus, a scale series and one big file.
# Run by hand; not part of `meson test`.
#
#   bench/run.sh [-B BUILDDIR] [-r N] [-R N] [--quick] [--no-scale] [--no-big]
#
#   -B BUILDDIR  release build directory (default: build-bench; configured
#                with --buildtype=release -Dtests=false when missing)
#   -r N         runs per measurement on the corpus (default 5); medians
#   -R N         runs per measurement on the scale series and the big file
#                (default 3)
#   --quick      -r 1 -R 1, scale series up to 2x only (a smoke test)
#   --no-scale   skip the scale series
#   --no-big     skip the generated big files
#
# Needs the corpus of tests/corpus/fetch.sh (~55 MB of Python under
# .cache/corpus/src). Writes .cache/bench/results-DATE.md (the tables, also
# printed) and results-DATE.json (every run), and keeps the scale trees
# (hardlinks) and the big files under .cache/bench/ for the next run.
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
build="build-bench"
args=()
while [ $# -gt 0 ]; do
  case $1 in
    -B) build=$2; shift 2 ;;
    -h|--help) sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

cd "$repo"
if [ ! -d "$build" ]; then
  echo "==> meson setup $build --buildtype=release -Dtests=false" >&2
  meson setup "$build" --buildtype=release -Dtests=false >/dev/null
fi
buildtype=$(meson introspect --buildoptions "$build" |
  python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))')
if [ "$buildtype" != release ]; then
  echo "bench/run.sh: $build is a $buildtype build; benchmark a release build" \
    "(meson configure $build --buildtype=release, or -B another dir)" >&2
  exit 2
fi
echo "==> ninja -C $build asynclint bench/asynclint-floor" >&2
ninja -C "$build" asynclint bench/asynclint-floor >/dev/null

exec python3 "$repo/bench/bench.py" --asynclint "$build/asynclint" \
  --floor "$build/bench/asynclint-floor" --buildtype "$buildtype" \
  ${args[@]+"${args[@]}"}
