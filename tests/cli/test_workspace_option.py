"""`-w` gives one error in every command: a coded usage error (exit 2, as every bad option value)
saying that `-w` takes the workspace folder, and for a file naming its folder as the fix.

`covenant evaluate -w nope` exited 1 with `path-not-found` ("give an existing workspace folder or
definition file … nothing was applied": a read-only command applies nothing, and `-w` refuses
files), while `covenant evaluate -w my-ws/slos.yaml` exited 2 with Click's uncoded "dir
'my-ws/slos.yaml' is a file." and no hint.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()
CODE = "invalid-workspace-option"
TAKES = "the workspace folder (the one that holds your definition files and .covenant/)"

COMMANDS = [
    ["evaluate"],
    ["exposure"],
    ["report", "sla", "--customer", "acme", "--period", "2026-11"],
    ["ingest", "events", "EVENTS"],
    ["rules", "prometheus"],
    ["agreements", "list"],
    ["audit", "list"],
    ["db", "upgrade"],
    ["backtest", "alerts", "checkout-availability"],
]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace ``my-ws`` (``covenant init``) in the current folder: short relative paths."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    assert runner.invoke(app, ["init", "my-ws"]).exit_code == 0
    assert (tmp_path / "my-ws" / "slos.yaml").is_file()
    return tmp_path


def _args(command: list[str]) -> list[str]:
    return [("my-ws/events/sample.csv" if a == "EVENTS" else a) for a in command]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_file_as_workspace_names_its_folder(here: Path, command: list[str]) -> None:
    result = runner.invoke(app, [*_args(command), "-w", "my-ws/slos.yaml"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"error: -w my-ws/slos.yaml is a file, not a folder — -w takes {TAKES}, not a file in "
        "it: -w my-ws\n"
    ), result.stderr
    assert f"run: covenant explain {CODE}" in result.stderr
    assert "Invalid value" not in result.output
    assert not (here / "my-ws" / "slos.yaml" / ".covenant").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_missing_workspace_is_the_same_kind_of_error(here: Path, command: list[str]) -> None:
    result = runner.invoke(app, [*_args(command), "-w", "nope"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"error: -w nope does not exist — -w takes {TAKES}: check the path, or start a "
        f"workspace there with `covenant init nope`\n  run: covenant explain {CODE}\n"
    )
    assert "nothing was applied" not in result.output
    assert not (here / "nope").exists()  # `db upgrade -w nope` made nope/.covenant/


@pytest.mark.parametrize(
    ("command", "other"),
    [
        (["validate"], " (or give the file as PATH: covenant validate my-ws/slos.yaml)"),
        (["lint"], " (or give the file as PATH: covenant lint my-ws/slos.yaml)"),
        (
            ["export", "openslo"],
            " (or give the file as PATH: covenant export openslo my-ws/slos.yaml)",
        ),
        (["demo"], ""),
    ],
)
def test_commands_that_also_take_paths_offer_the_file_as_path(
    here: Path, command: list[str], other: str
) -> None:
    result = runner.invoke(app, [*command, "-w", "my-ws/slos.yaml"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"error: -w my-ws/slos.yaml is a file, not a folder — -w takes {TAKES}, not a file in "
        f"it: -w my-ws{other}\n"
    ), result.stderr
    missing = runner.invoke(app, [*command, "-w", "nope"])
    assert missing.exit_code == 2, missing.output
    assert missing.stderr.startswith("error: -w nope does not exist — "), missing.stderr
    assert "nothing was applied" not in missing.output


def test_a_file_in_the_current_folder_names_the_current_folder(here: Path) -> None:
    os.chdir(here / "my-ws")
    result = runner.invoke(app, ["evaluate", "-w", "slos.yaml"])
    assert result.exit_code == 2
    assert "not a file in it: -w .\n" in result.stderr


def test_the_variable_is_named_as_the_variable(here: Path) -> None:
    result = runner.invoke(app, ["evaluate"], env={"COVENANT_WORKSPACE": "my-ws/slos.yaml"})
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: COVENANT_WORKSPACE=my-ws/slos.yaml is a file, not a folder — "
        f"COVENANT_WORKSPACE names {TAKES}, not a file in it: COVENANT_WORKSPACE=my-ws\n"
    ), result.stderr


def test_a_folder_still_runs(here: Path) -> None:
    result = runner.invoke(app, ["evaluate", "-w", "my-ws", "--format", "json"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("target", ["nope", "my-ws/slos.yaml"])
def test_the_installed_command_says_the_same(here: Path, target: str) -> None:
    """`covenant evaluate` runs without typer when it can (covenant.cli.fast): the same error."""
    env = {**os.environ, "COVENANT_HELP_CACHE": "0", "HOME": str(here)}
    env.pop("COVENANT_WORKSPACE", None)
    done = subprocess.run(
        [sys.executable, "-m", "covenant", "evaluate", "-w", target],
        check=False,
        env=env,
        cwd=here,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: -w {target} "), done.stderr
    assert f"run: covenant explain {CODE}" in done.stderr
