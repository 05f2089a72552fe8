#!/usr/bin/env bash
# Build the libFuzzer targets (ASan + UBSan) into fuzz/out/.
#
#   fuzz/build.sh [TARGET...]     targets: ajp_reply props uri_map session request
#
# Only the I/O-free parsers of common/ are linked in (wire/jk_msg, wire/jk_ajp,
# config/jk_props, config/jk_config*, config/jk_uri_map, workers/jk_session):
# the workers, shared memory and status page are not under test here, and a
# half-edited file among them cannot break the fuzz build.  Objects are rebuilt
# only when a source, a header or this script is newer than them.
#
# -fsanitize=fuzzer needs clang's libFuzzer runtime, which Debian ships in
# libclang-rt-<N>-dev (only "recommended" by clang, so a --no-install-recommends
# install lacks it).  When it is missing and this runs as root, it is
# installed with apt-get; JK_FUZZ_NO_INSTALL=1 turns that off.
#
# Environment: CC (default clang), JK_FUZZ_CFLAGS (added to the flags).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT="$HERE/out"
OBJ="$OUT/obj"
CC=${CC:-clang}
ALL_TARGETS=(ajp_reply props uri_map session request)
# Paths below common/; each object is named after its file.
PARSERS=(wire/jk_msg wire/jk_ajp config/jk_props config/jk_config config/jk_config_worker
         config/jk_config_check config/jk_config_lists config/jk_uri_map workers/jk_session)

die() { echo "fuzz/build.sh: $*" >&2; exit 1; }

command -v "$CC" >/dev/null || die "$CC not found (Debian package: clang)"
command -v apr-1-config >/dev/null || die "apr-1-config not found (Debian package: libapr1-dev)"

TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
    [ -f "$HERE/fuzz_$t.c" ] || die "unknown target '$t' (known: ${ALL_TARGETS[*]})"
done

# shellcheck disable=SC2207
APR_CFLAGS=($(apr-1-config --cppflags --includes))
# shellcheck disable=SC2207
APR_LIBS=($(apr-1-config --link-ld --libs))
# shellcheck disable=SC2206
EXTRA=(${JK_FUZZ_CFLAGS:-})
# common/ and each of its folders: the sources include each other as "jk_x.h".
COMMON_INCLUDES=("-I$ROOT/common")
for d in "$ROOT"/common/*/; do COMMON_INCLUDES+=("-I${d%/}"); done
CFLAGS=(-g -O1 -std=c11 -Wall -Wextra -fno-omit-frame-pointer -fno-sanitize-recover=all
        "${COMMON_INCLUDES[@]}" "-I$HERE" "${APR_CFLAGS[@]}" "${EXTRA[@]}")
SAN=address,undefined

# --- the libFuzzer runtime ---------------------------------------------------
rt_package() {
    local major
    major=$("$CC" -dumpversion | cut -d. -f1)
    echo "libclang-rt-${major}-dev"
}

have_runtime() {
    local dir
    dir=$(mktemp -d)
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
        > "$dir/probe.c"
    if "$CC" -fsanitize=fuzzer,$SAN "$dir/probe.c" -o "$dir/probe" >/dev/null 2>&1; then
        rm -rf "$dir"
        return 0
    fi
    rm -rf "$dir"
    return 1
}

if ! have_runtime; then
    pkg=$(rt_package)
    if [ "$(id -u)" -eq 0 ] && [ "${JK_FUZZ_NO_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null; then
        echo "fuzz/build.sh: -fsanitize=fuzzer does not link; installing $pkg" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 ||
            { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; } ||
            die "could not install $pkg"
        have_runtime || die "$pkg is installed but -fsanitize=fuzzer still does not link"
    else
        die "-fsanitize=fuzzer does not link with $CC: install Debian's $pkg"
    fi
fi

# --- objects ------------------------------------------------------------------
mkdir -p "$OBJ"
# Anything newer than an object makes it stale: its source, any header, this script.
shopt -s nullglob  # a folder of common/ may hold no header of its own
deps=("$ROOT"/common/*.h "$ROOT"/common/*/*.h "$HERE"/*.h "$HERE/build.sh")
shopt -u nullglob
# shellcheck disable=SC2012  # our own file names: plain ASCII
newest_dep=$(ls -t "${deps[@]}" | head -n 1)
flags_file="$OBJ/flags"
flags_now="$CC ${CFLAGS[*]}"
if [ ! -f "$flags_file" ] || [ "$(cat "$flags_file")" != "$flags_now" ]; then
    rm -f "$OBJ"/*.o
    printf '%s' "$flags_now" > "$flags_file"
fi

stale() { [ ! -f "$2" ] || [ "$1" -nt "$2" ] || [ "$newest_dep" -nt "$2" ]; }

jobs_max=$(nproc 2>/dev/null || echo 2)
pids=()
compile() { # source object sanitizers
    echo "  CC  ${1#"$ROOT"/}"
    "$CC" "${CFLAGS[@]}" "-fsanitize=$3" -c "$1" -o "$2" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs_max" ]; then
        wait "${pids[0]}" || die "compiling failed"
        pids=("${pids[@]:1}")
    fi
}

for p in "${PARSERS[@]}"; do
    o="$OBJ/${p##*/}.o"
    stale "$ROOT/common/$p.c" "$o" && compile "$ROOT/common/$p.c" "$o" "fuzzer-no-link,$SAN"
done
# The shared support is not coverage-instrumented: its bookkeeping is not what we steer by.
stale "$HERE/fuzz_common.c" "$OBJ/fuzz_common.o" && compile "$HERE/fuzz_common.c" "$OBJ/fuzz_common.o" "$SAN"
for t in "${TARGETS[@]}"; do
    stale "$HERE/fuzz_$t.c" "$OBJ/fuzz_$t.o" && compile "$HERE/fuzz_$t.c" "$OBJ/fuzz_$t.o" "fuzzer-no-link,$SAN"
done
for pid in "${pids[@]}"; do
    wait "$pid" || die "compiling failed"
done

# --- link ---------------------------------------------------------------------
parser_objs=()
for p in "${PARSERS[@]}"; do parser_objs+=("$OBJ/${p##*/}.o"); done
for t in "${TARGETS[@]}"; do
    bin="$OUT/fuzz_$t"
    relink=0
    [ -x "$bin" ] || relink=1
    for o in "$OBJ/fuzz_$t.o" "$OBJ/fuzz_common.o" "${parser_objs[@]}"; do
        [ "$o" -nt "$bin" ] && relink=1
    done
    [ "$relink" -eq 1 ] || continue
    echo "  LD  fuzz/out/fuzz_$t"
    "$CC" -g "-fsanitize=fuzzer,$SAN" "$OBJ/fuzz_$t.o" "$OBJ/fuzz_common.o" "${parser_objs[@]}" \
        "${APR_LIBS[@]}" -ldl -o "$bin"
done
