"""Figures a good/bad no-data policy made, said on the SLO page and in the API: months after the
demo's events, payments-availability (Timeslices, 1-minute slices over 30 days, ``noDataPolicy:
good``) shows 100 % from silence alone, and both say so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from covenant.api.app import create_app
from tests.api.support import Client, Shop, make_shop
from tests.events_fed import events_fed
from tests.web.pages import Browser
from tests.web.served import add_users

LATER = datetime(2027, 2, 1, 0, 0, tzinfo=UTC)  # a Monday; the window starts 2027-01-02
SLICES = 30 * 86400 // 60
# The weekly failover correction (Sundays 02:00 Berlin = 01:00 UTC in winter, 30 minutes)
# skips 30 slices on each of the window's five Sundays (3, 10, 17, 24 and 31 January).
LEFT = SLICES - 5 * 30
# The burn windows end at LATER (Monday 00:00 UTC); of the five Sundays only 31 January lies in
# the 1-day and 3-day windows, so those count 30 slices fewer. Every slice is silent.
BURN_SLICES = {
    "5m": 5,
    "30m": 30,
    "1h": 60,
    "2h": 120,
    "6h": 6 * 60,
    "1d": 24 * 60 - 30,
    "3d": 3 * 24 * 60 - 30,
}


def note(count: int) -> str:
    return f"no events in the window: all {count:,} slices counted good by noDataPolicy: good"


# A Timeslices composite of two silent indicators under noDataPolicy: good, added to the shop.
# No correction names it, so each burn window counts all its slices, every one silent.
COMPOSITE = """\
apiVersion: covenant/v1
kind: SLO
metadata: {name: pay-and-search, displayName: Pay and search}
spec:
  service: payments
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Timeslices
  noDataPolicy: good
  objectives:
    - {displayName: payments, indicatorRef: payments-availability, target: 0.995,
       timeSliceTarget: 0.95, timeSliceWindow: 1m, compositeWeight: 1}
    - {displayName: search, indicatorRef: search-availability, target: 0.995,
       timeSliceTarget: 0.95, timeSliceWindow: 1m, compositeWeight: 1}
"""
COMPONENTS = "its components&#39; noDataPolicy"  # as the page escapes it


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    shop = make_shop(Path(tmp_path_factory.mktemp("web-policy-note")))
    # fed by events: silence the events said, which the policy counts (a Prometheus SLI no
    # read has reached is "not read from Prometheus yet" instead)
    events_fed(shop.workspace, "payments-availability", "search-availability")
    (shop.workspace / "composite-pay-and-search.yaml").write_text(COMPOSITE, encoding="utf-8")
    add_users(shop)
    return shop


@pytest.fixture(scope="module")
def app(shop: Shop) -> FastAPI:
    return create_app(shop.settings, clock=lambda: LATER)


def test_the_slo_page_and_the_api_say_the_policy_counted_every_slice(
    shop: Shop, app: FastAPI
) -> None:
    api = Client(app).get("/api/v1/evaluations?slo=payments-availability", shop.tokens["viewer"])
    assert api.status_code == 200, api.text
    (result,) = api.json()["results"]
    assert result["no_data_policy_note"] == note(SLICES)
    assert result["corrected"]["no_data_policy_note"] == note(LEFT)
    assert (note(SLICES), note(LEFT)) == (
        "no events in the window: all 43,200 slices counted good by noDataPolicy: good",
        "no events in the window: all 43,050 slices counted good by noDataPolicy: good",
    )
    browser = Browser(app)
    browser.sign_in("vic")
    page = browser.get("/ui/slos/payments-availability")
    assert page.status_code == 200, page.text
    assert f"No-data policy: {note(LEFT)}</p>" in page.text  # the page shows corrected figures


def spans(result: dict[str, object]) -> dict[str, dict[str, object]]:
    """Every burn window of a result by its length (``1h``, ``5m``, …)."""
    found: dict[str, dict[str, object]] = {}
    for alert in result["alerts"]:  # type: ignore[attr-defined]
        for side in ("long", "short"):
            w = alert[side]
            found[SPAN[w["window_seconds"]]] = w
    return found


SPAN = {300: "5m", 1800: "30m", 3600: "1h", 7200: "2h", 21600: "6h", 86400: "1d", 259200: "3d"}


def test_the_api_says_how_many_slices_of_each_burn_window_the_policy_filled(
    shop: Shop, app: FastAPI
) -> None:
    api = Client(app).get("/api/v1/evaluations?slo=payments-availability", shop.tokens["viewer"])
    assert api.status_code == 200, api.text
    (result,) = api.json()["results"]
    assert result["no_data_policy_slices"] == SLICES
    assert result["corrected"]["no_data_policy_slices"] == LEFT
    raw, fixed = spans(result), spans(result["corrected"])
    assert sorted(fixed) == sorted(BURN_SLICES)
    for span, count in BURN_SLICES.items():
        assert fixed[span]["no_data_policy_slices"] == count, span
        assert fixed[span]["no_data_policy_note"] == note(count), span
    assert raw["1d"]["no_data_policy_note"] == note(24 * 60)  # no correction: every slice
    assert raw["3d"]["no_data_policy_slices"] == 3 * 24 * 60
    assert result["corrected"]["burn_rate"]["no_data_policy_note"] == note(60)


def test_the_slo_page_says_it_under_the_burn_rate_and_in_every_tier(
    shop: Shop, app: FastAPI
) -> None:
    browser = Browser(app)
    browser.sign_in("vic")
    page = browser.get("/ui/slos/payments-availability")
    assert page.status_code == 200, page.text
    assert f"No-data policy, burn rate over 1h: {note(60)}</p>" in page.text
    for span, count in BURN_SLICES.items():
        said = f'<div class="muted small policy-note">No-data policy: {note(count)}</div>'
        cell = f"over {span}{said}"
        assert cell in page.text, span


def test_the_overview_marks_the_figures_the_policy_made(shop: Shop, app: FastAPI) -> None:
    browser = Browser(app)
    browser.sign_in("vic")
    page = browser.get("/ui/overview")
    assert page.status_code == 200, page.text
    row = next(r for r in page.text.split("<tr>") if '/ui/slos/payments-availability"' in r)
    assert f'title="No-data policy: {note(LEFT)}">no-data policy' in row
    assert f'title="No-data policy: {note(60)}">no-data policy' in row
    composite = next(r for r in page.text.split("<tr>") if '/ui/composites/pay-and-search"' in r)
    said = "no events in the window: all {:,} slices counted good by " + COMPONENTS
    assert f'title="No-data policy: {said.format(SLICES)}">no-data policy' in composite
    assert f'title="No-data policy: {said.format(60)}">no-data policy' in composite
    # its components are objectives of their own under the SLO's policy, not corrected
    for name in ("payments", "search"):
        part = next(r for r in page.text.split("<tr>") if f'pay-and-search/{name}"' in r)
        assert f'title="No-data policy: {note(SLICES)}">no-data policy' in part
    # every other objective has no events at all and no good/bad policy: no data, no marker
    others = [
        r
        for r in page.text.split("<tr>")[2:]
        if 'payments-availability"' not in r and "pay-and-search" not in r
    ]
    assert others
    assert not any("policy-filled" in r for r in others)


def test_the_composite_page_says_it_for_its_burn_windows(shop: Shop, app: FastAPI) -> None:
    browser = Browser(app)
    browser.sign_in("vic")
    page = browser.get("/ui/composites/pay-and-search")
    assert page.status_code == 200, page.text
    said = "no events in the window: all {:,} slices counted good by " + COMPONENTS
    assert f"No-data policy: {said.format(SLICES)}</p>" in page.text
    assert f"No-data policy, burn rate over 1h: {said.format(60)}</p>" in page.text
    uncorrected = {**BURN_SLICES, "1d": 24 * 60, "3d": 3 * 24 * 60}
    for span, count in uncorrected.items():
        cell = f'over {span}<div class="muted small policy-note">No-data policy: '
        assert f"{cell}{said.format(count)}</div>" in page.text, span


def test_the_alert_backtest_page_says_the_policy_filled_its_windows(
    shop: Shop, app: FastAPI
) -> None:
    """The alert backtest's page says, per tier, at how many steps the policy filled a window,
    as `covenant backtest alerts` prints it: over the last 2 hours at LATER every slice is
    silent, so every tier's windows are filled at all 25 steps (2 h of 5-minute steps, both
    ends counted)."""
    params = {"from": "-2h", "step": "5m"}
    api = Client(app).get(
        "/api/v1/backtests/alerts/payments-availability", shop.tokens["viewer"], params=params
    )
    assert api.status_code == 200, api.text
    (replay,) = api.json()["objectives"]
    assert replay["steps"] == 2 * 60 // 5 + 1
    assert replay["tiers"]  # the shop's default tiers
    for tier in replay["tiers"]:
        assert tier["steps_no_data_policy"] == replay["steps"], tier["tier"]
    browser = Browser(app)
    browser.sign_in("vic")
    page = browser.get("/ui/backtests/alerts/payments-availability", params=params)
    assert page.status_code == 200, page.text
    said = (
        '<div class="muted small policy-note">No-data policy: noDataPolicy: good counted '
        "silent slices in a window at 25 of 25 steps (not measurements)</div>"
    )
    assert page.text.count(said) == len(replay["tiers"])
