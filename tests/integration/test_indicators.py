"""The Jk*Indicator directives and JkExtractSSL, seen from Tomcat: what a proxy in front of
httpd knows (the real client, TLS that ended at the proxy) reaches Tomcat through the
environment variables the administrator's SetEnv/SetEnvIf rules set, under mod_jk's default
names or the names the directives give."""
import json
import re
import socket

import requests

import jkharness as jk

TIMEOUT = 10

JK_CONF = ("LoadModule jk_module @MODULE_PATH@\n"
           "JkWorkersFile @CONF_DIR@/workers.properties\n"
           "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\nJkMount /*.jsp w1\n")


def start(make_httpd, tomcat, extra=""):
    workers = (f"worker.list=w1\nworker.w1.host={tomcat.host}\n"
               f"worker.w1.port={tomcat.ajp_port}\n")
    return make_httpd(JK_CONF + extra, files={"workers.properties": workers})


def http10_get(httpd, path):
    """The body of an HTTP/1.0 GET without a Host header."""
    with socket.create_connection((httpd.host, httpd.port), timeout=TIMEOUT) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    head, body = reply.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head
    return body.decode()


def echo(httpd, path="/echo.jsp", **kw):
    r = requests.get(httpd.url(path), timeout=TIMEOUT, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def test_without_indicators_tomcat_sees_the_connection_as_it_is(make_httpd, tomcat, jk_module):
    seen = echo(start(make_httpd, tomcat))
    assert seen["remoteAddr"] == "127.0.0.1"
    assert seen["isSecure"] is False and seen["scheme"] == "http"
    assert seen["remoteUser"] is None


def test_address_indicators_under_their_default_names(make_httpd, tomcat, jk_module):
    rules = ("SetEnv JK_REMOTE_ADDR 203.0.113.9\nSetEnv JK_REMOTE_PORT 4711\n"
             "SetEnv JK_REMOTE_HOST client.example.org\nSetEnv JK_REMOTE_USER alice\n"
             "SetEnv JK_AUTH_TYPE Basic\nSetEnv JK_LOCAL_NAME www.example.org\n"
             "SetEnv JK_LOCAL_ADDR 192.0.2.1\nSetEnv JK_LOCAL_PORT 8443\n")
    httpd = start(make_httpd, tomcat, rules)
    seen = echo(httpd)
    assert seen["remoteAddr"] == "203.0.113.9"
    assert seen["remotePort"] == 4711
    # (remoteHost: Tomcat answers getRemoteHost() with the address unless enableLookups.)
    assert seen["remoteUser"] == "alice"
    assert seen["authType"] == "Basic"
    assert seen["localAddr"] == "192.0.2.1"
    assert seen["localPort"] == 8443
    # Tomcat takes the server name from the Host header when there is one: ask without.
    assert json.loads(http10_get(httpd, "/echo.jsp"))["serverName"] == "www.example.org"


def test_indicators_rename_the_variables(make_httpd, tomcat, jk_module):
    rules = ("JkRemoteAddrIndicator REAL_CLIENT\nJkRemotePortIndicator REAL_PORT\n"
             "SetEnvIf X-Real-Client ^(.+)$ REAL_CLIENT=$1\nSetEnv REAL_PORT 5555\n"
             "SetEnv JK_REMOTE_ADDR 198.51.100.1\n")
    httpd = start(make_httpd, tomcat, rules)
    seen = echo(httpd, headers={"X-Real-Client": "198.51.100.77"})
    assert seen["remoteAddr"] == "198.51.100.77"   # the renamed variable, not JK_REMOTE_ADDR
    assert seen["remotePort"] == 5555
    # Without the rule's header the variable is unset, and the connection's address is sent.
    assert echo(httpd)["remoteAddr"] == "127.0.0.1"


def test_a_port_that_is_no_number_is_not_forwarded(make_httpd, tomcat, jk_module):
    seen = echo(start(make_httpd, tomcat, "SetEnv JK_REMOTE_PORT eighty\n"))
    assert seen["remotePort"] != 0 and seen["remotePort"] > 1024   # the client's real port


def test_tls_that_ended_in_front_of_httpd(make_httpd, tomcat, jk_module):
    rules = ("SetEnv HTTPS on\nSetEnv SSL_PROTOCOL TLSv1.3\n"
             "SetEnv SSL_CIPHER TLS_AES_256_GCM_SHA384\nSetEnv SSL_CIPHER_USEKEYSIZE 256\n"
             "SetEnv SSL_SESSION_ID 0a1b2c3d\n")
    seen = echo(start(make_httpd, tomcat, rules))
    attrs = seen["attributes"]
    assert seen["isSecure"] is True and seen["scheme"] == "https"
    assert attrs["jakarta.servlet.request.cipher_suite"] == "TLS_AES_256_GCM_SHA384"
    assert attrs["jakarta.servlet.request.key_size"] == "256"
    assert attrs["jakarta.servlet.request.ssl_session_id"] == "0a1b2c3d"
    assert attrs["org.apache.tomcat.util.net.secure_protocol_version"] == "TLSv1.3"


def test_tls_indicators_renamed_and_https_must_say_on(make_httpd, tomcat, jk_module):
    rules = ("JkHTTPSIndicator FRONT_TLS\nJkCIPHERIndicator FRONT_CIPHER\n"
             "SetEnvIf X-Front-TLS ^(.+)$ FRONT_TLS=$1\nSetEnv FRONT_CIPHER ECDHE-RSA-AES128\n"
             "SetEnv HTTPS on\n")
    httpd = start(make_httpd, tomcat, rules)
    seen = echo(httpd, headers={"X-Front-TLS": "on"})
    assert seen["isSecure"] is True
    assert seen["attributes"]["jakarta.servlet.request.cipher_suite"] == "ECDHE-RSA-AES128"
    # FRONT_TLS is what counts now (HTTPS=on is ignored), and anything but "on" is plain HTTP.
    assert echo(httpd, headers={"X-Front-TLS": "off"})["isSecure"] is False
    assert echo(httpd)["isSecure"] is False


def test_jk_extract_ssl_off_forwards_no_tls_facts(make_httpd, tomcat, jk_module):
    seen = echo(start(make_httpd, tomcat, "JkExtractSSL Off\nSetEnv HTTPS on\n"
                                          "SetEnv SSL_CIPHER TLS_AES_128_GCM_SHA256\n"))
    assert seen["isSecure"] is False
    assert "jakarta.servlet.request.cipher_suite" not in seen["attributes"]


def test_worker_indicator_names_the_worker_of_set_handler(make_httpd, tomcat, jk_module):
    conf = ("LoadModule jk_module @MODULE_PATH@\nJkWorkersFile @CONF_DIR@/workers.properties\n"
            "JkLogFile @LOG_DIR@/mod_jk.log\nJkWorkerIndicator BACKEND\n"
            "<Location /echo>\n  SetHandler jakarta-servlet\n  SetEnv BACKEND w1\n</Location>\n"
            "<Location /index.jsp>\n  SetHandler jakarta-servlet\n"
            "  SetEnv JK_WORKER_NAME w1\n</Location>\n")
    workers = (f"worker.list=w1\nworker.w1.host={tomcat.host}\n"
               f"worker.w1.port={tomcat.ajp_port}\n")
    httpd = make_httpd(conf, files={"workers.properties": workers})
    assert echo(httpd, "/echo/x")["requestURI"] == "/echo/x"
    # The default name no longer picks a worker: Tomcat never sees this one.
    r = requests.get(httpd.url("/index.jsp"), timeout=TIMEOUT)
    assert "Tomcat" not in r.text and "worker1" not in r.text, r.text


def test_ignore_cl_streams_the_body_without_content_length(make_httpd, tomcat, jk_module):
    body = bytes(range(256)) * 80   # 20 KiB: three AJP body packets
    httpd = start(make_httpd, tomcat, "SetEnvIf Request_URI ^/echo JK_IGNORE_CL=1\n")
    r = requests.post(httpd.url("/echo.jsp"), data=body, timeout=TIMEOUT)
    assert r.status_code == 200
    seen = r.json()
    assert seen["bodyLength"] == len(body)
    names = [name.lower() for name, _ in seen["headers"]]
    assert "content-length" not in names, seen["headers"]
    # Without the variable Tomcat gets the client's Content-Length.
    plain = start(make_httpd, tomcat).url("/echo.jsp")
    seen = requests.post(plain, data=body, timeout=TIMEOUT).json()
    assert ["content-length", str(len(body))] in [[n.lower(), v] for n, v in seen["headers"]]


def test_request_id_marks_the_requests_lines_in_mod_jk_log(make_httpd, tomcat, jk_module):
    conf = ("JkRequestIdIndicator TRACE_ID\nSetEnvIf X-Trace ^(.+)$ TRACE_ID=$1\n"
            "JkMount /dead/* dead\n")
    workers = (f"worker.list=w1,dead\nworker.w1.host={tomcat.host}\n"
               f"worker.w1.port={tomcat.ajp_port}\nworker.dead.host=127.0.0.1\n"
               "worker.dead.port=1\nworker.dead.retries=1\n")
    httpd = make_httpd(JK_CONF + conf, files={"workers.properties": workers})

    def dead_lines():
        return [ln for ln in httpd.jk_log().splitlines() if "worker dead: 127.0.0.1:1 " in ln]

    r = requests.get(httpd.url("/dead/x"), headers={"X-Trace": "req-7f3a"}, timeout=TIMEOUT)
    assert r.status_code == 503
    assert jk.wait_until(lambda: dead_lines(), 5)
    assert all(re.search(r"\] \[req-7f3a\] worker dead", ln) for ln in dead_lines()), \
        dead_lines()
    # The next request on that thread has no id, and its lines carry none.
    before = len(dead_lines())
    assert requests.get(httpd.url("/dead/y"), timeout=TIMEOUT).status_code == 503
    assert jk.wait_until(lambda: len(dead_lines()) > before, 5)
    assert not any("req-7f3a" in ln for ln in dead_lines()[before:]), dead_lines()
