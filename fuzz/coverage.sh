#!/usr/bin/env bash
# Line and branch coverage of common/ reached by a target's corpus (seeds plus
# what fuzz/run.sh found), from a source-coverage build (no sanitizers).
#
#   fuzz/coverage.sh TARGET [--show FILE]
#
# Prints llvm-cov's per-file table; --show FILE (e.g. jk_ajp.c) also prints
# that file annotated with execution counts, to see which branches the
# fuzzer has not reached.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT="$HERE/out/coverage"
CC=${CC:-clang}
# Paths below common/, as fuzz/build.sh has them.
PARSERS=(wire/jk_msg wire/jk_ajp config/jk_props config/jk_config config/jk_config_worker
         config/jk_config_check config/jk_config_lists config/jk_uri_map workers/jk_session)

[ $# -ge 1 ] || { echo "usage: fuzz/coverage.sh TARGET [--show FILE]" >&2; exit 2; }
t=$1
shift
show=""
if [ "${1:-}" = "--show" ]; then show=${2:?--show needs a file name}; fi
[ -f "$HERE/fuzz_$t.c" ] || { echo "fuzz/coverage.sh: unknown target '$t'" >&2; exit 2; }

major=$("$CC" -dumpversion | cut -d. -f1)
profdata=$(command -v "llvm-profdata-$major" || command -v llvm-profdata) ||
    { echo "fuzz/coverage.sh: llvm-profdata not found (Debian package: llvm-$major)" >&2; exit 1; }
llvmcov=$(command -v "llvm-cov-$major" || command -v llvm-cov) ||
    { echo "fuzz/coverage.sh: llvm-cov not found (Debian package: llvm-$major)" >&2; exit 1; }

mkdir -p "$OUT"
# shellcheck disable=SC2207
APR_CFLAGS=($(apr-1-config --cppflags --includes))
# shellcheck disable=SC2207
APR_LIBS=($(apr-1-config --link-ld --libs))
srcs=()
for p in "${PARSERS[@]}"; do srcs+=("$ROOT/common/$p.c"); done
common_includes=("-I$ROOT/common")
for d in "$ROOT"/common/*/; do common_includes+=("-I${d%/}"); done
"$CC" -g -O0 -std=c11 -fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer \
    "${common_includes[@]}" "-I$HERE" "${APR_CFLAGS[@]}" "$HERE/fuzz_$t.c" "$HERE/fuzz_common.c" \
    "${srcs[@]}" "${APR_LIBS[@]}" -ldl -o "$OUT/fuzz_$t"

rm -f "$OUT/$t".*.profraw
dirs=("$HERE/corpus/$t")
[ -d "$HERE/out/corpus/$t" ] && dirs=("$HERE/out/corpus/$t" "${dirs[@]}")
# Open findings must not stop the replay half way.
LLVM_PROFILE_FILE="$OUT/$t.%p.profraw" JK_FUZZ_IGNORE=ajp-nul-string,ajp-header-name-length,props-long-line-nul,props-moved-items \
    "$OUT/fuzz_$t" -runs=0 "${dirs[@]}" >"$OUT/$t.log" 2>&1 ||
    { echo "fuzz/coverage.sh: the replay failed; see ${OUT#"$ROOT"/}/$t.log" >&2; exit 1; }
"$profdata" merge -sparse "$OUT/$t".*.profraw -o "$OUT/$t.profdata"
"$llvmcov" report "$OUT/fuzz_$t" -instr-profile="$OUT/$t.profdata" "${srcs[@]}"
if [ -n "$show" ]; then
    # FILE by its name alone (jk_ajp.c) or its path below common/ (wire/jk_ajp.c).
    show_path=$(ls "$ROOT/common/$show" "$ROOT"/common/*/"$show" 2>/dev/null | head -n 1)
    [ -n "$show_path" ] || { echo "fuzz/coverage.sh: no $show in common/" >&2; exit 2; }
    "$llvmcov" show "$OUT/fuzz_$t" -instr-profile="$OUT/$t.profdata" "$show_path"
fi
