"""A SQLite store that cannot be opened or written for a cause of the file or its disk is
refused naming the file, the cause and the fix, not SQLite's "unable to open database file" or
"disk I/O error" alone: the store's path a folder, and a full disk (the file size limit of the
command's process, ``ulimit -f``, which SQLite meets as a disk that takes no more). (A folder
this user may not write cannot be made here: the tests run as root, who may write any.)"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

LIMIT = 8192  # bytes: less than a new store's schema


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    made = _covenant(tmp_path, "init", str(ws))
    assert made.returncode == 0, made.stdout
    return ws


def _covenant(cwd: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": ":".join(sys.path)},
        preexec_fn=limited,
        check=False,
    )


@pytest.mark.parametrize("command", [("ingest", "events", "events/sample.csv"), ("evaluate",)])
def test_a_store_path_that_is_a_folder(tmp_path: Path, command: tuple[str, ...]) -> None:
    ws = _workspace(tmp_path)
    store = ws / ".covenant" / "covenant.db"
    store.mkdir(parents=True)
    said = _covenant(ws, *command)
    assert said.returncode != 0, said.stdout
    out = " ".join((said.stdout + said.stderr).split())
    assert f"{store} is a folder, not a file" in out
    assert "move that folder away" in out
    assert "nothing has been ingested" not in out
    assert "Traceback" not in out


def test_a_full_disk_names_the_file_the_limit_and_the_fix(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    said = _covenant(ws, "ingest", "events", "events/sample.csv", limit=LIMIT)
    assert said.returncode != 0, said.stdout
    out = " ".join((said.stdout + said.stderr).split())
    store = ws / ".covenant" / "covenant.db"
    assert str(store) in out
    assert f"this process may write files of at most {LIMIT:,} bytes (ulimit -f)" in out
    assert "raise the limit (ulimit -f unlimited)" in out
    assert "Traceback" not in out
