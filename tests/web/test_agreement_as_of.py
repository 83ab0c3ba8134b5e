"""``/ui/agreements/{name}?at=``: the version in force at an instant, as `covenant agreements
show --at` and ``GET /api/v1/agreements/{name}?at=`` find it."""

from __future__ import annotations

import html
import re

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = make_shop(tmp_path_factory.mktemp("web-as-of"))
    add_users(made)
    return made


def _as_of(page: str) -> str:
    start = page.index('id="h-as-of"')
    return html.unescape(re.sub(r"<[^>]+>", "", page[start : page.index("</section>", start)]))


# globex-enterprise v1 takes effect on 2026-01-01 in Europe/Berlin (examples/shop/contracts.yaml)
@pytest.mark.parametrize(
    ("at", "version"),
    [
        ("2025-12-31T22:59:00Z", None),  # a minute before midnight in Berlin: nothing yet
        ("2025-12-31T23:00:00Z", 1),  # midnight in Berlin
        ("-30d", 1),  # relative to the pinned now, as the CLI's --at
    ],
)
def test_the_version_in_force_at_an_instant(shop: Shop, at: str, version: int | None) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/agreements/globex-enterprise", params={"at": at})
    assert page.status_code == 200, page.text
    shown = _as_of(page.text)
    api = shop.client.get(f"/api/v1/agreements/globex-enterprise?at={at}", shop.tokens["viewer"])
    if version is None:
        assert api.status_code == 404
        assert "No version of globex-enterprise was in force then." in shown
        return
    assert api.status_code == 200
    assert api.json()["version"] == version
    assert f"Version {version} active" in " ".join(shown.split())
    assert "in force 2025-12-31T23:00:00Z → open" in " ".join(shown.split())
    assert "Fee checkout: 8000.00 EUR" in shown
    assert "checkout-uptime: 99.950 %" in shown


def test_no_at_shows_no_as_of_section_and_a_bad_one_is_a_page_naming_it(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    plain = browser.get("/ui/agreements/globex-enterprise")
    assert plain.status_code == 200
    assert 'id="h-as-of"' not in plain.text
    assert 'name="at"' in plain.text  # the form is there
    bad = browser.get("/ui/agreements/globex-enterprise", params={"at": "yesterday"})
    assert bad.status_code == 400
    assert "at" in bad.text
    assert "yesterday" in bad.text
    assert "Traceback" not in bad.text
