"""A clone of the repository is all a user, packager or CI machine has.

No tracked file may read, or send a reader to, anything outside the repository: the users'
configurations and every fixture live in it (conf/examples/, tests/). The fresh clone that
.ci/run tests in proves the build and the tests need nothing else; this test catches a
mention of an outside path in a file that the run does not execute (docs, comments).
"""
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Spelt in pieces so that this file does not match itself.
SHELF = "sha" + "red"
OUTSIDE_PATHS = re.compile(
    r"\.\./" + SHELF + r"\b"
    r"|\b" + SHELF + r"/(compat|seed|design|ajp13|mod_jk-reference|style|baseline)\b"
    r"|JK_(" + SHELF.upper() + r"|COMPAT)_DIR")

EXAMPLES = ["httpd-jk-lb.conf", "httpd-jk-single.conf", "tomcat-ajp-connector.xml",
            "tomcat-cluster.xml", "tomcat-engine.xml", "web-distributable.xml",
            "workers-lb-secret.properties", "workers-lb.properties", "workers-single.properties"]


def tracked_files():
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True,
                         capture_output=True).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def text_of(path):
    data = path.read_bytes()
    if b"\0" in data:
        return None  # binary: fuzz inputs, images
    return data.decode("utf-8", errors="replace")


def test_no_tracked_file_points_outside_the_repository():
    files = tracked_files()
    assert len(files) > 100
    found = []
    for path in files:
        text = text_of(path)
        if text is None:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_PATHS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert found == []


def test_the_pattern_catches_what_it_is_for():
    """The check above would be worthless if its pattern matched nothing."""
    for mention in ["see ../" + SHELF + "/compat", SHELF + "/seed/notes.md",
                    "JK_" + "COMPAT_DIR=x", SHELF + "/design.md"]:
        assert OUTSIDE_PATHS.search(mention), mention
    for fine in ["the shared memory segment", "JkShmFile", "shared records"]:
        assert not OUTSIDE_PATHS.search(fine), fine


def test_the_users_configurations_ship_with_the_repository():
    examples = ROOT / "conf" / "examples"
    tracked = {p.relative_to(examples).as_posix() for p in tracked_files()
               if examples in p.parents}
    assert set(EXAMPLES) <= tracked
    readme = (examples / "README.md").read_text()
    missing = [name for name in EXAMPLES if f"`{name}`" not in readme]
    assert missing == []
    # Placeholders stay as the users' files have them: the tests fill them in.
    assert "@TOMCAT1_AJP_PORT@" in (examples / "workers-lb.properties").read_text()
    assert "@MODULE_PATH@" in (examples / "httpd-jk-lb.conf").read_text()
