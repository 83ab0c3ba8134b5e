"""A Parquet file whose timestamp column has no time zone is refused, and the error names the
file: it said only "the timestamp column holds timestamps without a time zone", so with
several files given nobody could tell which one (the line after it names the failed file;
every other whole-file error starts with the file's name)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.starter import refused_ingest, starter_workspace


def test_naive_parquet_timestamps_are_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    naive = [datetime(2026, 10, 1, 0, 0, s) for s in range(3)]  # no tzinfo: the point
    table = pa.table(
        {
            "timestamp": pa.array(naive, pa.timestamp("us")),
            "sli": ["checkout-availability"] * 3,
            "status": [200, 500, 200],
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    said = refused_ingest(ws, "events", "naive.parquet", sink.getvalue().to_pybytes())
    assert said.startswith(
        "error: naive.parquet: the timestamp column holds timestamps without a time zone"
    ), said
