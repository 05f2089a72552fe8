"""Fixtures for the integration tests: real Tomcats and private httpd instances.

Tomcats are expensive (3-6 s to start), so the main one lives for the whole session and a
second one starts only when a test asks for it. httpd instances are cheap (~0.1 s) and are
made per test or per module from a factory, so each test states its own configuration.
Everything started here is stopped here, by PID; logs of failing tests are attached to
their report.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import jkharness as jk

# Tomcat ignores the user name httpd authenticated unless the AJP connector is told to trust
# it (tomcatAuthentication defaults to true); the remote-user tests need it trusted. It
# answers 403 to a request carrying an attribute it does not know, unless the name matches
# allowedRequestAttributesPattern: the JkEnvVar tests' attributes are all named JK_TEST_*.
TRUST_HTTPD_AUTH = {"tomcatAuthentication": "false",
                    "allowedRequestAttributesPattern": "JK_TEST_.*"}

_active_factories = []


class HttpdFactory:
    """Makes Httpd instances under one directory and stops all of them at the end."""

    def __init__(self, root):
        self.root = Path(root)
        self.made = []

    def __call__(self, conf="", files=None, mpm="event", log_level="warn", start=True,
                 modules=(), **placeholders):
        """An httpd with conf appended and files (name -> text) written into its conf/.

        Both may use the httpd's own @PLACEHOLDERS@ and any given as keywords, e.g. a
        Tomcat's placeholders(). With start=False it is only configured (for configtest).
        modules: httpd modules to load besides the harness's own (e.g. "ssl").
        """
        httpd = jk.Httpd(self.root / f"httpd-{len(self.made) + 1}-{mpm}", mpm=mpm,
                         log_level=log_level, modules=modules)
        self.made.append(httpd)
        for name, text in (files or {}).items():
            httpd.write_conf_file(name, text, **placeholders)
        if conf:
            httpd.add_config(conf, **placeholders)
        if start:
            httpd.start()
        return httpd

    def stop_all(self):
        for httpd in self.made:
            httpd.stop()

    def log_tails(self):
        return "\n".join(f"=== {h}\n{h.log_tail()}" for h in self.made)


@pytest.fixture(scope="session")
def work_root():
    """One world-readable temp dir for the session (httpd's children run as www-data).

    Set JK_KEEP_TMP=1 to keep it for reading the logs afterwards.
    """
    root = Path(tempfile.mkdtemp(prefix="jk-it-"))
    root.chmod(0o755)
    yield root
    if os.environ.get("JK_KEEP_TMP"):
        print(f"\nintegration test files kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def jk_module():
    """The module under test; a missing build fails the tests instead of skipping them."""
    path = jk.module_path()
    if not path.is_file():
        pytest.fail(f"mod_jk.so not found at {path}: build it first, or set JK_MODULE")
    return path


def _started_tomcat(directory, **options):
    tomcat = jk.Tomcat(directory, **options)
    try:
        tomcat.start()
    except Exception:
        tomcat.stop()
        raise
    return tomcat


@pytest.fixture(scope="session")
def tomcat(work_root):
    """The session's Tomcat: 127.0.0.1, jvmRoute worker1."""
    instance = _started_tomcat(work_root / "tomcat1", host="127.0.0.1", jvm_route="worker1",
                               ajp_attributes=TRUST_HTTPD_AUTH)
    yield instance
    instance.stop()


@pytest.fixture(scope="session")
def tomcat2(work_root):
    """A second Tomcat, started the first time a test asks: 127.0.0.2, jvmRoute worker2."""
    instance = _started_tomcat(work_root / "tomcat2", host="127.0.0.2", jvm_route="worker2",
                               ajp_attributes=TRUST_HTTPD_AUTH)
    yield instance
    instance.stop()


@pytest.fixture
def make_tomcat(work_root, request):
    """Factory for Tomcats a single test owns (own port, own settings); stopped after it."""
    made = []

    def make(**options):
        directory = work_root / _dir_name(f"tomcat-{request.node.name}-{len(made)}")
        made.append(_started_tomcat(directory, **options))
        return made[-1]

    yield make
    for instance in made:
        instance.stop()


def _dir_name(text):
    """A test name made safe for a path in httpd.conf, where [ ] * ? are wildcards."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:48]


def _factory(work_root, name):
    factory = HttpdFactory(Path(tempfile.mkdtemp(prefix=f"{_dir_name(name)}-", dir=work_root)))
    Path(factory.root).chmod(0o755)
    _active_factories.append(factory)
    return factory


def _retire(factory):
    factory.stop_all()
    _active_factories.remove(factory)


@pytest.fixture
def make_httpd(work_root, request):
    """Factory for httpd instances that live for one test (see HttpdFactory.__call__)."""
    factory = _factory(work_root, request.node.name)
    yield factory
    _retire(factory)


@pytest.fixture(scope="module")
def make_module_httpd(work_root, request):
    """Factory for httpd instances shared by the tests of one module."""
    factory = _factory(work_root, request.module.__name__)
    yield factory
    _retire(factory)


# Certificates for the HTTPS tests, made for the session with openssl: a root CA that signs
# httpd's certificate and an intermediate CA, which signs the client's.

def _openssl(*args, cwd):
    result = subprocess.run(["openssl", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


def _issue(pki, name, subject, issuer, extensions):
    """A P-256 key and a certificate for `subject`, signed by `issuer` (None: self-signed)."""
    (pki / f"{name}.ext").write_text(extensions)
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", f"{name}.key", "-subj", subject]
    if issuer is None:
        _openssl("req", "-x509", *key, "-out", f"{name}.pem", "-days", "3",
                 "-extensions", "v3", "-config", f"{name}.ext", cwd=pki)
        return
    _openssl("req", *key, "-out", f"{name}.csr", cwd=pki)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem", "-CAkey",
             f"{issuer}.key", "-CAcreateserial", "-out", f"{name}.pem", "-days", "3",
             "-extfile", f"{name}.ext", "-extensions", "v3", cwd=pki)


CA_EXT = ("[req]\ndistinguished_name = dn\n[dn]\n[v3]\nbasicConstraints = critical, CA:TRUE\n"
          "keyUsage = critical, keyCertSign, cRLSign\n")


@pytest.fixture(scope="session")
def pki(work_root):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is not installed (scripts/install-deps.sh installs it)")
    pki = work_root / "pki"
    pki.mkdir()
    _issue(pki, "root", "/CN=JK Test Root CA", None, CA_EXT)
    _issue(pki, "inter", "/CN=JK Test Intermediate CA", "root", CA_EXT)
    _issue(pki, "server", "/CN=127.0.0.1", "root",
           "[v3]\nsubjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n")
    _issue(pki, "client", "/CN=alice", "inter", "[v3]\nextendedKeyUsage = clientAuth\n")
    (pki / "client-chain.pem").write_text((pki / "client.pem").read_text() +
                                          (pki / "inter.pem").read_text())
    for f in pki.iterdir():
        f.chmod(0o644)
    return pki


@pytest.fixture
def browser():
    """Headless Chromium driven by Selenium, as an operator's browser; skips without them."""
    webdriver = pytest.importorskip("selenium.webdriver")
    if not shutil.which("chromedriver"):
        pytest.skip("chromedriver not installed (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="jk-selenium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = shutil.which("chromium")
    from selenium.webdriver.chrome.service import Service
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the logs of every live httpd to a failing test's report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _active_factories:
        report.sections.append(("httpd logs", "\n".join(f.log_tails() for f in _active_factories)))
