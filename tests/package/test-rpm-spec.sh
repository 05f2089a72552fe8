#!/usr/bin/env bash
# mod_jk.spec cannot rot: builds it with rpmbuild -bb on this (Debian) machine, with
# Debian's apxs given through the _httpd_apxs macro that httpd-devel defines on RHEL,
# then checks the RPM's file list (rpm -qlp) against the RHEL layout and the paths in
# its jk.conf.  Installs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/jk-rpm-out.XXXXXX)
trap 'rm -rf "$out"' EXIT

echo "== rpmbuild -bb mod_jk.spec"
# --nodeps: the BuildRequires are RHEL package names, unknown to this machine's rpm
# database; --without check: scripts/test.sh ran the unit tests already.
args=(--nodeps --without check --define "_httpd_apxs /usr/bin/apxs" --define "debug_package %{nil}")
echo "$ scripts/build-rpm.sh OUT ${args[*]}"
rpm=$(bash scripts/build-rpm.sh "$out" "${args[@]}" | grep '\.rpm$')
echo "$ rpm -qlp $(basename "$rpm")"
rpm -qlp "$rpm" | tee "$out/files"

expected="/etc/httpd/conf.d/jk.conf
/etc/httpd/conf.modules.d/10-jk.conf
/etc/httpd/conf/uriworkermap.properties
/etc/httpd/conf/workers.properties
/usr/bin/jkctl
/usr/lib64/httpd/modules/mod_jk.so
/usr/share/man/man1/jkctl.1"
fail() { echo "FAILED: $*"; exit 1; }
while IFS= read -r f; do
    grep -qx "$f\(\.gz\)\{0,1\}" "$out/files" || fail "$f not in the RPM"
done <<<"$expected"
grep -q '^/usr/share/doc/mod_jk-connector[^/]*/install.md$' "$out/files" || fail "docs/install.md not in the RPM"
echo "  ok: the RHEL layout's files are all there"

echo "$ rpm -qp --provides --conflicts $(basename "$rpm")"
rpm -qp --provides --conflicts "$rpm" | tee "$out/deps"
grep -q '^mod_jk = ' "$out/deps" || fail "does not provide mod_jk"

mkdir "$out/root"
rpm2archive - <"$rpm" | tar -xzf - -C "$out/root"
conf="$out/root/etc/httpd/conf.d/jk.conf"
for line in "JkWorkersFile /etc/httpd/conf/workers.properties" \
            "JkMountFile /etc/httpd/conf/uriworkermap.properties" \
            "JkLogFile /var/log/httpd/mod_jk.log"; do
    grep -q "^ *$line\$" "$conf" || fail "jk.conf lacks '$line'"
done
! grep -n '/etc/apache2\|/var/log/apache2' "$conf" "$out/root/etc/httpd/conf/uriworkermap.properties" ||
    fail "jk.conf or uriworkermap.properties names Debian's paths"
grep -qx 'LoadModule jk_module modules/mod_jk.so' "$out/root/etc/httpd/conf.modules.d/10-jk.conf" ||
    fail "10-jk.conf does not load modules/mod_jk.so"
nm -D --defined-only "$out/root/usr/lib64/httpd/modules/mod_jk.so" | grep -q ' jk_module$' ||
    fail "mod_jk.so does not export jk_module"
echo "  ok: jk.conf and 10-jk.conf use /etc/httpd and /var/log/httpd; mod_jk.so exports jk_module"
echo "rpm spec test passed"
