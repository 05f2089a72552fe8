"""JkOptions and JkEnvVar, seen from Tomcat: how the URI travels, whose address is sent,
which request attributes exist, and that nothing a client sends becomes an attribute."""
import pytest
import requests

JK_CONF = ("LoadModule jk_module @MODULE_PATH@\n"
           "JkWorkersFile @CONF_DIR@/workers.properties\n"
           "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\nJkMount /echo/* w1\n"
           "JkMount /*.jsp w1\n")


def workers(tomcat):
    return (f"worker.list=w1\nworker.w1.host={tomcat.host}\nworker.w1.port={tomcat.ajp_port}\n")


def start(make_httpd, tomcat, extra=""):
    return make_httpd(JK_CONF + extra, files={"workers.properties": workers(tomcat)})


def raw_get(httpd, target, headers=()):
    """Send a request line exactly as written (requests would normalise it)."""
    import http.client
    conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=10)
    conn.putrequest("GET", target, skip_accept_encoding=True)
    for name, value in headers:
        conn.putheader(name, value)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


URIS = {
    # sent by the client -> what Tomcat must see, per ForwardURI option
    "ForwardURIProxy": {"/echo/a%20b": "/echo/a%20b",
                        "/echo/%252e%252e/x": "/echo/%252e%252e/x",
                        "/echo/x;jsessionid=ABC": "/echo/x;jsessionid=ABC",
                        "/echo/caf%C3%A9": "/echo/caf%C3%A9"},
    "ForwardURICompatUnparsed": {"/echo/a%20b": "/echo/a%20b",
                                 "/echo/%7ex": "/echo/%7ex"},
    "ForwardURICompat": {"/echo/a%20b": "/echo/a b"},
    "ForwardURIEscaped": {"/echo/a%20b": "/echo/a%20b"},
}


@pytest.mark.parametrize("option", sorted(URIS))
def test_forward_uri_options(make_httpd, tomcat, jk_module, option):
    httpd = start(make_httpd, tomcat, f"JkOptions +{option}\n")
    import json
    for sent, expected in URIS[option].items():
        status, body = raw_get(httpd, sent)
        assert status == 200, (sent, status)
        assert json.loads(body)["requestURI"] == expected, sent


def test_default_forwards_proxy_encoded_uri(make_httpd, tomcat, jk_module):
    import json
    httpd = start(make_httpd, tomcat)
    status, body = raw_get(httpd, "/echo/%252e%252e/manager")
    assert status == 200
    assert json.loads(body)["requestURI"] == "/echo/%252e%252e/manager"


def test_forward_local_address(make_httpd, tomcat, jk_module):
    httpd = start(make_httpd, tomcat, "JkOptions +ForwardLocalAddress\n")
    seen = requests.get(httpd.url("/echo.jsp"), timeout=10).json()
    assert seen["remotePort"] == httpd.port


def test_disable_reuse_opens_a_connection_per_request(make_httpd, tomcat, jk_module):
    httpd = start(make_httpd, tomcat, "JkOptions +DisableReuse\n")
    with requests.Session() as s:
        ids = {s.get(httpd.url("/echo.jsp"), timeout=10).json()["connectionId"] for _ in range(5)}
    assert len(ids) == 5


def test_unknown_option_is_refused(make_httpd, jk_module, tomcat):
    httpd = make_httpd(JK_CONF + "JkOptions +ForwardEverything\n",
                       files={"workers.properties": workers(tomcat)}, start=False)
    code, out = httpd.configtest()
    assert code != 0 and "JkOptions: unknown option 'ForwardEverything'" in out


def test_client_headers_never_become_attributes(make_httpd, tomcat, jk_module):
    httpd = start(make_httpd, tomcat)
    hostile = {"AJP_REMOTE_PORT": "1", "AJP_LOCAL_ADDR": "6.6.6.6",
               "javax.servlet.include.request_uri": "/WEB-INF/web.xml",
               "JK_ROUTE": "worker2", "Secret": "x", "X-Jk-Secret": "x"}
    seen = requests.get(httpd.url("/echo.jsp"), headers=hostile, timeout=10).json()
    assert "javax.servlet.include.request_uri" not in seen["attributes"]
    assert seen["localAddr"] != "6.6.6.6"
    assert seen["remotePort"] != 1
    names = [k.lower() for k, _ in seen["headers"]]
    assert "javax.servlet.include.request_uri" in names  # it stays a plain header


@pytest.fixture(scope="module")
def attribute_tomcat(work_root):
    import jkharness as jk
    instance = jk.Tomcat(work_root / "tomcat-attrs", host="127.0.0.1", jvm_route="worker1",
                         ajp_attributes={"allowedRequestAttributesPattern": "JK_TEST_.*"})
    instance.start()
    yield instance
    instance.stop()


def test_jk_env_var_is_forwarded(make_httpd, attribute_tomcat, jk_module):
    extra = ("SetEnvIf Request_URI echo JK_TEST_SET=from-httpd\n"
             "JkEnvVar JK_TEST_SET\nJkEnvVar JK_TEST_DEFAULT fallback\nJkEnvVar JK_TEST_UNSET\n")
    httpd = start(make_httpd, attribute_tomcat, extra)
    attrs = requests.get(httpd.url("/echo.jsp"), headers={"JK_TEST_UNSET": "client"},
                         timeout=10).json()["attributes"]
    assert attrs.get("JK_TEST_SET") == "from-httpd"
    assert attrs.get("JK_TEST_DEFAULT") == "fallback"
    assert "JK_TEST_UNSET" not in attrs


def test_jk_env_var_refuses_servlet_names(make_httpd, tomcat, jk_module):
    httpd = make_httpd(JK_CONF + "JkEnvVar javax.servlet.include.request_uri\n",
                       files={"workers.properties": workers(tomcat)}, start=False)
    code, out = httpd.configtest()
    assert code != 0 and "may not be forwarded as a request attribute" in out
