"""The SLO page's charts draw the figures the API reports, corrections applied, and an ideal
burn-down line for calendar and rolling windows alike (docs/ui.md "The charts")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest

from tests.api.support import AT, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-charts"))
    add_users(made)
    return made


def _api(shop: Shop, slo: str) -> dict[str, Any]:
    answer = shop.client.get(f"/api/v1/evaluations/{slo}", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()["results"][0]
    return result


def _series(shop: Shop, slo: str) -> dict[str, Any]:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    answer = browser.get(f"/ui/slos/{slo}/series.json")
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_a_corrected_rolling_slo_is_drawn_after_corrections(shop: Shop) -> None:
    api = _api(shop, "payments-availability")
    assert api["window"] == {"kind": "rolling", "seconds": 30 * 86400}
    assert api["corrections"], "the demo's weekly failover touches this SLO"
    raw = float(api["budget"]["remaining_ratio"]["value"]) * 100
    corrected = float(api["corrected"]["budget"]["remaining_ratio"]["value"]) * 100
    assert corrected != pytest.approx(raw)  # the test tells the two apart
    data = _series(shop, "payments-availability")
    assert data["calendar"] is False
    assert data["corrected"] is True
    assert data["budget"][-1] == pytest.approx(corrected)
    assert data["sli"][-1] == pytest.approx(float(api["corrected"]["sli_value"]["value"]) * 100)
    # the burn-down of the window ending now: spending only grows, so it never rises
    figures = [b for b in data["budget"] if b is not None]
    assert len(figures) == data["points"] == 60
    assert all(a >= b - 1e-9 for a, b in pairwise(figures))
    # the ideal: 100 % at the window's start to 0 % now, in a straight line
    start, end = _epoch(api["window_start"]), AT.timestamp()
    assert end - start == 30 * 86400
    for x, ideal in zip(data["x"], data["ideal"], strict=True):
        assert ideal == pytest.approx(100 * (1 - (x - start) / (end - start)))
    assert data["ideal"][-1] == 0


def test_a_calendar_slo_burns_down_to_its_period_end(shop: Shop) -> None:
    api = _api(shop, "checkout-monthly")
    data = _series(shop, "checkout-monthly")
    assert data["calendar"] is True
    assert data["corrected"] is False
    assert data["budget"][-1] == pytest.approx(
        float(api["budget"]["remaining_ratio"]["value"]) * 100
    )
    start, end = _epoch(api["window_start"]), _epoch(api["period_end"])
    assert (start, end) == (
        datetime.fromisoformat("2026-11-01T00:00:00+01:00").timestamp(),  # Berlin
        datetime.fromisoformat("2026-12-01T00:00:00+01:00").timestamp(),
    )
    for x, ideal in zip(data["x"], data["ideal"], strict=True):
        assert ideal == pytest.approx(100 * (1 - (x - start) / (end - start)))
    # at the demo's instant (20 November, 12:00 UTC) 10 days 11 hours of 30 days are left
    assert data["ideal"][-1] == pytest.approx(100 * (10 * 24 + 11) / (30 * 24))


def test_the_page_says_the_figures_are_corrected(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/slos/payments-availability").text
    assert "figures after corrections" in page
    assert "The dashed line is the ideal" in page
    assert "figures after corrections" not in browser.get("/ui/slos/checkout-monthly").text
