"""What mod_jk does not do, through real httpd, Tomcat and Chromium: status actions a real
browser can click but no other site can trigger, members brought back by background health
checks, slow start after recovery, and a retry budget when everything fails."""
import collections
import re
import threading
import time
from pathlib import Path

import pytest
import requests

import jkharness as jk

CONF = ("LoadModule jk_module @MODULE_PATH@\nJkWorkersFile @CONF_DIR@/workers.properties\n"
        "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\nJkMount /*.jsp lb\n"
        "JkMount /jkstatus jkstatus\n")


def workers(t1_host, t1_port, t2_host, t2_port, extra=""):
    return ("worker.list=lb,jkstatus\nworker.lb.type=lb\nworker.lb.balance_workers=worker1,worker2\n"
            f"worker.worker1.host={t1_host}\nworker.worker1.port={t1_port}\n"
            f"worker.worker2.host={t2_host}\nworker.worker2.port={t2_port}\n"
            f"worker.jkstatus.type=status\n{extra}")


def route(httpd):
    r = requests.get(httpd.url("/index.jsp"), timeout=10, headers={"Connection": "close"})
    assert r.status_code == 200, r.status_code
    return re.search(r"route=(\w+)", r.text).group(1)


def routes(httpd, n):
    return collections.Counter(route(httpd) for _ in range(n))


# -- the status page in a real browser --------------------------------------------------

# The `browser` fixture (Selenium driving headless Chromium) is in conftest.py.

def test_clicking_stop_on_the_status_page_works(make_httpd, tomcat, tomcat2, jk_module, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    httpd = make_httpd(CONF, files={"workers.properties": workers(
        tomcat.host, tomcat.ajp_port, tomcat2.host, tomcat2.ajp_port)}, mpm="prefork")
    assert routes(httpd, 10) == {"worker1": 5, "worker2": 5}
    browser.get(httpd.url("/jkstatus"))
    Select(browser.find_element(By.CSS_SELECTOR, 'select[aria-label="activation of worker2"]')
           ).select_by_visible_text("Stopped")
    row = browser.find_element(By.ID, "m.lb.worker2")
    row.find_element(By.XPATH, ".//button[normalize-space()='Apply']").click()
    # The form posts with the page's token and comes back to the page (303).
    assert browser.current_url.endswith("/jkstatus")
    assert "Stopped" in browser.find_element(By.ID, "m.lb.worker2").text
    assert routes(httpd, 12) == {"worker1": 12}  # every prefork child sees it
    assert "set activation of member worker2 of lb lb: Active -> Stopped" in httpd.jk_log()


def test_a_cross_site_page_cannot_stop_a_member(make_httpd, tomcat, tomcat2, jk_module, browser,
                                                tmp_path):
    httpd = make_httpd(CONF, files={"workers.properties": workers(
        tomcat.host, tomcat.ajp_port, tomcat2.host, tomcat2.ajp_port)})
    target = httpd.url("/jkstatus?cmd=update&w=lb&sw=worker2&vwa=S")
    # Another site's page: a link-style GET (img) and an auto-submitted form without token.
    evil = tmp_path / "evil.html"
    evil.write_text(f'<html><body><img src="{target}">'
                    f'<form id="f" method="post" action="{httpd.url("/jkstatus")}">'
                    '<input name="cmd" value="update"><input name="w" value="lb">'
                    '<input name="sw" value="worker2"><input name="vwa" value="S"></form>'
                    '<script>document.getElementById("f").submit()</script></body></html>')
    browser.get(evil.as_uri())
    time.sleep(1)
    assert routes(httpd, 10) == {"worker1": 5, "worker2": 5}
    assert "Active -> Stopped" not in httpd.jk_log()


# -- health checks and slow start -------------------------------------------------------

def test_health_check_and_slow_start_after_a_restart(make_httpd, make_tomcat, tomcat, jk_module):
    own = make_tomcat(host="127.0.0.2", jvm_route="worker2")
    extra = ("worker.lb.recover_time=600\nworker.lb.health_check_interval=1\n"
             "worker.lb.health_check_uri=/index.jsp\nworker.lb.slow_start=8\n")
    httpd = make_httpd(CONF, files={"workers.properties": workers(
        tomcat.host, tomcat.ajp_port, own.host, own.ajp_port, extra)})
    assert routes(httpd, 4) == {"worker1": 2, "worker2": 2}
    own.kill()
    assert routes(httpd, 6) == {"worker1": 6}  # failed over, worker2 in error
    own.start()
    # recover_time is 10 minutes: only the background check can bring worker2 back.
    assert httpd.wait_log(r"member worker2 passed its health check \(/index.jsp\)", timeout=30)
    status = requests.get(httpd.url("/jkstatus?mime=json"), timeout=10).json()
    [lb] = [b for b in status["lbs"] if b["name"] == "lb"]
    [w2] = [m for m in lb["members"] if m["name"] == "worker2"]
    assert w2["last_check_ok"] is True and w2["state"] != "error"
    early = routes(httpd, 40)
    time.sleep(8)
    late = routes(httpd, 40)
    assert 0 < early["worker2"] < 12, early   # a small share at first
    assert 16 <= late["worker2"] <= 24, late  # its full half once the ramp is over


# -- retry budget -----------------------------------------------------------------------

def test_retry_budget_keeps_retries_from_multiplying_load(make_httpd, jk_module, work_root):
    """Three members that all fail: without a budget every request would hit all three."""
    from test_faults import FakeBackend, fake_server_binary  # noqa: F401 (fixture reuse)
    binary = Path(work_root) / "fake_ajp_server"
    if not binary.is_file():
        import subprocess
        support = Path(__file__).resolve().parents[2] / "tests" / "support"
        subprocess.run(["gcc", "-std=c11", "-O1", "-pthread", f"-I{support}",
                        str(support / "fake_ajp_server.c"), str(support / "fake_ajp.c"),
                        "-o", str(binary)], check=True)
    fakes = [FakeBackend(binary, "close", work_root) for _ in range(3)]
    try:
        text = ("worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=a,b,c\n"
                "worker.lb.retry_budget=20\nworker.lb.lb_retries=3\nworker.lb.recover_time=1\n"
                "worker.lb.retries=1\n")
        for name, fake in zip("abc", fakes):
            text += f"worker.{name}.host=127.0.0.1\nworker.{name}.port={fake.port}\n"
        httpd = make_httpd(CONF.replace("JkMount /jkstatus jkstatus\n", ""),
                           files={"workers.properties": text})
        sent = 0
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and sent < 120:
            # Members come back for a probe every second and fail again: retries stay
            # possible throughout, and only the budget limits them.
            assert requests.get(httpd.url("/index.jsp"), timeout=10).status_code >= 500
            sent += 1
            time.sleep(0.05)
        attempts = sum(f.count("request") for f in fakes)
        assert attempts <= sent * 1.2 + 3 * 3, (attempts, sent)
        assert "the retry budget (20%) is spent" in httpd.jk_log()
    finally:
        for fake in fakes:
            fake.stop()
