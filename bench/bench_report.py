"""The benchmark's page (docs/performance.md) and chart (gnuplot) from a run's results."""

import re
import shutil
from pathlib import Path

from bench_common import (CONNECTORS, REPO, ROUTE_TITLES, ROUTES, WORKLOAD_BY_KEY, cell_key,
                          log, routes_of, run)

# ---------------------------------------------------------------------------
# Report: markdown and chart
# ---------------------------------------------------------------------------

def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}"


def fmt_k(x):
    return "—" if x is None else f"{x / 1000:.1f}k"


def measured_cells(summary, workloads, conns_list):
    """(workload, conns, summary entry) of every cell the run measured, in table order."""
    return [(w, c, summary[f"{w.key}@{c}"]) for w in workloads for c in conns_list
            if f"{w.key}@{c}" in summary]


def throughput_tables(summary, workloads, conns_list):
    lines = ["| workload | conns | ours/mod_jk | ours/mod_proxy_ajp | ours/static | "
             "p99 ours/mod_jk | p99 ours/mod_proxy_ajp |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    cells = measured_cells(summary, workloads, conns_list)
    for w, conns, s in cells:
        r = s["ratios"]
        lines.append(f"| {w.title} | {conns} | {fmt_ratio(r.get('rps_ours/mod_jk'))} | "
                     f"{fmt_ratio(r.get('rps_ours/proxy_ajp'))} | "
                     f"{fmt_ratio(r.get('rps_ours/static'))} | "
                     f"{fmt_ratio(r.get('p99_ours/mod_jk'))} | "
                     f"{fmt_ratio(r.get('p99_ours/proxy_ajp'))} |")
    absolute = ["| workload | conns | route | req/s (median) | range over rounds | p50 ms | "
                "p99 ms | errors |", "|---|---:|---|---:|---:|---:|---:|---:|"]
    for w, conns, s in cells:
        for route, f in s.get("routes", {}).items():
            absolute.append(f"| {w.title} | {conns} | {ROUTE_TITLES[route]} | "
                            f"{f['rps']:.0f} | {f['rps_min']:.0f}-{f['rps_max']:.0f} | "
                            f"{f['p50_ms']:.2f} | {f['p99_ms']:.2f} | {f['errors']} |")
    return "\n".join(lines), "\n".join(absolute)


def cpu_table(summary, workloads, conns_list):
    """CPU microseconds per request of httpd and of the backend, per route, or None."""
    head = ["| workload | conns |"] + [f" {ROUTE_TITLES[r]}: httpd | backend |" for r in ROUTES]
    lines = ["".join(head), "|---|---:|" + "---:|---:|" * len(ROUTES)]
    found = False
    for w, conns, s in measured_cells(summary, workloads, conns_list):
        routes = s.get("routes", {})
        cells = []
        for route in ROUTES:
            cpu = (routes.get(route) or {}).get("cpu_us")
            if not cpu or route == "static":
                cells.append(f" {cpu['httpd']:.0f} | — |" if cpu else " — | — |")
                continue
            found = True
            cells.append(f" {cpu['httpd']:.0f} | {cpu[w.backend]:.0f} |")
        lines.append(f"| {w.title} | {conns} |" + "".join(cells))
    return "\n".join(lines) if found else None


def _ratio_target(rows, label, cells, key, goal, at_least):
    """One row of the targets table: how many cells meet `goal` for ratio `key`, and the worst."""
    vals = [(w, c, s["ratios"][key]) for w, c, s in cells if s["ratios"].get(key) is not None]
    if not vals:
        return
    met = [v for v in vals if (v[2] >= goal if at_least else v[2] <= goal)]
    w, c, worst = (min if at_least else max)(vals, key=lambda v: v[2])
    rows.append(f"| {label} | {len(met)} of {len(vals)} | {worst:.2f} ({w.title}, {c} conns) |")


def _cost_target(rows, cg, workloads):
    vals = []
    for w in workloads:
        row = cg["costs"].get(w.key) or {}
        ours, theirs = (row.get(r, {}).get("connector_cost") for r in ("ours", "mod_jk"))
        if ours is None:   # no static twin (POST): whole requests
            ours, theirs = (row.get(r, {}).get("per_request") for r in ("ours", "mod_jk"))
        if ours is not None and theirs:
            vals.append((w, ours / theirs))
    if vals:
        w, worst = max(vals, key=lambda v: v[1])
        rows.append(f"| instructions per request ≤ 0.75 × mod_jk's (callgrind) | "
                    f"{sum(1 for _, r in vals if r <= 0.75)} of {len(vals)} | "
                    f"{worst:.2f} ({w.title}) |")


def _memory_target(rows, mem):
    half, after = mem["half"]["children"], mem["after"]["children"]
    both = [pid for pid in mem["same_children"] if pid in half and pid in after]
    if not both:
        return
    rss = {pid: after[pid]["rss_kb"] - half[pid]["rss_kb"] for pid in both}
    fds = {pid: after[pid]["fds"] - half[pid]["fds"] for pid in both}
    flat = [pid for pid in both if rss[pid] <= half[pid]["rss_kb"] / 100 and fds[pid] <= 0]
    rows.append(f"| flat memory and fds over {mem['requests']} requests (second half: RSS within "
                f"1%, no new fd) | {len(flat)} of {len(both)} children | RSS "
                f"{max(rss.values()):+d} kB, fds {max(fds.values()):+d} |")


def targets_section(report, workloads, conns_list):
    """The issue's targets against this run's figures, computed, never written by hand."""
    rows = ["| target | met in | worst cell |", "|---|---:|---|"]
    summary = (report.get("throughput") or {}).get("summary", {})
    cells = measured_cells(summary, workloads, conns_list)
    _ratio_target(rows, "req/s ≥ 1.15 × mod_jk", cells, "rps_ours/mod_jk", 1.15, True)
    _ratio_target(rows, "req/s ≥ 1.10 × mod_proxy_ajp", cells, "rps_ours/proxy_ajp", 1.10, True)
    _ratio_target(rows, "p99 no worse than mod_jk's", cells, "p99_ours/mod_jk", 1.0, False)
    _ratio_target(rows, "p99 no worse than mod_proxy_ajp's", cells, "p99_ours/proxy_ajp", 1.0,
                  False)
    _ratio_target(rows, "zero-cost backend: req/s ≥ 0.90 × static file",
                  [x for x in cells if x[0].backend == "zero"], "rps_ours/static", 0.90, True)
    if report.get("callgrind"):
        _cost_target(rows, report["callgrind"], workloads)
    if report.get("memory"):
        _memory_target(rows, report["memory"])
    return "\n".join(rows) if len(rows) > 2 else None


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
             "load as \"Length\" failures; a static file gets them too). httpd runs this "
             "phase with the tests' event MPM settings (two children of 32 threads), so the "
             "warm-up's 64 connections use every thread and fill every pool.", "",
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
    for w, conns, s in measured_cells(summary, workloads, conns_list):
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
set key top left
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
    if not shutil.which("gnuplot"):
        return False
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
    v = {k: re.sub(r"^Server version: |\s*Copyright.*$|\s*\[epoll\]", "", x)
         for k, x in report["versions"].items()}
    m = report["machine"]
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
        "- **Back end**: " + ("two Tomcats behind lb workers / mod_proxy_balancer" if args["lb"]
                              else "one Tomcat, worker `worker1` (ajp13)") +
        "; and `bench/zero_ajp.c`, an AJP backend that answers from memory at once",
        f"- **Load**: `wrk -t{args['threads']} -d{args['duration']}s --latency`, connections "
        f"{', '.join(map(str, conns_list))}; {args['rounds']} interleaved round(s) "
        f"(every route of a workload in turn, order rotated each round), medians; "
        f"{args['warmup']} s warm-up per route first; httpd: event MPM, 4 children x 32 "
        "threads (128), started at once and never retired",
        f"- **Machine load at start**: load average {' '.join(report['loadavg_start'])}"
        + (f"; other busy processes: {report['busy_at_start']}" if report['busy_at_start']
           else "; no other busy process"),
        "",
    ]
    targets = targets_section(report, workloads, conns_list)
    if targets:
        out += ["## Targets", "",
                "The issue's targets, checked against this run's figures (computed by "
                "`bench_report.py`; the sections below hold the figures).", "", targets, ""]
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
        cpu = cpu_table(report["throughput"]["summary"], workloads, conns_list)
        if cpu:
            out += ["### CPU time per request", "",
                    "Microseconds of CPU (user + system, from /proc) that httpd (all its "
                    "processes) and the backend (the Tomcats, or the zero-cost backend) spent per "
                    "request during each route's wrk runs, medians over rounds. On two CPUs "
                    "shared by all parties, a connector can only raise req/s by leaving more CPU "
                    "to the others: where the backend's share dominates, httpd's cannot move "
                    "the total much.", "", cpu, ""]
        out += ["<details><summary>This run's absolute figures (for this machine and this "
                "run only; errors = non-2xx answers + wrk's socket errors)</summary>", "",
                absolute, "", "</details>", ""]
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
    out += ["## Reading these figures", "",
            "- wrk, both httpds, Tomcat and the zero-cost backend share two CPUs, and other "
            "work on the machine shows in the load average above. Throughput and latency "
            "ratios therefore carry noise of the order of 10-20% (see the range over rounds); "
            "the callgrind and system-call figures do not depend on timing.",
            "- The zero-cost backend answers at once from memory, so its rows show what httpd "
            "and the connector cost; the Tomcat rows show what a user sees, Tomcat's own CPU "
            "time included.",
            "- A connector's cost above the static file can be small: serving a file has its "
            "own work (looking the file up, opening and mapping it, its ETag), which a "
            "connector does not do, and the connector's own work replaces it.",
            "- Where Tomcat does the work (the JSP rows), every connector's httpd spends "
            "about the same CPU per request (see *CPU time per request*): most of it is the "
            "kernel's (sockets, wake-ups, scheduling), and the connector's own code is a few "
            "microseconds of it (see the callgrind section: this module's cost above a static "
            "file is a few thousand instructions, about 1 µs). Tomcat's CPU time then decides "
            "req/s, and no connector can be much faster than another; such ratios show noise.",
            "- Against the zero-cost backend the static file is out of reach by construction: "
            "a proxied request costs httpd a round trip to the backend (a send, a wait and a "
            "read on a second socket) and costs the backend its own CPU on the same two CPUs, "
            "where the static file costs one open and one mapped write.",
            "- Errors: with the tests' event MPM settings (two children, 64 threads) wrk "
            "counted read errors at 64 connections for every route, the static file "
            "included: with no idle worker the event MPM closes idle keep-alive connections "
            "(\"All workers are busy or dying, will shutdown N keep-alive connections\" at "
            "LogLevel mpm_event:trace1), and a request wrk had just sent on one fails. Both "
            "httpds here have four children of 32 threads from the start and never retire "
            "one (`BENCH_EVENT_SETTINGS` in bench_servers.py), so an error counted in the "
            "tables above belongs to its route.", ""]
    out += ["## How to run it", "",
            "```",
            "bench/run.sh                 # full run: all workloads, 3 rounds, callgrind, 1M "
            "requests memory check",
            "bench/run.sh --quick         # smoke run: -d3s, 1 round, 50k requests memory check",
            "bench/run.sh --help          # every option (duration, rounds, conns, workloads, "
            "--no-lb, phases)",
            "```", "",
            "Needs the Debian packages apache2, apache2-dev, apache2-utils (ab), tomcat10, wrk, "
            "gcc, valgrind, strace and gnuplot-nox (the last three for the callgrind phase, "
            "the system-call counts and the chart). Debian's mod_jk is fetched with "
            "`apt-get download libapache2-mod-jk` and unpacked with `dpkg-deb -x` into the run's directory; it is "
            "never installed. It runs in a second private httpd (same event MPM settings, "
            "another port), because it also calls itself `jk_module`. Every server listens on "
            "127.0.0.1 and is stopped by its PID. The access log is off in both httpds. Raw "
            "results (JSON, every wrk output, callgrind dumps and annotations) go to "
            "`bench/results/<stamp>/`.", "",
            "Routes: this module `JkMount /jk/* lb` (`worker1` with --no-lb) and `/jkz/* zero` "
            "in httpd *main*; mod_proxy_ajp `ProxyPass /ajp/ balancer://tomcats/jk/ "
            "stickysession=JSESSIONID|jsessionid` (members with `route=worker1`, `worker2`; "
            "`ajp://tomcat/jk/` with --no-lb) and `/ajpz/` in the same httpd; static files "
            "under `/static/` there; Debian's mod_jk with the same workers.properties and Jk "
            "directives in httpd *mod_jk*. Each Tomcat (jvmRoute `worker1`, `worker2`) serves "
            "the benchmark webapp `bench/webapp/` as context `/jk` (small.jsp, sink.jsp, "
            "route.jsp, and 1 KiB / 100 KiB static files). The sticky-session mix sends, in "
            "turn on every connection, a request with a session cookie for `worker1`, one for "
            "`worker2` and one without a cookie; before it is measured, the run checks that "
            "every connector sends each cookie to its Tomcat (route.jsp says which answered).",
            ""]
    path.write_text("\n".join(out))


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
