"""Ctrl-C while `covenant ingest events` hashes a huge file ends the command at once.

The file's sha256 is computed on a worker thread beside the reading of its rows. When the
rows are read first (a Parquet file whose events are a small part of it), the command waits
for the hash; a Ctrl-C then raised KeyboardInterrupt, but leaving the thread pool joined the
hashing thread, so the command answered only when the whole file was hashed: minutes for a
file of many GB. The hash now ends at its next piece once the ingest stops waiting for it.

The file is a real Parquet file with a 1 TiB hole before its footer (bytes no column chunk
points at: a reader skips them, a hash reads them all), so the hash cannot finish while the
test runs. The SIGINT is real and sent once the process has read 512 MiB (polled from
/proc/PID/io: past its rows, into the hole), never after a fixed time; the exit is waited for
within a bound, which the old code could only meet by hashing 1 TiB.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

import covenant
from covenant.cli.main import app

COMMAND = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["covenant", *sys.argv[1:]]
from covenant.cli.main import main
main()
"""
"""``covenant ARGS`` with Ctrl-C as at a terminal (a background test run ignores SIGINT, which
a child inherits and Python then leaves ignored)."""
BOUND = 120.0  # how long the test waits for the other process at most: a bound, not a timing
HOLE = 1 << 40  # 1 TiB: sparse, no disk is used for it
HASHING = 512 << 20  # bytes read that show the hash is past the rows and into the hole

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/io").exists(), reason="needs /proc/PID/io (Linux)"
)


def _sparse_parquet(path: Path) -> None:
    """Two events of checkout-availability, then a 1 TiB hole, then the Parquet footer."""
    buffer = io.BytesIO()
    table = pa.table(
        {
            "timestamp": ["2026-10-01T00:00:00Z", "2026-10-01T00:00:20Z"],
            "sli": ["checkout-availability"] * 2,
            "status": [200, 503],
        }
    )
    pq.write_table(table, buffer)
    data = buffer.getvalue()
    footer = int.from_bytes(data[-8:-4], "little") + 8  # the metadata, its length, PAR1
    with path.open("wb") as file:
        file.write(data[:-footer])
        file.seek(HOLE, os.SEEK_CUR)
        file.write(data[-footer:])
    assert pq.read_table(path).num_rows == 2  # a valid Parquet file (the hole is skipped)


def _rows(ws: Path) -> dict[str, int]:
    """Rows per table of the workspace's store."""
    engine = create_engine(f"sqlite:///{ws / '.covenant' / 'covenant.db'}")
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


def _read_bytes(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/io").read_text(encoding="ascii").split()
    except OSError:  # it ended
        return 0
    return int(fields[fields.index("rchar:") + 1])


def test_ctrl_c_while_a_huge_file_is_hashed_ends_at_once(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    done = runner.invoke(
        app, ["ingest", "events", str(ws / "events" / "sample.csv"), "-w", str(ws)]
    )
    assert done.exit_code == 0, done.output
    before = _rows(ws)
    big = tmp_path / "big.parquet"
    _sparse_parquet(big)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")},
        "COVENANT_HELP_CACHE": "0",
        # the covenant this test imports, wherever the child runs from
        "PYTHONPATH": os.pathsep.join(
            [str(Path(covenant.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", COMMAND, "ingest", "events", "big.parquet", "-w", str(ws)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + BOUND  # a wait for the other process, not a check
        while time.monotonic() < deadline and proc.poll() is None:
            if _read_bytes(proc.pid) >= HASHING:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        assert _read_bytes(proc.pid) >= HASHING
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=BOUND)
        except subprocess.TimeoutExpired:
            pytest.fail("Ctrl-C waited for the hash of the whole file")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert err.endswith(
        "interrupted: no file was ingested: big.parquet was not finished: nothing of it was "
        "written — run the same command again: a file already ingested is skipped\n"
    ), err
    assert "Traceback" not in err
    assert _rows(ws) == before  # the store is as it was
