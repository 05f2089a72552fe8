"""A member that freezes with requests in flight: the users' lb over two real Tomcats.

Tomcat worker2 gets SIGSTOP while a slow request (sleep.jsp, sticky to worker2) waits on
it: its sockets still accept, nothing answers.  The next request the lb sends to worker2
finds that out (its CPing gets no CPONG within ping_timeout); from then on the request
already waiting on worker2 is cut instead of waiting for the Tomcat to wake up. A GET is
sent again to worker1 and the client gets worker1's answer; a POST is not sent twice (it
gets 502), and Tomcat's own access logs show where each request was really processed.

Run: /usr/bin/python3 -m pytest tests/integration/test_stall.py
"""

import http.client
import threading
import time
import uuid

import pytest

import jkharness as jk
from test_lb import lb_httpd, route_of, workers_text

SLEEP_MS = 4000
# The users' lb file with the settings the issue's report used: CPing on connect, before
# each request and on idle connections, each answered within 1 s; no reply_timeout.
FROZEN_SETUP = dict(worker1__ping_mode="A", worker1__ping_timeout="1000",
                    worker2__ping_mode="A", worker2__ping_timeout="1000")


class InFlight(threading.Thread):
    """One request, sent from a thread: status, body (or the exception) when done."""

    def __init__(self, httpd, method, path, cookie, body=None):
        super().__init__(daemon=True)
        self.args = (httpd, method, path, cookie, body)
        self.status = self.body = self.error = None

    def run(self):
        httpd, method, path, cookie, body = self.args
        conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=60)
        headers = {"Cookie": cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            self.status = response.status
            self.body = response.read().decode("utf-8", "replace")
        except Exception as exc:  # reported by the test
            self.error = exc
        finally:
            conn.close()


def freeze_under_request(httpd, tomcat2, method, body=None):
    """Send a slow request sticky to worker2, freeze worker2 under it, and let other
    traffic find the freeze. Returns (the slow request's thread, its path)."""
    path = f"/sleep.jsp?ms={SLEEP_MS}&id={uuid.uuid4().hex}"
    slow = InFlight(httpd, method, path, "JSESSIONID=0123456789ABCDEF.worker2", body)
    slow.start()
    # sleep.jsp says in Tomcat's console when it starts sleeping.
    started = f"sleep.jsp started: {method} {path.split('?', 1)[1]}"
    assert jk.wait_until(lambda: started in tomcat2.console_log.read_text(errors="replace"), 20), \
        "the slow request never reached worker2's servlet"
    tomcat2.freeze()
    # New requests without a session: the lb sends one of them to worker2, whose CPing
    # goes unanswered; those fail over to worker1 and are answered.
    for _ in range(4):
        conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=30)
        conn.request("GET", "/index.jsp")
        response = conn.getresponse()
        text = response.read().decode()
        conn.close()
        assert response.status == 200 and route_of(text) == "worker1", text
        if "no CPONG from" in httpd.jk_log():
            break
    return slow, path


@pytest.fixture
def frozen_lb(make_httpd, tomcat, tomcat2, request):
    """Factory: the lb httpd for an MPM; thaws worker2 after the test whatever happens."""
    def make(mpm):
        return lb_httpd(make_httpd, tomcat, tomcat2, workers_text(**FROZEN_SETUP), mpm=mpm)
    yield make
    tomcat2.thaw()


def processed(tomcat, method, path):
    """How many times Tomcat's access log shows the request as processed."""
    return sum(1 for line in tomcat.access_log().splitlines()
               if line.startswith(f"{method} {path} "))


@pytest.mark.parametrize("mpm", ["event", "prefork"])
def test_a_get_waiting_on_a_frozen_member_is_cut_and_answered_by_the_other(
        frozen_lb, tomcat, tomcat2, mpm):
    httpd = frozen_lb(mpm)
    slow, path = freeze_under_request(httpd, tomcat2, "GET")
    slow.join(30)
    assert not slow.is_alive(), "the request waiting on the frozen Tomcat was not cut"
    assert slow.error is None, slow.error
    assert slow.status == 200, slow.body
    assert route_of(slow.body) == "worker1", slow.body
    log = httpd.jk_log()
    assert "worker worker2: " in log and "stopped answering" in log, log
    assert f"GET {path.split('?')[0]}, waiting" in log, log
    assert processed(tomcat, "GET", path) == 1
    tomcat2.thaw()
    # Woken up, worker2 finishes the servlet it had begun (its answer goes nowhere).
    assert jk.wait_until(lambda: processed(tomcat2, "GET", path) == 1, 20), \
        tomcat2.access_log()


@pytest.mark.parametrize("mpm", ["event", "prefork"])
def test_a_post_waiting_on_a_frozen_member_is_cut_and_never_sent_twice(
        frozen_lb, tomcat, tomcat2, mpm):
    httpd = frozen_lb(mpm)
    slow, path = freeze_under_request(httpd, tomcat2, "POST", body="order=42")
    slow.join(30)
    assert not slow.is_alive(), "the POST waiting on the frozen Tomcat was not cut"
    assert slow.error is None, slow.error
    assert slow.status == 502, slow.body
    log = httpd.jk_log()
    assert "stopped answering" in log and "is cut" in log, log
    assert "not sent to another member: the method is not idempotent" in log, log
    tomcat2.thaw()
    assert jk.wait_until(lambda: processed(tomcat2, "POST", path) == 1, 20), \
        tomcat2.access_log()
    assert processed(tomcat, "POST", path) == 0, tomcat.access_log()
