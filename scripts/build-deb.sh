#!/usr/bin/env bash
# Builds the Debian package (libapache2-mod-jk-connector_VERSION_ARCH.deb) with
# dpkg-buildpackage -us -uc -b, in a copy of the checkout so that the tree's own
# build is left alone.  The .deb and its .buildinfo/.changes land in OUTDIR.
#
#   scripts/build-deb.sh [OUTDIR]        (default OUTDIR: dist/)
#
# The build runs the unit tests (DEB_BUILD_OPTIONS=nocheck skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
outdir=${1:-$top/dist}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

work=$(mktemp -d /tmp/jk-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The files git knows, plus new ones not yet committed (not the ignored build output).
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$work/src"

log="$work/build.log"
if ! ( cd "$work/src" && dpkg-buildpackage -us -uc -b ) >"$log" 2>&1; then
    tail -60 "$log"; exit 1
fi
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
    mv -f "$f" "$outdir/"
done
ls "$outdir"/libapache2-mod-jk-connector_*.deb
