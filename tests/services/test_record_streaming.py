"""Ticket and incident files of any size are ingested in bounded memory, all or nothing.

Before, a ticket or incident file was read whole, every row became a Python dict and every
record an object before anything was written (and a ``.json`` array kept its text four times
over to know line numbers), so memory grew with the file. Now the file is read block by block
(the event files' reader), each block's records are staged on disk and written in one
transaction at the end: the peak stays the same whatever the file's size, and a file found bad
at its last line still leaves nothing behind.

Peaks are tracemalloc's (every Python object, numpy array and bytes the ingest allocates) for
a file of 20,000 records and one of 200,000; the counts expected are worked out here from how
the files are generated, not by the code under test.
"""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.services.records import (
    RecordIngestReport,
    batch_key,
    ingest_incident_files,
    ingest_ticket_files,
    load_incidents,
    load_tickets,
)
from covenant.store import buckets
from covenant.store.db import create_engine_for, migrate

SMALL, LARGE = 3_000, 30_000
BLOCK = 16 << 10  # text per batch: ~150 tickets, so even the small file is 20 batches
BAD_EVERY, BAD_AT = 50, 7  # row i is bad when i % 50 == 7
REPEAT_EVERY = 100  # row i (i % 100 == 99) repeats the id of row i - 1: the later row is kept
EPOCH = 1_790_000_000  # 2026-09-21T...Z; row i is created i minutes later


def _at(i: int) -> datetime:
    return datetime.fromtimestamp(EPOCH + 60 * i, UTC)


def _instant(i: int) -> str:
    return _at(i).isoformat().replace("+00:00", "Z")


def _id(i: int) -> str:
    return f"R-{i - 1}" if i % REPEAT_EVERY == REPEAT_EVERY - 1 else f"R-{i}"


def _bad(i: int) -> bool:
    return i % BAD_EVERY == BAD_AT


def expected(n: int) -> tuple[int, int, int]:
    """``(rows read, rows rejected, records stored)`` of a generated file of ``n`` rows."""
    bad = sum(1 for i in range(n) if _bad(i))
    repeats = sum(1 for i in range(n) if i % REPEAT_EVERY == REPEAT_EVERY - 1)
    assert not any(_bad(i - 1) for i in range(n) if i % REPEAT_EVERY == REPEAT_EVERY - 1)
    return n, bad + repeats, n - bad - repeats


Written = tuple[Path, list[int]]  # the file and the line each row starts on


def ticket_csv(path: Path, n: int) -> Written:
    with path.open("w") as out:
        out.write("id,customer,priority,created,first_response,resolved,history\n")
        for i in range(n):
            created = "not-a-time" if _bad(i) else _instant(i)
            out.write(f"{_id(i)},acme,P{i % 3 + 1},{created},{_instant(i + 5)},,\n")
    return path, [i + 2 for i in range(n)]


def _incident(i: int) -> dict[str, object]:
    return {
        "id": _id(i),
        "services": ["checkout", "search"] if i % 2 else "checkout",
        "start": "not-a-time" if _bad(i) else _instant(i),
        "end": _instant(i + 30),
        "severity": "sév2 😀",  # text of several UTF-8 bytes, cut between pieces somewhere
    }


def incident_jsonl(path: Path, n: int) -> Written:
    with path.open("w") as out:
        for i in range(n):
            out.write(json.dumps(_incident(i), ensure_ascii=i % 3 == 0) + "\n")
    return path, [i + 1 for i in range(n)]


def incident_array(path: Path, n: int) -> Written:
    """A pretty-printed JSON array, as exports write them (one element over several lines)."""
    lines, line = [], 2
    with path.open("w") as out:
        out.write("[\n")
        for i in range(n):
            text = "  " + json.dumps(_incident(i), indent=2, ensure_ascii=False).replace(
                "\n", "\n  "
            )
            out.write(text + (",\n" if i < n - 1 else "\n"))
            lines.append(line)
            line += text.count("\n") + 1
        out.write("]\n")
    return path, lines


def expected_problems(name: str, lines: list[int]) -> list[tuple[str, str, str]]:
    """``(where, code, message start)`` of the first 100 problems of a generated file."""
    found = []
    for i, line in enumerate(lines):
        if _bad(i):
            found.append((line, "bad-value", "'not-a-time' is not an instant"))
        if i % REPEAT_EVERY == REPEAT_EVERY - 1:  # row i - 1 loses to row i
            found.append(
                (lines[i - 1], "duplicate-id", f"id 'R-{i - 1}' appears again on line {line}")
            )
    return [(f"{name}:{line}", code, text) for line, code, text in sorted(found)[:100]]


def _store(folder: Path) -> Iterator[Engine]:
    folder.mkdir()
    engine = create_engine_for(f"sqlite:///{folder / 'covenant.db'}")
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


def peak_of(ingest: Callable[[], RecordIngestReport]) -> tuple[int, RecordIngestReport]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        report = ingest()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, report


Writer = Callable[[Path, int], Written]
CASES = {
    "tickets.csv": (ticket_csv, ingest_ticket_files),
    "incidents.jsonl": (incident_jsonl, ingest_incident_files),
    "incidents.json": (incident_array, ingest_incident_files),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ten_times_the_records_take_no_more_memory(tmp_path: Path, name: str) -> None:
    write, ingest = CASES[name]
    warm, _ = write(tmp_path / f"warm-{name}", 200)
    for engine in _store(tmp_path / "warm"):  # imports and caches, out of the measures
        ingest(engine, files=[warm], block_bytes=BLOCK)
    peaks = {}
    for n in (SMALL, LARGE):
        path, lines = write(tmp_path / f"{n}-{name}", n)
        for engine in _store(tmp_path / f"store-{n}"):
            peak, report = peak_of(lambda: ingest(engine, files=[path], block_bytes=BLOCK)[0])  # noqa: B023
            rows_read, rejected, stored = expected(n)
            assert (report.rows_read, report.rows_rejected) == (rows_read, rejected)
            assert (report.inserted, report.updated, report.unchanged) == (stored, 0, 0)
            found = [(p.where, p.code, p.message) for p in report.problems]
            wanted = expected_problems(path.name, lines)
            assert [f[:2] for f in found] == [w[:2] for w in wanted]
            assert all(f[2].startswith(w[2]) for f, w in zip(found, wanted, strict=True))
            with engine.connect() as conn:
                batch = buckets.find_batch(conn, sha256=_batch_key(name, path))
                kept = (
                    load_tickets(conn)
                    if name.startswith("tickets")
                    else load_incidents(conn, start=_at(0), end=_at(n + 60))
                )
            assert sorted(r.id for r in kept) == sorted({_id(i) for i in range(n) if not _bad(i)})
            assert batch is not None
            assert (batch.rows_read, batch.rows_ingested, batch.rows_rejected) == (
                rows_read,
                stored,
                rejected,
            )
            first = min(i for i in range(n) if not _bad(i))
            assert batch.events_min == EPOCH + 60 * first
            assert batch.events_max == EPOCH + 60 * (n - 1)
        peaks[n] = peak
    # ten times the rows: the peak may not follow (the whole-file reader's grew about tenfold)
    assert peaks[LARGE] < 1.5 * peaks[SMALL], peaks


def _batch_key(name: str, path: Path) -> str:
    kind = "tickets" if name.startswith("tickets") else "incidents"
    return batch_key(kind, hashlib.sha256(path.read_bytes()).hexdigest())
