"""A short run of tests/chaos.py: the lb over two real Tomcats under wrk's load while one
is SIGKILLed and restarted, SIGSTOPped and SIGCONTed, blackholed with nftables, and httpd
restarts gracefully. No request may fail and no httpd child may crash.

The check runs as its own process (it starts its own Tomcats and httpd and tears all of
them down, also when interrupted); here it gets a short schedule and few connections so
CI can afford it. The full run is `/usr/bin/python3 tests/chaos.py` (see docs/chaos.md).
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

CHAOS = Path(__file__).resolve().parents[1] / "chaos.py"

# Load and phases take about 25 s with --seconds 20 (fault phases last at least
# reply_timeout + 2 s, a restarted Tomcat needs several seconds); Tomcat start-up and
# teardown add 20-40 s. The limit leaves room for a slow (ASan) run.
LIMIT = 300


@pytest.mark.skipif(shutil.which("wrk") is None,
                    reason="wrk is not installed (apt-get install wrk)")
def test_no_request_fails_and_no_child_crashes_under_chaos(work_root, jk_module):
    workdir = work_root / "chaos"
    # Not one failed request: the page (hello.jsp) never flushes, so every request in flight
    # on a failing Tomcat is still held and can go to the other one.  The script says which
    # requests failed and why.
    argv = [sys.executable, str(CHAOS), "--seconds", "20", "--connections", "16",
            "--tolerance", "0", "--workdir", str(workdir)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(os.environ, JK_MODULE=str(jk_module)))
    try:
        output, _ = proc.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        # SIGTERM: the script undoes its faults and stops its servers before it exits.
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        pytest.fail(f"chaos.py did not finish within {LIMIT} s\n"
                    + output.decode(errors="replace"))
    text = output.decode(errors="replace")
    print(text)
    assert proc.returncode == 0, text
    assert "RESULT: PASS" in text
