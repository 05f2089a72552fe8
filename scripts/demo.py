#!/usr/bin/env python3
"""Show the module at work the way a user would check it: real httpd, real Tomcats.

The users' deployment (docs/deployment.md, conf/examples/), on one machine:
two Tomcat 10 "hosts" on 127.0.0.2 and 127.0.0.3, each with an AJP connector that
requires a secret (the guide's ports 8010 and 9010 where free), its jvmRoute (worker1,
worker2) and DeltaManager session replication, serving a webapp marked <distributable/>.

1. One Tomcat behind httpd with the user's httpd-jk-single.conf and
   workers-single.properties: JSPs come from Tomcat through AJP, static files from httpd.
2. Both Tomcats behind the lb worker (httpd-jk-lb.conf, workers-lb-secret.properties, and a
   status worker): requests without a session alternate worker1/worker2; a session sticks
   to its Tomcat; that Tomcat is shut down and the session carries on on the other one
   with its counter intact; the status page shows what the lb saw.

It assumes the module is built (native/apache2/.libs/mod_jk.so, or $JK_MODULE), starts
everything on loopback addresses in a temporary directory, and stops everything it started
when it ends, on Ctrl-C and on SIGTERM. Exit status: 0 when every check held, 1 when one
did not, 2 when the demo could not run at all, 130 when interrupted before the end.

Usage: /usr/bin/python3 scripts/demo.py [--keep]
"""

import argparse
import hashlib
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
import jkharness as jk  # noqa: E402  (needs the path above)

TIMEOUT = 30

# The guide's layout: (host, AJP port, cluster Receiver port) of each Tomcat.
GUIDE = {"worker1": ("127.0.0.2", 8010, 4000), "worker2": ("127.0.0.3", 9010, 4000)}

# Added to the user's workers-lb-secret.properties and httpd-jk-lb.conf: a status worker,
# which worker.list may name on a line of its own.
STATUS_WORKERS = "\nworker.list=jkstatus\nworker.jkstatus.type=status\n"
STATUS_CONF = """
JkMount /jkstatus jkstatus
<Location "/jkstatus">
    Require ip 127.0.0.1
</Location>
"""


def say(text=""):
    print(text, flush=True)


class Demo:
    """The servers the demo started, the checks that failed, and how to stop it all."""

    def __init__(self, root):
        self.root = root
        self.tomcats = []
        self.httpds = []
        self.problems = []
        self.secrets = {name: secrets.token_urlsafe(12) for name in GUIDE}
        self.status_url = None

    def check(self, ok, good, bad):
        """Print what the user should see; remember it when it is not so."""
        say(f"  {good}" if ok else f"  UNEXPECTED: {bad}")
        if not ok:
            self.problems.append(bad)
        return ok

    def stop(self):
        for server in self.httpds + self.tomcats:
            server.stop()

    def tomcat(self, route):
        return next(t for t in self.tomcats if t.jvm_route == route)

    # -- servers -------------------------------------------------------------

    def start_tomcats(self):
        """The two Tomcats of the guide, replicating sessions to each other."""
        taken = set()
        for route, (host, ajp, receiver) in GUIDE.items():
            host = host if can_listen(host) else "127.0.0.1"
            self.tomcats.append(jk.Tomcat(
                self.root / f"tomcat-{route}", host=host, jvm_route=route,
                ajp_port=guide_port(host, ajp, taken), secret=self.secrets[route],
                cluster=True, cluster_port=guide_port(host, receiver, taken)))
        jk.form_cluster(*self.tomcats)
        say("Starting two Tomcats, one after the other (the second copies the first one's")
        say("sessions when it starts) ...")
        jk.start_cluster(*self.tomcats)
        for t in self.tomcats:
            say(f"  Tomcat {t.jvm_route} on {t.host}: AJP connector port {t.ajp_port} with a "
                f"secret, jvmRoute=\"{t.jvm_route}\", cluster receiver port {t.cluster_port}")
        say("  Both see each other in the cluster (static membership: no multicast needed),")
        say("  and the webapp is <distributable/>: its sessions are replicated.")

    def httpd(self, name):
        httpd = jk.Httpd(self.root / name, modules=("authz_host",))  # for Require ip
        self.httpds.append(httpd)
        return httpd

    # -- part 1 --------------------------------------------------------------

    def single(self):
        tomcat = self.tomcats[0]
        httpd = self.httpd("httpd-single")
        # The guide's first chapter has no secret; Tomcat's connector requires one since
        # 9.0.31, so the line of its secret chapter is added.
        httpd.write_conf_file("workers.properties",
                              jk.compat_text("workers-single.properties")
                              + "worker.worker1.secret=@SECRET1@\n",
                              **tomcat.placeholders(1), SECRET1=self.secrets["worker1"])
        httpd.add_config(jk.compat_text("httpd-jk-single.conf"))
        httpd.start()
        say()
        say("== 1. One Tomcat behind httpd (httpd-jk-single.conf + workers-single.properties)")
        say(f"  httpd listens on {httpd.url()} and forwards /*.jsp to worker1; workers.properties")
        say("  is the guide's, plus worker.worker1.secret (Tomcat's AJP connector requires it)")

        page = requests.get(httpd.url("/index.jsp"), timeout=TIMEOUT)
        self.check(page.status_code == 200 and "route=worker1" in page.text,
                   "GET /index.jsp       -> 200, the page says Tomcat worker1 answered (via AJP)",
                   f"GET /index.jsp gave {page.status_code}: {page.text[:200]!r}")

        echo = requests.get(httpd.url("/echo.jsp?hello=world"), timeout=TIMEOUT).json()
        self.check(echo["queryString"] == "hello=world",
                   f"GET /echo.jsp?hello=world -> Tomcat saw {echo['method']} {echo['requestURI']}"
                   f"?{echo['queryString']} from {echo['remoteAddr']}:{echo['remotePort']}",
                   f"Tomcat saw the query {echo['queryString']!r}")

        body = bytes(range(256)) * 4096  # 1 MiB
        echo = requests.post(httpd.url("/echo.jsp"), data=body, timeout=TIMEOUT).json()
        self.check(echo["bodySha256"] == hashlib.sha256(body).hexdigest(),
                   f"POST 1 MiB to /echo.jsp -> Tomcat received {echo['bodyLength']} bytes, "
                   "SHA-256 identical",
                   f"Tomcat received {echo['bodyLength']} bytes with another checksum")

        static = requests.get(httpd.url("/static.html"), timeout=TIMEOUT)
        self.check(static.status_code == 200 and "served by httpd" in static.text,
                   "GET /static.html     -> 200 from httpd itself (only *.jsp goes to Tomcat)",
                   f"GET /static.html gave {static.status_code}: {static.text[:200]!r}")
        httpd.stop()  # part 2 has its own httpd; this one has shown what it had to

    # -- part 2 --------------------------------------------------------------

    def lb_httpd(self):
        """httpd with the user's lb files and a status worker; without the status worker
        when this build does not accept it yet."""
        t1, t2 = self.tomcats
        values = dict(**t1.placeholders(1), **t2.placeholders(2),
                      SECRET1=self.secrets["worker1"], SECRET2=self.secrets["worker2"])
        for with_status in (True, False):
            httpd = self.httpd("httpd-lb" if with_status else "httpd-lb-nostatus")
            workers = jk.compat_text("workers-lb-secret.properties")
            httpd.write_conf_file("workers.properties",
                                  workers + (STATUS_WORKERS if with_status else ""), **values)
            httpd.add_config(jk.compat_text("httpd-jk-lb.conf"))
            if with_status:
                httpd.add_config(STATUS_CONF)
            returncode, output = httpd.configtest()
            if returncode == 0:
                if with_status:
                    self.status_url = httpd.url("/jkstatus")
                return httpd.start()
            which = " with the status worker" if with_status else ""
            say(f"  apache2 -t refused the configuration{which}:")
            for line in output.strip().splitlines()[:4]:
                say(f"    {line}")
        raise jk.HarnessError("httpd refuses the lb configuration")

    def load_balancer(self):
        say()
        say("== 2. Both Tomcats behind the lb worker "
            "(httpd-jk-lb.conf + workers-lb-secret.properties)")
        httpd = self.lb_httpd()
        say(f"  httpd listens on {httpd.url()}: /*.jsp -> loadbalancer (worker1, worker2)"
            + (", /jkstatus -> jkstatus (status worker)" if self.status_url else ""))

        routes = [page_of(requests.get(httpd.url("/index.jsp"), timeout=TIMEOUT).text)[0]
                  for _ in range(6)]
        alternating = all(a != b for a, b in zip(routes, routes[1:]))
        self.check(alternating and set(routes) == {"worker1", "worker2"},
                   f"6 requests without a session went to: {', '.join(routes)} (alternating;"
                   " both secrets accepted)",
                   f"6 requests without a session went to: {', '.join(map(str, routes))}")

        with requests.Session() as browser:
            self.session_failover(httpd, browser)
        self.status_summary(httpd)

    def session_failover(self, httpd, browser):
        pages = [page_of(browser.get(httpd.url("/index.jsp"), timeout=TIMEOUT).text)
                 for _ in range(3)]
        owner, _, session = pages[0]
        sticky = [(route, count) for route, count, _ in pages] == [(owner, n) for n in (1, 2, 3)]
        if not self.check(sticky and owner is not None,
                          f"A browser session (JSESSIONID={short(session)}) was created on "
                          f"{owner}; 3 requests, all answered by {owner}, counter 1, 2, 3",
                          f"the session was not kept on one Tomcat: {pages}"):
            return
        other = "worker2" if owner == "worker1" else "worker1"
        victim = self.tomcat(owner)

        say(f"  Shutting down Tomcat {owner} (the one holding the session), "
            "as shutdown.sh would ...")
        log_before = len(httpd.jk_log())
        victim.stop()
        response = browser.get(httpd.url("/index.jsp"), timeout=TIMEOUT)
        route, count, new_session = page_of(response.text)
        self.check(response.status_code == 200 and (route, count) == (other, 4),
                   f"The same browser, same cookie: answered by {other}, counter 4 - the session "
                   f"and its data were replicated",
                   f"after the shutdown: {response.status_code}, route={route}, count={count}")
        for line in httpd.jk_log()[log_before:].splitlines()[:4]:
            say(f"    mod_jk.log: {strip_stamp(line)}")
        renamed = new_session == f"{session.rsplit('.', 1)[0]}.{other}"
        self.check(renamed and browser.cookies.get("JSESSIONID") == new_session,
                   f"Tomcat's JvmRouteBinderValve renamed the session to {short(new_session)} "
                   "(Set-Cookie), so its route now names the new Tomcat",
                   f"the session id is now {new_session!r}, the cookie "
                   f"{browser.cookies.get('JSESSIONID')!r}")
        later = [page_of(browser.get(httpd.url("/index.jsp"), timeout=TIMEOUT).text)[:2]
                 for _ in range(2)]
        self.check(later == [(other, 5), (other, 6)],
                   f"The next requests go straight to {other}: counter 5, 6",
                   f"the next requests gave {later}")

    def status_summary(self, httpd):
        if self.status_url is None:
            say("  Status page: not available in this build (the status worker was refused).")
            return
        say(f"  Status page: {self.status_url}")
        reply = None
        try:
            reply = requests.get(self.status_url, params={"mime": "json"}, timeout=TIMEOUT)
            reply.raise_for_status()
            [lb] = [b for b in reply.json()["lbs"] if b["name"] == "loadbalancer"]
            members = {m["name"]: m for m in lb["members"]}
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            if reply is None:
                got = type(error).__name__
            else:
                got = f"HTTP {reply.status_code}" + (", not the JSON expected"
                                                     if reply.status_code == 200 else "")
            say(f"    (no summary: {self.status_url}?mime=json gave {got}; open the page in a "
                "browser instead)")
            return
        for name in sorted(members):
            m = members[name]
            say(f"    {name} at {m.get('endpoint')}: {m.get('activation')}, state "
                f"{m.get('state')}, requests: {m.get('requests')}, errors: {m.get('errors')}")
        try:
            check = requests.get(self.status_url, params={"cmd": "check"}, timeout=TIMEOUT)
            lines = check.text.strip().splitlines() if check.status_code == 200 else []
        except requests.RequestException:
            lines = []
        if lines:
            say(f"    health check ({self.status_url}?cmd=check): {' | '.join(lines[:3])}")
        stopped = next(t.jvm_route for t in self.tomcats if not t.running)
        alive = next(t.jvm_route for t in self.tomcats if t.running)
        self.check(str(members[stopped].get("state")).lower().startswith("err")
                   and not str(members[alive].get("state")).lower().startswith("err"),
                   f"The lb took {stopped} out of rotation; {alive} serves everything",
                   f"status page: {stopped} is {members[stopped].get('state')}, "
                   f"{alive} is {members[alive].get('state')}")

    # -- --keep --------------------------------------------------------------

    def keep_running(self):
        stopped = [t for t in self.tomcats if not t.running]
        if stopped:
            say()
            say(f"Starting Tomcat {stopped[0].jvm_route} again (it copies the sessions from the "
                "other one) ...")
            jk.start_cluster(*self.tomcats)
            say(f"  The lb tries {stopped[0].jvm_route} again after recover_time (60 s), or at "
                "once with 'recover' on the status page.")
        say()
        say("Still running (--keep):")
        for httpd in self.httpds:
            if httpd.running:
                say(f"  {httpd.url('/index.jsp')}   logs: {httpd.log_dir}")
        if self.status_url:
            say(f"  {self.status_url}")
        for t in self.tomcats:
            say(f"  Tomcat {t.jvm_route}: {t.http_url('/index.jsp')} (direct, no httpd)   "
                f"logs: {t.base / 'logs'}")
        say("Press Ctrl-C to stop everything.")
        while True:
            signal.pause()


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def page_of(text):
    """(route, count, session id) as index.jsp shows them."""
    route = re.search(r"route=(worker\d+)", text)
    count = re.search(r"count=(\d+)", text)
    session = re.search(r"session=([^<\s]+)", text)
    return (route.group(1) if route else None, int(count.group(1)) if count else None,
            session.group(1) if session else "")


def short(session_id):
    """A session id as a person reads it: the end of the random part, and the route."""
    stem, _, route = session_id.rpartition(".")
    return f"...{stem[-6:]}.{route}" if stem else session_id


def strip_stamp(line):
    """A mod_jk.log line without its date and [pid:tid] prefix."""
    return re.sub(r"^\[[^]]*\] \[\d+:\d+\] ", "", line)


def can_listen(host, port=0):
    """True if this machine lets us listen on host:port (127.0.0.2 is not everywhere)."""
    try:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
        return True
    except OSError:
        return False


def guide_port(host, port, taken):
    """The guide's port on host if it is free, else any free one."""
    if (host, port) not in taken and can_listen(host, port):
        taken.add((host, port))
        return port
    return jk.free_port(host)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true",
                        help="keep the servers running until Ctrl-C")
    parser.add_argument("--lb", action="store_true", help=argparse.SUPPRESS)  # old spelling
    return parser.parse_args()


def main():
    args = parse_args()
    module = jk.module_path()
    if not module.is_file():
        say(f"The module is not built: {module} does not exist (build it, or set JK_MODULE).")
        return 2

    # SIGTERM ends the demo like Ctrl-C does, so the finally below stops every server.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    root = Path(tempfile.mkdtemp(prefix="jk-demo-"))
    root.chmod(0o755)  # httpd's children (www-data) read their documents from here
    demo = Demo(root)
    started = time.monotonic()
    completed = interrupted = False
    try:
        say(f"Module under test: {module}")
        demo.start_tomcats()
        demo.single()
        demo.load_balancer()
        completed = True
        say()
        say(f"Done in {time.monotonic() - started:.0f} s.")
        if args.keep:
            demo.keep_running()
    except KeyboardInterrupt:
        interrupted = True
        say("\nInterrupted.")
    except jk.HarnessError as error:
        say(f"\nA server did not behave: {error}")
    finally:
        say("Stopping every server the demo started ...")
        demo.stop()
        if completed and not demo.problems:
            shutil.rmtree(root, ignore_errors=True)
        else:
            say(f"Files and logs kept in {root}")

    if not completed:
        return 130 if interrupted else 2
    if demo.problems:
        say(f"{len(demo.problems)} check(s) did not hold.")
        return 1
    say("All checks held.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
