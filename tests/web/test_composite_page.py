"""A composite SLO's page: linked from the overview; its components with their weights and
shares, the composite level (the weighted good events of its components, worked out here from
the API's component figures), its status and alert tiers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.support import AT, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

WEIGHTS = {"storefront": 1, "checkout": 3}  # examples/shop/slos.yaml, shopping-journey


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-composite"))
    add_users(made)
    return made


def test_the_composite_page_shows_components_weights_and_level(shop: Shop) -> None:
    api = shop.client.get("/api/v1/evaluations?slo=shopping-journey", shop.tokens["viewer"])
    results = {r["objective"]: r for r in api.json()["results"]}
    composite = results[""]
    good = sum(WEIGHTS[name] * results[name]["good"] for name in WEIGHTS)
    total = sum(WEIGHTS[name] * results[name]["total"] for name in WEIGHTS)
    assert (good, total) == (composite["good"], composite["total"])  # the API agrees

    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    overview = browser.get("/ui/overview").text
    assert 'href="/ui/composites/shopping-journey"' in overview
    answer = browser.get("/ui/composites/shopping-journey")
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "Browse and buy (composite)" in page
    assert f"({good} good of {total} weighted events)" in page
    assert f"<dd>{good / total * 100:.3f} %</dd>" in page  # the composite level
    status = composite["status"]
    assert f'<span class="status status-{status}">{status.replace("_", " ")}</span>' in page
    for name, weight in WEIGHTS.items():
        share = weight / sum(WEIGHTS.values()) * 100
        row = page.split(f'href="/ui/slos/shopping-journey/{name}"', 1)[1].split("</tr>", 1)[0]
        assert f'<td class="num">{weight}</td>' in row
        assert f'<td class="num">{share:.1f} %</td>' in row
        assert f'<td class="num">{results[name]["good"]}</td>' in row
        assert f'<td class="num">{results[name]["total"]}</td>' in row
    for tier in composite["alerts"]:
        assert tier["tier"] in page


def test_an_unknown_composite_is_a_404_page(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    for name in ("no-such-slo", "checkout-availability"):  # a plain SLO is not a composite
        answer = browser.get(f"/ui/composites/{name}")
        assert answer.status_code == 404
        assert "no composite SLO named" in answer.text


def test_the_composite_page_charts_the_apis_figures(shop: Shop) -> None:
    """The charts' data on the page: the composite level at an instant of the window is what
    the API reports for the composite at that instant, the budget left now is the API's, and
    the ideal burn-down falls from 100 % at the window's start to 0 % now."""
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/composites/shopping-journey").text
    found = re.search(r'<script type="application/json" id="series">(.*?)</script>', page, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert "Composite level over the window" in page
    assert "Error budget burn-down" in page
    token = shop.tokens["viewer"]

    def composite_at(instant: str) -> dict[str, Any]:
        answer = shop.client.get(f"/api/v1/evaluations?slo=shopping-journey&at={instant}", token)
        assert answer.status_code == 200, answer.text
        (found,) = [r for r in answer.json()["results"] if r["objective"] == ""]
        return found

    now = composite_at(AT.isoformat().replace("+00:00", "Z"))
    figures = now["corrected"] or now
    assert data["sli"][-1] == pytest.approx(float(figures["sli_value"]["value"]) * 100)
    assert data["budget"][-1] == pytest.approx(
        float(figures["budget"]["remaining_ratio"]["value"]) * 100
    )
    for i in (0, len(data["x"]) // 2):
        instant = datetime.fromtimestamp(data["x"][i], UTC).isoformat().replace("+00:00", "Z")
        then = composite_at(instant)
        then = then["corrected"] or then
        assert data["sli"][i] == pytest.approx(float(then["sli_value"]["value"]) * 100), i
    start = datetime.fromisoformat(now["window_start"].replace("Z", "+00:00")).timestamp()
    end = AT.timestamp()
    for x, ideal in zip(data["x"], data["ideal"], strict=True):
        assert ideal == pytest.approx(100 * (1 - (x - start) / (end - start)))
    assert data["ideal"][-1] == 0
