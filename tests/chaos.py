#!/usr/bin/python3
"""Chaos under load: an lb over two real Tomcats, wrk hammering it, and one fault after
another while the load goes on.

    /usr/bin/python3 tests/chaos.py [--seconds 60] [--connections 64] [--mpm event|prefork]

Set-up (everything private, on loopback, stopped by PID at the end, also on Ctrl-C):
  worker1  Tomcat 10 on 127.0.0.2      worker2  Tomcat 10 on 127.0.0.3
  httpd    127.0.0.1:<free port>, this repository's mod_jk.so, lb over worker1/worker2
           (no stickiness; wrk sends no cookie), a read-only status worker at /jkstatus;
           event MPM with 2-8 children of 64 threads (--harness-mpm: jkharness's 2-4 x 32),
           prefork with jkharness's settings.
  wrk      -t2 -c<connections> --latency -s tests/chaos.lua against /hello.jsp (--path); the Lua
           script records every request and response status in 100 ms slots.

Each fault gets a wrk run of its own (wrk counts socket errors only in total, so this is
how a socket error is tied to its fault), made of phases (durations scale with --seconds;
see docs/chaos.md):
  kill       before (both serve), kill (worker1 gets SIGKILL), restart (worker1 is started
             again; lasts until it serves again)
  freeze     before, freeze (worker2 gets SIGSTOP), thaw (SIGCONT; until worker2 serves)
  blackhole  before, blackhole (nftables, or iptables, drops every packet to and from
             worker2's AJP port), unblock (rule removed; until worker2 serves)
  graceful   before, graceful (httpd gets SIGUSR1), after
  control    the same graceful restart under the same load on /static.html, which httpd
             serves itself: what httpd does to keep-alive connections without the module

What it prints: per phase, responses and failures seen by the client (by status), what
httpd logged (which member served, slowest request, connections closed) and what
mod_jk.log said (errors; failures on a member and whether the lb sent the request on to
the other member); per run, wrk's totals and socket errors; httpd child crashes from
error_log; open fds and RSS of httpd's children before and after.

Exit status: 0 when no httpd child crashed, every phase ran, and the failed requests
(non-200 responses plus wrk's socket errors) are within --tolerance (default 0: with one
Tomcat alive at every moment, a GET must never fail); 1 otherwise; 2 when the set-up
itself failed (no wrk, no module, a Tomcat that does not start); 130 when interrupted.
Not counted (see docs/chaos.md and counted_socket_errors()): read errors on keep-alive
connections httpd itself closed without reading the request wrk had sent on them (its
logs say so), and the control run.
"""

import argparse
import bisect
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "integration"))

import jkharness as jk  # noqa: E402  (needs the path above)

LUA_SCRIPT = HERE / "chaos.lua"
HOST1, HOST2 = "127.0.0.2", "127.0.0.3"
# The control run's page: httpd serves it itself (jkharness writes it into the docroot).
CONTROL_PATH = "/static.html"
# Responses a member must have served (200) before it counts as back in rotation.
REJOIN_RESPONSES = 20
CRASH = re.compile(r"exit signal|Segmentation fault|AH00052|core dumped|AddressSanitizer")

HTTPD_CONF = """\
LoadModule jk_module @MODULE_PATH@
JkWorkersFile @CONF_DIR@/workers.properties
JkLogFile @LOG_DIR@/mod_jk.log
JkLogLevel @JK_LOG_LEVEL@
JkLogStampFormat "[%Y-%m-%d %H:%M:%S.%Q] "
JkMount /*.jsp lb
JkMount /jkstatus jkstatus
# This httpd listens on 127.0.0.1 only, and the status worker is read-only.
<Location "/jkstatus">
    Require all granted
</Location>
# When each request ended (ms since the epoch), status, microseconds taken, the lb
# member that served it, the child, connection status and path: read back per phase.
LogFormat "%{end:msec}t %>s %D %{JK_WORKER_ROUTE}n %P %X %U" chaos
CustomLog "@LOG_DIR@/chaos_log" chaos
"""


def workers_properties(args, t1, t2):
    """The lb under test: every key that decides how fast a failing member is left."""
    lines = [
        "worker.list=lb,jkstatus",
        "worker.jkstatus.type=status",
        "worker.jkstatus.read_only=true",
        "worker.lb.type=lb",
        "worker.lb.balance_workers=worker1,worker2",
        "worker.lb.sticky_session=false",
        # A member in error is probed again by a request after 5 s at the latest...
        "worker.lb.recover_time=5",
        # ...and CPinged in the background every second, so it rejoins within ~1 s.
        "worker.lb.health_check_interval=1",
        # At most a quarter of the requests may be resent to the other member.
        f"worker.lb.retry_budget={args.retry_budget}",
    ]
    for name, tomcat in (("worker1", t1), ("worker2", t2)):
        lines += [
            f"worker.{name}.type=ajp13",
            f"worker.{name}.host={tomcat.host}",
            f"worker.{name}.port={tomcat.ajp_port}",
            # A blackholed port answers no SYN: give up connecting after 1 s.
            f"worker.{name}.socket_connect_timeout=1000",
            # A frozen Tomcat: requests already sent wait this long, then fail over.
            f"worker.{name}.reply_timeout={args.reply_timeout}",
            # C: CPING a new connection (a Tomcat still starting accepts but does not
            # answer); P: CPING a pooled one before each request, so a frozen or
            # blackholed Tomcat costs ping_timeout, not reply_timeout, once it is noticed.
            f"worker.{name}.ping_mode={args.ping_mode}",
            f"worker.{name}.ping_timeout={args.ping_timeout}",
            # Below the AJP connector's connectionTimeout (set in server.xml below).
            f"worker.{name}.connection_pool_timeout=60",
        ]
    return "\n".join(lines) + "\n"


# The event MPM with room for every connection: jkharness's settings (2-4 children of 32
# threads) run out of idle workers when wrk's 64 connections meet threads waiting on a
# failing Tomcat, and the event MPM then closes keep-alive connections whose next request
# it has not read (see docs/chaos.md). Sized as a site would size it for this load, the
# check sees the module's failures, not that. --harness-mpm uses jkharness's settings.
EVENT_WITH_ROOM = """\
StartServers 2
ServerLimit 8
ThreadLimit 64
ThreadsPerChild 64
MinSpareThreads 64
MaxSpareThreads 512
MaxRequestWorkers 512
MaxConnectionsPerChild 0"""


class ChaosHttpd(jk.Httpd):
    """jkharness's Httpd, with other MPM settings when given."""

    def __init__(self, workdir, mpm_settings=None, **kwargs):
        super().__init__(workdir, **kwargs)
        self.mpm_settings = mpm_settings

    def base_config(self):
        text = super().base_config()
        if self.mpm_settings:
            text = text.replace(jk.MPM_SETTINGS[self.mpm], self.mpm_settings, 1)
        return text


# Tomcat's AJP connector: keep idle connections longer than connection_pool_timeout.
AJP_ATTRIBUTES = {"connectionTimeout": "120000"}


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def send(pid, sig):
    """A signal to a process we started, by its PID; one that is gone already is fine."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


class SetupError(RuntimeError):
    """Something the check needs is missing or did not start: exit status 2."""


def usage_of(pids):
    """{pid: (open fds, RSS in kB)} read from /proc, for processes that still exist."""
    usage = {}
    for pid in pids:
        try:
            fds = len(os.listdir(f"/proc/{pid}/fd"))
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        rss = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        usage[pid] = (fds, int(rss.group(1)) if rss else 0)
    return usage


def describe_usage(usage):
    fds = sum(f for f, _ in usage.values())
    rss = sum(r for _, r in usage.values())
    per = ", ".join(f"{pid}: {f} fds {r // 1024} MiB" for pid, (f, r) in sorted(usage.items()))
    return f"{len(usage)} children, {fds} fds, {rss / 1024:.1f} MiB RSS  ({per})"


class Blackhole:
    """Silently drop every packet to and from host:port (SYNs included), and undo it.

    nftables: a table of our own (inet jk_chaos_<pid>) with one output chain, so removing
    it removes exactly what was added; iptables is the fallback. On loopback both
    directions pass the output hook, so two rules there cut the connection completely.
    """

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.table = f"jk_chaos_{os.getpid()}"
        self.tool = None
        self.reason = None
        self.active = False

    def probe(self):
        """Find a tool that works here; else self.reason says why the phase is skipped."""
        reasons = []
        if shutil.which("nft"):
            ok, out = self._run(["nft", "add", "table", "inet", self.table])
            if ok:
                self._run(["nft", "delete", "table", "inet", self.table])
                self.tool = "nft"
                return True
            reasons.append(f"nft does not work here: {out.strip()}")
        else:
            reasons.append("nft is not installed (apt-get install nftables)")
        if shutil.which("iptables"):
            ok, out = self._run(["iptables", "-w", "-n", "-L", "OUTPUT"])
            if ok:
                self.tool = "iptables"
                return True
            reasons.append(f"iptables does not work here: {out.strip()}")
        else:
            reasons.append("iptables is not installed")
        self.reason = "; ".join(reasons)
        return False

    @staticmethod
    def _run(argv, stdin=None):
        try:
            result = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as e:
            return False, str(e)
        return result.returncode == 0, result.stdout

    def _iptables_rules(self):
        return [["-d", self.host, "-p", "tcp", "--dport", str(self.port), "-j", "DROP"],
                ["-s", self.host, "-p", "tcp", "--sport", str(self.port), "-j", "DROP"]]

    def on(self):
        if self.tool == "nft":
            ruleset = (f"table inet {self.table} {{\n"
                       "  chain output {\n"
                       "    type filter hook output priority 0; policy accept;\n"
                       f"    ip daddr {self.host} tcp dport {self.port} drop\n"
                       f"    ip saddr {self.host} tcp sport {self.port} drop\n"
                       "  }\n}\n")
            ok, out = self._run(["nft", "-f", "-"], stdin=ruleset)
        else:
            ok, out = True, ""
            for rule in self._iptables_rules():
                done, text = self._run(["iptables", "-w", "-I", "OUTPUT", "1"] + rule)
                ok, out = ok and done, out + text
        self.active = True  # even half-applied: off() removes whatever is there
        if not ok:
            raise RuntimeError(f"could not add the blackhole rule: {out.strip()}")

    def off(self):
        if not self.active:
            return
        if self.tool == "nft":
            self._run(["nft", "delete", "table", "inet", self.table])
        else:
            for rule in self._iptables_rules():
                while self._run(["iptables", "-w", "-D", "OUTPUT"] + rule)[0]:
                    pass
        self.active = False


class AccessLog:
    """httpd's chaos_log, read incrementally: (end s, status, µs, route, pid, conn, path)."""

    def __init__(self, path):
        self.path = Path(path)
        self.offset = 0
        self.entries = []

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1
        self.offset += end
        for line in data[:end].decode(errors="replace").splitlines():
            fields = line.split(" ", 6)
            if len(fields) != 7 or not fields[0].isdigit():
                continue
            self.entries.append((int(fields[0]) / 1000.0, int(fields[1]), int(fields[2]),
                                 fields[3], int(fields[4]), fields[5], fields[6]))

    def served(self, route, since):
        """How many 200 responses the member with this route sent since wall time `since`."""
        n = 0
        for entry in reversed(self.entries):
            if entry[0] < since:
                break
            if entry[3] == route and entry[1] == 200:
                n += 1
        return n


JK_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3})\] \[(\d+):\d+\] "
                     r"\[(\w+)\] (.*)$")


def jk_log_entries(text):
    """(wall time, level, message) of every mod_jk.log line."""
    entries = []
    for line in text.splitlines():
        match = JK_LINE.match(line)
        if match:
            stamp = time.mktime(time.strptime(match.group(1), "%Y-%m-%d %H:%M:%S"))
            entries.append((stamp + int(match.group(2)) / 1000.0, match.group(4),
                            match.group(5)))
    return entries


# How a request fails on a member (the ajp13 worker's line) and how the lb says it sent the
# request on to the other member; a failure without its failover line reached the client.
FAILURE_KINDS = (
    ("reply timeout", re.compile(r"^worker \S+: no reply from "), "backend reply timeout"),
    ("connection lost", re.compile(r"^worker \S+: connection to \S+ lost while waiting"),
     "backend connection lost"),
    ("bad reply", re.compile(r"^worker \S+: bad reply from "), "backend protocol error"),
    ("unavailable", re.compile(r"^worker \S+: \S+ unavailable after \d+ attempt"),
     "backend unavailable"),
    ("cut (member stalled)", re.compile(r"^worker \S+: \S+ stopped answering "),
     "backend stopped answering"),
    ("busy (late CPONG)", re.compile(r"^worker \S+: .* timed out \(\d+ ms\) while the member "
                                     r"answered other requests"),
     "backend busy (no free connection, or a late CPONG)"),
)
FAILOVER = re.compile(r"^lb \S+: \S+ \S+ failed on member \S+ \((.*)\); trying another member$")
NOT_SENT_ON = re.compile(r"^lb \S+: \S+ \S+ failed on member \S+ \(.*\); not sent to another "
                         r"member: (.*)$")


ERROR_LOG_MPM = re.compile(r"^\[\w{3} (\w{3} \d\d \d\d:\d\d:\d\d)\.(\d{6}) (\d{4})\] "
                           r"\[mpm_event:(?:debug|trace1)\] .*?: (All workers are busy or dying, "
                           r"will shutdown (\d+) keep-alive|All workers busy, not accepting|"
                           r"Too many open connections)")


def mpm_out_of_workers(text):
    """(wall time, n) for each time the event MPM says a child ran out of workers: n is the
    number of keep-alive connections it shut then ("All workers are busy or dying, will
    shutdown n keep-alive connections"), 0 when it only stopped accepting ("All workers
    busy" / "Too many open connections": then it also closes, without a log line, any
    keep-alive connection whose next request finds no idle worker)."""
    found = []
    for line in text.splitlines():
        match = ERROR_LOG_MPM.match(line)
        if match:
            stamp = time.mktime(time.strptime(f"{match.group(1)} {match.group(3)}",
                                              "%b %d %H:%M:%S %Y"))
            found.append((stamp + int(match.group(2)) / 1e6, int(match.group(5) or 0)))
    return found


def normalise(message):
    """A mod_jk.log message with its numbers and request paths blanked, to count kinds."""
    message = re.sub(r"\b(GET|HEAD|POST) /\S*", r"\1 <uri>", message)
    message = re.sub(r"127\.0\.0\.\d+:\d+", lambda m: m.group(0).rsplit(":", 1)[0] + ":<port>",
                     message)
    return re.sub(r"(?<![\w.])\d+(?![\w.])", "N", message)


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

class Phase:
    def __init__(self, segment, name, what):
        self.segment = segment
        self.name, self.what = name, what
        self.start = None   # wall clock
        self.notes = []
        # Filled in by the report.
        self.client = collections.Counter()     # status -> responses wrk got
        self.server = collections.Counter()     # member (or status) -> httpd's access log
        self.slowest = 0                        # µs, httpd's %D
        self.over_1s = 0
        self.closed = 0                         # connections httpd closed after the response
        self.ka_shut = 0                        # keep-alive connections the event MPM shut
        self.no_workers = 0                     # times a child said it had no idle worker
        self.failovers = 0
        self.member_failures = collections.Counter()
        self.failed_over = collections.Counter()
        self.not_sent_on = collections.Counter()  # why the lb kept a failure (mod_jk.log)
        self.jk_kinds = collections.Counter()


class Segment:
    """One wrk run: a lead-in with both Tomcats, one fault, the recovery.

    wrk reports socket errors only as totals (its Lua API has no hook for them), so each
    fault gets a wrk run of its own: that is how a socket error is tied to its fault.
    """

    def __init__(self, name, path, control=False):
        self.name, self.path, self.control = name, path, control
        self.phases = []
        self.start = self.end = None
        self.summary, self.latency = {}, {}
        self.sent = 0
        self.wrk_exit = None

    @property
    def socket_errors(self):
        return sum(self.summary.get(k, 0) for k in ("connect", "read", "write", "timeout"))

    @property
    def non_200(self):
        return sum(v for p in self.phases for s, v in p.client.items() if s != 200)

    @property
    def responses(self):
        return sum(sum(p.client.values()) for p in self.phases)


class Chaos:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.unit = args.seconds / 60.0
        self.t1 = jk.Tomcat(workdir / "tomcat1", host=HOST1, jvm_route="worker1",
                            ajp_attributes=AJP_ATTRIBUTES)
        self.t2 = jk.Tomcat(workdir / "tomcat2", host=HOST2, jvm_route="worker2",
                            ajp_attributes=AJP_ATTRIBUTES)
        self.httpd = None
        self.wrk = None
        self.blackhole = Blackhole(HOST2, self.t2.ajp_port)
        self.frozen = None
        self.segments = []
        self.events = []
        self.problems = []      # reasons for a non-zero exit besides failed requests
        self.skipped = []       # scenarios not run, with the reason (not failures)
        self.access = None
        self.t0 = None
        self.both_alive = True
        self.usage_before = self.usage_after = {}

    # -- output ----------------------------------------------------------------

    def say(self, text):
        stamp = f"[{time.time() - self.t0:6.1f} s] " if self.t0 else ""
        print(stamp + text, flush=True)

    def event(self, text):
        self.events.append((time.time(), text))
        self.say(text)

    # -- set-up and tear-down -----------------------------------------------------

    def set_up(self):
        if not shutil.which("wrk"):
            raise SetupError("wrk is not installed (apt-get install wrk)")
        if not jk.module_path().is_file():
            raise SetupError(f"no module at {jk.module_path()}: run bash scripts/build.sh")
        if "blackhole" in self.args.scenarios and not self.blackhole.probe():
            self.skipped.append(("blackhole", self.blackhole.reason))
            print(f"blackhole phase will be skipped: {self.blackhole.reason}", flush=True)
        print(f"starting {self.t1} and {self.t2}", flush=True)
        try:
            self.t1.start(wait=False)
            self.t2.start(wait=False)
            self.t1.wait_ready(120)
            self.t2.wait_ready(120)
        except jk.HarnessError as e:
            raise SetupError(str(e)) from e
        # mpm_event:trace1 says when a child of the event MPM runs out of idle workers and
        # which keep-alive connections it shuts then (see mpm_out_of_workers()).
        level = "notice mpm_event:trace1" if self.args.mpm == "event" else "notice"
        room = EVENT_WITH_ROOM if self.args.mpm == "event" and not self.args.harness_mpm \
            else None
        self.httpd = ChaosHttpd(self.workdir / "httpd", mpm_settings=room, mpm=self.args.mpm,
                                log_level=level)
        self.httpd.write_conf_file("workers.properties",
                                   workers_properties(self.args, self.t1, self.t2))
        self.httpd.add_config(HTTPD_CONF, JK_LOG_LEVEL=self.args.jk_log_level)
        try:
            self.httpd.start()
        except jk.HarnessError as e:
            raise SetupError(str(e)) from e
        self.access = AccessLog(self.httpd.log_dir / "chaos_log")
        print(f"started {self.httpd}", flush=True)

    def tear_down(self):
        """Undo every fault and stop everything we started, each step on its own."""
        steps = [self._thaw, self.blackhole.off, self._stop_wrk,
                 lambda: self.httpd and self.httpd.stop(), self.t1.stop, self.t2.stop]
        for step in steps:
            try:
                step()
            except Exception as e:  # keep tearing down: nothing may be left running
                print(f"tear-down step failed: {e!r}", file=sys.stderr)

    def _thaw(self):
        if self.frozen is not None:
            send(self.frozen, signal.SIGCONT)
            self.frozen = None

    def _stop_wrk(self):
        if self.wrk is None or self.wrk.poll() is not None:
            return
        self.wrk.send_signal(signal.SIGINT)   # wrk prints its summary and our Lua writes
        try:
            self.wrk.wait(20)
        except subprocess.TimeoutExpired:
            self.wrk.kill()
            self.wrk.wait(10)

    # -- load ---------------------------------------------------------------------

    def warm_up(self):
        """A short load before measuring: fills the pools, warms both JVMs."""
        seconds = max(2, round(3 * self.unit))
        subprocess.run(["wrk", "-t", str(self.args.threads), "-c", str(self.args.connections),
                        "-d", f"{seconds}s", self.httpd.url(self.args.path)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=seconds + 60, check=True)
        time.sleep(1)
        self.access.poll()
        routes = collections.Counter(e[3] for e in self.access.entries if e[1] == 200)
        # (A path httpd serves itself, e.g. --path /static.html, makes a control run.)
        if self.args.path.endswith(".jsp") and (routes["worker1"] == 0 or routes["worker2"] == 0):
            raise SetupError(f"warm-up did not reach both Tomcats: {dict(routes)}")

    def wrk_files(self, seg):
        return (self.workdir / f"wrk-{seg.name}-counts.txt",
                self.workdir / f"wrk-{seg.name}-stdout.txt")

    def start_load(self, seg):
        # wrk stops on our SIGINT when the segment is done; -d is only an upper bound.
        bound = int(self.args.seconds * 2 + self.args.rejoin_limit + 120)
        argv = ["wrk", "-t", str(self.args.threads), "-c", str(self.args.connections),
                "-d", f"{bound}s", "--latency", "--timeout", f"{self.args.wrk_timeout}s",
                "-s", str(LUA_SCRIPT), self.httpd.url(seg.path)]
        counts, stdout = self.wrk_files(seg)
        self.say(f"=== {seg.name}: " + " ".join(argv))
        env = dict(os.environ, JK_CHAOS_OUT=str(counts))
        with open(stdout, "wb") as out:
            self.wrk = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        seg.start = time.time()

    def stop_load(self, seg):
        self._stop_wrk()
        seg.end = time.time()
        seg.wrk_exit = self.wrk.returncode
        self.wrk = None

    def run_segment(self, name, body, path=None, control=False):
        seg = Segment(name, path or self.args.path, control)
        self.segments.append(seg)
        self.start_load(seg)
        try:
            body(seg)
        finally:
            self.stop_load(seg)
        self.say(f"{name}: load stopped")
        time.sleep(0.5)  # the requests cut off by wrk's stop are logged before the next run

    # -- phases -------------------------------------------------------------------

    def begin(self, seg, name, what):
        phase = Phase(seg, name, what)
        phase.start = time.time()
        seg.phases.append(phase)
        self.say(f"--- {seg.name}/{name}: {what}")
        return phase

    def check_alive(self):
        if self.wrk.poll() is not None:
            counts, stdout = self.wrk_files(self.segments[-1])
            raise RuntimeError(f"wrk exited early with {self.wrk.returncode}:\n"
                               + stdout.read_text(errors="replace"))
        if not self.httpd.running:
            raise RuntimeError(f"httpd exited with {self.httpd.proc.returncode}")

    def hold(self, phase, seconds):
        """Keep the load on until `seconds` after the phase began."""
        deadline = phase.start + seconds
        while time.time() < deadline:
            self.check_alive()
            time.sleep(min(0.2, max(0.0, deadline - time.time())))

    def wait_rejoin(self, phase, route, tomcat, since, least):
        """Hold until `route` served again (and `least` s passed), at most --rejoin-limit s."""
        most = self.args.rejoin_limit
        joined = False
        while True:
            self.check_alive()
            self.access.poll()
            now = time.time()
            if not tomcat.running:
                phase.notes.append(f"{route} exited with {tomcat.proc.returncode}")
                self.problems.append(f"{phase.name}: {route} exited")
                return False
            if not joined and self.access.served(route, since) >= REJOIN_RESPONSES:
                joined = True
                self.event(f"{route} serves again ({REJOIN_RESPONSES} responses), "
                           f"{now - since:.1f} s after it was let back")
            if joined and now - phase.start >= least:
                return True
            if now - phase.start >= most:
                phase.notes.append(f"{route} did not serve again within {most:.0f} s")
                self.problems.append(f"{phase.name}: {route} did not serve again within "
                                     f"{most:.0f} s")
                return False
            time.sleep(0.2)

    def fault_seconds(self, share):
        """A fault phase lasts its share of --seconds, but always longer than reply_timeout,
        so requests that were in flight on the faulty member do time out in it."""
        return max(share * self.unit, self.args.reply_timeout / 1000.0 + 2)

    def lead_in(self, seg, seconds):
        phase = self.begin(seg, "before", "both Tomcats serve")
        self.hold(phase, seconds)

    def kill_segment(self, seg):
        u = self.unit
        self.lead_in(seg, 4 * u)
        phase = self.begin(seg, "kill", "worker1 SIGKILLed: requests in flight on it must "
                                        "fail over, new ones go to worker2")
        pid = self.t1.proc.pid
        send(pid, signal.SIGKILL)
        self.event(f"SIGKILL worker1 (pid {pid})")
        self.hold(phase, 8 * u)
        self.t1.kill()  # reaps the process
        phase = self.begin(seg, "restart", "worker1 starting again; lasts until it serves")
        since = time.time()
        self.t1.start(wait=False)
        self.event(f"worker1 restarted (pid {self.t1.proc.pid})")
        self.both_alive = self.wait_rejoin(phase, "worker1", self.t1, since, 6 * u)

    def freeze_segment(self, seg):
        u = self.unit
        self.lead_in(seg, 2 * u)
        phase = self.begin(seg, "freeze", "worker2 SIGSTOPped: requests in flight wait "
                                          "reply_timeout, then fail over")
        self.frozen = self.t2.proc.pid
        send(self.frozen, signal.SIGSTOP)
        self.event(f"SIGSTOP worker2 (pid {self.frozen})")
        self.hold(phase, self.fault_seconds(9))
        self._thaw()
        phase = self.begin(seg, "thaw", "worker2 SIGCONTed; lasts until it serves")
        self.event("SIGCONT worker2")
        self.both_alive = self.wait_rejoin(phase, "worker2", self.t2, phase.start, 4 * u)

    def blackhole_segment(self, seg):
        u = self.unit
        self.lead_in(seg, 2 * u)
        phase = self.begin(seg, "blackhole", f"every packet to and from {HOST2}:"
                           f"{self.t2.ajp_port} (worker2's AJP port) dropped")
        self.blackhole.on()
        self.event(f"blackhole on ({self.blackhole.tool})")
        self.hold(phase, self.fault_seconds(9))
        self.blackhole.off()
        phase = self.begin(seg, "unblock", "packets flow again; lasts until worker2 serves")
        self.event("blackhole off")
        self.both_alive = self.wait_rejoin(phase, "worker2", self.t2, phase.start, 4 * u)

    def graceful_segment(self, seg):
        u = self.unit
        self.lead_in(seg, 2 * u)
        phase = self.begin(seg, "graceful", "httpd gets SIGUSR1 (graceful restart)")
        self.event(f"SIGUSR1 httpd (pid {self.httpd.proc.pid}), load on {seg.path}")
        self.httpd.graceful_restart(timeout=30)
        self.event("httpd resumed normal operations")
        self.hold(phase, 6 * u)
        phase = self.begin(seg, "after", "new children serve")
        self.hold(phase, 4 * u)

    def run_segments(self):
        scenarios = self.args.scenarios
        if "kill" in scenarios:
            self.run_segment("kill", self.kill_segment)
        for name, body in (("freeze", self.freeze_segment),
                           ("blackhole", self.blackhole_segment)):
            if name not in scenarios or (name == "blackhole" and not self.blackhole.tool):
                continue
            if not self.both_alive:
                self.skipped.append((name, "a Tomcat is not back: both would be down"))
                continue
            self.run_segment(name, body)
        if "graceful" in scenarios:
            self.run_segment("graceful", self.graceful_segment)
            if not self.args.no_control:
                # The same graceful restart and load on a page httpd serves itself: what
                # httpd does to keep-alive connections without this module in the way.
                self.run_segment("control", self.graceful_segment, path=CONTROL_PATH,
                                 control=True)

    def run(self):
        self.set_up()
        self.warm_up()
        time.sleep(1)
        self.usage_before = usage_of(self.httpd.child_pids())
        self.t0 = time.time()
        self.run_segments()
        time.sleep(1.5)
        self.usage_after = usage_of(self.httpd.child_pids())
        self.save_status_page()
        return self.report()

    def save_status_page(self):
        """The status worker's text view of the members' counters, kept with the logs."""
        import urllib.request
        try:
            with urllib.request.urlopen(self.httpd.url("/jkstatus?mime=txt"), timeout=10) as r:
                (self.workdir / "jkstatus.txt").write_bytes(r.read())
        except OSError as e:
            (self.workdir / "jkstatus.txt").write_text(f"not fetched: {e}\n")

    # -- the figures -------------------------------------------------------------

    def locate(self, t):
        """(segment, phase) that wall time t falls into, or (None, None) between runs."""
        for seg in self.segments:
            if seg.start <= t <= seg.end:
                starts = [p.start for p in seg.phases]
                return seg, seg.phases[max(0, bisect.bisect_right(starts, t) - 1)]
        return None, None

    def collect(self):
        for seg in self.segments:
            counts, _ = self.wrk_files(seg)
            text = counts.read_text() if counts.exists() else ""
            starts = [p.start for p in seg.phases]
            for line in text.splitlines():
                fields = line.split()
                if fields[0] == "summary":
                    seg.summary = {k: int(v) for k, v in (f.split("=") for f in fields[1:])}
                elif fields[0] == "latency_us":
                    seg.latency = {k: int(v) for k, v in (f.split("=") for f in fields[1:])}
                elif len(fields) == 3:
                    t = int(fields[0]) / 10.0 + 0.05
                    phase = seg.phases[max(0, bisect.bisect_right(starts, t) - 1)]
                    if fields[1] == "sent":
                        seg.sent += int(fields[2])
                    else:
                        phase.client[int(fields[1])] += int(fields[2])
            if not seg.summary:
                raise RuntimeError(f"wrk's Lua script wrote no summary for {seg.name}:\n"
                                   + self.wrk_files(seg)[1].read_text(errors="replace"))

        self.access.poll()
        bad = []
        for entry in self.access.entries:
            seg, phase = self.locate(entry[0])
            if seg is None or entry[6] != seg.path:
                continue
            key = entry[3] if entry[1] == 200 else f"status {entry[1]} ({entry[3]})"
            phase.server[key] += 1
            phase.slowest = max(phase.slowest, entry[2])
            phase.over_1s += entry[2] >= 1_000_000
            phase.closed += entry[5] == "-"
            if entry[1] != 200:
                bad.append((seg, phase, entry))

        for stamp, count in mpm_out_of_workers(self.httpd.error_log()):
            seg, phase = self.locate(stamp)
            if seg is not None:
                phase.ka_shut += count
                phase.no_workers += 1

        for stamp, level, message in jk_log_entries(self.httpd.jk_log()):
            seg, phase = self.locate(stamp)
            if seg is None:
                continue
            over = FAILOVER.match(message)
            if over:
                phase.failovers += 1
                phase.failed_over[over.group(1)] += 1
            kept = NOT_SENT_ON.match(message)
            if kept:
                phase.not_sent_on[kept.group(1)] += 1
            for kind, pattern, _ in FAILURE_KINDS:
                if pattern.match(message):
                    phase.member_failures[kind] += 1
            if level in ("error", "warn", "emerg", "crit"):
                phase.jk_kinds[f"[{level}] {normalise(message)}"] += 1
        return bad

    def counted_socket_errors(self, seg, line):
        """wrk's socket errors in one run that count against the module.

        connect and timeout errors always count. A read or write error is a connection
        that closed without (all of) a response. The module causes that when it cuts a
        response it had begun (a request that failed on a member after its response
        started, not sent on and not answered with an error status): those count. httpd
        causes it on its own, with no module involved, when
          - the event MPM shuts keep-alive connections because all workers of a child are
            busy or dying (it logs this at mpm_event:trace1), and closes, unlogged, a
            keep-alive connection whose next request finds no idle worker (it logs at
            debug that the child stopped accepting: all workers busy, too many open
            connections), or
          - an old child, at a graceful restart, closes a keep-alive connection after a
            response it had begun as keep-alive (access log %X '-').
        The request wrk had sent on such a connection was never read by httpd; a browser
        resends it (RFC 9112, 9.3.1), wrk counts an error. When httpd's log shows it did
        this in the run, the read/write errors beyond the module's own are not counted.
        """
        s = seg.summary
        dropped = s["read"] + s["write"]
        not_failed_over = sum(max(0, p.member_failures[k] - p.failed_over[r])
                              for p in seg.phases for k, _, r in FAILURE_KINDS)
        by_module = min(dropped, max(0, not_failed_over - seg.non_200))
        ka_shut = sum(p.ka_shut for p in seg.phases)
        no_workers = sum(p.no_workers for p in seg.phases)
        closes = sum(p.closed for p in seg.phases) if seg.name in ("graceful", "control") else 0
        counted = s["connect"] + s["timeout"]
        if dropped and (no_workers or closes):
            counted += by_module
            line(f"{seg.name}: {dropped - by_module} of {dropped} read/write errors not "
                 f"counted: httpd's children ran out of idle workers {no_workers} time(s) "
                 f"and shut {ka_shut} keep-alive connection(s) (error_log)"
                 + (f" and closed {closes} after a response at the graceful restart "
                    "(access log %X '-')" if closes else "")
                 + (f"; {by_module} counted: responses the module cut" if by_module else ""))
        else:
            counted += dropped
            if dropped:
                line(f"{seg.name}: {dropped} read/write errors counted: neither httpd's logs "
                     "nor the module's explain them")
        return counted

    def report(self):
        args = self.args
        bad = self.collect()
        crashes = [ln for ln in self.httpd.error_log().splitlines() if CRASH.search(ln)]
        out = []
        line = out.append
        line("")
        line(f"=== chaos under load: {args.mpm} MPM, wrk -t{args.threads} -c{args.connections}, "
             f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, module {jk.module_path()}")
        line("load average (1, 5, 15 min) at the end: "
             + ", ".join(f"{x:.1f}" for x in os.getloadavg())
             + f" on {os.cpu_count()} CPUs (other work on the machine slows every figure)")
        mpm = "jkharness's" if self.httpd.mpm_settings is None else "2-8 x 64 threads"
        line(f"httpd: {args.mpm} MPM, {mpm} settings; " + "; ".join(
            ln for ln in (self.httpd.mpm_settings or jk.MPM_SETTINGS[args.mpm]).splitlines()
            if ln.startswith(("ThreadsPerChild", "MaxRequestWorkers", "ServerLimit"))))
        line(f"lb: sticky_session=false recover_time=5 health_check_interval=1 "
             f"retry_budget={args.retry_budget}; members: ping_mode={args.ping_mode} "
             f"ping_timeout={args.ping_timeout} socket_connect_timeout=1000 "
             f"reply_timeout={args.reply_timeout} connection_pool_timeout=60; "
             f"wrk --timeout {args.wrk_timeout}s")
        line("")
        line(f"{'run/phase':<19} {'from':>5} {'secs':>5} {'responses':>9} {'non-200':>7} "
             f"{'slowest':>8} {'>=1s':>5} {'closed':>6} {'no-wrk':>6} {'failover':>8}  "
             "served by "
             "(httpd's access log)")
        for seg in self.segments:
            for i, p in enumerate(seg.phases):
                end = seg.phases[i + 1].start if i + 1 < len(seg.phases) else seg.end
                non_200 = sum(v for s, v in p.client.items() if s != 200)
                served = ", ".join(f"{k} {v}" for k, v in sorted(p.server.items()))
                line(f"{seg.name + '/' + p.name:<19} {p.start - self.t0:5.1f} "
                     f"{end - p.start:5.1f} {sum(p.client.values()):9d} {non_200:7d} "
                     f"{p.slowest / 1000:6.0f}ms {p.over_1s:5d} {p.closed:6d} "
                     f"{p.no_workers:6d} {p.failovers:8d}  {served}")
            s = seg.summary
            secs = max(s["duration_us"] / 1e6, 0.001)
            line(f"{'':<19} wrk: {s['requests']} responses ({s['requests'] / secs:.0f}/s), "
                 f"p99 {seg.latency.get('p99', 0) / 1000:.0f} ms, max "
                 f"{seg.latency.get('max', 0) / 1000:.0f} ms; socket errors: connect "
                 f"{s['connect']}, read {s['read']}, write {s['write']}, timeout {s['timeout']}")
        line("  non-200: responses wrk got in that phase (by completion time); slowest, >=1s: "
             "httpd's %D; closed: responses after which httpd closed the connection (%X "
             "'-'); no-wrk: times an httpd child ran out of idle workers (event MPM, "
             "error_log); failover: requests the lb sent on to the other member")

        not_failed_over = 0
        for seg in self.segments:
            for p in seg.phases:
                statuses = {s: v for s, v in p.client.items() if s != 200}
                parts, kept = [], 0
                for kind, _, reason in FAILURE_KINDS:
                    if p.member_failures[kind]:
                        parts.append(f"{kind} {p.member_failures[kind]} -> failed over "
                                     f"{p.failed_over[reason]}")
                        kept += max(0, p.member_failures[kind] - p.failed_over[reason])
                not_failed_over += kept
                if not (statuses or p.jk_kinds or p.notes or parts):
                    continue
                line(f"-- {seg.name}/{p.name}: {p.what}")
                if statuses:
                    line(f"   client got: {dict(sorted(statuses.items()))}")
                for note in p.notes:
                    line(f"   note: {note}")
                if parts:
                    line("   requests failing on a member: " + "; ".join(parts))
                if kept:
                    why = ", ".join(f"{n} x {reason}" for reason, n in p.not_sent_on.items())
                    line(f"   {kept} of them NOT sent to the other member: the lb handed the "
                         "error to the client ("
                         + (f"mod_jk.log: {why})" if why else "mod_jk.log does not say why)"))
                for kind, count in p.jk_kinds.most_common(8):
                    line(f"   mod_jk.log {count:5d} x {kind}")
                if len(p.jk_kinds) > 8:
                    line(f"   mod_jk.log ... and {len(p.jk_kinds) - 8} more kinds of line")
        for name, reason in self.skipped:
            line(f"-- {name}: SKIPPED: {reason}")
        line("")
        line("events:")
        for stamp, text in self.events:
            line(f"  {stamp - self.t0:6.1f} s  {text}")
        if bad:
            line("first non-200 responses in httpd's access log (time, status, ms, member, pid):")
            for seg, p, e in bad[:12]:
                line(f"  {e[0] - self.t0:6.1f} s  {seg.name}/{p.name}  {e[1]}  "
                     f"{e[2] / 1000:.0f} ms  {e[3]}  {e[4]}")

        # -- the verdict -------------------------------------------------------------
        module = [s for s in self.segments if not s.control]
        control = [s for s in self.segments if s.control]
        non_200 = sum(s.non_200 for s in module)
        counted_socket = 0
        line("")
        for seg in module:
            counted_socket += self.counted_socket_errors(seg, line)
            # Sent, never answered, no error: in flight when wrk stopped (at most one per
            # connection, give or take a reconnection), or hanging.
            hung = seg.sent - seg.summary["requests"] - seg.summary["read"] - \
                seg.summary["write"]
            if hung > 2 * args.connections:
                self.problems.append(f"{seg.name}: {hung} requests never answered (more than "
                                     f"the {args.connections} that can be in flight)")
        for seg in control:
            line(f"control (the same graceful restart and load on {CONTROL_PATH}, no module "
                 f"involved): {seg.responses} responses, non-200 {seg.non_200}, socket errors "
                 f"{seg.socket_errors} (read {seg.summary['read']}); httpd's children ran out "
                 f"of idle workers {sum(p.no_workers for p in seg.phases)} time(s), shut "
                 f"{sum(p.ka_shut for p in seg.phases)} keep-alive connections, closed "
                 f"{sum(p.closed for p in seg.phases)} after a response")
        failed = non_200 + counted_socket
        total = sum(s.responses for s in module)
        line(f"responses {total}, non-200 {non_200}, socket errors counted {counted_socket}")
        line(f"member failures the lb did not send on to the other member: {not_failed_over}")
        line(f"httpd child crashes in error_log: {len(crashes)}")
        for crash in crashes[:10]:
            line(f"  {crash}")
        line(f"httpd children before: {describe_usage(self.usage_before)}")
        line(f"httpd children after:  {describe_usage(self.usage_after)}")

        problems = list(self.problems)
        if crashes:
            problems.append(f"{len(crashes)} httpd child crash(es)")
        if not self.httpd.running:
            problems.append("httpd is not running any more")
        if failed > args.tolerance:
            problems.append(f"{failed} failed requests (non-200 {non_200}, socket errors "
                            f"{counted_socket}), tolerance {args.tolerance}")
        line(f"failed requests: {failed} (tolerance {args.tolerance})")
        line("RESULT: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
        print("\n".join(out), flush=True)
        (self.workdir / "report.txt").write_text("\n".join(out) + "\n")
        return 0 if not problems else 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60,
                   help="planned load time of the faults; a fault lasts at least "
                        "reply_timeout + 2 s, a recovery until the member serves again, and "
                        "the graceful restart is run twice (module, then control)")
    p.add_argument("--connections", type=int, default=64, help="wrk -c")
    p.add_argument("--threads", type=int, default=2, help="wrk -t")
    p.add_argument("--mpm", choices=sorted(jk.MPM_SETTINGS), default="event")
    p.add_argument("--path", default="/hello.jsp", help="what wrk requests")
    p.add_argument("--harness-mpm", action="store_true",
                   help="event MPM: jkharness's settings (4 x 32 threads) instead of 8 x 64")
    p.add_argument("--scenarios", default="kill,freeze,blackhole,graceful",
                   help="comma-separated subset of kill,freeze,blackhole,graceful")
    p.add_argument("--no-control", action="store_true",
                   help="skip the graceful restart under load on a static page")
    p.add_argument("--reply-timeout", type=int, default=5000, help="members' reply_timeout (ms)")
    p.add_argument("--ping-mode", default="CP", help="members' ping_mode")
    p.add_argument("--ping-timeout", type=int, default=1000, help="members' ping_timeout (ms)")
    p.add_argument("--retry-budget", type=int, default=25, help="lb's retry_budget (%%)")
    p.add_argument("--wrk-timeout", type=int, default=15,
                   help="wrk --timeout (s): a slower response counts as a socket error")
    p.add_argument("--rejoin-limit", type=float, default=60,
                   help="longest wait (s) for a member to serve again after a fault")
    p.add_argument("--tolerance", type=int, default=0,
                   help="failed requests (non-200 + socket errors) still accepted")
    p.add_argument("--jk-log-level", default="info", help="JkLogLevel (debug shows every "
                   "connection and retry)")
    p.add_argument("--workdir", help="directory for the servers and logs (default: a new "
                   "one under /tmp, removed after a PASS unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args(argv)
    args.scenarios = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    unknown = args.scenarios - {"kill", "freeze", "blackhole", "graceful"}
    if unknown:
        p.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return args


def main(argv=None):
    args = parse_args(argv)
    # Ctrl-C tears down even when started where SIGINT is ignored (a background job of a
    # script); SIGTERM (e.g. from the pytest wrapper on a time-out) does the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="jk-chaos-"))
    workdir.chmod(0o755)  # httpd's children (www-data) read their config below it
    print(f"work directory: {workdir}", flush=True)
    chaos = Chaos(args, workdir)
    status = 1
    try:
        status = chaos.run()
    except SetupError as e:
        print(f"SET-UP FAILED: {e}", file=sys.stderr, flush=True)
        status = 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr, flush=True)
        status = 130
    finally:
        chaos.tear_down()
    if status == 0 and not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs kept in {workdir} (httpd/logs/mod_jk.log, error_log, chaos_log; "
              f"tomcat*/logs; wrk-*.txt; report.txt; jkstatus.txt)", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
