#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Python wheel, built and installed offline, as TAP:
#   1. `pip wheel --no-build-isolation --no-deps --no-index` builds it from
#      the source tree with the python3 that has meson-python (Debian's
#      python3-mesonpy), in one build of its own;
#   2. the wheel holds the executable (its scripts) and metadata, nothing
#      else: no test programs, fixtures or sources;
#   3. the executable needs no shared library but libc's (jansson is linked
#      in: prefer_static in pyproject.toml);
#   4. `pip install --no-index` of the wheel into a fresh venv puts asynclint
#      on the venv's bin/, and `asynclint --version` is meson's version;
#   5. that asynclint lints the demo tree: exit 1, with diagnostics.
# Usage: wheel.sh SOURCE_ROOT VERSION
set -uo pipefail

src=$(readlink -f "$1")
version=$2

skip_or_fail() {
  if [ "${CI:-}" = true ]; then
    echo "1..1"
    echo "not ok 1 - $1"
    exit 1
  fi
  echo "1..0 # SKIP $1"
  exit 0
}

# The Debian python3, not one of a version manager earlier on PATH: the
# meson-python to build with is the one apt installed for it.
py=
for cand in python3 /usr/bin/python3; do
  if "$cand" -c 'import mesonpy, pip, venv' >/dev/null 2>&1; then
    py=$cand
    break
  fi
done
[ -n "$py" ] || skip_or_fail "no python3 with meson-python, pip and venv (./dev deps installs python3-mesonpy, python3-pip, python3-venv)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-wheel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
export PIP_NO_INPUT=1

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
  [ $# -lt 2 ] || tail -n "${3:-40}" "$2" | sed 's/^/# /'
}

echo "1..5"

# 1. Build -----------------------------------------------------------------
if (cd "$tmp" && "$py" -m pip wheel --no-build-isolation --no-deps -w dist \
  "$src") >"$tmp/build.log" 2>&1; then
  ok "pip wheel builds the wheel ($(cd "$tmp/dist" && echo *.whl))"
else
  not_ok "pip wheel builds the wheel" "$tmp/build.log" 60
  echo "Bail out! no wheel"
  exit 1
fi
whl=$(echo "$tmp"/dist/asynclint-*.whl)

# 2. Contents --------------------------------------------------------------
"$py" - "$whl" >"$tmp/contents" 2>&1 <<'EOF'
import sys, zipfile
for name in zipfile.ZipFile(sys.argv[1]).namelist():
    print(name)
EOF
unexpected=$(grep -v -e '^asynclint-[^/]*\.dist-info/' \
  -e '^asynclint-[^/]*\.data/scripts/asynclint$' "$tmp/contents")
if grep -q '^asynclint-[^/]*\.data/scripts/asynclint$' "$tmp/contents" &&
  [ -z "$unexpected" ]; then
  ok "the wheel holds bin/asynclint and its metadata only"
else
  {
    echo "unexpected entries:"
    echo "$unexpected"
  } >>"$tmp/contents"
  not_ok "the wheel holds bin/asynclint and its metadata only" "$tmp/contents"
fi

# 3. Shared libraries ------------------------------------------------------
"$py" - "$whl" "$tmp/bin" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
name = next(n for n in z.namelist() if n.endswith('.data/scripts/asynclint'))
with open(sys.argv[2], 'wb') as f:
    f.write(z.read(name))
EOF
if command -v readelf >/dev/null 2>&1; then
  needed=$(readelf -d "$tmp/bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  others=$(grep -v -e '^libc\.so' -e '^libm\.so' -e '^libpthread\.so' \
    -e '^ld-linux' <<<"$needed")
  if [ -n "$needed" ] && [ -z "$others" ]; then
    ok "the executable needs only libc ($(echo $needed))"
  else
    echo "$needed" >"$tmp/needed"
    not_ok "the executable needs only libc" "$tmp/needed"
  fi
else
  ok "the executable needs only libc # SKIP readelf (binutils) not installed"
fi

# 4. Install ---------------------------------------------------------------
if "$py" -m venv "$tmp/venv" >"$tmp/install.log" 2>&1 &&
  "$tmp/venv/bin/python" -m pip install "$whl" >>"$tmp/install.log" 2>&1 &&
  [ -x "$tmp/venv/bin/asynclint" ] &&
  out=$("$tmp/venv/bin/asynclint" --version 2>&1) &&
  [ "$out" = "asynclint $version" ]; then
  ok "pip install puts asynclint $version on the venv's PATH"
else
  echo "--version: ${out:-}" >>"$tmp/install.log"
  not_ok "pip install puts asynclint $version on the venv's PATH" "$tmp/install.log"
fi

# 5. Lint ------------------------------------------------------------------
rc=0
(cd "$src" && PATH="$tmp/venv/bin:$PATH" asynclint --cache-dir "$tmp/cache" \
  fixtures/demo) \
  >"$tmp/lint.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q '^fixtures/demo/.*:[0-9]*:[0-9]*: AL[0-9]* ' "$tmp/lint.out"; then
  ok "the installed asynclint finds the demo's problems (exit 1)"
else
  echo "exit status $rc" >>"$tmp/lint.out"
  not_ok "the installed asynclint finds the demo's problems (exit 1)" "$tmp/lint.out"
fi

exit $failed
