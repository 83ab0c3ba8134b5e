"""The exposure page: every agreement's current period, one row per commitment, with the
figures `GET /api/v1/exposure` answers (the money as the API writes it), the command's filters
and the portfolio's totals, which stay the whole portfolio's when rows are filtered out."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

V1 = "/api/v1"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-exposure"))
    add_users(made)
    return made


def _cells(text: str) -> list[list[str]]:
    """The body rows of the exposure table, each cell's text without its tags."""
    table = text.split('<table class="exposure">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S) for r in rows)
    ]


def _money(m: dict[str, str] | None) -> str:
    return "–" if m is None else f"{m['amount']} {m['currency']}"


def _api(shop: Shop, **params: Any) -> Any:
    answer = shop.client.get(f"{V1}/exposure", shop.tokens["viewer"], params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_page_shows_each_commitment_with_the_apis_money(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/exposure")
    assert page.status_code == 200, page.text
    expected = [
        [
            customer["customer_name"],
            f"{c['agreement']} v{c['version']}",
            c["commitment"],
            _money(c["owed_now"]),
            _money(c["expected_credit"]),
            _money(c["worst_case_credit"]),
        ]
        for customer in _api(shop)["customers"]
        for c in customer["commitments"]
    ]
    rows = _cells(page.text)
    assert [[r[0], r[1], r[2], *r[7:10]] for r in rows] == expected
    # the demo's November: both commitments have a credit locked in (`covenant exposure`)
    assert [r[3] for r in rows] == ["owed", "owed"]
    assert [r[4] for r in rows] == ["99.950 %", "99.900 %"]  # examples/shop/contracts.yaml
    assert 'href="/ui/agreements/globex-enterprise"' in page.text
    text = html.unescape(page.text)
    assert "Globex Corporation's November credit became 10 % on the 20th" in text
    totals = _api(shop)["portfolio"]
    portfolio = text.split('id="h-portfolio"', 1)[1]
    for key in ("owed_now", "expected_credit", "worst_case_credit"):
        for m in totals[key]:
            assert _money(m) in portfolio


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("customer=initech", {"customer": "initech"}),
        ("agreement=globex-enterprise", {"agreement": "globex-enterprise"}),
        ("status=ok", {"status": "ok"}),
        ("status=owed&customer=globex", {"status": "owed", "customer": "globex"}),
    ],
)
def test_the_filters_keep_the_rows_the_api_keeps(
    shop: Shop, query: str, params: dict[str, str]
) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("eve")
    page = browser.get(f"/ui/exposure?{query}")
    assert page.status_code == 200, page.text
    expected = [
        f"{c['agreement']} v{c['version']}"
        for customer in _api(shop, **params)["customers"]
        for c in customer["commitments"]
    ]
    rows = _cells(page.text)
    shown = [r[1] for r in rows if len(r) > 1]
    assert shown == expected
    kept = _api(shop, **params)["customers"]
    shown_rows = sum(len(c["commitments"]) + len(c["support"]) for c in kept)
    if not expected:  # support rows kept, below: the credit table says so
        assert rows == [
            ["No availability commitment matches the filters (support penalties below)."]
            if shown_rows
            else ["No commitment matches the filters."]
        ]
    text = html.unescape(page.text)
    assert f"{shown_rows} of {_rows(_api(shop))} commitments shown." in text
    assert "Portfolio (every commitment, not only those shown)" in text


def _rows(doc: Any) -> int:
    """The commitments an exposure answer lists: availability and support rows."""
    return sum(len(c["commitments"]) + len(c["support"]) for c in doc["customers"])


def test_the_status_chips_count_availability_and_support_rows(shop: Shop) -> None:
    """Each chip counts the rows its link shows: the demo's Globex has support rows too (one
    with a ticket timer that cannot breach into a penalty is ``ok``), and they count."""
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    text = html.unescape(browser.get("/ui/exposure").text)
    every = _api(shop)
    assert any(c["support"] for c in every["customers"])
    assert f"{_rows(every)} commitments." in text
    chips = dict(re.findall(r'status=([a-z-]+)" title="[^"]*">[a-z-]+: (\d+)</a>', text))
    assert chips == {
        s: str(_rows(_api(shop, status=s))) for s in ("owed", "at-risk", "ok", "no-forecast")
    }
    assert sum(int(n) for n in chips.values()) == _rows(every)


def test_an_unknown_status_is_an_error_page_naming_the_choices(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("ada")
    page = browser.get("/ui/exposure?status=late")
    assert page.status_code == 400
    text = html.unescape(page.text)
    assert "status='late' is not a status here" in text
    assert "owed, at-risk, ok, no-forecast" in text


def test_a_customer_is_refused(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("gus")
    assert browser.get("/ui/exposure").status_code == 403


def _support_cells(text: str) -> list[list[str]]:
    """The body rows of the support penalties table, each cell's text without its tags."""
    return _cells('<table class="exposure">' + text.split('<table class="exposure support">')[1])


def test_the_page_shows_support_penalties_apart_with_the_apis_money(shop: Shop) -> None:
    """Support penalties are a table of their own (docs/exposure.md "Support"): per support
    commitment and version, the verdict so far and the penalties owed if the period ended now
    and if every open ticket timer breached, as `GET /api/v1/exposure` answers them."""
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/exposure")
    assert page.status_code == 200, page.text
    expected = [
        [
            customer["customer_name"],
            f"{s['agreement']} v{s['version']}",
            s["commitment"],
            *(
                ["no tickets", "no tickets"]  # no verdict, not "nothing owed"
                if s["state"] == "no-tickets"
                else [_money(s["penalty_incurred"]), _money(s["penalty_worst_case"])]
            ),
        ]
        for customer in _api(shop)["customers"]
        for s in customer["support"]
    ]
    assert expected  # the demo's Globex has two support commitments
    rows = _support_cells(page.text)
    assert [[r[0], r[1], r[2], r[-2], r[-1]] for r in rows] == expected
    totals = _api(shop)["portfolio"]
    portfolio = html.unescape(page.text).split('id="h-portfolio"', 1)[1]
    assert "Support penalties owed if the period ended now" in portfolio
    for key in ("support_penalty_incurred", "support_penalty_worst_case"):
        for m in totals[key]:
            assert _money(m) in portfolio
