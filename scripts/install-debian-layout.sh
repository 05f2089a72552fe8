#!/bin/sh
# Install mod_jk the Debian way, so that `a2enmod jk` enables it:
#
#   $MODULEDIR/mod_jk.so                    the module (unless SKIP_MODULE=1)
#   $CONFDIR/mods-available/jk.load         LoadModule line
#   $CONFDIR/mods-available/jk.conf         the directives, with comments
#   $CONFDIR/workers.properties             example, only when there is none yet
#   $CONFDIR/uriworkermap.properties        example, only when there is none yet
#
# everything under $DESTDIR.  An existing jk.load or jk.conf that differs from ours
# is left as it is, and ours is put beside it as jk.load.dist / jk.conf.dist (as dpkg
# does with a changed conffile): an edited jk.conf is never overwritten.
#
# Settings, from the environment (as `make install` passes them):
#   DESTDIR       staging root                 (default: empty, the live system)
#   MODULE        the built module             (default: native/apache2/.libs/mod_jk.so)
#   SKIP_MODULE   1: do not copy the module (apxs -i already did)
#   CONFDIR       httpd's configuration        (default: /etc/apache2)
#   MODULEDIR     httpd's modules              (default: /usr/lib/apache2/modules)
#   LOGDIR        httpd's logs                 (default: /var/log/apache2)
# The files name CONFDIR, MODULEDIR and LOGDIR as they are set here.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
MODULE=${MODULE:-$TOP/native/apache2/.libs/mod_jk.so}
SKIP_MODULE=${SKIP_MODULE:-0}
CONFDIR=${CONFDIR:-/etc/apache2}
MODULEDIR=${MODULEDIR:-/usr/lib/apache2/modules}
LOGDIR=${LOGDIR:-/var/log/apache2}
SRC=$TOP/conf
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT

case "${1:-}" in
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "install-debian-layout.sh: no arguments; see --help" >&2; exit 64 ;;
esac

say() { printf '%s\n' "$*"; }

# conf/FILE with the default paths replaced by the ones configured here.
render() {
    sed -e "s|/etc/apache2|$CONFDIR|g" \
        -e "s|/usr/lib/apache2/modules|$MODULEDIR|g" \
        -e "s|/var/log/apache2|$LOGDIR|g" "$SRC/$1"
}

# Install conf/$1 as $2: new files are written, identical ones left alone, changed
# ones kept with ours beside them as $2.dist.
install_conf() {
    render "$1" >"$TMP"
    if [ ! -e "$2" ]; then
        install -m 644 "$TMP" "$2"
        say "installed $2"
    elif cmp -s "$TMP" "$2"; then
        say "unchanged $2"
    else
        install -m 644 "$TMP" "$2.dist"
        say "kept $2 (it differs from ours); ours is $2.dist"
    fi
}

# Examples are a starting point: an existing file is the user's own.
install_example() {
    if [ -e "$2" ]; then
        say "kept $2"
    else
        render "$1" >"$TMP"
        install -m 644 "$TMP" "$2"
        say "installed $2"
    fi
}

if [ "$SKIP_MODULE" != 1 ]; then
    if [ ! -f "$MODULE" ]; then
        echo "install-debian-layout.sh: $MODULE not found; build the module first (make)" >&2
        exit 1
    fi
    install -d "$DESTDIR$MODULEDIR"
    install -m 644 "$MODULE" "$DESTDIR$MODULEDIR/mod_jk.so"
    say "installed $DESTDIR$MODULEDIR/mod_jk.so"
fi

install -d "$DESTDIR$CONFDIR/mods-available"
install_conf jk.load "$DESTDIR$CONFDIR/mods-available/jk.load"
install_conf jk.conf "$DESTDIR$CONFDIR/mods-available/jk.conf"
install_example workers.properties "$DESTDIR$CONFDIR/workers.properties"
install_example uriworkermap.properties "$DESTDIR$CONFDIR/uriworkermap.properties"

if [ -z "$DESTDIR" ]; then
    say "next: a2enmod jk && apache2ctl configtest && systemctl restart apache2"
fi
