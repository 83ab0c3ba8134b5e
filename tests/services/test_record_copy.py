"""Ticket and incident files on PostgreSQL: ``COPY`` into a temporary table, one merge.

On PostgreSQL a file's staged records are copied into a temporary table and merged into
``tickets``/``incidents`` by one statement in the ingest's transaction
(``store.record_copy``); SQLite keeps its upsert per chunk. Here, against the real
PostgreSQL, with files of several chunks (1,000 rows each):

* the same files give the same counts (inserted / updated / unchanged, rows rejected) and the
  same stored rows as on SQLite, the counts written out from how the files were made;
* the same records again (other bytes) change nothing, not even ``updated_at``;
* a file that is refused — broken at its last record, or a write the database refuses in its
  last chunk — leaves nothing of itself; text no store keeps (NUL, a lone surrogate) is a
  bad row, on both stores alike;
* two ingests of overlapping files at once both finish (no deadlock) and end consistent: each
  id inserted once over both, the overlap wholly the version of the one that committed last;
* an ingest killed while its merge waits for a row lock leaves nothing of its file;
* the client's memory does not grow with the file.

The waits below are orderings (a backend seen waiting for a lock, a killed backend gone),
each bounded only so that a broken run fails instead of hanging.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.errors import IngestError, StoreError
from covenant.services.records import (
    RecordIngestReport,
    ingest_incident_files,
    ingest_ticket_files,
)
from covenant.store import record_tables
from covenant.store.db import create_engine_for, migrate
from tests.services.test_record_streaming import (
    BLOCK,
    LARGE,
    SMALL,
    expected,
    peak_of,
    ticket_csv,
)
from tests.stores import postgres_schemas

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 10, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
N = 2500  # three chunks of the store's 1,000
NEW = 200  # ids the later export adds
TICKETS = "id,customer,priority,created,first_response,resolved,history\n"
INCIDENTS = (
    "id,services,start,end,severity,customer_caused,force_majeure,planned_maintenance,customers\n"
)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticket(i: int, *, changed: bool = False, priority: str | None = None) -> str:
    """Ticket ``i``; ``changed``: resolved an hour later, or at all (and P1 → P2)."""
    created = T0 + timedelta(minutes=i)
    answered = created + timedelta(seconds=30 + i % 600)
    level = priority or f"P{1 + i % 4}"
    if changed and level == "P1":
        level = "P2"
    resolved = _iso(created + timedelta(hours=3 if changed else 2)) if changed or i % 3 else ""
    history = ""
    if i % 4 == 0:
        history = f"open@{_iso(created)};waiting-on-customer@{_iso(answered)}"
        if resolved:
            history += f";resolved@{resolved}"
    customer = f'"cust {i % 7}, Bêta"' if i % 11 == 0 else f"cust{i % 7}"
    return f"T-{i:05d},{customer},{level},{_iso(created)},{_iso(answered)},{resolved},{history}\n"


def incident(i: int, *, changed: bool = False) -> str:
    start = T0 + timedelta(hours=i)
    end = "" if i % 5 == 0 and not changed else _iso(start + timedelta(minutes=30 + i % 90))
    flags = ["yes" if (i >> bit) % 2 else "no" for bit in range(3)]
    if changed:
        flags[0] = "no" if flags[0] == "yes" else "yes"
    services = "checkout;search" if i % 2 else "checkout"
    customers = "" if i % 3 else "acme;Bêta"
    return (
        f"INC-{i:05d},{services},{_iso(start)},{end},sev{1 + i % 3},{','.join(flags)},{customers}\n"
    )


def write(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text(header + "".join(lines))
    return path


def stored(engine: Engine, table: sa.Table) -> list[tuple[Any, ...]]:
    """Every row of ``table`` by id as Covenant reads it (``updated_at`` apart)."""
    columns = [c for c in table.columns if c.name != "updated_at"]
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(*columns).order_by(table.c.id))]


def stamps(engine: Engine, table: sa.Table) -> dict[str, datetime]:
    with engine.connect() as conn:
        return {str(i): u for i, u in conn.execute(sa.select(table.c.id, table.c.updated_at))}


def batches(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT filename FROM ingest_batches ORDER BY filename")
        return [str(name) for (name,) in rows]


def counts(report: RecordIngestReport) -> tuple[int, int, int, int, int]:
    return (
        report.rows_read,
        report.rows_rejected,
        report.inserted,
        report.updated,
        report.unchanged,
    )


def changed_after(before: dict[str, datetime], after: dict[str, datetime]) -> set[str]:
    return {key for key, at in after.items() if before.get(key) != at}


def test_ticket_files_give_what_they_give_on_sqlite(
    sqlite_engine: Engine, postgres_engine: Engine, tmp_path: Path
) -> None:
    # first: every ticket new, T-00005 twice (the later row is kept, the earlier rejected)
    first = write(
        tmp_path / "first.csv",
        TICKETS,
        [ticket(5, priority="P4"), *(ticket(i) for i in range(N))],
    )
    # later: every 10th changed, NEW new ones, one bad row among them
    later_lines = [ticket(i, changed=i % 10 == 0) for i in range(N + NEW)]
    later_lines.insert(1234, "T-bad,acme,P1,not-a-time,,,\n")
    later = write(tmp_path / "later.csv", TICKETS, later_lines)
    again = write(tmp_path / "again.csv", TICKETS, later_lines[::-1])  # same records, reversed
    changed = {f"T-{i:05d}" for i in range(0, N, 10)} | {f"T-{i:05d}" for i in range(N, N + NEW)}
    table = record_tables.tickets

    results = {}
    for name, engine in (("sqlite", sqlite_engine), ("postgres", postgres_engine)):
        (one,) = ingest_ticket_files(engine, files=[first], now=NOW)
        assert counts(one) == (N + 1, 1, N, 0, 0), name  # the earlier T-00005: duplicate-id
        assert [(p.where, p.code) for p in one.problems] == [("first.csv:2", "duplicate-id")]
        before = stamps(engine, table)
        (two,) = ingest_ticket_files(engine, files=[later], now=NOW)
        assert counts(two) == (N + NEW + 1, 1, NEW, N // 10, N - N // 10), name
        assert [p.where for p in two.problems] == ["later.csv:1236"], name
        after = stamps(engine, table)
        assert changed_after(before, after) == changed, name
        rows = stored(engine, table)
        (three,) = ingest_ticket_files(engine, files=[again], now=NOW)
        assert counts(three) == (N + NEW + 1, 1, 0, 0, N + NEW), name
        assert stored(engine, table) == rows, name
        assert stamps(engine, table) == after, name
        results[name] = (rows, [p.message for p in (*one.problems, *two.problems)])

    assert results["postgres"] == results["sqlite"]
    rows = results["postgres"][0]
    assert len(rows) == N + NEW
    assert rows[5][2] == "P2"  # T-00005's second row, not its first (P4)


def test_incident_files_give_what_they_give_on_sqlite(
    sqlite_engine: Engine, postgres_engine: Engine, tmp_path: Path
) -> None:
    n = 1200
    first = write(tmp_path / "first.csv", INCIDENTS, [incident(i) for i in range(n)])
    later = write(
        tmp_path / "later.csv", INCIDENTS, [incident(i, changed=i % 7 == 0) for i in range(n)]
    )
    table = record_tables.incidents
    results = {}
    for name, engine in (("sqlite", sqlite_engine), ("postgres", postgres_engine)):
        (one,) = ingest_incident_files(engine, files=[first], now=NOW)
        assert counts(one) == (n, 0, n, 0, 0), name
        (two,) = ingest_incident_files(engine, files=[later], now=NOW)
        updated = len(range(0, n, 7))
        assert counts(two) == (n, 0, 0, updated, n - updated), name
        results[name] = stored(engine, table)
    assert results["postgres"] == results["sqlite"]
    # INC-00007: its first flag turned, and closed; INC-00001: as first written
    by_id = {row[0]: row for row in results["postgres"]}
    assert by_id["INC-00007"][5:8] == (False, True, True)
    assert by_id["INC-00001"][5:8] == (True, False, False)
    assert by_id["INC-00000"][3] is not None
    assert by_id["INC-00005"][3] is None


def test_a_file_broken_at_its_last_record_leaves_nothing(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.csv", TICKETS, [ticket(i) for i in range(N)])
    ingest_ticket_files(postgres_engine, files=[first], now=NOW)
    rows = stored(postgres_engine, record_tables.tickets)
    records = ",\n".join(
        f'{{"id": "T-{i:05d}", "customer": "acme", "priority": "P9", '
        f'"created": "2026-10-01T00:00:00Z"}}'
        for i in range(N + NEW)
    )
    broken = tmp_path / "later.json"
    broken.write_text(f'[{records},\n{{"id": "T-x", "customer": }}]\n')
    with pytest.raises(IngestError, match=f"^later.json:{N + NEW + 1}: invalid JSON"):
        ingest_ticket_files(postgres_engine, files=[broken], now=NOW)
    assert stored(postgres_engine, record_tables.tickets) == rows
    assert batches(postgres_engine) == ["first.csv"]


def test_a_write_the_database_refuses_refuses_the_whole_file(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.csv", TICKETS, [ticket(i) for i in range(N)])
    ingest_ticket_files(postgres_engine, files=[first], now=NOW)
    rows = stored(postgres_engine, record_tables.tickets)
    # a rule of the database's own (a trigger) refuses one customer, found in the last chunk
    with postgres_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.customer = 'refused' THEN RAISE EXCEPTION 'customer refused here'; END IF; "
            "RETURN NEW; END $$"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON tickets "
            "FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    lines = [ticket(i, changed=i % 10 == 0) for i in range(N + NEW)]
    lines[-1] = f"T-{N + NEW - 1:05d},refused,P1,2026-10-01T00:00:00Z,,,\n"
    later = write(tmp_path / "later.csv", TICKETS, lines)
    with pytest.raises(StoreError, match="refused the write: customer refused here"):
        ingest_ticket_files(postgres_engine, files=[later], now=NOW)
    assert stored(postgres_engine, record_tables.tickets) == rows
    assert batches(postgres_engine) == ["first.csv"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("\\u0000", "customer holds a NUL character (\\u0000)"),
        ("\\udc80", "customer holds a lone surrogate (\\udc80), which is not a character"),
    ],
)
def test_text_no_store_keeps_is_a_bad_row_on_both_stores(
    sqlite_engine: Engine, postgres_engine: Engine, tmp_path: Path, text: str, said: str
) -> None:
    """A JSON string may hold NUL (PostgreSQL's text refuses it: the whole file failed there,
    SQLite stored it) or a lone surrogate (no UTF-8 encodes it: the ingest crashed on both);
    either is now the row's problem, the same on both stores."""
    good = '{{"id": "T-{n}", "customer": "acme", "priority": "P1", "created": "{at}"}}\n'
    lines = [good.format(n=i, at="2026-10-01T00:00:00Z") for i in range(5)]
    lines[2] = lines[2].replace('"acme"', f'"ac{text}me"')
    lines[3] = lines[3].replace(
        '"priority"',
        f'"history": [{{"at": "2026-10-01T00:00:00Z", "status": "op{text}en"}}], "priority"',
    )
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(lines))
    for name, engine in (("sqlite", sqlite_engine), ("postgres", postgres_engine)):
        (report,) = ingest_ticket_files(engine, files=[path], now=NOW)
        assert counts(report) == (5, 2, 3, 0, 0), name
        found = [(p.where, p.field, p.code, p.message) for p in report.problems]
        assert found == [
            ("tickets.jsonl:3", "customer", "bad-value", said),
            ("tickets.jsonl:4", "history", "bad-value", said.replace("customer", "history")),
        ], name
        assert [row[0] for row in stored(engine, record_tables.tickets)] == ["T-0", "T-1", "T-4"]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("\\u0000", "a NUL character (\\u0000)"),
        ("\\ud800", "a lone surrogate (\\ud800), which is not a character"),
    ],
)
def test_text_no_store_keeps_in_an_incident_name_list_is_a_bad_row_on_both_stores(
    sqlite_engine: Engine, postgres_engine: Engine, tmp_path: Path, text: str, what: str
) -> None:
    """The names of ``services`` and ``customers`` (JSON arrays or ``a;b`` text) get the same
    check as a single value: the row is refused naming the list, on both stores alike."""
    good = (
        '{{"id": "INC-{n}", "services": ["checkout"], "start": "2026-10-01T00:00:00Z", '
        '"customers": ["acme"]}}\n'
    )
    lines = [good.format(n=i) for i in range(5)]
    lines[1] = lines[1].replace('["checkout"]', f'["search", "check{text}out"]')
    lines[2] = lines[2].replace('["acme"]', f'"acme;be{text}ta"')
    path = tmp_path / "incidents.jsonl"
    path.write_text("".join(lines))
    for name, engine in (("sqlite", sqlite_engine), ("postgres", postgres_engine)):
        (report,) = ingest_incident_files(engine, files=[path], now=NOW)
        assert counts(report) == (5, 2, 3, 0, 0), name
        found = [(p.where, p.field, p.code, p.message) for p in report.problems]
        assert found == [
            ("incidents.jsonl:2", "services", "bad-value", f"services holds {what}"),
            ("incidents.jsonl:3", "customers", "bad-value", f"customers holds {what}"),
        ], name
        ids = [row[0] for row in stored(engine, record_tables.incidents)]
        assert ids == ["INC-0", "INC-3", "INC-4"], name


# --- concurrent and killed ingests -------------------------------------------------------------

LAST = "T-99999"  # sorts after every other id: each merge reaches it last


def _waiting_on(engine: Engine, holder: int) -> set[int]:
    """The backends waiting, directly or through one another, on backend ``holder``."""
    with engine.connect() as conn:
        waits = conn.exec_driver_sql(
            "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity "
            "WHERE cardinality(pg_blocking_pids(pid)) > 0"
        ).fetchall()
    behind = {holder}
    grew = True
    while grew:
        more = {pid for pid, blockers in waits if behind.intersection(blockers)} - behind
        behind |= more
        grew = bool(more)
    return behind - {holder}


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextmanager
def row_locked(engine: Engine, key: str) -> Iterator[int]:
    """Hold ``key``'s ticket row locked (``FOR UPDATE``) until the block ends: our backend pid."""
    with engine.connect() as conn, conn.begin():
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        conn.exec_driver_sql(f"SELECT id FROM tickets WHERE id = '{key}' FOR UPDATE").one()
        yield int(pid)


def test_two_ingests_of_overlapping_files_at_once_end_consistent(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    start = write(tmp_path / "start.csv", TICKETS, [ticket(99999)])
    ingest_ticket_files(postgres_engine, files=[start], now=NOW)
    # A: 0..1999, B: 1000..2999 (its rows in the opposite order); both change LAST
    a = write(
        tmp_path / "a.csv",
        TICKETS,
        [ticket(i, priority="PA") for i in (*range(2000), 99999)],
    )
    b = write(
        tmp_path / "b.csv",
        TICKETS,
        [ticket(i, priority="PB") for i in (99999, *range(2999, 999, -1))],
    )
    # both merges reach LAST while it is locked: each ends up waiting, on the lock or the other
    with ThreadPoolExecutor(2) as pool:
        with row_locked(postgres_engine, LAST) as holder:
            futures = [
                pool.submit(ingest_ticket_files, postgres_engine, files=[path], now=NOW)
                for path in (a, b)
            ]
            _until(lambda: len(_waiting_on(postgres_engine, holder)) == 2, "both merges to wait")
        (one,), (two,) = (future.result(timeout=120) for future in futures)

    reports = {"PA": one, "PB": two}
    last = "PA" if one.updated > two.updated else "PB"
    first = "PB" if last == "PA" else "PA"
    # the first to commit inserted the overlap; the last updated it (and LAST, as both did)
    assert counts(reports[first]) == (2001, 0, 2000, 1, 0)
    assert counts(reports[last]) == (2001, 0, 1000, 1001, 0)
    priorities = {row[0]: row[2] for row in stored(postgres_engine, record_tables.tickets)}
    expected = {f"T-{i:05d}": "PA" for i in range(1000)}
    expected |= {f"T-{i:05d}": last for i in (*range(1000, 2000), 99999)}
    expected |= {f"T-{i:05d}": "PB" for i in range(2000, 3000)}
    assert priorities == expected
    assert batches(postgres_engine) == ["a.csv", "b.csv", "start.csv"]


KILLED = """
import sys
from pathlib import Path
from covenant.services.ingest import open_store
from covenant.services.records import ingest_ticket_files
ingest_ticket_files(open_store(sys.argv[1]), files=[Path(sys.argv[2])])
"""


def test_an_ingest_killed_during_its_merge_leaves_nothing(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    first = write(tmp_path / "first.csv", TICKETS, [ticket(i) for i in (*range(N), 99999)])
    ingest_ticket_files(postgres_engine, files=[first], now=NOW)
    rows = stored(postgres_engine, record_tables.tickets)
    later = write(
        tmp_path / "later.csv",
        TICKETS,
        [ticket(i, changed=i % 10 == 0 or i == 99999) for i in (*range(N + NEW), 99999)],
    )
    url = postgres_engine.url.render_as_string(hide_password=False)
    with row_locked(postgres_engine, LAST) as holder:
        process = subprocess.Popen(
            [sys.executable, "-c", KILLED, url, str(later)], env=dict(os.environ)
        )
        try:
            _until(lambda: len(_waiting_on(postgres_engine, holder)) == 1, "the merge to wait")
            (backend,) = _waiting_on(postgres_engine, holder)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    def gone() -> bool:
        with postgres_engine.connect() as conn:
            query = f"SELECT count(*) FROM pg_stat_activity WHERE pid = {backend}"
            return conn.exec_driver_sql(query).scalar_one() == 0

    _until(gone, "the killed ingest's backend to end")
    assert stored(postgres_engine, record_tables.tickets) == rows
    assert batches(postgres_engine) == ["first.csv"]
    (report,) = ingest_ticket_files(postgres_engine, files=[later], now=NOW)  # not recorded
    changed = len(range(0, N, 10)) + 1  # and T-99999
    assert counts(report) == (N + NEW + 1, 0, NEW, changed, N + 1 - changed)


def test_ten_times_the_tickets_take_no_more_memory_on_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    """Rows stream into ``COPY`` a chunk at a time: the peak of the client (tracemalloc) for
    30,000 tickets stays within 1.5× that of 3,000, as on SQLite (test_record_streaming)."""
    warm, _ = ticket_csv(tmp_path / "warm.csv", 200)
    peaks = {}
    with postgres_schemas(postgres_url, 3) as urls:
        engines = [create_engine_for(url) for url in urls]
        try:
            for engine in engines:
                migrate(engine)
            ingest_ticket_files(engines[0], files=[warm], block_bytes=BLOCK)
            for n, engine in zip((SMALL, LARGE), engines[1:], strict=True):
                path, _ = ticket_csv(tmp_path / f"{n}.csv", n)
                peak, report = peak_of(
                    lambda: ingest_ticket_files(engine, files=[path], block_bytes=BLOCK)[0]  # noqa: B023
                )
                rows_read, rejected, kept = expected(n)
                assert counts(report) == (rows_read, rejected, kept, 0, 0)
                assert len(stored(engine, record_tables.tickets)) == kept
                peaks[n] = peak
        finally:
            for engine in engines:
                engine.dispose()
    assert peaks[LARGE] < 1.5 * peaks[SMALL], peaks
