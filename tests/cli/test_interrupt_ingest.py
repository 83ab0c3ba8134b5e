"""Ctrl-C during `covenant ingest events a.csv big.csv c.csv` says which files are kept.

Each file is ingested in its own transaction. Before, the command ended with 130 and not a
word, so with several files nobody knew which ones were in the store. Now it says that the
files committed are kept, that nothing of the file being read was written, and which files were
not started. The SIGINT is real; the "big" file is held after its first rows (the
stand-in for a file that takes long to read) and the test waits for the first file's commit by
polling the store, never for a fixed time.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.interrupt import files_kept
from covenant.cli.main import app
from covenant.services.records import batch_key
from covenant.services.store import open_store
from covenant.store import buckets
from covenant.store.tables import ingest_batches

COMMAND = """
import signal, sys, time
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)
import covenant.services.ingest as ingest
import covenant.sources.records as records
marker = Path(sys.argv[1])
def held(rows):
    for row in rows:
        yield row
        marker.write_text("reading big")
        while True:
            time.sleep(60)
real_events, real_records = ingest.iter_classified, records.record_batches
def events(path, **options):
    rows = real_events(path, **options)
    return held(rows) if path.name.startswith("big.") else rows
def record_batches(path, **options):
    rows = real_records(path, **options)
    return held(rows) if path.name.startswith("big.") else rows
ingest.iter_classified, records.record_batches = events, record_batches
sys.argv = ["covenant", *sys.argv[2:]]
from covenant.cli.main import main
main()
"""
"""``covenant ARGS`` with Ctrl-C as at a terminal (a background test run ignores SIGINT, which
a child inherits) and any file named ``big.*`` held after its first rows, as a file that takes
long to read."""
BOUND = 120.0  # how long the test waits for the other process at most: a bound, not a timing
DAY = datetime(2026, 10, 1, tzinfo=UTC)
EVENTS = "timestamp,sli,status,latency_ms\n"
TICKETS = "id,customer,priority,created,first_response,resolved\n"


def _events(minute: int, statuses: list[int]) -> str:
    rows = [
        f"2026-10-01T00:{minute:02d}:{second:02d}Z,checkout-availability,{status},100\n"
        for second, status in enumerate(statuses)
    ]
    return EVENTS + "".join(rows)


def _tickets(first: int, count: int) -> str:
    rows = [
        f"T-{n},acme,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,2026-10-01T11:00:00Z\n"
        for n in range(first, first + count)
    ]
    return TICKETS + "".join(rows)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    assert CliRunner().invoke(app, ["init", str(tmp_path / "ws")]).exit_code == 0
    return tmp_path / "ws"


def _batches(ws: Path) -> set[str] | None:
    """The sha256 of every batch in the store, or None while there is no store to read."""
    if not (ws / ".covenant" / "covenant.db").exists():
        return None
    engine = open_store(f"sqlite:///{ws / '.covenant' / 'covenant.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(ingest_batches.select()).mappings().all()
            return {str(row["source_sha256"]) for row in rows}
    except Exception:  # the other process is still creating the store
        return None
    finally:
        engine.dispose()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _interrupt(ws: Path, command: list[str], first: str) -> tuple[int, str]:
    """Run ``covenant COMMAND``, wait until the batch ``first`` is committed and the big file
    is being read, send SIGINT; the exit code and standard error."""
    marker = ws.parent / "marker"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")},
        "COVENANT_HELP_CACHE": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", COMMAND, str(marker), *command, "-w", str(ws)],
        cwd=ws.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + BOUND  # a wait for the other process, not a check
        while time.monotonic() < deadline and proc.poll() is None:
            found = _batches(ws)
            if found is not None and first in found and marker.exists():
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        assert marker.exists()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=BOUND)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, err


def test_ctrl_c_during_ingest_events_says_which_files_are_kept(ws: Path) -> None:
    folder = ws.parent
    (folder / "a.csv").write_text(_events(0, [200, 200, 503]))  # 2 good of 3 in minute 0
    (folder / "big.csv").write_text(_events(1, [200] * 40))
    (folder / "c.csv").write_text(_events(2, [200, 200]))
    command = ["ingest", "events", "a.csv", "big.csv", "c.csv"]
    code, err = _interrupt(ws, command, _sha(folder / "a.csv"))
    assert code == 130, err
    assert err.endswith(
        "interrupted: a.csv is ingested and kept; big.csv was not finished: nothing of it was "
        "written; c.csv was not started — run the same command again: a file already ingested "
        "is skipped\n"
    ), err
    assert "Traceback" not in err
    engine = open_store(f"sqlite:///{ws / '.covenant' / 'covenant.db'}")
    try:
        with engine.connect() as conn:
            start = int(DAY.timestamp())
            m = buckets.read_matrix(
                conn, keys=["checkout-availability"], start=start, end=start + 3600
            )
    finally:
        engine.dispose()
    assert (int(m.good.sum()), int(m.total.sum())) == (2, 3)  # a.csv's rows only
    assert _batches(ws) == {_sha(folder / "a.csv")}


def test_ctrl_c_during_ingest_tickets_says_which_files_are_kept(ws: Path) -> None:
    folder = ws.parent
    (folder / "one.csv").write_text(_tickets(1, 2))
    (folder / "big.csv").write_text(_tickets(3, 5))
    one = batch_key("tickets", _sha(folder / "one.csv"))
    code, err = _interrupt(ws, ["ingest", "tickets", "one.csv", "big.csv"], one)
    assert code == 130, err
    assert err.endswith(
        "interrupted: one.csv is ingested and kept; big.csv was not finished: nothing of it was "
        "written — run the same command again: a file already ingested is skipped\n"
    ), err
    assert _batches(ws) == {one}  # none for big.csv


@pytest.mark.parametrize(
    ("kept", "current", "said"),
    [
        (
            [],
            Path("a.csv"),
            "no file was ingested: a.csv was not finished: nothing of it was written; b.csv and "
            "c.csv were not started — run the same command again: a file already ingested is "
            "skipped",
        ),
        (
            [],
            None,
            "no file was ingested: a.csv, b.csv and c.csv were not started — run the same "
            "command again: a file already ingested is skipped",
        ),
        (
            [Path("a.csv"), Path("b.csv")],
            Path("c.csv"),
            "a.csv and b.csv are ingested and kept; c.csv was not finished: nothing of it was "
            "written — run the same command again: a file already ingested is skipped",
        ),
        (
            [Path("a.csv"), Path("b.csv"), Path("c.csv")],
            Path("c.csv"),
            "a.csv, b.csv and c.csv are ingested and kept",
        ),
    ],
)
def test_what_is_said_of_each_file(kept: list[Path], current: Path | None, said: str) -> None:
    files = [Path("a.csv"), Path("b.csv"), Path("c.csv")]
    assert files_kept(files, kept=kept, current=current) == said
