"""An event batch with rows dated more than 5 minutes after the server's clock (the shop's:
2026-11-20 12:00Z) is stored and its answer says how many, the first one's row and the latest.
Rows 1 and 3 are a day and an hour ahead; row 0 is an hour before, row 2 five minutes after
(within the allowed skew)."""

from __future__ import annotations

from tests.api.support import Shop
from tests.api.test_batch_nothing_stored import put
from tests.api.test_writes import stored_total

AHEAD = [
    {"timestamp": "2026-11-20T11:00:00Z", "service": "checkout", "status": 200, "latency_ms": 80},
    {"timestamp": "2026-11-21T12:00:00Z", "service": "checkout", "status": 200, "latency_ms": 80},
    {"timestamp": "2026-11-20T12:05:00Z", "service": "checkout", "status": 200, "latency_ms": 80},
    {"timestamp": "2026-11-20T13:00:00Z", "service": "checkout", "status": 200, "latency_ms": 80},
]


def test_rows_ahead_of_the_clock_are_stored_and_counted_in_the_answer(shop: Shop) -> None:
    before = stored_total(shop, "checkout-availability")
    status, answer = put(shop, "ahead-1", AHEAD)
    assert status == 201, answer
    assert answer["accepted"] == 4
    assert answer["future"] == {"count": 2, "first_row": 1, "latest": "2026-11-21T12:00:00Z"}
    assert stored_total(shop, "checkout-availability") == before + 4


def test_a_batch_within_the_skew_has_no_future_account(shop: Shop) -> None:
    status, answer = put(shop, "ahead-2", AHEAD[::2])
    assert status == 201, answer
    assert answer["future"] is None
