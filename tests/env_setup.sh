# SPDX-License-Identifier: MIT
# Sourced by env.sh and env_rerun.sh (after setting `name`, the script's
# name for messages): checks the arguments, sets bin, root, dist and libs,
# skips when one of Debian's library packages is missing (./dev installs
# them; under CI=true that is a failure, not a skip), makes $tmp (removed
# on exit) and loads tap.sh.
# shellcheck shell=bash
tests_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV

if [ $# -ne 2 ]; then
  echo "usage: $name.sh ASYNCLINT_BIN SOURCE_ROOT" >&2
  exit 2
fi
bin=$(readlink -f "$1")
root=$(readlink -f "$2")
dist=/usr/lib/python3/dist-packages
libs=(aiosmtplib aio_pika aiormq pamqp aiomysql asyncssh janus websockets)
for lib in "${libs[@]}"; do
  if [ ! -d "$dist/$lib" ]; then
    if [ "${CI:-}" = true ]; then
      echo "Bail out! $dist/$lib missing (./dev deps installs it)"
      exit 1
    fi
    echo "1..0 # SKIP $dist/$lib missing (./dev deps installs it)"
    exit 0
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-$name.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# shellcheck source=tests/tap.sh
. "$tests_dir/tap.sh"
