"""The README tells a newcomer what the project really does: how to start it where they need it,
and with which Python."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

from tests.conftest import ROOT, require_or_skip

README = (ROOT / "README.md").read_text()


def _make_run(*settings: str) -> str:
    """The command ``make run`` would start the app with (``make -n``: nothing is run)."""
    require_or_skip(shutil.which("make") is not None, "make is not installed")
    out = subprocess.run(["make", "-n", "run", *settings], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    (line,) = [line for line in out.splitlines() if "streamlit run app.py" in line]
    return line


def test_make_run_listens_on_this_machine_by_default():
    line = _make_run()
    assert "--server.port 8501" in line and "--server.address localhost" in line


def test_make_run_takes_the_port_and_the_address_to_bind():
    line = _make_run("PORT=8600", "ADDRESS=0.0.0.0")
    assert "--server.port 8600" in line and "--server.address 0.0.0.0" in line


def test_the_readme_shows_how_to_pick_the_port_and_the_address():
    assert "make run PORT=8600 ADDRESS=0.0.0.0" in README
    for word in ("`PORT`", "`ADDRESS`", "--server.port", "--server.address", "0.0.0.0", "localhost"):
        assert word in README, word


def test_the_readme_names_the_python_version_the_project_is_checked_with():
    checked = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["python_version"]
    assert re.search(rf"Python {re.escape(checked)}\b", README), f"the README does not name Python {checked}"
