"""docs/lint.md's commands run as written in an empty folder after `covenant demo`, as an
installed user runs them: they named `examples/shop`, which only a checkout of the repository
has (exit 2, "does not exist", for everyone who installed the package)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT


def lint_commands() -> list[list[str]]:
    text = (ROOT / "docs/lint.md").read_text()
    block = re.findall(r"```sh\n(.*?)```", text, re.S)[0]
    return [
        shlex.split(line.split("  #")[0])[1:]
        for line in block.splitlines()
        if line.startswith("covenant ")
    ]


def test_the_lint_doc_commands_run_after_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    commands = lint_commands()
    assert len(commands) == 5
    for args in commands:
        result = runner.invoke(app, args, terminal_width=100)
        # the demo keeps deliberate mismatches as warnings: --strict fails on them (exit 1)
        assert result.exit_code == (1 if "--strict" in args else 0), (args, result.output)
        assert "finding" in result.output or "warning" in result.output or "{" in result.output
