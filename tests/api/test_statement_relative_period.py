"""The statement routes take the periods `covenant report sla --period` takes: besides 2026-11
and 2026-Q4, this-month, last-month, this-quarter, last-quarter and -3M, counted from the
request's `at` (default now) in the customer's agreements' time zone. Before, a stranger who
copied `--period last-month` from the CLI into the URL got `400 period 'last-month' is not a
month or a quarter`."""

from __future__ import annotations

from typing import Any

from tests.api.support import Shop
from tests.api.test_authorization import V1

# the shop's clock: 2026-11-20T12:00:00Z, November in every agreement's zone
STATEMENTS = f"{V1}/customers/globex/statements"


def _json(shop: Shop, url: str, token: str) -> dict[str, Any]:
    answer = shop.client.get(url, token)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_named_period_is_the_month_it_names(shop: Shop) -> None:
    admin = shop.tokens["admin"]
    november = _json(shop, f"{STATEMENTS}/2026-11", admin)
    october = _json(shop, f"{STATEMENTS}/2026-10", admin)
    assert november["period"] == "2026-11"
    assert _json(shop, f"{STATEMENTS}/this-month", admin) == november
    assert _json(shop, f"{STATEMENTS}/last-month", admin) == october
    assert _json(shop, f"{STATEMENTS}/-1M", admin) == october


def test_a_named_period_counts_from_at(shop: Shop) -> None:
    admin = shop.tokens["admin"]
    at = "at=2026-11-20T12:00:00Z"
    assert _json(shop, f"{STATEMENTS}/last-month?{at}", admin)["period"] == "2026-10"
    december = "at=2026-12-05T00:00:00Z"
    assert _json(shop, f"{STATEMENTS}/last-month?{december}", admin)["period"] == "2026-11"


def test_a_customer_token_and_the_other_routes_take_them_too(shop: Shop) -> None:
    token = shop.tokens["customer:globex"]
    assert _json(shop, f"{STATEMENTS}/this-month", token)["period"] == "2026-11"
    credits = _json(shop, f"{V1}/customers/globex/credits?period=last-month", token)
    assert credits["period"] == "2026-10"
    revisions = _json(shop, f"{STATEMENTS}/this-month/revisions", token)
    assert revisions["period"] == "2026-11"
    assert revisions["items"] == []


def test_a_period_that_is_none_names_the_forms(shop: Shop) -> None:
    answer = shop.client.get(f"{STATEMENTS}/yesterday", shop.tokens["admin"])
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "invalid-period-option"
    assert "'yesterday' is not a period" in body["message"]
    assert "last-month" in body["hint"]
