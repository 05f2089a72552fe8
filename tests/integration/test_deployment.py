"""The users' whole deployment, end to end, as docs/deployment.md builds and checks it.

httpd with the module in front of two Tomcats on two "hosts" (127.0.0.2 and 127.0.0.3),
each with the guide's AJP connector protected by a secret, its jvmRoute, and DeltaManager
session replication (conf/examples/tomcat-cluster.xml, with a static member list in place of
multicast, which does not reach another process over loopback, and synchronous
replication in place of asynchronous, which can lose a session's last change: see
jkharness.Tomcat.cluster_xml), serving a webapp marked <distributable/>. httpd uses the
users' files from conf/examples/ with only hosts, ports, paths and secrets filled in.

The guide's own test of the replication, automated: a request creates a session on
Tomcat A or B; the Tomcat holding it is shut down; the next request with the same cookie
is answered by the other Tomcat, with the same session data.

Which Tomcat answered and the session's counter are read from the page (index.jsp prints
route=workerN and count=N), never from what the module says it did.

The two cluster Tomcats are shared by the whole module; the failover tests shut one down,
so they come last, and each starts the stopped one again first. The one-Tomcat variant
uses the session's plain Tomcat (no secret, as in the guide's first chapter).

Run: /usr/bin/python3 -m pytest tests/integration/test_deployment.py
"""

import http.client
import re

import pytest
import requests

import jkharness as jk

TIMEOUT = 15  # seconds, for every single request
MPMS = ["event", "prefork"]

SECRETS = {"SECRET1": "Wk1-s3cret/9f4e", "SECRET2": "Wk2-s3cret+77c1"}
ROUTE = re.compile(r"route=(worker\d+)")
COUNT = re.compile(r"count=(\d+)")
SESSION = re.compile(r"session=([^<\s]+)")


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def page(text):
    """(route, count, session id) as index.jsp printed them; None for what is missing."""
    found = [rx.search(text) for rx in (ROUTE, COUNT, SESSION)]
    route, count, session = (m.group(1) if m else None for m in found)
    return route, int(count) if count else None, session


def secret_lines():
    """What the guide's secret chapter adds to each ajp13 worker of workers-lb.properties."""
    return ("worker.worker1.secret=@SECRET1@\n"
            "worker.worker2.secret=@SECRET2@\n")


def lb_httpd(factory, pair, mpm="event", workers="workers-lb-secret.properties", extra="",
             **secrets):
    """httpd with the user's httpd-jk-lb.conf and a workers file from conf/examples/ (plus extra)."""
    t1, t2 = pair
    httpd = factory(mpm=mpm, start=False)
    httpd.write_conf_file("workers.properties", jk.compat_text(workers) + extra,
                          **t1.placeholders(1), **t2.placeholders(2),
                          **dict(SECRETS, **secrets))
    httpd.add_config(jk.compat_text("httpd-jk-lb.conf"))
    return httpd.start()


def get(httpd, path="/index.jsp", conn=None, client=None):
    """GET path: (status, body, response). With client (a requests.Session) cookies are
    kept as a browser keeps them; with conn, on that keep-alive connection."""
    if client is not None:
        response = client.get(httpd.url(path), timeout=TIMEOUT)
        return response.status_code, response.text, response
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), response
    finally:
        if own:
            conn.close()


def alternating_routes(httpd, rounds=4, connections=6):
    """Routes of rounds x connections requests without a session, over keep-alive
    connections opened first: under prefork each holds its own child process, so
    consecutive requests are served by different processes."""
    conns = [http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
             for _ in range(connections)]
    seen = []
    try:
        for conn in conns:
            conn.connect()
        for _ in range(rounds):
            for conn in conns:
                status, body, _ = get(httpd, f"/index.jsp?n={len(seen)}", conn=conn)
                assert status == 200, body
                seen.append(page(body)[0])
    finally:
        for conn in conns:
            conn.close()
    return seen


def strictly_alternating(seen):
    return (set(seen) == {"worker1", "worker2"}
            and all(a != b for a, b in zip(seen, seen[1:])))


def no_crash(httpd):
    return httpd.running and not re.search(r"exit signal|Segmentation fault|AH00052",
                                           httpd.error_log())


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

class ClusterPair:
    """Tomcat A (worker1 on 127.0.0.2) and B (worker2 on 127.0.0.3), replicating sessions."""

    def __init__(self, root):
        self.tomcats = [
            jk.Tomcat(root / "deploy-tomcat-a", host="127.0.0.2", jvm_route="worker1",
                      secret=SECRETS["SECRET1"], cluster=True),
            jk.Tomcat(root / "deploy-tomcat-b", host="127.0.0.3", jvm_route="worker2",
                      secret=SECRETS["SECRET2"], cluster=True),
        ]
        jk.form_cluster(*self.tomcats)

    def __iter__(self):
        return iter(self.tomcats)

    def by_route(self, route):
        return next(t for t in self.tomcats if t.jvm_route == route)

    def ensure_running(self):
        """Start whichever is stopped (a failover test stopped it), and wait until both
        replicate again; the restarted one first copies every session from the other."""
        jk.start_cluster(*self.tomcats)

    def stop(self):
        for tomcat in self.tomcats:
            tomcat.stop()


@pytest.fixture(scope="module")
def pair(work_root):
    cluster = ClusterPair(work_root)
    try:
        cluster.ensure_running()
        yield cluster
    finally:
        cluster.stop()


# ---------------------------------------------------------------------------
# The guide's first chapter: one Tomcat, only *.jsp forwarded
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mpm", MPMS)
def test_one_tomcat_serves_jsp_and_httpd_the_rest(make_httpd, jk_module, tomcat, mpm):
    httpd = make_httpd(mpm=mpm, start=False)
    httpd.use_compat("httpd-jk-single.conf", "workers-single.properties",
                     **tomcat.placeholders(1))
    httpd.start()
    with requests.Session() as client:
        answers = [page(get(httpd, client=client)[1]) for _ in range(3)]
    assert [(route, count) for route, count, _ in answers] == [("worker1", n) for n in (1, 2, 3)]
    assert answers[0][2].endswith(".worker1"), answers
    status, body, _ = get(httpd, "/static.html")
    assert status == 200 and "served by httpd" in body
    assert no_crash(httpd)


# ---------------------------------------------------------------------------
# Two Tomcats, secrets, sticky sessions
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mpm", MPMS)
def test_requests_without_session_alternate_with_both_secrets_right(make_httpd, jk_module,
                                                                    pair, mpm):
    httpd = lb_httpd(make_httpd, pair, mpm)
    seen = alternating_routes(httpd)
    assert strictly_alternating(seen), seen
    log = httpd.jk_log()
    for name in ("worker1", "worker2"):
        assert re.search(rf"worker {name}: ajp13 to .*secret set", log), log
    assert "refused" not in log, log
    assert no_crash(httpd)


@pytest.mark.parametrize("variant", ["lb-only", "members-too"])
def test_both_worker_lists_of_the_guide(make_httpd, jk_module, pair, variant):
    """worker.list=loadbalancer (the secret chapter) and worker.list=worker1,worker2,
    loadbalancer (the session chapter, secrets added as the secret chapter does)."""
    if variant == "lb-only":
        httpd = lb_httpd(make_httpd, pair)
    else:
        httpd = lb_httpd(make_httpd, pair, workers="workers-lb.properties",
                         extra=secret_lines())
    assert strictly_alternating([page(get(httpd)[1])[0] for _ in range(6)])
    with requests.Session() as client:
        answers = [page(get(httpd, client=client)[1]) for _ in range(4)]
    owner = answers[0][0]
    assert [(r, c) for r, c, _ in answers] == [(owner, n) for n in (1, 2, 3, 4)], answers
    assert answers[0][2].endswith("." + owner), answers


@pytest.mark.parametrize("mpm", MPMS)
def test_wrong_secret_fails_that_worker_only(make_httpd, jk_module, pair, mpm):
    """Tomcat B refuses worker2's wrong secret (403, connection closed). The module names
    worker2 and the secret in mod_jk.log and takes worker2 out of rotation for every
    httpd child; worker1 serves everything from then on, sessions included.

    The request that found out is answered with Tomcat's 403: the lb does not retry it on
    worker1 (it treats the refusal as an answer, not as a failure to connect)."""
    httpd = lb_httpd(make_httpd, pair, mpm, SECRET2="not-the-secret")
    results = [get(httpd, f"/index.jsp?n={i}")[:2] for i in range(10)]
    statuses = [status for status, _ in results]
    assert statuses.count(403) <= 1, statuses
    served = [page(body)[0] for status, body in results if status == 200]
    assert served == ["worker1"] * len(served) and len(served) >= 9, results
    with requests.Session() as client:
        answers = [page(get(httpd, client=client)[1]) for _ in range(3)]
    assert [(r, c) for r, c, _ in answers] == [("worker1", n) for n in (1, 2, 3)], answers
    assert httpd.wait_log(r"worker2\b.*\b403\b.*secret", timeout=5), httpd.jk_log()
    assert httpd.wait_log(r"member worker2\b.*in error", timeout=5), httpd.jk_log()
    assert not re.search(r"worker1\b.*\b403\b", httpd.jk_log()), httpd.jk_log()
    assert no_crash(httpd)


# ---------------------------------------------------------------------------
# The guide's replication test (these shut a Tomcat down: keep them last)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mpm", MPMS)
def test_session_survives_shutdown_of_its_tomcat(make_httpd, jk_module, pair, mpm):
    """1. Tomcat A and B running; 2. a session is created on A or B; 3. the Tomcat that
    holds it is shut down; 4. the other one answers with the same session.

    Then Tomcat's JvmRouteBinderValve (in the guide's <Cluster>) renames the session to
    the new Tomcat's route and sends the new cookie, so the sticky route itself now names
    the new Tomcat: later requests go straight there, not through the lb's fallback."""
    pair.ensure_running()
    httpd = lb_httpd(make_httpd, pair, mpm)
    with requests.Session() as client:
        before = [page(get(httpd, client=client)[1]) for _ in range(3)]
        owner, _, session = before[0]
        assert owner in ("worker1", "worker2") and session.endswith("." + owner), before
        assert [(r, c) for r, c, _ in before] == [(owner, 1), (owner, 2), (owner, 3)], before
        assert client.cookies["JSESSIONID"] == session

        # At once: replication is synchronous (channelSendOptions="6", see
        # jkharness.Tomcat.cluster_xml), so the other Tomcat has count=3 already.
        pair.by_route(owner).stop()
        other = "worker2" if owner == "worker1" else "worker1"

        status, body, response = get(httpd, client=client)
        assert status == 200, body
        assert page(body)[:2] == (other, 4), body
        stem = session.rsplit(".", 1)[0]
        assert page(body)[2] == f"{stem}.{other}", body
        assert f"JSESSIONID={stem}.{other}" in response.headers.get("Set-Cookie", "")
        assert client.cookies["JSESSIONID"] == f"{stem}.{other}"

        after = [page(get(httpd, client=client)[1]) for _ in range(5)]
    assert after == [(other, n, f"{stem}.{other}") for n in range(5, 10)], after
    assert httpd.wait_log(rf"member {owner}\b.*in error", timeout=5), httpd.jk_log()
    assert no_crash(httpd)
