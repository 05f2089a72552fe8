"""jkctl, the operator's tool: check, show and map, on good and broken configurations.

jkctl links the module's own common/ code, so these tests also pin what the module
reports.  The tool is taken from $JKCTL, else from the build tree (tools/jkctl/jkctl, when it
is newer than its sources), else built here with gcc into a temporary directory.

The broken files live in tests/configs/bad/: each says what it expects in lines
"# expect: @FILE@:LINE: error|warning: text", @FILE@ standing for its own path.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import jkharness as jk

REPO = jk.REPO
BAD_DIR = REPO / "tests" / "configs" / "bad"
CONF_DIR = REPO / "conf"
JKCTL_DIR = REPO / "tools" / "jkctl"
COMMON_DIR = REPO / "common"
# common/ and its folders (wire, config, workers, runtime, ...): each is on the include path.
COMMON_DIRS = [COMMON_DIR] + sorted(p for p in COMMON_DIR.iterdir()
                               if p.is_dir() and not p.name.startswith("."))
SOURCES = sorted(JKCTL_DIR.glob("*.[ch]")) + sorted(COMMON_DIR.glob("**/*.[ch]"))


def compile_jkctl(compiler, out):
    """Build jkctl as the brief says: its sources plus common/, APR only, -Werror."""
    def config(tool, *flags):
        return subprocess.run([tool, *flags], check=True, stdout=subprocess.PIPE,
                              text=True).stdout.split()
    cmd = ([compiler, "-std=c11", "-Wall", "-Wextra", "-Werror"]
           + config("apr-1-config", "--cppflags", "--includes")
           + ["-I" + str(d) for d in COMMON_DIRS]
           + [str(p) for p in sorted(JKCTL_DIR.glob("*.c"))]
           + [str(p) for p in sorted(COMMON_DIR.glob("**/*.c"))]
           + config("apr-1-config", "--link-ld", "--libs")
           + config("apu-1-config", "--link-ld", "--libs") + ["-o", str(out)])
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="session")
def jkctl_path(tmp_path_factory):
    if os.environ.get("JKCTL"):
        return Path(os.environ["JKCTL"])
    built = JKCTL_DIR / "jkctl"
    if built.is_file() and built.stat().st_mtime > max(p.stat().st_mtime for p in SOURCES):
        return built
    out = tmp_path_factory.mktemp("jkctl") / "jkctl"
    result = compile_jkctl("gcc", out)
    assert result.returncode == 0, result.stdout
    return out


class Run:
    def __init__(self, result):
        self.rc = result.returncode
        self.out = result.stdout
        self.err = result.stderr

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout\n{self.out}--- stderr\n{self.err}"


@pytest.fixture(scope="session")
def jkctl(jkctl_path):
    """jkctl(*args, env=None): a Run with rc, out and err."""
    def run(*args, env=None, cwd=None, timeout=60):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("JKCTL_TEST_")}
        full_env.update(env or {})
        result = subprocess.run([str(jkctl_path), *map(str, args)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace",
                                env=full_env, cwd=cwd, timeout=timeout)
        return Run(result)
    return run


def write(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------

def test_help_lists_every_command(jkctl):
    r = jkctl("--help")
    assert r.rc == 0
    for word in ("check", "show", "map", "keys", "--httpd-conf", "--cookie", "--vhost",
                 "--strict", "--mount-file"):
        assert word in r.out
    assert jkctl("map", "--help").rc == 0
    assert jkctl("--version").out.startswith("jkctl ")


@pytest.mark.parametrize("args, message", [
    ((), "Usage: jkctl"),
    (("frobnicate",), "unknown command 'frobnicate'"),
    (("check",), "check needs a workers.properties file or --httpd-conf"),
    (("check", "--vhost", "x", "w.properties"), "--vhost does not apply to 'check'"),
    (("show", "--bogus"), "unknown option '--bogus'"),
    (("map", "/x"), "map needs --httpd-conf, or --mount / --mount-file"),
    (("map", "/x", "--mount", "/x/*"), "--mount takes 'PATTERN WORKER'"),
    (("show", "--format", "json", "w.properties"), "--format takes text or tsv"),
])
def test_usage_errors_exit_64(jkctl, args, message):
    r = jkctl(*args)
    assert r.rc == 64, r
    assert message in r.err


def test_tool_builds_clean_with_gcc_and_clang(tmp_path):
    for compiler in ("gcc", "clang"):
        if shutil.which(compiler) is None:
            pytest.skip(f"{compiler} not installed")
        result = compile_jkctl(compiler, tmp_path / f"jkctl-{compiler}")
        assert result.returncode == 0, result.stdout
        assert result.stdout == ""


# ---------------------------------------------------------------------------
# check: good configurations
# ---------------------------------------------------------------------------

def compat_dir():
    return jk.examples_dir()


COMPAT_VALUES = {"TOMCAT1_HOST": "127.0.0.1", "TOMCAT2_HOST": "127.0.0.2",
                 "TOMCAT1_AJP_PORT": 8009, "TOMCAT2_AJP_PORT": 8010,
                 "SECRET1": "first-secret", "SECRET2": "second-secret"}


def test_shipped_examples_have_no_problem_at_all(jkctl):
    r = jkctl("check", "--strict", CONF_DIR / "workers.properties",
              CONF_DIR / "uriworkermap.properties")
    assert r.rc == 0, r
    assert r.out == "0 errors, 0 warnings\n"


@pytest.mark.parametrize("name", ["workers-single.properties", "workers-lb.properties",
                                  "workers-lb-secret.properties"])
def test_users_workers_files_have_no_error(jkctl, tmp_path, name):
    path = write(tmp_path / name, jk.fill((compat_dir() / name).read_text(), **COMPAT_VALUES))
    r = jkctl("check", path)
    assert r.rc == 0, r
    assert re.search(r"^0 errors, \d+ warnings?$", r.out, re.M), r
    # The guide writes balanced_workers: its old spelling is the only thing to say.
    assert [w for w in r.out.splitlines() if ": warning: " in w and
            "balanced_workers is an old spelling" not in w] == []


@pytest.mark.parametrize("conf, workers", [
    ("httpd-jk-single.conf", "workers-single.properties"),
    ("httpd-jk-lb.conf", "workers-lb.properties"),
    ("httpd-jk-lb.conf", "workers-lb-secret.properties"),
])
def test_users_httpd_confs_have_no_error(jkctl, jk_module, tmp_path, conf, workers):
    values = dict(COMPAT_VALUES, CONF_DIR=tmp_path, LOG_DIR=tmp_path, MODULE_PATH=jk_module)
    write(tmp_path / "workers.properties", jk.fill((compat_dir() / workers).read_text(), **values))
    httpd_conf = write(tmp_path / "httpd.conf", jk.fill((compat_dir() / conf).read_text(), **values))
    r = jkctl("check", "--httpd-conf", httpd_conf)
    assert r.rc == 0, r
    assert "error:" not in r.out
    worker = "worker1" if "single" in conf else "loadbalancer"
    m = jkctl("map", "/index.jsp", "--httpd-conf", httpd_conf)
    assert m.rc == 0, m
    assert re.search(rf"^worker +{worker} ", m.out, re.M), m
    assert jkctl("map", "/static.html", "--httpd-conf", httpd_conf).rc == 1


# ---------------------------------------------------------------------------
# check: the corpus of broken files
# ---------------------------------------------------------------------------

def corpus():
    return sorted(BAD_DIR.glob("*.properties"))


def expectations(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    return [m.group(1).replace("@FILE@", str(path))
            for m in re.finditer(r"^# expect: (.+)$", text, re.M)]


def test_corpus_is_large_and_every_file_says_what_it_expects():
    files = corpus()
    assert len(files) >= 20
    for path in files:
        assert expectations(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_broken_file_reports_its_message_at_its_line(jkctl, path):
    r = jkctl("check", path)
    for expected in expectations(path):
        assert expected in r.out, r
    if any(": error: " in e for e in expectations(path)):
        assert r.rc == 2, r
    else:
        assert r.rc == 0, r
        assert jkctl("check", "--strict", path).rc == 1


def test_summary_counts_what_was_printed(jkctl):
    r = jkctl("check", BAD_DIR / "reference_cycle.properties")
    errors = len(re.findall(r": error: ", r.out))
    warnings = len(re.findall(r": warning: ", r.out))
    assert r.out.splitlines()[-1] == f"{errors} errors, {warnings} warning{'s' * (warnings != 1)}"


def test_missing_file_is_an_error(jkctl, tmp_path):
    r = jkctl("check", tmp_path / "nope.properties")
    assert r.rc == 2
    assert f"{tmp_path / 'nope.properties'}: error: cannot open" in r.out


def test_ten_megabyte_file_is_read_whole_and_lines_are_counted(jkctl, tmp_path):
    filler = "# " + "x" * 68 + "\n"
    count = 10 * 1024 * 1024 // len(filler) + 1
    path = tmp_path / "huge.properties"
    path.write_text(filler * count + "worker.list=worker1\nworker.worker1.port=eighty\n")
    assert path.stat().st_size >= 10 * 1024 * 1024
    r = jkctl("check", path)   # the fixture's 60 s timeout bounds a hang
    assert r.rc == 2
    assert f"{path}:{count + 2}: error: worker.worker1.port: 'eighty' is not a whole number" in r.out


def test_ten_megabyte_line_is_one_error(jkctl, tmp_path):
    path = tmp_path / "oneline.properties"
    path.write_text("worker.list=" + "w" * (10 * 1024 * 1024) + "\nworker.worker1.host=x\n")
    r = jkctl("check", path)
    assert r.rc == 2
    assert f"{path}:1: error: line longer than 8192 characters" in r.out


def test_many_unused_workers_are_all_checked(jkctl, tmp_path):
    path = tmp_path / "many.properties"
    path.write_text("worker.list=w0\n" + "".join(f"worker.w{i}.host=h{i}\n" for i in range(20000)))
    r = jkctl("check", path)
    assert r.rc == 0
    assert "0 errors, 19999 warnings" in r.out
    # The last of 20,000 workers is looked at as closely as the first.
    assert f"{path}:20001: warning: worker w19999 is defined but not in worker.list" in r.out


# ---------------------------------------------------------------------------
# check: httpd.conf and mount files
# ---------------------------------------------------------------------------

LB_WORKERS = """\
worker.list=loadbalancer,worker1,jkstatus,shop
worker.loadbalancer.type=lb
worker.loadbalancer.balance_workers=worker1,worker2,worker3
worker.worker1.host=127.0.0.1
worker.worker2.host=127.0.0.2
worker.worker2.redirect=node3.eu
worker.worker3.host=127.0.0.3
worker.worker3.route=node3.eu
worker.worker3.activation=Disabled
worker.jkstatus.type=status
worker.shop.host=127.0.0.4
"""

MAIN_CONF = """\
Define JKDIR @DIR@
<IfModule jk_module>
  JkWorkersFile ${JKDIR}/workers.properties
  JkLogFile logs/mod_jk.log
  JkMount /app/* loadbalancer
  JkUnMount /app/static/* loadbalancer
  JkMount /direct/* worker1
  <Location /jkstatus>
    JkMount jkstatus
    Require ip 127.0.0.1
  </Location>
</IfModule>
<IfModule !jk_module>
  JkMount /never/* loadbalancer
</IfModule>
Include conf.d/*.conf
"""

VHOSTS_CONF = """\
<VirtualHost *:80>
  ServerName www.example.com
  ServerAlias example.com *.example.org
  JkMountCopy On
  JkMount /extra/* loadbalancer
</VirtualHost>
<VirtualHost *:80>
  ServerName shop.example.com
  JkMountFile uriworkermap.properties
  JkOptions +RejectUnsafeURI
</VirtualHost>
"""

SHOP_MAP = """\
/shop|/*=shop
!/shop/static/*=shop
/reports/*=loadbalancer;reply_timeout=60000;sticky_ignore=1
/sticky/*=loadbalancer;stopped=worker2
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An httpd.conf with JkMount/JkUnMount, a <Location>, two vhosts and a JkMountFile."""
    d = tmp_path_factory.mktemp("site")
    write(d / "workers.properties", LB_WORKERS)
    write(d / "uriworkermap.properties", SHOP_MAP)
    write(d / "conf.d" / "vhosts.conf", VHOSTS_CONF)
    return write(d / "httpd.conf", MAIN_CONF.replace("@DIR@", str(d)))


def test_site_checks_with_one_warning_at_the_direct_mount(jkctl, site):
    r = jkctl("check", "--httpd-conf", site)
    assert r.rc == 0, r
    assert (f"{site}:7: warning: JkMount /direct/* sends requests straight to worker1, a member "
            "of lb loadbalancer") in r.out
    assert r.out.endswith("0 errors, 1 warning\n"), r
    assert jkctl("check", "--strict", "--httpd-conf", site).rc == 1


def test_httpd_conf_mistakes_are_reported_at_their_lines(jkctl, tmp_path):
    write(tmp_path / "workers.properties", LB_WORKERS)
    conf = write(tmp_path / "httpd.conf", """\
JkWorkersFile workers.properties
JkMountFiles uriworkermap.properties
JkMount /x/* nosuchworker
JkMount /status/* jkstatus
JkMount /y
JkMount y worker1
<VirtualHost *:80>
  JkWorkersFile other.properties
  JkMountCopy All
  JkMount /v/* worker2
</VirtualHost>
<Location /open>
  Require all granted
  JkMount jkstatus
</Location>
Include missing.conf
IncludeOptional missing/*.conf
""")
    r = jkctl("check", "--httpd-conf", conf)
    assert r.rc == 2, r
    expected = [
        "2: error: Invalid command 'JkMountFiles': this module has no such directive",
        "3: error: JkMount /x/* names worker 'nosuchworker', which is not in worker.list",
        "4: warning: status worker jkstatus is mounted at /status/* with no access control",
        "5: error: JkMount needs a URI pattern and a worker name",
        "6: error: JkMount: URI pattern 'y' must start with '/'",
        "8: error: JkWorkersFile cannot occur within a <VirtualHost> or <Location> section",
        "9: error: JkMountCopy All belongs in the main server",
        "10: error: JkMount /v/* names worker 'worker2', which is not in worker.list",
        "14: warning: status worker jkstatus is mounted at /open with no access control",
        "16: error: Include: cannot open",
    ]
    for e in expected:
        assert f"{conf}:{e}" in r.out, r
    assert "missing/" not in r.out


def test_mount_file_rules_are_checked(jkctl, tmp_path):
    workers = write(tmp_path / "workers.properties", LB_WORKERS)
    rules = write(tmp_path / "uriworkermap.properties", """\
/app/*=loadbalancer
app/x=loadbalancer
/y/*=nobody
/z/*=worker2
/w/*=worker1;bogus=1
/status/*=jkstatus
no equals sign
/v/*=worker1
""")
    r = jkctl("check", workers, rules)
    assert r.rc == 2, r
    for e in ["2: error: URI pattern 'app/x' must start with '/'",
              "3: error: rule /y/* names worker 'nobody', which is not in worker.list",
              "4: error: rule /z/* names worker 'worker2', which is not in worker.list",
              "5: error: unknown rule extension 'bogus' (known: reply_timeout,",
              "8: warning: rule /v/* sends requests straight to worker1, a member of lb",
              "7: error: expected pattern=worker, found 'no equals sign'"]:
        assert f"{rules}:{e}" in r.out, r
    # Without httpd.conf jkctl cannot see a <Location>, so it does not guess about access.
    assert "status worker" not in r.out


# ---------------------------------------------------------------------------
# map
# ---------------------------------------------------------------------------

def mapped(r):
    """(worker or None, the rule line) from map's output."""
    worker = re.search(r"^worker +(\S+)", r.out, re.M)
    rule = re.search(r"^rule +(.*)$", r.out, re.M)
    name = worker.group(1) if worker else None
    return (None if name in (None, "none:") else name), (rule.group(1) if rule else "")


MAP_TABLE = [
    # (url, vhost, worker, rule or answer substring)
    ("/app/index.jsp", None, "loadbalancer", "JkMount /app/* loadbalancer (@CONF@:5)"),
    ("/app", None, "loadbalancer", "JkMount /app/*"),
    ("/app/static/a.css", None, None, "cancelled by JkUnMount /app/static/* loadbalancer (@CONF@:6)"),
    # spellings that must not escape the JkUnMount
    ("//app//static//a.css", None, None, "cancelled by JkUnMount"),
    ("/app/./static/a.css", None, None, "cancelled by JkUnMount"),
    ("/app/x/../static/a.css", None, None, "cancelled by JkUnMount"),
    ("/app/static;x=1/a.css", None, None, "cancelled by JkUnMount"),
    ("/app/%73tatic/a.css", None, None, "cancelled by JkUnMount"),
    # spellings that leave /app/ must not reach the /app/* worker
    ("/app/..;/manager/html", None, None, "none matches"),
    ("/app/..%3B/manager/html", None, None, "none matches"),
    ("/app/%2e%2e/manager/html", None, None, "none matches"),
    ("/app/..\\manager/html", None, None, "none matches"),
    ("/app/;/../manager/", None, None, "none matches"),
    ("/../etc/passwd", None, None, "answers 400"),
    ("/app/%2Fetc", None, None, "answers 404"),
    ("/app/%zz", None, None, "answers 400"),
    ("/manager/html", None, None, "none matches"),
    ("/never/x", None, None, "none matches"),
    ("/jkstatus", None, "jkstatus", "JkMount /jkstatus jkstatus (@CONF@:9)"),
    ("/jkstatus;x", None, "jkstatus", "JkMount /jkstatus"),
    ("/jkstatus/", None, None, "none matches"),
    ("/direct/x?query=/app/y", None, "worker1", "JkMount /direct/*"),
    # virtual hosts
    ("http://www.example.com/extra/a", None, "loadbalancer", "vhosts.conf:5"),
    ("http://www.example.com/app/a", None, "loadbalancer", "@CONF@:5"),
    ("http://user@EXAMPLE.com:8080/extra/a", None, "loadbalancer", "JkMount /extra/*"),
    ("http://foo.example.org/extra/a", None, "loadbalancer", "JkMount /extra/*"),
    ("/extra/a", "www.example.com", "loadbalancer", "JkMount /extra/*"),
    ("http://shop.example.com/app/x", None, None, "none matches"),
    ("http://shop.example.com/shop", None, "shop", "/shop=shop (@DIR@/uriworkermap.properties:1)"),
    ("http://shop.example.com/shop/cart", None, "shop", "/shop/*=shop"),
    ("http://shop.example.com/shop/static/a.png", None, None,
     "cancelled by !/shop/static/*=shop (@DIR@/uriworkermap.properties:2)"),
    ("http://shop.example.com/shop/static/..;/../shop/static/a.png", None, None, "cancelled by"),
    ("http://shop.example.com/shop/a%25b", None, None, "/shop/*=shop"),
    ("http://shop.example.com/reports/r", None, "loadbalancer",
     "/reports/*=loadbalancer;reply_timeout=60000;sticky_ignore=1"),
    ("http://nobody.example.net/extra/a", None, "loadbalancer", "JkMount /extra/*"),
]


@pytest.mark.parametrize("url, vhost, worker, text", MAP_TABLE,
                         ids=[f"{u} {v or ''}" for u, v, *_ in MAP_TABLE])
def test_map(jkctl, site, url, vhost, worker, text):
    args = ["map", url, "--httpd-conf", site] + (["--vhost", vhost] if vhost else [])
    r = jkctl(*args)
    got_worker, rule = mapped(r)
    assert got_worker == worker, r
    assert text.replace("@CONF@", str(site)).replace("@DIR@", str(site.parent)) in r.out, r
    assert r.rc == (0 if worker else 1), r


def test_map_says_what_it_normalised_and_why(jkctl, site):
    r = jkctl("map", "/app/..%3B/manager/html", "--httpd-conf", site)
    assert "\npath      /app/..%3B/manager/html\n" in r.out
    assert "\ndecoded   /app/..;/manager/html\n" in r.out
    assert "\nresolved  /manager/html\n" in r.out
    assert "worker    none: httpd serves this URL itself" in r.out
    r = jkctl("map", "http://shop.example.com/shop/a%25b", "--httpd-conf", site)
    assert "answers 403 (RejectUnsafeURI" in r.out
    r = jkctl("map", "http://nobody.example.net/", "--httpd-conf", site)
    assert "no <VirtualHost> is named nobody.example.net: httpd uses the first one" in r.out


def test_map_many_urls_at_once(jkctl, site):
    r = jkctl("map", "/app/a", "/app/static/b", "--httpd-conf", site)
    assert r.out.count("url       ") == 2
    assert r.rc == 1  # not every URL is forwarded


STICKY = [
    # (url, cookies, member line)
    ("/app/x", [], "by load among worker1, worker2 (no session)"),
    ("/app/x", ["JSESSIONID=ABC.worker2"], "worker2 (route worker2): it holds the session"),
    ("/app/x;jsessionid=ABC.worker1", ["JSESSIONID=DEF.worker2"],
     "worker1 (route worker1): it holds the session"),
    ("/app/x", ["JSESSIONID=ABC.node3.eu"], "worker3 (route node3.eu): it holds the session; "
     "it is Disabled, and still serves the sessions it holds"),
    ("/app/x", ["JSESSIONID=ABC", "JSESSIONID=DEF.worker1"],
     "worker1 (route worker1): it holds the session"),
    ("/app/x", ["OTHER=ABC.worker2"], "by load among worker1, worker2 (no session)"),
    ("/app/x", ["JSESSIONID=ABC.nobody"],
     "by load among worker1, worker2 (no session names a usable member)"),
    ("http://shop.example.com/reports/x", ["JSESSIONID=ABC.worker2"],
     "by load among worker1, worker2 (the rule's sticky_ignore: sessions are ignored)"),
    ("http://shop.example.com/sticky/x", ["JSESSIONID=ABC.worker2"],
     "worker3 (route node3.eu): the redirect of worker2, which holds the session but is Stopped"),
]


@pytest.mark.parametrize("url, cookies, member", STICKY)
def test_map_lb_member_for_a_session(jkctl, site, url, cookies, member):
    args = ["map", url, "--httpd-conf", site]
    for c in cookies:
        args += ["--cookie", c]
    r = jkctl(*args)
    assert r.rc == 0, r
    assert f"\nmember    {member}\n" in r.out, r


def test_map_sticky_session_force_refuses(jkctl, tmp_path):
    workers = write(tmp_path / "w.properties", """\
worker.list=lb
worker.lb.type=lb
worker.lb.balance_workers=a,b
worker.lb.sticky_session_force=true
worker.a.host=h1
worker.a.activation=S
worker.b.host=h2
""")
    r = jkctl("map", "/x", "--workers", workers, "--mount", "/* lb", "--cookie", "JSESSIONID=1.a")
    assert "member    none: a holds the session but is Stopped, and sticky_session_force " \
           "answers 503" in r.out, r


def test_map_with_command_line_rules_and_mount_file(jkctl, tmp_path):
    workers = write(tmp_path / "w.properties", LB_WORKERS)
    rules = write(tmp_path / "u.properties", "/files/*=shop\n")
    base = ["--workers", workers, "--mount", "/app/* loadbalancer",
            "--unmount", "/app/img/* *", "--mount-file", rules]
    assert mapped(jkctl("map", "/app/a", *base))[0] == "loadbalancer"
    r = jkctl("map", "/app/img/a.png", *base)
    assert mapped(r)[0] is None and "cancelled by JkUnMount /app/img/* * ((command line))" in r.out
    assert mapped(jkctl("map", "/files/a", *base))[0] == "shop"


def test_map_reports_configuration_errors(jkctl, tmp_path):
    workers = write(tmp_path / "w.properties", "worker.list=a\nworker.a.port=0\n")
    r = jkctl("map", "/x", "--workers", workers, "--mount", "/* a")
    assert r.rc == 2
    assert f"{workers}:2: error: worker.a.port" in r.err


# ---------------------------------------------------------------------------
# show
# ---------------------------------------------------------------------------

SHOW_WORKERS = """\
tomcat_host=10.0.0.5
worker.list=lb
worker.tmpl.host=$(tomcat_host)
worker.tmpl.port=8009
worker.tmpl.max_packet_size=9000
worker.tmpl.ping_mode=C
worker.w1.reference=worker.tmpl
worker.w2.reference=worker.tmpl
worker.w2.port=8010
worker.w2.route=node2.eu
worker.w2.cachesize=10
worker.w2.source=$(JKCTL_TEST_SOURCE)
worker.lb.type=lb
worker.lb.balance_workers=w1,w2
worker.lb.secret=s3cret
worker.lb.method=B
"""


@pytest.fixture
def show_file(tmp_path):
    return write(tmp_path / "workers.properties", SHOW_WORKERS)


def show_table(jkctl, path, *args):
    r = jkctl("show", "--format", "tsv", path, *args, env={"JKCTL_TEST_SOURCE": "192.0.2.1"})
    assert r.rc == 0, r
    table = {}
    for line in r.out.splitlines():
        worker, key, value, source = line.split("\t")
        table[worker, key] = (value, source)
    return table


def test_show_resolves_references_and_variables(jkctl, show_file):
    t = show_table(jkctl, show_file)
    f = str(show_file)
    assert t["w1", "host"] == ("10.0.0.5", f"{f}:3 (worker.tmpl.host, by reference; "
                                           f"$(tomcat_host) from {f}:1)")
    assert t["w1", "port"] == ("8009", f"{f}:4 (worker.tmpl.port, by reference)")
    assert t["w2", "port"] == ("8010", f"{f}:9")
    assert t["w1", "reference"] == ("worker.tmpl", f"{f}:7")
    assert t["w2", "source"] == ("192.0.2.1", f"{f}:12 ($(JKCTL_TEST_SOURCE) from the environment)")
    assert t["(global)", "worker.list"] == ("lb", f"{f}:2")
    assert t["(global)", "worker.maintain"] == ("60", "default")


def test_show_gives_effective_values_with_their_reasons(jkctl, show_file):
    t = show_table(jkctl, show_file)
    f = str(show_file)
    assert t["w1", "max_packet_size"] == ("9216", f"{f}:5 (worker.tmpl.max_packet_size, by "
                                                  "reference; 9000 rounded)")
    assert t["w2", "connection_pool_size"] == ("10", f"{f}:11 (as cachesize, an old spelling)")
    assert t["w1", "connection_pool_size"] == ("auto", "default: ThreadsPerChild (1 on prefork)")
    assert t["w1", "ping_mode"] == ("C", f"{f}:6 (worker.tmpl.ping_mode, by reference)")
    assert t["w1", "connect_timeout"] == ("10000", "ping_timeout, as ping_mode has C")
    assert t["w1", "route"] == ("w1", "default: the worker's name")
    assert t["w2", "domain"] == ("node2", "from route 'node2.eu' (its part before '.')")
    assert t["w1", "secret"] == ("(set)", f"from lb lb: {f}:15")
    assert t["lb", "secret"] == ("(set)", f"{f}:15")
    assert t["lb", "method"] == ("Busyness", f"{f}:16")
    assert t["lb", "balance_workers"] == ("w1,w2", f"{f}:14")
    assert t["lb", "sticky_session"] == ("true", "default")
    assert t["lb", "error_escalation_time"] == ("30", "default: recover_time / 2")
    assert t["w1", "socket_connect_timeout"] == ("0", "default: socket_timeout x 1000")
    # The template is no worker of its own, and lb keys do not show on ajp13 workers.
    assert not any(w == "tmpl" for w, _ in t)
    assert ("w1", "sticky_session") not in t and ("lb", "host") not in t


def test_show_masks_secrets_unless_asked(jkctl, show_file):
    assert "s3cret" not in jkctl("show", show_file).out
    assert show_table(jkctl, show_file, "--show-secrets")["w1", "secret"][0] == "s3cret"


def test_show_text_names_each_worker_and_its_place(jkctl, show_file):
    r = jkctl("show", show_file, "w2", env={"JKCTL_TEST_SOURCE": "192.0.2.1"})
    assert r.rc == 0, r
    assert f"w2: ajp13 (member of lb, named at {show_file}:14)" in r.out
    assert re.search(r"^  port +8010 +" + re.escape(f"{show_file}:9") + "$", r.out, re.M), r
    assert "\nglobal\n" not in r.out and "w1:" not in r.out


def test_show_unknown_worker_and_broken_file(jkctl, show_file, tmp_path):
    r = jkctl("show", show_file, "nosuch", env={"JKCTL_TEST_SOURCE": "x"})
    assert r.rc == 1 and "no worker named nosuch" in r.err
    bad = write(tmp_path / "bad.properties", "worker.list=a\nworker.a.port=0\n")
    r = jkctl("show", bad)
    assert r.rc == 2
    assert f"{bad}:2: error: worker.a.port" in r.err


def test_show_reads_workers_from_httpd_conf(jkctl, site):
    r = jkctl("show", "--httpd-conf", site, "--format", "tsv", "worker3")
    assert r.rc == 0, r
    assert f"worker3\tactivation\tDisabled\t{site.parent}/workers.properties:9\n" in r.out


# ---------------------------------------------------------------------------
# keys and directives stay in step with the module and its documentation
# ---------------------------------------------------------------------------

def documented_keys():
    """Names in the first column of the workers.properties tables, and the old spellings."""
    doc = (REPO / "docs" / "configuration.md").read_text()
    section = doc.split("\n## workers.properties", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            names |= set(re.findall(r"`([a-z0-9_.]+)`", line.split("|")[1]))
    for m in re.finditer(r"[Oo]ld (?:name|spellings?) ((?:`[a-z0-9_]+`(?:,| and| or)?\s*)+)",
                         section):
        names |= set(re.findall(r"`([a-z0-9_]+)`", m.group(1)))
    return names


def test_keys_known_to_check_are_the_documented_keys(jkctl):
    r = jkctl("keys")
    assert r.rc == 0
    keys = {line.split()[0] for line in r.out.splitlines()[1:]}
    assert {"worker.list", "host", "balance_workers", "cachesize", "css"} <= keys
    documented = documented_keys()
    assert sorted(keys - documented) == [], "known to jkctl check but not documented"
    assert sorted(documented - keys) == [], "documented but unknown to jkctl check"


def module_directives():
    source = (REPO / "native" / "apache2" / "jk_directives.c").read_text()
    return re.findall(r'AP_INIT_\w+\(\s*"(Jk\w+)"', source)


def test_jk_conf_describes_every_directive_of_the_module():
    names = module_directives()
    assert "JkMount" in names and "JkWorkersFile" in names
    in_conf = set(re.findall(r"\bJk[A-Z]\w*", (CONF_DIR / "jk.conf").read_text()))
    assert sorted(set(names) - in_conf) == [], "directives missing from conf/jk.conf"
    assert sorted(in_conf - set(names)) == [], "conf/jk.conf names directives the module lacks"


def test_jkctl_knows_the_module_directives(jkctl):
    assert jkctl("directives").out.split() == module_directives()


# ---------------------------------------------------------------------------
# The Debian layout
# ---------------------------------------------------------------------------

INSTALL = REPO / "scripts" / "install-debian-layout.sh"


def install(env):
    result = subprocess.run(["sh", str(INSTALL)], env=dict(os.environ, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout
    return result.stdout


def test_install_into_destdir_keeps_what_the_user_has(jk_module, tmp_path):
    dest = tmp_path / "root"
    out = install({"DESTDIR": str(dest), "MODULE": str(jk_module)})
    etc = dest / "etc" / "apache2"
    assert (dest / "usr/lib/apache2/modules/mod_jk.so").read_bytes() == jk_module.read_bytes()
    assert (etc / "mods-available/jk.load").read_text() == (CONF_DIR / "jk.load").read_text()
    assert "JkWorkersFile /etc/apache2/workers.properties" in (etc / "mods-available/jk.conf").read_text()
    assert (etc / "workers.properties").read_text() == (CONF_DIR / "workers.properties").read_text()
    assert f"installed {etc}/uriworkermap.properties" in out

    (etc / "workers.properties").write_text("worker.list=mine\n")
    (etc / "mods-available/jk.conf").write_text("# edited by the admin\n")
    out = install({"DESTDIR": str(dest), "MODULE": str(jk_module)})
    assert (etc / "workers.properties").read_text() == "worker.list=mine\n"
    assert f"kept {etc}/workers.properties" in out
    assert (etc / "mods-available/jk.conf").read_text() == "# edited by the admin\n"
    assert (etc / "mods-available/jk.conf.dist").read_text() == (CONF_DIR / "jk.conf").read_text()
    assert f"unchanged {etc}/mods-available/jk.load" in out


SCRATCH_APACHE2_CONF = """\
PidFile ${APACHE_PID_FILE}
Mutex file:${APACHE_LOCK_DIR} default
DefaultRuntimeDir ${APACHE_RUN_DIR}
ErrorLog ${APACHE_LOG_DIR}/error.log
User ${APACHE_RUN_USER}
Group ${APACHE_RUN_GROUP}
Listen 127.0.0.1:@PORT@
ServerName localhost
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
IncludeOptional sites-enabled/*.conf
"""


@pytest.fixture
def scratch_apache(jk_module, tmp_path):
    """A Debian-style /etc/apache2 under tmp_path with our layout installed into it.

    The install script writes the scratch paths into jk.load and jk.conf (CONFDIR,
    MODULEDIR, LOGDIR), which is what Debian's tools read there.
    """
    root = tmp_path / "scratch"
    conf = root / "etc" / "apache2"
    for d in ("mods-available", "mods-enabled", "sites-enabled"):
        (conf / d).mkdir(parents=True)
    for d in ("run", "log", "state"):
        (root / d).mkdir()
    shutil.copy("/etc/apache2/mods-available/mpm_event.load", conf / "mods-available")
    write(conf / "envvars", "".join(f"export {k}={v}\n" for k, v in {
        "APACHE_RUN_USER": "www-data", "APACHE_RUN_GROUP": "www-data",
        "APACHE_PID_FILE": root / "run" / "apache2.pid", "APACHE_RUN_DIR": root / "run",
        "APACHE_LOCK_DIR": root / "run", "APACHE_LOG_DIR": root / "log"}.items()))
    write(conf / "apache2.conf", SCRATCH_APACHE2_CONF.replace("@PORT@", str(jk.free_port())))
    write(conf / "sites-enabled" / "000-default.conf",
          "<VirtualHost *:80>\n    ServerName www.example.com\n</VirtualHost>\n")
    install({"MODULE": str(jk_module), "CONFDIR": str(conf),
             "MODULEDIR": str(root / "modules"), "LOGDIR": str(root / "log")})
    return root


def scratch_env(root):
    conf = root / "etc" / "apache2"
    return dict(os.environ, APACHE_CONFDIR=str(conf), APACHE_STATE_DIRECTORY=str(root / "state"))


def enable(root, *modules):
    """Enable modules in the scratch tree with `a2enmod`, or by its symlinks without it."""
    conf = root / "etc" / "apache2"
    if shutil.which("a2enmod"):
        result = subprocess.run(["a2enmod", "-q", *modules], env=scratch_env(root),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert result.returncode == 0, result.stdout
        return
    for m in modules:
        for suffix in (".load", ".conf"):
            if (conf / "mods-available" / (m + suffix)).exists():
                (conf / "mods-enabled" / (m + suffix)).symlink_to(
                    f"../mods-available/{m}{suffix}")


def test_a2enmod_jk_and_configtest_in_a_scratch_root(scratch_apache):
    conf = scratch_apache / "etc" / "apache2"
    system_enabled = Path("/etc/apache2/mods-enabled/jk.load").exists()
    enable(scratch_apache, "mpm_event", "jk")
    assert (conf / "mods-enabled" / "jk.load").resolve() == conf / "mods-available" / "jk.load"
    assert (conf / "mods-enabled" / "jk.conf").resolve() == conf / "mods-available" / "jk.conf"
    assert Path("/etc/apache2/mods-enabled/jk.load").exists() == system_enabled
    ctl = shutil.which("apache2ctl")
    cmd = [ctl, "configtest"] if ctl else [jk.APACHE2, "-d", str(conf), "-t"]
    result = subprocess.run(cmd, env=scratch_env(scratch_apache), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout
    assert "Syntax OK" in result.stdout


def test_private_httpd_includes_the_installed_files(scratch_apache, tmp_path):
    """apache2 -t on a private config that Includes the installed jk.load and jk.conf."""
    conf = scratch_apache / "etc" / "apache2"
    httpd = jk.Httpd(tmp_path / "httpd")
    httpd.add_config(f"Include {conf}/mods-available/jk.load\n"
                     f"Include {conf}/mods-available/jk.conf\n")
    rc, out = httpd.configtest()
    assert rc == 0, out
    # A broken edit of the installed workers.properties stops the configtest, with its line.
    with open(conf / "workers.properties", "a") as f:
        f.write("worker.worker1.prot=8009\n")
    rc, out = httpd.configtest()
    assert rc != 0
    assert "unknown key 'prot' in worker.worker1.prot (did you mean port?)" in out


def test_jkctl_reads_the_debian_tree(jkctl, scratch_apache):
    conf = scratch_apache / "etc" / "apache2"
    enable(scratch_apache, "mpm_event", "jk")
    main = conf / "apache2.conf"
    assert jkctl("check", "--strict", "--httpd-conf", main).out == "0 errors, 0 warnings\n"
    with open(conf / "uriworkermap.properties", "a") as f:
        f.write("/app|/*=loadbalancer\n")
    r = jkctl("map", "http://www.example.com/app/index.jsp", "--httpd-conf", main)
    assert r.rc == 0, r
    assert "server    vhost www.example.com" in r.out  # JkMountCopy All reaches the site
    assert f"rule      /app/*=loadbalancer ({conf}/uriworkermap.properties:" in r.out
