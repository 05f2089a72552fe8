"""Foundation: Tomcat behind httpd through our mod_jk, checked from the user's side.

Every test talks HTTP to a real httpd that loads the module under test and forwards to a
real Tomcat over AJP13. What Tomcat received is read back from tests/webapp/echo.jsp, so
the assertions compare what the client sent with what the servlet saw, never with what
the module says it did.

Run: /usr/bin/python3 -m pytest tests/integration
"""

import base64
import concurrent.futures
import dataclasses
import email.utils
import hashlib
import http.client
import json
import random
import re
import threading
import time

import pytest
import requests

import jkharness as jk

TIMEOUT = 30  # seconds, for every single request

# The stamp of the compat configs, JkLogStampFormat "[%a %b %d %H:%M:%S %Y]".
COMPAT_STAMP = re.compile(
    r"^\[(?P<stamp>[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4})\]")
COMPAT_STAMP_FORMAT = "%a %b %d %H:%M:%S %Y"

# The title of the 404 page of Tomcat's ErrorReportValve.
TOMCAT_ERROR_PAGE = "HTTP Status 404 \u2013 Not Found"

# The Jk* lines most tests share; each test adds its own JkMount lines. Where the user's
# exact configuration matters, the compat files are used instead.
JK_BASE_CONF = """\
LoadModule jk_module @MODULE_PATH@
JkWorkersFile @CONF_DIR@/workers.properties
JkLogFile @LOG_DIR@/mod_jk.log
JkLogLevel info
JkLogStampFormat "[%a %b %d %H:%M:%S %Y]"
"""

WORKER1 = """\
worker.list=worker1
worker.worker1.type=ajp13
worker.worker1.host=@TOMCAT1_HOST@
worker.worker1.port=@TOMCAT1_AJP_PORT@
"""


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def compat_single(factory, tomcat, mpm="event"):
    """httpd configured with the user's httpd-jk-single.conf + workers-single.properties,
    unchanged apart from placeholders; not started yet."""
    return factory(mpm=mpm, start=False).use_compat(
        "httpd-jk-single.conf", "workers-single.properties", **tomcat.placeholders(1))


@dataclasses.dataclass
class Exchange:
    """One request sent with http.client: status, headers, body, and the client's own port."""

    status: int
    message: http.client.HTTPMessage  # get_all() keeps repeated headers
    body: bytes
    client_port: int

    @property
    def echo(self):
        """What Tomcat saw, as echo.jsp described it."""
        return json.loads(self.body)


def send(httpd, method="GET", path="/echo.jsp", headers=(), body=None, host=None):
    """Send exactly the given header lines (repeats allowed), on a fresh connection."""
    conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
    try:
        conn.connect()
        client_port = conn.sock.getsockname()[1]
        conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return Exchange(response.status, response.msg, response.read(), client_port)
    finally:
        conn.close()


def header_values(echo, name):
    """Values Tomcat saw for header name (case-insensitive), in order."""
    return [value for key, value in echo["headers"] if key.lower() == name.lower()]


def body_bytes(size, seed):
    """size bytes that are the same on every run and unlike any pattern a bug could produce."""
    return random.Random(seed).randbytes(size)


def get(httpd, path, **kwargs):
    return requests.get(httpd.url(path), timeout=TIMEOUT, **kwargs)


def served_by_httpd(response, httpd, name):
    """True if the response is exactly the file httpd has in its DocumentRoot."""
    return response.status_code == 200 and response.text == (httpd.docroot / name).read_text()


def is_tomcat_page(response):
    return "Hello from Tomcat" in response.text or "HTTP Status" in response.text


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["event", "prefork"])
def any_mpm_httpd(request, jk_module, make_module_httpd, tomcat):
    """The compat single configuration under each MPM."""
    return compat_single(make_module_httpd, tomcat, mpm=request.param).start()


@pytest.fixture(scope="module")
def httpd(jk_module, make_module_httpd, tomcat):
    """The compat single configuration (event MPM), shared by the module's tests."""
    return compat_single(make_module_httpd, tomcat).start()


# ---------------------------------------------------------------------------
# The user's configuration: JSPs to Tomcat, everything else by httpd
# ---------------------------------------------------------------------------

def test_jsp_is_served_by_tomcat(any_mpm_httpd, tomcat):
    response = get(any_mpm_httpd, "/index.jsp")
    assert response.status_code == 200
    assert "Hello from Tomcat, route=worker1" in response.text
    assert response.cookies.get("JSESSIONID", "").endswith(".worker1")


@pytest.mark.parametrize("path, document", [("/static.html", "static.html"),
                                            ("/index.html", "index.html"),
                                            ("/", "index.html")])
def test_static_files_are_served_by_httpd(any_mpm_httpd, path, document):
    response = get(any_mpm_httpd, path)
    assert served_by_httpd(response, any_mpm_httpd, document), response.text


def test_unmapped_missing_file_is_httpds_404(httpd):
    response = get(httpd, "/missing.txt")
    assert response.status_code == 404
    assert "<title>404 Not Found</title>" in response.text
    assert not is_tomcat_page(response)


# ---------------------------------------------------------------------------
# What Tomcat receives
# ---------------------------------------------------------------------------

def test_uri_and_query_string_arrive_unchanged(httpd):
    query = "a=1&b=%20x&c=%C3%A9&d=a+b&e=&f=%26%3D&g=/x?y"
    echo = send(httpd, path=f"/echo.jsp?{query}").echo
    assert echo["requestURI"] == "/echo.jsp"
    assert echo["queryString"] == query
    assert echo["protocol"] == "HTTP/1.1"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
                                    "PROPFIND", "FOO"])
def test_method_reaches_tomcat(httpd, method):
    body = b"payload" if method in ("POST", "PUT", "PATCH") else None
    exchange = send(httpd, method=method, path=f"/echo.jsp?method={method}", body=body)
    assert exchange.status == 200, exchange.body
    assert exchange.echo["method"] == method
    assert exchange.echo["queryString"] == f"method={method}"
    assert exchange.echo["bodyLength"] == len(body or b"")


def test_request_headers_are_forwarded(httpd):
    sent = [
        ("Accept", "text/html, application/json;q=0.9"),
        ("Accept-Charset", "utf-8"),
        ("Accept-Encoding", "identity"),
        ("Accept-Language", "ko-KR, en;q=0.5"),
        ("Authorization", "Bearer abc.def"),
        ("Cookie", "theme=dark; lang=ko"),
        ("Pragma", "no-cache"),
        ("Referer", "http://example.test/page?x=1"),
        ("User-Agent", "jk-integration-test/1.0"),
        ("X-Custom-Header", "custom value with  two spaces"),
        ("x-lower-case", "lower"),
        ("X-Long", "v" * 4000),
    ]
    echo = send(httpd, headers=sent).echo
    for name, value in sent:
        assert header_values(echo, name) == [value], name


def test_header_names_reach_tomcat_spelled_as_under_mod_jk(httpd):
    # mod_jk 1.2.48 sends the Accept-* names as strings (the client's spelling) and every
    # other name with an AJP code as its code (the servlet sees it in lower case).
    sent = [("Accept-Charset", "utf-8"), ("ACCEPT-language", "ko"), ("accept-ENCODING", "gzip"),
            ("User-AGENT", "t/1"), ("ACCEPT", "*/*"), ("X-Mixed-Case", "x")]
    names = [name for name, _ in send(httpd, headers=sent).echo["headers"]]
    assert names[1:7] == ["Accept-Charset", "ACCEPT-language", "accept-ENCODING", "user-agent",
                          "accept", "X-Mixed-Case"]


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS", "MKCOL", "PURGE"])
def test_request_without_body_has_content_length_zero_as_under_mod_jk(httpd, method):
    echo = send(httpd, method=method).echo
    assert echo["contentLength"] == 0
    assert header_values(echo, "Content-Length") == ["0"]


def test_chunked_request_has_no_content_length(httpd):
    conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
    try:
        conn.request("POST", "/echo.jsp", body=iter([b"hel", b"lo"]), encode_chunked=True)
        echo = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    assert header_values(echo, "Transfer-Encoding") == ["chunked"]
    assert echo["contentLength"] == -1 and echo["bodyLength"] == 5
    assert header_values(echo, "Content-Length") == []


def test_repeated_request_header_keeps_both_values_in_order(httpd):
    echo = send(httpd, headers=[("X-Multi", "first"), ("X-Multi", "second")]).echo
    # httpd itself merges repeated request headers into one "a, b" line before any module
    # sees them; both forms mean the same in HTTP, so accept either.
    assert ", ".join(header_values(echo, "X-Multi")) == "first, second"


def test_remote_address_and_port_are_the_clients(httpd):
    exchange = send(httpd)
    assert exchange.echo["remoteAddr"] == "127.0.0.1"
    assert exchange.echo["remotePort"] == exchange.client_port


@pytest.mark.parametrize("host, name, port", [("example.test:8123", "example.test", 8123),
                                              ("www.example.test", "www.example.test", None)])
def test_server_name_and_port_follow_the_host_header(httpd, host, name, port):
    echo = send(httpd, host=host).echo
    assert echo["serverName"] == name
    if port is not None:
        assert echo["serverPort"] == port


def test_plain_http_is_not_secure(httpd):
    echo = send(httpd).echo
    assert echo["isSecure"] is False
    assert echo["scheme"] == "http"


def test_user_authenticated_by_httpd_reaches_tomcat(make_httpd, tomcat, jk_module):
    httpd = compat_single(make_httpd, tomcat)
    password_hash = base64.b64encode(hashlib.sha1(b"s3cret").digest()).decode()
    httpd.write_conf_file("htpasswd", f"alice:{{SHA}}{password_hash}\n")
    httpd.add_config("""
<Location "/echo.jsp">
    AuthType Basic
    AuthName "jk test"
    AuthUserFile "@CONF_DIR@/htpasswd"
    Require valid-user
</Location>
""").start()

    refused = get(httpd, "/echo.jsp")
    assert refused.status_code == 401

    echo = get(httpd, "/echo.jsp", auth=("alice", "s3cret")).json()
    assert echo["remoteUser"] == "alice"
    assert echo["authType"] == "Basic"


# ---------------------------------------------------------------------------
# Bodies, both ways
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 8186, 100 * 1024, 10 * 1024 * 1024],
                         ids=["1B", "one-packet", "100KB", "10MB"])
def test_post_body_with_content_length(httpd, size):
    body = body_bytes(size, seed=size)
    response = requests.post(httpd.url("/echo.jsp"), data=body, timeout=TIMEOUT,
                             headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 200
    assert response.json()["bodyLength"] == size
    assert response.json()["bodySha256"] == jk.sha256_hex(body)


def test_chunked_post_body(httpd):
    # Chunks of irregular sizes, so no chunk boundary lines up with an AJP packet.
    chunks = [body_bytes(n, seed=n) for n in (1, 100, 8191, 8192, 8193, 65536, 300000, 7)]

    response = requests.post(httpd.url("/echo.jsp"), data=iter(chunks), timeout=TIMEOUT)
    echo = response.json()
    assert header_values(echo, "Content-Length") == []
    assert echo["bodyLength"] == sum(map(len, chunks))
    assert echo["bodySha256"] == jk.sha256_hex(b"".join(chunks))


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "streamed"])
def test_download_10mb(httpd, with_length):
    size = 10 * 1024 * 1024
    path = f"/download.jsp?size={size}" + ("&cl=1" if with_length else "")
    digest = hashlib.sha256()
    received = 0
    with requests.get(httpd.url(path), stream=True, timeout=TIMEOUT) as response:
        assert response.status_code == 200
        if with_length:
            assert response.headers["Content-Length"] == str(size)
        for block in response.iter_content(65536):
            digest.update(block)
            received += len(block)
    assert received == size
    assert digest.hexdigest() == jk.sha256_hex(jk.download_pattern(size))


def test_responses_without_body_leave_the_connection_usable(httpd):
    """HEAD, 204 and 304 carry no body; a stray byte would corrupt the next response."""
    conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=TIMEOUT)
    try:
        for method, path, status in [("HEAD", "/download.jsp?size=1000&cl=1", 200),
                                     ("GET", "/headers.jsp?status=204", 204),
                                     ("GET", "/headers.jsp?status=304", 304),
                                     ("GET", "/echo.jsp?after", 200)]:
            conn.request(method, path)
            response = conn.getresponse()
            body = response.read()
            assert response.status == status, path
            if status != 200 or method == "HEAD":
                assert body == b"", path
        assert json.loads(body)["queryString"] == "after"
    finally:
        conn.close()


def test_response_headers_keep_repeats_and_order(httpd):
    exchange = send(httpd, path="/headers.jsp?status=200")
    assert exchange.status == 200
    assert exchange.message.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/", "c=3; Path=/"]
    assert exchange.message["X-Test-Header"] == "test value"
    assert ", ".join(exchange.message.get_all("X-Multi-Out")) == "one, two"
    assert exchange.body == b"headers status=200\n"


def test_response_headers_as_mod_jk_sets_them(httpd):
    odd = send(httpd, path="/respond.jsp?kind=type")
    assert odd.message["Content-Type"] == "text/plain;charset=UTF-8"
    twice = send(httpd, path="/respond.jsp?kind=locations")
    assert twice.status == 302 and twice.message.get_all("Location") == ["/second"]
    names = send(httpd, path="/respond.jsp?kind=names")
    assert "Last-Modified: Thu, 01 Jan 1970 00:00:00 GMT" in str(names.message)
    # A date in the future would make caches keep the page: it becomes the request's time.
    future = send(httpd, path="/respond.jsp?kind=future")
    sent = email.utils.parsedate_to_datetime(future.message["Last-Modified"])
    assert sent <= email.utils.parsedate_to_datetime(future.message["Date"])
    # What is no date at all stays as Tomcat sent it.
    bad = send(httpd, path="/respond.jsp?kind=baddate")
    assert bad.message["Last-Modified"] == "yesterday, about noon"


def test_custom_status_from_tomcat(httpd):
    exchange = send(httpd, path="/headers.jsp?status=299")
    assert exchange.status == 299
    assert exchange.body == b"headers status=299\n"


@pytest.mark.parametrize("code", [404, 500])
def test_tomcat_error_page_is_passed_through(httpd, code):
    response = get(httpd, f"/status.jsp?code={code}")
    assert response.status_code == code
    assert f"HTTP Status {code} \u2013" in response.text
    assert response.headers["Content-Type"].startswith("text/html")


# ---------------------------------------------------------------------------
# Concurrency and connection reuse
# ---------------------------------------------------------------------------

def test_64_concurrent_requests(any_mpm_httpd):
    count = 64
    start_together = threading.Barrier(count, timeout=TIMEOUT)

    def one(n):
        start_together.wait()
        response = requests.get(any_mpm_httpd.url(f"/echo.jsp?n={n}"), timeout=TIMEOUT,
                                headers={"X-Request-Number": str(n)})
        echo = response.json()
        return response.status_code, echo["queryString"], header_values(echo, "X-Request-Number")

    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(one, range(count)))
    assert results == [(200, f"n={n}", [str(n)]) for n in range(count)]


def test_backend_connections_are_reused(httpd):
    """Tomcat's own connection ids show how many AJP connections it accepted."""
    seen = set()
    with requests.Session() as client:  # one keep-alive client connection
        for n in range(200):
            echo = client.get(httpd.url(f"/echo.jsp?seq={n}"), timeout=TIMEOUT).json()
            seen.add(echo["connectionId"])
    for n in range(50):  # a new client connection each time
        seen.add(get(httpd, f"/echo.jsp?fresh={n}").json()["connectionId"])
    assert len(seen) <= 10, f"250 sequential requests used {len(seen)} AJP connections"


# ---------------------------------------------------------------------------
# Virtual hosts
# ---------------------------------------------------------------------------

VHOSTS_CONF = JK_BASE_CONF + """\
JkMount /*.jsp worker1

# The first vhost is the default for the address: no JkMount, no JkMountCopy.
<VirtualHost @HOST@:@PORT@>
    ServerName plain.test
</VirtualHost>

<VirtualHost @HOST@:@PORT@>
    ServerName own.test
    JkMount /echo.jsp worker1
</VirtualHost>

<VirtualHost @HOST@:@PORT@>
    ServerName copy.test
    JkMountCopy On
</VirtualHost>

<VirtualHost @HOST@:@PORT@>
    ServerName unmount.test
    JkMount /* worker1
    JkUnMount /*.html worker1
</VirtualHost>
"""


@pytest.fixture(scope="module")
def vhost_httpd(jk_module, make_module_httpd, tomcat):
    return make_module_httpd(conf=VHOSTS_CONF, files={"workers.properties": WORKER1},
                             **tomcat.placeholders(1))


def vhost_get(httpd, vhost, path):
    return get(httpd, path, headers={"Host": vhost})


def test_vhost_without_mounts_does_not_forward(vhost_httpd):
    assert not is_tomcat_page(vhost_get(vhost_httpd, "plain.test", "/index.jsp"))
    assert vhost_get(vhost_httpd, "plain.test", "/index.jsp").status_code == 404
    assert served_by_httpd(vhost_get(vhost_httpd, "plain.test", "/static.html"), vhost_httpd,
                           "static.html")


def test_vhost_with_own_mount_uses_only_its_own(vhost_httpd):
    assert vhost_get(vhost_httpd, "own.test", "/echo.jsp?v=own").json()["queryString"] == "v=own"
    response = vhost_get(vhost_httpd, "own.test", "/index.jsp")
    assert response.status_code == 404 and not is_tomcat_page(response)


def test_vhost_with_mountcopy_inherits_main_mounts(vhost_httpd):
    response = vhost_get(vhost_httpd, "copy.test", "/index.jsp")
    assert "Hello from Tomcat, route=worker1" in response.text


def test_unmount_wildcard_excludes_from_mount(vhost_httpd):
    assert "Hello from Tomcat" in vhost_get(vhost_httpd, "unmount.test", "/index.jsp").text
    for name in ("static.html", "index.html"):
        response = vhost_get(vhost_httpd, "unmount.test", f"/{name}")
        assert served_by_httpd(response, vhost_httpd, name)
    # Not a .html file, so mounted: Tomcat's own 404 page, not httpd's.
    missing = vhost_get(vhost_httpd, "unmount.test", "/missing.txt")
    assert missing.status_code == 404 and TOMCAT_ERROR_PAGE in missing.text


# ---------------------------------------------------------------------------
# Configuration errors are reported where they are, before httpd starts
# ---------------------------------------------------------------------------

def bad_workers_file(make_httpd, bad_line):
    """An httpd whose workers.properties has bad_line as its last line, line 7.

    Last, because a later line for the same key replaces an earlier one.
    Returns (httpd, returncode, output) of the configtest.
    """
    workers = "\n".join([
        "# workers.properties with one mistake, on line 7",
        "worker.list=worker1",
        "",
        "worker.worker1.type=ajp13",
        "worker.worker1.host=127.0.0.1",
        "worker.worker1.port=8009",
        bad_line,
        "",
    ])
    httpd = make_httpd(conf=JK_BASE_CONF + "JkMount /*.jsp worker1\n",
                       files={"workers.properties": workers}, start=False)
    returncode, output = httpd.configtest()
    return httpd, returncode, output


def test_unknown_worker_key_is_refused_with_a_suggestion(make_httpd, jk_module):
    httpd, returncode, output = bad_workers_file(make_httpd, "worker.worker1.sockettimeout=10")
    assert returncode != 0, output
    assert "workers.properties:7:" in output
    assert "sockettimeout" in output
    assert "socket_timeout" in output  # did you mean ...
    with pytest.raises(jk.HarnessError):
        httpd.start(timeout=10)


@pytest.mark.parametrize("bad_line, offending", [("worker.worker1.type=ajp15", "ajp15"),
                                                 ("worker.worker1.port=eighty", "eighty")])
def test_bad_worker_value_is_refused_with_its_line(make_httpd, jk_module, bad_line, offending):
    _, returncode, output = bad_workers_file(make_httpd, bad_line)
    assert returncode != 0, output
    assert "workers.properties:7:" in output
    assert offending in output


def test_missing_workers_file_is_refused_with_its_path(make_httpd, jk_module):
    conf = JK_BASE_CONF.replace("workers.properties", "no-such-workers.properties")
    httpd = make_httpd(conf=conf, start=False)
    returncode, output = httpd.configtest()
    assert returncode != 0, output
    assert str(httpd.conf_dir / "no-such-workers.properties") in output


# ---------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------

def test_without_workers_file_ajp13_goes_to_localhost_8009(make_httpd, make_tomcat, jk_module):
    if jk.port_open("127.0.0.1", 8009) or jk.port_open("::1", 8009):
        pytest.skip("port 8009 is in use on this machine")
    backend = make_tomcat(host="127.0.0.1", ajp_port=8009, jvm_route="default8009")
    httpd = make_httpd(conf="""\
LoadModule jk_module @MODULE_PATH@
JkLogFile @LOG_DIR@/mod_jk.log
JkMount /*.jsp ajp13
""")
    echo = get(httpd, "/echo.jsp?default").json()
    assert echo["route"] == backend.jvm_route
    assert echo["queryString"] == "default"


def test_worker_properties_written_inline(make_httpd, tomcat, jk_module):
    inline = "".join(f"JkWorkerProperty {line}\n" for line in WORKER1.splitlines())
    httpd = make_httpd(conf=JK_BASE_CONF.replace("JkWorkersFile @CONF_DIR@/workers.properties\n",
                                                 inline) + "JkMount /*.jsp worker1\n",
                       **tomcat.placeholders(1))
    assert get(httpd, "/echo.jsp?inline").json()["queryString"] == "inline"


# ---------------------------------------------------------------------------
# mod_jk.log
# ---------------------------------------------------------------------------

def test_jk_log_lines_carry_the_configured_stamp(httpd, tomcat):
    assert get(httpd, "/index.jsp").status_code == 200
    assert httpd.wait_log(r"worker1"), "mod_jk.log never mentions worker1"
    lines = [line for line in httpd.jk_log().splitlines() if line.strip()]
    assert lines
    for line in lines:
        match = COMPAT_STAMP.match(line)
        assert match, f"line without the JkLogStampFormat stamp: {line!r}"
    newest = time.mktime(time.strptime(COMPAT_STAMP.match(lines[-1])["stamp"], COMPAT_STAMP_FORMAT))
    assert abs(newest - time.time()) < 300, "the stamp is not the local time"


def test_jk_log_names_the_worker_and_its_backend(httpd, tomcat):
    assert get(httpd, "/index.jsp").status_code == 200
    address = f"{tomcat.host}:{tomcat.ajp_port}"
    assert httpd.wait_log(re.escape(address)), f"mod_jk.log never mentions {address}"
    assert "worker1" in httpd.jk_log()


def test_backend_down_gives_503_and_the_log_says_where(make_httpd, jk_module):
    closed_port = jk.free_port()  # nobody listens there
    httpd = make_httpd(conf=JK_BASE_CONF + "JkMount /*.jsp worker1\n",
                       files={"workers.properties": WORKER1},
                       TOMCAT1_HOST="127.0.0.1", TOMCAT1_AJP_PORT=closed_port)
    assert get(httpd, "/index.jsp").status_code == 503
    line = rf"(?m)^.*(worker1.*127\.0\.0\.1:{closed_port}|127\.0\.0\.1:{closed_port}.*worker1).*$"
    assert httpd.wait_log(line), "no mod_jk.log line names worker1 and its address"


# httpd 2.4 starts a piped log program without a shell unless the pipe is written "|$";
# Apache mod_jk opens JkLogFile pipes the same way (ap_open_piped_log).
PIPED_LOGS = {
    "rotatelogs": ('JkLogFile "|/usr/bin/rotatelogs @LOG_DIR@/jk-rotated.%Y%m%d.log 86400"',
                   "jk-rotated.*.log"),
    "shell": ('JkLogFile "|$/bin/cat >> @LOG_DIR@/jk-piped.log"', "jk-piped.log"),
}


@pytest.mark.parametrize("kind", sorted(PIPED_LOGS))
def test_piped_jk_log(make_httpd, tomcat, jk_module, kind):
    directive, written = PIPED_LOGS[kind]
    conf = JK_BASE_CONF.replace("JkLogFile @LOG_DIR@/mod_jk.log", directive)
    httpd = make_httpd(conf=conf + "JkMount /*.jsp worker1\n",
                       files={"workers.properties": WORKER1}, **tomcat.placeholders(1))
    assert get(httpd, "/index.jsp").status_code == 200

    def stamped_lines():
        text = "".join(log.read_text(errors="replace") for log in httpd.log_dir.glob(written))
        return [line for line in text.splitlines() if COMPAT_STAMP.match(line)]

    assert jk.wait_until(stamped_lines, 10), f"nothing arrived through {directive}"
    assert not (httpd.log_dir / "mod_jk.log").exists()
