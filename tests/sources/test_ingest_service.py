"""Ingesting files into the store: idempotency, late data, atomicity, the CLI — both backends."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from covenant.cli import ingest_cmds
from covenant.cli.main import app
from covenant.core.model import EventRule
from covenant.errors import IngestError, StoreError
from covenant.services import ingest
from covenant.services.ingest import ingest_counts, ingest_event_files
from covenant.sources import eventcounts as counts_module
from covenant.store import buckets

T0 = 1_767_225_600
RULES = [EventRule(series="checkout-availability", sli="checkout")]


def csv_file(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("timestamp,sli,status\n" + "".join(f"{r}\n" for r in rows))
    return path


def matrix(engine: Engine, keys: list[str] | None = None) -> tuple[list[int], list[int]]:
    with engine.connect() as conn:
        m = buckets.read_matrix(
            conn, keys=keys or ["checkout-availability"], start=T0 - 600, end=T0 + 600
        )
    return m.good[0].tolist(), m.total[0].tolist()


def test_the_same_file_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "a.csv",
        ["2026-01-01T00:00:00Z,checkout,200", "2026-01-01T00:00:01Z,checkout,500"],
    )
    (first,) = ingest_event_files(engine, files=[path], rules=RULES)
    before = matrix(engine)
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    (second,) = ingest_event_files(engine, files=[copy], rules=RULES)
    assert not first.duplicate
    assert first.series_touched == ("checkout-availability",)
    assert second.duplicate
    assert second.duplicate_of is not None
    assert second.rows_ingested == first.rows_ingested == 2
    assert matrix(engine) == before
    assert sum(before[1]) == 2


def test_out_of_order_and_late_files_merge(engine: Engine, tmp_path: Path) -> None:
    later = csv_file(
        tmp_path,
        "later.csv",
        ["2026-01-01T00:05:00Z,checkout,200", "2026-01-01T00:00:30Z,checkout,200"],
    )
    late = csv_file(
        tmp_path,
        "late.csv",
        ["2026-01-01T00:00:10Z,checkout,503", "2025-12-31T23:59:00Z,checkout,200"],
    )
    ingest_event_files(engine, files=[later, late], rules=RULES)
    good, total = matrix(engine)
    assert total[9] == 1  # 23:59
    assert (good[10], total[10]) == (1, 2)
    assert total[15] == 1


def test_a_failure_mid_file_leaves_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = csv_file(tmp_path, "a.csv", ["2026-01-01T00:00:00Z,checkout,200"])

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.buckets, "record_batch", crash)
    with pytest.raises(RuntimeError):
        ingest_event_files(engine, files=[path], rules=RULES)
    monkeypatch.undo()
    with engine.connect() as conn:
        assert buckets.list_series(conn) == []
        assert buckets.find_batch(conn, sha256="0" * 64) is None
    # and the file can be ingested once the problem is fixed
    (report,) = ingest_event_files(engine, files=[path], rules=RULES)
    assert not report.duplicate
    assert sum(matrix(engine)[1]) == 1


def test_an_unreadable_file_raises(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("sli\ncheckout\n")
    with pytest.raises(IngestError, match="timestamp"):
        ingest_event_files(engine, files=[path], rules=RULES)


def test_ingest_counts_both_shapes(engine: Engine) -> None:
    ingest_counts(
        engine,
        keys=["checkout-availability"] * 2,
        bucket_starts=[T0, T0],
        good=[1, 2],
        total=[2, 2],
    )
    ingest_counts(
        engine,
        keys=["checkout-availability"],
        series=np.array([0]),
        bucket_starts=[T0 + 60],
        good=[5],
        total=[5],
    )
    good, total = matrix(engine)
    assert (good[10], total[10], good[11], total[11]) == (3, 4, 5, 5)


def test_cli_ingests_reports_and_skips_duplicates(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_cmds, "_event_rules", lambda _: RULES)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    path = csv_file(
        tmp_path,
        "a.csv",
        [
            "2026-01-01T00:00:00Z,checkout,200",
            "2026-01-01T00:00:00,checkout,200",
            "2026-01-01T00:00:00Z,search,200",
        ],
    )
    runner = CliRunner()
    args = ["ingest", "events", str(path), "--workspace", str(tmp_path)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.stdout)["files"]
    assert summary["rows_read"] == 3
    assert summary["rows_ingested"] == 1
    assert summary["rows_rejected"] == 1
    assert summary["unmatched"] == {"sli=search": 1}
    assert summary["series_touched"] == ["checkout-availability"]
    assert summary["problems"][0]["where"] == "a.csv:3"
    assert summary["first_event"] == "2026-01-01T00:00:00Z"
    assert not summary["duplicate"]

    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "already ingested on" in again.stdout
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 0  # a duplicate rejects nothing new
    assert (tmp_path / ".covenant" / "covenant.db").exists()


def test_cli_table_lists_bad_rows_and_fails_on_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_cmds, "_event_rules", lambda _: RULES)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    rows = [f"2026-01-01T00:00:{i:02d},checkout,200" for i in range(25)]
    rows.append("2026-01-01T00:01:00Z,checkout,200")  # one row stored: none is an error
    path = csv_file(tmp_path, "naive.csv", rows)
    runner = CliRunner()
    strict = runner.invoke(app, ["ingest", "events", str(path), "-w", str(tmp_path), "--strict"])
    assert strict.exit_code == 1  # all or nothing: refused whole, its 20 first rows listed
    assert "naive.csv: refused whole (--strict): 25 of its 26 rows" in strict.stderr
    assert "… and 5 more rejected rows" in strict.stderr
    result = runner.invoke(app, ["ingest", "events", str(path), "-w", str(tmp_path)])
    assert result.exit_code == 0  # the good row stored, the bad ones listed
    assert "no UTC offset; add Z" in result.stdout
    assert "and 5 more rejected" in result.stdout
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"nope")
    failed = runner.invoke(app, ["ingest", "events", str(broken), "-w", str(tmp_path)])
    assert failed.exit_code == 1
    assert "Parquet" in failed.stderr


def test_a_unique_key_race_is_retried_then_reported(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = csv_file(tmp_path, "a.csv", ["2026-01-01T00:00:00Z,checkout,200"])
    real = ingest.buckets.add_chunks  # the write path of an event file
    calls: list[int] = []

    def race_once(*args: object, **kwargs: object) -> int:
        calls.append(1)
        if len(calls) == 1:  # another writer's row appeared under our feet, once
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest.buckets, "add_chunks", race_once)
    (report,) = ingest_event_files(engine, files=[path], rules=RULES)
    assert len(calls) == 2
    assert report.rows_ingested == 1
    assert not report.duplicate
    assert sum(matrix(engine)[1]) == 1  # written once, not twice

    def always(*_: object, **__: object) -> int:
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(ingest.buckets, "add_chunks", always)
    other = csv_file(tmp_path, "b.csv", ["2026-01-01T00:01:00Z,checkout,200"])
    with pytest.raises(StoreError, match="refused the write 3 times") as caught:
        ingest_event_files(engine, files=[other], rules=RULES)
    assert caught.value.code == "store-error"
    assert sum(matrix(engine)[1]) == 1


@pytest.mark.parametrize("sparse", [False, True])
def test_a_file_read_in_many_batches_is_stored_once_and_whole(
    engine: Engine, tmp_path: Path, sparse: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sparse:  # counts merged as sparse entries and written through add_counts
        monkeypatch.setattr(counts_module, "_DENSE_BYTES", 0)
    rows = [
        f"2026-01-01T00:{i % 10:02d}:{i % 60:02d}Z,checkout,{500 if i % 7 == 0 else 200}"
        for i in range(600)
    ]
    path = csv_file(tmp_path, "big.csv", rows)
    seen: list[float] = []
    (report,) = ingest_event_files(
        engine,
        files=[path],
        rules=RULES,
        block_bytes=1024,
        progress=lambda _path, stage, done: seen.append(done) if stage == "classify" else None,
    )
    assert len(seen) > 10  # many batches
    assert report.rows_ingested == 600
    good, total = matrix(engine)
    # by hand: minute m (0..9) holds rows i with i % 10 == m: 60 each; bad when i % 7 == 0
    want_bad = [sum(1 for i in range(600) if i % 10 == m and i % 7 == 0) for m in range(10)]
    assert total[10:20] == [60] * 10
    assert good[10:20] == [60 - b for b in want_bad]
    (again,) = ingest_event_files(engine, files=[path], rules=RULES, block_bytes=1024)
    assert again.duplicate
    assert matrix(engine) == (good, total)


def test_counts_past_the_int32_range_are_stored_exactly(engine: Engine, tmp_path: Path) -> None:
    # Day chunks are added up in int32 while no count can pass 2**31 - 1, then in int64.
    # Pre-counted rows of 3 billion requests: one bucket ends at 6 billion (written by hand).
    path = tmp_path / "big-counts.csv"
    path.write_text(
        "timestamp,sli,good,total\n"
        "2026-01-01T00:00:10Z,checkout-availability,2000000000,3000000000\n"
        "2026-01-01T00:00:50Z,checkout-availability,2999999999,3000000000\n"
        "2026-01-01T00:01:00Z,checkout-availability,7,9\n"
    )
    (report,) = ingest_event_files(engine, files=[path], rules=RULES)
    assert report.rows_ingested == 3
    good, total = matrix(engine)
    assert (good[10], total[10]) == (4_999_999_999, 6_000_000_000)
    assert (good[11], total[11]) == (7, 9)
    assert sum(total) == 6_000_000_009


def test_event_counts_widen_to_int64_before_int32_would_wrap(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The int32 limit lowered to 5: the sixth event of a batch widens the chunks first.
    monkeypatch.setattr(counts_module, "_INT32_MAX", 5)
    rows = [f"2026-01-01T00:00:{i:02d}Z,checkout,{503 if i < 3 else 200}" for i in range(8)]
    path = csv_file(tmp_path, "eight.csv", rows)
    (report,) = ingest_event_files(engine, files=[path], rules=RULES, block_bytes=64)
    assert report.rows_ingested == 8
    good, total = matrix(engine)
    assert (good[10], total[10]) == (5, 8)
    assert sum(total) == 8


def test_a_file_that_outgrows_its_day_chunks_switches_to_sparse_counts(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Room for two day chunks: the first batches fill two days densely, the third day moves
    # everything to sparse entries (the bad counts kept in the chunks turned back into good).
    monkeypatch.setattr(counts_module, "_DENSE_BYTES", 2 * 2 * 1440 * 8)
    rows = [
        f"2026-01-0{day}T00:00:{s:02d}Z,checkout,{500 if s % 3 == 0 else 200}"
        for day in (1, 2, 3)
        for s in range(6)
    ]
    path = csv_file(tmp_path, "three-days.csv", rows)
    (report,) = ingest_event_files(engine, files=[path], rules=RULES, block_bytes=128)
    assert report.rows_ingested == 18
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["checkout-availability"], start=T0, end=T0 + 3 * 86400)
    # minute 0 of each day: 6 events, bad at s = 0 and 3
    for day in range(3):
        assert (int(m.good[0, day * 1440]), int(m.total[0, day * 1440])) == (4, 6)
    assert int(m.total.sum()) == 18
