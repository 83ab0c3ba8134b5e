"""`covenant … | head -1`: the reader of standard output went away. Every command then ends
quietly with 141 (128 + SIGPIPE), as git, cat or grep do when a shell reports them killed by the
signal — never 1, the status of an error, and never a traceback or "Exception ignored".

Before, the command exited 1 (typer's choice), so `covenant evaluate | head -1` under
`set -o pipefail` looked like a failed evaluation. The pipe here has its read end closed before
the command starts, so its first write meets a reader that is gone whatever the timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

READER_GONE = 141  # 128 + SIGPIPE (13)


def _covenant(args: list[str], home: Path, *, closed: bool, cwd: Path) -> tuple[int, str]:
    """``python -m covenant ARGS`` with standard output a pipe whose reader is gone (or, not
    ``closed``, discarded): its exit status and standard error."""
    read, write = os.pipe()
    if closed:
        os.close(read)
    env = {**os.environ, "HOME": str(home), "COLUMNS": "80", "XDG_CACHE_HOME": str(home / "c")}
    env.pop("COVENANT_HELP_CACHE", None)
    env.pop("COVENANT_WORKSPACE", None)
    env.pop("COVENANT_DATABASE_URL", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "covenant", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            check=False,
            env=env,
            cwd=cwd,
            text=True,
            timeout=300,
        )
    finally:
        os.close(write)
        if not closed:
            os.close(read)
    return done.returncode, done.stderr


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A starter workspace with its sample events ingested (`covenant init`, `ingest`)."""
    folder = tmp_path_factory.mktemp("pipe")
    home = folder / "home"
    for args in (
        ["init", "ws"],
        ["ingest", "events", "ws/events/sample.csv", "-w", "ws"],
    ):
        code, err = _covenant(args, home, closed=False, cwd=folder)
        assert code == 0, err
    return folder / "ws"


COMMANDS = [
    pytest.param(["--help"], id="help"),
    pytest.param(["--version"], id="version"),
    pytest.param(["explain"], id="explain"),  # typer
    pytest.param(["evaluate", "-w", "WS", "--at", "2026-10-01T00:10:00Z"], id="evaluate"),
    pytest.param(
        ["evaluate", "-w", "WS", "--at", "2026-10-01T00:10:00Z", "--format", "json"],
        id="evaluate-json",
    ),
    pytest.param(["evaluate", "-w", "WS", "--wide", "--slo", "checkout-availability"], id="typer"),
    pytest.param(["export", "openslo", "-w", "WS"], id="export"),
]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_reader_gone_ends_quietly_with_141(args: list[str], workspace: Path) -> None:
    home = workspace.parent / "home"
    args = [str(workspace) if arg == "WS" else arg for arg in args]
    code, err = _covenant(args, home, closed=True, cwd=workspace.parent)
    assert (code, err) == (READER_GONE, "")


@pytest.mark.parametrize("args", [["--help"], ["explain", "--help"], ["--version"]])
def test_a_cached_help_into_a_closed_pipe_ends_with_141(args: list[str], tmp_path: Path) -> None:
    code, err = _covenant(args, tmp_path, closed=False, cwd=tmp_path)  # kept in the cache
    assert code == 0, err
    code, err = _covenant(args, tmp_path, closed=True, cwd=tmp_path)  # printed from it
    assert (code, err) == (READER_GONE, "")


def test_an_error_is_still_1_when_nothing_was_written(tmp_path: Path) -> None:
    """Only a reader that went away is 141: a command that fails before writing a line keeps
    its own status (2: `-w` names no folder) and its message."""
    code, err = _covenant(["evaluate", "-w", "nowhere"], tmp_path, closed=True, cwd=tmp_path)
    assert code == 2
    assert "does not exist" in err
