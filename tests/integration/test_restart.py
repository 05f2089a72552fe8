"""A graceful restart (apachectl graceful) keeps what the lb learned: members' error
state, their load counters and the rotation, and no request fails while it happens."""
import re
import threading
import time

import requests

import jkharness as jk

CONF = ("LoadModule jk_module @MODULE_PATH@\nJkWorkersFile @CONF_DIR@/workers.properties\n"
        "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\nJkMount /*.jsp lb\n")


def lb_workers(t1, t2_host, t2_port):
    return ("worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=worker1,worker2\n"
            f"worker.worker1.host={t1.host}\nworker.worker1.port={t1.ajp_port}\n"
            f"worker.worker2.host={t2_host}\nworker.worker2.port={t2_port}\n")


def route(httpd):
    text = requests.get(httpd.url("/index.jsp"), timeout=10).text
    return re.search(r"route=(\w+)", text).group(1)


def test_rotation_continues_across_a_graceful_restart(make_httpd, tomcat, tomcat2, jk_module):
    httpd = make_httpd(CONF, files={"workers.properties": lb_workers(tomcat, tomcat2.host,
                                                                    tomcat2.ajp_port)})
    before = [route(httpd) for _ in range(3)]
    assert before in (["worker1", "worker2", "worker1"], ["worker2", "worker1", "worker2"])
    httpd.graceful_restart()
    after = [route(httpd) for _ in range(3)]
    # A fresh start would begin again with the same member; the kept counters go on.
    assert after[0] != before[-1], (before, after)
    assert after == [after[0], before[-1], after[0]]
    assert "restart: 2 worker(s) keep their state and counters" in httpd.jk_log()


def test_error_state_survives_a_graceful_restart(make_httpd, tomcat, jk_module):
    dead_port = jk.free_port()
    httpd = make_httpd(CONF, files={"workers.properties": lb_workers(tomcat, "127.0.0.1",
                                                                    dead_port)})
    for _ in range(4):
        assert route(httpd) == "worker1"
    assert "member worker2" in httpd.jk_log()
    httpd.graceful_restart()
    mark = len(httpd.jk_log())
    for _ in range(6):
        assert route(httpd) == "worker1"
    # The new children knew worker2 was down: none of them tried it again.
    assert "cannot connect" not in httpd.jk_log()[mark:]


def test_no_request_fails_during_a_graceful_restart(make_httpd, tomcat, tomcat2, jk_module):
    httpd = make_httpd(CONF, files={"workers.properties": lb_workers(tomcat, tomcat2.host,
                                                                    tomcat2.ajp_port)})
    failures, done, stop = [], [0], threading.Event()

    # A new connection per request: a graceful restart closes idle keep-alive connections,
    # and a request sent on one at that very moment is lost in any HTTP server (browsers
    # resend it). What must never fail is a request that httpd accepted.
    def load():
        while not stop.is_set():
            try:
                r = requests.get(httpd.url("/index.jsp"), headers={"Connection": "close"},
                                 timeout=10)
                if r.status_code != 200:
                    failures.append(r.status_code)
            except requests.RequestException as e:  # a dropped connection is a failure too
                failures.append(repr(e))
            done[0] += 1

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        httpd.graceful_restart()
        time.sleep(0.5)
        httpd.graceful_restart()
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=20)
    assert done[0] > 50
    assert failures == []
