"""A keyed event batch whose PostgreSQL connection is cut while it is written
(``pg_terminate_backend``: a restart, a failover, an administrator) is answered ``503
store-unreachable`` naming the batch by its key — not the temporary file it is read from — that
none of it was stored, and that sending it again under the same key stores it once; it does.

The batch is held inside its write deterministically: another session locks the table of the
batches' keys (``LOCK TABLE … ACCESS EXCLUSIVE``), the batch waits on that lock, and the test
terminates the waiting backend (``tests/lock_cut.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from covenant.store import buckets
from tests.api.support import AT, Client, served_on_postgres
from tests.lock_cut import cut_while_waiting

pytestmark = pytest.mark.postgres
EVENTS = [  # 3 good and 1 bad in the minute 11:00
    {"timestamp": f"2026-11-20T11:00:{s:02d}Z", "sli": "checkout", "outcome": ok}
    for s, ok in ((5, "ok"), (10, "ok"), (20, "ok"), (30, "error"))
]
MINUTE = int(AT.timestamp()) - 3600


@pytest.fixture
def served(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, Client, str]]:
    with served_on_postgres(postgres_url, tmp_path, prefix="blost", role="editor") as it:
        yield it


def _stored(url: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            m = buckets.read_matrix(conn, keys=["checkout"], start=MINUTE, end=MINUTE + 60)
    finally:
        engine.dispose()
    return int(m.good.sum()), int(m.total.sum())


def test_a_batch_whose_connection_is_terminated_says_what_was_stored_and_to_send_it_again(
    served: tuple[str, Client, str],
) -> None:
    url, client, token = served
    path = "/api/v1/event-batches/lost-2"
    (answer,) = cut_while_waiting(
        url,
        "ingest_batches",
        lambda: client.request("PUT", path, token, json={"events": EVENTS}),
        "the batch waits on the lock",
    )
    assert answer.status_code == 503, answer.text
    error = answer.json()
    assert error["code"] == "store-unreachable"
    assert error["message"].startswith("batch 'lost-2': the store at ")
    assert "the connection to the database was lost" in error["message"]
    assert "batch.jsonl" not in answer.text  # the temporary file is no name the client knows
    assert error["hint"].startswith("none of the batch's events was stored; ")
    assert error["hint"].endswith(
        ", then send the batch again under the same key 'lost-2': it is stored once"
    )
    assert _stored(url) == (0, 0)
    again = client.request("PUT", path, token, json={"events": EVENTS})
    assert again.status_code == 201, again.text
    assert again.json()["accepted"] == 4
    assert _stored(url) == (3, 4)
    twice = client.request("PUT", path, token, json={"events": EVENTS})
    assert twice.status_code == 200, twice.text  # the same key: stored once
    assert _stored(url) == (3, 4)
