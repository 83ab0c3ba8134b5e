"""``strict=true`` on ``POST /ingest/tickets|incidents``: all or nothing, as ``--strict``.

A file with any rejected row is answered ``422 rows-rejected`` with every rejected row in
``problems`` (its ``file:line``, field, code, message and fix) and the store is exactly as it
was — no record, no ``ingest_batches`` row, no audit row — on SQLite and PostgreSQL; the same
file fixed is then taken (201), not answered as a duplicate. Without ``strict`` the good rows
are stored and the bad ones reported, as before."""

from __future__ import annotations

from tests.api import test_record_files_api as files_api
from tests.api.support import Shop
from tests.api.test_record_files_api import post, stored_ticket, ticket
from tests.stores import snapshot

store = files_api.store  # the same fixture: each test on SQLite and on PostgreSQL

MIXED = (
    "id,customer,priority,created\n"
    "K-1,globex,P1,2026-11-02T08:00:00Z\n"  # line 2: good
    "K-2,globex,P2,2026-11-02 09:00:00\n"  # line 3: no offset and no time_zone
    "K-3,globex,P2,2026-11-02T10:00:00Z\n"  # line 4: good
    "K-4,globex,P1,\n"  # line 5: no created
)


def _warmed(store: Shop) -> None:
    """One file ingested first: the server records its workspace's SLOs on first use, which
    is not the refused file's doing."""
    status, answer = post(
        store,
        "tickets",
        "id,customer,priority,created\nK-0,globex,P1,2026-11-01T08:00:00Z\n",
        {"filename": "k0.csv"},
    )
    assert status == 201, answer


def test_a_file_with_a_rejected_row_is_refused_whole_and_its_fix_taken(store: Shop) -> None:
    url = store.settings.database_url
    _warmed(store)
    before = snapshot(url)

    status, answer = post(store, "tickets", MIXED, {"filename": "k.csv", "strict": "true"})

    assert status == 422, answer
    assert answer["code"] == "rows-rejected"
    assert answer["message"].startswith(
        "k.csv: refused whole (strict=true): 2 of its 4 rows were rejected; nothing of it was "
        "stored"
    )
    assert "without strict=true to store its 2 good tickets" in answer["hint"]
    assert (answer["rows_read"], answer["rows_rejected"]) == (4, 2)
    assert [(p["where"], p["field"], p["code"]) for p in answer["problems"]] == [
        ("k.csv:3", "created", "naive-timestamp"),
        ("k.csv:5", "created", "missing-value"),
    ]
    assert all(p["message"] and p["fix"] for p in answer["problems"])
    assert ticket(store, "K-1")[0] == 404
    assert snapshot(url) == before  # byte for byte: rows, batches (files), audit

    fixed = MIXED.replace("2026-11-02 09:00:00", "2026-11-02T09:00:00Z").replace(
        "K-4,globex,P1,", "K-4,globex,P1,2026-11-02T11:00:00Z"
    )
    status, answer = post(store, "tickets", fixed, {"filename": "k.csv", "strict": "true"})
    assert status == 201, answer
    (report,) = answer["files"]
    assert (report["rows_read"], report["inserted"], report["rows_rejected"]) == (4, 4, 0)
    assert stored_ticket(store, "K-2")["created"] == "2026-11-02T09:00:00Z"
    after = snapshot(url)
    assert len(after["ingest_batches"]) == len(before["ingest_batches"]) + 1
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1


def test_without_strict_the_good_rows_are_stored_as_before(store: Shop) -> None:
    status, answer = post(store, "tickets", MIXED, {"filename": "k.csv"})
    assert status == 201, answer
    (report,) = answer["files"]
    assert (report["rows_read"], report["inserted"], report["rows_rejected"]) == (4, 2, 2)


def test_an_incident_file_is_refused_whole_too(store: Shop) -> None:
    _warmed(store)
    before = snapshot(store.settings.database_url)
    text = (
        '{"id": "J-1", "services": ["checkout"], "start": "2026-10-30T22:00:00Z"}\n'
        '{"id": "J-2", "services": ["checkout"], "start": "soon"}\n'  # line 2
    )
    status, answer = post(store, "incidents", text, {"filename": "j.jsonl", "strict": "true"})
    assert (status, answer["code"]) == (422, "rows-rejected"), answer
    assert [(p["where"], p["field"]) for p in answer["problems"]] == [("j.jsonl:2", "start")]
    assert snapshot(store.settings.database_url) == before
