"""`python -m covenant` (and `python -m covenant.cli.main`) run the command: both exited 0
without a word, so a `covenant` not on the PATH looked like a command that did nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["covenant", "covenant.cli.main"])
def test_python_m_runs_the_command(module: str, tmp_path: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    env = {**os.environ, "COVENANT_HELP_CACHE": "0", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, f"covenant {version}\n"), done.stderr
    bad = subprocess.run(
        [sys.executable, "-m", module, "evaluate", "-w", str(tmp_path / "none")],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2  # a usage error: -w names no folder
    assert "does not exist" in bad.stderr
