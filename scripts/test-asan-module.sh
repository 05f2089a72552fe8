#!/usr/bin/env bash
# The integration tests once more, with mod_jk.so built with AddressSanitizer and
# UndefinedBehaviorSanitizer and loaded into the real httpd (the sanitizer runtime is
# preloaded into httpd only).  Fails on any sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(pwd)/build-asan-module
rm -rf "$out" && mkdir -p "$out/reports" && chmod 777 "$out/reports"
cp -r common native "$out/"
# common/ and each of its folders (wire, config, workers, runtime, status): every folder on
# the include path, every source built (nullglob: a folder may have no .c file of its own).
shopt -s nullglob
common_includes=(-I common)
for d in common/*/; do common_includes+=(-I "${d%/}"); done
common_srcs=(common/*.c common/*/*.c)
shopt -u nullglob
( cd "$out" && apxs -c -o native/apache2/mod_jk.la "${common_includes[@]}" -Wc,-std=c11 -Wc,-Wall \
      -Wc,-Wextra -Wc,-Werror -Wc,-g -Wc,-O1 -Wc,-fno-omit-frame-pointer \
      -Wc,-fsanitize=address,undefined -Wl,-fsanitize=address,undefined \
      native/apache2/*.c "${common_srcs[@]}" >build.out 2>&1 ) || { cat "$out/build.out"; exit 1; }
export JK_MODULE="$out/native/apache2/.libs/mod_jk.so"
export JK_HTTPD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
# httpd frees its pools at exit, not every byte: leak reports would be noise.
export ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0:log_path=$out/reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$out/reports/ubsan"
status=0
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration \
    -k "not beyond and not deployment and not jkctl and not docs and not chaos" "$@" || status=$?
if ls "$out"/reports/* >/dev/null 2>&1; then
    echo "sanitizer reports:"; cat "$out"/reports/*; exit 1
fi
echo "no sanitizer report from httpd with the ASan+UBSan module"
exit $status
