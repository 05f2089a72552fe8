"""The lb worker through a real httpd and two real Tomcats, as the user's guide sets it up.

Every test starts from the user's own files, httpd-jk-lb.conf with workers-lb.properties
(or workers-lb-secret.properties), changing only placeholders and the one key under test.
Which Tomcat answered is read from the page itself (index.jsp prints route=workerN and a
per-session count), never from what the module says it did; the module's own record of
the route (the JK_WORKER_ROUTE note) is checked against those pages.

Tomcats: the session's shared pair (worker1 on 127.0.0.1, worker2 on 127.0.0.2) for
everything that leaves them running; a test that kills a Tomcat starts its own with
make_tomcat, and the secret tests have their own pair with AJP secrets.

Run: /usr/bin/python3 -m pytest tests/integration/test_lb.py
"""

import concurrent.futures
import http.client
import re
import threading
import time

import pytest
import requests

import jkharness as jk

TIMEOUT = 15  # seconds, for every single request

ROUTE = re.compile(r"route=(worker\d+)")
COUNT = re.compile(r"count=(\d+)")
ECHO_ROUTE = re.compile(r'"route": "([^"]*)"')

# Added to every lb httpd (outside the user's Jk block): what the module recorded as the
# route of each request, and which httpd process served it.
ROUTE_LOG = """\
LogFormat "%{JK_WORKER_ROUTE}n %P %>s %U%q" jkroute
CustomLog "@LOG_DIR@/route_log" jkroute
"""


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def workers_text(name="workers-lb.properties", **keys):
    """A compat workers file with keys set: worker.<k> for k written as a__b -> a.b.

    An existing line `key=...` is replaced where it stands; a new key is appended.
    """
    lines = jk.compat_text(name).splitlines()
    for short, value in keys.items():
        key = "worker." + short.replace("__", ".")
        for i, line in enumerate(lines):
            if line.split("=", 1)[0].strip() == key:
                lines[i] = f"{key}={value}"
                break
        else:
            lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


def lb_httpd(factory, t1, t2, workers=None, mpm="event", conf="", start=True, **placeholders):
    """httpd with the user's httpd-jk-lb.conf and a workers file (default: the compat one)."""
    httpd = factory(mpm=mpm, start=False)
    httpd.write_conf_file("workers.properties",
                          workers if workers is not None else workers_text(),
                          **t1.placeholders(1), **t2.placeholders(2), **placeholders)
    httpd.add_config(jk.compat_text("httpd-jk-lb.conf"))
    httpd.add_config(ROUTE_LOG + conf)
    if start:
        httpd.start()
    return httpd


def route_of(text):
    match = ROUTE.search(text)
    return match.group(1) if match else None


def fetch(httpd, path="/index.jsp", cookie=None, conn=None):
    """GET path without a cookie jar: (status, route or None, body, elapsed seconds)."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
    headers = {"Cookie": cookie} if cookie else {}
    started = time.monotonic()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, route_of(body), body, time.monotonic() - started
    finally:
        if own:
            conn.close()


def routes(httpd, n, path="/index.jsp"):
    """The routes of n sequential requests without a session, each asserted 200."""
    seen = []
    for _ in range(n):
        status, route, body, _ = fetch(httpd, path)
        assert status == 200, body
        seen.append(route)
    return seen


def route_log(httpd):
    """(route, pid, status, path?query) of every request in the route log so far, except
    the harness's own "is it up yet" requests for "/" (logged as /index.html).

    Lines are in the order httpd finished logging, which is not always the order of the
    requests: tests tell requests apart by their query string.
    """
    entries = [tuple(line.split(" ", 3)) for line in httpd.read_log("route_log").splitlines()]
    return [entry for entry in entries if entry[3] not in ("/", "/index.html")]


def wait_route_log(httpd, n):
    """The route log once it has at least n lines (httpd logs after the response)."""
    jk.wait_until(lambda: len(route_log(httpd)) >= n, 10)
    return route_log(httpd)


def logged_routes(httpd, n):
    """{path?query: route} of the route log once it has n lines."""
    return {entry[3]: entry[0] for entry in wait_route_log(httpd, n)}


def alternates(seen, first="worker1"):
    other = {"worker1": "worker2", "worker2": "worker1"}
    expected = [first if i % 2 == 0 else other[first] for i in range(len(seen))]
    return seen == expected


def no_crash(httpd):
    """httpd is up, and its error log reports no child killed by a signal."""
    log = httpd.error_log()
    return httpd.running and not re.search(r"exit signal|Segmentation fault|AH00052", log)


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pair(tomcat, tomcat2):
    """The shared Tomcats: worker1 on 127.0.0.1, worker2 on 127.0.0.2."""
    assert (tomcat.jvm_route, tomcat2.jvm_route) == ("worker1", "worker2")
    return tomcat, tomcat2


@pytest.fixture(scope="module")
def compat_httpd(jk_module, make_module_httpd, pair):
    """The user's lb setup exactly (event MPM), shared by tests that only read from it."""
    return lb_httpd(make_module_httpd, *pair)


# ---------------------------------------------------------------------------
# Balancing
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mpm", ["event", "prefork"])
def test_requests_without_session_alternate_strictly(make_httpd, jk_module, pair, mpm):
    """worker1, worker2, worker1, ... even when each request is served by another process.

    Eight keep-alive connections are opened first; under prefork each one holds its own
    child process, so consecutive requests go through different processes and only
    counters in shared memory can keep the alternation strict.
    """
    httpd = lb_httpd(make_httpd, *pair, mpm=mpm)
    conns = [http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
             for _ in range(8)]
    try:
        for conn in conns:
            conn.connect()
        seen = []
        for _ in range(5):
            for conn in conns:
                status, route, body, _ = fetch(httpd, f"/index.jsp?n={len(seen)}", conn=conn)
                assert status == 200, body
                seen.append(route)
    finally:
        for conn in conns:
            conn.close()
    assert alternates(seen), seen
    logged = logged_routes(httpd, len(seen))
    assert [logged.get(f"/index.jsp?n={i}") for i in range(len(seen))] == seen
    pids = {entry[1] for entry in route_log(httpd)}
    if mpm == "prefork":
        assert len(pids) == 8, f"expected 8 processes to have served, got {pids}"


def test_lbfactor_3_to_1_gives_75_percent(make_httpd, jk_module, pair):
    httpd = lb_httpd(make_httpd, *pair, workers=workers_text(worker1__lbfactor=3))
    total, threads = 2000, 16
    per_thread = total // threads

    def run(_):
        conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
        seen = []
        try:
            for _ in range(per_thread):
                conn.request("GET", "/echo.jsp")
                response = conn.getresponse()
                body = response.read().decode()
                assert response.status == 200, body
                seen.append(ECHO_ROUTE.search(body).group(1))
        finally:
            conn.close()
        return seen

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        seen = [route for part in pool.map(run, range(threads)) for route in part]
    assert len(seen) == total
    share = seen.count("worker1") / total
    assert 0.73 <= share <= 0.77, f"worker1 got {share:.1%} of {total}"
    assert seen.count("worker1") + seen.count("worker2") == total


# ---------------------------------------------------------------------------
# Sticky sessions
# ---------------------------------------------------------------------------

def test_session_stays_on_its_tomcat_for_50_requests(compat_httpd):
    with requests.Session() as client:
        first = client.get(compat_httpd.url("/index.jsp"), timeout=TIMEOUT)
        assert first.status_code == 200
        owner = route_of(first.text)
        cookie = client.cookies.get("JSESSIONID")
        assert cookie and cookie.endswith("." + owner), cookie
        for i in range(2, 52):
            response = client.get(compat_httpd.url("/index.jsp"), timeout=TIMEOUT)
            assert response.status_code == 200
            assert route_of(response.text) == owner, f"request {i}"
            assert COUNT.search(response.text).group(1) == str(i)
        assert client.cookies.get("JSESSIONID") == cookie


def test_cookie_with_route_worker2_always_goes_to_worker2(compat_httpd):
    for _ in range(10):
        status, route, body, _ = fetch(compat_httpd, cookie="JSESSIONID=0123ABCD.worker2")
        assert (status, route) == (200, "worker2"), body


def test_path_parameter_jsessionid_goes_to_worker2(compat_httpd, pair):
    # A fabricated id: the route alone decides.
    for _ in range(4):
        status, route, body, _ = fetch(compat_httpd, "/index.jsp;jsessionid=0123ABCD.worker2")
        assert (status, route) == (200, "worker2"), body
    # A real session of worker2, carried in the URL only: the same session continues.
    status, route, body, _ = fetch(compat_httpd, cookie="JSESSIONID=seed.worker2")
    session = re.search(r"session=(\S+?)</p>", body).group(1)
    assert route == "worker2" and session.endswith(".worker2")
    for i in range(2, 6):
        status, route, body, _ = fetch(compat_httpd, f"/index.jsp;jsessionid={session}")
        assert (status, route) == (200, "worker2"), body
        assert COUNT.search(body).group(1) == str(i)


def test_route_note_is_logged(make_httpd, jk_module, pair):
    """%{JK_WORKER_ROUTE}n records, for each request, the route of the Tomcat that answered."""
    httpd = lb_httpd(make_httpd, *pair)
    answered = [fetch(httpd, f"/index.jsp?n={i}")[1] for i in range(4)]
    answered.append(fetch(httpd, "/index.jsp?n=4", cookie="JSESSIONID=x.worker2")[1])
    answered.append(fetch(httpd, "/index.jsp;jsessionid=x.worker1?n=5")[1])
    assert answered == ["worker1", "worker2", "worker1", "worker2", "worker2", "worker1"]
    assert requests.get(httpd.url("/static.html"), timeout=TIMEOUT).status_code == 200
    logged = logged_routes(httpd, len(answered) + 1)
    assert [logged.get(f"/index.jsp?n={i}") for i in range(5)] == answered[:5]
    # %U is the path as resolved for mapping and <Location> (path parameters dropped).
    assert logged.get("/index.jsp?n=5") == "worker1", logged
    # a request httpd served itself has no route
    assert logged.get("/static.html") == "-", logged


# ---------------------------------------------------------------------------
# Activation
# ---------------------------------------------------------------------------

def test_disabled_member_keeps_its_sessions_but_gets_no_new_ones(make_httpd, jk_module, pair):
    t1, t2 = pair
    # A session that already lives on worker2 (made on its HTTP connector directly).
    response = requests.get(t2.http_url("/index.jsp"), timeout=TIMEOUT)
    session = response.cookies["JSESSIONID"]
    assert session.endswith(".worker2")

    httpd = lb_httpd(make_httpd, t1, t2, workers=workers_text(worker2__activation="D"))
    assert set(routes(httpd, 10)) == {"worker1"}
    for i in range(2, 5):
        status, route, body, _ = fetch(httpd, cookie=f"JSESSIONID={session}")
        assert (status, route) == (200, "worker2"), body
        assert COUNT.search(body).group(1) == str(i)
    assert set(routes(httpd, 4)) == {"worker1"}


def test_stopped_member_gets_nothing(make_httpd, jk_module, pair):
    httpd = lb_httpd(make_httpd, *pair, workers=workers_text(worker2__activation="S"))
    assert set(routes(httpd, 10)) == {"worker1"}
    for _ in range(4):
        status, route, body, _ = fetch(httpd, cookie="JSESSIONID=0123ABCD.worker2")
        assert (status, route) == (200, "worker1"), body


def test_sticky_session_force_with_dead_owner_gives_503(make_httpd, make_tomcat, jk_module,
                                                        tomcat):
    own2 = make_tomcat(host="127.0.0.2", jvm_route="worker2")
    httpd = lb_httpd(make_httpd, tomcat, own2,
                     workers=workers_text(loadbalancer__sticky_session_force="true"))
    status, route, body, _ = fetch(httpd, cookie="JSESSIONID=seed.worker2")
    assert (status, route) == (200, "worker2")
    session = re.search(r"session=(\S+?)</p>", body).group(1)
    own2.kill()
    for _ in range(3):
        status, route, body, took = fetch(httpd, cookie=f"JSESSIONID={session}")
        assert status == 503, body
        assert took < 2
    # without a session, worker1 serves as usual
    status, route, body, _ = fetch(httpd)
    assert (status, route) == (200, "worker1"), body
    assert no_crash(httpd)


# ---------------------------------------------------------------------------
# Failover and recovery (own Tomcats: these tests kill them)
# ---------------------------------------------------------------------------

class Stream:
    """Sequential GETs without a session in a thread: (sent_at, status, route) of each."""

    def __init__(self, httpd):
        self.httpd = httpd
        self.results = []
        self.failures = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        conn = http.client.HTTPConnection(self.httpd.host, self.httpd.port, timeout=TIMEOUT)
        while not self.stop.is_set():
            sent = time.monotonic()
            try:
                status, route, body, _ = fetch(self.httpd, conn=conn)
            except (OSError, http.client.HTTPException) as e:
                self.failures.append((sent, repr(e)))
                conn.close()
                conn = http.client.HTTPConnection(self.httpd.host, self.httpd.port,
                                                  timeout=TIMEOUT)
                continue
            self.results.append((sent, status, route))
            if status != 200 or route is None:
                self.failures.append((sent, status, body[:200]))
            time.sleep(0.01)
        conn.close()

    def wait_for(self, predicate, timeout):
        return jk.wait_until(lambda: predicate(list(self.results)), timeout, 0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(TIMEOUT + 5)


def test_killed_tomcat_fails_over_and_comes_back(make_httpd, make_tomcat, jk_module):
    recover_time = 2
    t1 = make_tomcat(host="127.0.0.1", jvm_route="worker1")
    t2 = make_tomcat(host="127.0.0.2", jvm_route="worker2")
    httpd = lb_httpd(make_httpd, t1, t2,
                     workers=workers_text(loadbalancer__recover_time=recover_time))
    with Stream(httpd) as stream:
        assert stream.wait_for(lambda r: {x[2] for x in r} == {"worker1", "worker2"}
                               and len(r) >= 20, 10)
        t2.kill()
        killed_at = time.monotonic()
        assert stream.wait_for(lambda r: sum(x[0] > killed_at for x in r) >= 60, 15)
        after_kill = [x[2] for x in stream.results if x[0] > killed_at]
        assert set(after_kill) == {"worker1"}, after_kill

        t2.start()  # a new process on the same ports and CATALINA_BASE
        ready_at = time.monotonic()
        back = stream.wait_for(lambda r: any(x[0] > ready_at and x[2] == "worker2" for x in r),
                               recover_time + 5)
        assert back, f"worker2 took no request within {recover_time + 5} s of being ready"
        first_back = min(x[0] for x in stream.results if x[0] > ready_at and x[2] == "worker2")
        # and it keeps taking its share
        assert stream.wait_for(lambda r: sum(x[0] > first_back and x[2] == "worker2"
                                             for x in r) >= 5, 5)
    assert stream.failures == [], stream.failures[:5]
    assert first_back - ready_at < recover_time + 4
    log = httpd.jk_log()
    assert re.search(r"worker2.*(error|probe|answers again)", log), log[-2000:]
    assert no_crash(httpd)


def test_both_tomcats_dead_gives_503_quickly(make_httpd, make_tomcat, jk_module):
    t1 = make_tomcat(host="127.0.0.1", jvm_route="worker1")
    t2 = make_tomcat(host="127.0.0.2", jvm_route="worker2")
    httpd = lb_httpd(make_httpd, t1, t2)
    assert set(routes(httpd, 4)) == {"worker1", "worker2"}  # pooled connections exist
    t1.kill()
    t2.kill()
    status, _, body, took = fetch(httpd)
    assert status == 503, body
    assert took < 2, f"first 503 took {took:.2f} s"
    started = time.monotonic()
    for _ in range(10):
        status, _, body, took = fetch(httpd)
        assert status == 503 and took < 2, (status, took)
    assert time.monotonic() - started < 5
    assert no_crash(httpd)


# ---------------------------------------------------------------------------
# The user's variants: worker.list, secrets
# ---------------------------------------------------------------------------

def test_worker_list_with_only_the_lb_works(make_httpd, jk_module, pair):
    httpd = lb_httpd(make_httpd, *pair, workers=workers_text(list="loadbalancer"))
    assert alternates(routes(httpd, 6))


def test_worker_list_with_members_and_lb_allows_direct_mounts(make_httpd, jk_module, pair):
    httpd = lb_httpd(make_httpd, *pair, conf="JkMount /echo.jsp worker2\n")
    assert alternates(routes(httpd, 6))
    for _ in range(4):
        status, _, body, _ = fetch(httpd, "/echo.jsp")
        assert status == 200 and ECHO_ROUTE.search(body).group(1) == "worker2"


def test_mount_of_member_not_in_worker_list_is_refused_with_file_and_line(make_httpd,
                                                                           jk_module, pair):
    httpd = lb_httpd(make_httpd, *pair, workers=workers_text(list="loadbalancer"),
                     conf="JkMount /direct/* worker1\n", start=False)
    rc, output = httpd.configtest()
    lines = httpd.conf_path.read_text().splitlines()
    line = lines.index("JkMount /direct/* worker1") + 1
    assert rc != 0, output
    assert f"{httpd.conf_path}:{line}:" in output, output
    assert "worker1" in output and "worker.list" in output, output


SECRET1, SECRET2 = "s3cret-one-7f2c", "s3cret-two-91ab"


@pytest.fixture(scope="module")
def secret_pair(work_root):
    """Tomcats whose AJP connectors require a secret (as tomcat-ajp-connector.xml does)."""
    made = [jk.Tomcat(work_root / "lb-secret-1", host="127.0.0.1", jvm_route="worker1",
                      secret=SECRET1),
            jk.Tomcat(work_root / "lb-secret-2", host="127.0.0.2", jvm_route="worker2",
                      secret=SECRET2)]
    try:
        for t in made:
            t.start(wait=False)
        for t in made:
            t.wait_ready()
        yield made
    finally:
        for t in made:
            t.stop()


def test_secret_config_serves_both_tomcats(make_httpd, jk_module, secret_pair):
    httpd = lb_httpd(make_httpd, *secret_pair,
                     workers=workers_text("workers-lb-secret.properties"),
                     SECRET1=SECRET1, SECRET2=SECRET2)
    assert alternates(routes(httpd, 8))


def test_wrong_secret_on_worker2_takes_it_out_of_rotation(make_httpd, jk_module, secret_pair):
    """Tomcat's connector refuses worker2's requests (403, connection closed). The first
    refusal puts worker2 into error for every child; from then on worker1 serves all."""
    httpd = lb_httpd(make_httpd, *secret_pair,
                     workers=workers_text("workers-lb-secret.properties"),
                     SECRET1=SECRET1, SECRET2="not-the-secret")
    results = [fetch(httpd)[:2] for _ in range(12)]
    # The refusal is known at its END_RESPONSE, which may come just after the client already
    # has the whole 403: a request or two may still meet worker2 before the state changes.
    assert 1 <= [status for status, _ in results].count(403) <= 2, results
    assert all(r == (200, "worker1") for r in results[6:]), results
    assert "lb loadbalancer: member worker2" in httpd.jk_log()
    assert no_crash(httpd)


def test_wrong_secret_is_named_in_the_log(make_httpd, jk_module, secret_pair):
    """conf/examples/README.md: a wrong secret is refused by Tomcat (403) "and the log says which
    worker and why"."""
    httpd = lb_httpd(make_httpd, *secret_pair,
                     workers=workers_text("workers-lb-secret.properties"),
                     SECRET1=SECRET1, SECRET2="not-the-secret")
    statuses = [fetch(httpd)[0] for _ in range(4)]
    assert 403 in statuses, statuses
    assert httpd.wait_log(r"worker2\b.*(403|refused|rejected)", timeout=3), \
        "mod_jk.log does not say that worker2's requests were refused:\n" + httpd.jk_log()


def test_timing_notes_say_where_a_slow_request_waited(make_httpd, jk_module, pair):
    """%{JK_TIME_TO_SEND}n, %{JK_TIME_TO_FIRST_BYTE}n and %{JK_TIME_REPLY}n split a
    request's time: a servlet that sleeps 400 ms before writing shows it as time to the
    first byte, and the three parts add up to JK_REQUEST_DURATION."""
    extra = ('LogFormat "%U %{JK_TIME_TO_SEND}n %{JK_TIME_TO_FIRST_BYTE}n %{JK_TIME_REPLY}n '
             '%{JK_REQUEST_DURATION}n" timing\n'
             'CustomLog "@LOG_DIR@/timing_log" timing\n')
    httpd = lb_httpd(make_httpd, *pair, conf=extra)
    for path in ("/sleep.jsp?ms=400", "/index.jsp"):
        assert fetch(httpd, path)[0] == 200
    assert requests.get(httpd.url("/static.html"), timeout=TIMEOUT).status_code == 200

    def logged():
        rows = [line.split() for line in httpd.read_log("timing_log").splitlines()]
        return {row[0]: row[1:] for row in rows if row[0] in ("/sleep.jsp", "/index.jsp",
                                                             "/static.html")}
    assert jk.wait_until(lambda: len(logged()) == 3, 5), httpd.read_log("timing_log")
    rows = logged()
    for path in ("/sleep.jsp", "/index.jsp"):
        to_send, first_byte, reply, duration = (int(v) for v in rows[path])
        assert to_send + first_byte + reply == duration, (path, rows[path])
    assert int(rows["/sleep.jsp"][1]) >= 400_000, rows["/sleep.jsp"]
    assert rows["/static.html"] == ["-"] * 4, rows["/static.html"]   # httpd served it


def test_request_log_format_and_lb_notes(make_httpd, jk_module, pair):
    """JkRequestLogFormat writes a line per forwarded request into mod_jk.log, and the
    JK_LB_* notes reach httpd's own access log."""
    extra = ('JkRequestLogFormat "%w %R %s %m %U%q %b %T"\n'
             'LogFormat "%{JK_LB_LAST_NAME}n %{JK_LB_FIRST_NAME}n %{JK_LB_LAST_STATE}n '
             '%{JK_LB_LAST_ACCESSED}n %{JK_REQUEST_DURATION}n %{JK_LB_LAST_BUSY}n" lbnotes\n'
             'CustomLog "@LOG_DIR@/lbnotes_log" lbnotes\n')
    httpd = lb_httpd(make_httpd, *pair, conf=extra)
    routes = [fetch(httpd, f"/index.jsp?n={i}")[1] for i in range(4)]
    assert requests.get(httpd.url("/static.html"), timeout=TIMEOUT).status_code == 200
    # Request log lines are written once the response is out: wait for the last one.
    assert httpd.wait_log(r"GET /index\.jsp\?n=3 ")
    lines = [l for l in httpd.jk_log().splitlines() if " loadbalancer " in l and "GET" in l]
    assert len(lines) == 4, httpd.jk_log()
    for i, (line, route) in enumerate(zip(lines, routes)):
        assert re.search(rf"\] loadbalancer {route} 200 GET /index\.jsp\?n={i} \d+ \d+\.\d{{6}}$",
                         line), line
    # Requests httpd served itself (the harness's readiness check, the static page) have none.
    notes = [n.split() for n in httpd.read_log("lbnotes_log").splitlines() if not n.startswith("-")]
    assert [n[0] for n in notes] == routes
    assert all(n[1] == n[0] and n[2] == "OK" and int(n[3]) >= 1 for n in notes), notes
    # The request's duration in microseconds, and the member's busy count (0 or more).
    assert all(re.fullmatch(r"\d+", n[4]) and int(n[4]) > 0 for n in notes), notes
    assert all(re.fullmatch(r"\d+", n[5]) for n in notes), notes
