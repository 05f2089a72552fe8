"""The status worker: a real httpd (prefork, several children) in front of two real Tomcats.

The page is read the way its users read it: by people (HTML, and a real headless Chromium),
by scripts (JSON, and mod_jk's own GET URLs sent by curl) and by Prometheus (the text
format, checked by promtool when it is installed and always by a strict validator here).
Actions are sent the way their users send them: the page's form POSTs (in a real headless
Chromium too) and the GET URLs of mod_jk's status worker. Whether an action took effect is
checked from the outside, by where Tomcat says requests went and by which httpd children
served them.

Run: /usr/bin/python3 -m pytest tests/integration/test_status.py
"""

import base64
import collections
import concurrent.futures
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

import jkharness as jk

TIMEOUT = 30
REPO = Path(__file__).resolve().parents[2]

JK_CONF = """\
@LOAD_AUTHZ_HOST@
LoadModule jk_module @MODULE_PATH@
JkWorkersFile @CONF_DIR@/workers.properties
JkLogFile @LOG_DIR@/mod_jk.log
JkLogLevel info
JkMount /echo.jsp lb
JkMount /jkstatus jkstatus
JkMount /jkstatus-ro jkro
JkMount /jkstatus-auth jkauth
JkMount /jkstatus-strict jkstrict
JkMount /denied-status jkstatus
LogFormat "%P %U" pid
CustomLog "@LOG_DIR@/pid_log" pid
<Location "/jkstatus">
    Require ip 127.0.0.1
</Location>
<Location "/jkstatus-strict">
    Require ip 127.0.0.1
</Location>
<Location "/denied-status">
    Require all denied
</Location>
<Location "/jkstatus-auth">
    AuthType Basic
    AuthName "jk status"
    AuthUserFile "@CONF_DIR@/htpasswd"
    Require valid-user
</Location>
"""

WORKERS = """\
worker.list=lb,jkstatus,jkro,jkauth,jkstrict
worker.lb.type=lb
worker.lb.balance_workers=worker1,worker2
worker.worker1.host=@TOMCAT1_HOST@
worker.worker1.port=@TOMCAT1_AJP_PORT@
worker.worker2.host=@TOMCAT2_HOST@
worker.worker2.port=@TOMCAT2_AJP_PORT@
worker.jkstatus.type=status
worker.jkro.type=status
worker.jkro.read_only=true
worker.jkauth.type=status
worker.jkauth.user=alice
worker.jkstrict.type=status
worker.jkstrict.strict_update=true
"""

NUMBER_KEYS = ("requests", "errors", "client_errors", "reply_timeouts", "busy", "max_busy",
               "bytes_read", "bytes_written", "lbfactor", "distance")


def load_authz_host():
    """The LoadModule line of mod_authz_host (Require ip), which the harness does not load."""
    load = jk.APACHE_MODS / "authz_host.load"
    return "\n".join(line for line in load.read_text().splitlines()
                     if line.startswith("LoadModule"))


def htpasswd_line(user, password):
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    return f"{user}:{{SHA}}{digest}\n"


@pytest.fixture(scope="module")
def httpd(jk_module, make_module_httpd, tomcat, tomcat2):
    placeholders = {**tomcat.placeholders(1), **tomcat2.placeholders(2),
                    "LOAD_AUTHZ_HOST": load_authz_host()}
    files = {"workers.properties": WORKERS,
             "htpasswd": htpasswd_line("alice", "a-pass") + htpasswd_line("bob", "b-pass")}
    return make_module_httpd(JK_CONF, files=files, mpm="prefork", log_level="info",
                             **placeholders)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def get(httpd, path, **kwargs):
    return requests.get(httpd.url(path), timeout=TIMEOUT, **kwargs)


def status_json(httpd, path="/jkstatus"):
    response = get(httpd, f"{path}?mime=json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.text)


def members(data, lb="lb"):
    """name -> member dict of one lb in the JSON."""
    [balancer] = [b for b in data["lbs"] if b["name"] == lb]
    return {m["name"]: m for m in balancer["members"]}


class FormAndRowParser(html.parser.HTMLParser):
    """Collects the page's hidden token and, per member row, every data-key cell."""

    def __init__(self):
        super().__init__()
        self.token = None
        self.forms = []
        self.rows = {}
        self._row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(a)
        if tag == "input" and a.get("name") == "token":
            self.token = a.get("value")
        if tag == "tr" and (a.get("id") or "").startswith("m."):
            self._row = self.rows.setdefault(a["id"][2:], {})
        if self._row is not None and "data-key" in a and "data-value" in a:
            self._row[a["data-key"]] = a["data-value"]

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None


def parse_page(text):
    parser = FormAndRowParser()
    parser.feed(text)
    return parser


def page(httpd, path="/jkstatus"):
    response = get(httpd, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response.text


def token_of(httpd):
    token = parse_page(page(httpd)).token
    assert token and re.fullmatch(r"[0-9a-f]{32}", token)
    return token


def post(httpd, path="/jkstatus", headers=None, **fields):
    return requests.post(httpd.url(path), data=fields, headers=headers, timeout=TIMEOUT,
                         allow_redirects=False)


def set_activation(httpd, member, value, path="/jkstatus"):
    response = post(httpd, path, cmd="update", w="lb", sw=member, vwa=value,
                    token=token_of(httpd))
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == path


def activation_of(httpd, member):
    return members(status_json(httpd))[member]["activation"]


def curl(*args):
    """curl as a deployment script runs it: -s, the body (or -w) on stdout."""
    result = subprocess.run(["curl", "-sS", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=TIMEOUT, check=True)
    return result.stdout.decode()


def routes_of(httpd, count, workers=16):
    """Send count requests without a session, in parallel, each on a new connection."""
    def one(i):
        response = requests.get(httpd.url(f"/echo.jsp?n={i}"), timeout=TIMEOUT,
                                headers={"Connection": "close"})
        assert response.status_code == 200, response.text
        return response.json()["route"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return collections.Counter(pool.map(one, range(count)))


def pids_that_served(httpd, marker):
    """PIDs of the children that logged a request for /echo.jsp?... since marker lines."""
    lines = httpd.read_log("pid_log").splitlines()[marker:]
    return {line.split()[0] for line in lines if line.split()[1:] == ["/echo.jsp"]}


def pid_log_length(httpd):
    return len(httpd.read_log("pid_log").splitlines())


# ---------------------------------------------------------------------------
# A strict validator of the Prometheus text format 0.0.4
# ---------------------------------------------------------------------------

METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({METRIC_NAME})(?:\{{((?:{LABEL})(?:,{LABEL})*,?)?\}})? "
                    r"([-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))(?: -?[0-9]+)?$")
META = re.compile(rf"^# (HELP|TYPE) ({METRIC_NAME}) (.*)$")


def validate_prometheus(text):
    """Raise AssertionError naming the first broken line; return {(name, labels): value}."""
    assert text.endswith("\n"), "exposition text must end with a newline"
    help_of, type_of, samples, finished = {}, {}, {}, set()
    current = None
    for line in text.splitlines():
        assert line.strip(), "blank line"
        meta = META.match(line)
        if line.startswith("#"):
            assert meta, f"comment that is neither HELP nor TYPE: {line}"
            kind, name, rest = meta.groups()
            family = name
        else:
            match = SAMPLE.match(line)
            assert match, f"malformed sample: {line}"
            name, labels, value = match.groups()
            family = name
        if family != current:
            assert family not in finished, f"family {family} is not contiguous"
            if current:
                finished.add(current)
            current = family
        if line.startswith("#"):
            table = help_of if kind == "HELP" else type_of
            assert family not in table, f"{kind} twice for {family}"
            assert not any(k[0] == family for k in samples), f"{kind} after samples: {line}"
            if kind == "TYPE":
                assert rest in ("counter", "gauge", "summary", "histogram", "untyped"), line
                assert rest != "counter" or family.endswith("_total"), f"counter name: {line}"
            table[family] = rest
            continue
        assert family in help_of and family in type_of, f"sample before HELP/TYPE: {line}"
        key = (name, labels or "")
        assert key not in samples, f"duplicate series: {line}"
        samples[key] = float(value)
    return samples


# ---------------------------------------------------------------------------
# Viewing
# ---------------------------------------------------------------------------

def test_page_lists_both_members_with_their_backends(httpd, tomcat, tomcat2):
    text = page(httpd)
    parsed = parse_page(text)
    assert set(parsed.rows) == {"lb.worker1", "lb.worker2"}
    assert f"{tomcat.host}:{tomcat.ajp_port}" in text
    assert f"{tomcat2.host}:{tomcat2.ajp_port}" in text
    assert parsed.token
    # Every action form is a POST to the page itself and carries the token.
    assert parsed.forms and all(f["method"] == "post" and f["action"] == "/jkstatus"
                                for f in parsed.forms)
    assert text.count(f'name="token" value="{parsed.token}"') == len(parsed.forms)


def test_counters_grow_by_exactly_the_requests_sent(httpd):
    before = members(status_json(httpd))
    routes = routes_of(httpd, 60)
    after = members(status_json(httpd))
    assert sum(routes.values()) == 60
    assert set(routes) <= {"worker1", "worker2"}
    for name in ("worker1", "worker2"):
        assert after[name]["requests"] - before[name]["requests"] == routes[name], name
        assert after[name]["errors"] == before[name]["errors"]
        assert after[name]["bytes_written"] > before[name]["bytes_written"] or not routes[name]
    assert routes["worker1"] > 0 and routes["worker2"] > 0, routes


def test_json_matches_the_html_numbers(httpd):
    routes_of(httpd, 10)
    data = members(status_json(httpd))
    rows = parse_page(page(httpd)).rows
    for name, member in data.items():
        row = rows[f"lb.{name}"]
        for key in NUMBER_KEYS:
            assert int(row[key]) == member[key], (name, key)
        assert row["activation"] == member["activation"]
        assert row["state"] == member["state"]
    worker_names = {w["name"] for w in status_json(httpd)["workers"]}
    assert worker_names == {"worker1", "worker2"}


def test_prometheus_output_passes_a_strict_parser(httpd):
    routes_of(httpd, 5)
    response = get(httpd, "/jkstatus?mime=prometheus")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = validate_prometheus(response.text)
    data = members(status_json(httpd))
    for name, member in data.items():
        labels = f'lb="lb",member="{name}"'
        assert samples[("jk_requests_total", labels)] == member["requests"]
        assert samples[("jk_member_lbfactor", labels)] == member["lbfactor"]
    promtool = shutil.which("promtool")
    if promtool:
        result = subprocess.run([promtool, "check", "metrics"], input=response.content,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        assert result.returncode == 0, result.stdout.decode()


def test_other_formats_are_well_formed(httpd):
    import xml.dom.minidom
    xml_text = get(httpd, "/jkstatus?mime=xml").text
    document = xml.dom.minidom.parseString(xml_text)
    assert document.documentElement.tagName == "jk:status"
    names = {e.getAttribute("name") for e in document.getElementsByTagName("jk:member")}
    assert names == {"worker1", "worker2"}
    prop = get(httpd, "/jkstatus?mime=prop").text
    assert "worker.lb.balance_workers=worker1,worker2\n" in prop
    assert all(re.fullmatch(r"worker\.[A-Za-z0-9_.-]+=.*", line) for line in prop.splitlines())
    check = get(httpd, "/jkstatus?cmd=check")
    assert check.status_code == 200 and check.text == "OK\n"


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------

def test_stopping_a_member_moves_new_traffic_in_every_child(httpd):
    routes_of(httpd, 32)  # every child has served and made its workers
    set_activation(httpd, "worker2", "S")
    try:
        assert members(status_json(httpd))["worker2"]["activation"] == "Stopped"
        stopped_before = members(status_json(httpd))["worker2"]["requests"]
        marker = pid_log_length(httpd)
        routes = routes_of(httpd, 200)
        assert routes == {"worker1": 200}
        served_by = pids_that_served(httpd, marker)
        assert len(served_by) >= 3, served_by  # prefork: many children, one shared state
        assert members(status_json(httpd))["worker2"]["requests"] == stopped_before
        assert httpd.wait_log(r"\[info\] status jkstatus: client 127\.0\.0\.1 set activation "
                              r"of member worker2 of lb lb: Active -> Stopped")
        check = get(httpd, "/jkstatus?cmd=check").text
        assert check.startswith("NOT OK\n") and "name=worker2 activation=Stopped" in check
    finally:
        set_activation(httpd, "worker2", "A")
    routes = routes_of(httpd, 40)
    assert routes["worker1"] > 0 and routes["worker2"] > 0, routes


def test_a_changed_lbfactor_is_seen_by_every_child(httpd):
    token = token_of(httpd)
    response = post(httpd, cmd="update", w="lb", sw="worker1", vwf="3", token=token)
    assert response.status_code == 303
    try:
        # Each request is a new connection, so they are answered by many children.
        seen = {members(status_json(httpd))["worker1"]["lbfactor"] for _ in range(20)}
        assert seen == {3}
        assert httpd.wait_log(r"set lbfactor of member worker1 of lb lb: 1 -> 3")
    finally:
        post(httpd, cmd="update", w="lb", sw="worker1", vwf="1", token=token)


def test_a_changed_lbfactor_steers_new_traffic(httpd):
    token = token_of(httpd)
    routes_of(httpd, 20)
    assert post(httpd, cmd="update", w="lb", sw="worker1", vwf="3", token=token).status_code == 303
    try:
        routes = routes_of(httpd, 200, workers=4)
        assert 2.4 <= routes["worker1"] / max(routes["worker2"], 1) <= 3.6, routes
    finally:
        post(httpd, cmd="update", w="lb", sw="worker1", vwf="1", token=token)


def test_reset_zeroes_the_counters(httpd):
    routes_of(httpd, 10)
    response = post(httpd, cmd="reset", w="lb", token=token_of(httpd), mime="json")
    assert response.status_code == 200 and response.json()["ok"] is True
    for member in members(status_json(httpd)).values():
        assert member["requests"] == 0 and member["bytes_written"] == 0


# mod_jk's URL interface, as operators' scripts use it
DRAIN_SCRIPT = """\
#!/bin/sh
# Take worker2 out of the balancer before updating its Tomcat, as under mod_jk.
set -e
STATUS="$1"
curl -s -o /dev/null -w '%{http_code}\\n' \\
    "$STATUS?cmd=update&from=list&w=lb&sw=worker2&vwa=2"
"""


def test_a_curl_script_stops_a_member_with_mod_jks_get_url(httpd, tmp_path):
    script = tmp_path / "drain.sh"
    script.write_text(DRAIN_SCRIPT)
    routes_of(httpd, 16)
    assert activation_of(httpd, "worker2") == "Active"
    try:
        result = subprocess.run(["sh", str(script), httpd.url("/jkstatus")],
                                stdout=subprocess.PIPE, timeout=TIMEOUT, check=True)
        assert result.stdout.decode() == "303\n"
        assert activation_of(httpd, "worker2") == "Stopped"
        assert routes_of(httpd, 20) == {"worker1": 20}
        assert httpd.wait_log(r"\[info\] status jkstatus: client 127\.0\.0\.1 set activation "
                              r"of member worker2 of lb lb: Active -> Stopped")
        # mod_jk's answer for scripts that ask for text.
        text = curl(httpd.url("/jkstatus?cmd=update&w=lb&sw=worker2&vwa=0&mime=txt"))
        assert text == 'Result: type=OK message="member worker2 of lb lb updated"\n'
        assert activation_of(httpd, "worker2") == "Active"
        assert httpd.wait_log(r"set activation of member worker2 of lb lb: Stopped -> Active")
    finally:
        curl(httpd.url("/jkstatus?cmd=update&w=lb&sw=worker2&vwa=0"))
    routes = routes_of(httpd, 40)
    assert routes["worker1"] > 0 and routes["worker2"] > 0, routes


def test_mod_jks_read_commands_answer_scripts(httpd):
    version = curl(httpd.url("/jkstatus?cmd=version&mime=txt"))
    assert re.search(r"^Software: jk_version=jk-connector/\S+$", version, re.M), version
    assert version.endswith('Result: type=OK message="Action finished"\n')
    dump = curl(httpd.url("/jkstatus?cmd=dump&mime=prop"))
    assert "worker.lb.balance_workers=worker1,worker2\n" in dump
    assert "worker.jkstrict.strict_update=true\n" in dump
    shown = curl(httpd.url("/jkstatus?cmd=show&w=lb&mime=txt"))
    assert "member lb=lb name=worker1 " in shown and "member lb=lb name=worker2 " in shown


@pytest.mark.parametrize("header", ["Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-site",
                                    "Origin: http://evil.example", "Origin: null",
                                    "Referer: http://evil.example/page.html"])
def test_the_same_url_from_another_site_changes_nothing(httpd, header):
    url = httpd.url("/jkstatus?cmd=update&from=list&w=lb&sw=worker2&vwa=2")
    answer = curl("-H", header, "-w", "\n%{http_code}", url)
    body, status = answer.rsplit("\n", 1)
    assert status == "403"
    assert "another site" in body and header.split(": ")[1] in body, body
    assert activation_of(httpd, "worker2") == "Active"
    assert httpd.wait_log(r"status jkstatus: refused update from client 127\.0\.0\.1: .*"
                          + re.escape(header.split(": ")[1]))


def test_strict_update_takes_only_the_pages_token(httpd):
    response = get(httpd, "/jkstatus-strict?cmd=update&w=lb&sw=worker2&vwa=S")
    assert response.status_code == 403 and "strict_update" in response.text
    assert post(httpd, "/jkstatus-strict", cmd="update", w="lb", sw="worker2",
                vwa="S").status_code == 403
    assert post(httpd, "/jkstatus-strict", cmd="update", w="lb", sw="worker2", vwa="S",
                token="0" * 32).status_code == 403
    response = post(httpd, "/jkstatus-strict", headers={"Sec-Fetch-Site": "cross-site"},
                    cmd="update", w="lb", sw="worker2", vwa="S", token=token_of(httpd))
    assert response.status_code == 403
    assert activation_of(httpd, "worker2") == "Active"
    set_activation(httpd, "worker2", "D", path="/jkstatus-strict")
    try:
        assert activation_of(httpd, "worker2") == "Disabled"
    finally:
        set_activation(httpd, "worker2", "A", path="/jkstatus-strict")


def test_read_only_rejects_actions(httpd):
    token = token_of(httpd)
    response = post(httpd, "/jkstatus-ro", cmd="update", w="lb", sw="worker2", vwa="S",
                    token=token)
    assert response.status_code == 403
    assert "read only" in response.text
    response = get(httpd, "/jkstatus-ro?cmd=update&w=lb&sw=worker2&vwa=2&mime=txt")
    assert response.status_code == 403
    assert response.text == 'Result: type=ERROR message="this status worker is read only"\n'
    assert members(status_json(httpd))["worker2"]["activation"] == "Active"
    text = page(httpd, "/jkstatus-ro")
    assert "<form" not in text and token not in text
    assert status_json(httpd, "/jkstatus-ro")["token"] is None


def test_user_list_on_top_of_httpd_authentication(httpd):
    assert get(httpd, "/jkstatus-auth").status_code == 401
    assert get(httpd, "/jkstatus-auth", auth=("bob", "b-pass")).status_code == 403
    response = get(httpd, "/jkstatus-auth", auth=("alice", "a-pass"))
    assert response.status_code == 200
    assert "signed in as <b>alice</b>" in response.text


@pytest.mark.parametrize("path", ["/denied-status;x", "/x/..;/denied-status",
                                  "/denied-status;jsessionid=1", "/x/..;/denied-status?mime=json"])
def test_location_rules_cannot_be_bypassed(httpd, path):
    """CVE-2018-11759 shapes: mapped after normalisation, but <Location> saw another URL."""
    assert get(httpd, "/denied-status").status_code == 403
    response = get(httpd, path)
    assert response.status_code in (400, 403, 404), (path, response.status_code)
    assert "JK status" not in response.text and "token" not in response.text


def test_route_changes_are_refused_with_a_clear_message(httpd):
    response = post(httpd, cmd="update", w="lb", sw="worker2", vwn="other", token=token_of(httpd))
    assert response.status_code == 409
    assert "not changeable at run time in this version" in response.text


# ---------------------------------------------------------------------------
# In a real browser
# ---------------------------------------------------------------------------

def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium installed (apt-get install chromium)")


def run_chromium(url, *args):
    profile = tempfile.mkdtemp(prefix="jk-chromium-")
    try:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--window-size=1280,900", *args,
             url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_page_in_headless_chromium(httpd, tmp_path):
    routes_of(httpd, 25)
    url = httpd.url("/jkstatus")
    shot = tmp_path / "status.png"
    result = run_chromium(url, f"--screenshot={shot}")
    assert shot.is_file(), result.stderr.decode(errors="replace")[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10000
    dom = run_chromium(url, "--dump-dom").stdout.decode()
    assert 'id="m.lb.worker1"' in dom and 'id="m.lb.worker2"' in dom
    assert "Load balancer lb" in dom
    if os.environ.get("JK_UPDATE_SCREENSHOT"):
        shutil.copy(shot, REPO / "docs" / "status.png")



def choose_and_apply(browser, member, activation):
    """What an operator does: pick the activation in the member's row, click its Apply."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    Select(browser.find_element(By.CSS_SELECTOR, f'select[aria-label="activation of {member}"]')
           ).select_by_visible_text(activation)
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    row = browser.find_element(By.ID, f"m.lb.{member}")
    row.find_element(By.XPATH, ".//button[normalize-space()='Apply']").click()
    # The click submits the form; wait until the page it leads back to has replaced this one.
    WebDriverWait(browser, TIMEOUT).until(expected_conditions.staleness_of(row))
    WebDriverWait(browser, TIMEOUT).until(
        lambda b: b.execute_script("return document.readyState") == "complete")


def shown_activation(browser, member):
    from selenium.webdriver.common.by import By
    row = browser.find_element(By.ID, f"m.lb.{member}")
    return row.find_element(By.CSS_SELECTOR, "[data-key=activation]").get_attribute("data-value")


@pytest.mark.parametrize("path", ["/jkstatus", "/jkstatus-strict"])
def test_the_page_forms_work_in_headless_chromium(httpd, browser, path):
    browser.get(httpd.url(path))
    assert shown_activation(browser, "worker2") == "Active"
    try:
        choose_and_apply(browser, "worker2", "Stopped")
        # The browser followed the 303 back to the page, which shows the change.
        assert browser.current_url == httpd.url(path)
        assert shown_activation(browser, "worker2") == "Stopped"
        assert activation_of(httpd, "worker2") == "Stopped"
        assert routes_of(httpd, 20) == {"worker1": 20}
        choose_and_apply(browser, "worker2", "Active")
        assert shown_activation(browser, "worker2") == "Active"
    finally:
        if activation_of(httpd, "worker2") != "Active":
            set_activation(httpd, "worker2", "A")


def test_a_page_of_another_site_cannot_change_anything_in_chromium(httpd, browser):
    """What an attacker's page does: an <img> with mod_jk's GET URL, and a form POST."""
    from selenium.webdriver.support.ui import WebDriverWait
    url = httpd.url("/jkstatus?cmd=update&from=list&w=lb&sw=worker2&vwa=2")
    browser.get("data:text/html,<img src='" + url.replace("&", "%26") + "'>"
                "<form id=f method=post action='" + httpd.url("/jkstatus") + "'>"
                "<input name=cmd value=update><input name=w value=lb>"
                "<input name=sw value=worker2><input name=vwa value=S></form>")
    browser.execute_script("document.getElementById('f').submit()")
    WebDriverWait(browser, TIMEOUT).until(lambda b: "another site" in b.page_source)
    assert activation_of(httpd, "worker2") == "Active"
    assert httpd.wait_log(r"refused update from client 127\.0\.0\.1: the browser says this "
                          r"request came from another site \(Sec-Fetch-Site: cross-site\)")
