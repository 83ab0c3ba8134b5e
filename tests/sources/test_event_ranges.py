"""Values outside their domain are bad rows, reported before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine

from covenant.core.model import EventRule
from covenant.services.ingest import ingest_event_files
from covenant.store import buckets

RULES = [EventRule(series="api", sli="api")]
GOOD = {"timestamp": "2026-10-01T00:00:00Z", "sli": "api", "status": 200, "latency_ms": 5}


def test_out_of_range_values_are_rejected(engine: Engine, tmp_path: Path) -> None:
    rows = [
        {**GOOD, "timestamp": -99_999_999_999},
        {**GOOD, "timestamp": 1e30},
        {**GOOD, "timestamp": "9999-01-01T00:00:00Z"},
        {**GOOD, "status": -1},
        {**GOOD, "status": 700},
        {**GOOD, "latency_ms": -5},
        GOOD,
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (report,) = ingest_event_files(engine, files=[path], rules=RULES)
    assert report.rows_rejected == 6
    assert [p.where for p in report.problems] == [f"events.jsonl:{i}" for i in range(1, 7)]
    assert [p.field for p in report.problems] == ["timestamp"] * 3 + [
        "status",
        "status",
        "latency_ms",
    ]
    with engine.connect() as conn:
        extent = buckets.series_extent(conn, keys=["api"])
    assert extent["api"] == (1_790_812_800, 1_790_812_860)  # only the good row's minute


def test_a_quote_never_closed_is_reported(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,sli,status\n"
        "2026-10-01T00:00:00Z,api,200\n"
        '2026-10-01T00:00:01Z,"api,200\n'
        "2026-10-01T00:00:02Z,api,200\n"
    )
    (report,) = ingest_event_files(engine, files=[path], rules=RULES)
    assert report.rows_ingested == 1
    assert report.rows_rejected == 1
    (problem,) = report.problems
    assert "never closed" in problem.message
    assert problem.where == f"{path.name}:3"  # the line the unclosed quote opens on
