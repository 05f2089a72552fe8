"""Differential tests: every request shape below goes through this module and through
Debian's mod_jk 1.2.48, each loaded in an httpd of its own with the same configuration, to
the same Tomcat. What Tomcat saw (echo.jsp's report: method, URI, query, protocol, every
header in order, body length and digest, addresses, scheme, user, attributes) and what the
client got (status, interim 100, headers, framing, body) must be the same, except for the
differences docs/compatibility.md lists as deliberate: the test asserts exactly that list,
so a new difference fails it, and so does a listed one that went away. The URI shapes run
again under each of VARIANTS (JkOptions forwarding forms, JkStripSession).

Requests are written to raw sockets, byte for byte, so nothing normalises them on the way;
each one has Connection: close, so the response ends where the connection does.

The reference module is unpacked (never installed) by scripts/fetch-reference-mod-jk.sh,
which scripts/install-deps.sh runs, into $JK_REFERENCE_CACHE (default .cache/reference-mod-jk);
$JK_REFERENCE_MODULE names another copy.
"""
import base64
import hashlib
import json
import os
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

import pytest

import jkharness as jk

REFERENCE_CACHE = Path(os.environ.get("JK_REFERENCE_CACHE",
                                     jk.REPO / ".cache" / "reference-mod-jk"))
REFERENCE_MODULE = Path(os.environ.get(
    "JK_REFERENCE_MODULE",
    REFERENCE_CACHE / "root" / "usr" / "lib" / "apache2" / "modules" / "mod_jk.so"))
COMPATIBILITY_DOC = jk.REPO / "docs" / "compatibility.md"
TIMEOUT = 60
HOST = "diff.example"
USER, PASSWORD = "alice", "wonder land"
DOWN_PORT = jk.free_port()  # nothing listens there: the worker "down" has no Tomcat

CONF = """\
LoadModule jk_module {module}
JkWorkersFile @CONF_DIR@/workers.properties
JkLogFile @LOG_DIR@/mod_jk.log
JkShmFile @LOG_DIR@/jk-runtime-status
JkLogLevel info
SetEnv JK_TEST_SET from-httpd
JkEnvVar JK_TEST_SET
JkEnvVar JK_TEST_DEFAULT fallback
JkEnvVar JK_TEST_UNSET
JkMount /* worker1
JkMount /echo/lb/* balancer
JkMount /echo/down/* down
JkUnMount /index.html worker1
<Location /echo/auth/>
    AuthType Basic
    AuthName "differential"
    AuthBasicProvider file
    AuthUserFile @CONF_DIR@/htpasswd
    Require valid-user
</Location>
"""

# Two HTTPS hosts: one with the SSLOptions mod_jk's documentation asks for, so that it
# can forward the TLS facts, and one without them.
TLS_VHOST = """\
Listen 127.0.0.1:{port}
<VirtualHost 127.0.0.1:{port}>
    SSLEngine on
    SSLCertificateFile {pki}/server.pem
    SSLCertificateKeyFile {pki}/server.key
    SSLCACertificateFile {pki}/root.pem
    SSLVerifyClient optional
    SSLVerifyDepth 3
    {options}
    JkMount /* worker1
</VirtualHost>
"""
TLS_OPTIONS = {"tls": "SSLOptions +StdEnvVars +ExportCertData", "tls-bare": ""}


@dataclass
class Side:
    """One httpd of the pair: its plain port, and its HTTPS ports by TLS_OPTIONS key."""
    httpd: jk.Httpd
    tls_ports: dict


def _htpasswd():
    """USER's entry in {SHA} form, which httpd's authn_file reads without any helper tool."""
    digest = base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()
    return f"{USER}:{{SHA}}{digest}\n"


def _start_side(make_module_httpd, tomcat, pki, module, options):
    tls_ports = {kind: jk.free_port() for kind in TLS_OPTIONS}
    conf = CONF.format(module=module) + options + "\n" + "".join(
        TLS_VHOST.format(port=tls_ports[kind], pki=pki, options=options)
        for kind, options in TLS_OPTIONS.items())
    # A plain ajp13 worker, and an lb whose two members both lead to the one Tomcat: the
    # second is disabled, so only requests whose session names its route reach it.
    workers = f"worker.list=worker1,balancer,down\nworker.down.port={DOWN_PORT}\n" + "".join(
        f"worker.{name}.type=ajp13\nworker.{name}.host={tomcat.host}\n"
        f"worker.{name}.port={tomcat.ajp_port}\n" for name in ("worker1", "member1", "member2"))
    workers += ("worker.member1.route=r1\nworker.member2.route=r2\n"
                "worker.member2.activation=D\n"
                "worker.balancer.type=lb\nworker.balancer.balance_workers=member1,member2\n")
    httpd = make_module_httpd(conf, files={"workers.properties": workers, "htpasswd": _htpasswd()},
                              modules=("ssl",))
    return Side(httpd, tls_ports)


@pytest.fixture(scope="module")
def make_pair(make_module_httpd, tomcat, pki, jk_module):
    """make_pair(options): (this module's side, the reference's side), both configured with
    CONF plus options, in front of one Tomcat; made once per options text."""
    if not REFERENCE_MODULE.is_file():
        pytest.fail(f"Debian's mod_jk not found at {REFERENCE_MODULE}: run "
                    "scripts/fetch-reference-mod-jk.sh (scripts/install-deps.sh does)")
    made = {}

    def make(options=""):
        if options not in made:
            made[options] = tuple(_start_side(make_module_httpd, tomcat, pki, module, options)
                                  for module in (jk_module, REFERENCE_MODULE))
        return made[options]
    return make


@pytest.fixture(scope="module")
def pair(make_pair):
    """The pair with the defaults: what most sites run."""
    return make_pair()


@pytest.fixture(scope="module")
def users_pair(make_module_httpd, tomcat, jk_module):
    """Both modules with a user's own configuration (conf/examples/httpd-jk-single.conf and
    workers-single.properties), only hosts, ports and paths filled in."""
    sides = []
    for module in (jk_module, REFERENCE_MODULE):
        conf = jk.compat_text("httpd-jk-single.conf").replace("@MODULE_PATH@", str(module))
        workers = jk.compat_text("workers-single.properties")
        httpd = make_module_httpd(conf, files={"workers.properties": workers},
                                  **tomcat.placeholders())
        sides.append(Side(httpd, {}))
    return tuple(sides)


# ---------------------------------------------------------------------------
# Request shapes
# ---------------------------------------------------------------------------

@dataclass
class Shape:
    """A request as bytes; with continue_body, those bytes follow the interim 100.
    tls: None (plain HTTP) or a TLS_OPTIONS key; client_cert: present the client's
    certificate and its chain."""
    name: str
    raw: bytes
    continue_body: bytes = None
    tls: str = None
    head: bool = False
    client_cert: bool = False
    own_headers: tuple = ()  # lower-case names of headers each httpd makes its own way


def request(method, target, headers=(), body=b"", protocol="HTTP/1.1", host=True,
            length=True):
    """The bytes of one request: Host (HOST, the given one, or none if False), the headers as
    given, Content-Length of the body (unless length is False), Connection: close."""
    lines = [f"{method} {target} {protocol}".encode("latin-1") if isinstance(target, str)
             else method.encode() + b" " + target + b" " + protocol.encode()]
    if host:
        lines.append(f"Host: {HOST if host is True else host}".encode())
    for name, value in headers:
        lines.append(name.encode("latin-1") + b":" + (b" " if value else b"") +
                     value.encode("latin-1"))
    if body and length:
        lines.append(f"Content-Length: {len(body)}".encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def chunked(body, size=65536, trailer=b""):
    """body in chunks of size bytes, then the last chunk and an optional trailer."""
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size])
             for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n" + trailer + b"\r\n"


def pattern(size):
    return jk.download_pattern(size)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


ECHO = "/echo/shape"
DAV_BODY = b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>'


def _method_shapes():
    shapes = [Shape("GET", request("GET", ECHO)),
              Shape("HEAD echo", request("HEAD", ECHO), head=True),
              Shape("POST form", request("POST", ECHO, [("Content-Type",
                    "application/x-www-form-urlencoded")], b"a=1&b=%20two")),
              Shape("POST without body", request("POST", ECHO)),
              Shape("PUT", request("PUT", ECHO, [("Content-Type", "text/plain")], b"put body")),
              Shape("PATCH", request("PATCH", ECHO, [("Content-Type", "application/json")],
                                     b'{"a": 1}')),
              Shape("DELETE", request("DELETE", ECHO)),
              Shape("OPTIONS", request("OPTIONS", ECHO)),
              Shape("TRACE", request("TRACE", ECHO)),
              Shape("PROPFIND", request("PROPFIND", ECHO, [("Depth", "1"), (
                    "Content-Type", "application/xml")], DAV_BODY)),
              Shape("PROPPATCH", request("PROPPATCH", ECHO, [("Content-Type", "text/xml")],
                                         DAV_BODY)),
              Shape("MKCOL", request("MKCOL", ECHO + "/col/")),
              Shape("COPY", request("COPY", ECHO, [("Destination", f"http://{HOST}/echo/b"),
                                                   ("Overwrite", "F")])),
              Shape("MOVE", request("MOVE", ECHO, [("Destination", f"http://{HOST}/echo/c")])),
              Shape("LOCK", request("LOCK", ECHO, [("Timeout", "Second-60")], DAV_BODY)),
              Shape("UNLOCK", request("UNLOCK", ECHO, [("Lock-Token", "<opaquelocktoken:1>")])),
              Shape("REPORT", request("REPORT", ECHO, [], DAV_BODY)),
              Shape("SEARCH", request("SEARCH", ECHO, [], DAV_BODY)),
              Shape("VERSION-CONTROL", request("VERSION-CONTROL", ECHO)),
              Shape("MKACTIVITY", request("MKACTIVITY", ECHO)),
              Shape("ACL", request("ACL", ECHO, [], DAV_BODY)),
              Shape("unknown PURGE", request("PURGE", ECHO)),
              Shape("unknown BREW with body", request("BREW", ECHO, [], b"coffee")),
              Shape("HTTP/1.0 GET", request("GET", ECHO, protocol="HTTP/1.0", host=False)),
              Shape("HTTP/1.0 POST", request("POST", ECHO, body=b"ten bytes!",
                                             protocol="HTTP/1.0")),
              ]
    return shapes


def _uri_shapes():
    targets = [
        ("query plain", ECHO + "?a=1&b=two"),
        ("query empty", ECHO + "?"),
        ("query repeated keys", ECHO + "?a=1&a=2&a="),
        ("query percent-encoded", ECHO + "?q=%41%2B%20%26%3D%25&r=%C3%A9"),
        ("query plus and raw specials", ECHO + "?q=a+b&s=/?:@!$'()*,;"),
        ("query invalid escapes", ECHO + "?q=%zz&r=%&t=%0"),
        ("path percent-encoded space", "/echo/a%20b"),
        ("path percent-encoded UTF-8", "/echo/caf%C3%A9/%E2%82%AC"),
        ("path encoded reserved", "/echo/a%3Bb%3Fc%23d"),
        ("path encoded percent", "/echo/100%25"),
        ("path jsessionid", "/echo/cart;jsessionid=ABC123.worker1?x=1"),
        ("path parameters", "/echo/a;v=1/b;w=2;x=3/c"),
        ("path dot segments", "/echo/./a/../b/./c"),
        ("path encoded dot segments", "/echo/a/%2e%2e/b/%2E/c"),
        ("path double slashes", "/echo//a///b"),
        ("path encoded slash", "/echo/a%2Fb"),
        ("path tilde and unreserved", "/echo/~user/a-b_c.d"),
    ]
    shapes = [Shape(name, request("GET", target)) for name, target in targets]
    shapes.append(Shape("path raw UTF-8", request("GET", "/echo/café/€".encode())))
    shapes.append(Shape("query raw UTF-8", request("GET", "/echo/q?name=é€".encode())))
    return shapes


def _header_shapes():
    sixty = [(f"X-Header-{i:02d}", f"value {i}") for i in range(60)]
    cookie = "; ".join(f"c{i}={'v' * 60}" for i in range(64))[:4096]
    return [
        Shape("headers odd case", request("GET", ECHO, [
            ("Accept-Charset", "utf-8"), ("ACCEPT-language", "ko, en;q=0.5"),
            ("accept-encoding", "identity"), ("ACCEPT", "text/html"),
            ("user-AGENT", "diff/1"), ("rEFERER", "http://a.example/"),
            ("PRAGMA", "no-cache"), ("x-lower", "l"), ("X-UPPER", "U"), ("X-mIxEd", "m")])),
        Shape("headers repeated", request("GET", ECHO, [
            ("X-Multi", "one"), ("X-Other", "between"), ("X-Multi", "two"),
            ("x-multi", "three")])),
        Shape("cookies repeated", request("GET", ECHO, [
            ("Cookie", "a=1"), ("Cookie", "b=2; c=3"), ("Cookie2", "$Version=1")])),
        Shape("60 headers", request("GET", ECHO, sixty)),
        Shape("6 KiB header", request("GET", ECHO, [("X-Big", "b" * 6144)])),
        Shape("4 KiB cookie", request("GET", ECHO, [("Cookie", cookie)])),
        Shape("empty header values", request("GET", ECHO, [
            ("X-Empty", ""), ("Accept", ""), ("User-Agent", ""), ("X-After", "x")])),
        Shape("header value with spaces and tabs", request("GET", ECHO, [
            ("X-Spaces", "a  b\tc"), ("X-Trailing", "v   ")])),
        Shape("Authorization passthrough", request("GET", ECHO, [
            ("Authorization", "Bearer abc.def.ghi")])),
        Shape("httpd Basic auth", request("GET", "/echo/auth/page", [
            ("Authorization", _basic(USER, PASSWORD))])),
        Shape("httpd Basic auth refused", request("GET", "/echo/auth/page", [
            ("Authorization", _basic(USER, "wrong"))])),
        Shape("Host with port", request("GET", ECHO, host="a.example:8123")),
        Shape("absolute-form target", request("GET", f"http://{HOST}/echo/absolute?x=1")),
        Shape("Content-Type without body", request("GET", ECHO, [
            ("Content-Type", "text/plain; charset=ISO-8859-1")])),
        Shape("X-Forwarded headers", request("GET", ECHO, [
            ("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https")])),
        Shape("headers beyond one AJP packet", request("GET", ECHO, [
            ("X-Big-1", "a" * 6000), ("X-Big-2", "b" * 4000)])),
        Shape("URI of 3 KiB", request("GET", ECHO + ("/" + "u" * 63) * 48)),
        Shape("query of 300 parameters", request("GET", ECHO + "?" + "&".join(
            f"p{i}=v{i}" for i in range(300)))),
        Shape("Content-Length and chunked together", request("POST", ECHO, [
            ("Content-Length", "5"), ("Transfer-Encoding", "chunked")], length=False) +
            chunked(b"hello")),
        Shape("lowercase method", request("get", ECHO)),
    ]


def _conditional_shapes():
    static = "/static.txt"
    return [
        Shape("static GET", request("GET", static)),
        Shape("If-Modified-Since future", request("GET", static, [
            ("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")])),
        Shape("If-Modified-Since past", request("GET", static, [
            ("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")])),
        Shape("If-None-Match star", request("GET", static, [("If-None-Match", "*")])),
        Shape("If-Match mismatch", request("PUT", static, [("If-Match", '"nope"')], b"x")),
        Shape("Range single", request("GET", static, [("Range", "bytes=0-9")])),
        Shape("Range multiple", request("GET", static, [("Range", "bytes=0-1,5-6")])),
        Shape("Range unsatisfiable", request("GET", static, [("Range", "bytes=9999-")])),
        Shape("If-Range with stale date", request("GET", static, [
            ("Range", "bytes=0-3"), ("If-Range", "Thu, 01 Jan 1970 00:00:00 GMT")])),
        Shape("HEAD static", request("HEAD", static), head=True),
    ]


def _body_shapes():
    small, big, huge = pattern(1000), pattern(3 * 1024 * 1024), pattern(5 * 1024 * 1024)
    te = [("Transfer-Encoding", "chunked")]
    cont = [("Expect", "100-continue")]
    return [
        Shape("Content-Length body 1000 B", request("POST", ECHO, body=small)),
        Shape("Content-Length body 5 MiB", request("POST", ECHO, body=huge)),
        Shape("chunked body small", request("POST", ECHO, te, length=False) + chunked(small, 300)),
        Shape("chunked body 3 MiB", request("POST", ECHO, te, length=False) + chunked(big)),
        Shape("chunked body with trailer", request("POST", ECHO, te, length=False) +
              chunked(small, 1000, b"X-Trailer: t\r\n")),
        Shape("chunked body empty", request("POST", ECHO, te, length=False) + b"0\r\n\r\n"),
        Shape("Content-Length 0 POST", request("POST", ECHO, [("Content-Length", "0")])),
        Shape("GET with body", request("GET", ECHO, body=b"get body")),
        Shape("Expect 100-continue Content-Length",
              request("POST", ECHO, cont + [("Content-Length", str(len(big)))]), big),
        Shape("Expect 100-continue chunked",
              request("POST", ECHO, cont + te, length=False), chunked(small, 256)),
        Shape("Expect 100-continue to a page that reads no body",
              request("POST", "/headers.jsp", cont + [("Content-Length", "1000")]), small),
        Shape("Expect 100-continue to a missing page",
              request("POST", "/no-such-page.jsp", cont + [("Content-Length", "1000")]), small),
        Shape("body to a page that reads none", request("POST", "/headers.jsp", body=big)),
    ]


def _response_shapes():
    return [
        Shape("response 204", request("GET", "/headers.jsp?status=204")),
        Shape("response 304", request("GET", "/headers.jsp?status=304")),
        Shape("response 404 with headers", request("GET", "/headers.jsp?status=404")),
        Shape("response repeated Set-Cookie", request("GET", "/headers.jsp")),
        Shape("HEAD of headers page", request("HEAD", "/headers.jsp"), head=True),
        Shape("response missing page", request("GET", "/no-such-page.jsp")),
        Shape("response large with length", request("GET", "/download.jsp?size=4000000&cl=1")),
        Shape("response large streamed", request("GET", "/download.jsp?size=3000000")),
        Shape("HEAD of large download", request("HEAD", "/download.jsp?size=300000&cl=1"),
              head=True),
        Shape("response streamed in parts", request("GET", "/stream.jsp?parts=5&size=2000&ms=20")),
        Shape("HTTP/1.0 streamed response", request("GET", "/download.jsp?size=100000",
                                                    protocol="HTTP/1.0")),
        Shape("welcome page", request("GET", "/")),
        # Each httpd has its own copy of the file: its own ETag and modification time.
        Shape("unmounted file served by httpd", request("GET", "/index.html"),
              own_headers=("etag", "last-modified")),
        Shape("worker without a Tomcat", request("GET", "/echo/down/page")),
        Shape("POST to a worker without a Tomcat", request("POST", "/echo/down/page",
                                                           body=pattern(5000))),
    ] + [
        Shape(f"response {kind}", request("GET", f"/respond.jsp?kind={kind}"))
        for kind in ("redirect", "error", "auth", "names", "many", "big", "empty",
                     "unavailable", "type", "baddate", "locations")
    ]


def _lb_shapes():
    lb = "/echo/lb/page"
    return [
        Shape("lb without session", request("GET", lb)),
        Shape("lb session cookie to disabled member", request("GET", lb, [
            ("Cookie", "JSESSIONID=0123456789ABCDEF.r2")])),
        Shape("lb session path parameter", request("GET", lb + ";jsessionid=0123.r1?x=1")),
        Shape("lb session of unknown route", request("GET", lb, [
            ("Cookie", "JSESSIONID=0123.nosuch")])),
        Shape("lb POST to disabled member", request("POST", lb, [
            ("Cookie", "JSESSIONID=0123.r2")], pattern(70000))),
    ]


def _tls_shapes():
    return [
        Shape("TLS GET", request("GET", ECHO + "?tls=1"), tls="tls"),
        Shape("TLS POST", request("POST", ECHO, body=pattern(20000)), tls="tls"),
        Shape("TLS client certificate", request("GET", ECHO), tls="tls", client_cert=True),
        Shape("TLS without StdEnvVars", request("GET", ECHO), tls="tls-bare"),
    ]


# Configurations besides the defaults, each with the shapes whose handling it changes.
VARIANTS = {
    "ForwardURICompatUnparsed": "JkOptions +ForwardURICompatUnparsed",
    "ForwardURICompat": "JkOptions +ForwardURICompat",
    "ForwardURIEscaped": "JkOptions +ForwardURIEscaped",
    "JkStripSession": "JkStripSession On",
    "FlushPackets": "JkOptions +FlushPackets",
}
VARIANT_SHAPES = [Shape("GET", request("GET", ECHO))] + _uri_shapes()

# Shapes answered with an error: by httpd (encoded slash, wrong password, headers too large
# for a packet, no Tomcat behind the worker) or by Tomcat, as the page was asked to.
EXPECTED_ERRORS = {"path encoded slash": "404", "httpd Basic auth refused": "401",
                   "If-Match mismatch": "405", "Range unsatisfiable": "416",
                   "response 404 with headers": "404", "response missing page": "404",
                   "response error": "500", "response auth": "401",
                   "response unavailable": "503", "headers beyond one AJP packet": "431",
                   "worker without a Tomcat": "503", "POST to a worker without a Tomcat": "503",
                   "Expect 100-continue to a missing page": "404"}

SHAPES = (_method_shapes() + _uri_shapes() + _header_shapes() + _conditional_shapes() +
          _body_shapes() + _response_shapes() + _lb_shapes() + _tls_shapes())


# ---------------------------------------------------------------------------
# Sending and reading, byte for byte
# ---------------------------------------------------------------------------

def _connect(side, shape, pki):
    port = side.tls_ports[shape.tls] if shape.tls else side.httpd.port
    sock = socket.create_connection((side.httpd.host, port), timeout=TIMEOUT)
    if not shape.tls:
        return sock
    context = ssl.create_default_context(cafile=str(pki / "root.pem"))
    context.check_hostname = False
    if shape.client_cert:
        context.load_cert_chain(pki / "client-chain.pem", pki / "client.key")
    return context.wrap_socket(sock)


def _read_head(sock, data=b""):
    """Read until the end of one response head: (head, bytes read after it)."""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            break
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _read_all(sock, data):
    while True:
        try:
            more = sock.recv(1 << 20)
        except ssl.SSLError:
            break
        if not more:
            return data
        data += more
    return data


def send(side, shape, pki):
    """Send the shape; (interim status lines, final head, raw body bytes)."""
    with _connect(side, shape, pki) as sock:
        sock.sendall(shape.raw)
        interim = []
        rest = b""
        if shape.continue_body is not None:
            head, rest = _read_head(sock)
            if head.startswith(b"HTTP/1.1 100"):
                interim.append(head.split(b"\r\n")[0].decode())
                head = None
            sock.sendall(shape.continue_body)
            if head is not None:
                return interim, head, _read_all(sock, rest)
        head, rest = _read_head(sock, rest)
        while head.startswith(b"HTTP/1.1 100"):
            interim.append(head.split(b"\r\n")[0].decode())
            head, rest = _read_head(sock, rest)
        return interim, head, _read_all(sock, rest)


def dechunk(data):
    """The payload of a chunked body, and whether the framing was complete."""
    out, pos = b"", 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return out, False
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return out, True
        out += data[end + 2:end + 2 + size]
        pos = end + 4 + size


# ---------------------------------------------------------------------------
# What a client and the application see, with what differs by nature left out
# ---------------------------------------------------------------------------

def _own_ports(side):
    return {side.httpd.port, *side.tls_ports.values()}


def _without_ports(value, ports):
    """value with the side's own port numbers (which differ by nature) written as PORT."""
    if isinstance(value, int) and not isinstance(value, bool) and value in ports:
        return "PORT"
    if isinstance(value, str):
        for port in ports:
            value = value.replace(f":{port}", ":PORT")
        return value
    if isinstance(value, list):
        return [_without_ports(v, ports) for v in value]
    if isinstance(value, dict):
        return {k: _without_ports(v, ports) for k, v in value.items()}
    return value


# Facts that differ between any two connections: the client's port, Tomcat's connection
# id, the TLS session id (compared as present or not).
PER_CONNECTION = ("remotePort", "connectionId")
PER_CONNECTION_ATTRIBUTES = ("AJP_REMOTE_PORT",)
TLS_SESSION = "jakarta.servlet.request.ssl_session_id"


def _tomcat_view(body, ports):
    seen = json.loads(body)
    for key in PER_CONNECTION:
        seen.pop(key, None)
    attributes = seen.get("attributes", {})
    for key in PER_CONNECTION_ATTRIBUTES:
        attributes.pop(key, None)
    if TLS_SESSION in attributes:
        attributes[TLS_SESSION] = "present"
    # An array's toString() is its identity hash; certSubjects compares the certificates.
    for key, value in attributes.items():
        attributes[key] = re.sub(r"^(\[L[\w.]+;)@[0-9a-f]+$", r"\1", value)
    return _without_ports(seen, ports)


# Tomcat's session ids (a new one for each response that creates a session).
SESSION_ID = re.compile(rb"[0-9A-F]{32}")


def _headers(head):
    lines = SESSION_ID.sub(b"SESSION", head).decode("latin-1").split("\r\n")
    return lines[0], [tuple(part.strip() if i else part
                            for i, part in enumerate(line.split(":", 1)))
                      for line in lines[1:] if line]


FRAMING_HEADERS = ("content-length", "transfer-encoding")


def observe(side, shape, pki):
    """{field: value} of one exchange, for comparison across the two sides.

    The Server header and the framing (Content-Length, Transfer-Encoding, or the end of the
    connection) are fields of their own, apart from the other response headers.
    """
    interim, head, raw = send(side, shape, pki)
    status, headers = _headers(head)
    names = {n.lower(): v for n, v in headers}
    chunked_framing = names.get("transfer-encoding", "").lower() == "chunked"
    complete = True
    body = raw
    if chunked_framing:
        body, complete = dechunk(raw)
    framing = ("chunked" if chunked_framing else "length" if "content-length" in names
               else "none" if shape.head or not raw else "close")
    length_ok = "content-length" not in names or shape.head or \
        int(names["content-length"]) == len(body)
    is_json = names.get("content-type", "").startswith("application/json")
    ports = _own_ports(side)
    # The report's length varies with the client's port number: checked by length_ok.
    length = None if is_json else names.get("content-length")
    facts = {
        "response.status": status,
        "response.interim": interim,
        "response.server": names.get("server"),
        "response.headers": [(n, _without_ports(v, ports)) for n, v in headers
                             if n.lower() not in ("date", "server") + FRAMING_HEADERS +
                             shape.own_headers],
        "response.framing": (framing, length, complete, length_ok),
    }
    if is_json and body:
        for key, value in _tomcat_view(body, ports).items():
            facts[f"request.{key}"] = value
    else:
        body = SESSION_ID.sub(b"SESSION", body)
        facts["response.body"] = (len(body), hashlib.sha256(body).hexdigest())
    return facts


def differences(ours, reference):
    """Fields whose values differ, with both values."""
    fields = sorted(set(ours) | set(reference))
    return {f: (ours.get(f), reference.get(f)) for f in fields if ours.get(f) != reference.get(f)}


# ---------------------------------------------------------------------------
# The documented list
# ---------------------------------------------------------------------------

_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|")


def documented_differences():
    """(shape, field) rows of the table under 'Differential test' in docs/compatibility.md;
    shape `*` stands for every shape where the field differs."""
    text = COMPATIBILITY_DOC.read_text()
    section = text.split("## Differential test", 1)[1].split("\n## ", 1)[0]
    return {(m.group(1), m.group(2)) for m in map(_ROW.match, section.splitlines()) if m}


def unexplained(found, documented):
    """Differences no row explains, and rows that explain no difference."""
    def explained(shape, field):
        return (shape, field) in documented or ("*", field) in documented
    new = sorted(k for k in found if not explained(*k))
    gone = sorted(row for row in documented
                  if not any(row[1] == f and row[0] in ("*", s) for s, f in found))
    return new, gone


def test_enough_request_shapes_with_unique_names():
    assert len(USERS_SHAPES) >= 40
    names = [s.name for s in SHAPES]
    assert len(names) == len(set(names))
    assert len(SHAPES) >= 50
    doc = COMPATIBILITY_DOC.read_text()
    assert f"({len(SHAPES)} shapes:" in doc and f"And {len(USERS_SHAPES)} of the shapes" in doc


def compare(pair, shapes, pki, prefix=""):
    """Each shape through both sides: (differences by (prefix + shape, field), our side's
    facts by shape name). With $JK_DIFF_REPORT set, the differences and our statuses are
    written to that file (one per prefix)."""
    ours, reference = pair
    found, seen = {}, {}
    for shape in shapes:
        mine = seen[shape.name] = observe(ours, shape, pki)
        for field, values in differences(mine, observe(reference, shape, pki)).items():
            found[(prefix + shape.name, field)] = values
    if os.environ.get("JK_DIFF_REPORT"):
        suffix = re.sub(r"[^A-Za-z0-9]+", "-", prefix).strip("-")
        report = Path(os.environ["JK_DIFF_REPORT"] + (f".{suffix}" if suffix else ""))
        report.write_text(json.dumps(
            {"differences": [[s, f, a, b] for (s, f), (a, b) in sorted(found.items())],
             "statuses": {n: [f["response.status"], f["response.interim"]]
                          for n, f in seen.items()}}, indent=1, default=str))
    return found, seen


def assert_documented(found, documented, check_gone=True):
    new, gone = unexplained(found, documented)
    if not check_gone:
        gone = [row for row in gone if row[0] != "*"]
    report = "\n".join(f"{shape} / {field}:\n  ours: {found[(shape, field)][0]!r}\n"
                       f"  mod_jk: {found[(shape, field)][1]!r}" for shape, field in new)
    assert not new, f"differences docs/compatibility.md does not list:\n{report}"
    assert not gone, f"listed in docs/compatibility.md but no longer found: {gone}"


def _variant_of(shape):
    """The VARIANTS key a documented shape name starts with ('NAME: shape'), or None."""
    name = shape.split(": ", 1)[0]
    return name if ": " in shape and name in VARIANTS else None


def test_same_requests_give_tomcat_and_the_client_the_same_as_mod_jk(pair, pki):
    found, seen = compare(pair, SHAPES, pki)
    statuses = {name: [f["response.status"], f["response.interim"]] for name, f in seen.items()}
    # Both sides agreeing on an error would hide everything else: only these shapes may
    # fail, each for its own reason (httpd refuses them, or Tomcat answers as asked).
    failing = {name: status.split()[1] for name, (status, _) in statuses.items()
               if not status.split()[1].startswith(("2", "3"))}
    assert failing == EXPECTED_ERRORS
    assert statuses["Expect 100-continue Content-Length"][1] == ["HTTP/1.1 100 Continue"]
    disabled = seen["lb session cookie to disabled member"]["request.attributes"]
    assert disabled["JK_LB_ACTIVATION"] == "DIS"
    assert_documented(found, {row for row in documented_differences()
                              if _variant_of(row[0]) is None})


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_uri_options_give_tomcat_the_same_as_mod_jk(make_pair, pki, variant):
    """The URI shapes again, with a JkOptions forwarding form or JkStripSession."""
    found, _ = compare(make_pair(VARIANTS[variant]), VARIANT_SHAPES, pki, f"{variant}: ")
    # The `*` rows may apply here or not (FlushPackets changes the framing): the main test
    # checks that they are still found.
    assert_documented(found, {row for row in documented_differences()
                              if row[0] == "*" or _variant_of(row[0]) == variant},
                      check_gone=False)


def _as_echo_jsp(shape):
    """The shape sent to /echo.jsp, which the user's configuration mounts (/*.jsp)."""
    return Shape(shape.name, shape.raw.replace(ECHO.encode(), b"/echo.jsp", 1),
                 shape.continue_body, shape.tls, shape.head, shape.client_cert)


def _target(shape):
    return shape.raw.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")


# The shapes to the echo servlet that succeed, sent to /echo.jsp instead.
USERS_SHAPES = [_as_echo_jsp(s) for s in
                _method_shapes() + _uri_shapes() + _header_shapes() + _body_shapes()
                if _target(s).split("?")[0] == ECHO and s.name not in EXPECTED_ERRORS]


def test_users_configuration_gives_tomcat_the_same_as_mod_jk(users_pair, pki):
    found, seen = compare(users_pair, USERS_SHAPES, pki, "users' configuration: ")
    assert all(f["response.status"].split()[1] == "200" for f in seen.values())
    assert_documented(found, {row for row in documented_differences() if row[0] == "*"},
                      check_gone=False)


def test_reference_module_really_is_apache_mod_jk(pair):
    """A comparison with ourselves would find nothing: the reference must be mod_jk itself."""
    _, reference = pair
    assert b"mod_jk/1.2.48" in REFERENCE_MODULE.read_bytes()
    assert reference.httpd.running
