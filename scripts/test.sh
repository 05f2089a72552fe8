#!/usr/bin/env bash
# Runs every test: the Check unit tests (also under ASan+UBSan, built with clang), a
# clang -Werror build of the module, then the integration tests through a real httpd
# and real Tomcat 10 instances.  Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

show_unit_results() {
    grep -h -E '^[0-9]+%: Checks' "$1"/tests/unit/*.log || true
    grep -E '^# (TOTAL|PASS|FAIL|ERROR)' "$1"/test-suite.log || true
}

echo "== unit tests (Check)"
if ! make -s check-unit VERBOSE=1 >/tmp/jk-unit.$$ 2>&1; then
    cat /tmp/jk-unit.$$; rm -f /tmp/jk-unit.$$; exit 1
fi
rm -f /tmp/jk-unit.$$
show_unit_results .

echo "== unit tests under ASan+UBSan (clang)"
# A copy of the sources of its own: the tree above is already configured for gcc.
rm -rf build-asan && mkdir build-asan
cp -r configure.ac Makefile.am autogen.sh common conf native tests build-asan/
( cd build-asan && ./autogen.sh >/dev/null 2>&1 &&
  ./configure --quiet CC=clang --enable-sanitizers &&
  make -s check-unit VERBOSE=1 >unit.out 2>&1 ) || { cat build-asan/unit.out; exit 1; }
show_unit_results build-asan
rm -rf build-asan

echo "== mod_jk.so with clang -Werror"
rm -rf build-clang && mkdir build-clang && cp -r common native build-clang/
# common/ and each of its folders (wire, config, workers, runtime, status): every folder on
# the include path, every source built (nullglob: a folder may have no .c file of its own).
shopt -s nullglob
common_includes=(-I common)
for d in common/*/; do common_includes+=(-I "${d%/}"); done
common_srcs=(common/*.c common/*/*.c)
shopt -u nullglob
( cd build-clang && apxs -S CC=clang -c -o native/apache2/mod_jk.la "${common_includes[@]}" \
      -Wc,-std=c11 -Wc,-Wall -Wc,-Wextra -Wc,-Werror native/apache2/*.c "${common_srcs[@]}" \
      >build.out 2>&1 ) || { cat build-clang/build.out; exit 1; }
rm -rf build-clang
echo "clang build clean"

echo "== fuzzing (libFuzzer): every saved crash input, then each target briefly"
if ! bash fuzz/run.sh "${JK_FUZZ_SECONDS:-15}" >/tmp/jk-fuzz.$$ 2>&1; then
    cat /tmp/jk-fuzz.$$; rm -f /tmp/jk-fuzz.$$; exit 1
fi
tail -7 /tmp/jk-fuzz.$$; rm -f /tmp/jk-fuzz.$$

if [ -n "${CI:-}" ] || [ -n "${JK_TEST_ASAN_MODULE:-}" ]; then
    echo "== integration tests with an ASan+UBSan mod_jk.so inside httpd"
    if ! bash scripts/test-asan-module.sh >/tmp/jk-asan.$$ 2>&1; then
        tail -150 /tmp/jk-asan.$$; rm -f /tmp/jk-asan.$$; exit 1
    fi
    tail -2 /tmp/jk-asan.$$; rm -f /tmp/jk-asan.$$
fi

if [ -n "${CI:-}" ] || [ -n "${JK_TEST_PACKAGE:-}" ]; then
    # Installs and purges system packages (Debian's libapache2-mod-jk and ours), and
    # leaves the machine as it found it: only on request.
    echo "== packages: the .deb swapped with Debian's libapache2-mod-jk, the RPM spec built"
    if ! bash tests/package/test-deb-swap.sh >/tmp/jk-package.$$ 2>&1; then
        tail -150 /tmp/jk-package.$$; rm -f /tmp/jk-package.$$; exit 1
    fi
    grep -E '^(lintian:|swap test passed)' /tmp/jk-package.$$; rm -f /tmp/jk-package.$$
    if ! bash tests/package/test-rpm-spec.sh >/tmp/jk-rpm.$$ 2>&1; then
        tail -60 /tmp/jk-rpm.$$; rm -f /tmp/jk-rpm.$$; exit 1
    fi
    tail -1 /tmp/jk-rpm.$$; rm -f /tmp/jk-rpm.$$
fi

echo "== integration tests (pytest: real httpd, real Tomcat)"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@"
