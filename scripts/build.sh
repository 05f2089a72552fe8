#!/usr/bin/env bash
# Builds mod_jk.so (and the unit tests' library) from a git checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x configure ] || ./autogen.sh >/dev/null
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" >/dev/null
echo "built: $(pwd)/native/apache2/.libs/mod_jk.so"
