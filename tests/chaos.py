#!/usr/bin/python3
"""Chaos under load: an lb over two real Tomcats, wrk hammering it, and one fault after
another, each in its own phase, while the load never stops.

    /usr/bin/python3 tests/chaos.py [--seconds 60] [--connections 64] [--mpm event|prefork]

Set-up (everything private, on loopback, stopped by PID at the end, also on Ctrl-C):
  worker1  Tomcat 10 on 127.0.0.2      worker2  Tomcat 10 on 127.0.0.3
  httpd    127.0.0.1:<free port>, this repository's mod_jk.so, lb over worker1/worker2
           (no stickiness, wrk sends no cookie), a read-only status worker at /jkstatus.
  wrk      -t2 -c<connections> --latency -s tests/chaos.lua against /echo.jsp; the Lua
           script records every request and response status in 100 ms slots.

Phases, in this order (durations scale with --seconds; see docs/chaos.md):
  baseline   both Tomcats serve
  kill       worker1 gets SIGKILL (requests in flight on it must fail over)
  restart    worker1 is started again; the phase lasts until it serves again
  freeze     worker2 gets SIGSTOP (requests in flight wait reply_timeout, then fail over)
  thaw       SIGCONT; the phase lasts until worker2 serves again
  blackhole  nftables (or iptables) drops every packet to and from worker2's AJP port
  unblock    the rule is gone; the phase lasts until worker2 serves again
  graceful   httpd gets SIGUSR1 (graceful restart)
  cooldown   both Tomcats serve

What it prints: per phase, responses and failures seen by the client (by status), what
httpd logged (which member served, slowest request) and what mod_jk.log said (errors,
failovers); wrk's totals and socket errors; httpd child crashes from error_log; open
fds and RSS of httpd's children before and after.

Exit status: 0 when no httpd child crashed, every phase ran, and the failed requests
(non-200 responses plus wrk's socket errors) are within --tolerance (default 0: with one
Tomcat alive at every moment, a GET must never fail); 1 otherwise; 2 when the set-up
itself failed (no wrk, no module, a Tomcat that does not start).
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
# Responses a member must have served (200) before it counts as back in rotation.
REJOIN_RESPONSES = 20
CRASH = re.compile(r"exit signal|Segmentation fault|AH00052|core dumped|AddressSanitizer")

HTTPD_CONF = """\
LoadModule jk_module @MODULE_PATH@
JkWorkersFile @CONF_DIR@/workers.properties
JkLogFile @LOG_DIR@/mod_jk.log
JkLogLevel info
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
    def __init__(self, name, what):
        self.name, self.what = name, what
        self.start = None   # wall clock
        self.notes = []


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
        self.wrk_out = workdir / "wrk-counts.txt"
        self.wrk_stdout = workdir / "wrk-stdout.txt"
        self.blackhole = Blackhole(HOST2, self.t2.ajp_port)
        self.frozen = None
        self.phases = []
        self.events = []
        self.problems = []      # reasons for a non-zero exit besides failed requests
        self.skipped = []       # phases not run, with the reason (not failures)
        self.access = None
        self.t0 = None
        self.wrk_end = None
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
        self.httpd = jk.Httpd(self.workdir / "httpd", mpm=self.args.mpm, log_level="notice")
        self.httpd.write_conf_file("workers.properties",
                                   workers_properties(self.args, self.t1, self.t2))
        self.httpd.add_config(HTTPD_CONF)
        try:
            self.httpd.start()
        except jk.HarnessError as e:
            raise SetupError(str(e)) from e
        self.access = AccessLog(self.httpd.log_dir / "chaos_log")
        print(f"started {self.httpd}", flush=True)

    def tear_down(self):
        """Undo every fault and stop everything we started, each step on its own."""
        steps = [self._thaw_quietly, self.blackhole.off, self._stop_wrk,
                 lambda: self.httpd and self.httpd.stop(), self.t1.stop, self.t2.stop]
        for step in steps:
            try:
                step()
            except Exception as e:  # keep tearing down: nothing may be left running
                print(f"tear-down step failed: {e!r}", file=sys.stderr)

    def _thaw_quietly(self):
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

    def url(self):
        return self.httpd.url(self.args.path)

    def warm_up(self):
        """A short load before measuring: fills the pools, warms both JVMs."""
        seconds = max(2, round(3 * self.unit))
        subprocess.run(["wrk", "-t", str(self.args.threads), "-c", str(self.args.connections),
                        "-d", f"{seconds}s", self.url()], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=seconds + 60, check=True)
        time.sleep(1)
        self.access.poll()
        routes = collections.Counter(e[3] for e in self.access.entries if e[1] == 200)
        if routes["worker1"] == 0 or routes["worker2"] == 0:
            raise SetupError(f"warm-up did not reach both Tomcats: {dict(routes)}")

    def start_load(self):
        # wrk stops on our SIGINT when the phases are done; -d is only an upper bound.
        bound = int(self.args.seconds * 2 + 240)
        argv = ["wrk", "-t", str(self.args.threads), "-c", str(self.args.connections),
                "-d", f"{bound}s", "--latency", "--timeout", f"{self.args.wrk_timeout}s",
                "-s", str(LUA_SCRIPT), self.url()]
        self.say("load: " + " ".join(argv))
        env = dict(os.environ, JK_CHAOS_OUT=str(self.wrk_out))
        with open(self.wrk_stdout, "wb") as out:
            self.wrk = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    def stop_load(self):
        self._stop_wrk()
        self.wrk_end = time.time()
        self.say(f"load stopped (wrk exit status {self.wrk.returncode})")

    # -- phases -------------------------------------------------------------------

    def begin(self, name, what):
        phase = Phase(name, what)
        phase.start = time.time()
        self.phases.append(phase)
        self.say(f"--- phase {name}: {what}")
        return phase

    def check_alive(self):
        if self.wrk.poll() is not None:
            raise RuntimeError(f"wrk exited early with {self.wrk.returncode}:\n"
                               + self.wrk_stdout.read_text(errors="replace"))
        if not self.httpd.running:
            raise RuntimeError(f"httpd exited with {self.httpd.proc.returncode}")

    def hold(self, phase, seconds):
        """Keep the load on until `seconds` after the phase began."""
        deadline = phase.start + seconds
        while time.time() < deadline:
            self.check_alive()
            time.sleep(min(0.2, max(0.0, deadline - time.time())))

    def wait_rejoin(self, phase, route, tomcat, since, least, most):
        """Hold until `route` served again (and `least` s passed), at most `most` s."""
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

    def run_phases(self):
        u = self.unit
        scenarios = self.args.scenarios
        both_alive = True
        phase = self.begin("baseline", "both Tomcats serve")
        self.hold(phase, 4 * u)

        if "kill" in scenarios:
            phase = self.begin("kill", "worker1 SIGKILLed: in-flight requests must fail over")
            pid = self.t1.proc.pid
            send(pid, signal.SIGKILL)
            self.event(f"SIGKILL worker1 (pid {pid})")
            self.hold(phase, 8 * u)
            self.t1.kill()  # reaps the process
            phase = self.begin("restart", "worker1 starting again; lasts until it serves")
            since = time.time()
            self.t1.start(wait=False)
            self.event(f"worker1 restarted (pid {self.t1.proc.pid})")
            both_alive = self.wait_rejoin(phase, "worker1", self.t1, since, 6 * u,
                                          self.args.rejoin_limit)

        if "freeze" in scenarios:
            if not both_alive:
                self.skipped.append(("freeze", "worker1 is not back: both would be down"))
            else:
                phase = self.begin("freeze", "worker2 SIGSTOPped: the lb must leave it")
                self.frozen = self.t2.proc.pid
                send(self.frozen, signal.SIGSTOP)
                self.event(f"SIGSTOP worker2 (pid {self.frozen})")
                self.hold(phase, self.fault_seconds(9))
                self._thaw_quietly()
                phase = self.begin("thaw", "worker2 SIGCONTed; lasts until it serves")
                self.event("SIGCONT worker2")
                both_alive = self.wait_rejoin(phase, "worker2", self.t2, phase.start, 4 * u,
                                              self.args.rejoin_limit)

        if "blackhole" in scenarios and self.blackhole.tool:
            if not both_alive:
                self.skipped.append(("blackhole", "a Tomcat is not back: both would be down"))
            else:
                phase = self.begin("blackhole", f"every packet to and from {HOST2}:"
                                   f"{self.t2.ajp_port} (worker2's AJP port) dropped")
                self.blackhole.on()
                self.event(f"blackhole on ({self.blackhole.tool})")
                self.hold(phase, self.fault_seconds(9))
                self.blackhole.off()
                phase = self.begin("unblock", "packets flow again; lasts until worker2 serves")
                self.event("blackhole off")
                both_alive = self.wait_rejoin(phase, "worker2", self.t2, phase.start, 4 * u,
                                              self.args.rejoin_limit)

        if "graceful" in scenarios:
            phase = self.begin("graceful", "httpd gets SIGUSR1 (graceful restart)")
            self.event(f"SIGUSR1 httpd (pid {self.httpd.proc.pid})")
            self.httpd.graceful_restart(timeout=30)
            self.event("httpd resumed normal operations")
            self.hold(phase, 6 * u)

        phase = self.begin("cooldown", "both Tomcats serve" if both_alive else "as is")
        self.hold(phase, 4 * u)

    def run(self):
        self.set_up()
        self.warm_up()
        time.sleep(1)
        self.usage_before = usage_of(self.httpd.child_pids())
        self.t0 = time.time()
        self.start_load()
        try:
            self.run_phases()
        finally:
            self.stop_load()
        time.sleep(2)
        self.usage_after = usage_of(self.httpd.child_pids())
        self.save_status_page()
        return self.report()

    def save_status_page(self):
        """The status worker's text view of the members' counters, kept with the logs."""
        try:
            import urllib.request
            with urllib.request.urlopen(self.httpd.url("/jkstatus?mime=txt"), timeout=10) as r:
                (self.workdir / "jkstatus.txt").write_bytes(r.read())
        except OSError as e:
            (self.workdir / "jkstatus.txt").write_text(f"not fetched: {e}\n")

    # -- the figures -------------------------------------------------------------

    def phase_index(self, starts, t):
        return max(0, bisect.bisect_right(starts, t) - 1)

    def report(self):
        args = self.args
        starts = [p.start for p in self.phases]
        n = len(self.phases)

        # Client side: what wrk's Lua recorded.
        summary, latency = {}, {}
        sent = [0] * n
        client = [collections.Counter() for _ in range(n)]
        wrk_text = self.wrk_out.read_text() if self.wrk_out.exists() else ""
        for line in wrk_text.splitlines():
            fields = line.split()
            if fields[0] == "summary":
                summary = {k: int(v) for k, v in (f.split("=") for f in fields[1:])}
            elif fields[0] == "latency_us":
                latency = {k: int(v) for k, v in (f.split("=") for f in fields[1:])}
            elif len(fields) == 3:
                i = self.phase_index(starts, int(fields[0]) / 10.0 + 0.05)
                if fields[1] == "sent":
                    sent[i] += int(fields[2])
                else:
                    client[i][int(fields[1])] += int(fields[2])
        if not summary:
            raise RuntimeError("wrk's Lua script wrote no summary:\n"
                               + self.wrk_stdout.read_text(errors="replace"))

        # Server side: httpd's access log and mod_jk.log.
        self.access.poll()
        server = [collections.Counter() for _ in range(n)]
        slowest = [0] * n
        over_1s = [0] * n
        bad_lines = []
        for entry in self.access.entries:
            if entry[6] != args.path:
                continue
            i = self.phase_index(starts, entry[0])
            server[i][entry[3] if entry[1] == 200 else f"status {entry[1]} ({entry[3]})"] += 1
            slowest[i] = max(slowest[i], entry[2])
            over_1s[i] += entry[2] >= 1_000_000
            if entry[1] != 200:
                bad_lines.append(entry)
        jk_entries = jk_log_entries(self.httpd.jk_log())
        jk_kinds = [collections.Counter() for _ in range(n)]
        failovers = [0] * n
        for stamp, level, message in jk_entries:
            if stamp < starts[0]:
                continue
            i = self.phase_index(starts, stamp)
            if "trying another member" in message:
                failovers[i] += 1
            if level in ("error", "warn", "emerg", "crit"):
                jk_kinds[i][f"[{level}] {normalise(message)}"] += 1

        error_log = self.httpd.error_log()
        crashes = [line for line in error_log.splitlines() if CRASH.search(line)]

        socket_errors = {k: summary[k] for k in ("connect", "read", "write", "timeout")}
        non_200 = sum(c[s] for c in client for s in c if s != 200)
        responses = sum(sum(c.values()) for c in client)
        failed = non_200 + sum(socket_errors.values())
        unanswered = sum(sent) - responses - socket_errors["read"] - socket_errors["write"]

        # -- print --------------------------------------------------------------
        out = []
        line = out.append
        line("")
        line(f"=== chaos under load: {args.mpm} MPM, {args.connections} connections, "
             f"{args.threads} wrk threads, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
        line(f"lb: recover_time=5 health_check_interval=1 retry_budget={args.retry_budget}; "
             f"members: ping_mode={args.ping_mode} ping_timeout={args.ping_timeout} "
             f"socket_connect_timeout=1000 reply_timeout={args.reply_timeout} "
             f"connection_pool_timeout=60; wrk --timeout {args.wrk_timeout}s")
        line("")
        line(f"{'phase':<10} {'from':>6} {'secs':>5} {'responses':>9} {'failed':>6}  "
             f"{'slowest':>8} {'>=1s':>5} {'failovers':>9}  served by (httpd's access log)")
        for i, phase in enumerate(self.phases):
            end = starts[i + 1] if i + 1 < n else self.wrk_end
            bad = sum(v for s, v in client[i].items() if s != 200)
            served = ", ".join(f"{k} {v}" for k, v in sorted(server[i].items()))
            line(f"{phase.name:<10} {phase.start - self.t0:6.1f} {end - phase.start:5.1f} "
                 f"{sum(client[i].values()):9d} {bad:6d}  {slowest[i] / 1000:6.0f}ms "
                 f"{over_1s[i]:5d} {failovers[i]:9d}  {served}")
        line("  (failed: non-200 responses the client got in that phase, by completion time; "
             "slowest and >=1s: httpd's %D)")
        for i, phase in enumerate(self.phases):
            statuses = {s: v for s, v in client[i].items() if s != 200}
            if statuses or jk_kinds[i] or phase.notes:
                line(f"-- {phase.name}: {phase.what}")
                if statuses:
                    line(f"   client got: {dict(sorted(statuses.items()))}")
                for note in phase.notes:
                    line(f"   note: {note}")
                for kind, count in jk_kinds[i].most_common(8):
                    line(f"   mod_jk.log {count:5d} x {kind}")
                if len(jk_kinds[i]) > 8:
                    line(f"   mod_jk.log ... and {len(jk_kinds[i]) - 8} more kinds of line")
        for name, reason in self.skipped:
            line(f"-- {name}: SKIPPED: {reason}")
        line("")
        line("events:")
        for stamp, text in self.events:
            line(f"  {stamp - self.t0:6.1f} s  {text}")
        line("")
        line(f"wrk: {summary['requests']} responses in {summary['duration_us'] / 1e6:.1f} s "
             f"({summary['requests'] / max(summary['duration_us'] / 1e6, 0.001):.0f}/s); "
             f"latency p50 {latency.get('p50', 0) / 1000:.1f} ms, p99 "
             f"{latency.get('p99', 0) / 1000:.1f} ms, max {latency.get('max', 0) / 1000:.0f} ms")
        line(f"wrk: status >= 400: {summary['status']}; socket errors: connect "
             f"{socket_errors['connect']}, read {socket_errors['read']}, write "
             f"{socket_errors['write']}, timeout {socket_errors['timeout']}")
        line(f"requests sent {sum(sent)}, responses {responses}, non-200 {non_200}, "
             f"unanswered when the load stopped {unanswered} (at most {args.connections} "
             f"in flight is normal)")
        line(f"httpd child crashes in error_log: {len(crashes)}")
        for crash in crashes[:10]:
            line(f"  {crash}")
        line(f"httpd children before: {describe_usage(self.usage_before)}")
        line(f"httpd children after:  {describe_usage(self.usage_after)}")
        if bad_lines:
            line("first non-200 responses in httpd's access log (end time, status, ms, route, "
                 "pid):")
            for e in bad_lines[:10]:
                line(f"  {e[0] - self.t0:6.1f} s  {e[1]}  {e[2] / 1000:.0f} ms  {e[3]}  {e[4]}")

        problems = list(self.problems)
        if crashes:
            problems.append(f"{len(crashes)} httpd child crash(es)")
        if not self.httpd.running:
            problems.append("httpd is not running any more")
        if failed > args.tolerance:
            problems.append(f"{failed} failed requests (non-200 {non_200}, socket errors "
                            f"{sum(socket_errors.values())}), tolerance {args.tolerance}")
        if unanswered > args.connections:
            problems.append(f"{unanswered} requests never answered (more than the "
                            f"{args.connections} that can be in flight)")
        line("")
        line(f"failed requests: {failed} (tolerance {args.tolerance})")
        line("RESULT: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
        print("\n".join(out), flush=True)
        (self.workdir / "report.txt").write_text("\n".join(out) + "\n")
        return 0 if not problems else 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60,
                   help="planned length of the load (fault phases last at least "
                        "reply_timeout + 2 s; rejoin phases last until the member serves)")
    p.add_argument("--connections", type=int, default=64, help="wrk -c")
    p.add_argument("--threads", type=int, default=2, help="wrk -t")
    p.add_argument("--mpm", choices=sorted(jk.MPM_SETTINGS), default="event")
    p.add_argument("--path", default="/echo.jsp", help="what wrk requests")
    p.add_argument("--scenarios", default="kill,freeze,blackhole,graceful",
                   help="comma-separated subset of kill,freeze,blackhole,graceful")
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
    # SIGTERM (e.g. from the pytest wrapper on a time-out) tears down like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
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
              f"tomcat*/logs; wrk-stdout.txt; report.txt)", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
