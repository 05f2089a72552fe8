"""The servers of a benchmark run: Tomcat(s) with the benchmark webapp, the zero-cost AJP
backend, and two private httpds (this module + mod_proxy_ajp + static files; Debian's mod_jk)."""

import re
import shutil

import jkharness as jh
from bench_common import (BENCH, CONNECTORS, CONTEXT, HOST, MEMBER_ROUTES, PREFIX, REPO,
                          STATIC_FILES, STICKY_MIX, TRIGGER_FUNCTION, WEBAPP, http_fetch, log,
                          process_cpu_seconds, routes_of, run)

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
    """The tests' Tomcat, plus the benchmark webapp as context /jk with its static files.

    With timing=True its access log also gives each request's time inside Tomcat (%D,
    microseconds in Tomcat 10), for bench/tail.py.
    """

    def __init__(self, *args, timing=False, **kw):
        super().__init__(*args, **kw)
        self.timing = timing

    def server_xml(self):
        xml = super().server_xml()
        return xml.replace('pattern="%m %U%q %s"', 'pattern="%m %U%q %s %D"') if self.timing \
            else xml

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
        for page, body in (("small.jsp", None), ("sink.jsp", b"x" * 100), ("route.jsp", None)):
            status, _ = http_fetch(self.host, self.http_port, f"/{CONTEXT}/{page}", body=body)
            if status != 200:
                raise jh.HarnessError(f"{self}: /{CONTEXT}/{page} answers {status}\n"
                                      f"{self.log_tail()}")


# The event MPM with all four children from the start and never one stopped: 128 worker
# threads, twice wrk's 64 connections. The tests' settings (two children, 64 threads)
# left httpd without an idle worker at 64 connections; it then closes idle keep-alive
# connections ("All workers are busy or dying, will shutdown N keep-alive connections" at
# LogLevel mpm_event:trace1), and a request wrk had just sent on one is a read error: the
# 11-13 "errors" of the static file at 64 connections in earlier runs.
BENCH_EVENT_SETTINGS = """\
StartServers 4
ServerLimit 4
ThreadLimit 32
ThreadsPerChild 32
MinSpareThreads 32
MaxSpareThreads 160
MaxRequestWorkers 128
MaxConnectionsPerChild 0"""


class BenchHttpd(jh.Httpd):
    """The tests' Httpd without an access log, and startable under callgrind.

    Every route would pay the same for the access log; leaving it out keeps a run from
    writing gigabytes and the connectors' own share of the work more visible. The event
    MPM has as many threads as a benchmark needs (BENCH_EVENT_SETTINGS).
    """

    def __init__(self, *args, timing=False, **kw):
        super().__init__(*args, **kw)
        self.timing = timing
        self.event_settings = BENCH_EVENT_SETTINGS   # the memory phase uses the tests' own

    def base_config(self):
        """With timing=True (bench/tail.py) the access log stays: the path, this module's
        JK_TIME_* notes ("-" for other routes) and, last, %D."""
        config = super().base_config().replace(jh.MPM_SETTINGS["event"], self.event_settings)
        if self.timing:
            return re.sub(r'(?m)^LogFormat .* timed$',
                          'LogFormat "%U %{JK_TIME_TO_SEND}n %{JK_TIME_TO_FIRST_BYTE}n '
                          '%{JK_TIME_REPLY}n %D" timed', config)
        return re.sub(r"(?m)^CustomLog .*$", "# (no access log: bench/bench.py)", config)

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
                        f"ProxyPass /ajp/ balancer://tomcats/{CONTEXT}/ " \
                        "stickysession=JSESSIONID|jsessionid"
    else:
        t = tomcats[0]
        tomcat_target = f"ProxyPass /ajp/ ajp://{t.host}:{t.ajp_port}/{CONTEXT}/"
    return f"{tomcat_target}\nProxyPass /ajpz/ ajp://{zero.host}:{zero.port}/jkz/\n"


class Stack:
    """Every server of a benchmark run, and the URL of each (route, workload)."""

    def __init__(self, workdir, args, debian_so, zero_exe, timing=False):
        self.workdir = workdir
        self.lb = args.lb
        self.tomcats = [BenchTomcat(workdir / f"tomcat-worker{i + 1}", host=HOST,
                                    jvm_route=MEMBER_ROUTES[i], timing=timing)
                        for i in range(2 if args.lb else 1)]
        self.zero = ZeroBackend(zero_exe, workdir / "zero")
        proxy_modules = ("proxy", "proxy_ajp")
        if args.lb:
            proxy_modules += ("proxy_balancer", "slotmem_shm", "lbmethod_byrequests")
        self.main = BenchHttpd(workdir / "httpd-main", mpm="event", log_level="warn",
                               host=HOST, modules=proxy_modules, timing=timing)
        self.modjk = BenchHttpd(workdir / "httpd-modjk", mpm="event", log_level="warn",
                                host=HOST, timing=timing)
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

    def cpu_seconds(self, route):
        """CPU seconds used so far by each party of `route`: its httpd, the Tomcats, zero."""
        return {"httpd": process_cpu_seconds(self.httpd_of(route).proc.pid),
                "tomcat": sum(process_cpu_seconds(t.proc.pid) for t in self.tomcats),
                "zero": process_cpu_seconds(self.zero.proc.pid)}

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
        if workload.path == "small.jsp":
            return self.small_page
        if workload.key == "post64k":
            return f"read {workload.post} bytes".encode()
        size = STATIC_FILES.get(workload.static) if workload.static else None
        if size is None:
            size = int(workload.path.rsplit("/", 1)[-1]) if workload.backend == "zero" \
                else None
        return jh.download_pattern(size) if size is not None else None

    def stickiness_problems(self):
        """Does every connector send each session cookie of the sticky mix to its Tomcat?"""
        problems = []
        for route in CONNECTORS:
            h = self.httpd_of(route)
            path = PREFIX[(route, "tomcat")] + "route.jsp"
            for cookie in (c for c in STICKY_MIX if c):
                want = cookie.rsplit(".", 1)[1]
                answers = [http_fetch(h.host, h.port, path, cookie=cookie) for _ in range(4)]
                if any(status != 200 or got.strip().decode() != want for status, got in answers):
                    problems.append(f"{route}: {cookie} answered by "
                                    f"{[got.strip().decode() for _, got in answers]}, "
                                    f"expected {want} every time")
        return problems

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
        if self.lb and any(w.sticky for w in workloads):
            problems += self.stickiness_problems()
        if problems:
            raise jh.HarnessError("sanity check failed:\n" + "\n".join(problems) + "\n" +
                                  self.main.log_tail(20) + "\n" + self.modjk.log_tail(20))
