"""What the benchmark measures (routes, workloads) and small helpers its modules share."""

import http.client
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))
import jkharness as jh  # noqa: E402  (the tests' Tomcat and Httpd classes, reused)

HOST = "127.0.0.1"
WEBAPP = BENCH / "webapp"
CONTEXT = "jk"                      # the benchmark webapp's context path in Tomcat
KIB = 1024
STATIC_FILES = {"1k.bin": KIB, "100k.bin": 100 * KIB}

ROUTES = ("ours", "mod_jk", "proxy_ajp", "static")
ROUTE_TITLES = {"ours": "this module", "mod_jk": "mod_jk 1.2.48",
                "proxy_ajp": "mod_proxy_ajp", "static": "httpd static file"}
CONNECTORS = ("ours", "mod_jk", "proxy_ajp")

# The callgrind phase counts between dumps that a request for a missing page triggers.
TRIGGER = "/__callgrind_dump__"   # a 404: httpd calls ap_send_error_response only for it
TRIGGER_FUNCTION = "ap_send_error_response"



# ---------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    backend: str          # "tomcat" or "zero"
    path: str             # below the connector's prefix
    static: str = None    # the static file with the same bytes (the ceiling), if any
    post: int = 0         # request body bytes (POST), 0 for GET
    sticky: bool = False  # requests carry session cookies naming the Tomcats (see STICKY_MIX)


WORKLOADS = (
    Workload("jsp", "small JSP page (Tomcat)", "tomcat", "small.jsp", static="small.html"),
    Workload("tc1k", "1 KiB static file from Tomcat", "tomcat", "b/1k.bin", static="1k.bin"),
    Workload("tc100k", "100 KiB static file from Tomcat", "tomcat", "b/100k.bin",
             static="100k.bin"),
    Workload("z1k", "1 KiB from the zero-cost backend", "zero", "1024", static="1k.bin"),
    Workload("z100k", "100 KiB from the zero-cost backend", "zero", "102400",
             static="100k.bin"),
    Workload("sticky", "sticky-session mix (small JSP)", "tomcat", "small.jsp",
             static="small.html", sticky=True),
    Workload("post64k", "64 KiB POST to Tomcat (sink.jsp)", "tomcat", "sink.jsp", post=64 * KIB),
    Workload("zpost64k", "64 KiB POST to the zero-cost backend", "zero", "16", post=64 * KIB),
)
WORKLOAD_BY_KEY = {w.key: w for w in WORKLOADS}

# The Tomcats' jvmRoutes (the lb members' names), and the sticky mix's requests in turn: a
# session on each Tomcat, and a request without one (a new visitor, balanced).
MEMBER_ROUTES = ("worker1", "worker2")
STICKY_MIX = tuple(f"JSESSIONID=5E55102A7C0FFEE0{i}9B1D2C3E4F5A6B7C.{route}"
                   for i, route in enumerate(MEMBER_ROUTES)) + (None,)
# What callgrind measures by default: the baseline's rows plus one zero-backend row.
CALLGRIND_DEFAULT = ("jsp", "tc1k", "tc100k", "z1k", "post64k")

PREFIX = {("ours", "tomcat"): "/jk/", ("mod_jk", "tomcat"): "/jk/",
          ("proxy_ajp", "tomcat"): "/ajp/",
          ("ours", "zero"): "/jkz/", ("mod_jk", "zero"): "/jkz/",
          ("proxy_ajp", "zero"): "/ajpz/"}


def cell_key(route, workload):
    """What one wrk run measures. Static cells are shared by workloads of the same bytes."""
    if route == "static":
        return f"static:{workload.static}"
    return f"{route}:{workload.key}"


def routes_of(workload):
    return ROUTES if workload.static else CONNECTORS


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(argv, timeout, **kw):
    """subprocess.run with a time bound, text output, and no exception on failure."""
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, **kw)


def first_line(argv, timeout=30, pattern=None):
    try:
        out = run(argv, timeout).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"? ({e})"
    lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
    if pattern:
        lines = [ln for ln in lines if re.search(pattern, ln)]
    return lines[0] if lines else "?"


def http_fetch(host, port, path, body=None, timeout=30, cookie=None):
    """(status, body bytes) of one request on a fresh connection."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/octet-stream"} if body is not None else {}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class KeepAliveClient:
    """One HTTP/1.1 connection for many requests (the callgrind phase's client)."""

    def __init__(self, host, port, timeout=600):
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def request(self, path, body=None, expect=200):
        headers = {"Content-Type": "application/octet-stream"} if body is not None else {}
        self.conn.request("POST" if body is not None else "GET", path, body=body,
                          headers=headers)
        resp = self.conn.getresponse()
        resp.read()
        if resp.status != expect or resp.will_close:
            raise jh.HarnessError(f"{path}: answered {resp.status} (expected {expect}), "
                                  f"will_close={resp.will_close}")

    def close(self):
        self.conn.close()


def process_cpu_seconds(pid):
    """CPU seconds (user + system) of pid, its live descendants, and the children they reaped."""
    hz = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid, *jh._descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue   # exited in between: its time is now in its parent's reaped-children time
        total += sum(int(x) for x in fields[11:15])   # utime stime cutime cstime
    return total / hz


def busy_processes(seconds=1.0, exclude=()):
    """Processes that used more than 5% of a CPU over `seconds`: (pid, %, command)."""
    def ticks():
        found = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
                comm = text[text.index("(") + 1:text.rindex(")")]
                fields = text.rsplit(")", 1)[1].split()
                found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12]), comm)
            except (OSError, ValueError, IndexError):
                continue
        return found
    hz = os.sysconf("SC_CLK_TCK")
    before = ticks()
    time.sleep(seconds)
    after = ticks()
    busy = []
    for pid, (t, comm) in after.items():
        if pid in exclude or pid not in before:
            continue
        share = 100.0 * (t - before[pid][0]) / hz / seconds
        if share > 5:
            busy.append((pid, round(share), comm))
    return sorted(busy, key=lambda b: -b[1])
