#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Stress inputs, generated here at test time (none is committed): each run
# goes through `timeout`, so a hang or a quadratic blow-up is a failure, and
# must exit by itself (no crash, no stack overflow) with the right code.
#   - 100,000-deep parentheses, lists and calls; 100,000 unclosed `[`;
#   - one call with 400,000 call arguments (linear argument look-up);
#   - 10,000 nested `if` blocks (50 MB of indentation; more than the
#     grammar's indent stack holds: a syntax error, not a crash) and 400
#     nested ones (still linted);
#   - a 50 MB file; one 10 MB line; 100,000 small files in one tree;
#   - binary files named .py: an ELF executable, random bytes without NUL,
#     1 MB of bracket-heavy printable garbage (bounded parse time);
#   - a 10,000-class inheritance chain across 5 modules and a 40-level
#     diamond lattice, each with a method call at the end;
#   - import cycles: a <-> b with star imports of the package, and a ring of
#     1,000 modules that each star-import the next;
#   - a chain of 10,000 plain helpers ending in time.sleep (AL209 through
#     10,000 hops; reporting may stop at a depth limit), defined in both
#     orders;
#   - names rebound many times from names rebound many times (exponential
#     resolution);
#   - a known bug as a TAP TODO point (see below).
# Prints TAP (plan at the end) with the time of every run as a comment.
#
# Usage: stress.sh ASYNCLINT_BIN
# Environment:
#   AL_STRESS_SCALE  divide the sizes of the big inputs (the 50 MB file, the
#                    10 MB line, the 100,000 files, the 50 MB of nested ifs,
#                    the garbage, the 400,000 arguments) by this (default 1);
#                    ./dev test-san uses 10,
#                    as ASan makes them slow and hungry
#   AL_STRESS_LIMIT  seconds allowed for each run (default 120)
tests_dir=$(cd "$(dirname "$0")" && pwd)
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV # the tree alone: no Python environment (env.sh reads one)

if [ $# -ne 1 ]; then
  echo "usage: stress.sh ASYNCLINT_BIN" >&2
  exit 2
fi
bin=$(readlink -f "$1")
if [ ! -x "$bin" ]; then
  echo "Bail out! $1 is not an executable"
  exit 1
fi
scale=${AL_STRESS_SCALE:-1}
limit=${AL_STRESS_LIMIT:-120}
case $scale in
  '' | *[!0-9]* | 0)
    echo "Bail out! AL_STRESS_SCALE must be a positive integer"
    exit 1
    ;;
esac
[ "$scale" -eq 1 ] || echo "# AL_STRESS_SCALE=$scale: big inputs divided by $scale"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-stress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

out="$tmp/out"
err="$tmp/err"
# shellcheck source=tests/tap.sh
. "$tests_dir/tap.sh"

# run NAME ARGS...: the binary under timeout, stdin from /dev/null, stdout
# to $out, stderr to $err, no config file, no cache; sets $rc and prints
# the time taken.
run() {
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  timeout "$limit" "$bin" --isolated --no-cache "$@" </dev/null >"$out" 2>"$err"
  rc=$?
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v name="$name" -v rc="$rc" \
    'BEGIN { printf "# time %s: %.2fs (exit %d)\n", name, e - s, rc }'
}

# Exited by itself with 0 or 1: not killed by a signal or by timeout, no
# error exit.
linted() { [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; }
lines_are() { [ "$(wc -l <"$out")" -eq "$1" ]; }

# gen FILE AWK-PROGRAM: writes FILE from an awk BEGIN block; rep(s, k)
# repeats a string (by doubling: long repeats stay linear).
gen() {
  awk -v scale="$scale" "function rep(s, k,  r) { r = \"\"
      while (k > 0) { if (k % 2) r = r s; s = s s; k = int(k / 2) }
      return r }
    BEGIN { $2 }" >"$1"
}

# --- 100,000-deep nesting ------------------------------------------------
deep=100000
gen parens.py "print \"x = \" rep(\"(\", $deep) \"1\" rep(\")\", $deep)"
gen lists.py "print \"x = \" rep(\"[\", $deep) rep(\"]\", $deep)"
gen calls.py "print \"import time\n\n\nasync def f():\"
  print \"    g(\" rep(\"g(\", $deep) \"time.sleep(1)\" rep(\")\", $deep) \")\""
gen unclosed.py "print \"x = \" rep(\"[\", $deep)"

run "100,000-deep parentheses" parens.py
check "100,000-deep parentheses: exit 0, nothing reported" \
  eval 'rc_is 0 && [ ! -s "$out" ]'
run "100,000-deep lists" lists.py
check "100,000-deep lists: exit 0, nothing reported" \
  eval 'rc_is 0 && [ ! -s "$out" ]'
run "100,000-deep calls" calls.py
check "100,000-deep calls: the blocking call inside is found" eval \
  'rc_is 1 && lines_are 1 && [ "$(cut -d" " -f1-2 "$out")" = "calls.py:5:$((2 * deep + 7)): AL200" ]'
run "100,000 unclosed [" unclosed.py
check "100,000 unclosed [: one AL001, bounded time" eval \
  'rc_is 1 && lines_are 1 && grep -q "^unclosed.py:1:[0-9]*: AL001 " "$out"'

# --- One call with 400,000 call arguments --------------------------------
# Each argument's call looks up its argument record; a search from the
# first argument made this quadratic (~4 minutes, over the limit).
nargs=$((400000 / scale))
gen args.py "print \"import time\n\n\nasync def f():\"
  print \"    g(\" rep(\"h(), \", $nargs) \"time.sleep(1))\""
run "a call with $nargs call arguments" args.py
check "a call with $nargs call arguments: linear, the last one is found" eval \
  'rc_is 1 && lines_are 1 && [ "$(cut -d" " -f1-2 "$out")" = "args.py:5:$((5 * nargs + 7)): AL200" ]'

# --- Nested if blocks -----------------------------------------------------
# Level i is indented by i spaces: 10,000 levels are 50 MB (scaled: the
# depth by the square root of the scale, so the size by the scale).
gen ifs.py 'n = int(10000 / sqrt(scale))
  print "import time"; print "async def f():"
  ind = " "
  for (i = 0; i < n; i++) { printf "%sif x%d:\n", ind, i; ind = ind " " }
  printf "%stime.sleep(1)\n", ind'
run "10,000 nested ifs ($(($(wc -c <ifs.py) / 1048576)) MB)" ifs.py
check "10,000 nested ifs: one diagnostic, no crash" eval \
  'rc_is 1 && lines_are 1 && grep -q "^ifs.py:[0-9]*:[0-9]*: AL[02]0[01] " "$out"'
gen ifs400.py 'print "import time"; print "async def f():"
  ind = " "
  for (i = 0; i < 400; i++) { printf "%sif x%d:\n", ind, i; ind = ind " " }
  printf "%stime.sleep(1)\n", ind'
run "400 nested ifs" ifs400.py
check "400 nested ifs: the blocking call at the bottom is found" eval \
  'rc_is 1 && lines_are 1 && [ "$(cut -d" " -f1-2 "$out")" = "ifs400.py:403:402: AL200" ]'

# --- Big files -------------------------------------------------------------
# 50 MB of small async functions, every 1,000th blocking; the generator
# writes the expected count and the last finding's line beside it.
gen big.py 'target = int(52428800 / scale)
  print "import asyncio"; print "import time"; size = 26; line = 2; i = 0
  while (size < target) {
    s = sprintf("\n\nasync def handler_%d(request, key=\"xxxxxxxxxxxxxxxxxxxx\"):\n    data = await asyncio.sleep(0, result={\"key\": key, \"n\": %d})\n    value = [d for d in data if d]\n", i, i)
    if (i % 1000 == 0) { s = s "    time.sleep(0.01)\n"; last = line + 6; found++ }
    s = s "    return value\n"
    printf "%s", s; size += length(s); line += (i % 1000 == 0) ? 7 : 6; i++
  }
  print found " " last > "big.expected"'
read -r big_count big_last <big.expected
run "$(($(wc -c <big.py) / 1048576)) MB file" big.py
check "$(($(wc -c <big.py) / 1048576)) MB file: every blocking call found" eval \
  'rc_is 1 && lines_are "$big_count" &&
   [ "$(tail -n 1 "$out" | cut -d" " -f1-2)" = "big.py:$big_last:5: AL200" ]'
rm -f big.py

# One line of 10 MB: a list of 1,000,000 numbers, then a blocking call whose
# column must be exact.
gen line.py 'k = int(1000000 / scale)
  printf "import time\nasync def f(): x = ["
  printf "%s", rep("123456789, ", k)
  printf "0]; time.sleep(1)\n"
  print 11 * k + 25 > "line.expected"'
run "$(($(wc -c <line.py) / 1048576)) MB line" line.py
check "$(($(wc -c <line.py) / 1048576)) MB line: the blocking call at its exact column" eval \
  'rc_is 1 && lines_are 1 && [ "$(cut -d" " -f1-2 "$out")" = "line.py:2:$(cat line.expected): AL200" ]'
rm -f line.py

# 100,000 small files in 100 directories, one finding each.
files=$((100000 / scale))
awk -v n="$files" 'BEGIN {
  for (k = 0; k < 100; k++) system("mkdir -p many/d" k)
  for (i = 0; i < n; i++) {
    f = "many/d" (i % 100) "/m" i ".py"
    printf "import time\n\n\nasync def f%d():\n    time.sleep(1)\n", i >f
    close(f)
  }
}'
run "$files files" many
check "$files files: one finding each, all checked" eval \
  'rc_is 1 && lines_are "$files" && grep -qF "($files files checked)" "$err" &&
   has_line "$out" "many/d7/m$((files - 93)).py:5:5: AL200 '"'"'time.sleep'"'"' blocks the event loop inside async function '"'"'f$((files - 93))'"'"'; use '"'"'await asyncio.sleep(...)'"'"'"'
rm -rf many

# --- Binary files named .py --------------------------------------------
cp "$bin" elf.py
run "ELF executable as .py" elf.py
check "binary: an executable named .py is an AL002, not parsed" eval \
  'rc_is 1 && lines_are 1 && grep -q "^elf.py:[0-9]*:[0-9]*: AL002 " "$out"'
rm -f elf.py
gen random.py 'srand(3); for (i = 0; i < 4194304; i++) printf "%c", int(rand() * 255) + 1'
run "4 MB of random bytes without NUL" random.py
check "binary: random bytes without NUL are an AL002 (invalid UTF-8)" eval \
  'rc_is 1 && lines_are 1 && grep -q "^random.py:[0-9]*:[0-9]*: AL002 " "$out"'
# Printable and valid UTF-8, so it is parsed: tree-sitter's error recovery
# on bracket-heavy garbage is the slowest input per byte there is.
gen garbage.py 'srand(4); k = int(1048576 / scale)
  for (i = 0; i < k; i++) { r = rand()
    if (r < 0.3) printf "%c", int(rand() * 94) + 33
    else if (r < 0.5) printf "("
    else if (r < 0.6) printf "["
    else if (r < 0.7) printf "\n"
    else if (r < 0.8) printf " "
    else printf "%c", int(rand() * 26) + 97 }'
run "$(($(wc -c <garbage.py) / 1024)) KB of printable garbage" garbage.py
check "binary: printable garbage is a syntax error in bounded time" eval \
  'rc_is 1 && grep -q "^garbage.py:[0-9]*:[0-9]*: AL001 " "$out"'

# --- Long resolution chains ---------------------------------------------
# class C0 defines `async def run`; C1(C0) ... C9999(C9998) in 5 modules,
# each importing the last class of the previous one; main calls
# C9999().run() without await. A short chain must be resolved (AL100); the
# long one may stop at the depth limit, in bounded time.
inherit() { # DIR CLASSES
  mkdir -p "$1/pkg"
  : >"$1/pkg/__init__.py"
  awk -v n="$2" -v m=5 -v d="$1" 'BEGIN {
    per = n / m
    for (k = 0; k < m; k++) {
      f = d "/pkg/m" k ".py"
      if (k > 0) printf "from .m%d import C%d\n", k - 1, k * per - 1 >f
      for (i = k * per; i < (k + 1) * per; i++) {
        if (i == 0) printf "class C0:\n    async def run(self):\n        pass\n" >f
        else printf "\n\nclass C%d(C%d):\n    pass\n", i, i - 1 >f
      }
      close(f)
    }
    printf "from .m%d import C%d\n\n\nasync def main():\n    C%d().run()\n", m - 1, n - 1, n - 1 >(d "/pkg/main.py")
  }'
}
inherit short 10
run "10-class inheritance chain" short
check "inheritance: a 10-class chain across modules is resolved (AL100)" eval \
  'rc_is 1 && lines_are 1 && grep -q "^short/pkg/main.py:5:5: AL100 " "$out"'
inherit long 10000
run "10,000-class inheritance chain" --select ALL long
check "inheritance: a 10,000-class chain across modules, bounded" linted
# A lattice: A_i(B_i, C_i), B_i(A_i-1), C_i(A_i-1): 2^40 paths up to A0
# for a walk that does not remember where it has been.
gen diamond.py 'print "class A0:\n    async def run(self):\n        pass"
  for (i = 1; i <= 40; i++)
    printf "\n\nclass B%d(A%d):\n    pass\n\n\nclass C%d(A%d):\n    pass\n\n\nclass A%d(B%d, C%d):\n    pass\n", i, i - 1, i, i - 1, i, i, i
  printf "\n\nasync def main():\n    A40().run()\n    A40().missing()\n"'
run "40-level diamond lattice" --select ALL diamond.py
check "inheritance: a 40-level diamond lattice, bounded" linted

# Import cycles: a <-> b importing each other, themselves and the package,
# star imports both ways; and a ring of 1,000 modules each star-importing
# the next (and the package), each calling a neighbour's and a far
# module's coroutine function.
mkdir -p cycle/pkg cycle/ring
printf 'from . import *\nfrom .a import *\n' >cycle/pkg/__init__.py
printf 'from . import b\nfrom .b import *\nfrom pkg import a\n\n\nasync def fetch():\n    pass\n\n\ndef helper():\n    return b.helper()\n' >cycle/pkg/a.py
printf 'from . import a\nfrom .a import *\nfrom . import *\nimport pkg.b\n\n\ndef helper():\n    return a.helper()\n\n\nasync def main():\n    fetch()\n    a.fetch()\n    pkg.b.fetch()\n    helper()\n    missing()\n' >cycle/pkg/b.py
: >cycle/ring/__init__.py
awk -v n=1000 'BEGIN {
  for (i = 0; i < n; i++) {
    f = "cycle/ring/m" i ".py"
    printf "from .m%d import *\nfrom . import *\n\n\nasync def f%d():\n    pass\n\n\nasync def use%d():\n    f%d()\n    f%d()\n    nothere()\n", (i + 1) % n, i, i, (i + 1) % n, (i + 500) % n >f
    close(f)
  }
}'
run "import cycles (2 + 1,000 modules)" --select ALL cycle
check "import cycles: bounded, the call through a star import is found" eval \
  'rc_is 1 && grep -q "^cycle/pkg/b.py:12:5: AL100 " "$out" &&
   grep -q "^cycle/ring/m0.py:10:5: AL100 " "$out" &&
   grep -q "^cycle/ring/m999.py:10:5: AL100 " "$out"'

# 10,000 plain helpers h0 -> h1 -> ... -> h10000 -> time.sleep; mainK calls
# h(10000-K) for K = 1, 10, ..., 10000. Defined sink first ("rev") and
# sink last ("fwd"): the walk must not overflow the stack either way.
chain() { # FILE ORDER
  awk -v n=10000 -v order="$2" 'BEGIN {
    print "import time"
    if (order == "fwd") {
      for (i = 0; i < n; i++) printf "\n\ndef h%d():\n    h%d()\n", i, i + 1
      printf "\n\ndef h%d():\n    time.sleep(1)\n", n
    } else {
      printf "\n\ndef h%d():\n    time.sleep(1)\n", n
      for (i = n - 1; i >= 0; i--) printf "\n\ndef h%d():\n    h%d()\n", i, i + 1
    }
    printf "\n\nasync def main():\n    h0()\n"
    for (i = 1; i <= n; i *= 10) printf "\n\nasync def main%d():\n    h%d()\n", i, n - i
  }' >"$1"
}
chain chain_rev.py rev
run "10,000-helper chain, sink first" --select ALL chain_rev.py
check "blocking chain (sink first): bounded, the 1-hop helper is AL209" eval \
  'rc_is 1 && grep -q "^chain_rev.py:40013:5: AL209 " "$out"'
rev_count=$(grep -c " AL209 " "$out" || true)
chain chain_fwd.py fwd
run "10,000-helper chain, sink last" --select ALL chain_fwd.py
check "blocking chain (sink last): bounded, no stack overflow" linted
check "blocking chain (sink last): the 1-hop helper is AL209 too" eval \
  'grep -q "^chain_fwd.py:40013:5: AL209 " "$out"'
check "blocking chain: as many AL209 whichever order the helpers are in" eval \
  '[ "$(grep -c " AL209 " "$out")" -eq "$rev_count" ] && [ "$rev_count" -ge 5 ]'

# A name rebound B times, each time from the previous name, itself rebound
# B times, N deep: a resolution that tries every path is B^N steps (8^10
# took minutes before the big binding groups were memoised). 20 s each.
limit_saved=$limit
limit=20
for shape in "8 10" "3 25" "2 40"; do
  set -- $shape
  gen rebind.py "print \"async def fetch():\\n    pass\\n\\n\\nasync def f():\"
    for (j = 0; j < $1; j++) print \"    v0 = fetch\"
    for (i = 1; i <= $2; i++) for (j = 0; j < $1; j++) printf \"    v%d = v%d\\n\", i, i - 1
    print \"    v$2()\""
  run "rebinding $1 x $2 deep" --select ALL rebind.py
  check "rebinding $1 x $2 deep: bounded" linted
done
limit=$limit_saved

echo "1..$n"
[ "$failed" -eq 0 ]
