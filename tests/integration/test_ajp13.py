"""The ajp13 worker's settings against a real Tomcat: secret, packet size, reply timeout,
a Tomcat that stops and one that restarts."""
import re
import time

import pytest
import requests

import jkharness as jk

JK_CONF = ("LoadModule jk_module @MODULE_PATH@\n"
           "JkWorkersFile @CONF_DIR@/workers.properties\n"
           "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\nJkMount /*.jsp w1\n")


def workers(tomcat, extra=""):
    return (f"worker.list=w1\nworker.w1.type=ajp13\nworker.w1.host={tomcat.host}\n"
            f"worker.w1.port={tomcat.ajp_port}\n{extra}")


def start(make_httpd, tomcat, extra=""):
    return make_httpd(JK_CONF, files={"workers.properties": workers(tomcat, extra)})


@pytest.fixture(scope="module")
def secret_tomcat(work_root):
    instance = jk.Tomcat(work_root / "tomcat-secret", host="127.0.0.1", jvm_route="worker1",
                         secret="s3cr3t-1", packet_size=65536)
    instance.start()
    yield instance
    instance.stop()


def test_right_secret_is_accepted(make_httpd, secret_tomcat, jk_module):
    httpd = start(make_httpd, secret_tomcat,
                  "worker.w1.secret=s3cr3t-1\nworker.w1.max_packet_size=65536\n")
    r = requests.get(httpd.url("/index.jsp"), timeout=10)
    assert r.status_code == 200 and "route=worker1" in r.text


def test_wrong_secret_is_refused_and_the_log_says_so(make_httpd, secret_tomcat, jk_module):
    httpd = start(make_httpd, secret_tomcat,
                  "worker.w1.secret=wrong\nworker.w1.max_packet_size=65536\n")
    assert requests.get(httpd.url("/index.jsp"), timeout=10).status_code == 403
    # Known at END_RESPONSE, which may arrive just after the client has its 403: wait for it.
    assert httpd.wait_log(r"worker w1: 127\.0\.0\.1:\d+ refused the request at its AJP connector "
                          r"\(403, connection closed\): the connector most likely requires a "
                          r"different secret than this worker's \(one is set\)")


def test_missing_secret_is_refused(make_httpd, secret_tomcat, jk_module):
    httpd = start(make_httpd, secret_tomcat, "worker.w1.max_packet_size=65536\n")
    assert requests.get(httpd.url("/index.jsp"), timeout=10).status_code == 403
    assert httpd.wait_log(r"requires a different secret than this worker's \(none is set\)")


def test_64k_packets_carry_60k_of_headers(make_httpd, secret_tomcat, jk_module):
    httpd = start(make_httpd, secret_tomcat,
                  "worker.w1.secret=s3cr3t-1\nworker.w1.max_packet_size=65536\n")
    headers = {f"X-Big-{i}": chr(ord("a") + i) * 6000 for i in range(10)}
    r = requests.get(httpd.url("/echo.jsp"), headers=headers, timeout=10)
    assert r.status_code == 200
    seen = dict((k.lower(), v) for k, v in r.json()["headers"])
    assert all(seen[k.lower()] == v for k, v in headers.items())


def test_headers_beyond_the_packet_get_431(make_httpd, tomcat, jk_module):
    httpd = start(make_httpd, tomcat)
    headers = {f"X-Big-{i}": "h" * 1000 for i in range(10)}
    r = requests.get(httpd.url("/echo.jsp"), headers=headers, timeout=10)
    assert r.status_code == 431
    assert re.search(r"worker w1: request for GET /echo\.jsp: does not fit in one AJP packet",
                     httpd.jk_log())
    # The connection was not touched: the next request works.
    assert requests.get(httpd.url("/echo.jsp"), timeout=10).status_code == 200


def test_a_page_flushed_in_parts_reaches_the_client_part_by_part(make_httpd, tomcat, jk_module):
    """A progressive page (or an event stream): each part Tomcat flushes reaches the client when
    Tomcat sends it, whole, although a reply is otherwise gathered into large writes."""
    httpd = start(make_httpd, tomcat)
    part, pause = 20000, 0.8          # a part spans three 8 KiB AJP packets
    completed = []                    # when the client held all of part 1, of part 2, ...
    got = 0
    with requests.get(httpd.url(f"/stream.jsp?parts=3&size={part}&ms={int(pause * 1000)}"),
                      stream=True, timeout=10) as r:
        assert r.status_code == 200
        for chunk in r.iter_content(chunk_size=None):
            got += len(chunk)
            while got >= part * (len(completed) + 1):
                completed.append(time.monotonic())
    assert got == 3 * part
    # Had any part waited for the next one, two parts would have completed together.
    gaps = [b - a for a, b in zip(completed, completed[1:])]
    assert all(g > pause / 2 for g in gaps), gaps


def test_slow_servlet_gives_504_after_reply_timeout(make_httpd, tomcat, jk_module):
    httpd = start(make_httpd, tomcat, "worker.w1.reply_timeout=800\n")
    began = time.monotonic()
    r = requests.get(httpd.url("/sleep.jsp?ms=3000"), timeout=10)
    elapsed = time.monotonic() - began
    assert r.status_code == 504
    assert 0.7 < elapsed < 2.5  # about reply_timeout; bounds against hangs, not a benchmark
    assert re.search(r"worker w1: no reply from 127\.0\.0\.1:\d+ within 800 ms", httpd.jk_log())
    # The timed-out connection was closed, never reused for the next request.
    assert requests.get(httpd.url("/index.jsp"), timeout=10).status_code == 200


def test_jk_reply_timeout_overrides_per_request(make_httpd, tomcat, jk_module):
    conf = JK_CONF + "SetEnvIf Request_URI sleep JK_REPLY_TIMEOUT=500\n"
    httpd = make_httpd(conf, files={"workers.properties": workers(tomcat, "worker.w1.reply_timeout=20000\n")})
    r = requests.get(httpd.url("/sleep.jsp?ms=2000"), timeout=10)
    assert r.status_code == 504
    assert "within 500 ms" in httpd.jk_log()


def test_stopped_and_restarted_tomcat(make_httpd, make_tomcat, jk_module):
    own = make_tomcat(host="127.0.0.1", jvm_route="worker1")
    httpd = start(make_httpd, own, "worker.w1.socket_connect_timeout=1000\n")
    with requests.Session() as s:
        for _ in range(5):
            assert s.get(httpd.url("/index.jsp"), timeout=10).status_code == 200
        own.stop()
        began = time.monotonic()
        assert s.get(httpd.url("/index.jsp"), timeout=10).status_code == 503
        assert time.monotonic() - began < 2.5
        own.start()
        # Pooled connections to the old Tomcat are stale: detected, not served as errors.
        codes = [s.get(httpd.url("/index.jsp"), timeout=10).status_code for _ in range(10)]
    assert codes == [200] * 10


def test_cping_modes_against_tomcat(make_httpd, tomcat, jk_module):
    httpd = start(make_httpd, tomcat, "worker.w1.ping_mode=A\nworker.w1.ping_timeout=2000\n")
    with requests.Session() as s:
        for _ in range(5):
            assert s.get(httpd.url("/index.jsp"), timeout=10).status_code == 200
    assert "CPONG" not in httpd.jk_log()


def test_connection_pool_timeout_closes_idle_connections(make_httpd, tomcat, jk_module):
    httpd = start(make_httpd, tomcat, "worker.maintain=1\nworker.w1.connection_pool_timeout=1\n"
                                      "worker.w1.connection_pool_minsize=0\n")
    with requests.Session() as s:
        first = s.get(httpd.url("/echo.jsp"), timeout=10).json()
    time.sleep(3.5)
    second = requests.get(httpd.url("/echo.jsp"), timeout=10).json()
    # Tomcat saw a new TCP connection: the idle one was closed by maintenance.
    assert first["connectionId"] != second["connectionId"]
