"""The first hour of a stranger: `covenant demo` anywhere, `covenant explain`, help, version."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from covenant.cli.explain_cmds import sections
from covenant.cli.main import app
from tests.conftest import ROOT

runner = CliRunner()
SHOP = sorted(p.name for p in (ROOT / "examples" / "shop").iterdir() if p.is_file())


@pytest.fixture(autouse=True)
def _no_shared_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    monkeypatch.delenv("COVENANT_NOW", raising=False)


def test_demo_writes_the_shipped_workspace_into_the_default_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    at = "2026-10-31T09:30:00Z"
    result = runner.invoke(app, ["demo", "--at", at, "--days", "7"])
    assert result.exit_code == 0, result.output
    demo = tmp_path / "covenant-demo"
    assert sorted(p.name for p in (demo / "shop").iterdir() if p.is_file()) == SHOP
    assert (demo / "proposals" / "initech-premium.yaml").read_bytes() == (
        ROOT / "examples" / "proposals" / "initech-premium.yaml"
    ).read_bytes()
    assert (demo / "shop" / ".covenant" / "covenant.db").is_file()
    assert "SLOs at 2026-10-31T09:30:00Z" in result.output
    assert "covenant evaluate -w covenant-demo/shop" in result.output
    tips = result.output.split("Next, try:")[1].splitlines()
    assert max(map(len, tips)) <= 80, tips  # an 80-column terminal, a shell continuation
    assert "  covenant report sla -w covenant-demo/shop --customer globex \\" in tips
    evaluated = runner.invoke(app, ["evaluate", "-w", "covenant-demo/shop", "--at", at, "--check"])
    assert evaluated.exit_code == 3, evaluated.output  # checkout pages in the demo story


def test_demo_refuses_a_folder_that_is_not_empty_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    refused = runner.invoke(app, ["demo", str(target), "--days", "2"])
    assert refused.exit_code == 1
    assert "is not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]  # nothing written
    forced = runner.invoke(app, ["demo", str(target), "--days", "2", "--force"])
    assert forced.exit_code == 0, forced.output
    assert (target / "notes.txt").read_text() == "keep me"
    assert (target / "shop" / "slos.yaml").is_file()


def test_explain_prints_the_section_of_a_code() -> None:
    result = runner.invoke(app, ["explain", "duplicate-key"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "duplicate-key"
    assert "The same key twice in one mapping. Fix: keep one." in result.stdout
    assert "yaml-syntax" not in result.stdout  # the next section is not printed


def test_explain_an_unknown_code_lists_near_matches() -> None:
    result = runner.invoke(app, ["explain", "yaml-sytax"])
    assert result.exit_code == 2
    assert "did you mean: yaml-syntax" in result.stderr


def test_explain_without_a_code_lists_every_documented_code() -> None:
    text = (ROOT / "docs" / "errors.md").read_text()
    documented = set(re.findall(r"^### ([a-z0-9-]+)$", text, re.M))
    assert len(documented) > 30
    listed = runner.invoke(app, ["explain"], terminal_width=200).stdout
    shown = {line.split()[0] for line in listed.splitlines() if line.startswith("  ")}
    assert shown == documented


def test_sections_keep_their_group_and_join_paragraph_lines() -> None:
    text = "# T\n\n## Group A\n\n### one\nfirst line\nsecond [two](#two).\n\n- a\n- b\n### two\nx\n"
    assert sections(text) == {
        "one": ("Group A", "first line second two.\n\n- a\n- b"),
        "two": ("Group A", "x"),
    }


def test_error_hints_name_covenant_explain(tmp_path: Path) -> None:
    (tmp_path / "slo.yaml").write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\n")
    result = runner.invoke(app, ["evaluate", "-w", str(tmp_path)])
    assert result.exit_code == 1
    hint = result.stderr.strip().splitlines()[-1].strip()
    assert hint.startswith("run: covenant explain ")
    code = hint.removeprefix("run: covenant explain ").split()[0]
    assert runner.invoke(app, ["explain", code]).exit_code == 0
    assert "docs/errors.md" not in result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"covenant \d+\.\d+\.\d+\S*\n", result.stdout)


def test_shell_completion_is_offered() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=120)
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def all_commands() -> list[list[str]]:
    """Every command path of the CLI, from its click tree (so a new command is covered)."""
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_no_help_shows_a_type_on_a_flag() -> None:
    commands = all_commands()
    assert ["report", "sla"] in commands
    assert ["ingest", "events"] in commands
    assert len(commands) >= 20
    for path in commands:
        result = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, path
        assert "--help" in result.stdout, path
        assert "<bool>" not in result.stdout, path
        assert "<list[" not in result.stdout, path
        assert not re.search(r"--[a-z-]+\s+<(?:bool|boolean)>", result.stdout), path


def test_the_wheel_ships_the_demo_and_the_error_reference(tmp_path: Path) -> None:
    """Build the wheel, import Covenant from it alone, run `demo` and `explain` in an empty
    folder far from the repository (no fallback to the checkout's files)."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("covenant-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for name in SHOP:
        assert f"covenant/_bundled/demo/shop/{name}" in names
    assert "covenant/_bundled/demo/proposals/initech-premium.yaml" in names
    assert "covenant/_bundled/docs/errors.md" in names
    assert "covenant/cli/help_model.json" in names  # help without typer (cli.help_render)
    assert "covenant/store/schema_sqlite.json" in names  # new stores without Alembic
    assert not [n for n in names if "/.covenant/" in n]
    empty = tmp_path / "empty"
    empty.mkdir()
    script = (
        "import sys, covenant; from covenant.cli.main import main; "
        "assert covenant.__file__.startswith(sys.argv[1]), covenant.__file__; "
        "sys.argv = ['covenant', *sys.argv[2:]]; main()"
    )
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def covenant(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "site"), *args],
            cwd=empty, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip

    demo = covenant("demo", "--days", "3", "--at", "2026-10-31T09:30:00Z")
    assert demo.returncode == 0, demo.stderr
    assert (empty / "covenant-demo" / "shop" / "slos.yaml").is_file()
    assert "SLOs at 2026-10-31T09:30:00Z" in demo.stdout
    explained = covenant("explain", "yaml-syntax")
    assert explained.returncode == 0, explained.stderr
    assert "The YAML cannot be parsed" in explained.stdout


TICKETS = (
    "id,customer,priority,created,first_response,resolved,history\n"
    "T1,acme,P1,2026-10-01T00:00:00Z,,,open@2026-10-01T00:00:00Z\n"
)
INCIDENTS = (
    "id,services,start,end,severity\nI1,api,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,sev1\n"
)


@pytest.mark.parametrize("kind", ["events", "tickets", "incidents"])
def test_re_ingesting_a_file_prints_one_line_that_nothing_changed(
    tmp_path: Path, kind: str
) -> None:
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    path = ws / "events" / "sample.csv"
    if kind != "events":
        path = tmp_path / f"{kind}.csv"
        path.write_text(TICKETS if kind == "tickets" else INCIDENTS)
    first = runner.invoke(app, ["ingest", kind, str(path), "-w", str(ws)], terminal_width=100)
    assert first.exit_code == 0, first.output
    assert "Ingested" in first.stdout  # the first time: the table
    again = runner.invoke(app, ["ingest", kind, str(path), "-w", str(ws)], terminal_width=100)
    assert again.exit_code == 0, again.output
    lines = again.stdout.strip().splitlines()
    assert len(lines) == 1, again.stdout
    assert re.fullmatch(
        rf"{path.name}: already ingested on \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ "
        r"\(same content\); nothing changed",
        lines[0],
    ), lines[0]
