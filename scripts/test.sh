#!/usr/bin/env bash
# Runs every test: the Check unit tests, then the integration tests through a
# real httpd and real Tomcat 10 instances.  Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
echo "== unit tests (Check)"
make check TESTS="$(make -s print-unit-tests)" JK_SKIP_INTEGRATION=1 VERBOSE=1 >/tmp/jk-unit.$$ 2>&1 || {
    cat /tmp/jk-unit.$$; rm -f /tmp/jk-unit.$$; exit 1; }
grep -h -E '^[0-9]+%: Checks' tests/unit/*.log || true
grep -E '^# (TOTAL|PASS|FAIL|ERROR)' /tmp/jk-unit.$$ || true
rm -f /tmp/jk-unit.$$
echo "== integration tests (pytest: real httpd, real Tomcat)"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration "$@"
