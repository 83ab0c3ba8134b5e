"""The docs stay true to the code: every error code documented, the README's commands run."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT

CODE_PATTERNS = (
    re.compile(r'code\s*=\s*"([a-z0-9-]+)"'),
    re.compile(r'^\s*_R_[A-Z_]+: \(\s*"([a-z0-9-]+)"', re.MULTILINE),
    re.compile(r'^\s*_R_[A-Z_]+: \(\n\s*"([a-z0-9-]+)"', re.MULTILINE),
)


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "covenant").rglob("*.py"):
        text = path.read_text()
        for pattern in CODE_PATTERNS:
            found.update(pattern.findall(text))
    return found


def test_every_error_code_has_an_entry_in_errors_md() -> None:
    documented = set(re.findall(r"^### ([a-z0-9-]+)$", (ROOT / "docs/errors.md").read_text(), re.M))
    codes = codes_in_source()
    assert len(codes) > 30  # the scan finds the codes at all
    assert codes - documented == set()


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_readme_doc_table_points_at_existing_files() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in re.findall(r"\| `(docs/[^`]+)` \|", readme):
        assert (ROOT / name).exists(), name


def tour_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text()
    tour = readme.split("## A short tour", 1)[1]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", tour, re.S):
        for raw in block.splitlines():
            line = raw.split("  #")[0].strip()
            if line.startswith("covenant "):
                commands.append(shlex.split(line)[1:])
    return commands


def test_readme_tour_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(
        ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns(".covenant")
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    runner = CliRunner()
    commands = tour_commands()
    assert len(commands) >= 8
    for args in commands:
        result = runner.invoke(app, args)
        allowed = {0, 3, 4} if "--check" in args else {0}
        assert result.exit_code in allowed, (args, result.output)
