#!/usr/bin/env bash
# Installs the Debian packages the build, the demo and the tests need (dpkg-dev,
# debhelper, fakeroot, lintian and rpm build and check the packages; logrotate shows
# that mod_jk.log is rotated).
# Debian's apache2 and tomcat10 packages try to start their services on install;
# a temporary policy-rc.d stops that: this project never uses the packaged services.
set -euo pipefail

PACKAGES=(apache2 apache2-dev tomcat10 check autoconf automake libtool pkg-config
          make gcc clang libclang-rt-14-dev python3-pytest python3-requests curl procps iproute2
          chromium chromium-driver python3-selenium prometheus wrk nftables openssl
          dpkg-dev debhelper fakeroot lintian rpm logrotate)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
