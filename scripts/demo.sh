#!/usr/bin/env bash
# The demo: builds the module, starts Tomcat 10 and a private httpd with it on
# loopback, shows what a user would check, and stops everything it started.
# Pass --keep to leave it running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec /usr/bin/python3 scripts/demo.py "$@"
