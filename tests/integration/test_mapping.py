"""URI mapping as users write it, through real httpd and Tomcat: JkMount/JkUnMount
precedence, JkMountFile with live reload and rule extensions, and URI spellings that try
to get around an unmount or reach an unmapped path."""
import http.client
import json
import os
import time

import pytest
import requests

WORKERS = "worker.list=w1\nworker.w1.host=@TOMCAT1_HOST@\nworker.w1.port=@TOMCAT1_AJP_PORT@\n"
HEAD = ("LoadModule jk_module @MODULE_PATH@\n"
        "JkWorkersFile @CONF_DIR@/workers.properties\n"
        "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\n")


def raw_get(httpd, target, host="t"):
    """The request line exactly as written; returns (status, body)."""
    conn = http.client.HTTPConnection(httpd.host, httpd.port, timeout=10)
    conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def tomcat_saw(body):
    """The echo JSON when Tomcat answered through echo.jsp, else None."""
    try:
        return json.loads(body)
    except ValueError:
        return None


def from_tomcat(body):
    """Any page of the test webapp or of Tomcat itself (its error pages name it)."""
    return tomcat_saw(body) is not None or b"Tomcat" in body or b"headers status=" in body


@pytest.fixture(scope="module")
def guarded(make_module_httpd, tomcat, jk_module):
    """/echo/* goes to Tomcat, except /echo/secret/*; nothing else does."""
    conf = HEAD + "JkMount /echo/* w1\nJkUnMount /echo/secret/* w1\n"
    return make_module_httpd(conf, files={"workers.properties": WORKERS}, **tomcat.placeholders(1))


def test_mount_and_unmount(guarded):
    status, body = raw_get(guarded, "/echo/open/x")
    assert status == 200 and tomcat_saw(body)["pathInfo"] == "/open/x"
    status, body = raw_get(guarded, "/echo/secret/x")
    assert not from_tomcat(body)


def test_prefix_rule_covers_the_bare_prefix(guarded):
    status, body = raw_get(guarded, "/echo")
    assert from_tomcat(body)


# Spellings of /echo/secret/... or of unmapped paths (/manager, the root) that must
# never reach Tomcat as such.
EVASIONS = [
    "/echo/secret/x", "//echo//secret//x", "/echo/./secret/x", "/echo//secret/x",
    "/echo/secret/./x", "/echo/x/../secret/x", "/echo/x/..;/secret/x", "/echo/x;p=1/../secret/x",
    "/echo/secret;x=1/x", "/echo;x=1/secret/x", "/echo/secret;jsessionid=ABC/x",
    "/echo/%73ecret/x", "/echo/%2e/secret/x", "/echo/x/%2e%2e/secret/x", "/echo/secret%2fx",
    "/echo/..;/manager/", "/echo/x/..;/..;/manager/", "/echo/%2e%2e/manager/", "/echo/../manager/",
    "/echo/..%2fmanager/", "/echo/.%2e/manager/", "/echo/%2e%2e%2fmanager/",
    "/echo;/../manager/", "/./echo/secret/x", "/manager/..;/echo/secret/x",
    "/echo/secret\\x", "/echo/sec%00ret/x", "/..;/echo/secret/x",
]


@pytest.mark.parametrize("spelling", EVASIONS)
def test_no_spelling_reaches_an_excluded_path(guarded, spelling):
    status, body = raw_get(guarded, spelling)
    seen = tomcat_saw(body)
    if seen is None:
        assert not from_tomcat(body), f"{spelling}: Tomcat answered ({status})"
        return
    # Tomcat answered through echo: it must have resolved the request inside /echo,
    # and never inside /echo/secret.
    where = (seen["servletPath"] or "") + (seen["pathInfo"] or "")
    assert where.startswith("/echo"), (spelling, where)
    assert not where.startswith("/echo/secret"), (spelling, where)


def test_climbing_above_the_root_is_refused(guarded):
    status, _ = raw_get(guarded, "/echo/..;/..;/x")
    assert status == 400
    assert "climbs above the root" in guarded.jk_log()


def write_map(httpd, text):
    path = httpd.conf_dir / "uriworkermap.properties"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.chmod(tmp, 0o644)
    # mtime must change even within one second of the previous write
    stamp = time.time() + 2 if path.exists() and int(path.stat().st_mtime) >= int(time.time()) else None
    os.replace(tmp, path)
    if stamp:
        os.utime(path, (stamp, stamp))


def mountfile_httpd(make_httpd, tomcat, rules, extra=""):
    conf = HEAD + ("JkMountFile @CONF_DIR@/uriworkermap.properties\nJkMountFileReload 1\n" + extra)
    return make_httpd(conf, files={"workers.properties": WORKERS,
                                   "uriworkermap.properties": rules}, **tomcat.placeholders(1))


def test_mount_file_rules(make_httpd, tomcat, jk_module):
    rules = ("# comment\n/echo/*=w1\n!/echo/private/*=w1\n-/index.jsp=w1\n/*.jsp=w1\n"
             "!/static.jsp=*\n")
    httpd = mountfile_httpd(make_httpd, tomcat, rules)
    assert tomcat_saw(raw_get(httpd, "/echo/a")[1])
    assert not from_tomcat(raw_get(httpd, "/echo/private/a")[1])
    assert from_tomcat(raw_get(httpd, "/headers.jsp")[1])
    assert not from_tomcat(raw_get(httpd, "/static.jsp")[1])


def test_mount_file_edit_is_live_and_nothing_fails(make_httpd, tomcat, jk_module):
    httpd = mountfile_httpd(make_httpd, tomcat, "/echo/*=w1\n")
    with requests.Session() as s:
        assert s.get(httpd.url("/index.jsp"), timeout=10).status_code == 404  # httpd: no file
        write_map(httpd, "/echo/*=w1\n/*.jsp=w1\n")
        deadline = time.monotonic() + 10
        seen_new = False
        while time.monotonic() < deadline and not seen_new:
            r = s.get(httpd.url("/echo/x"), timeout=10)
            assert r.status_code == 200  # requests keep flowing during the reload
            seen_new = s.get(httpd.url("/index.jsp"), timeout=10).status_code == 200
        assert seen_new, "the new rule was not live within 10 s"
    assert "reloaded" in httpd.jk_log()


def wait_for(condition, seconds=10):
    """Poll `condition` (requests make the module look at the file) until true or timeout."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_broken_edit_keeps_the_last_good_map(make_httpd, tomcat, jk_module):
    httpd = mountfile_httpd(make_httpd, tomcat, "/echo/*=w1\n")
    rules = httpd.conf_dir / "uriworkermap.properties"
    # A new good rule (/index.jsp) among broken ones: none of the file may apply.
    write_map(httpd, "/echo/*=w1\n/index.jsp=w1\nthis line is wrong\n/*.jsp=nosuchworker\n"
                     "/x/*=w1;colour=red\n")

    def old_map_serves_and_refusal_logged():
        # Requests keep being served by the old rules while the file is looked at.
        assert requests.get(httpd.url("/echo/x"), timeout=10).status_code == 200
        return "not reloaded" in httpd.jk_log()

    assert wait_for(old_map_serves_and_refusal_logged), httpd.jk_log()
    log = httpd.jk_log()
    assert f"{rules}:3: expected pattern=worker, found 'this line is wrong'" in log
    assert f"{rules}:4: rule /*.jsp names worker 'nosuchworker', which is not in worker.list" in log
    assert f"{rules}:5: unknown rule extension 'colour'" in log
    assert f"JkMountFile {rules} not reloaded: the previous rules stay in use" in log
    # Never half-applied: the good new line of the broken file is not in use.
    assert requests.get(httpd.url("/index.jsp"), timeout=10).status_code == 404
    assert requests.get(httpd.url("/echo/x"), timeout=10).status_code == 200

    # Fixed: the new map applies as a whole.
    write_map(httpd, "/echo/*=w1\n/index.jsp=w1\n")
    assert wait_for(lambda: requests.get(httpd.url("/index.jsp"), timeout=10).status_code == 200)
    assert f"JkMountFile {rules} reloaded: 2 rule(s)" in httpd.jk_log()
    assert requests.get(httpd.url("/echo/x"), timeout=10).status_code == 200


def test_broken_mount_file_stops_configtest(make_httpd, tomcat, jk_module):
    conf = HEAD + "JkMountFile @CONF_DIR@/uriworkermap.properties\n"
    httpd = make_httpd(conf, files={"workers.properties": WORKERS,
                                    "uriworkermap.properties": "/ok/*=w1\nbroken\n"},
                       start=False, **tomcat.placeholders(1))
    code, out = httpd.configtest()
    assert code != 0 and "uriworkermap.properties:2: expected pattern=worker, found 'broken'" in out


def test_use_server_errors_extension(make_httpd, tomcat, jk_module):
    httpd = mountfile_httpd(make_httpd, tomcat, "/status.jsp=w1;use_server_errors=400\n/echo/*=w1\n",
                            extra="ErrorDocument 404 \"httpd's own 404\"\n")
    r = requests.get(httpd.url("/status.jsp?code=404"), timeout=10)
    assert r.status_code == 404 and r.text == "httpd's own 404"
    # The connection to Tomcat stays good for the next request.
    assert requests.get(httpd.url("/echo/x"), timeout=10).status_code == 200


def test_reply_timeout_extension(make_httpd, tomcat, jk_module):
    httpd = mountfile_httpd(make_httpd, tomcat, "/sleep.jsp=w1;reply_timeout=400\n")
    assert requests.get(httpd.url("/sleep.jsp?ms=2000"), timeout=10).status_code == 504


def test_no_jk_and_sethandler(make_httpd, tomcat, jk_module):
    conf = HEAD + ("JkMount /echo/* w1\nSetEnvIf Request_URI ^/echo/skip no-jk\n"
                   "<Location /handled>\nSetHandler jakarta-servlet\n</Location>\n"
                   "<Location /handled/named>\nSetEnv JK_WORKER_NAME w1\n</Location>\n")
    httpd = make_httpd(conf, files={"workers.properties": WORKERS}, **tomcat.placeholders(1))
    assert not from_tomcat(raw_get(httpd, "/echo/skip")[1])
    assert tomcat_saw(raw_get(httpd, "/echo/go")[1])
    # SetHandler without a named worker never picks one (CVE-2023-41081).
    assert not from_tomcat(raw_get(httpd, "/handled/x")[1])


def test_jkmount_in_location(make_httpd, tomcat, jk_module):
    conf = HEAD + "<Location /echo/loc>\nJkMount w1\n</Location>\n"
    httpd = make_httpd(conf, files={"workers.properties": WORKERS}, **tomcat.placeholders(1))
    assert tomcat_saw(raw_get(httpd, "/echo/loc")[1])


def test_strip_session(make_httpd, tomcat, jk_module):
    conf = HEAD + "JkMount /*.jsp w1\nJkStripSession On\n"
    httpd = make_httpd(conf, files={"workers.properties": WORKERS}, **tomcat.placeholders(1))
    r = requests.get(httpd.url("/static.html;jsessionid=ABC.worker1"), timeout=10)
    assert r.status_code == 200 and "served by httpd" in r.text


@pytest.mark.parametrize("spelling", ["/echo/secret/x", "/echo/secret;x=1/x", "//echo/secret/x",
                                      "/echo/a/..;/secret/x", "/echo/./secret/x"])
def test_location_access_control_sees_the_resolved_path(make_httpd, tomcat, jk_module, spelling):
    """<Location> is matched on the path Tomcat will resolve, so no spelling slips past it."""
    conf = HEAD + "JkMount /echo/* w1\n<Location /echo/secret>\nRequire all denied\n</Location>\n"
    httpd = make_httpd(conf, files={"workers.properties": WORKERS}, **tomcat.placeholders(1))
    status, body = raw_get(httpd, spelling)
    assert status == 403 and not from_tomcat(body), spelling


@pytest.fixture
def webapps(work_root, request):
    """A Tomcat webapps directory: context shop with a page and its private directories,
    and a .war archive."""
    root = work_root / f"webapps-{request.node.name[:40]}"
    for rel, text in {"shop/index.html": "<p>shop's own page</p>\n",
                      "shop/WEB-INF/web.xml": "<web-app/>\n",
                      "shop/META-INF/context.xml": "<Context/>\n",
                      "app.war": "PK archive\n"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for d in [root, *root.rglob("*")]:
        d.chmod(0o755 if d.is_dir() else 0o644)
    return root


def test_jk_auto_alias_serves_webapp_files_but_never_their_private_parts(
        make_httpd, tomcat, jk_module, webapps):
    conf = HEAD + (f"JkAutoAlias {webapps}/\n<Directory {webapps}>\n  Require all granted\n"
                   "</Directory>\nJkMount /shop/*.jsp w1\n")
    httpd = make_httpd(conf, files={"workers.properties": WORKERS}, **tomcat.placeholders(1))
    assert raw_get(httpd, "/shop/index.html") == (200, b"<p>shop's own page</p>\n")
    for spelling in ("/shop/WEB-INF/web.xml", "/shop/web-inf/web.xml", "/shop/%57EB-INF/web.xml",
                     "/shop//WEB-INF/web.xml", "/shop/./WEB-INF/web.xml",
                     "/shop/x/../WEB-INF/web.xml", "/shop/WEB-INF;x=1/web.xml",
                     "/shop/META-INF/context.xml", "/shop/Meta-Inf/context.xml"):
        status, body = raw_get(httpd, spelling)
        assert status == 404 and b"web-app" not in body and b"Context" not in body, spelling
    assert raw_get(httpd, "/app.war")[0] == 403
    # A rule still wins: the JSP goes to Tomcat (which has no such page).
    status, body = raw_get(httpd, "/shop/none.jsp")
    assert status == 404 and b"Tomcat" in body
    # A path with no webapp directory behind it is httpd's usual business.
    assert raw_get(httpd, "/nowhere/index.html")[0] == 404
