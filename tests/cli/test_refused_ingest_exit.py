"""A refused ingest ends with exit 1 and its message, and leaves no pyarrow thread behind.

About one refused `covenant ingest events` in 20 on a loaded machine ended with `terminate
called without an active exception` and exit 134 instead of 1: pyarrow's worker threads (its
CSV and JSON readers' with ``use_threads``, the Parquet reader's pre-buffering I/O threads)
were still alive while the process ended (cf. apache/arrow#34314). The readers now run on
Covenant's own threads only, and the Parquet file is closed however its read ends.

Not a timing test: a real `covenant` process (``covenant.cli.main.main``) ingests a refused
file; at exit (``atexit``, after Python's threads are joined) it reports how many threads of
the process are alive besides the main one and jemalloc's background thread (Linux:
/proc/self/task). Before the fix it was 2 or 3 (pyarrow's pool) after every such run; the
crash itself is rare, so the exit code is checked on every run as well (3 runs of each kind).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.starter import starter_workspace

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="counts threads through /proc (Linux)"
)

CHILD = """
import atexit, json, os, sys

def threads():
    names = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/comm") as handle:
            names.append(handle.read().strip())
    others = [n for n in names if n != "jemalloc_bg_thd"]
    sys.stderr.write(json.dumps({"extra_threads": len(others) - 1}) + "\\n")

atexit.register(threads)
from covenant.cli.main import main
sys.argv = ["covenant", *sys.argv[1:]]
main()
"""

ROWS = 3000  # several blocks of pyarrow's work: enough for its pool to start its threads


def _unknown_sli_csv(path: Path) -> None:
    lines = ["timestamp,sli,status"]
    lines += [f"2026-10-01T00:00:{i % 60:02d}Z,nosuch,200" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n")


def _wrong_columns_csv(path: Path) -> None:
    lines = ["timestamp,sli,status"]
    lines += [f"2026-10-01T00:00:{i % 60:02d}Z,checkout-availability,200,x" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n")


def _unknown_sli_jsonl(path: Path) -> None:
    row = '{"timestamp": "2026-10-01T00:00:00Z", "sli": "nosuch", "status": 200}'
    path.write_text((row + "\n") * ROWS)


def _unknown_sli_parquet(path: Path) -> None:
    table = pa.table(
        {
            "timestamp": ["2026-10-01T00:00:00Z"] * ROWS,
            "sli": ["nosuch"] * ROWS,
            "status": [200] * ROWS,
        }
    )
    pq.write_table(table, path, row_group_size=1000)


# file, how it is written, what the refusal says (all 3,000 rows: none stored)
CASES = [
    ("nosli.csv", _unknown_sli_csv, "nosli.csv: none of its 3,000 rows was ingested"),
    ("cols.csv", _wrong_columns_csv, "cols.csv: none of its 3,000 rows was ingested"),
    ("nosli.jsonl", _unknown_sli_jsonl, "nosli.jsonl: none of its 3,000 rows was ingested"),
    ("nosli.parquet", _unknown_sli_parquet, "nosli.parquet: none of its 3,000 rows was ingested"),
]


@pytest.mark.parametrize(("name", "write", "said"), CASES, ids=[c[0] for c in CASES])
def test_a_refused_ingest_exits_1_with_no_pyarrow_thread_left(
    name: str,
    write: Callable[[Path], None],
    said: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    write(tmp_path / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, "ingest", "events", name, "-w", str(ws)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,  # the exit code is the point
        )
        assert done.returncode == 1, done.stderr
        assert "terminate called" not in done.stderr
        assert said in " ".join(done.stderr.split()), done.stderr
        report = json.loads(done.stderr.strip().splitlines()[-1])
        assert report == {"extra_threads": 0}, done.stderr
