#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Python environment on real installed libraries (issue 16): Debian's
# python3-aiosmtplib, -aio-pika, -aiomysql, -asyncssh, -janus, -websockets
# (./dev installs them), which the catalog does not know.
#   - a .venv beside the linted tree whose site-packages links to some of
#     them (found without any option), --python-path to Debian's
#     dist-packages, and $VIRTUAL_ENV each give exactly the findings of
#     fixtures/env/expected.txt on fixtures/env/app (un-awaited calls
#     reached directly, through annotations and annotated returns; none on
#     correct use), and the JSON output names the directories read;
#   - --no-python-path, `python-path = []` and no environment give none;
#   - a library is never linted: a finding never points into it and the
#     files checked are the tree's;
#   - bad environments: a venv whose base interpreter is gone, a missing
#     --python-path directory, binary junk, syntax errors, looping and
#     dangling symlinks, a FIFO named like a module, an import cycle, and a
#     package of 4,100 modules (the budget): a notice at most, never a
#     crash, a hang or a finding.
# Prints TAP (plan at the end).
#
# Usage: env.sh ASYNCLINT_BIN SOURCE_ROOT
name=env
# shellcheck source=tests/env_setup.sh
. "$(dirname "$0")/env_setup.sh"

mkdir -p "$tmp/runs"
# run NAME ARGS...: asynclint in the current directory, no cache.
run() {
  local name=$1
  shift
  out="$tmp/runs/$name.out" err="$tmp/runs/$name.err"
  timeout 120 "$bin" --no-cache "$@" </dev/null >"$out" 2>"$err"
  rc=$?
}
# The findings of a run (the summary line aside).
findings() { grep -v '^Found \|^All checks' "$1"; }
findings "$root/fixtures/env/expected.txt" >"$tmp/expected"
# same_findings NAME: the last run gave exactly the expected findings.
same_findings() {
  if findings "$out" | diff -u "$tmp/expected" - >"$tmp/diff"; then
    ok "$1"
  else
    not_ok "$1" "$tmp/diff"
  fi
}

# The project: the app tree and a .venv beside it.
proj="$tmp/proj"
mkdir -p "$proj"
cp -r "$root/fixtures/env/app" "$proj/app"
site="$proj/.venv/lib/python3.11/site-packages"
mkdir -p "$site" "$proj/.venv/bin"
for lib in "${libs[@]}"; do
  ln -s "$dist/$lib" "$site/$lib"
done
cat >"$proj/.venv/pyvenv.cfg" <<CFG
home = /usr/bin
include-system-site-packages = false
version = 3.11.2
CFG

cd "$proj" || exit 1
run venv app
same_findings "a .venv beside the tree: the expected findings"
check "a .venv: exit 1" rc_is 1
check "a .venv: 3 files checked (the libraries are not)" \
  grep -q '(3 files checked)' "$out" "$err"

run venv-json --format json app
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["python_path"] == [sys.argv[2]], d["python_path"]
assert all(x["path"].startswith("app/") for x in d["diagnostics"])
assert d["summary"]["files_checked"] == 3
' "$out" "$(readlink -f "$site")" 2>"$tmp/py.err"; then
  ok "json: python_path names the site directory; findings only in app/"
else
  not_ok "json: python_path names the site directory" "$tmp/py.err"
fi

run no-python-path --no-python-path app
check "--no-python-path: no finding" rc_is 0

printf 'python-path = []\n' >"$proj/asynclint.toml"
run config-off app
check "python-path = []: no finding" rc_is 0
printf 'python-path = ["%s"]\n' "$dist" >"$proj/asynclint.toml"
mv "$proj/.venv" "$tmp/venv-aside"
run config-dist app
same_findings "python-path = [dist-packages] in the config"
rm "$proj/asynclint.toml"

run none app
check "no environment: no finding" rc_is 0
check "no environment: no notice" test "$(grep -c note "$err")" -eq 0

run dist --python-path "$dist" app
same_findings "--python-path $dist: the expected findings"

VIRTUAL_ENV="$tmp/venv-aside" run virtual-env app
same_findings "\$VIRTUAL_ENV: the expected findings"
mv "$tmp/venv-aside" "$proj/.venv"

# Lazy: a library used only through names the catalog knows is not read;
# one that is needed is read as far as the names need, not whole.
mkdir -p "$tmp/lazy"
printf 'import aiohttp\n\nasync def f(s: aiohttp.ClientSession):\n    await s.get("u")\n' \
  >"$tmp/lazy/cat.py"
printf 'import aiosmtplib\n\nasync def f(s: aiosmtplib.SMTP):\n    await s.quit()\n' \
  >"$tmp/lazy/smtp.py"
cd "$tmp" || exit 1
run lazy-catalog --stats --python-path "$dist" lazy/cat.py
check "only catalogued names used: no library file read" \
  grep -qx 'stats: files 1' "$err"
run lazy-smtp --stats --python-path "$dist" lazy/smtp.py
read_files=$(sed -n 's/^stats: files //p' "$err")
all_files=$(find "$dist/aiosmtplib/" -name '*.py*' | wc -l)
check "aiosmtplib.SMTP needed: some of aiosmtplib read ($((read_files - 1)) of $all_files files)" \
  test "$read_files" -gt 2 -a "$read_files" -le "$all_files"

# A library is never linted, even one full of findings.
bad="$tmp/badsite"
mkdir -p "$bad/badlib"
cat >"$bad/badlib/__init__.py" <<'PY'
import asyncio
from .helpers import fetch
async def fetch_all():
    fetch()
    asyncio.sleep(1)
    import time; time.sleep(1)
PY
printf 'async def fetch():\n    pass\n' >"$bad/badlib/helpers.py"
mkdir -p "$tmp/badapp"
printf 'import badlib\n\nasync def main():\n    badlib.fetch_all()\n' \
  >"$tmp/badapp/main.py"
cd "$tmp" || exit 1
run linted --python-path "$bad" badapp
check "a library full of findings: only the tree's" \
  test "$(grep -c '' "$out")" -eq 1
check "the tree's finding: fetch_all never awaited" \
  grep -q '^badapp/main.py:4:5: AL100' "$out"

# Bad environments.
junk="$tmp/junk"
mkdir -p "$junk/binpkg" "$junk/synt" "$junk/cyc" "$junk/big"
head -c 20000 /dev/urandom >"$junk/binpkg/__init__.py"
printf 'def broken(:\n  async def x(\n' >"$junk/synt/__init__.py"
printf 'from .b import B\nclass A(B):\n    async def go(self): ...\n' \
  >"$junk/cyc/__init__.py"
printf 'from . import A\nclass B(A):\n    pass\n' >"$junk/cyc/b.py"
ln -s loop.py "$junk/loop.py"
ln -s nowhere "$junk/dangling.py"
mkfifo "$junk/fifo.py"
for i in $(seq 0 4099); do
  printf 'async def f%d(): ...\n' "$i" >"$junk/big/m$i.py"
  printf 'from . import m%d\n' "$i" >>"$junk/big/__init__.py"
done
mkdir -p "$tmp/junkapp"
cat >"$tmp/junkapp/main.py" <<'PY'
import binpkg, synt, loop, dangling, fifo, cyc, big, missing
from big import *  # every module of big: beyond the budget


async def main(c: cyc.A):
    binpkg.go()
    synt.broken()
    loop.go()
    dangling.go()
    fifo.go()
    c.go()
    big.m0.f0()
PY
run junk --python-path "$junk" junkapp
check "junk in site-packages: exit 0 or 1, no crash" test "$rc" -le 1
check "junk: the budget notice" grep -q \
  '^asynclint: note: environment budget reached (4000 files' "$err"
check "junk: one notice" test "$(grep -c note "$err")" -eq 1
if [ "$(grep -c '^junkapp/' "$out")" -le 1 ] &&
  ! grep -v '^junkapp/main.py:11:5: AL100 \|^Found \|^All' "$out" | grep -q .; then
  ok "junk: no finding but c.go() of the cycle's class"
else
  not_ok "junk: no finding but c.go() of the cycle's class"
fi
# The budget from the config: library-max-files.
mkdir -p "$tmp/smallbudget"
cp "$tmp/junkapp/main.py" "$tmp/smallbudget/"
printf 'library-max-files = 3\npython-path = ["%s"]\n' "$junk" \
  >"$tmp/smallbudget/asynclint.toml"
run smallbudget smallbudget
check "library-max-files = 3: the budget notice says 3 files" grep -q \
  '^asynclint: note: environment budget reached (3 files' "$err"
printf 'library-max-mb = 0\n' >"$tmp/smallbudget/asynclint.toml"
run badbudget smallbudget
check "library-max-mb = 0: a config error (exit 2)" rc_is 2
run missing --python-path "$tmp/nowhere" junkapp
check "a missing --python-path directory: a notice" \
  grep -q "^asynclint: note: python-path $tmp/nowhere: no such directory" "$err"
check "a missing --python-path directory: exit 0" rc_is 0

# A venv whose base interpreter is gone.
mkdir -p "$tmp/gone/.venv/lib/python3.11/site-packages" "$tmp/gone/app"
printf 'home = /nonexistent/bin\ninclude-system-site-packages = true\n' \
  >"$tmp/gone/.venv/pyvenv.cfg"
ln -s "$dist/aiosmtplib" "$tmp/gone/.venv/lib/python3.11/site-packages/"
cp "$root/fixtures/env/app/mail.py" "$tmp/gone/app/"
cd "$tmp/gone" || exit 1
run gone app
check "a venv whose base is gone: a notice" grep -q \
  'base interpreter (/nonexistent/bin) is gone' "$err"
check "a venv whose base is gone: its own site-packages still read" \
  test "$(grep -c '^app/mail.py' "$out")" -eq "$(grep -c "^app/mail.py" "$tmp/expected")"

echo "1..$n"
[ "$failed" -eq 0 ]
