#!/usr/bin/env bash
# Installs the Debian packages the build, the demo and the tests need (dpkg-dev,
# debhelper, fakeroot, lintian and rpm build and check the packages; logrotate shows
# that mod_jk.log is rotated).
# Debian's apache2 and tomcat10 packages try to start their services on install;
# a temporary policy-rc.d stops that: this project never uses the packaged services.
# Then Debian's own mod_jk is unpacked (not installed) for the differential tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(apache2 apache2-dev tomcat10 check autoconf automake libtool pkg-config
          make gcc clang libclang-rt-14-dev python3-pytest python3-requests curl procps iproute2
          chromium chromium-driver python3-selenium prometheus wrk nftables openssl
          dpkg-dev debhelper fakeroot lintian rpm logrotate)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Without it only the differential test fails (and says how to get it), not the whole run.
fetch_reference() {
    bash scripts/fetch-reference-mod-jk.sh ||
        echo "warning: Debian's mod_jk not fetched: tests/integration/test_differential.py will fail" >&2
}
if [ ${#missing[@]} -eq 0 ]; then
    fetch_reference
    exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
policy=/usr/sbin/policy-rc.d
placed_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    placed_policy=1
fi
cleanup() { if [ "$placed_policy" -eq 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fetch_reference
