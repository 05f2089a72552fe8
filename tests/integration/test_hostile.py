"""Hostile clients, through a real httpd and Tomcat: smuggling attempts, oversized and
malformed requests, and attempts to smuggle AJP attributes, the secret or the route. Each
gets a clean 4xx or is forwarded harmlessly, and Tomcat never sees an attribute or a body
the client should not be able to give it."""
import json
import socket

import pytest

WORKERS = ("worker.list=w1\nworker.w1.host=@TOMCAT1_HOST@\nworker.w1.port=@TOMCAT1_AJP_PORT@\n"
           "worker.w1.secret=@SECRET@\n")
CONF = ("LoadModule jk_module @MODULE_PATH@\nJkWorkersFile @CONF_DIR@/workers.properties\n"
        "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\nJkMount /*.jsp w1\nJkMount /echo/* w1\n")


@pytest.fixture(scope="module")
def tomcat_with_secret(work_root):
    import jkharness as jk
    instance = jk.Tomcat(work_root / "tomcat-hostile", host="127.0.0.1", jvm_route="worker1",
                         secret="hostile-test-secret")
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def httpd(make_module_httpd, tomcat_with_secret, jk_module):
    return make_module_httpd(CONF, files={"workers.properties": WORKERS},
                             SECRET="hostile-test-secret", **tomcat_with_secret.placeholders(1))


def send_raw(httpd, data, read_all=True):
    """Send bytes as they are; the whole reply (the connection is closed after it)."""
    with socket.create_connection((httpd.host, httpd.port), timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while read_all:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    return reply


def status_of(reply):
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else None


def echo_of(reply):
    body = reply.split(b"\r\n\r\n", 1)[1]
    if b"Transfer-Encoding: chunked" in reply.split(b"\r\n\r\n", 1)[0]:
        out, rest = b"", body
        while rest:
            size_line, rest = rest.split(b"\r\n", 1)
            size = int(size_line, 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        body = out
    return json.loads(body)


def test_chunked_wins_over_content_length(httpd):
    reply = send_raw(httpd, b"POST /echo.jsp HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                            b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"3\r\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n")
    status = status_of(reply)
    if status == 200:
        seen = echo_of(reply)
        assert seen["bodyLength"] == 3  # the chunked body, not CL's 5 bytes
    else:
        assert 400 <= status < 500
    assert b"/smuggled" not in reply


@pytest.mark.parametrize("request_bytes", [
    b"POST /echo.jsp HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    b"GET /echo.jsp HTTP/1.1\nHost: t\n\n",
    b"POST /echo.jsp HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"POST /echo.jsp HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: foo\r\n\r\n",
    b"GET /echo.jsp HTTP/1.1\r\nHost: t\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\n",
    b"GET /" + b"a" * 65536 + b".jsp HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /echo.jsp HTTP/1.1\r\nHost: t\r\nX-Nul: a\x00b\r\n\r\n",
], ids=["duplicate-cl", "bare-lf", "te-gzip-chunked", "te-unknown",
        "10000-headers", "64k-uri", "nul-in-header"])
def test_malformed_requests_are_refused(httpd, request_bytes):
    status = status_of(send_raw(httpd, request_bytes))
    # httpd answers an unsupported Transfer-Encoding with 501; everything else is a 4xx.
    assert status is not None and (400 <= status < 500 or status == 501), status
    assert "Segmentation fault" not in httpd.error_log()


def test_obs_fold_is_refused_or_unfolded(httpd):
    reply = send_raw(httpd, b"GET /echo.jsp HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                            b"X-Folded: a\r\n b\r\n\r\n")
    status = status_of(reply)
    if status == 200:
        headers = {k.lower(): v for k, v in echo_of(reply)["headers"]}
        assert headers["x-folded"] in ("a b", "a  b")  # one header line, never two
    else:
        assert 400 <= status < 500


@pytest.mark.parametrize("target", ["/echo/caf%C3", "/echo/%FF%FE", "/echo/a%00b", "/echo/\xff".encode("latin-1").decode("latin-1")])
def test_odd_bytes_in_the_uri_are_harmless(httpd, target):
    reply = send_raw(httpd, b"GET " + target.encode("latin-1") + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    status = status_of(reply)
    assert status is not None and status < 500, status
    if status == 200:
        assert echo_of(reply)["requestURI"].startswith("/echo/")


def test_client_cannot_set_attributes_secret_or_route(httpd):
    hostile = (b"GET /echo.jsp HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
               b"AJP_REMOTE_PORT: 1\r\nAJP_LOCAL_ADDR: 6.6.6.6\r\nAJP_SSL_PROTOCOL: evil\r\n"
               b"JK_LB_ACTIVATION: DIS\r\nJK_ROUTE: worker2\r\nProxy-Secret: x\r\n"
               b"javax.servlet.include.request_uri: /WEB-INF/web.xml\r\n"
               b"jakarta.servlet.include.request_uri: /WEB-INF/web.xml\r\n\r\n")
    reply = send_raw(httpd, hostile)
    assert status_of(reply) == 200  # the configured secret still matched: nothing replaced it
    seen = echo_of(reply)
    attrs = seen["attributes"]
    for name in ("javax.servlet.include.request_uri", "jakarta.servlet.include.request_uri",
                 "AJP_SSL_PROTOCOL"):
        assert name not in attrs, name
    # The module sends its own activation on every request (as mod_jk does), never the client's.
    assert attrs["JK_LB_ACTIVATION"] == "ACT"
    assert seen["remotePort"] != 1 and seen["localAddr"] != "6.6.6.6"


def test_client_cannot_override_reply_timeout_or_worker(httpd):
    reply = send_raw(httpd, b"GET /echo.jsp HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                            b"JK_REPLY_TIMEOUT: 1\r\nJK_WORKER_NAME: other\r\n\r\n")
    assert status_of(reply) == 200


def test_client_going_away_mid_upload_costs_nothing(httpd):
    """CVE-2008-5519: the half body must not become the next request's body."""
    with socket.create_connection((httpd.host, httpd.port), timeout=10) as s:
        s.sendall(b"POST /echo.jsp HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + b"x" * 10)
    for _ in range(5):
        reply = send_raw(httpd, b"GET /echo.jsp?after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert status_of(reply) == 200
        seen = echo_of(reply)
        assert seen["method"] == "GET" and seen["queryString"] == "after" and seen["bodyLength"] == 0
