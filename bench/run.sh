#!/bin/sh
# The benchmark: this module against mod_jk and mod_proxy_ajp (see bench/bench.py --help).
exec /usr/bin/python3 "$(dirname "$0")/bench.py" "$@"
