"""A store file that is not a SQLite database says so and how to recover, not to check a
database server's host and port (there is none)."""

from __future__ import annotations

import random
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app


def test_a_damaged_sqlite_store_names_the_file_and_the_way_back(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    store = ws / ".covenant" / "covenant.db"
    store.parent.mkdir(exist_ok=True)
    store.write_bytes(random.Random(3).randbytes(8192))
    done = runner.invoke(
        app, ["evaluate", "-w", str(ws), "--no-read"], env={"COVENANT_DATABASE_URL": ""}
    )
    assert done.exit_code == 1
    said = " ".join(done.output.split())
    assert f"{store} is not a Covenant store or is damaged: restore it from a backup" in said
    assert "host, port" not in said
    assert store.read_bytes() == random.Random(3).randbytes(8192)  # left as it was
