"""Ticket ingestion benchmark: ``covenant ingest tickets`` vs a plain bulk load of the same CSV.

    .venv/bin/python benchmarks/records.py                     # 100,000 tickets, best of 3
    .venv/bin/python benchmarks/records.py --tickets 1000000 --repeat 1
    .venv/bin/python benchmarks/records.py --postgres postgresql+psycopg://postgres@127.0.0.1/test

Two files of the same ``--tickets`` ids are generated once (cached in ``benchmarks/.data``):
``first`` (every ticket new) and ``later`` (the same export a day on: every 10th ticket
changed — resolved, reprioritised — the rest as before). Covenant ingests ``first`` into a
fresh store (all inserted), then ``later`` (updated / unchanged by content hash), each one
file in one transaction, validated row by row first (``services.records``).

The baseline is what a skilled user would write to load the same CSV into the same table
(``tickets``, created from Covenant's own table definition with its indexes) without any
validation: ``csv.reader`` and ``sqlite3`` ``executemany`` in one transaction, an
``INSERT … ON CONFLICT (id) DO UPDATE`` for the later file. On PostgreSQL (``--postgres``)
the baseline is psycopg's ``COPY`` into the table (``first``) and ``COPY`` into a temporary
table then one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` (``later``). Each side runs in a
fresh database (a new SQLite file, a new PostgreSQL schema); the sides take turns run by run
and each reports its best of ``--repeat``. Before a time is reported, both sides' stored ids,
customers and priorities are checked equal.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from covenant.services.ingest import open_store
from covenant.services.records import ingest_ticket_files
from covenant.store import record_tables

DATA = Path(__file__).resolve().parent / ".data"
START = 1_790_000_000  # 2026-09-21T14:13:20Z
COLUMNS = ("id", "customer", "priority", "created", "first_response", "resolved", "history")


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ticket(i: int, rnd: random.Random, *, later: bool) -> list[str]:
    created = START + i * 7
    answered = created + rnd.randint(60, 3600)
    resolved = answered + rnd.randint(600, 86400)
    priority = f"P{1 + i % 4}"
    open_ = i % 5 == 0  # every 5th still open in the first export
    if later and i % 10 == 0:  # changed a day on: resolved, and P1 → P2
        open_ = False
        priority = "P2" if priority == "P1" else priority
    history = ""
    if i % 3 == 0:
        steps = [("open", created), ("waiting-on-customer", answered), ("open", answered + 300)]
        if not open_:
            steps.append(("resolved", resolved))
        history = ";".join(f"{status}@{_iso(at)}" for status, at in steps)
    return [
        f"T-{i:08d}",
        f"cust{i % 40:02d}",
        priority,
        _iso(created),
        _iso(answered),
        "" if open_ else _iso(resolved),
        history,
    ]


def ticket_files(n: int) -> tuple[Path, Path]:
    """The ``first`` and ``later`` exports of ``n`` tickets (generated once, then cached)."""
    DATA.mkdir(exist_ok=True)
    paths = (DATA / f"tickets-{n}-first.csv", DATA / f"tickets-{n}-later.csv")
    for path, later in zip(paths, (False, True), strict=True):
        if path.exists():
            continue
        rnd = random.Random(36)
        partial = path.with_suffix(".part")
        with partial.open("w", newline="") as sink:
            writer = csv.writer(sink, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(_ticket(i, rnd, later=later) for i in range(n))
        partial.rename(path)
    return paths


# --- the baseline ----------------------------------------------------------------------------


def _create_table(url: str) -> None:
    engine = sa.create_engine(url)
    record_tables.tickets.create(engine)  # the same table, with its indexes
    engine.dispose()


def _rows(path: Path) -> Iterator[tuple[object, ...]]:
    with path.open(newline="") as source:
        reader = csv.reader(source)
        next(reader)
        for id_, customer, priority, created, first, resolved, history in reader:
            yield (id_, customer, priority, created, first or None, resolved or None, history)


_ON_CONFLICT = (
    "ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, priority = excluded.priority, "
    "created = excluded.created, first_response = excluded.first_response, "
    "resolved = excluded.resolved, history = excluded.history, updated_at = excluded.updated_at"
)
_UPSERT = (
    "INSERT INTO tickets (id, customer, priority, created, first_response, resolved, history, "
    "content_sha256, updated_at) VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m}, '', {m}) "
    + _ON_CONFLICT
)


def sqlite_baseline(folder: Path, paths: tuple[Path, ...]) -> list[float]:
    """csv.reader + sqlite3 executemany, one transaction per file: seconds per file."""
    db = folder / "baseline.db"
    _create_table(f"sqlite:///{db}")
    conn = sqlite3.connect(db)
    stamp = datetime.now(UTC).isoformat()
    took = []
    try:
        for path in paths:
            t0 = time.perf_counter()
            with conn:
                conn.executemany(_UPSERT.format(m="?"), ((*row, stamp) for row in _rows(path)))
            took.append(time.perf_counter() - t0)
    finally:
        conn.close()
    return took


def postgres_baseline(url: str, paths: tuple[Path, ...]) -> list[float]:
    """psycopg COPY (a temporary table and one upsert for the later file): seconds per file."""
    import psycopg  # noqa: PLC0415 - the postgres extra

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    took = []
    with psycopg.connect(plain) as conn:
        for n, path in enumerate(paths):
            t0 = time.perf_counter()
            with conn.transaction():
                target = "tickets" if n == 0 else "incoming"
                if n:
                    conn.execute(
                        "CREATE TEMPORARY TABLE incoming (LIKE tickets INCLUDING DEFAULTS) "
                        "ON COMMIT DROP"
                    )
                columns = ", ".join(COLUMNS)
                copy = f"COPY {target} ({columns}, content_sha256, updated_at) FROM STDIN"
                with conn.cursor().copy(copy) as sink:
                    stamp = datetime.now(UTC)
                    for row in _rows(path):
                        sink.write_row((*row, "", stamp))
                if n:
                    conn.execute("INSERT INTO tickets SELECT * FROM incoming " + _ON_CONFLICT)
            took.append(time.perf_counter() - t0)
    return took


# --- Covenant --------------------------------------------------------------------------------


def covenant(url: str, paths: tuple[Path, ...]) -> list[float]:
    """``ingest_ticket_files`` of each file in turn into a fresh store: seconds per file."""
    engine = open_store(url)
    took = []
    try:
        for path in paths:
            t0 = time.perf_counter()
            (report,) = ingest_ticket_files(engine, files=[path])
            took.append(time.perf_counter() - t0)
            assert report.rows_rejected == 0, report.problems[:3]
    finally:
        engine.dispose()
    return took


def stored(url: str) -> list[tuple[str, str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            t = record_tables.tickets.c
            rows = conn.execute(sa.select(t.id, t.customer, t.priority).order_by(t.id))
            return [(str(a), str(b), str(c)) for a, b, c in rows]
    finally:
        engine.dispose()


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    try:
        joiner = "&" if "?" in url else "?"
        yield f"{url}{joiner}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


Run = Callable[[], tuple[list[float], list[float], bool]]


def sqlite_run(paths: tuple[Path, ...]) -> tuple[list[float], list[float], bool]:
    with tempfile.TemporaryDirectory(dir=DATA) as folder:
        ours = covenant(f"sqlite:///{folder}/covenant.db", paths)
        theirs = sqlite_baseline(Path(folder), paths)
        same = stored(f"sqlite:///{folder}/covenant.db") == stored(
            f"sqlite:///{folder}/baseline.db"
        )
    return ours, theirs, same


def postgres_run(url: str, paths: tuple[Path, ...]) -> tuple[list[float], list[float], bool]:
    with fresh_schema(url) as ours_url, fresh_schema(url) as theirs_url:
        ours = covenant(ours_url, paths)
        _create_table(theirs_url)
        theirs = postgres_baseline(theirs_url, paths)
        same = stored(ours_url) == stored(theirs_url)
    return ours, theirs, same


def report(name: str, run: Run, repeat: int, n: int) -> None:
    best_ours = [float("inf")] * 2
    best_theirs = [float("inf")] * 2
    for _ in range(repeat):
        ours, theirs, same = run()
        if not same:
            raise SystemExit(f"{name}: covenant and the baseline stored different tickets")
        best_ours = [min(a, b) for a, b in zip(best_ours, ours, strict=True)]
        best_theirs = [min(a, b) for a, b in zip(best_theirs, theirs, strict=True)]
    for label, mine, base in zip(("first", "later"), best_ours, best_theirs, strict=True):
        print(
            f"{name:8s} {label:5s}: covenant {mine:7.2f} s ({n / mine:9,.0f} tickets/s) | "
            f"baseline {base:7.2f} s ({n / base:9,.0f} tickets/s) | "
            f"covenant takes {mine / base:5.2f}× the baseline's time | stored tickets identical"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N, for every side")
    parser.add_argument("--postgres", help="also on this PostgreSQL (a schema per run)")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    paths = ticket_files(args.tickets)
    size = sum(p.stat().st_size for p in paths) / 2e6
    print(f"tickets: {args.tickets:,} per file ({size:.0f} MB each); later: every 10th changed")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    report("sqlite", lambda: sqlite_run(paths), args.repeat, args.tickets)
    if args.postgres:
        url = args.postgres
        report("postgres", lambda: postgres_run(url, paths), args.repeat, args.tickets)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
