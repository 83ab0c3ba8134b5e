"""`--out`/`-o` naming a pipe or a device (`-o /dev/stdout`, a named pipe another program
reads) writes into it; it is never replaced by a regular file.

An output file is written beside its path and renamed over it, so a kill halfway leaves the
old file whole. A pipe or a device is no file to keep: renaming over it replaced `/dev/null`
(as root) or the named pipe with a regular file, and the reader got nothing. The named pipe
here stands for them all (a test must not replace the real /dev/null).
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    ws = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", ws, ignore=shutil.ignore_patterns(".covenant"))
    return ws


def _run(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


COMMANDS = {
    "rules": ["rules", "prometheus", "--out"],
    "export": ["export", "openslo", "-o"],
    "statement": [
        "report",
        "sla",
        "-c",
        "globex",
        "-p",
        "2026-10",
        "--at",
        "2026-11-05T00:00:00Z",
        "-f",
        "json",
        "-o",
    ],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_to_a_named_pipe_goes_to_its_reader(shop: Path, tmp_path: Path, name: str) -> None:
    if name == "statement":
        _run("agreements", "sync", "-w", str(shop))
    expected = tmp_path / "file.out"
    _run(*COMMANDS[name], str(expected), "-w", str(shop))

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    read: list[bytes] = []

    def reader() -> None:
        with pipe.open("rb") as source:  # blocks until the command opens it to write
            read.append(source.read())

    # the test holds a writing end too (so the reader's open never waits), closed once the
    # command is done: the reader then gets what the command wrote, and its end
    held = os.open(pipe, os.O_RDWR)
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        _run(*COMMANDS[name], str(pipe), "-w", str(shop))
    finally:
        os.close(held)
        thread.join(timeout=60)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert read == [expected.read_bytes()]
