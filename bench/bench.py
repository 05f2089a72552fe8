#!/usr/bin/python3
"""Benchmark: this module against Debian's mod_jk 1.2.48 and httpd's mod_proxy_ajp.

    /usr/bin/python3 bench/bench.py            # full run (about 20 minutes), writes docs/
    /usr/bin/python3 bench/bench.py --quick    # smoke run (about 5 minutes)
    bench/run.sh [options]                     # the same; --help lists every option

What runs (all on 127.0.0.1, every process started here and stopped by its PID):
- one Tomcat 10 (two with --lb) with the benchmark webapp (bench/webapp/) as context /jk;
- bench/zero_ajp.c, an AJP backend answering from memory at once (built here with gcc -O2);
- httpd "main" (event MPM): this module on /jk/ and /jkz/ (JkMount), mod_proxy_ajp on /ajp/
  and /ajpz/ (ProxyPass; mod_proxy_balancer with --lb), static files on /static/;
- httpd "mod_jk" (same MPM settings, another port): Debian's libapache2-mod-jk, fetched with
  `apt-get download` and unpacked with `dpkg-deb -x` into the run's directory, never installed.
  Both mod_jk's use one workers.properties.

Phases:
1. throughput: wrk -t2 --latency for every workload x connection count x route, in
   interleaved rounds (A B C D A B C D ...; the order rotates each round); medians reported;
2. system calls per request in httpd's children for every route (strace -f -c);
3. memory: RSS and open fds of the main httpd's processes before, halfway and after N
   requests through this module;
4. cost: instructions per request inside httpd with callgrind (apache2 -X, single process),
   N keep-alive requests per route on one connection, counted between two dumps that a
   request for a missing page triggers (--dump-before=ap_send_error_response);
   connector cost = a route's instructions per request minus those of the static file.

Results: bench/results/<stamp>/ (results.json, wrk outputs, callgrind dumps and
annotations, logs), and docs/performance.md + docs/performance.png (a --quick run writes
these into its results directory instead, unless --docs is given).
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
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


WORKLOADS = (
    Workload("jsp", "small JSP page (Tomcat)", "tomcat", "small.jsp", static="small.html"),
    Workload("tc1k", "1 KiB static file from Tomcat", "tomcat", "b/1k.bin", static="1k.bin"),
    Workload("tc100k", "100 KiB static file from Tomcat", "tomcat", "b/100k.bin",
             static="100k.bin"),
    Workload("z1k", "1 KiB from the zero-cost backend", "zero", "1024", static="1k.bin"),
    Workload("z100k", "100 KiB from the zero-cost backend", "zero", "102400",
             static="100k.bin"),
    Workload("post64k", "64 KiB POST to Tomcat (sink.jsp)", "tomcat", "sink.jsp", post=64 * KIB),
    Workload("zpost64k", "64 KiB POST to the zero-cost backend", "zero", "16", post=64 * KIB),
)
WORKLOAD_BY_KEY = {w.key: w for w in WORKLOADS}
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


def http_fetch(host, port, path, body=None, timeout=30):
    """(status, body bytes) of one request on a fresh connection."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/octet-stream"} if body is not None else {}
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


# ---------------------------------------------------------------------------
# Preparation: our module, the zero-cost backend, Debian's mod_jk
# ---------------------------------------------------------------------------

def build_module():
    log("building this module (scripts/build.sh)")
    result = run(["bash", str(REPO / "scripts" / "build.sh")], timeout=900, cwd=REPO)
    if result.returncode != 0:
        raise jh.HarnessError(f"scripts/build.sh failed:\n{result.stdout}")


def build_zero_backend(workdir):
    exe = workdir / "zero_ajp"
    result = run(["gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-pthread", "-o", str(exe),
                  str(BENCH / "zero_ajp.c")], timeout=120)
    if result.returncode != 0:
        raise jh.HarnessError(f"building zero_ajp failed:\n{result.stdout}")
    return exe


def fetch_debian_mod_jk(workdir):
    """Debian's mod_jk.so, downloaded and unpacked without installing the package."""
    target = jh._make_dir(workdir / "debian-mod_jk")
    result = run(["apt-get", "download", "libapache2-mod-jk"], timeout=300, cwd=target)
    debs = sorted(target.glob("libapache2-mod-jk_*.deb"))
    if not debs:
        raise jh.HarnessError(f"apt-get download libapache2-mod-jk failed:\n{result.stdout}")
    result = run(["dpkg-deb", "-x", str(debs[0]), str(target / "root")], timeout=120)
    so = target / "root" / "usr" / "lib" / "apache2" / "modules" / "mod_jk.so"
    if result.returncode != 0 or not so.is_file():
        raise jh.HarnessError(f"dpkg-deb -x {debs[0]} gave no mod_jk.so:\n{result.stdout}")
    version = run(["dpkg-deb", "-f", str(debs[0]), "Version"], timeout=60).stdout.strip()
    return so, version


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------

class BenchTomcat(jh.Tomcat):
    """The tests' Tomcat, plus the benchmark webapp as context /jk with its static files."""

    def _write_base(self):
        super()._write_base()
        app = self.base / "webapps" / CONTEXT
        shutil.rmtree(app, ignore_errors=True)
        shutil.copytree(WEBAPP, app)
        files = jh._make_dir(app / "b")
        for name, size in STATIC_FILES.items():
            (files / name).write_bytes(jh.download_pattern(size))

    def warm_bench_pages(self):
        """Compile the benchmark JSPs before anything is measured."""
        for page, body in (("small.jsp", None), ("sink.jsp", b"x" * 100)):
            status, _ = http_fetch(self.host, self.http_port, f"/{CONTEXT}/{page}", body=body)
            if status != 200:
                raise jh.HarnessError(f"{self}: /{CONTEXT}/{page} answers {status}\n"
                                      f"{self.log_tail()}")


class BenchHttpd(jh.Httpd):
    """The tests' Httpd without an access log, and startable under callgrind.

    Every route would pay the same for the access log; leaving it out keeps a run from
    writing gigabytes and the connectors' own share of the work more visible.
    """

    def base_config(self):
        return re.sub(r"(?m)^CustomLog .*$", "# (no access log: bench/bench.py)",
                      super().base_config())

    def start_callgrind(self, out_prefix, timeout=300):
        """apache2 -X (one process, no children) under callgrind; waits until it answers."""
        self.write_config()
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_prefix}.%p",
                "--trace-children=no", "--vgdb=no",
                f"--dump-before={TRIGGER_FUNCTION}", jh.APACHE2, "-X", "-f", str(self.conf_path),
                "-DFOREGROUND"]
        self.proc = jh._spawn(argv, self.log_dir / "callgrind.log", env=jh._httpd_env())

        def serving():
            if not self.running:
                raise jh.HarnessError(f"{self} under callgrind exited with "
                                      f"{self.proc.returncode}\n{self.log_tail()}")
            return jh._http_status(self.host, self.port, "/", timeout=10) != 0

        if not jh.wait_until(serving, timeout, 0.5):
            self.stop()
            raise jh.HarnessError(f"{self} under callgrind not serving after {timeout} s")
        return self


class ZeroBackend:
    """bench/zero_ajp on 127.0.0.1:<free port>, started and stopped by PID."""

    def __init__(self, exe, workdir):
        self.exe = exe
        self.workdir = jh._make_dir(workdir)
        self.host = HOST
        self.port = jh.free_port(HOST)
        self.proc = None

    def start(self):
        self.proc = jh._spawn([str(self.exe), "-l", self.host, "-p", str(self.port)],
                              self.workdir / "zero_ajp.log")
        if not jh.wait_until(lambda: jh.port_open(self.host, self.port), 10):
            self.stop()
            raise jh.HarnessError(f"zero_ajp did not listen on {self.host}:{self.port}")

    def stop(self):
        if self.proc is not None:
            jh._terminate(self.proc, 5)


def workers_properties(tomcats, zero, lb):
    """The one workers.properties both mod_jk's read."""
    lines = ["# Generated by bench/bench.py: the same file for this module and for mod_jk.",
             f"worker.list={'lb' if lb else 'worker1'},zero", ""]
    for t in tomcats:
        lines += [f"worker.{t.jvm_route}.type=ajp13", f"worker.{t.jvm_route}.host={t.host}",
                  f"worker.{t.jvm_route}.port={t.ajp_port}", ""]
    if lb:
        members = ",".join(t.jvm_route for t in tomcats)
        lines += ["worker.lb.type=lb", f"worker.lb.balance_workers={members}", ""]
    lines += ["worker.zero.type=ajp13", f"worker.zero.host={zero.host}",
              f"worker.zero.port={zero.port}", ""]
    return "\n".join(lines)


def jk_config(module_so, lb):
    """The Jk* directives, the same for both mod_jk's (ours accepts JkShmFile and ignores it)."""
    return f"""LoadModule jk_module {module_so}
JkWorkersFile @CONF_DIR@/workers.properties
JkLogFile @LOG_DIR@/mod_jk.log
JkLogLevel error
JkShmFile @LOG_DIR@/jk-runtime-status
JkMount /{CONTEXT}/* {'lb' if lb else 'worker1'}
JkMount /jkz/* zero
"""


def proxy_config(tomcats, zero, lb):
    if lb:
        members = "\n".join(f"    BalancerMember ajp://{t.host}:{t.ajp_port} route={t.jvm_route}"
                            for t in tomcats)
        tomcat_target = f"<Proxy balancer://tomcats>\n{members}\n</Proxy>\n" \
                        f"ProxyPass /ajp/ balancer://tomcats/{CONTEXT}/"
    else:
        t = tomcats[0]
        tomcat_target = f"ProxyPass /ajp/ ajp://{t.host}:{t.ajp_port}/{CONTEXT}/"
    return f"{tomcat_target}\nProxyPass /ajpz/ ajp://{zero.host}:{zero.port}/jkz/\n"


class Stack:
    """Every server of a benchmark run, and the URL of each (route, workload)."""

    def __init__(self, workdir, args, debian_so, zero_exe):
        self.workdir = workdir
        self.lb = args.lb
        self.tomcats = [BenchTomcat(workdir / f"tomcat-worker{i + 1}", host=HOST,
                                    jvm_route=f"worker{i + 1}")
                        for i in range(2 if args.lb else 1)]
        self.zero = ZeroBackend(zero_exe, workdir / "zero")
        proxy_modules = ("proxy", "proxy_ajp")
        if args.lb:
            proxy_modules += ("proxy_balancer", "slotmem_shm", "lbmethod_byrequests")
        self.main = BenchHttpd(workdir / "httpd-main", mpm="event", log_level="warn",
                               host=HOST, modules=proxy_modules)
        self.modjk = BenchHttpd(workdir / "httpd-modjk", mpm="event", log_level="warn",
                                host=HOST)
        workers = workers_properties(self.tomcats, self.zero, self.lb)
        self.main.write_conf_file("workers.properties", workers)
        self.modjk.write_conf_file("workers.properties", workers)
        self.main.add_config(jk_config(jh.module_path(), self.lb))
        self.main.add_config(proxy_config(self.tomcats, self.zero, self.lb))
        self.modjk.add_config(jk_config(debian_so, self.lb))
        self.static_dir = jh._make_dir(self.main.docroot / "static")
        for name, size in STATIC_FILES.items():
            jh._write(self.static_dir / name, "")
            (self.static_dir / name).write_bytes(jh.download_pattern(size))

    def check_lb_support(self):
        """Our module's configtest with the lb workers file: does it know type=lb yet?"""
        rc, out = self.main.configtest()
        if rc != 0:
            raise jh.HarnessError("--lb: httpd refuses the lb configuration with this module "
                                  f"(configtest exit {rc}); does it support type=lb yet?\n{out}")

    def start(self):
        log(f"starting {len(self.tomcats)} Tomcat(s) and the zero-cost backend")
        for t in self.tomcats:
            t.start(wait=False)
        self.zero.start()
        for t in self.tomcats:
            t.wait_ready(120)
            t.warm_bench_pages()
        # The static ceiling of the JSP: the very bytes Tomcat renders.
        status, page = http_fetch(HOST, self.tomcats[0].http_port, f"/{CONTEXT}/small.jsp")
        self.small_page = page
        (self.static_dir / "small.html").write_bytes(page)
        (self.static_dir / "small.html").chmod(0o644)
        if self.lb:
            self.check_lb_support()
        log("starting httpd main (this module, mod_proxy_ajp, static) and httpd mod_jk")
        self.main.start(60)
        self.modjk.start(60)

    def stop(self):
        for server in (self.main, self.modjk):
            server.stop()
        self.zero.stop()
        for t in self.tomcats:
            t.stop()

    def httpd_of(self, route):
        return self.modjk if route == "mod_jk" else self.main

    def path(self, route, workload):
        if route == "static":
            return f"/static/{workload.static}"
        return PREFIX[(route, workload.backend)] + workload.path

    def url(self, route, workload):
        h = self.httpd_of(route)
        return f"http://{h.host}:{h.port}{self.path(route, workload)}"

    def expected_body(self, workload):
        if workload.key == "jsp":
            return self.small_page
        if workload.key == "post64k":
            return f"read {workload.post} bytes".encode()
        size = STATIC_FILES.get(workload.static) if workload.static else None
        if size is None:
            size = int(workload.path.rsplit("/", 1)[-1]) if workload.backend == "zero" \
                else None
        return jh.download_pattern(size) if size is not None else None

    def sanity_check(self, workloads):
        """Every route of every workload answers 200 with the expected bytes, or we stop."""
        problems = []
        for w in workloads:
            body = b"z" * w.post if w.post else None
            want = self.expected_body(w)
            for route in routes_of(w):
                h = self.httpd_of(route)
                try:
                    status, got = http_fetch(h.host, h.port, self.path(route, w), body=body)
                except OSError as e:
                    problems.append(f"{route} {w.key}: {e}")
                    continue
                if status != 200 or (want is not None and got.strip() != want.strip()):
                    problems.append(f"{route} {w.key} {self.url(route, w)}: status {status}, "
                                    f"{len(got)} bytes, expected {len(want or b'')}")
        if problems:
            raise jh.HarnessError("sanity check failed:\n" + "\n".join(problems) + "\n" +
                                  self.main.log_tail(20) + "\n" + self.modjk.log_tail(20))


# ---------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------

def post_script(workdir, size):
    path = workdir / f"post-{size}.lua"
    path.write_text(f"""-- Generated by bench/bench.py: every request is a POST of {size} bytes.
wrk.method = "POST"
wrk.body = string.rep("x", {size})
wrk.headers["Content-Type"] = "application/octet-stream"
""")
    return path


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def _ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    return float(m.group(1)) * _UNITS_MS[m.group(2)] if m else None


def parse_wrk(out):
    """The figures of one wrk --latency run; None values where wrk printed nothing."""
    def grab(pattern, conv=float):
        m = re.search(pattern, out, re.M)
        return conv(m.group(1)) if m else None

    result = {
        "rps": grab(r"^Requests/sec:\s+([\d.]+)"),
        "p50_ms": grab(r"^\s+50%\s+(\S+)", _ms),
        "p75_ms": grab(r"^\s+75%\s+(\S+)", _ms),
        "p90_ms": grab(r"^\s+90%\s+(\S+)", _ms),
        "p99_ms": grab(r"^\s+99%\s+(\S+)", _ms),
        "requests": grab(r"^\s+(\d+) requests in", int),
        "non_2xx": grab(r"Non-2xx or 3xx responses:\s+(\d+)", int) or 0,
        "socket_errors": 0,
    }
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        result["socket_errors"] = sum(int(x) for x in m.groups())
    return result


def wrk(url, conns, duration, threads, script=None, script_args=(), timeout_s=5):
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency",
            f"--timeout={timeout_s}s"]
    if script:
        argv += ["-s", str(script)]
    argv.append(url)
    if script_args:
        argv += ["--", *map(str, script_args)]
    result = run(argv, timeout=duration + 60)
    figures = parse_wrk(result.stdout)
    figures["exit"] = result.returncode
    return figures, result.stdout


# ---------------------------------------------------------------------------
# Phase 1: throughput
# ---------------------------------------------------------------------------

def plan_round(workloads, conns_list, round_no):
    """The runs of one round: per conns, per workload, every route in a rotated order."""
    runs, done = [], set()
    shift = round_no % len(ROUTES)
    order = ROUTES[shift:] + ROUTES[:shift]
    for conns in conns_list:
        for w in workloads:
            for route in order:
                if route not in routes_of(w):
                    continue
                key = (conns, cell_key(route, w))
                if key in done:
                    continue
                done.add(key)
                runs.append((conns, route, w))
    return runs


def throughput_phase(stack, args, workloads, outdir):
    scripts = {w.key: post_script(stack.workdir, w.post) for w in workloads if w.post}
    raw_dir = jh._make_dir(outdir / "wrk")
    if args.warmup > 0:
        log(f"warm-up: {args.warmup} s per route at {max(args.conns)} connections")
        for conns, route, w in plan_round(workloads, [max(args.conns)], 0):
            wrk(stack.url(route, w), conns, args.warmup, args.threads, scripts.get(w.key))
    results = []
    total = sum(len(plan_round(workloads, args.conns, r)) for r in range(args.rounds))
    n = 0
    for rnd in range(args.rounds):
        for conns, route, w in plan_round(workloads, args.conns, rnd):
            n += 1
            url = stack.url(route, w)
            figures, out = wrk(url, conns, args.duration, args.threads, scripts.get(w.key))
            name = f"r{rnd + 1}-c{conns}-{cell_key(route, w).replace(':', '-')}.txt"
            (raw_dir / name).write_text(out)
            entry = {"round": rnd + 1, "conns": conns, "route": route, "workload": w.key,
                     "cell": cell_key(route, w), "url": url, **figures}
            results.append(entry)
            flag = ""
            if figures["non_2xx"] or figures["rps"] is None or \
                    figures["socket_errors"] > max(5, (figures["requests"] or 0) / 1000):
                flag = f"  !! non-2xx {figures['non_2xx']} socket errors " \
                       f"{figures['socket_errors']} exit {figures['exit']}"
            log(f"[{n}/{total}] round {rnd + 1} c{conns} {route:9} {w.key:8} "
                f"{(figures['rps'] or 0):9.0f} req/s  p50 {figures['p50_ms']} ms  "
                f"p99 {figures['p99_ms']} ms{flag}")
    return results


def summarize(results, workloads, conns_list):
    """Medians over rounds for every (workload, conns, route), and the ratios."""
    summary = {}
    for w in workloads:
        for conns in conns_list:
            row = {}
            for route in routes_of(w):
                runs = [r for r in results
                        if r["conns"] == conns and r["cell"] == cell_key(route, w)
                        and r["rps"] is not None]
                if not runs:
                    continue
                row[route] = {
                    "rps": statistics.median(r["rps"] for r in runs),
                    "rps_min": min(r["rps"] for r in runs),
                    "rps_max": max(r["rps"] for r in runs),
                    "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                    "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                    "rounds": len(runs),
                    "errors": sum(r["non_2xx"] + r["socket_errors"] for r in runs),
                }
            ratios = {}
            ours = row.get("ours")
            for other in ("mod_jk", "proxy_ajp", "static"):
                if ours and other in row and row[other]["rps"]:
                    ratios[f"rps_ours/{other}"] = ours["rps"] / row[other]["rps"]
                    if other != "static" and row[other]["p99_ms"]:
                        ratios[f"p99_ours/{other}"] = ours["p99_ms"] / row[other]["p99_ms"]
            summary[f"{w.key}@{conns}"] = {"workload": w.key, "conns": conns,
                                           "routes": row, "ratios": ratios}
    return summary


# ---------------------------------------------------------------------------
# Phase 1b: system calls
# ---------------------------------------------------------------------------

def strace_count(httpd, path, body, n, out_file, warm=20):
    """System calls per request made by httpd's children (all their threads) for n
    keep-alive requests on one connection, counted by strace -f -c."""
    client = KeepAliveClient(httpd.host, httpd.port)
    try:
        for _ in range(warm):
            client.request(path, body)
        argv = ["strace", "-f", "-c", "-o", str(out_file)]
        for pid in httpd.child_pids():
            argv += ["-p", str(pid)]
        tracer = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.5)   # strace attaches to every thread
            for _ in range(n):
                client.request(path, body)
            time.sleep(0.3)
        finally:
            tracer.send_signal(2)   # SIGINT: detach and write the summary
            try:
                tracer.wait(30)
            except subprocess.TimeoutExpired:
                tracer.kill()
                tracer.wait(10)
    finally:
        client.close()
    calls = {}
    for line in out_file.read_text().splitlines():
        f = line.split()
        if len(f) >= 5 and re.fullmatch(r"[\d.]+", f[0]) and f[-1] != "total":
            calls[f[-1]] = int(f[3])
    per = {k: v / n for k, v in sorted(calls.items(), key=lambda kv: -kv[1])}
    return {"per_request": sum(per.values()), "by_call": per}


def syscall_phase(stack, args, workloads, outdir):
    sdir = jh._make_dir(outdir / "strace")
    n, results = args.syscall_requests, {}
    for w in workloads:
        body = b"s" * w.post if w.post else None
        for route in routes_of(w):
            key = cell_key(route, w)
            if key in results:
                continue
            results[key] = strace_count(stack.httpd_of(route), stack.path(route, w), body, n,
                                        sdir / f"{key.replace(':', '-')}.txt")
            top = ", ".join(f"{k} {v:.1f}" for k, v in list(results[key]["by_call"].items())[:5])
            log(f"syscalls: {key:18} {results[key]['per_request']:6.1f} per request ({top})")
    return {"requests": n, "runs": results}


# ---------------------------------------------------------------------------
# Phase 2: memory
# ---------------------------------------------------------------------------

def process_facts(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return {"rss_kb": rss, "fds": fds}
    except (OSError, AttributeError):
        return None


def httpd_snapshot(httpd):
    parent = httpd.proc.pid
    snap = {"parent": process_facts(parent), "children": {}}
    for pid in httpd.child_pids():
        facts = process_facts(pid)
        if facts:
            snap["children"][str(pid)] = facts
    kids = snap["children"].values()
    snap["children_rss_kb"] = sum(k["rss_kb"] for k in kids)
    snap["children_fds"] = sum(k["fds"] for k in kids)
    return snap


def ab_parse(out):
    def grab(pattern):
        m = re.search(pattern, out, re.M)
        return int(m.group(1)) if m else 0
    return {"complete": grab(r"^Complete requests:\s+(\d+)"),
            "failed": grab(r"^Failed requests:\s+(\d+)"),
            "non_2xx": grab(r"^Non-2xx responses:\s+(\d+)")}


def memory_load(stack, n, conns, workdir):
    """n requests through this module, by count (wrk runs by time only): ab -k GETs of
    1 KiB from the zero-cost backend, and alongside, one request in 8 a POST of 8 KiB."""
    body = workdir / "post-8k.bin"
    if not body.exists():
        body.write_bytes(b"m" * 8192)
    base = f"http://{stack.main.host}:{stack.main.port}"
    posts = n // 8
    post_conns = max(1, conns // 8)
    bound = n // 1000 + 120   # below 1000 req/s something is wrong: give up
    gets = subprocess.Popen(["ab", "-k", "-r", "-q", "-c", str(conns - post_conns), "-n",
                             str(n - posts), f"{base}/jkz/1024"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        post_out = run(["ab", "-k", "-r", "-q", "-c", str(post_conns), "-n", str(posts), "-p",
                        str(body), "-T", "application/octet-stream", f"{base}/jkz/16"],
                       timeout=bound).stdout if posts else ""
        get_out, _ = gets.communicate(timeout=bound)
    finally:
        if gets.poll() is None:
            gets.kill()
            gets.wait(10)
    g, p = ab_parse(get_out), ab_parse(post_out)
    return {"requests": g["complete"] + p["complete"],
            "errors": g["failed"] + g["non_2xx"] + p["failed"] + p["non_2xx"],
            "ab_get": get_out[-1500:], "ab_post": post_out[-1500:]}


def memory_phase(stack, args, outdir):
    """RSS and fds of the main httpd's processes before, halfway and after N requests
    through this module. A leak grows in both halves alike; pools and caches filling up
    grow in the first half only.

    httpd is restarted first, so "before" is a fresh server after a short warm-up
    (connection pools filled), not one that already carried the throughput runs.
    """
    stack.main.stop()
    stack.main.start(60)
    conns = max(args.conns)
    n = args.memory_requests
    log(f"memory: 2,000 warm-up requests, then 2 x {n // 2} through this module at {conns} "
        f"connections (ab -k: GET /jkz/1024; one in 8 a POST of 8 KiB to /jkz/16)")
    memory_load(stack, 2000, conns, stack.workdir)
    time.sleep(1)
    snaps, loads = [httpd_snapshot(stack.main)], []
    t0 = time.monotonic()
    for _ in range(2):
        loads.append(memory_load(stack, n // 2, conns, stack.workdir))
        time.sleep(1)
        snaps.append(httpd_snapshot(stack.main))
    elapsed = time.monotonic() - t0
    (outdir / "memory-ab.txt").write_text("\n\n".join(
        part for load in loads for part in (load["ab_get"], load["ab_post"])))
    before, half, after = snaps
    same = sorted(set(before["children"]) & set(after["children"]), key=int)

    def growth(a, b, what):
        return {pid: b["children"][pid][what] - a["children"][pid][what]
                for pid in same if pid in a["children"] and pid in b["children"]}

    result = {"requests": sum(ld["requests"] for ld in loads), "seconds": round(elapsed, 1),
              "errors": sum(ld["errors"] for ld in loads), "conns": conns,
              "before": before, "half": half, "after": after, "same_children": same,
              "rss_growth_kb_first_half": growth(before, half, "rss_kb"),
              "rss_growth_kb_second_half": growth(half, after, "rss_kb"),
              "fd_growth": growth(before, after, "fds")}
    log(f"memory: {result['requests']} requests in {elapsed:.0f} s, {result['errors']} errors; "
        f"children RSS {before['children_rss_kb']} -> {half['children_rss_kb']} -> "
        f"{after['children_rss_kb']} kB, fds {before['children_fds']} -> "
        f"{half['children_fds']} -> {after['children_fds']}")
    return result


# ---------------------------------------------------------------------------
# Phase 3: callgrind
# ---------------------------------------------------------------------------

def callgrind_total(dump):
    """The instruction count of one callgrind dump file."""
    for line in dump.read_text(errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise jh.HarnessError(f"{dump}: no summary line")


TRIGGER = "/__callgrind_dump__"   # a 404: httpd calls ap_send_error_response only for it
TRIGGER_FUNCTION = "ap_send_error_response"


def dump_files(out_prefix, pid):
    return set(Path(out_prefix).parent.glob(f"{Path(out_prefix).name}.{pid}.*"))


def triggered_dump(client, httpd, out_prefix, label):
    """Ask httpd for TRIGGER: callgrind dumps (and zeroes) its counters on entering
    TRIGGER_FUNCTION. Returns the dump's path, renamed after label."""
    before = dump_files(out_prefix, httpd.proc.pid)
    client.request(TRIGGER, expect=404)
    found = jh.wait_until(lambda: dump_files(out_prefix, httpd.proc.pid) - before, 30)
    if not found:
        raise jh.HarnessError(f"callgrind wrote no dump for {label}")
    dump = max(found, key=lambda p: int(p.name.rsplit(".", 1)[1]))
    final = dump.with_name(f"callgrind.{label}.out")
    dump.rename(final)
    return final


def measure_under_callgrind(httpd, path, body, n, warm, out_prefix, label):
    """Instructions inside httpd for n keep-alive requests to path, after warm ones.

    The counting is between two TRIGGER requests on the same connection, so a dump also
    holds the trigger's own share of work; callgrind_overhead() measures that to subtract.
    (callgrind_control -z/-d would be simpler, but its vgdb hangs on a multi-threaded httpd.)
    """
    client = KeepAliveClient(httpd.host, httpd.port)
    try:
        for _ in range(warm):
            client.request(path, body)
        triggered_dump(client, httpd, out_prefix, label + "-warmup").unlink()
        for _ in range(n):
            client.request(path, body)
        dump = triggered_dump(client, httpd, out_prefix, label)
    finally:
        client.close()
    return callgrind_total(dump), dump


def callgrind_overhead(httpd, out_prefix):
    """Instructions of a dump with no request between the two triggers."""
    client = KeepAliveClient(httpd.host, httpd.port)
    try:
        for i in range(3):   # the first rounds still pay for first-use work
            triggered_dump(client, httpd, out_prefix, f"overhead{i}").unlink()
        dump = triggered_dump(client, httpd, out_prefix, "overhead")
    finally:
        client.close()
    return callgrind_total(dump)


def annotate(dump, top=25):
    """callgrind_annotate of one dump: the top functions overall and those of our module.

    A dump taken in the middle of a request lists the functions still on the dumping
    thread's stack (clone, start_thread, the worker loop) with the whole total; they are
    left out.
    """
    ours_obj = f"[{jh.module_path().resolve()}]"
    total = callgrind_total(dump)
    out = {}
    for mode in ("no", "yes"):
        result = run(["callgrind_annotate", f"--inclusive={mode}", "--threshold=100",
                      str(dump)], timeout=300)
        text = result.stdout
        dump.with_suffix(f".annotate-{'incl' if mode == 'yes' else 'self'}.txt").write_text(text)
        rows = []
        for line in text.splitlines():
            m = re.match(r"^\s*([\d,]+)\s+(?:\([\s\d.]+%\)\s+)?(\S.*)$", line)
            if not m or ":" not in m.group(2):
                continue
            ir = int(m.group(1).replace(",", ""))
            if mode == "no" and ir >= total:
                continue
            rows.append((ir, m.group(2).strip()))
        out[mode] = rows
    return {"top_self": out["no"][:top],
            "ours_self": [r for r in out["no"] if r[1].endswith(ours_obj)][:top],
            "ours_inclusive": [r for r in out["yes"] if r[1].endswith(ours_obj)][:top]}


def callgrind_phase(stack, args, workloads, outdir):
    cg_dir = jh._make_dir(outdir / "callgrind")
    # apache2 -X still switches to its User, so the dumps are written as that user.
    shutil.chown(cg_dir, jh.RUN_USER, jh._primary_group(jh.RUN_USER))
    n, warm = args.callgrind_requests, 50
    stack.main.stop()
    stack.modjk.stop()
    results, seen_static = {}, set()
    for httpd, routes in ((stack.main, ("ours", "proxy_ajp", "static")),
                          (stack.modjk, ("mod_jk",))):
        name = "main" if httpd is stack.main else "modjk"
        log(f"callgrind: starting httpd {name} under valgrind (apache2 -X)")
        prefix = cg_dir / f"raw-{name}"
        httpd.start_callgrind(prefix)
        try:
            overhead = callgrind_overhead(httpd, prefix)
            log(f"callgrind: a dump's own overhead in httpd {name}: {overhead} instructions")
            for w in workloads:
                body = b"c" * w.post if w.post else None
                for route in routes:
                    if route not in routes_of(w):
                        continue
                    key = cell_key(route, w)
                    if key in seen_static:
                        continue
                    if route == "static":
                        seen_static.add(key)
                    t0 = time.monotonic()
                    total, dump = measure_under_callgrind(
                        httpd, stack.path(route, w), body, n, warm, prefix,
                        key.replace(":", "-"))
                    results[key] = {"instructions": total, "overhead": overhead,
                                    "requests": n, "per_request": (total - overhead) / n,
                                    "dump": str(dump.name)}
                    if route != "static":
                        results[key]["profile"] = annotate(dump)
                    log(f"callgrind: {key:18} {(total - overhead) / n / 1000:8.1f}k "
                        f"instructions/request "
                        f"({time.monotonic() - t0:.0f} s)")
        finally:
            httpd.stop(60)
    for raw in cg_dir.glob("raw-*"):
        raw.rename(raw.with_name(raw.name.replace("raw-", "callgrind.final-")))
    costs = {}
    for w in workloads:
        row = {}
        static = results.get(f"static:{w.static}") if w.static else None
        for route in CONNECTORS:
            r = results.get(cell_key(route, w))
            if not r:
                continue
            row[route] = {"per_request": r["per_request"]}
            if static:
                row[route]["connector_cost"] = r["per_request"] - static["per_request"]
        if static:
            row["static"] = {"per_request": static["per_request"]}
        costs[w.key] = row
    return {"requests": n, "warmup": warm, "runs": results, "costs": costs}


# ---------------------------------------------------------------------------
# Facts about this run
# ---------------------------------------------------------------------------

def machine_facts():
    cpu = "?"
    try:
        cpu = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(),
                        re.M).group(1)
    except (OSError, AttributeError):
        pass
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
    debian = Path("/etc/debian_version").read_text().strip() \
        if Path("/etc/debian_version").exists() else "?"
    return {"cpu": cpu, "cpus": os.cpu_count(), "memory_gib": round(int(mem) / 1048576, 1),
            "kernel": platform.release(), "debian": debian, "hostname": platform.node()}


def our_version():
    head = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = run(["git", "-C", str(REPO), "status", "--porcelain", "--", "common", "native"],
                timeout=30).stdout.strip()
    return head + (" + uncommitted changes in common/ or native/" if dirty else "")


def version_facts(debian_version):
    catalina = jh.CATALINA_HOME / "lib" / "catalina.jar"
    util = jh.CATALINA_HOME / "lib" / "tomcat-util.jar"
    return {
        "httpd": first_line([jh.APACHE2, "-v"], pattern="Server version"),
        "ours": our_version(),
        "mod_jk": f"Debian libapache2-mod-jk {debian_version}",
        "mod_proxy_ajp": "as shipped with httpd",
        "tomcat": first_line(["java", "-cp", f"{catalina}:{util}",
                              "org.apache.catalina.util.ServerInfo"], pattern="Server version"),
        "java": first_line(["java", "-version"]),
        "wrk": first_line(["wrk", "-v"]),
        "valgrind": first_line(["valgrind", "--version"]),
        "gcc": first_line(["gcc", "--version"]),
    }


# ---------------------------------------------------------------------------
# Report: markdown and chart
# ---------------------------------------------------------------------------

def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}"


def fmt_k(x):
    return "—" if x is None else f"{x / 1000:.1f}k"


def throughput_tables(summary, workloads, conns_list):
    lines = ["| workload | conns | ours/mod_jk | ours/mod_proxy_ajp | ours/static | "
             "p99 ours/mod_jk | p99 ours/mod_proxy_ajp |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for w in workloads:
        for conns in conns_list:
            s = summary.get(f"{w.key}@{conns}")
            if not s:
                continue
            r = s["ratios"]
            lines.append(f"| {w.title} | {conns} | {fmt_ratio(r.get('rps_ours/mod_jk'))} | "
                         f"{fmt_ratio(r.get('rps_ours/proxy_ajp'))} | "
                         f"{fmt_ratio(r.get('rps_ours/static'))} | "
                         f"{fmt_ratio(r.get('p99_ours/mod_jk'))} | "
                         f"{fmt_ratio(r.get('p99_ours/proxy_ajp'))} |")
    absolute = ["| workload | conns | route | req/s (median) | range over rounds | p50 ms | "
                "p99 ms | errors |", "|---|---:|---|---:|---:|---:|---:|---:|"]
    for w in workloads:
        for conns in conns_list:
            s = summary.get(f"{w.key}@{conns}")
            for route, f in (s or {}).get("routes", {}).items():
                absolute.append(f"| {w.title} | {conns} | {ROUTE_TITLES[route]} | "
                                f"{f['rps']:.0f} | {f['rps_min']:.0f}-{f['rps_max']:.0f} | "
                                f"{f['p50_ms']:.2f} | {f['p99_ms']:.2f} | {f['errors']} |")
    return "\n".join(lines), "\n".join(absolute)


def slower_cells(summary, threshold=0.97):
    """(cell, other route, ratio, overlap) where ours' median req/s is below threshold x the
    other's; overlap is True when the rounds' ranges overlap (the gap may be noise)."""
    found = []
    for key, s in summary.items():
        ours = s["routes"].get("ours")
        for other in ("mod_jk", "proxy_ajp"):
            r = s["ratios"].get(f"rps_ours/{other}")
            if r is not None and r < threshold:
                overlap = ours["rps_max"] >= s["routes"][other]["rps_min"]
                found.append((key, other, r, overlap))
    return found


def callgrind_table(cg, workloads):
    lines = ["| workload | this module | mod_jk | mod_proxy_ajp | static file | "
             "connector cost: ours | mod_jk | mod_proxy_ajp | cost ours/mod_jk | "
             "cost ours/mod_proxy_ajp |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for w in workloads:
        row = cg["costs"].get(w.key)
        if not row:
            continue

        def per(route):
            return row.get(route, {}).get("per_request")

        def cost(route):
            return row.get(route, {}).get("connector_cost")

        def ratio(a, b):
            return fmt_ratio(a / b) if a is not None and b else "—"

        if cost("ours") is not None:
            r1, r2 = ratio(cost("ours"), cost("mod_jk")), ratio(cost("ours"), cost("proxy_ajp"))
        else:  # no static twin (POST): compare whole requests
            r1, r2 = ratio(per("ours"), per("mod_jk")), ratio(per("ours"), per("proxy_ajp"))
        lines.append(f"| {w.title} | {fmt_k(per('ours'))} | {fmt_k(per('mod_jk'))} | "
                     f"{fmt_k(per('proxy_ajp'))} | {fmt_k(per('static'))} | "
                     f"{fmt_k(cost('ours'))} | {fmt_k(cost('mod_jk'))} | "
                     f"{fmt_k(cost('proxy_ajp'))} | {r1} | {r2} |")
    return "\n".join(lines)


def profile_section(cg, workloads, top=12):
    parts = []
    for w in workloads:
        run_ = cg["runs"].get(f"ours:{w.key}")
        if not run_ or "profile" not in run_:
            continue
        n, prof = run_["requests"], run_["profile"]
        parts += [f"**{w.title}**, instructions per request in this module's functions: "
                  "self cost (left), and inclusive of what they call (right)", "", "```"]
        selfs = [f"{ir / n:7.0f}  {shorten(fn)}" for ir, fn in prof["ours_self"][:top]]
        incls = [f"{ir / n:7.0f}  {shorten(fn)}" for ir, fn in prof["ours_inclusive"][:top]]
        width = max((len(x) for x in selfs), default=0) + 4
        for i in range(max(len(selfs), len(incls))):
            left = selfs[i] if i < len(selfs) else ""
            right = incls[i] if i < len(incls) else ""
            parts.append(f"{left:{width}}{right}".rstrip())
        parts += ["```", ""]
    # The whole process, side by side for one workload: where each connector's work goes.
    for w in sorted(workloads, key=lambda w: w.key != "tc1k"):
        runs = {r: cg["runs"].get(cell_key(r, w)) for r in CONNECTORS}
        if not all(x and "profile" in x for x in runs.values()):
            continue
        parts += [f"<details><summary>Whole httpd process, top functions by self cost, "
                  f"{w.title}, per request</summary>", ""]
        for route, r in runs.items():
            parts += [f"{ROUTE_TITLES[route]}:", "", "```"]
            parts += [f"{ir / r['requests']:7.0f}  {shorten(fn)}"
                      for ir, fn in r["profile"]["top_self"][:top]]
            parts += ["```", ""]
        parts += ["</details>", ""]
        break
    return "\n".join(parts)


def shorten(fn):
    """'file:function [object]' as 'function  (file, object)' with short names."""
    m = re.match(r"^(.*?):(\S+)\s+\[(.*)\]$", fn)
    if not m:
        return fn
    where, func, obj = m.groups()
    where = "" if where == "???" else Path(where).name + ", "
    return f"{func}  ({where}{Path(obj).name})"


def syscall_table(sc, workloads):
    lines = ["| workload | this module | mod_jk | mod_proxy_ajp | static file | this module's "
             "calls per request |", "|---|---:|---:|---:|---:|---|"]
    for w in workloads:
        runs = {route: sc["runs"].get(cell_key(route, w)) for route in ROUTES
                if route in routes_of(w)}
        if not runs.get("ours"):
            continue
        vals = [f"{runs[r]['per_request']:.1f}" if runs.get(r) else "—" for r in ROUTES]
        detail = ", ".join(f"{k} {v:.1f}" for k, v in runs["ours"]["by_call"].items() if v >= 0.5)
        lines.append(f"| {w.title} | " + " | ".join(vals) + f" | {detail} |")
    return "\n".join(lines)


def memory_table(mem):
    snaps = (mem["before"], mem["half"], mem["after"])
    lines = [f"{mem['requests']} requests through this module (ab -k: GET of 1 KiB from the "
             f"zero-cost backend, and alongside one request in 8 a POST of 8 KiB) at "
             f"{mem['conns']} connections in {mem['seconds']} s; ab counted {mem['errors']} "
             "failed requests (ab reports connections that httpd's event MPM closes under "
             "load as \"Length\" failures; a static file gets them too).", "",
             "| httpd process | RSS kB: before | halfway | after | fds: before | halfway | "
             "after |", "|---|---:|---:|---:|---:|---:|---:|"]

    def cells(facts, what):
        return " | ".join(str(f[what]) if f else "—" for f in facts)

    if all(s["parent"] for s in snaps):
        lines.append(f"| parent | {cells([s['parent'] for s in snaps], 'rss_kb')} | "
                     f"{cells([s['parent'] for s in snaps], 'fds')} |")
    pids = sorted(set().union(*(s["children"] for s in snaps)), key=int)
    for pid in pids:
        facts = [s["children"].get(pid) for s in snaps]
        lines.append(f"| child {pid} | {cells(facts, 'rss_kb')} | {cells(facts, 'fds')} |")
    lines.append("| all children | " + " | ".join(str(s["children_rss_kb"]) for s in snaps) +
                 " | " + " | ".join(str(s["children_fds"]) for s in snaps) + " |")
    lines += ["", "A child that appears or disappears midway was started or retired by the "
              "event MPM as the load changed; \"—\" marks its absence."]
    return "\n".join(lines)


def write_chart(summary, cg, workloads, conns_list, outdir, png):
    """Two panels: req/s ratios per workload, and connector cost per request (callgrind)."""
    data = outdir / "chart-throughput.dat"
    rows = ["# label ours/mod_jk ours/mod_proxy_ajp ours/static"]
    for w in workloads:
        for conns in conns_list:
            s = summary.get(f"{w.key}@{conns}")
            if not s:
                continue
            r = s["ratios"]
            rows.append(f'"{w.key} c{conns}" ' + " ".join(
                f"{r.get(k, float('nan')):.4f}" for k in
                ("rps_ours/mod_jk", "rps_ours/proxy_ajp", "rps_ours/static")))
    data.write_text("\n".join(rows) + "\n")
    panels = [] if len(rows) < 2 else [f"""set title "Throughput of this module relative to the others (req/s ratio, 1 = equal)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 nomirror
set yrange [0:*]
set grid ytics
set key top right
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "black" dt 2
plot "{data}" using 2:xtic(1) title "ours / mod_jk" lc rgb "#1f77b4", \\
     "" using 3 title "ours / mod_proxy_ajp" lc rgb "#ff7f0e", \\
     "" using 4 title "ours / static file" lc rgb "#7f7f7f"
unset arrow 1
"""]
    if cg and cg.get("costs"):
        cdata = outdir / "chart-cost.dat"
        crow = ["# workload ours mod_jk proxy_ajp (k instructions per request above static, "
                "or whole request for POST)"]
        for w in workloads:
            row = cg["costs"].get(w.key)
            if not row:
                continue
            vals = []
            for route in CONNECTORS:
                v = row.get(route, {})
                x = v.get("connector_cost", v.get("per_request"))
                vals.append(f"{x / 1000:.2f}" if x is not None else "nan")
            label = w.key + ("" if w.static else " (whole)")
            crow.append(f'"{label}" ' + " ".join(vals))
        cdata.write_text("\n".join(crow) + "\n")
        panels.append(f"""set title "Connector cost inside httpd (callgrind, k instructions per request)"
set yrange [0:*]
plot "{cdata}" using 2:xtic(1) title "this module" lc rgb "#1f77b4", \\
     "" using 3 title "mod_jk 1.2.48" lc rgb "#d62728", \\
     "" using 4 title "mod_proxy_ajp" lc rgb "#ff7f0e"
""")
    if not panels:
        return False
    script = outdir / "chart.gp"
    height = 420 * len(panels)
    script.write_text(f"""set terminal pngcairo size 1100,{height} font "DejaVu Sans,10"
set output "{png}"
set termoption noenhanced
set multiplot layout {len(panels)},1
""" + "\n".join(panels) + "unset multiplot\n")
    result = run(["gnuplot", str(script)], timeout=120)
    if result.returncode != 0:
        # pngcairo is in gnuplot-nox's cairo build; fall back to the gd terminal.
        script.write_text(script.read_text().replace("pngcairo", "png"))
        result = run(["gnuplot", str(script)], timeout=120)
    if result.returncode != 0:
        log(f"gnuplot failed:\n{result.stdout}")
        return False
    return True


def write_markdown(report, path, png_name):
    args = report["settings"]
    workloads = [WORKLOAD_BY_KEY[k] for k in args["workloads"]]
    conns_list = args["conns"]
    v, m = report["versions"], report["machine"]
    out = [
        "# Performance: this module, mod_jk and mod_proxy_ajp side by side",
        "",
        "Generated by `bench/bench.py` (see [How to run it](#how-to-run-it)); do not edit by "
        "hand. Absolute numbers on this machine drift by 10-30% from run to run, so this page "
        "quotes ratios of figures measured side by side in one run.",
        "",
        f"- **Run**: {report['started']} ({report['mode']} mode, {report['elapsed_min']:.1f} "
        f"minutes), command `{report['command']}`",
        f"- **Machine**: {m['cpu']}, {m['cpus']} CPUs, {m['memory_gib']} GiB, Debian "
        f"{m['debian']}, Linux {m['kernel']}; wrk, httpd and Tomcat share the CPUs",
        f"- **Versions**: this module {v['ours']}; {v['mod_jk']}; {v['httpd']}; "
        f"mod_proxy_ajp {v['mod_proxy_ajp']}; {v['tomcat']} on {v['java']}; {v['wrk']}; "
        f"{v['valgrind']}",
        f"- **Back end**: {'two Tomcats behind lb workers / mod_proxy_balancer' if args['lb'] else 'one Tomcat, worker `worker1` (ajp13)'}"
        f"; and `bench/zero_ajp.c`, an AJP backend that answers from memory at once",
        f"- **Load**: `wrk -t{args['threads']} -d{args['duration']}s --latency`, connections "
        f"{', '.join(map(str, conns_list))}; {args['rounds']} interleaved round(s) "
        f"(every route of a workload in turn, order rotated each round), medians; "
        f"{args['warmup']} s warm-up per route first",
        f"- **Machine load at start**: loadavg {report['loadavg_start']}"
        + (f"; other busy processes: {report['busy_at_start']}" if report['busy_at_start']
           else "; no other busy process"),
        "",
    ]
    if report.get("throughput"):
        ratios, absolute = throughput_tables(report["throughput"]["summary"], workloads,
                                             conns_list)
        slower = slower_cells(report["throughput"]["summary"])
        out += ["## Throughput and latency", "",
                "Ratios of medians; req/s ratio > 1 means this module served more, p99 ratio "
                "< 1 means its slowest 1% answered sooner.", "", ratios, ""]
        if slower:
            out += ["Where this module served fewer requests per second than another "
                    "connector by more than 3%:", ""]
            out += [f"- {WORKLOAD_BY_KEY[k.split('@')[0]].title}, {k.split('@')[1]} "
                    f"connections: ours/{ROUTE_TITLES[other]} = {r:.2f}"
                    + (" (the rounds' ranges overlap: may be noise)" if overlap else "")
                    for k, other, r, overlap in slower]
            out.append("")
        else:
            out += ["This module was within 3% of, or faster than, both mod_jk and "
                    "mod_proxy_ajp in every cell.", ""]
        out += ["<details><summary>This run's absolute figures (for this machine and this "
                "run only)</summary>", "", absolute, "", "</details>", ""]
    if report.get("callgrind"):
        cg = report["callgrind"]
        out += ["## Cost inside httpd (callgrind)", "",
                f"Instructions executed by httpd (`apache2 -X`, event MPM, one process) per "
                f"request, over {cg['requests']} keep-alive requests on one connection after "
                f"{cg['warmup']} warm-up requests. Counted between two callgrind dumps, each "
                "triggered by a request for a missing page on the same connection "
                "(`--dump-before=ap_send_error_response`), minus the instructions of a dump "
                "with no request in between. Connector cost = a route's instructions per request "
                "minus httpd's for serving the same bytes as a static file. The POST rows have "
                "no static twin: they compare whole requests. Deterministic: a rerun gives the "
                "same figures within about 1%.", "",
                callgrind_table(cg, workloads), "",
                "### Where this module's instructions go", "",
                "From `callgrind_annotate` of this module's dumps (kept in "
                "`bench/results/<run>/callgrind/`).", "",
                profile_section(cg, workloads), ""]
    if report.get("syscalls"):
        out += ["## System calls per request", "",
                f"Counted with `strace -f -c` attached to every thread of httpd's children, "
                f"over {report['syscalls']['requests']} keep-alive requests on one connection "
                "(one request at a time, so there is no batching). Most of httpd's CPU time "
                "here is kernel time, so these matter. `futex` counts depend on timing; the "
                "others are near-deterministic.", "",
                syscall_table(report["syscalls"], workloads), ""]
    if report.get("memory"):
        out += ["## Memory and file descriptors", "", memory_table(report["memory"]), "",
                "httpd was restarted before this phase; \"before\" is after 2,000 warm-up "
                "requests, when the connection pools are filled. A leak grows alike in both "
                "halves; pools and caches filling up grow in the first half only.", ""]
    if report.get("chart"):
        out += ["## Chart", "", f"![throughput ratios and connector cost]({png_name})", ""]
    out += ["## How to run it", "",
            "```",
            "bench/run.sh                 # full run: all workloads, 3 rounds, callgrind, 1M "
            "requests memory check",
            "bench/run.sh --quick         # smoke run: -d3s, 1 round, 50k requests memory check",
            "bench/run.sh --help          # every option (duration, rounds, conns, workloads, "
            "--lb, phases)",
            "```", "",
            "Needs the Debian packages apache2, apache2-dev, tomcat10, wrk, valgrind, "
            "gnuplot-nox and gcc. Debian's mod_jk is fetched with `apt-get download "
            "libapache2-mod-jk` and unpacked with `dpkg-deb -x` into the run's directory; it is "
            "never installed. It runs in a second private httpd (same event MPM settings, "
            "another port), because it also calls itself `jk_module`. Every server listens on "
            "127.0.0.1 and is stopped by its PID. The access log is off in both httpds. Raw "
            "results (JSON, every wrk output, callgrind dumps and annotations) go to "
            "`bench/results/<stamp>/`.", "",
            "Routes: this module `JkMount /jk/* worker1` and `/jkz/* zero` in httpd *main*; "
            "mod_proxy_ajp `ProxyPass /ajp/ ajp://tomcat/jk/` and `/ajpz/` in the same httpd; "
            "static files under `/static/` there; Debian's mod_jk with the same "
            "workers.properties and Jk directives in httpd *mod_jk*. Tomcat serves the "
            "benchmark webapp `bench/webapp/` as context `/jk` (small.jsp, sink.jsp, and "
            "1 KiB / 100 KiB static files).", ""]
    path.write_text("\n".join(out))


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="smoke run: -d3s, 1 round, 1 s warm-up, 50k memory requests, "
                        "500 callgrind requests, results only under bench/results/")
    p.add_argument("--duration", type=int,
                   help="seconds per wrk run (full: 6, so that a full run stays under 25 "
                        "minutes; quick: 3)")
    p.add_argument("--rounds", type=int, help="interleaved rounds (full: 3, quick: 1)")
    p.add_argument("--warmup", type=int, help="warm-up seconds per route (full: 2, quick: 1)")
    p.add_argument("--conns", default="16,64", help="connection counts (default 16,64)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workloads", default=",".join(w.key for w in WORKLOADS),
                   help="comma-separated subset of: " + ", ".join(
                       f"{w.key} ({w.title})" for w in WORKLOADS))
    p.add_argument("--callgrind-workloads", default=",".join(CALLGRIND_DEFAULT),
                   help="workloads measured under callgrind (default: %(default)s)")
    p.add_argument("--memory-requests", type=int,
                   help="requests of the memory check (full: 1000000, quick: 50000)")
    p.add_argument("--callgrind-requests", type=int,
                   help="keep-alive requests per route under callgrind (full: 2000, quick: 500)")
    p.add_argument("--syscall-requests", type=int,
                   help="keep-alive requests per route under strace (full: 1000, quick: 300)")
    p.add_argument("--no-throughput", action="store_true", help="skip the wrk phase")
    p.add_argument("--no-syscalls", action="store_true", help="skip the strace phase")
    p.add_argument("--no-memory", action="store_true", help="skip the memory phase")
    p.add_argument("--no-callgrind", action="store_true", help="skip the callgrind phase")
    p.add_argument("--lb", action="store_true",
                   help="two Tomcats behind an lb worker (both mod_jk's) and "
                        "mod_proxy_balancer; checks first that this module accepts type=lb")
    p.add_argument("--no-build", action="store_true",
                   help="use the mod_jk.so already built (or $JK_MODULE)")
    p.add_argument("--docs", action="store_true",
                   help="write docs/performance.md and .png even in --quick mode")
    p.add_argument("--no-docs", action="store_true",
                   help="write the page and chart only into the results directory")
    p.add_argument("--keep", action="store_true", help="keep the servers' work directory")
    p.add_argument("--from-json", metavar="RESULTS_JSON",
                   help="measure nothing: write the page and chart again from a run's "
                        "results.json (into docs/ unless --no-docs)")
    args = p.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (3 if quick else 6)
    args.rounds = args.rounds or (1 if quick else 3)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 2)
    args.memory_requests = args.memory_requests or (50000 if quick else 1000000)
    args.callgrind_requests = args.callgrind_requests or (500 if quick else 2000)
    args.syscall_requests = args.syscall_requests or (300 if quick else 1000)
    args.conns = [int(c) for c in args.conns.split(",") if c]
    for name in ("workloads", "callgrind_workloads"):
        keys = [k for k in getattr(args, name).split(",") if k]
        unknown = [k for k in keys if k not in WORKLOAD_BY_KEY]
        if unknown:
            p.error(f"unknown workload(s): {', '.join(unknown)}")
        setattr(args, name, keys)
    args.write_docs = (args.docs or not quick or args.from_json) and not args.no_docs
    return args


def estimate_minutes(args, workloads):
    runs = sum(len(plan_round(workloads, args.conns, r)) for r in range(args.rounds))
    warm = len(plan_round(workloads, [max(args.conns)], 0)) * (args.warmup + 1)
    t = runs * (args.duration + 0.3) + warm + 40
    if not args.no_memory:
        t += args.memory_requests / 9000 + 15
    if not args.no_syscalls:
        t += len(plan_round(workloads, [1], 0)) * (2.5 + args.syscall_requests / 1000)
    if not args.no_callgrind:
        t += 30 + len(args.callgrind_workloads) * 4 * (1 + args.callgrind_requests / 400)
    return t / 60


def write_report(report, outdir, write_docs):
    settings = report["settings"]
    workloads = [WORKLOAD_BY_KEY[k] for k in settings["workloads"]]
    docs = REPO / "docs" if write_docs else outdir
    png = docs / "performance.png"
    report["chart"] = write_chart(report.get("throughput", {}).get("summary", {}),
                                  report.get("callgrind"), workloads, settings["conns"],
                                  outdir, png)
    write_markdown(report, docs / "performance.md", png.name)
    return docs / "performance.md", png


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.from_json:
        source = Path(args.from_json)
        md, png = write_report(json.loads(source.read_text()), source.parent, args.write_docs)
        log(f"written: {md}, {png}")
        return 0
    workloads = [WORKLOAD_BY_KEY[k] for k in args.workloads]
    cg_workloads = [WORKLOAD_BY_KEY[k] for k in args.callgrind_workloads]
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + ("-quick" if args.quick else "")
    outdir = jh._make_dir(BENCH / "results" / stamp)
    workdir = Path(tempfile.mkdtemp(prefix="jk-bench-"))
    workdir.chmod(0o755)   # httpd's children (www-data) traverse it
    t_start = time.monotonic()
    log(f"results: {outdir}; servers under {workdir}; estimated "
        f"{estimate_minutes(args, workloads):.0f} minutes")
    busy = busy_processes()
    if busy:
        log("warning: the machine is not idle: " + ", ".join(
            f"{comm} (pid {pid}, {share}%)" for pid, share, comm in busy))
    report = {"started": datetime.datetime.now(datetime.timezone.utc).strftime(
                  "%Y-%m-%d %H:%M UTC"),
              "mode": "quick" if args.quick else "full",
              "command": " ".join(["bench/bench.py", *(sys.argv[1:] if argv is None else argv)]),
              "settings": {k: v for k, v in vars(args).items()},
              "machine": machine_facts(),
              "loadavg_start": Path("/proc/loadavg").read_text().split()[:3],
              "busy_at_start": ", ".join(f"{comm} {share}%" for _, share, comm in busy)}
    stack = None
    try:
        if not args.no_build:
            build_module()
        if not jh.module_path().is_file():
            raise jh.HarnessError(f"no module at {jh.module_path()}: build it or set JK_MODULE")
        zero_exe = build_zero_backend(workdir)
        debian_so, debian_version = fetch_debian_mod_jk(workdir)
        report["versions"] = version_facts(debian_version)
        stack = Stack(workdir, args, debian_so, zero_exe)
        stack.start()
        stack.sanity_check(workloads + [w for w in cg_workloads if w not in workloads])
        log("sanity check passed: every route answers 200 with the expected bytes")
        if not args.no_throughput:
            results = throughput_phase(stack, args, workloads, outdir)
            report["throughput"] = {"runs": results,
                                    "summary": summarize(results, workloads, args.conns)}
        if not args.no_syscalls:
            if shutil.which("strace"):
                report["syscalls"] = syscall_phase(stack, args, workloads, outdir)
            else:
                log("syscalls: strace is not installed (apt-get install strace); skipped")
        if not args.no_memory:
            report["memory"] = memory_phase(stack, args, outdir)
        if not args.no_callgrind:
            report["callgrind"] = callgrind_phase(stack, args, cg_workloads, outdir)
    finally:
        if stack:
            for h in (stack.main, stack.modjk):
                for name in ("error_log", "mod_jk.log"):
                    if (h.log_dir / name).exists():
                        shutil.copy(h.log_dir / name,
                                    outdir / f"{h.root.name}-{name.replace('_', '-')}")
            stack.stop()
        report["elapsed_min"] = (time.monotonic() - t_start) / 60
        report["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
        (outdir / "results.json").write_text(json.dumps(report, indent=1, default=str))
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    md, png = write_report(report, outdir, args.write_docs)
    (outdir / "results.json").write_text(json.dumps(report, indent=1, default=str))
    log(f"done in {report['elapsed_min']:.1f} minutes: {md}, {png}, {outdir / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
