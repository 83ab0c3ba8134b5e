"""Figures a good/bad no-data policy made, said on the SLO page and in the API: months after the
demo's events, payments-availability (Timeslices, 1-minute slices over 30 days, ``noDataPolicy:
good``) shows 100 % from silence alone, and both say so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from covenant.api.app import create_app
from tests.api.support import Client, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

LATER = datetime(2027, 2, 1, 0, 0, tzinfo=UTC)  # a Monday; the window starts 2027-01-02
SLICES = 30 * 86400 // 60
# The weekly failover correction (Sundays 02:00 Berlin = 01:00 UTC in winter, 30 minutes)
# skips 30 slices on each of the window's five Sundays (3, 10, 17, 24 and 31 January).
LEFT = SLICES - 5 * 30


def note(count: int) -> str:
    return f"no events in the window: all {count:,} slices counted good by noDataPolicy: good"


def test_the_slo_page_and_the_api_say_the_policy_counted_every_slice(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    shop = make_shop(Path(tmp_path_factory.mktemp("web-policy-note")))
    add_users(shop)
    app = create_app(shop.settings, clock=lambda: LATER)
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
