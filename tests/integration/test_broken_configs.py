"""Every broken workers.properties of tests/configs/bad/ that holds an error stops httpd
itself: `apache2 -t` (what apachectl configtest runs) fails with the same `file:line:
message` that jkctl check prints, and nothing crashes."""
import re
import shutil
from pathlib import Path

import pytest

BAD = Path(__file__).resolve().parents[1] / "configs" / "bad"
CONF = ("LoadModule jk_module @MODULE_PATH@\nJkWorkersFile @CONF_DIR@/workers.properties\n"
        "JkLogFile @LOG_DIR@/mod_jk.log\n")


def error_cases():
    cases = []
    for path in sorted(BAD.glob("*.properties")):
        match = re.search(r"^# expect: @FILE@:(\d+): error: (.*)$", path.read_text(errors="replace"),
                          re.M)
        if match:
            cases.append(pytest.param(path, int(match.group(1)), match.group(2), id=path.stem))
    return cases


@pytest.mark.parametrize("path,line,message", error_cases())
def test_configtest_refuses_it_with_file_and_line(make_httpd, jk_module, path, line, message):
    httpd = make_httpd(CONF, start=False)
    target = httpd.conf_dir / "workers.properties"
    shutil.copyfile(path, target)
    code, out = httpd.configtest()
    assert code != 0, out
    assert f"{target}:{line}: {message}" in out, out
    assert "Segmentation fault" not in out


def test_there_are_enough_broken_configurations():
    assert len(error_cases()) >= 25
