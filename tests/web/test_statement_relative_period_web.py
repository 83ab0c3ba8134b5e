"""The web UI's statement pages take the periods the CLI and the API take: `last-month`,
`this-month`, `-1M`… in the address are answered with a redirect to the page of the month they
name (its own address, which its revision links and PDF link build on), counted from now in the
customer's agreements' time zone; a period that is none of the forms is a 400 page naming them."""

from __future__ import annotations

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = make_shop(tmp_path_factory.mktemp("web-periods"))  # its clock: 2026-11-20T12:00Z
    add_users(made)
    return made


def test_the_portal_redirects_a_named_period_to_its_month(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    for named, month in (("last-month", "2026-10"), ("this-month", "2026-11"), ("-1M", "2026-10")):
        answer = browser.get(f"/ui/portal/statements/{named}?format=pdf")
        assert answer.status_code == 303, (named, answer.status_code)
        assert answer.headers["location"] == f"/ui/portal/statements/{month}?format=pdf"
    assert browser.get("/ui/portal/statements/2026-10").status_code == 200


def test_the_staff_page_redirects_too(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("eve")
    answer = browser.get("/ui/customers/globex/statements/last-month")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/customers/globex/statements/2026-10"


def test_a_period_that_is_none_is_a_400_naming_the_forms(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    answer = browser.get("/ui/portal/statements/yesterday")
    assert answer.status_code == 400
    assert "last-month" in answer.text
