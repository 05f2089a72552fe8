#!/usr/bin/env bash
# The Debian package against the real thing: builds the .deb, runs lintian on it,
# then swaps Debian's libapache2-mod-jk for it and back on this machine
# (tests/package/deb_swap.py: installs and purges system packages, so it runs as root
# and only when scripts/test.sh is asked to: CI, or JK_TEST_PACKAGE=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/jk-deb-out.XXXXXX)
trap 'rm -rf "$out"' EXIT

echo "== build: scripts/build-deb.sh"
# The unit tests have run already (scripts/test.sh); the package build skips them.
DEB_BUILD_OPTIONS=nocheck bash scripts/build-deb.sh "$out"
deb=$(ls "$out"/libapache2-mod-jk-connector_*_*.deb | grep -v dbgsym)
echo "$ dpkg-deb -c $(basename "$deb")"
dpkg-deb -c "$deb"

echo "== lintian (tags overridden in debian/*.lintian-overrides are explained in docs/install.md)"
echo "$ lintian --pedantic --show-overrides *.changes"
lintian --allow-root --pedantic --show-overrides "$out"/*.changes || true
# The verdict: any error or warning that is not overridden fails the test.
lintian --allow-root --pedantic --fail-on error,warning "$out"/*.changes
echo "lintian: no error or warning beyond the explained overrides"

echo "== swap test"
/usr/bin/python3 tests/package/deb_swap.py "$deb"
