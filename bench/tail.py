#!/usr/bin/python3
"""Where the slowest requests spend their time: wrk's view, httpd's, Tomcat's.

bench/bench.py reports p99 as wrk sees it. That figure holds everything between wrk's
socket and Tomcat's servlet: the kernel's queues, httpd's listener and worker threads,
the connector, the AJP connection, Tomcat's own threads and garbage collector, and the
CPU all of them share with wrk. This script splits it. It runs the same servers as
bench.py (two Tomcats behind an lb, the zero-cost backend, this module and mod_proxy_ajp
in one httpd, Debian's mod_jk in another), with access logs that time each request:

- httpd's `%D`: from the moment httpd read the request line to the end of the response,
  the connector and the backend included (not the wait for a worker thread before it);
- Tomcat's `%D` (AccessLogValve, microseconds): the request inside Tomcat, from the AJP
  request parsed to the response finished (not the wait for a Tomcat thread before it).

For each route it runs wrk in interleaved rounds and prints, per (workload, route), wrk's
p99 (median over rounds) next to the p50/p99/p99.9/max of every request httpd and Tomcat
logged in all rounds together. Where httpd's p99 is near Tomcat's, the tail is Tomcat's;
where wrk's is far above httpd's, requests waited before httpd started on them.

    /usr/bin/python3 bench/tail.py [--rounds 5] [--duration 6] [--conns 64]
        [--workloads jsp,tc1k,z1k] [--routes ours,mod_jk,proxy_ajp,static] [--docs]

It uses the module already built (scripts/build.sh) and writes bench/results/<stamp>-tail/
(and docs/tail.md with --docs).
"""

import argparse
import datetime
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import request_script, wrk
from bench_common import BENCH, CONTEXT, REPO, ROUTE_TITLES, ROUTES, WORKLOAD_BY_KEY, cell_key, log, routes_of
from bench_servers import Stack, build_zero_backend, fetch_debian_mod_jk
import jkharness as jh


class LogCursor:
    """The lines a log file gained since the last call."""

    def __init__(self, path):
        self.path = Path(path)
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def new_lines(self):
        if not self.path.exists():
            return []
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n") + 1       # a line still being written waits for next time
        self.offset += end
        return data[:end].decode(errors="replace").splitlines()


PARTS = ("to_send", "to_first_byte", "reply")   # this module's JK_TIME_* notes


def parts_us(lines, path_prefix):
    """This module's JK_TIME_* notes (fields 2-4) of the lines for the path, by part."""
    out = {k: [] for k in PARTS}
    for line in lines:
        fields = line.split()
        if len(fields) >= 5 and path_prefix in line and all(f.isdigit() for f in fields[1:4]):
            for k, f in zip(PARTS, fields[1:4]):
                out[k].append(int(f))
    return out


def durations_us(lines, path_prefix):
    """The last field (%D, microseconds) of each line whose request path starts so."""
    out = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and path_prefix in line and fields[-1].isdigit():
            out.append(int(fields[-1]))
    return out


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values))) - 1))
    return sorted_values[i]


def summary_ms(values):
    v = sorted(values)
    pick = {"n": len(v)}
    for name, q in (("p50", 0.50), ("p99", 0.99), ("p999", 0.999)):
        x = percentile(v, q)
        pick[name] = None if x is None else round(x / 1000, 2)
    pick["max"] = round(v[-1] / 1000, 2) if v else None
    return pick


def median(values):
    v = sorted(x for x in values if x is not None)
    return v[len(v) // 2] if v else None


def run_rounds(stack, args, workloads, routes):
    """wrk on each (workload, route) per round, order rotated; the logs' new lines kept."""
    scripts = {w.key: request_script(stack.workdir, w) for w in workloads}
    httpd_logs = {h: LogCursor(h.log_dir / "access_log") for h in (stack.main, stack.modjk)}
    tomcat_logs = [LogCursor(t.base / "logs" / "access.txt") for t in stack.tomcats]
    cells = {}
    for rnd in range(args.rounds):
        shift = rnd % len(routes)
        order = routes[shift:] + routes[:shift]
        done = set()                 # the static file twice (1 KiB serves tc1k and z1k): once
        for w in workloads:
            for route in order:
                if route not in routes_of(w) or cell_key(route, w) in done:
                    continue
                done.add(cell_key(route, w))
                for cur in list(httpd_logs.values()) + tomcat_logs:
                    cur.new_lines()                      # skip what came before
                figures, out = wrk(stack.url(route, w), args.conns, args.duration,
                                   args.threads, scripts.get(w.key))
                time.sleep(0.3)                          # the last lines reach the logs
                cell = cells.setdefault(cell_key(route, w), {
                    "workload": w.key, "route": route, "wrk_p99": [], "wrk_rps": [],
                    "errors": [], "httpd_us": [], "tomcat_us": []})
                cell["wrk_p99"].append(figures["p99_ms"])
                cell["wrk_rps"].append(figures["rps"])
                cell["errors"].append(figures["non_2xx"] + figures["socket_errors"])
                cell.setdefault("error_lines", []).extend(
                    line.strip() for line in out.splitlines()
                    if ("Socket errors" in line or "Non-2xx" in line))
                path = stack.path(route, w)
                lines = httpd_logs[stack.httpd_of(route)].new_lines()
                cell["httpd_us"] += durations_us(lines, path)
                for k, v in parts_us(lines, path).items():
                    cell.setdefault(k, []).extend(v)
                if w.backend == "tomcat" and route != "static":
                    for cur in tomcat_logs:     # every connector asks Tomcat for /jk/<path>
                        cell["tomcat_us"] += durations_us(cur.new_lines(), f"/{CONTEXT}/{w.path}")
                log(f"round {rnd + 1} {route:9} {w.key:7} {figures['rps'] or 0:8.0f} req/s  "
                    f"wrk p99 {figures['p99_ms']} ms")
    return cells


def report(cells):
    rows = []
    for key, c in cells.items():
        rows.append({"workload": c["workload"], "route": c["route"],
                     "wrk_rps_median": median(c["wrk_rps"]),
                     "wrk_p99_median": median(c["wrk_p99"]),
                     "wrk_p99_rounds": c["wrk_p99"], "errors": c["errors"],
                     "error_lines": c.get("error_lines", []),
                     "httpd": summary_ms(c["httpd_us"]),
                     "tomcat": summary_ms(c["tomcat_us"]) if c["tomcat_us"] else None,
                     "parts": {k: summary_ms(c[k]) for k in PARTS if c.get(k)}})
    return rows


def table_lines(rows):
    out = ["| workload | route | req/s | wrk p99 (rounds) | httpd p50 / p99 / p99.9 / max "
           "| Tomcat p50 / p99 / p99.9 / max | errors |", "|---|---|---:|---|---|---|---:|"]
    for r in rows:
        h, t = r["httpd"], r["tomcat"]
        tomcat = f"{t['p50']} / {t['p99']} / {t['p999']} / {t['max']}" if t else "—"
        out.append(f"| {r['workload']} | {ROUTE_TITLES[r['route']]} | "
                   f"{r['wrk_rps_median']:.0f} | {r['wrk_p99_median']} "
                   f"({', '.join(str(x) for x in r['wrk_p99_rounds'])}) | "
                   f"{h['p50']} / {h['p99']} / {h['p999']} / {h['max']} | {tomcat} | "
                   f"{sum(r['errors'])} |")
    parts = [r for r in rows if r.get("parts")]
    if parts:
        out += ["", "This module's own split of httpd's time (JK_TIME_* notes, every request "
                "of all rounds): p50 / p99 / p99.9 / max.", "",
                "| workload | to send | to first byte | reply |", "|---|---|---|---|"]
        for r in parts:
            cols = [r["parts"].get(k) for k in PARTS]
            out.append(f"| {r['workload']} | " + " | ".join(
                f"{c['p50']} / {c['p99']} / {c['p999']} / {c['max']}" if c else "—"
                for c in cols) + " |")
    return out


DOC_INTRO = """# Where the slowest requests spend their time

Generated by `bench/tail.py` (see its opening comment); do not edit by hand.

wrk's p99 holds everything between its socket and the servlet. Each route here runs
with access logs that time every request twice: httpd's `%D` (from the request line read
to the response sent: the connector and the backend, not the wait for a worker thread
before it) and Tomcat's `%D` (the request inside Tomcat, not the wait for a Tomcat thread
or for the CPU before it). Percentiles of httpd's and Tomcat's columns are over every
request of all rounds together; wrk's p99 is the median of the rounds (each round listed).

How to read it: where httpd's p99 is far above Tomcat's for every connector alike, the
slow requests waited between the two (the AJP hop: the CPU shared by httpd's threads,
Tomcat's threads, its garbage collector and wrk), not in one connector; where wrk's p99 is
far above httpd's, requests waited before httpd started on them (the kernel's queue, a
busy listener, wrk's own threads). The static file shows what httpd alone gives under
the same load. This module also splits its own part (JK_TIME_* notes): the time to send
the request (worker chosen, connection taken), to Tomcat's first reply bytes, and to the
end of the reply.
"""


def write_doc(path, args, rows, started, loadavg):
    lines = [DOC_INTRO, f"- **Run**: {started}, `bench/tail.py --rounds {args.rounds} "
             f"--duration {args.duration} --conns {args.conns} "
             f"--workloads {','.join(args.workloads)}`",
             f"- **Machine load**: load average {' '.join(loadavg)} at the end of the run",
             "- **Servers**: as bench/bench.py: two Tomcats behind an lb (mod_proxy_balancer "
             "for mod_proxy_ajp), the zero-cost backend, httpd's event MPM with 128 threads",
             "", "Milliseconds.", ""]
    lines += table_lines(rows)
    errors = [(r, line) for r in rows for line in r["error_lines"]]
    lines += ["", "Errors (wrk's own lines, per run that had any):", ""]
    lines += [f"- {r['workload']} {r['route']}: {line}" for r, line in errors] or ["- none"]
    Path(path).write_text("\n".join(lines) + "\n")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--duration", type=int, default=6)
    p.add_argument("--conns", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workloads", default="jsp,tc1k,z1k")
    p.add_argument("--routes", default=",".join(ROUTES))
    p.add_argument("--lb", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--docs", action="store_true", help="also write docs/tail.md")
    p.add_argument("--keep", action="store_true", help="keep the servers' work directory "
                   "(their logs) and print where it is")
    args = p.parse_args(argv)
    args.workloads = args.workloads.split(",")
    args.routes = args.routes.split(",")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workloads = [WORKLOAD_BY_KEY[k] for k in args.workloads]
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + "-tail"
    outdir = jh._make_dir(BENCH / "results" / stamp)
    workdir = Path(tempfile.mkdtemp(prefix="jk-tail-"))
    workdir.chmod(0o755)
    stack = None
    try:
        zero_exe = build_zero_backend(workdir)
        debian_so, _ = fetch_debian_mod_jk(workdir)
        stack = Stack(workdir, args, debian_so, zero_exe, timing=True)
        stack.start()
        for w in workloads:                              # warm every route once
            for route in args.routes:
                if route in routes_of(w):
                    wrk(stack.url(route, w), args.conns, 2, args.threads,
                        request_script(workdir, w))
        rows = report(run_rounds(stack, args, workloads, args.routes))
    finally:
        if stack:
            stack.stop()
        if args.keep:
            log(f"servers' directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    loadavg = Path("/proc/loadavg").read_text().split()[:3]
    (outdir / "tail.json").write_text(json.dumps(
        {"started": started, "settings": vars(args), "loadavg_end": loadavg, "rows": rows},
        indent=1))
    print("\n".join(table_lines(rows)))
    if args.docs:
        write_doc(REPO / "docs" / "tail.md", args, rows, started, loadavg)
        log(f"written: {REPO / 'docs' / 'tail.md'}")
    log(f"written: {outdir / 'tail.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
