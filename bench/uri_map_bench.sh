#!/usr/bin/env bash
# Prints what mapping costs per request with 1,000 rules (gcc -O2, the module's own code).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
gcc -std=c11 -O2 $(apr-1-config --cppflags --includes) -Icommon/config bench/uri_map_bench.c \
    common/config/jk_uri_map.c $(apr-1-config --link-ld --libs) -o "$out/uri_map_bench"
"$out/uri_map_bench"
rm -rf "$out"
