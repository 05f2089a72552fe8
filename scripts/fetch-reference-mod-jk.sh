#!/usr/bin/env bash
# Unpacks Debian's mod_jk 1.2.48 (libapache2-mod-jk) into a cache directory for the
# differential tests (tests/integration/test_differential.py), which load it in an httpd of
# their own beside this module. The package is downloaded and unpacked, never installed.
# Cache: $JK_REFERENCE_CACHE, default .cache/reference-mod-jk in the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${JK_REFERENCE_CACHE:-$PWD/.cache/reference-mod-jk}"
module="$cache/root/usr/lib/apache2/modules/mod_jk.so"
[ -f "$module" ] && exit 0

mkdir -p "$cache"
# apt-get drops to the _apt user for downloads; that user must be able to write here.
chmod 777 "$cache"
download() { ( cd "$cache" && apt-get download -q libapache2-mod-jk ); }
if ! download; then
    # A machine whose package lists were never fetched (or were cleaned) knows no package.
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    download
fi
chmod 755 "$cache"
rm -rf "$cache/root"
dpkg-deb -x "$(ls "$cache"/libapache2-mod-jk_*.deb | head -n 1)" "$cache/root"
[ -f "$module" ] || { echo "no mod_jk.so in the unpacked package" >&2; exit 1; }
echo "reference mod_jk: $module"
