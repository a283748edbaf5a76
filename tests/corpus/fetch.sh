#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch the real-code corpus: the Python sources of Debian packages of async
# libraries and applications, for the precision review of default-on rules
# (see tests/corpus/README.md). Run by hand; not part of `meson test`.
#
#   tests/corpus/fetch.sh [PACKAGE ...]
#
# Each package is downloaded with `apt-get download` (no root needed, nothing
# installed) into .cache/corpus/debs/ and unpacked with `dpkg -x` into
# .cache/corpus/src/PACKAGE/. Both are kept between runs: a package already
# unpacked is skipped. Packages the apt sources do not know are reported
# and skipped. With no arguments the default list below is fetched. Run
# `apt-get update` first on a fresh machine.
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
cache=${CORPUS_CACHE:-$repo/.cache/corpus}

# Required by issue 3 item 5, then further async projects found with
# `apt-cache search` (only those Debian 12 has).
readonly DEFAULT_PACKAGES=(
  python3-aiohttp python3-anyio python3-trio python3-tornado python3-httpx
  python3-redis python3-asyncpg python3-discord python3-telethon
  python3-matrix-nio python3-slixmpp python3-zeroconf python3-django
  libpython3.11-testsuite
  python3-aiosqlite python3-uvicorn python3-starlette python3-fastapi
  python3-websockets python3-aiofiles python3-motor python3-aioredis
  python3-aio-pika python3-aiormq python3-httpcore python3-asyncssh
  python3-aiosmtpd python3-quart python3-hypercorn python3-janus
  python3-aiostream python3-aioresponses python3-aiopg python3-aiomysql
  python3-databases python3-asgiref python3-pytest-asyncio python3-aioxmpp
  python3-bleak python3-aiohttp-jinja2 python3-daphne
  # Issue 17: every other async framework, server, SDK or bot Debian 12
  # has (apt-cache search), for the precision review.
  python3-aiosmtplib python3-aiodns python3-aioftp python3-aiohttp-cors
  python3-aiohttp-socks python3-aiohttp-wsgi python3-aiohttp-apispec
  python3-aiohttp-session python3-aiohttp-security
  python3-aiohttp-openmetrics python3-aiohttp-proxy python3-aiohttp-oauthlib
  python3-aiohttp-mako python3-aioamqp python3-aioapns python3-aioinflux
  python3-aiorpcx python3-aiozmq python3-aiozipkin python3-aioprocessing
  python3-aionotify python3-aiodogstatsd python3-aioxmlrpc python3-aiosasl
  python3-aioopenssl python3-aiotask-context python3-serial-asyncio
  python3-asyncio-mqtt python3-trio-websocket python3-async-lru
  python3-async-timeout python3-django-channels python3-channels-redis
  python3-socketio python3-engineio python3-ormar python3-panoramisk
  python3-throttler python3-txaio python3-zigpy python3-pytest-aiohttp
  python3-simpleobsws python3-pyfuse3 python3-terminado python3-aiortc
  python3-aioice python3-uvloop python3-wsproto python3-sniffio
  # Issue 6 (the benchmark, bench/run.sh) wants about 50 MB of Python or
  # more: larger async and general code bases bring the corpus to ~55 MB.
  python3-twisted python3-sqlalchemy python3-distributed python3-dask
  python3-autobahn
)

if [ $# -gt 0 ]; then
  packages=("$@")
else
  packages=("${DEFAULT_PACKAGES[@]}")
fi

mkdir -p "$cache/debs" "$cache/src"
missing=()
for pkg in "${packages[@]}"; do
  dest=$cache/src/$pkg
  if [ -d "$dest" ]; then
    echo "ok       $pkg (cached)"
    continue
  fi
  # The newest .deb of the package already in the cache, else download it.
  # (Debian file names have no spaces or newlines, so ls is safe here.)
  # shellcheck disable=SC2012
  deb=$(ls -t "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -1 || true)
  if [ -z "$deb" ]; then
    if ! (cd "$cache/debs" && apt-get download "$pkg" >/dev/null 2>&1); then
      echo "missing  $pkg (apt-get download failed; not in the apt sources?)"
      missing+=("$pkg")
      continue
    fi
    # shellcheck disable=SC2012
    deb=$(ls -t "$cache/debs/${pkg}_"*.deb | head -1)
  fi
  # Unpack into a temporary directory first so an interrupted run leaves no
  # half-unpacked tree that the next run would take as done.
  rm -rf "$dest.tmp"
  dpkg -x "$deb" "$dest.tmp"
  mv "$dest.tmp" "$dest"
  echo "fetched  $pkg ($(basename "$deb"))"
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "not fetched: ${missing[*]}" >&2
fi
echo "corpus in $cache/src"
