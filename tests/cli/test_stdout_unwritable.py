"""Standard output that cannot be written ends the command with the coded `output-unwritable`
error on standard error and exit 1 — never a Python traceback.

Before, `covenant evaluate -f json >&-` (no standard output at all) ended in an AttributeError
traceback, `covenant evaluate >&-` exited 0 with its table lost, and any command writing to a
full disk (`> /dev/full`, which answers every write with ENOSPC) ended in an OSError traceback.
A reader that went away (`| head -1`) stays exit 141 (tests/cli/test_closed_pipe.py)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

CLOSED = (
    "error: standard output is closed, so nothing can be printed — run the command with its "
    "output somewhere (> FILE, or > /dev/null to drop it)\n"
    "  run: covenant explain output-unwritable\n"
)
FULL = (
    "error: standard output cannot be written: No space left on device — free space where "
    "standard output goes, or send it elsewhere (> FILE)\n"
    "  run: covenant explain output-unwritable\n"
)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    done = _covenant(["init", "ws"], folder, "")
    assert done.returncode == 0, done.stderr
    return folder / "ws"


def _covenant(args: list[str], cwd: Path, redirect: str) -> subprocess.CompletedProcess[str]:
    """``python -m covenant ARGS`` run by a shell with standard output ``redirect``ed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    line = shlex.join([sys.executable, "-m", "covenant", *args])
    return subprocess.run(
        ["sh", "-c", f"exec {line} {redirect}"],
        cwd=cwd,
        env={**env, "COVENANT_HELP_CACHE": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
    )


COMMANDS = [
    ["evaluate", "-f", "json"],  # the fast evaluate, without typer
    ["evaluate", "--wide"],  # a table through rich
    ["validate", "-f", "json"],  # a typer command
    ["export", "openslo"],  # typer's echo
    ["explain", "invalid-usage"],
    ["--version"],
    ["evaluate", "--help"],  # help printed without typer
]


@pytest.mark.parametrize("args", COMMANDS)
@pytest.mark.parametrize(("redirect", "said"), [(">&-", CLOSED), ("> /dev/full", FULL)])
def test_unwritable_stdout_is_a_coded_error(
    ws: Path, args: list[str], redirect: str, said: str
) -> None:
    done = _covenant(args, ws, redirect)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert done.stderr.endswith(said), done.stderr


def test_a_command_that_prints_nothing_on_stdout_still_runs_without_one(ws: Path) -> None:
    out = ws.parent / "openslo.yaml"
    done = _covenant(["export", "openslo", "-o", str(out)], ws, ">&-")
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("apiVersion: openslo/v1")
