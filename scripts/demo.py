#!/usr/bin/env python3
"""Show the module at work the way a user would check it: real httpd, real Tomcats.

1. One Tomcat behind httpd with the user's own httpd-jk-single.conf and
   workers-single.properties: JSPs come from Tomcat through AJP, static files from httpd.
2. Two Tomcats behind the lb worker (httpd-jk-lb.conf, workers-lb.properties): requests
   without a session alternate worker1/worker2, a session sticks to its Tomcat. Skipped
   with a note while the module has no lb worker yet (its configtest fails), unless --lb
   asks for it, in which case that is an error.

It assumes the module is built (native/apache2/.libs/mod_jk.so, or $JK_MODULE), starts
everything on loopback addresses in a temporary directory, and stops everything it started
when it ends, on Ctrl-C and on SIGTERM. Exit status: 0 when every check held, 1 when one
did not, 2 when the demo could not run at all, 130 when interrupted before the end.

Usage: /usr/bin/python3 scripts/demo.py [--lb] [--keep]
"""

import argparse
import hashlib
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))
import jkharness as jk  # noqa: E402  (needs the path above)

TIMEOUT = 30


def say(text=""):
    print(text, flush=True)


class Demo:
    """The servers the demo started, the checks that failed, and how to stop it all."""

    def __init__(self, root):
        self.root = root
        self.tomcats = []
        self.httpds = []
        self.problems = []

    def check(self, ok, good, bad):
        """Print what the user should see; remember it when it is not so."""
        say(f"  {good}" if ok else f"  UNEXPECTED: {bad}")
        if not ok:
            self.problems.append(bad)

    def stop(self):
        for server in self.httpds + self.tomcats:
            server.stop()

    # -- servers -------------------------------------------------------------

    def start_tomcats(self):
        """Two Tomcats side by side, on 127.0.0.2 and .3 when this machine allows it."""
        hosts = [host if can_bind(host) else "127.0.0.1" for host in ("127.0.0.2", "127.0.0.3")]
        for n, host in enumerate(hosts, start=1):
            tomcat = jk.Tomcat(self.root / f"tomcat{n}", host=host, jvm_route=f"worker{n}")
            self.tomcats.append(tomcat)
            tomcat.start(wait=False)
        say("Starting two Tomcats (the first JSP compile takes a few seconds) ...")
        for tomcat in self.tomcats:
            tomcat.wait_ready()
            say(f"  Tomcat {tomcat.jvm_route}: AJP connector on {tomcat.host}:{tomcat.ajp_port}")

    def httpd(self, name, conf, workers, **placeholders):
        """A private httpd using a compat httpd conf and workers.properties, not started."""
        httpd = jk.Httpd(self.root / name)
        self.httpds.append(httpd)
        return httpd.use_compat(conf, workers, **placeholders)

    # -- part 1 --------------------------------------------------------------

    def single(self):
        tomcat = self.tomcats[0]
        httpd = self.httpd("httpd-single", "httpd-jk-single.conf", "workers-single.properties",
                           **tomcat.placeholders(1)).start()
        say()
        say("== 1. One Tomcat behind httpd (httpd-jk-single.conf + workers-single.properties)")
        say(f"  httpd listens on {httpd.url()} and forwards /*.jsp to worker1")

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

        log_lines = httpd.jk_log().splitlines()
        say(f"  mod_jk.log ({httpd.log_dir / 'mod_jk.log'}) begins:")
        for line in log_lines[:3]:
            say(f"    {line}")

    # -- part 2 --------------------------------------------------------------

    def load_balancer(self, required):
        t1, t2 = self.tomcats
        httpd = self.httpd("httpd-lb", "httpd-jk-lb.conf", "workers-lb.properties",
                           **t1.placeholders(1), **t2.placeholders(2))
        say()
        say("== 2. Two Tomcats behind the lb worker (httpd-jk-lb.conf + workers-lb.properties)")
        returncode, output = httpd.configtest()
        if returncode != 0:
            if required:
                self.check(False, "", "the lb configuration is refused (--lb was asked for)")
            else:
                say("  lb worker not available yet; showing the single setup only.")
            say("  apache2 -t says:")
            for line in output.strip().splitlines()[:8]:
                say(f"    {line}")
            return
        httpd.start()
        say(f"  httpd listens on {httpd.url()} and forwards /*.jsp to loadbalancer")

        routes = [requests.get(httpd.url(f"/echo.jsp?n={n}"), timeout=TIMEOUT).json()["route"]
                  for n in range(6)]
        alternating = all(a != b for a, b in zip(routes, routes[1:]))
        self.check(alternating and set(routes) == {"worker1", "worker2"},
                   f"6 requests without a session went to: {', '.join(routes)} (alternating)",
                   f"6 requests without a session went to: {', '.join(routes)}")

        with requests.Session() as client:
            pages = [client.get(httpd.url("/index.jsp"), timeout=TIMEOUT).text for _ in range(5)]
        session = client.cookies.get("JSESSIONID", "")
        route = session.rsplit(".", 1)[-1]
        sticky = all(f"route={route}" in page for page in pages)
        counted = all(f"count={n}" in page for n, page in enumerate(pages, start=1))
        self.check(sticky and counted and route in ("worker1", "worker2"),
                   f"a session created on {route} (JSESSIONID=...{session[-12:]}) stayed on "
                   "that Tomcat for 5 requests, its counter went 1..5",
                   f"session {session!r} was not kept on one Tomcat")


def can_bind(host):
    """True if this machine lets us listen on host (127.0.0.2 and up are not everywhere)."""
    try:
        with socket.socket() as s:
            s.bind((host, 0))
        return True
    except OSError:
        return False


def wait_for_ctrl_c(demo):
    say()
    say("Still running (--keep):")
    for httpd in demo.httpds:
        if httpd.running:
            say(f"  {httpd.url('/index.jsp')}   logs: {httpd.log_dir}")
    say("Press Ctrl-C to stop everything.")
    while True:
        signal.pause()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lb", action="store_true",
                        help="the load-balancer part must work (error if the lb worker is missing)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the servers running until Ctrl-C")
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
    completed = interrupted = False
    try:
        say(f"Module under test: {module}")
        demo.start_tomcats()
        demo.single()
        demo.load_balancer(required=args.lb)
        completed = True
        if args.keep:
            wait_for_ctrl_c(demo)
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
