"""The console script starts as it does from a regular (non-editable) install.

An editable install's path finder imports pathlib before any of our code runs; a regular
install does not. cli.py routes every pattern compile through the signed store before its
other imports, and loading that store imports pathlib, which compiles patterns itself. That
order once crashed every regular install at start with a circular import while the suite,
run from an editable install, stayed green. Here the interpreter starts with `-S` (no site,
so no editable finder and no pathlib), the package is found through a plain folder, and a
diagnosis runs twice: with empty stores (they fill) and with full ones (they are read)."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_START = """
import sys
sys.path[:0] = {paths!r}
assert "pathlib" not in sys.modules, "this interpreter imports pathlib at start: the test would prove nothing"
sys.argv = ["rtms-doctor", "diagnose", {example!r}]
from rtms_doctor.cli import entry
entry()
"""


def _import_paths(tmp_path: Path) -> list[str]:
    """A folder holding only `rtms_doctor` (a link to engine/), the folders of the compiled
    durable_rules engine and its Python package, and site-packages (click, jinja2, ...)."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "rtms_doctor").symlink_to(REPO / "engine", target_is_directory=True)
    paths = [str(tmp_path / "pkg")]
    for name in ("durable", "durable_rules_engine"):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        folder = Path(spec.origin).parent
        paths.append(str(folder.parent if spec.submodule_search_locations else folder))
    return paths + [sysconfig.get_paths()["purelib"]]


def test_the_console_script_starts_without_pathlib_imported_first(tmp_path):
    code = _START.format(paths=_import_paths(tmp_path), example=str(REPO / "examples" / "forum-13262.json"))
    env = {**os.environ, "RTMS_DOCTOR_CACHE": str(tmp_path / "cache"), "RTMS_DOCTOR_KEY_DIR": str(tmp_path / "key")}
    env.pop("PYTHONPATH", None)
    for run in ("empty stores", "full stores"):
        done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                              env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=120)
        assert (done.returncode, done.stderr) == (0, ""), run
        assert done.stdout.startswith("# RTMS diagnosis"), run
    assert {p.name.split("-")[0] for p in (tmp_path / "cache").iterdir()} >= {"regex", "code", "kb"}
