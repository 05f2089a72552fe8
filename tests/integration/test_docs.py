"""The documentation lists every key the module knows, with the module's own names."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def known_keys():
    """Key names from the single table in common/config/jk_config.c."""
    source = (ROOT / "common" / "config" / "jk_config.c").read_text()
    table = source.split("static const jk_key_def key_table[] = {", 1)[1].split("};", 1)[0]
    return re.findall(r'\{\s*"([a-z_0-9]+)"', table)


def directives():
    source = (ROOT / "native" / "apache2" / "jk_directives.c").read_text()
    return re.findall(r'AP_INIT_\w+\("(Jk\w+)"', source)


def test_every_workers_property_key_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text()
    keys = known_keys()
    assert len(keys) > 50
    missing = [k for k in keys if f"`{k}`" not in doc]
    assert missing == []


def test_every_directive_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text()
    names = directives()
    assert "JkMount" in names and "JkWorkersFile" in names
    missing = [d for d in names if f"`{d}" not in doc]
    assert missing == []
