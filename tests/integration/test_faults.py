"""Backend faults that a real Tomcat will not produce, through a real httpd.

Each fault comes from tests/support/fake_ajp_server (one process per fault). For each:
the client gets the status a user would expect (or, once headers went out, a response
that is visibly cut), mod_jk.log says what happened with the worker and its backend,
the broken connection is never reused, httpd never crashes, and 1,000 such requests
leave no file descriptors behind.
"""
import os
import re
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

import jkharness as jk

ROOT = Path(__file__).resolve().parents[2]
SUPPORT = ROOT / "tests" / "support"


@pytest.fixture(scope="session")
def fake_server_binary(work_root):
    """The fake backend, built from source for this session (it is small)."""
    built = ROOT / "tests" / "support" / "fake_ajp_server"
    if built.is_file() and built.stat().st_mtime >= (SUPPORT / "fake_ajp.c").stat().st_mtime:
        return built
    target = work_root / "fake_ajp_server"
    subprocess.run(["gcc", "-std=c11", "-O1", "-pthread", f"-I{SUPPORT}",
                    str(SUPPORT / "fake_ajp_server.c"), str(SUPPORT / "fake_ajp.c"),
                    "-o", str(target)], check=True)
    return target


class FakeBackend:
    """One fake_ajp_server process in a given mode; counts connections and requests."""

    def __init__(self, binary, mode, directory):
        directory = Path(tempfile.mkdtemp(prefix=f"fake-{mode}-", dir=directory))
        self.events = directory / "events"
        portfile = directory / "port"
        self.out = open(self.events, "w")
        self.proc = subprocess.Popen([str(binary), mode, str(portfile)], stdout=self.out)
        jk.wait_until(lambda: portfile.is_file() and portfile.read_text().strip(), 10)
        self.port = int(portfile.read_text())

    def count(self, event):
        return self.events.read_text().split().count(event)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.out.close()


@pytest.fixture
def fake(fake_server_binary, work_root):
    made = []

    def start(mode):
        made.append(FakeBackend(fake_server_binary, mode, work_root))
        return made[-1]

    yield start
    for backend in made:
        backend.stop()


def httpd_for(make_httpd, port, extra=""):
    workers = (f"worker.list=w1\nworker.w1.type=ajp13\nworker.w1.host=127.0.0.1\n"
               f"worker.w1.port={port}\nworker.w1.reply_timeout=1000\n{extra}")
    conf = ("LoadModule jk_module @MODULE_PATH@\n"
            "JkWorkersFile @CONF_DIR@/workers.properties\n"
            "JkLogFile @LOG_DIR@/mod_jk.log\nJkLogLevel info\nJkMount /app/* w1\n")
    return make_httpd(conf, files={"workers.properties": workers})


def open_fds(httpd):
    return sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in httpd.child_pids()
               if os.path.isdir(f"/proc/{pid}/fd"))


# mode -> (client status, words mod_jk.log must say)
BEFORE_HEADERS = {
    "bad-magic": (502, "bad AJP packet header"),
    "oversized": (502, "bad AJP packet header"),
    "truncated": (502, "connection to 127.0.0.1:\\d+ lost"),
    "body-first": (502, "sent body data before the response headers"),
    "unknown-type": (502, "unknown AJP message type"),
    "bad-header": (502, "unknown coded response header"),
    "close": (502, "closed by the backend"),
    "silent": (504, "no reply from 127.0.0.1:\\d+ within 1000 ms"),
    # The first headers were only handed to httpd, not sent: the client still gets a clean 502.
    "headers-twice": (502, "sent the response headers twice"),
}


@pytest.mark.parametrize("mode", sorted(BEFORE_HEADERS))
def test_fault_before_headers(make_httpd, fake, jk_module, mode):
    status, words = BEFORE_HEADERS[mode]
    backend = fake(mode)
    httpd = httpd_for(make_httpd, backend.port)
    for _ in range(3):
        assert requests.get(httpd.url("/app/x"), timeout=10).status_code == status
    log = httpd.jk_log()
    assert re.search(rf"worker w1: .*{words}", log), log
    # Every request found a fresh connection: a broken one is never reused.
    assert backend.count("connection") == backend.count("request") == 3
    assert "Segmentation fault" not in httpd.error_log()


def test_stall_after_the_first_body_packet_gives_a_clean_504(make_httpd, fake, jk_module):
    """Headers and one body packet, then silence: the response is still held in httpd (a
    one-packet body waits for the end), so the client gets a whole 504 rather than a 200
    cut short, which is all a connector that has passed the body on can give."""
    backend = fake("stall-body")
    httpd = httpd_for(make_httpd, backend.port)
    response = requests.get(httpd.url("/app/x"), timeout=10)
    assert response.status_code == 504
    assert "X-Fake" not in response.headers, "the held headers of the stalled reply leaked"
    assert re.search(r"worker w1: no reply from 127\.0\.0\.1:\d+ within 1000 ms", httpd.jk_log())
    assert backend.count("connection") == 1


def test_no_reuse_flag_closes_each_connection(make_httpd, fake, jk_module):
    backend = fake("no-reuse")
    httpd = httpd_for(make_httpd, backend.port)
    for _ in range(5):
        assert requests.get(httpd.url("/app/x"), timeout=10).status_code == 200
    assert backend.count("connection") == 5


def test_reused_connection_when_allowed(make_httpd, fake, jk_module):
    backend = fake("normal")
    httpd = httpd_for(make_httpd, backend.port)
    with requests.Session() as s:
        for _ in range(20):
            assert s.get(httpd.url("/app/x"), timeout=10).status_code == 200
    assert backend.count("request") == 20
    assert backend.count("connection") <= 2


def test_missing_cpong_gives_503(make_httpd, fake, jk_module):
    backend = fake("ignore-cping")
    httpd = httpd_for(make_httpd, backend.port, "worker.w1.ping_mode=C\nworker.w1.ping_timeout=300\n")
    assert requests.get(httpd.url("/app/x"), timeout=10).status_code == 503
    assert re.search(r"worker w1: no CPONG from 127.0.0.1:\d+ after connecting", httpd.jk_log())
    assert backend.count("request") == 0


def test_closed_port_gives_503_fast(make_httpd, jk_module):
    port = jk.free_port()
    httpd = httpd_for(make_httpd, port)
    start = time.monotonic()
    assert requests.get(httpd.url("/app/x"), timeout=10).status_code == 503
    assert time.monotonic() - start < 2  # a bound against hangs, not a benchmark
    assert re.search(rf"worker w1: cannot connect to 127.0.0.1:{port}: Connection refused",
                     httpd.jk_log())


def test_a_thousand_faults_leave_no_descriptors(make_httpd, fake, jk_module):
    backend = fake("bad-magic")
    httpd = httpd_for(make_httpd, backend.port)
    with requests.Session() as s:
        for _ in range(20):
            s.get(httpd.url("/app/x"), timeout=10)
        before = open_fds(httpd)
        for _ in range(1000):
            assert s.get(httpd.url("/app/x"), timeout=10).status_code == 502
        after = open_fds(httpd)
    assert after <= before + 2, (before, after)
    assert "Segmentation fault" not in httpd.error_log()
