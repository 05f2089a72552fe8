#!/usr/bin/env bash
# Builds mod_jk.so (and the unit tests' library) from a git checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
[ -f Makefile ] || ./configure --quiet
log=$(mktemp)
make -j"$(nproc)" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
rm -f "$log"
echo "built: $(pwd)/native/apache2/.libs/mod_jk.so"
