"""Start-up stays light: the CLI imports heavy libraries only inside the command that needs them.

Not a timing test: it asserts which modules a fresh interpreter has loaded after importing the
CLI and printing help, which fails as soon as a top-level import pulls numpy, SQLAlchemy …
back in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# click is no dependency of ours (typer vendors its own): importing it would break installs.
HEAVY = ("numpy", "sqlalchemy", "alembic", "pyarrow", "holidays", "pandas", "click")

PROBE = """
import json, sys
from typer.testing import CliRunner
from covenant.cli.main import app
runner = CliRunner()
codes = [runner.invoke(app, args).exit_code for args in {commands!r}]
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"codes": codes, "heavy": heavy}}))
"""

HELP = [
    ["--help"],
    ["evaluate", "--help"],
    ["demo", "--help"],
    ["explain", "--help"],
    ["ingest", "events", "--help"],
    ["ingest", "tickets", "--help"],
    ["agreements", "list", "--help"],
    ["report", "sla", "--help"],
    ["backtest", "agreement", "--help"],
    ["suggest", "backing", "--help"],
    ["lint", "--help"],
    ["validate", "--help"],
    ["export", "openslo", "--help"],
    ["exposure", "--help"],
]


def probe(commands: list[list[str]]) -> dict[str, list[object]]:
    code = PROBE.format(commands=commands, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    result: dict[str, list[object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert probe([]) == {"codes": [], "heavy": []}


@pytest.mark.parametrize("args", HELP, ids=[" ".join(a) for a in HELP])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    assert probe([args]) == {"codes": [0], "heavy": []}


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check can fail: a command that does its work loads what it needs."""
    (tmp_path / "calendar.yaml").write_text(
        "apiVersion: covenant/v1\nkind: Calendar\nmetadata: {name: berlin}\n"
        "spec:\n  timeZone: Europe/Berlin\n  weekly: {mon: '08:00-18:00'}\n"
        "  holidays: {country: DE, subdivision: BE}\n",
        encoding="utf-8",
    )
    found = probe([["validate", str(tmp_path)]])
    assert found["codes"] == [0]
    assert "holidays" in found["heavy"]
