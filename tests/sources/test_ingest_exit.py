"""Stress: ingest processes end cleanly (no "terminate called without an active exception").

That message came once from a process ending while a reader thread (pyarrow's pool, or the
sha256 thread) still ran; it was not seen again in 330 ingests. This runs a bounded number of
real processes, two at a time, over CSV, JSONL (with a bad line, which takes the careful path)
and Parquet files read in several batches, and checks each one's exit status and stderr.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PROCESSES = 8
ROWS = 20_000

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from covenant.core.model import EventRule
    from covenant.services.ingest import ingest_event_files, open_store

    engine = open_store(f"sqlite:///{sys.argv[1]}/covenant.db")
    rules = [EventRule(series="checkout-availability", sli="checkout")]
    reports = ingest_event_files(
        engine, files=[Path(p) for p in sys.argv[2:]], rules=rules, block_bytes=1 << 18
    )
    print(sum(r.rows_ingested for r in reports))
    """
)


def files(folder: Path) -> list[Path]:
    stamps = [
        f"2026-01-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z" for i in range(ROWS)
    ]
    csv_path = folder / "e.csv"
    csv_path.write_text("timestamp,sli,status\n" + "".join(f"{s},checkout,200\n" for s in stamps))
    jsonl = folder / "e.jsonl"
    jsonl.write_text(
        "".join(f'{{"timestamp":"{s}","sli":"checkout","status":200}}\n' for s in stamps) + "null\n"
    )
    parquet = folder / "e.parquet"
    pq.write_table(
        pa.table({"timestamp": stamps, "sli": ["checkout"] * ROWS, "status": [200] * ROWS}),
        parquet,
    )
    return [csv_path, jsonl, parquet]


def test_ingest_processes_exit_cleanly(tmp_path: Path) -> None:
    paths = files(tmp_path)
    outcomes: list[tuple[int, str, str]] = []
    for pair in range(PROCESSES // 2):
        running = []
        for k in range(2):
            store = tmp_path / f"store-{pair}-{k}"
            store.mkdir()
            running.append(
                subprocess.Popen(
                    [sys.executable, "-c", CHILD, str(store), *map(str, paths)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for child in running:
            out, err = child.communicate(timeout=120)
            outcomes.append((child.returncode, out.strip(), err))
    assert len(outcomes) == PROCESSES
    for code, out, err in outcomes:
        assert "terminate called" not in err
        assert code == 0, err
        assert err == ""
        assert out == str(3 * ROWS)
