"""Real httpd and real Tomcat instances for the integration tests and the demo.

Everything runs as private processes on loopback addresses, each in its own directory:
a Tomcat gets its own CATALINA_BASE with a generated server.xml and the test webapp
(tests/webapp/) as ROOT; an httpd gets its own ServerRoot with a generated config to
which a test appends the module's LoadModule line and Jk* directives. Nothing of the
packaged services (/etc/apache2, /var/lib/tomcat10) is used or touched.

Every process started here is stopped by its PID: by the owner (test fixture or demo),
and as a last resort by an atexit handler, so an aborted run leaves nothing behind.

Environment variables:
  JK_MODULE       path of the mod_jk.so under test
                  (default: <repo>/native/apache2/.libs/mod_jk.so)
  CATALINA_HOME   Tomcat installation (default: /usr/share/tomcat10)
  APACHE2         httpd binary (default: /usr/sbin/apache2)
"""

import atexit
import grp
import hashlib
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import textwrap
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parents[2]
WEBAPP_DIR = REPO / "tests" / "webapp"
CATALINA_HOME = Path(os.environ.get("CATALINA_HOME", "/usr/share/tomcat10"))
APACHE2 = os.environ.get("APACHE2", "/usr/sbin/apache2")
APACHE_MODS = Path("/etc/apache2/mods-available")

# Modules every private httpd loads; log_config and unixd are compiled into Debian's
# apache2, so they have no .load file and are skipped by _load_lines().
BASE_MODULES = ("authz_core", "authn_core", "auth_basic", "authn_file", "authz_user",
                "mime", "dir", "log_config", "unixd", "env", "setenvif", "alias")

_PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


class HarnessError(RuntimeError):
    """A server did not start or stop as expected; the message carries its log tail."""


# ---------------------------------------------------------------------------
# Paths, placeholders, ports
# ---------------------------------------------------------------------------

def module_path():
    """The mod_jk.so under test: $JK_MODULE, else the libtool build output in the repo."""
    return Path(os.environ.get("JK_MODULE", REPO / "native" / "apache2" / ".libs" / "mod_jk.so"))


def examples_dir():
    """The users' configurations, shipped in the repository's conf/examples/."""
    return REPO / "conf" / "examples"


def compat_text(name):
    """The text of one user configuration from conf/examples/, e.g. 'httpd-jk-single.conf'."""
    return (examples_dir() / name).read_text()


def fill(template, strict=True, **placeholders):
    """Replace every @NAME@ in template by placeholders[NAME].

    With strict (the default) a placeholder left without a value is an error, so a test
    never hands httpd a half-filled configuration and then debugs a confusing failure.
    """
    def substitute(match):
        name = match.group(1)
        if name in placeholders:
            return str(placeholders[name])
        if strict:
            raise KeyError(f"no value for placeholder @{name}@")
        return match.group(0)
    return _PLACEHOLDER.sub(substitute, template)


_ports_given = set()


def free_port(host="127.0.0.1"):
    """A TCP port nobody listens on at host, never the same one twice in this process."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port
    raise HarnessError(f"no free port found on {host}")


def port_open(host, port, timeout=0.5):
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout, interval=0.1):
    """Poll predicate until it returns a true value (returned) or timeout seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def download_pattern(size):
    """The bytes download.jsp?size=N sends: byte i is i % 251."""
    pattern = bytes(range(251))
    return (pattern * (size // 251 + 1))[:size]


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def _tail(path, lines=40):
    """The last lines of a text file, or a note that it does not exist."""
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


def _make_dir(path, mode=0o755):
    """mkdir -p with an explicit mode: httpd's children (www-data) must traverse our dirs."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    return path


def _write(path, text, mode=0o644):
    path = Path(path)
    path.write_text(text)
    path.chmod(mode)
    return path


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

_live = {}  # pid -> Popen of every server still running, for the atexit safety net


def _spawn(argv, log_path, env=None):
    """Start argv in its own session (Ctrl-C in a terminal reaches only us, and we stop it)."""
    log = open(log_path, "ab")
    try:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    finally:
        log.close()
    _live[proc.pid] = proc
    return proc


def _descendants(pid):
    """PIDs of the children of pid (httpd workers, piped loggers), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found.append(child)
            found.extend(_descendants(child))
    return found


def _start_time(pid):
    """The kernel's start time of pid, so a recorded PID is never confused with a reused one."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _terminate(proc, timeout, children=()):
    """TERM proc, KILL it after timeout seconds, then KILL any recorded child still alive."""
    if proc.poll() is None:
        _signal(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal(proc.pid, signal.SIGKILL)
            proc.wait(10)
    for pid, started in children:
        if started is not None and _start_time(pid) == started:
            _signal(pid, signal.SIGKILL)
    _live.pop(proc.pid, None)


@atexit.register
def _stop_leftovers():
    """Last resort for servers whose owner never stopped them (an aborted test run)."""
    for proc in list(_live.values()):
        _terminate(proc, 5)


# ---------------------------------------------------------------------------
# Tomcat
# ---------------------------------------------------------------------------

TOMCAT_CONF_FILES = ("web.xml", "logging.properties", "catalina.properties", "context.xml")


class Tomcat:
    """One Tomcat 10.1 with its own CATALINA_BASE under workdir and the test webapp as ROOT.

    It has an AJP/1.3 connector (the one under test) and an HTTP connector on the same
    host, used only to see when the webapp answers. The system property jk.test.route
    carries the jvmRoute so the JSPs can say which Tomcat answered.
    """

    def __init__(self, workdir, host="127.0.0.1", ajp_port=None, jvm_route="worker1",
                 secret=None, packet_size=None, ajp_attributes=None, cluster=False,
                 cluster_port=None, cluster_send_options=6):
        self.base = Path(workdir)
        self.host = host
        self.ajp_port = ajp_port or free_port(host)
        self.http_port = free_port(host)
        self.jvm_route = jvm_route
        self.secret = secret
        self.packet_size = packet_size
        self.ajp_attributes = dict(ajp_attributes or {})
        # Session replication (see form_cluster()): off unless asked for, so every other
        # test keeps a plain Tomcat with the webapp as it is in tests/webapp/.
        self.cluster = cluster
        self.cluster_port = (cluster_port or free_port(host)) if cluster else None
        self.cluster_members = [(host, self.cluster_port)] if cluster else []
        self.cluster_send_options = cluster_send_options
        self.proc = None
        self._log_start = 0  # where the console log of the current run begins

    def __repr__(self):
        cluster = f" cluster={self.cluster_port}" if self.cluster else ""
        return (f"Tomcat({self.jvm_route} ajp={self.host}:{self.ajp_port} "
                f"http={self.http_port}{cluster})")

    def access_log(self):
        """Tomcat's own access log: 'METHOD /path?query status' per request it finished."""
        path = self.base / "logs" / "access.txt"
        return path.read_text(errors="replace") if path.exists() else ""

    @property
    def console_log(self):
        return self.base / "logs" / "console.log"

    def http_url(self, path="/"):
        """URL of path on the HTTP connector, bypassing httpd and the module."""
        return f"http://{self.host}:{self.http_port}{path}"

    def placeholders(self, n=1):
        """Values for the compat files' @TOMCATn_HOST@ and @TOMCATn_AJP_PORT@."""
        return {f"TOMCAT{n}_HOST": self.host, f"TOMCAT{n}_AJP_PORT": self.ajp_port}

    # -- CATALINA_BASE -------------------------------------------------------

    def server_xml(self):
        """The generated server.xml: no shutdown port, one HTTP and one AJP connector."""
        ajp = {"protocol": "AJP/1.3", "address": self.host, "port": self.ajp_port,
               "redirectPort": 8443}
        if self.secret is None:
            ajp["secretRequired"] = "false"
        else:
            ajp["secret"] = self.secret
        if self.packet_size is not None:
            ajp["packetSize"] = self.packet_size
        ajp.update(self.ajp_attributes)
        attrs = " ".join(f"{k}={quoteattr(str(v))}" for k, v in ajp.items())
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by tests/integration/jkharness.py -->
<Server port="-1" shutdown="SHUTDOWN">
  <Listener className="org.apache.catalina.startup.VersionLoggerListener" />
  <Service name="Catalina">
    <Connector protocol="HTTP/1.1" address={quoteattr(self.host)} port="{self.http_port}"
               connectionTimeout="20000" />
    <Connector {attrs} />
    <Engine name="Catalina" defaultHost="localhost" jvmRoute={quoteattr(self.jvm_route)}>
      <Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs"
             prefix="access" suffix=".txt" rotatable="false" buffered="false"
             pattern="%m %U%q %s" />
      {self._host_xml()}
    </Engine>
  </Service>
</Server>
"""

    def _host_xml(self):
        host = '<Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"'
        if not self.cluster:
            return host + " />"
        return f"{host}>\n{textwrap.indent(self.cluster_xml(), ' ' * 8)}\n      </Host>"

    def cluster_xml(self):
        """The user's conf/examples/tomcat-cluster.xml for this Tomcat, or '' without a cluster.

        Its placeholders are filled, and two things changed:
        - McastService is replaced: multicast does not reach other processes over loopback,
          so membership is a static list of every member, this one included. Tomcat 10.1
          picks its own entry out of that list by the Receiver's address and port, so
          every member gets the same list.
        - channelSendOptions becomes cluster_send_options (default 6, synchronous with an
          acknowledgement; None keeps the guide's 8). With 8 a session change is sent
          after the response, by a pool of threads, so two quick requests' changes can
          reach the other Tomcat in the wrong order and it keeps the older value: about
          one session in ten lost its last change in our runs. With 6 the change has
          reached the other Tomcat before the response leaves.
        """
        if not self.cluster:
            return ""
        text = fill(compat_text("tomcat-cluster.xml"), TOMCAT_HOST=self.host,
                    CLUSTER_PORT=self.cluster_port)
        text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
        if self.cluster_send_options is not None:
            text = re.sub(r'channelSendOptions="\d+"',
                          f'channelSendOptions="{self.cluster_send_options}"', text, count=1)
        text, replaced = re.subn(r"<Membership\b.*?/>", static_membership(self.cluster_members),
                                 text, count=1, flags=re.S)
        if replaced != 1:
            raise HarnessError("conf/examples/tomcat-cluster.xml has no <Membership/> to replace")
        return text.strip()

    def _write_base(self):
        """Create conf/ (packaged files + our server.xml), logs/, temp/, work/, webapps/ROOT."""
        conf = _make_dir(self.base / "conf")
        for sub in ("logs", "temp", "work", "webapps"):
            _make_dir(self.base / sub)
        for name in TOMCAT_CONF_FILES:
            shutil.copy(_tomcat_conf_source(name), conf / name)
        _write(conf / "server.xml", self.server_xml())
        root = self.base / "webapps" / "ROOT"
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(WEBAPP_DIR, root)
        if self.cluster:
            _make_distributable(root / "WEB-INF" / "web.xml")

    def _env(self):
        env = dict(os.environ, CATALINA_HOME=str(CATALINA_HOME), CATALINA_BASE=str(self.base),
                   CATALINA_TMPDIR=str(self.base / "temp"), CATALINA_PID="")
        env["CATALINA_OPTS"] = " ".join([
            f"-Djk.test.route={self.jvm_route}",
            "-Xmx384m", "-Djava.awt.headless=true",
            "-Djava.security.egd=file:/dev/./urandom",
        ])
        return env

    # -- life cycle ----------------------------------------------------------

    def start(self, timeout=60, wait=True):
        """Start catalina.sh run (it execs java, so our PID is the JVM) and wait until ready.

        With wait=False it returns at once; call wait_ready() later (to start several
        Tomcats side by side).
        """
        if self.running:
            return self
        self._write_base()
        self._log_start = self.console_log.stat().st_size if self.console_log.exists() else 0
        self.proc = _spawn([str(CATALINA_HOME / "bin" / "catalina.sh"), "run"],
                           self.console_log, env=self._env())
        if wait:
            self.wait_ready(timeout)
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout=60):
        """Wait until a JSP answers and the AJP port accepts, then compile every JSP once.

        The first JSP compile takes seconds; doing it here keeps that delay (and any compile
        error) out of the tests' own time limits.
        """
        def ready():
            if not self.running:
                raise HarnessError(f"{self} exited with {self.proc.returncode}\n{self.log_tail()}")
            return _http_status(self.host, self.http_port, "/echo.jsp") == 200

        if not wait_until(ready, timeout, 0.25) or not wait_until(
                lambda: port_open(self.host, self.ajp_port), 10):
            raise HarnessError(f"{self} not ready after {timeout} s\n{self.log_tail()}")
        self._compile_jsps()

    def _compile_jsps(self):
        for page in sorted(p.name for p in WEBAPP_DIR.glob("*.jsp")):
            status = _http_status(self.host, self.http_port, f"/{page}?size=1&code=404&ms=0")
            if status >= 500:
                raise HarnessError(f"{self}: /{page} answers {status}\n{self.log_tail()}")

    def stop(self, timeout=10):
        """SIGTERM (Tomcat shuts down cleanly), SIGKILL after timeout seconds."""
        if self.proc is not None:
            _terminate(self.proc, timeout)

    def kill(self):
        """SIGKILL: the backend dies without closing anything cleanly."""
        if self.proc is not None:
            _terminate(self.proc, 0)

    def freeze(self):
        """SIGSTOP: the JVM stops, its sockets still accept (the kernel answers the SYN)."""
        for pid in [self.proc.pid] + _descendants(self.proc.pid):
            _signal(pid, signal.SIGSTOP)

    def thaw(self):
        """SIGCONT after freeze()."""
        for pid in [self.proc.pid] + _descendants(self.proc.pid):
            _signal(pid, signal.SIGCONT)

    def console_since_start(self):
        """catalina's console output of the current run only (the file is appended to)."""
        try:
            with open(self.console_log, "rb") as log:
                log.seek(self._log_start)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def _wait_console(self, what, predicate, timeout):
        def seen():
            if not self.running:
                raise HarnessError(f"{self} exited with {self.proc.returncode} while waiting "
                                   f"for {what}\n{self.log_tail()}")
            return predicate(self.console_since_start())

        if not wait_until(seen, timeout, 0.1):
            raise HarnessError(f"{self}: no {what} within {timeout} s\n{self.log_tail()}")

    def wait_deployed(self, timeout=60):
        """Wait until the webapp is deployed: for a cluster member, its DeltaManager has
        then finished asking the others for their sessions."""
        self._wait_console("deployed webapp",
                           lambda log: "Deployment of web application directory" in log, timeout)

    def wait_cluster(self, members=2, timeout=30):
        """Wait until this Tomcat's cluster has `members` members, itself included.

        SimpleTcpCluster logs "Replication member added" for each member it finds and
        "member disappeared" for one that left; a session created while a member is
        missing is not replicated to it.
        """
        def enough(log):
            others = log.count("Replication member added") - log.count("member disappeared")
            return others >= members - 1

        self._wait_console(f"cluster of {members} members", enough, timeout)

    def log_tail(self, lines=40):
        """The end of catalina's console output and of the webapp's log, for error messages."""
        parts = [f"--- {self.console_log}", _tail(self.console_log, lines)]
        for log in sorted((self.base / "logs").glob("localhost.*.log"))[-1:]:
            parts += [f"--- {log}", _tail(log, lines)]
        return "\n".join(parts)


def form_cluster(*tomcats):
    """Make these Tomcats (made with cluster=True, not yet started) one replication cluster."""
    members = [(t.host, t.cluster_port) for t in tomcats]
    for tomcat in tomcats:
        if not tomcat.cluster:
            raise ValueError(f"{tomcat} was not made with cluster=True")
        tomcat.cluster_members = list(members)


def start_cluster(*tomcats, timeout=90):
    """Start the members of one cluster (see form_cluster) and wait until they replicate.

    Each one starts when the one before has deployed its webapp. Started at the same
    moment, two DeltaManagers each ask the other for its sessions while busy with their
    own request, one drops the other's request, and the other waits stateTransferTimeout
    (60 s) before it serves: a real start-up pitfall, see docs/deployment.md.
    """
    waiting = [t for t in tomcats if not t.running]
    for i, tomcat in enumerate(waiting):
        tomcat.start(wait=False)
        if i < len(waiting) - 1:
            tomcat.wait_deployed(timeout)
    for tomcat in waiting:
        tomcat.wait_ready(timeout)
    for tomcat in tomcats:
        tomcat.wait_cluster(len(tomcats), timeout)


def static_membership(members):
    """Tomcat 10.1's StaticMembershipService listing every member as host:port.

    uniqueId must be the same for a member in every Tomcat's list and differ between
    members: it is derived from the member's address and port.
    """
    lines = ['<Membership className="org.apache.catalina.tribes.membership.'
             'StaticMembershipService">']
    for host, port in members:
        digest = hashlib.md5(f"{host}:{port}".encode()).digest()
        unique = "{" + ",".join(str(b - 256 if b > 127 else b) for b in digest) + "}"
        lines.append(f'      <Member className="org.apache.catalina.tribes.membership.StaticMember"'
                     f' host="{host}" port="{port}" uniqueId="{unique}"/>')
    lines.append("    </Membership>")
    return "\n".join(lines)


def _make_distributable(web_xml):
    """Add <distributable/> to the webapp's web.xml, as conf/examples/web-distributable.xml says."""
    text = web_xml.read_text()
    if "<distributable/>" not in text:
        text, added = re.subn(r"(<web-app\b[^>]*>)", r"\1\n  <distributable/>", text, count=1)
        if added != 1:
            raise HarnessError(f"{web_xml}: no <web-app> element")
        web_xml.write_text(text)


def _tomcat_conf_source(name):
    """Where the packaged copy of a Tomcat conf file lives (Debian keeps pristine ones in etc/)."""
    for directory in (CATALINA_HOME / "etc", CATALINA_HOME / "conf", Path("/etc/tomcat10")):
        if (directory / name).is_file():
            return directory / name
    raise HarnessError(f"no packaged Tomcat {name} found under {CATALINA_HOME} or /etc/tomcat10")


def _http_status(host, port, path, timeout=10):
    """Status of GET path, or 0 if nothing answers (yet)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# httpd
# ---------------------------------------------------------------------------

MPM_SETTINGS = {
    "event": """\
StartServers 2
ServerLimit 4
ThreadLimit 32
ThreadsPerChild 32
MinSpareThreads 32
MaxSpareThreads 96
MaxRequestWorkers 128
MaxConnectionsPerChild 0""",
    "prefork": """\
StartServers 8
MinSpareServers 8
MaxSpareServers 32
ServerLimit 96
MaxRequestWorkers 96
MaxConnectionsPerChild 0""",
}

# httpd refuses to serve as root; its children run as this user, like Debian's own setup.
RUN_USER = "www-data"


class Httpd:
    """One private Apache httpd under workdir, listening on 127.0.0.1:<free port>.

    The generated config is a minimal server with a DocumentRoot holding index.html and
    static.html; add_config() appends the module's LoadModule line and Jk* directives.
    Config text may use @HOST@, @PORT@, @CONF_DIR@, @LOG_DIR@, @DOCROOT@ and @MODULE_PATH@, and
    any other @NAME@ given as a keyword (e.g. a Tomcat's placeholders()).

    The directories stay root-owned and world-readable, as under Debian: the children
    (www-data) can read the config and documents but not write logs/ or run/.
    """

    def __init__(self, workdir, mpm="event", log_level="warn", host="127.0.0.1", modules=()):
        if mpm not in MPM_SETTINGS:
            raise ValueError(f"unknown MPM {mpm!r}")
        if re.search(r"[][*?]", str(workdir)):
            # <Directory> would read these as wildcards and deny the DocumentRoot.
            raise ValueError(f"httpd directory must not contain [ ] * ?: {workdir}")
        self.root = _make_dir(workdir)
        self.mpm = mpm
        self.log_level = log_level
        self.modules = tuple(modules)  # loaded besides BASE_MODULES, e.g. ("authz_host",)
        self.host = host
        self.port = free_port(host)
        self.conf_dir = _make_dir(self.root / "conf")
        self.log_dir = _make_dir(self.root / "logs")
        self.run_dir = _make_dir(self.root / "run")
        self.docroot = _make_dir(self.root / "htdocs")
        self.conf_path = self.conf_dir / "httpd.conf"
        self.extra = []
        self.proc = None
        self._children = []
        self._write_documents()

    def __repr__(self):
        return f"Httpd({self.mpm} {self.host}:{self.port} {self.root})"

    def url(self, path="/"):
        return f"http://{self.host}:{self.port}{path}"

    def placeholders(self):
        return {"HOST": self.host, "PORT": self.port,
                "CONF_DIR": self.conf_dir, "LOG_DIR": self.log_dir,
                "DOCROOT": self.docroot, "MODULE_PATH": module_path()}

    # -- configuration -------------------------------------------------------

    def add_config(self, text, **placeholders):
        """Append config text (placeholders filled) to the generated httpd.conf."""
        self.extra.append(fill(text, **self.placeholders(), **placeholders))
        return self

    def use_compat(self, conf_name, workers_name, **placeholders):
        """Configure a user's setup from conf/examples/: its workers file and its httpd conf text."""
        self.write_conf_file("workers.properties", compat_text(workers_name), **placeholders)
        return self.add_config(compat_text(conf_name), **placeholders)

    def write_conf_file(self, name, text, **placeholders):
        """Write a file such as workers.properties into conf/ (placeholders filled)."""
        return _write(self.conf_dir / name, fill(text, **self.placeholders(), **placeholders))

    def _write_documents(self):
        """Static files httpd serves itself, with markers a test can recognise."""
        _write(self.docroot / "index.html",
               "<html><body><p>httpd static index (served by httpd)</p></body></html>\n")
        _write(self.docroot / "static.html",
               "<html><body><p>httpd static page (served by httpd)</p></body></html>\n")

    def base_config(self):
        """The generated server config, before the text from add_config()."""
        modules = "\n".join(_load_lines(("mpm_" + self.mpm,) + BASE_MODULES + self.modules))
        return f"""# Generated by tests/integration/jkharness.py
ServerRoot "{self.root}"
ServerName {self.host}
Listen {self.host}:{self.port}
PidFile "{self.run_dir}/httpd.pid"
DefaultRuntimeDir "{self.run_dir}"
Mutex file:{self.run_dir} default
ErrorLog "{self.log_dir}/error_log"
LogLevel {self.log_level}

{modules}

<IfModule mpm_{self.mpm}_module>
{MPM_SETTINGS[self.mpm]}
</IfModule>

User {RUN_USER}
Group {_primary_group(RUN_USER)}

Timeout 60
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 15

TypesConfig /etc/mime.types
DocumentRoot "{self.docroot}"
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{self.docroot}">
    Require all granted
</Directory>

LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" timed
CustomLog "{self.log_dir}/access_log" timed
"""

    def write_config(self):
        text = self.base_config() + "\n" + "\n".join(self.extra) + "\n"
        _write(self.conf_path, text)
        return self.conf_path

    # -- life cycle ----------------------------------------------------------

    def configtest(self):
        """Run `apache2 -t` on the config: (returncode, stdout+stderr)."""
        self.write_config()
        result = subprocess.run([APACHE2, "-t", "-f", str(self.conf_path)], env=_httpd_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        return result.returncode, result.stdout.decode(errors="replace")

    def start(self, timeout=30):
        """Start httpd in the foreground of a child process and wait until it answers HTTP."""
        if self.running:
            return self
        self.write_config()
        self.proc = _spawn([APACHE2, "-f", str(self.conf_path), "-DFOREGROUND"],
                           self.log_dir / "stdout.log", env=_httpd_env())

        def serving():
            if not self.running:
                raise HarnessError(f"{self} exited with {self.proc.returncode}\n{self.log_tail()}")
            # Any HTTP answer will do: "/" may be mounted to a backend that is down on purpose.
            return _http_status(self.host, self.port, "/", timeout=2) != 0

        if not wait_until(serving, timeout, 0.1):
            self.stop()
            raise HarnessError(f"{self} not serving after {timeout} s\n{self.log_tail()}")
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        """The parent's PID as httpd wrote it to its PidFile (None before it did)."""
        try:
            return int((self.run_dir / "httpd.pid").read_text())
        except (OSError, ValueError):
            return None

    def child_pids(self):
        """PIDs of the parent's current children (workers and piped loggers)."""
        return _descendants(self.proc.pid) if self.running else []

    def graceful_restart(self, timeout=30):
        """SIGUSR1, then wait until httpd logs that it resumed normal operations."""
        before = self.error_log().count("resuming normal operations")
        self._remember_children()
        _signal(self.proc.pid, signal.SIGUSR1)
        if not wait_until(lambda: self.error_log().count("resuming normal operations") > before,
                          timeout):
            raise HarnessError(f"{self} did not restart within {timeout} s\n{self.log_tail()}")

    def _remember_children(self):
        self._children += [(pid, _start_time(pid)) for pid in self.child_pids()]

    def stop(self, timeout=15):
        """SIGTERM to the parent (it stops its children), wait; leftovers get SIGKILL."""
        if self.proc is None:
            return
        pidfile_pid = self.pid
        self._remember_children()
        _terminate(self.proc, timeout, self._children)
        self._children = []
        if pidfile_pid not in (None, self.proc.pid):
            raise HarnessError(f"{self}: PidFile said {pidfile_pid}, we started {self.proc.pid}")

    # -- logs ----------------------------------------------------------------

    def read_log(self, name):
        """Text of logs/<name> ('' if it does not exist yet)."""
        try:
            return (self.log_dir / name).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def error_log(self):
        return self.read_log("error_log")

    def jk_log(self, name="mod_jk.log"):
        return self.read_log(name)

    def wait_log(self, pattern, name="mod_jk.log", timeout=10):
        """Wait until logs/<name> matches the regex pattern; the match, or None."""
        regex = re.compile(pattern)
        return wait_until(lambda: regex.search(self.read_log(name)), timeout)

    def log_tail(self, lines=40):
        parts = []
        for name in ("stdout.log", "error_log", "mod_jk.log"):
            parts += [f"--- {self.log_dir / name}", _tail(self.log_dir / name, lines)]
        return "\n".join(parts)


def _load_lines(modules):
    """LoadModule lines from Debian's mods-available/<name>.load (none for built-in modules)."""
    lines = []
    for name in modules:
        load = APACHE_MODS / f"{name}.load"
        if load.is_file():
            lines += [ln for ln in load.read_text().splitlines() if ln.startswith("LoadModule")]
    return lines


def _primary_group(user):
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def _httpd_env():
    """A plain environment: Debian's envvars file is not used, and messages stay in English.

    JK_HTTPD_PRELOAD (a sanitizer runtime for a module built with -fsanitize) is preloaded
    into httpd only, never into Tomcat or the tests themselves.
    """
    env = dict(os.environ, LANG="C", LC_ALL="C")
    if os.environ.get("JK_HTTPD_PRELOAD"):
        env["LD_PRELOAD"] = os.environ["JK_HTTPD_PRELOAD"]
    return env
