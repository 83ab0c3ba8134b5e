"""A stored chunk whose item size Covenant never writes (a store edited by hand or damaged)
is a store error with the way back, not a traceback from numpy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app


@pytest.mark.parametrize("output", ["table", "json"])
def test_a_chunk_of_three_byte_counts_is_refused_as_damage(tmp_path: Path, output: str) -> None:
    runner = CliRunner(env={"COVENANT_DATABASE_URL": ""})
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    ingested = runner.invoke(
        app, ["ingest", "events", str(ws / "events" / "sample.csv"), "-w", str(ws)]
    )
    assert ingested.exit_code == 0, ingested.output
    store = ws / ".covenant" / "covenant.db"
    with sqlite3.connect(store) as db:
        assert db.execute("UPDATE bucket_chunks SET itemsize = 3").rowcount > 0
    at = "2026-10-02T00:00:00Z"
    done = runner.invoke(app, ["evaluate", "-w", str(ws), "--at", at, "-f", output])
    said = " ".join(done.output.split())
    assert done.exit_code == 1, said
    assert "Traceback" not in said
    assert "stored day chunks say their counts are 3-byte integers" in said
    assert "restore it from a backup" in said
