"""Every broken configuration is refused by all three entry points, with one message.

Each workers.properties of tests/configs/bad/ that holds an error stops httpd itself:
`apache2 -t` (what apachectl configtest runs) fails, a real start fails, and `jkctl check`
exits 2, all three with the same `file:line: message`, and nothing crashes.  The same goes
for mistakes in the Jk directives of httpd.conf (JkWorkersFile, JkWorkerProperty, JkMount,
JkMountFile and the mount file it names).
"""
import re
import shutil
from pathlib import Path

import pytest

import jkharness as jk
from test_jkctl import jkctl, jkctl_path  # noqa: F401 (the fixtures, shared with test_jkctl)

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


def start_output(httpd):
    """What a real start printed (httpd's console and error_log); it must not come up."""
    with pytest.raises(jk.HarnessError):
        httpd.start(timeout=30)
    return httpd.read_log("stdout.log") + httpd.read_log("error_log")


@pytest.mark.parametrize("path,line,message", error_cases())
def test_all_three_entry_points_refuse_it_at_its_line(make_httpd, jk_module, jkctl, path, line,
                                                       message):
    httpd = make_httpd(CONF, start=False)
    target = httpd.conf_dir / "workers.properties"
    shutil.copyfile(path, target)
    expected = f"{target}:{line}: {message}"

    code, out = httpd.configtest()
    assert code != 0, out
    assert expected in out, out
    assert "Segmentation fault" not in out

    started = start_output(httpd)
    assert expected in started, started

    r = jkctl("check", target)
    assert r.rc == 2, r
    assert f"{target}:{line}: error: {message}" in r.out, r


def test_there_are_enough_broken_configurations():
    assert len(error_cases()) >= 65


# ---------------------------------------------------------------------------
# Jk directives: the same three entry points (jkctl through --httpd-conf)
# ---------------------------------------------------------------------------

WORKERS = "worker.list=w1,w2\nworker.w1.port=8010\nworker.w2.port=8011\n"
KNOWN_EXTENSIONS = ("reply_timeout, sticky_ignore, stateless, use_server_errors, active, "
                    "disabled, stopped, fail_on_status, session_cookie, session_path, "
                    "set_session_cookie, session_cookie_path")

# (id, directives appended after CONF, extra conf files, where, message).  `where` is
# "conf" for a line of httpd.conf (the last directive), else a conf file's name and line
# (0: the file as a whole).
DIRECTIVE_CASES = [
    ("empty_workers_file_name", 'JkWorkersFile ""', {}, "conf",
     "JkWorkersFile takes one argument, the workers.properties file"),
    ("empty_workers_file", "", {"workers.properties": ""}, ("workers.properties", 1),
     "the file sets no property (empty, or comments only): is JkWorkersFile the right file?"),
    ("empty_worker_property", "JkWorkerProperty", {}, "conf",
     "JkWorkerProperty needs a name=value line"),
    ("worker_property_bad_value", "JkWorkerProperty worker.w1.port=70000", {}, "conf",
     "worker.w1.port: '70000' is not a whole number from 1 to 65535"),
    ("worker_property_misspelt_key", "JkWorkerProperty worker.w1.prot=8012", {}, "conf",
     "unknown key 'prot' in worker.w1.prot (did you mean port?)"),
    ("worker_property_undefined_member",
     "JkWorkerProperty worker.list=lb\nJkWorkerProperty worker.lb.type=lb\n"
     "JkWorkerProperty worker.lb.balance_workers=w1,w3", {}, "conf",
     "worker.lb.balance_workers: member 'w3' is defined nowhere (no worker.w3.* key); "
     "did you mean one of w1, w2?"),
    ("mount_to_undefined_worker", "JkMount /app/* w3", {}, "conf",
     "JkMount /app/* names worker 'w3', which is not in worker.list; did you mean one of w1, w2?"),
    ("mount_unknown_extension", "JkMount /app/* w1;colour=red", {}, "conf",
     f"JkMount: unknown rule extension 'colour' (known: {KNOWN_EXTENSIONS})"),
    ("empty_mount_file_name", 'JkMountFile ""', {}, "conf",
     "JkMountFile takes one argument, the uriworkermap.properties file"),
    ("missing_mount_file", "JkMountFile @CONF_DIR@/nope.properties", {}, ("nope.properties", 0),
     "cannot open: No such file or directory"),
    ("mount_file_malformed_line", "JkMountFile @CONF_DIR@/uriworkermap.properties",
     {"uriworkermap.properties": "/ok/*=w1\nbroken\n"}, ("uriworkermap.properties", 2),
     "expected pattern=worker, found 'broken'"),
    ("mount_file_unknown_extension", "JkMountFile @CONF_DIR@/uriworkermap.properties",
     {"uriworkermap.properties": "/ok/*=w1\n/x/*=w2;reply_timout=10\n"},
     ("uriworkermap.properties", 2),
     f"unknown rule extension 'reply_timout' (known: {KNOWN_EXTENSIONS})"),
    ("mount_file_undefined_worker", "JkMountFile @CONF_DIR@/uriworkermap.properties",
     {"uriworkermap.properties": "/ok/*=w1\n/x/*=wl\n"}, ("uriworkermap.properties", 2),
     "rule /x/* names worker 'wl', which is not in worker.list; did you mean one of w1, w2?"),
]


def conf_line(httpd, directive):
    """The line of httpd.conf that holds the last line of `directive`."""
    last = directive.splitlines()[-1]
    lines = httpd.conf_path.read_text().splitlines()
    return max(i for i, text in enumerate(lines, 1) if text.strip() == last)


@pytest.mark.parametrize("directive,files,where,message",
                         [pytest.param(*c[1:], id=c[0]) for c in DIRECTIVE_CASES])
def test_directive_mistakes_are_refused_by_all_three(make_httpd, jk_module, jkctl, directive,
                                                     files, where, message):
    httpd = make_httpd(CONF + directive + "\n", files={"workers.properties": WORKERS, **files},
                       start=False)
    code, out = httpd.configtest()
    conf = httpd.conf_path
    if where == "conf":
        line = conf_line(httpd, directive)
        # httpd words its own syntax errors; the module's checks name file:line themselves.
        places = [f"line {line} of {conf}:\n{message}", f"{conf}:{line}: {message}"]
        jkctl_text = f"{conf}:{line}: error: {message}"
    else:
        place = f"{httpd.conf_dir / where[0]}" + (f":{where[1]}" if where[1] else "")
        places = [f"{place}: {message}"]
        jkctl_text = f"{place}: error: {message}"
    assert code != 0, out
    assert any(p in out for p in places), out

    started = start_output(httpd)
    assert any(p in started for p in places), started

    r = jkctl("check", "--httpd-conf", conf)
    assert r.rc == 2, r
    assert jkctl_text in r.out, r
