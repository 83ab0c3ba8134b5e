"""``strict=true`` on ``PUT /event-batches/{key}``: all or nothing, as on the ticket and
incident routes and ``covenant ingest events --strict``.

Before, the route had no ``strict``: a batch with one bad row stored its good rows and
recorded its key, so a client that wanted all or nothing could not have it. Now a batch with
any rejected row is answered ``422 rows-rejected`` naming every rejected row (``events[i]``,
its field and reason), and the store is exactly as it was — no counts, no key, no audit row —
on SQLite and PostgreSQL; the corrected batch sent under the same key is applied (201), not
taken for a repeat. Without ``strict`` a partly refused batch is stored as before.
"""

from __future__ import annotations

from typing import Any

from tests.api import test_record_files_api as files_api
from tests.api.support import Shop
from tests.stores import snapshot

store = files_api.store  # each test on SQLite and on PostgreSQL

V1 = "/api/v1"
CHECKOUT = {"service": "checkout", "latency_ms": 80}  # its availability and latency SLIs
GOOD = {**CHECKOUT, "timestamp": "2026-11-20T11:00:05Z", "status": 200}
MIXED = [
    GOOD,
    {**CHECKOUT, "timestamp": "yesterday", "status": 200},  # events[1]
    {**CHECKOUT, "timestamp": "2026-11-20T11:00:07Z", "status": 503},
    {**CHECKOUT, "timestamp": "2026-11-20T11:00:08Z", "status": "fine"},  # events[3]
    {**CHECKOUT, "timestamp": "2026-11-20T11:00:09Z", "status": 201},
]
FIXED = [
    {**MIXED[1], "timestamp": "2026-11-20T11:00:06Z"},
    {**MIXED[3], "status": 500},
]


def put(
    shop: Shop, key: str, events: list[dict[str, Any]], *, strict: bool | None = None
) -> tuple[int, dict[str, Any]]:
    params = {} if strict is None else {"strict": "true" if strict else "false"}
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/{key}",
        shop.tokens["editor"],
        json={"events": events},
        params=params,
    )
    return answer.status_code, answer.json()


def _warmed(store: Shop) -> None:
    """One batch stored first: the server records its workspace's SLOs on first use, which is
    not the refused batch's doing."""
    status, answer = put(store, "warm", [GOOD])
    assert status == 201, answer


def test_a_batch_with_a_rejected_row_is_refused_whole_and_its_fix_applied(store: Shop) -> None:
    url = store.settings.database_url
    _warmed(store)
    before = snapshot(url)

    status, answer = put(store, "edge-s1", MIXED, strict=True)

    assert status == 422, answer
    assert answer["code"] == "rows-rejected"
    message = answer["message"]
    assert message.startswith(
        "batch 'edge-s1': refused whole (strict=true): 2 of its 5 rows were rejected; "
        "nothing of it was stored\n"
    ), message
    assert "\n  events[1] timestamp: 'yesterday' is not a timestamp" in message
    assert "\n  events[3] status: " in message
    assert "--strict" not in message + answer["hint"]
    assert "send the batch again under the same key" in answer["hint"]
    assert "without strict=true to store its 3 good rows" in answer["hint"]
    assert (answer["rows"], answer["accepted"], answer["refused_count"]) == (5, 0, 2)
    assert [(r["row"], r["field"], r["code"]) for r in answer["refused"]] == [
        (1, "timestamp", "bad-value"),
        (3, "status", "bad-value"),
    ]
    assert snapshot(url) == before  # no counts, no key, no audit row

    status, answer = put(store, "edge-s1", [GOOD, *FIXED, *MIXED[4:]], strict=True)
    assert status == 201, answer
    assert (answer["accepted"], answer["refused_count"], answer["duplicate_of"]) == (4, 0, None)
    after = snapshot(url)
    assert len(after["ingest_batches"]) == len(before["ingest_batches"]) + 1
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1


def test_without_strict_a_partly_refused_batch_is_stored_as_before(store: Shop) -> None:
    for strict in (None, False):
        key = f"edge-lax-{strict}"
        status, answer = put(store, key, MIXED, strict=strict)
        assert status == 201, answer
        assert (answer["accepted"], answer["refused_count"]) == (3, 2)
        assert [r["row"] for r in answer["refused"]] == [1, 3]


def test_a_batch_recorded_before_is_a_duplicate_strict_or_not(store: Shop) -> None:
    assert put(store, "edge-s2", MIXED)[0] == 201  # stored with its bad rows skipped
    before = snapshot(store.settings.database_url)
    status, answer = put(store, "edge-s2", MIXED, strict=True)
    assert status == 200, answer
    assert answer["duplicate_of"] is not None
    assert (answer["accepted"], answer["refused_count"]) == (3, 2)  # the first time's counts
    assert snapshot(store.settings.database_url) == before


def test_a_batch_of_only_bad_rows_is_still_nothing_ingested(store: Shop) -> None:
    status, answer = put(store, "edge-s3", [MIXED[1], MIXED[3]], strict=True)
    assert (status, answer["code"]) == (422, "nothing-ingested"), answer
