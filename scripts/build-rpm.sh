#!/usr/bin/env bash
# Builds the RPM from mod_jk.spec with rpmbuild -bb: makes the source tarball
# (jk-connector-VERSION.tar.gz) from the checkout's files, builds in a temporary
# %_topdir and copies the binary RPM to OUTDIR.  Further arguments go to rpmbuild,
# e.g. --without check, or on a machine without httpd-devel:
#
#   scripts/build-rpm.sh dist --nodeps --define "_httpd_apxs /usr/bin/apxs"
#
#   scripts/build-rpm.sh [OUTDIR [RPMBUILD-ARGS...]]     (default OUTDIR: dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
outdir=${1:-$top/dist}
shift || true
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
version=$(sed -n 's/^AC_INIT(\[[^]]*\], \[\([^]]*\)\].*/\1/p' configure.ac)

work=$(mktemp -d /tmp/jk-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES" "$work/stage/jk-connector-$version"
# The files git knows, plus new ones not yet committed (not the ignored build output).
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$work/stage/jk-connector-$version"
tar -czf "$work/SOURCES/jk-connector-$version.tar.gz" -C "$work/stage" "jk-connector-$version"

log="$work/build.log"
if ! rpmbuild -bb --define "_topdir $work" "$@" mod_jk.spec >"$log" 2>&1; then
    tail -60 "$log"; exit 1
fi
find "$work/RPMS" -name '*.rpm' -exec cp {} "$outdir/" \; -printf "$outdir/%f\n"
