"""The statement, credits and exposure routes at an ``at`` after the server's clock measure up
to the clock only (the shop's clock is 2026-11-20T12:00Z): the answer is the one at now, and
says where it was measured up to."""

from __future__ import annotations

from tests.api.support import AT, Shop

V1 = "/api/v1"
LATER = "2026-11-23T12:00:00Z"  # three days after the shop's clock


def get(shop: Shop, path: str, at: str, **more: str) -> dict:  # type: ignore[type-arg]
    answer = shop.client.get(f"{V1}{path}", shop.tokens["admin"], params={"at": at, **more})
    assert answer.status_code == 200, answer.text
    body: dict = answer.json()  # type: ignore[type-arg]
    return body


def test_a_statement_after_now_is_the_statement_at_now(shop: Shop) -> None:
    now = AT.isoformat().replace("+00:00", "Z")
    later = get(shop, "/customers/globex/statements/2026-11", LATER)
    at_now = get(shop, "/customers/globex/statements/2026-11", now)
    assert later["measured_until"] == now
    assert later["generated_at"] == LATER
    assert later["complete"] is False
    assert later["not_yet_note"].startswith(f"{LATER} is after now")
    assert at_now["not_yet_note"] is None
    assert later["availability"] == at_now["availability"]
    assert later["support"] == at_now["support"]
    assert later["owed"] == at_now["owed"]
    credits = get(shop, "/customers/globex/credits", LATER, period="2026-11")
    assert credits["credits"] == at_now["credits"]


def test_exposure_after_now_is_measured_up_to_now(shop: Shop) -> None:
    now = AT.isoformat().replace("+00:00", "Z")
    later = get(shop, "/exposure", LATER)
    at_now = get(shop, "/exposure", now)
    assert later["measured_until"] == now
    assert later["not_yet_note"] is not None
    assert [c["commitments"] for c in later["customers"]] == [
        c["commitments"] for c in at_now["customers"]
    ]
