"""A composite SLO's page: linked from the overview; its components with their weights and
shares, the composite level (the weighted good events of its components, worked out here from
the API's component figures), its status and alert tiers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.support import Shop, make_shop
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
