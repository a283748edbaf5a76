#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Re-runs with the Python environment (issue 16 item 5): a warm run whose
# tree needs the same library names as the saved run loads the saved list
# of library files (by their saved content keys, without the loader's
# rounds), and gives exactly what a --no-cache run gives. On Debian's
# python3-aiosmtplib, -aio-pika, -aiomysql, -asyncssh, -janus, -websockets
# (./dev installs them) and fixtures/env/app, with a site directory of
# their copies and links, so that a library file can change:
#   - one tree file changed, the names it uses the same: the saved list
#     is used (--stats: libraries_saved 1), findings identical; its files
#     are read only when a resolution reaches them (--stats:
#     libraries_read): fewer than all, and fewer when the file changed
#     uses no library (what the build's walk over the tree's plain
#     functions reaches) than when it does (what its rules reach too);
#   - a tree file using a library name it did not use: not used, the
#     loader runs (its findings appear), identical;
#   - a library file changed (a coroutine function made sync): not used,
#     its findings go, identical;
#   - a library file removed, a library module added where a name was
#     missing, the saved state damaged (a byte flipped, cut short): not
#     used, identical.
# Prints TAP (plan at the end).
#
# Usage: env_rerun.sh ASYNCLINT_BIN SOURCE_ROOT
name=env_rerun
# shellcheck source=tests/env_setup.sh
. "$(dirname "$0")/env_setup.sh"

# The site directory: copies of the libraries the test changes, links to
# the others; everything dated in the past, so that the saved run's stat
# data are trusted (a file changed in the second of a run is not).
site="$tmp/site"
mkdir -p "$site"
cp -r "$dist/aiosmtplib" "$dist/janus" "$site/"
for lib in aio_pika aiormq pamqp aiomysql asyncssh websockets; do
  ln -s "$dist/$lib" "$site/$lib"
done
cp -r "$root/fixtures/env/app" "$tmp/app"
then=$(($(date +%s) - 30))
past() { touch -h -d "@$then" "$@"; }
age_all() { find "$site" "$tmp/app" -exec touch -h -d "@$then" {} +; }
age_all

cd "$tmp" || exit 1
args=(--isolated --exit-zero --stats --python-path "$site" app)
# warm NAME: a run with the cache; then a --no-cache run of the same tree;
# both outputs must be byte-identical.
warm() {
  out="$tmp/$1.out" err="$tmp/$1.err"
  timeout 120 "$bin" --cache-dir "$tmp/cache" "${args[@]}" </dev/null \
    >"$out" 2>"$err"
  rc=$?
  timeout 120 "$bin" --no-cache "${args[@]}" </dev/null >"$tmp/$1.cold" \
    2>/dev/null
  saved=$(sed -n 's/^stats: libraries_saved //p' "$err")
  read=$(sed -n 's/^stats: libraries_read //p' "$err")
  if [ "$rc" -eq 0 ] && cmp -s "$out" "$tmp/$1.cold"; then
    ok "$1: the output of a --no-cache run"
  else
    diff -u "$tmp/$1.cold" "$out" >"$tmp/diff"
    not_ok "$1: the output of a --no-cache run" "$tmp/diff"
  fi
}
# expect_saved NAME 0|1: whether the saved list of library files was used.
expect_saved() {
  if [ "$saved" = "$2" ]; then
    ok "$1: libraries_saved $2"
  else
    not_ok "$1: libraries_saved $2 (got '$saved')"
  fi
}
# expect_read NAME LOW HIGH: library files read, LOW <= read <= HIGH.
expect_read() {
  if [ -n "$read" ] && [ "$read" -ge "$2" ] && [ "$read" -le "$3" ]; then
    ok "$1: $read library files read"
  else
    not_ok "$1: between $2 and $3 library files read (got '$read')"
  fi
}
has() {
  if grep -qF "$2" "$out"; then ok "$1"; else not_ok "$1"; fi
}
hasnt() {
  if grep -qF "$2" "$out"; then not_ok "$1"; else ok "$1"; fi
}
edit_tree() { printf '\n\ndef _edit_%s():\n    return %s\n' "$1" "$1" >>app/mail.py; }

printf 'def plain():\n    return 1\n' >app/plain.py
past app/plain.py
warm first
expect_saved first 0
listed=$read
has "first: a library's coroutine function" "'aiosmtplib.send' (aiosmtplib.api.send)"
printf '\n\ndef plain2():\n    return 2\n' >>app/plain.py
warm "edit of a file using no library"
expect_saved "edit of a file using no library" 1
plain_read=$read
edit_tree 1
warm "tree edit"
expect_saved "tree edit" 1
expect_read "tree edit" $((plain_read + 1)) $((listed - 1))
edit_tree 2
warm "tree edit again"
expect_saved "tree edit again" 1

# A name the tree did not use before: the loader follows it.
cat >>app/sockets.py <<'PY'


async def rpc(conn: aiomysql.Connection):
    conn.ping()
PY
sed -i '1i import aiomysql' app/sockets.py
warm "new library name"
expect_saved "new library name" 0
has "new library name: found through the loader" "'conn.ping' (aiomysql.connection.Connection.ping)"
edit_tree 3
warm "tree edit after it"
expect_saved "tree edit after it" 1

# A library file changed: a coroutine function made sync.
sed -i 's/^async def send(/def send(/' site/aiosmtplib/api.py
edit_tree 4
warm "library changed"
expect_saved "library changed" 0
hasnt "library changed: its finding gone" "'aiosmtplib.send' (aiosmtplib.api.send)"
age_all
warm "after aging" # its stat data saved
edit_tree 5
warm "tree edit after the library change"
expect_saved "tree edit after the library change" 1

# A library module that was missing appears (a name the tree follows into
# it, janus/typing_extra.py, did not resolve before).
printf 'import janus\n\n\nasync def q(x: janus.missing_mod.Thing):\n    x.put(1)\n' >app/extra.py
past app/extra.py
warm "extra tree file"
age_all
edit_tree 6
warm "before the new module"
expect_saved "before the new module" 1
mkdir -p site/janus/missing_mod
printf 'class Thing:\n    async def put(self, item): ...\n' >site/janus/missing_mod/__init__.py
edit_tree 7
warm "new library module"
expect_saved "new library module" 0
has "new library module: found" "'x.put' (janus.missing_mod.Thing.put)"
age_all

# A library file removed.
rm site/janus/missing_mod/__init__.py
edit_tree 8
warm "library file removed"
expect_saved "library file removed" 0
hasnt "library file removed: its finding gone" "janus.missing_mod.Thing.put"
age_all

# The saved state damaged: a miss, never trusted.
edit_tree 9
warm "before damage"
for state in cache/state/*; do
  size=$(stat -c %s "$state")
  printf '\xff' | dd of="$state" bs=1 seek=$((size - 9)) conv=notrunc 2>/dev/null
done
edit_tree 10
warm "state byte flipped"
expect_saved "state byte flipped" 0
edit_tree 11
warm "after the flip"
for state in cache/state/*; do
  truncate -s -20 "$state"
done
edit_tree 12
warm "state cut short"
expect_saved "state cut short" 0

echo "1..$n"
[ "$failed" -eq 0 ]
