#!/usr/bin/python3
"""How long a client waits for its 503 when nothing listens behind the connector.

A refused connection is a final answer: no wait can change it.  This measures, side by side
in one run, the time to the error for a plain ajp13 worker and for a two-member lb whose
members both refuse, through this module, Debian's mod_jk 1.2.48 and mod_proxy_ajp (a
single ajp:// target and a balancer).  Sequential requests, one at a time, on fresh
connections; median, p99 and max in milliseconds.

    /usr/bin/python3 bench/refused.py [--requests 200]
"""

import argparse
import http.client
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_common import HOST, jh
from bench_servers import fetch_debian_mod_jk

JK_WORKERS = """worker.list=one,lb
worker.one.type=ajp13
worker.one.host={host}
worker.one.port={p1}
worker.m1.type=ajp13
worker.m1.host={host}
worker.m1.port={p1}
worker.m2.type=ajp13
worker.m2.host={host}
worker.m2.port={p2}
worker.lb.type=lb
worker.lb.balance_workers=m1,m2
"""

JK_CONFIG = """LoadModule jk_module {so}
JkWorkersFile @CONF_DIR@/workers.properties
JkLogFile @LOG_DIR@/mod_jk.log
JkLogLevel error
JkShmFile @LOG_DIR@/jk-runtime-status
JkMount /one/* one
JkMount /lb/* lb
"""

PROXY_CONFIG = """<Proxy balancer://dead>
    BalancerMember ajp://{host}:{p1}
    BalancerMember ajp://{host}:{p2}
</Proxy>
ProxyPass /pone/ ajp://{host}:{p1}/
ProxyPass /plb/ balancer://dead/
"""


def closed_port():
    """A loopback port nothing listens on (free_port's socket is closed again)."""
    return jh.free_port(HOST)


def time_errors(httpd, path, n):
    """Milliseconds to each response of n sequential GETs, and the statuses seen."""
    times, statuses = [], set()
    for _ in range(n):
        conn = http.client.HTTPConnection(HOST, httpd.port, timeout=30)
        start = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        statuses.add(response.status)
        conn.close()
    return times, statuses


def summary(times):
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jk-refused-"))
    p1, p2 = closed_port(), closed_port()
    debian_so, version = fetch_debian_mod_jk(work)
    ours = jh.Httpd(work / "ours", modules=("proxy", "proxy_ajp", "proxy_balancer",
                                             "slotmem_shm", "lbmethod_byrequests"))
    modjk = jh.Httpd(work / "modjk")
    for httpd, so in ((ours, jh.module_path()), (modjk, debian_so)):
        httpd.write_conf_file("workers.properties", JK_WORKERS.format(host=HOST, p1=p1, p2=p2))
        httpd.add_config(JK_CONFIG.format(so=so))
    ours.add_config(PROXY_CONFIG.format(host=HOST, p1=p1, p2=p2))
    cases = [("this module", "ajp13 worker", ours, "/one/x"),
             ("this module", "lb, both members refuse", ours, "/lb/x"),
             (f"mod_jk {version}", "ajp13 worker", modjk, "/one/x"),
             (f"mod_jk {version}", "lb, both members refuse", modjk, "/lb/x"),
             ("mod_proxy_ajp", "ajp:// target", ours, "/pone/x"),
             ("mod_proxy_ajp", "balancer, both members refuse", ours, "/plb/x")]
    try:
        ours.start()
        modjk.start()
        print(f"{args.requests} sequential GETs each, nothing listening on {HOST}:{p1} "
              f"and {HOST}:{p2}")
        print(f"| connector | target | status | median ms | p99 ms | max ms |")
        print("|---|---|---|---:|---:|---:|")
        for who, what, httpd, path in cases:
            time_errors(httpd, path, 5)  # the first errors put lb members into error
            times, statuses = time_errors(httpd, path, args.requests)
            median, p99, worst = summary(times)
            print(f"| {who} | {what} | {','.join(map(str, sorted(statuses)))} | "
                  f"{median:.2f} | {p99:.2f} | {worst:.2f} |")
    finally:
        for httpd in (ours, modjk):
            httpd.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
