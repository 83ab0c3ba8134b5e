"""The API's amendment changes the terms the web form changes: fees by service, the
agreement-wide cap, each commitment's credit tiers, cap and minimum credit, support attainment
and penalties. Each amendment here amends the newest version, so the new draft must equal it
with exactly the request's changes (expected values worked out from the request: money as the
decimal text sent, percentages as ratios); it is audited, and the agreement page lists the
same changes. A refused draft names the request's field and writes nothing."""

from __future__ import annotations

import copy
import html
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from covenant.api.app import create_app
from tests.api.support import AT, Client, Shop, make_shop
from tests.web.pages import Browser

V1 = "/api/v1"
NAME = "globex-enterprise"
BASE = f"{V1}/agreements/{NAME}"
UPTIME = "checkout-uptime"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("amendment-terms"))


def ratio(percent: str) -> str:
    """A percentage as the API shows a level, tier bound or attainment: the exact ratio."""
    return str(Fraction(Decimal(percent)) / 100)


def versions(shop: Shop, base: str = BASE) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = shop.client.get(f"{base}/versions", shop.tokens["viewer"]).json()[
        "items"
    ]
    return found


def amend(shop: Shop, body: dict[str, Any], base: str = BASE) -> Any:
    newest = versions(shop, base)[-1]["version"]
    full = {"effectiveFrom": "2027-01-01", "reason": "amended over the API", **body}
    return shop.client.request(
        "POST", f"{base}/versions/{newest}/amend", shop.tokens["editor"], json=full
    )


def amended(shop: Shop, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The newest version before, and the draft amending it as read back (both without
    what differs between any two versions: number, status, reason, start, signatories)."""
    before = versions(shop)[-1]
    answer = amend(shop, body)
    assert answer.status_code == 201, answer.text
    number = answer.json()["version"]["version"]
    assert number == before["version"] + 1
    after = shop.client.get(f"{BASE}/versions/{number}", shop.tokens["viewer"]).json()
    assert (after["status"], after["reason"]) == ("draft", "amended over the API")
    for version in (before, after):
        for key in ("version", "status", "reason", "effective_from", "signatories"):
            version.pop(key)
    return before, after


def commitment(version: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in [*version["availability"], *version["support"]] if c["name"] == name]
    return found


def test_fees_by_service_and_the_agreement_cap(shop: Shop) -> None:
    body = {
        "fees": {"checkout": "8500.50", "storefront": None, "search": "120.5"},
        "cap": {"percent": "20", "amount": "3000"},
    }
    before, after = amended(shop, body)
    expected = copy.deepcopy(before)
    fees = dict(before["fees"])
    fees.update({"checkout": "8500.50", "search": "120.5"})
    del fees["storefront"]
    expected["fees"] = sorted([s, a] for s, a in fees.items())
    expected["cap_percent"], expected["cap_amount"] = "20", "3000"
    assert after == expected

    # null removes the cap; a cap given replaces the whole cap (no percent: none)
    before, after = amended(shop, {"cap": {"amount": "2500.00"}})
    assert (after["cap_percent"], after["cap_amount"]) == (None, "2500.00")
    before, after = amended(shop, {"cap": None})
    expected = {**before, "cap_percent": None, "cap_amount": None}
    assert after == expected


def test_credit_caps_minimums_and_tiers(shop: Shop) -> None:
    tiers = [
        {"below": "99.9", "atLeast": "99.5", "credit": "15"},
        {"atMost": "99.5", "credit": "40"},
    ]
    change = {"cap": {"amount": "2000.00"}, "minimumCredit": {"above": "25.00"}, "credits": tiers}
    before, after = amended(shop, {"commitments": {UPTIME: change}, "levels": {UPTIME: "99.9"}})
    expected = copy.deepcopy(before)
    commitment(expected, UPTIME)["level"] = ratio("99.9")
    remedies = commitment(expected, UPTIME)["remedies"]
    remedies.update(cap_percent=None, cap_amount="2000.00")
    remedies.update(minimum_credit="25.00", minimum_inclusive=False)
    remedies["tiers"] = [
        {
            "below": ratio("99.9"),
            "below_inclusive": False,
            "at_least": ratio("99.5"),
            "at_least_inclusive": True,
            "credit": "15",
        },
        {
            "below": ratio("99.5"),
            "below_inclusive": True,
            "at_least": None,
            "at_least_inclusive": True,
            "credit": "40",
        },
    ]
    assert after == expected

    # a minimum as an amount is paid from at least it; null removes a cap or a minimum
    _, after = amended(shop, {"commitments": {UPTIME: {"minimumCredit": "30.00"}}})
    remedies = commitment(after, UPTIME)["remedies"]
    assert (remedies["minimum_credit"], remedies["minimum_inclusive"]) == ("30.00", True)
    before, after = amended(shop, {"commitments": {UPTIME: {"cap": None, "minimumCredit": None}}})
    expected = copy.deepcopy(before)
    commitment(expected, UPTIME)["remedies"].update(
        cap_percent=None, cap_amount=None, minimum_credit=None
    )
    assert after == expected


def test_support_penalties_and_attainment(shop: Shop) -> None:
    change = {
        "enterprise-support": {"penalty": {"percent": "7.5", "amount": "100.00"}},
        "business-hours-support": {"penalty": None, "attainment": "92.5"},
    }
    before, after = amended(shop, {"commitments": change})
    expected = copy.deepcopy(before)
    commitment(expected, "enterprise-support").update(
        penalty_percent="7.5", penalty_amount="100.00"
    )
    commitment(expected, "business-hours-support").update(
        penalty_percent=None, penalty_amount=None, attainment=ratio("92.5")
    )
    assert after == expected


def test_an_amendment_is_audited_and_listed_among_the_versions_changes(shop: Shop) -> None:
    before, _ = amended(shop, {"fees": {"checkout": "9100.00"}})
    old = dict(before["fees"])["checkout"]
    number = versions(shop)[-1]["version"]
    query = {"kind": "agreement", "entity": NAME, "action": "created", "limit": 1000}
    rows = shop.client.get(f"{V1}/audit", shop.tokens["admin"], params=query).json()["items"]
    last = rows[-1]
    assert last["actor"].startswith("token:")
    assert last["reason"] == "amended over the API"
    assert (last["after"]["version"], last["after"]["status"]) == (number, "draft")
    assert dict(last["after"]["fees"])["checkout"] == "9100.00"

    browser = Browser(shop.client.app)
    browser.sign_in_token(shop.tokens["editor"])
    page = html.unescape(browser.get(f"/ui/agreements/{NAME}").text)
    assert f"fees.checkout</code>: {old} → 9100.00" in page


def test_refused_terms_name_the_request_field_and_write_nothing(shop: Shop) -> None:
    count = len(versions(shop))
    cases = [  # (the amendment, the problem's code, the request's field)
        ({"fees": {"checkout": "8500.507"}}, "money-precision", "fees.checkout"),
        ({"cap": {"amount": "-5"}}, "invalid-money", "cap.amount"),
        ({"cap": {"percent": "half"}}, "invalid-type", "cap.percent"),
        (
            {"commitments": {UPTIME: {"minimumCredit": {"above": "0.001"}}}},
            "money-precision",
            f"commitments.{UPTIME}.minimumCredit.above",
        ),
        (
            {"commitments": {"enterprise-support": {"penalty": {"amount": "250.999"}}}},
            "money-precision",
            "commitments.enterprise-support.penalty.amount",
        ),
        (
            {"commitments": {UPTIME: {"credits": [{"below": "99.9", "credit": "ten"}]}}},
            "invalid-type",
            f"commitments.{UPTIME}.credits[0].credit",
        ),
    ]
    for body, code, field in cases:
        answer = amend(shop, body)
        assert answer.status_code == 422, answer.text
        found = answer.json()
        assert {"code", "message", "hint"} <= set(found)
        assert found["code"] == "invalid-definition"
        assert [(p["code"], p["field"]) for p in found["problems"]] == [(code, field)], body
    precise = amend(shop, cases[0][0]).json()["problems"][0]
    assert precise["message"] == (
        "8500.507 EUR has more decimals than EUR has (2 decimal(s), ISO 4217)"
    )

    # names and terms the version does not have, and shapes the request does not take
    refused = [
        ({"commitments": {"no-such": {"cap": None}}}, 400, "commitments.no-such"),
        (
            {"commitments": {"enterprise-support": {"cap": None}}},
            400,
            "commitments.enterprise-support.cap",
        ),
        ({"commitments": {UPTIME: {"penalty": None}}}, 400, f"commitments.{UPTIME}.penalty"),
        ({"levels": {"enterprise-support": "99"}}, 400, "levels.enterprise-support"),
        ({"fees": {"chekout": None}}, 400, "fees.chekout"),  # removing a fee never charged
        ({"fees": {"checkout": 8500.5}}, 422, "body.fees.checkout"),  # money is text
        ({"fee": {"checkout": "1.00"}}, 422, "body.fee"),  # a misspelt term is no no-op
        ({"cap": {"percent": "5", "minimum": "1"}}, 422, "body.cap.minimum"),
    ]
    for body, status, named in refused:
        answer = amend(shop, body)
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] == "invalid-input"
        assert named in answer.json()["message"]
    assert len(versions(shop)) == count


def test_a_jpy_fee_takes_no_decimals(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    (shop.workspace / "yamato.yaml").write_text(
        "apiVersion: covenant/v1\nkind: Customer\nmetadata: {name: yamato}\n"
        "spec: {currency: JPY}\n",
        encoding="utf-8",
    )
    shop.client = Client(create_app(shop.settings, clock=lambda: AT))
    terms = {
        "effectiveFrom": "2026-10-01",
        "fees": {"checkout": "300000"},
        "availability": [
            {
                "name": "yamato-uptime",
                "services": ["checkout"],
                "level": "99.5",
                "measurement": {"source": "incidents"},
                "credits": [{"below": "99.5", "credit": "10"}],
            }
        ],
    }
    body = {"name": "yamato-sla", "customer": "yamato", "version": terms}
    made = shop.client.request("POST", f"{V1}/agreements", shop.tokens["editor"], json=body)
    assert made.status_code == 201, made.text
    yamato = f"{V1}/agreements/yamato-sla"

    answer = amend(shop, {"fees": {"checkout": "300000.50"}}, base=yamato)
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["problems"]
    assert (problem["code"], problem["field"]) == ("money-precision", "fees.checkout")
    assert (
        problem["message"] == "300000.50 JPY has more decimals than JPY has (no decimals, ISO 4217)"
    )
    assert len(versions(shop, yamato)) == 1

    answer = amend(shop, {"fees": {"checkout": "320000"}}, base=yamato)
    assert answer.status_code == 201, answer.text
    assert answer.json()["version"]["fees"] == [["checkout", "320000"]]
