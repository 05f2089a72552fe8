#!/usr/bin/env python3
"""Swap Debian's libapache2-mod-jk for our package on this machine, and back.

    deb_swap.py OUR.deb

Run by tests/package/test-deb-swap.sh (as root: it installs and purges system
packages).  Prints every command it runs with its output, and fails on the first
check that does not hold:

  reference   Debian's package alone: install, remove, purge (what "as Debian's own
              package would" means below, taken from this machine, not from memory)
  site        Debian's package again, with a site: the users' lb workers file filled in
              (two real Tomcats on loopback) and an edited jk.conf; it serves
  swap        `apt-get install ./OUR.deb` over it: configtest passes, the same site
              serves through our module (its status page says so), edited files intact
  back        Debian's package over ours, the site served by Debian's module again
  again       ours once more, then `apt-get remove` and `apt-get purge`, compared with
              the reference; Debian's package installs again after the purge
  admin       a module the administrator disabled (a2dismod) stays disabled when ours
              is installed

The machine is left as it was found: every package installed here is purged, files
this test created in /var/log/apache2 are removed, and the final state of
/etc/apache2, /etc/libapache2-mod-jk and /var/lib/apache2 is compared with the first.
Only the Tomcats and httpd started here are stopped, by PID.  The system's apache2
service is never started: a throwaway httpd on 127.0.0.1 reads the installed
mods-enabled/jk.load and jk.conf.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
import jkharness  # noqa: E402  (the integration tests' Tomcat and httpd helpers)

DEBIAN_PKG = "libapache2-mod-jk"
OUR_PKG = "libapache2-mod-jk-connector"
JK_CONF = Path("/etc/apache2/mods-available/jk.conf")
JK_LOAD = Path("/etc/apache2/mods-available/jk.load")
WORKERS = Path("/etc/libapache2-mod-jk/workers.properties")
ENABLED = [Path("/etc/apache2/mods-enabled/jk.load"), Path("/etc/apache2/mods-enabled/jk.conf")]
MODULE = Path("/usr/lib/apache2/modules/mod_jk.so")
LOG_DIR = Path("/var/log/apache2")
POLICY = Path("/usr/sbin/policy-rc.d")
# What a package here can touch, for the before/after comparisons.
WATCHED = [Path("/etc/apache2"), Path("/etc/libapache2-mod-jk"), Path("/var/lib/apache2"),
           Path("/etc/logrotate.d"), MODULE, Path("/usr/bin/jkctl"),
           Path("/usr/share/man/man1/jkctl.1.gz"),
           Path("/usr/share/doc/libapache2-mod-jk"), Path("/usr/share/doc/" + OUR_PKG)]
# Files that only our package has, and dpkg's copies of the package's version of a
# conffile the site had edited (kept with --force-confold).
OURS_ONLY = {"/etc/libapache2-mod-jk/uriworkermap.properties"}
SITE_MARK = "# site edit: this line must survive the swap"
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600",
       # Unattended: keep the site's edited conffiles, as answering N at dpkg's prompt does.
       "-o", "Dpkg::Options::=--force-confold"]
# apt's progress and advice lines, left out of the printed output.
APT_NOISE = ("(Reading database", "Reading package lists", "Building dependency tree",
             "Reading state information", "automatically installed and are no longer",
             "apt autoremove", "debconf: delaying", "runlevel")
ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LANG="C", LC_ALL="C")


class SwapFailure(AssertionError):
    pass


def check(condition, what):
    if not condition:
        raise SwapFailure(what)
    print(f"  ok: {what}")


def run(argv, may_fail=False):
    """Run a command, print it and its output (without dpkg's progress lines)."""
    print("$ " + " ".join(str(a) for a in argv), flush=True)
    result = subprocess.run([str(a) for a in argv], env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in result.stdout.splitlines():
        if not any(noise in line for noise in APT_NOISE):
            print("    " + line)
    if result.returncode != 0 and not may_fail:
        raise SwapFailure(f"{argv[0]} exited with {result.returncode}")
    return result


def step(title):
    print(f"\n== {title}", flush=True)


# -- the machine's state ----------------------------------------------------

def entry(path):
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_dir():
        return ("dir",)
    return ("file", sha256(path))


def snapshot():
    """Every path under WATCHED: type, and content hash or link target."""
    state = {}
    for root in WATCHED:
        if not (root.exists() or root.is_symlink()):
            continue
        state[str(root)] = entry(root)
        if root.is_dir() and not root.is_symlink():
            for dirpath, dirnames, filenames in os.walk(root):
                for name in dirnames + filenames:
                    p = Path(dirpath) / name
                    state[str(p)] = entry(p)
    return state


def differences(a, b):
    """Paths whose entry differs between two snapshots, sorted."""
    return sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))


def package_status(name):
    r = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", name], env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() if r.returncode == 0 else "not known"


def installed(name):
    return package_status(name).startswith("ii")


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def packaged_md5(deb, member):
    """MD5 of a file inside a .deb, from its md5sums control file."""
    md5sums = subprocess.run(["dpkg-deb", "-I", str(deb), "md5sums"], stdout=subprocess.PIPE,
                             text=True, check=True).stdout
    for line in md5sums.splitlines():
        digest, name = line.split(None, 1)
        if name == member:
            return digest
    raise SwapFailure(f"{member} not in {deb}")


# -- the site ---------------------------------------------------------------

def site_workers(tomcats):
    """The users' lb workers file, filled in, plus the status workers that Debian's
    jk.conf mounts (/jk-status, /jk-manager): a site keeping that jk.conf defines them."""
    text = jkharness.fill(jkharness.compat_text("workers-lb.properties"),
                          **tomcats[0].placeholders(1), **tomcats[1].placeholders(2))
    return text + """
# Debian's jk.conf mounts these two.
worker.list=jk-status,jk-manager
worker.jk-status.type=status
worker.jk-status.read_only=true
worker.jk-manager.type=status
"""


def edit_site(tomcats):
    """What a site does after installing Debian's package: its workers, its mounts."""
    WORKERS.write_text(site_workers(tomcats))
    text = JK_CONF.read_text()
    mounts = f"""    {SITE_MARK}
    JkLogStampFormat "[%a %b %d %H:%M:%S %Y]"
    JkMount /*.jsp loadbalancer
</IfModule>"""
    JK_CONF.write_text(text.replace("</IfModule>", mounts, 1))
    return {p: sha256(p) for p in (WORKERS, JK_CONF)}


def throwaway_httpd(workdir):
    """A private httpd on 127.0.0.1 that reads the installed, enabled jk.load and jk.conf."""
    httpd = jkharness.Httpd(workdir, modules=("authz_host",))
    httpd.add_config("Include /etc/apache2/mods-enabled/jk.load\n"
                     "Include /etc/apache2/mods-enabled/jk.conf\n")
    return httpd


def serve_site(workdir, expect_ours):
    """Start the throwaway httpd, check the site and say which module answered."""
    httpd = throwaway_httpd(workdir)
    rc, out = httpd.configtest()
    check(rc == 0, f"httpd -t with the installed jk.load and jk.conf: {out.strip()}")
    httpd.start()
    try:
        routes = []
        for _ in range(4):
            r = requests.get(httpd.url("/index.jsp"), timeout=30)
            check(r.status_code == 200 and "Hello from Tomcat" in r.text,
                  f"/index.jsp through {httpd.url()}: {r.status_code}, from Tomcat")
            routes.append(r.text.split("route=", 1)[1].split("<", 1)[0])
        print(f"  routes of 4 requests without a session: {routes}")
        check(sorted(set(routes)) == ["worker1", "worker2"], "the lb worker uses both Tomcats")
        r = requests.get(httpd.url("/static.html"), timeout=30)
        check(r.status_code == 200 and "served by httpd" in r.text,
              f"/static.html served by httpd itself: {r.status_code} {r.text[:80]!r}")
        status = requests.get(httpd.url("/jk-status"), timeout=30)
        check(status.status_code == 200, f"/jk-status answers {status.status_code}")
        title = status.text.split("<title>", 1)[1].split("</title>", 1)[0] \
            if "<title>" in status.text else "(no title)"
        print(f"  status page title: {title!r}")
        if expect_ours:
            check("JK status:" in status.text and "mod_jk/1.2" not in status.text,
                  "the status page is ours (\"JK status: ...\", no mod_jk/1.2.x)")
        else:
            check("mod_jk/1.2" in status.text, "the status page is Apache mod_jk 1.2.x's")
    finally:
        httpd.stop()


# -- steps ------------------------------------------------------------------

def assert_site_intact(hashes, what):
    for path, digest in hashes.items():
        check(sha256(path) == digest, f"{path} is the site's edited version ({what})")
    check(SITE_MARK in JK_CONF.read_text(), f"jk.conf still has the site's line ({what})")


def assert_enabled(what):
    check(all(p.is_symlink() and p.exists() for p in ENABLED),
          f"mods-enabled/jk.load and jk.conf present ({what})")


# apache2's own state directories (apache2-maintscript-helper): the first a2dismod on a
# machine creates them and they stay, empty, whichever module package made them.
APACHE2_STATE_DIRS = {"/var/lib/apache2/module/disabled_by_admin",
                      "/var/lib/apache2/module/disabled_by_maint"}


def module_state(snap):
    """What a snapshot records of the modules' enabled/disabled state (apache2's empty state
    directories aside)."""
    return {p: e for p, e in snap.items()
            if p.startswith("/var/lib/apache2") and p not in APACHE2_STATE_DIRS}


def reference(baseline):
    """Debian's package alone: what its remove leaves, and the machine after its purge (the
    state ours is then compared with)."""
    step("reference: Debian's package alone, installed, removed, purged")
    run(APT + ["install", DEBIAN_PKG])
    assert_enabled("Debian's package installed")
    run(APT + ["remove", DEBIAN_PKG])
    removed = snapshot()
    run(APT + ["purge", DEBIAN_PKG])
    purged = snapshot()
    left = differences(baseline, purged)
    print(f"  after Debian's purge, differences from the start: {left}")
    check(all(p in APACHE2_STATE_DIRS and purged.get(p) == ("dir",) for p in left),
          "Debian's purge leaves the watched paths as found, but for apache2's own empty "
          "state directories")
    return removed, purged


def install_site(tomcats):
    step("site: Debian's package, the users' lb configuration, an edited jk.conf")
    run(APT + ["install", DEBIAN_PKG])
    hashes = edit_site(tomcats)
    run(["apache2ctl", "configtest"])
    print("  " + WORKERS.read_text().replace("\n", "\n  "))
    return hashes


def swap_to_ours(deb, hashes, what):
    step(f"{what}: apt-get install {deb}")
    run(APT + ["install", deb])
    run(["dpkg-query", "-W", "-f=${binary:Package} ${db:Status-Abbrev}${Version}\n",
         DEBIAN_PKG, OUR_PKG], may_fail=True)
    check(installed(OUR_PKG), f"{OUR_PKG} installed")
    check(not installed(DEBIAN_PKG), f"{DEBIAN_PKG} no longer installed "
          f"(status {package_status(DEBIAN_PKG)!r})")
    check(hashlib.md5(MODULE.read_bytes()).hexdigest() ==
          packaged_md5(deb, "usr/lib/apache2/modules/mod_jk.so"),
          f"{MODULE} is the one in our package")
    assert_site_intact(hashes, "after installing ours")
    assert_enabled("after installing ours")
    run(["apache2ctl", "configtest"])
    run(["jkctl", "--version"])
    run(["jkctl", "show", WORKERS, "loadbalancer"])
    run(["jkctl", "check", "--httpd-conf", "/etc/apache2/apache2.conf"])


def check_log_rotation():
    """mod_jk.log is rotated by apache2's own entry (/var/log/apache2/*.log), once."""
    step("log rotation: logrotate -d (changes nothing)")
    print("$ logrotate -d /etc/logrotate.conf   (its lines about /var/log/apache2, and errors)")
    out = subprocess.run(["logrotate", "-d", "/etc/logrotate.conf"], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    for line in out.splitlines():
        if "/var/log/apache2" in line or "error" in line.lower():
            print("    " + line)
    check("considering log /var/log/apache2/mod_jk.log" in out,
          "logrotate considers /var/log/apache2/mod_jk.log")
    check("duplicate log entry" not in out, "no duplicate entry for it")


def swap_back(hashes):
    step("back: apt-get install libapache2-mod-jk over ours")
    run(APT + ["install", DEBIAN_PKG])
    check(installed(DEBIAN_PKG), f"{DEBIAN_PKG} installed again")
    check(not installed(OUR_PKG), f"{OUR_PKG} no longer installed "
          f"(status {package_status(OUR_PKG)!r})")
    assert_site_intact(hashes, "after going back to Debian's package")
    assert_enabled("after going back to Debian's package")
    run(["apache2ctl", "configtest"])


def remove_ours(hashes, debian_removed):
    step("remove: apt-get remove (ours), compared with Debian's own remove")
    run(APT + ["remove", OUR_PKG])
    removed = snapshot()
    check(not any(p.is_symlink() for p in ENABLED), "module disabled (no mods-enabled/jk.*)")
    check(not MODULE.exists(), f"{MODULE} gone")
    assert_site_intact(hashes, "after apt-get remove: conffiles stay")
    extra = [p for p in set(removed) - set(debian_removed)
             if p not in OURS_ONLY | APACHE2_STATE_DIRS and not p.endswith(".dpkg-dist")]
    missing = sorted(set(debian_removed) - set(removed) - APACHE2_STATE_DIRS)
    print(f"  left by ours and not by Debian's remove: {sorted(extra)}")
    print(f"  left by Debian's remove and not by ours: {missing}")
    check(not extra and not missing, "remove leaves the same paths as Debian's remove")
    check(module_state(removed) == module_state(debian_removed),
          "the module's enabled/disabled state is recorded as Debian's remove records it")


def purge_ours(baseline):
    step("purge: apt-get purge (ours)")
    run(APT + ["purge", OUR_PKG])
    purged = snapshot()
    diff = differences(baseline, purged)
    print(f"  differences from the start: {diff}")
    # dpkg still records Debian's package as "config-files" after the swap; that record
    # owns the directory, which dpkg removes when the record is purged.
    leftover_dir = ["/etc/libapache2-mod-jk"] if package_status(DEBIAN_PKG).startswith("rc") \
        else []
    check(diff == leftover_dir, "purge leaves the watched paths as found"
          + (" (but the empty /etc/libapache2-mod-jk of Debian's config-files record)"
             if leftover_dir else ""))


def reinstall_debian():
    step("reinstall: Debian's package after ours was purged")
    run(APT + ["install", DEBIAN_PKG])
    check(installed(DEBIAN_PKG), f"{DEBIAN_PKG} installed")
    check(JK_CONF.is_file() and JK_LOAD.is_file() and WORKERS.is_file(),
          "its jk.conf, jk.load and workers.properties are in place")
    assert_enabled("Debian's package reinstalled")
    run(["apache2ctl", "configtest"])


def admin_choice_kept(deb):
    step("admin's choice: a2dismod jk under Debian's package, then ours installed")
    run(["a2dismod", "jk"])
    run(APT + ["install", deb])
    check(installed(OUR_PKG), f"{OUR_PKG} installed")
    check(not any(p.is_symlink() for p in ENABLED),
          "the module the administrator disabled stays disabled")


# -- set-up and clean-up ----------------------------------------------------

def start_tomcats(workdir):
    tomcats = [jkharness.Tomcat(Path(workdir) / f"tomcat{n}", jvm_route=f"worker{n}")
               for n in (1, 2)]
    for t in tomcats:
        t.start(wait=False)
    for t in tomcats:
        t.wait_ready(timeout=180)
    return tomcats


def leave_as_found(preexisting_logs, placed_policy):
    step("clean-up: purge what this test installed")
    for pkg in (OUR_PKG, DEBIAN_PKG):
        if package_status(pkg) != "not known" and not package_status(pkg).startswith("un"):
            run(APT + ["purge", pkg], may_fail=True)
    for p in LOG_DIR.iterdir():
        if p.name not in preexisting_logs:
            print(f"  removing {p} (created by this test)")
            p.unlink()
    if placed_policy:
        POLICY.unlink()


def main():
    deb = Path(sys.argv[1]).resolve()
    if os.geteuid() != 0:
        sys.exit("deb_swap.py: must run as root (it installs and purges packages)")
    for pkg in (DEBIAN_PKG, OUR_PKG):
        status = package_status(pkg)
        if status != "not known" and not status.startswith("un"):
            sys.exit(f"deb_swap.py: {pkg} is already on this machine ({status}); "
                     "the test must start without it")
    baseline = snapshot()
    preexisting_logs = {p.name for p in LOG_DIR.iterdir()}
    placed_policy = False
    if not POLICY.exists():
        # Keeps the packages' maintainer scripts from starting the system apache2.
        POLICY.write_text("#!/bin/sh\nexit 101\n")
        POLICY.chmod(0o755)
        placed_policy = True
    tomcats = []
    failed = None
    try:
        with tempfile.TemporaryDirectory(prefix="jk-deb-swap.") as work:
            os.chmod(work, 0o755)  # httpd's children (www-data) read the DocumentRoot
            debian_removed, after_debian = reference(baseline)
            tomcats = start_tomcats(work)
            hashes = install_site(tomcats)
            serve_site(Path(work) / "httpd-debian", expect_ours=False)
            swap_to_ours(deb, hashes, "swap")
            serve_site(Path(work) / "httpd-ours", expect_ours=True)
            check_log_rotation()
            swap_back(hashes)
            serve_site(Path(work) / "httpd-back", expect_ours=False)
            swap_to_ours(deb, hashes, "again")
            remove_ours(hashes, debian_removed)
            purge_ours(after_debian)
            reinstall_debian()
            admin_choice_kept(deb)
    except (SwapFailure, jkharness.HarnessError) as e:
        failed = e
    finally:
        for t in tomcats:
            t.stop()
        leave_as_found(preexisting_logs, placed_policy)
    final = snapshot()
    # apache2's own state directories may have appeared (see APACHE2_STATE_DIRS).
    diff = [p for p in differences(baseline, final)
            if not (p in APACHE2_STATE_DIRS and final.get(p) == ("dir",))]
    print(f"\n  after clean-up, differences from the start: {diff}")
    if failed:
        print(f"\nFAILED: {failed}")
        return 1
    if diff:
        print("\nFAILED: the machine is not as it was found")
        return 1
    print("\nswap test passed: Debian's mod_jk -> ours -> Debian's -> ours, remove, purge,"
          " Debian's again; machine left as found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
