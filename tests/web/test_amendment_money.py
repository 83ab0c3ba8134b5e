"""The amendment form's money and remedies: the monthly fees, each commitment's credit cap and
minimum credit, the agreement-wide cap and the support penalties. Filled from the version in
force as contracts.yaml writes it; a change drafts exactly what was typed (Decimal text in the
agreement's currency, EUR); a refused one is validated as the API validates a version (the
same codes and messages), shown beside the field, with the form as typed and nothing drafted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.api.support import Shop, make_shop
from tests.conftest import ROOT
from tests.web.pages import Browser
from tests.web.served import add_users
from tests.web.test_amendment_form import _amend_form

NAME = "globex-enterprise"
PAGE = f"/ui/agreements/{NAME}"
API = "/api/v1/agreements/globex-enterprise/versions"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-amend-money"))
    add_users(made)
    return made


@pytest.fixture(scope="module")
def editor(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("eve")
    return browser


@pytest.fixture(scope="module")
def form(editor: Browser) -> dict[str, str]:
    """The form as the page fills it in before any test drafts (then the newest is a draft)."""
    return _amend_form(editor.get(PAGE).text)


@pytest.fixture(scope="module")
def written() -> dict[str, Any]:
    """globex-enterprise v1 as examples/shop/contracts.yaml writes it."""
    docs = YAML(typ="safe").load_all((ROOT / "examples/shop/contracts.yaml").read_text())
    (doc,) = [d for d in docs if d["kind"] == "Agreement" and d["metadata"]["name"] == NAME]
    version: dict[str, Any] = doc["spec"]["versions"][0]
    return version


def _versions(shop: Shop) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = shop.client.get(API, shop.tokens["viewer"]).json()["items"]
    return items


def _draft(editor: Browser, shop: Shop, fields: dict[str, str]) -> dict[str, Any]:
    answer = editor.post(f"{PAGE}/amend", fields)
    assert answer.status_code == 303, html.unescape(answer.text)[-3000:]
    return _versions(shop)[-1]


def _refused(editor: Browser, shop: Shop, fields: dict[str, str], name: str) -> list[str]:
    """The problems shown beside field ``name`` of a refused submit (nothing drafted; the
    form keeps every field as typed)."""
    before = len(_versions(shop))
    answer = editor.post(f"{PAGE}/amend", fields)
    assert answer.status_code == 400
    assert len(_versions(shop)) == before
    page = answer.text
    kept = _amend_form(page)
    for key, value in fields.items():
        if key != "csrf" and not key.startswith("minimum-rule:"):  # a select: not read back
            assert kept[key] == value, key
    field_id = "amend-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"', page), name
    found = re.search(
        rf'<ul class="field-problems" id="{field_id}-problems">(.*?)</ul>', page, re.S
    )
    assert found is not None, name
    return [
        html.unescape(re.sub(r"<[^>]+>", "", item))
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    ]


def _base(form: dict[str, str], reason: str) -> dict[str, str]:
    return {**form, "effective_from": "2027-01-01", "reason": reason}


def test_the_fees_are_amended_in_the_agreements_currency(
    shop: Shop, editor: Browser, form: dict[str, str], written: dict[str, Any]
) -> None:
    fees = {k.removeprefix("fee:"): v for k, v in form.items() if k.startswith("fee:")}
    assert fees == written["fees"]  # {checkout: "8000.00", storefront: "4000.00"}
    draft = _draft(editor, shop, {**_base(form, "checkout fee raised"), "fee:checkout": "8500.50"})
    assert dict(draft["fees"]) == {"checkout": "8500.50", "storefront": "4000.00"}
    # a fee for another service, and one removed
    draft = _draft(
        editor,
        shop,
        {
            **_base(form, "search added, storefront dropped"),
            "fee:storefront": "",
            "fee-service": "search",
            "fee-amount": "120.5",
        },
    )
    assert dict(draft["fees"]) == {"checkout": "8000.00", "search": "120.5"}
    # EUR has 2 decimals: 8500.507 is refused beside the fee, as the API refuses it
    bad = {**_base(form, "a fee too precise"), "fee:checkout": "8500.507"}
    shown = _refused(editor, shop, bad, "fee:checkout")
    assert shown == [
        "money-precision: 8500.507 EUR has more decimals than EUR has (2 decimal(s), "
        'ISO 4217) — write the amount in whole EUR minor units, e.g. "8500.51"'
    ]
    api = shop.client.request(
        "POST",
        API,
        shop.tokens["editor"],
        json={"effectiveFrom": "2027-01-01", "reason": "x", "fees": {"checkout": "8500.507"}},
    )
    codes = {p["code"] for p in api.json().get("problems", [])}
    assert "money-precision" in codes  # the same code over the API
    # a new service without its fee is named on the fee
    missing = {**_base(form, "no fee"), "fee-service": "search", "fee-amount": ""}
    assert _refused(editor, shop, missing, "fee-amount") == [
        'invalid-input: the fee of search is missing — give its monthly fee, e.g. "500.00", '
        "or leave the service blank"
    ]


def test_credit_caps_and_minimums_are_amended(
    shop: Shop, editor: Browser, form: dict[str, str], written: dict[str, Any]
) -> None:
    (checkout,) = written["availability"]
    name = checkout["name"]
    assert form[f"cap-percent:{name}"] == str(checkout["cap"]["percent"])  # 50
    assert (form[f"cap-amount:{name}"], form["cap-percent"], form["cap-amount"]) == ("", "", "")
    assert form[f"minimum:{name}"] == checkout["minimumCredit"]  # "50.00": paid from 50.00
    changed = {
        **_base(form, "caps and minimum"),
        f"cap-percent:{name}": "",
        f"cap-amount:{name}": "2000.00",
        f"minimum:{name}": "25.00",
        f"minimum-rule:{name}": "above",
        "cap-percent": "20",
        "cap-amount": "3000",
    }
    draft = _draft(editor, shop, changed)
    (remedies,) = [c["remedies"] for c in draft["availability"]]
    assert (remedies["cap_percent"], remedies["cap_amount"]) == (None, "2000.00")
    assert (remedies["minimum_credit"], remedies["minimum_inclusive"]) == ("25.00", False)
    assert (draft["cap_percent"], draft["cap_amount"]) == ("20", "3000")
    # the page shows what the draft changed against the version before it
    page = html.unescape(editor.get(PAGE).text)
    assert f"availability.{name}.remedies.cap_amount</code>: None → 2000.00" in page
    assert "cap_percent</code>: None → 20" in page
    # refused beside their fields: a cap that is not a number, a minimum too precise
    shown = _refused(
        editor, shop, {**changed, f"cap-percent:{name}": "half"}, f"cap-percent:{name}"
    )
    assert [s.split(" — ")[0] for s in shown] == [
        "invalid-type: 'half' is not a number written with the digits 0-9 and a decimal point"
    ]
    shown = _refused(editor, shop, {**changed, f"minimum:{name}": "0.001"}, f"minimum:{name}")
    assert shown[0].startswith("money-precision: 0.001 EUR has more decimals than EUR has")
    shown = _refused(editor, shop, {**changed, "cap-amount": "-5"}, "cap-amount")
    assert shown[0].startswith("invalid-money: amount -5 is not a non-negative amount")


def test_support_penalties_are_amended(
    shop: Shop, editor: Browser, form: dict[str, str], written: dict[str, Any]
) -> None:
    penalties = {s["name"]: s["penalty"] for s in written["support"]}
    for name, penalty in penalties.items():  # {percent: 5}; {amount: "250.00"}
        assert form[f"penalty-percent:{name}"] == str(penalty.get("percent", ""))
        assert form[f"penalty-amount:{name}"] == str(penalty.get("amount", ""))
    changed = {
        **_base(form, "penalties"),
        "penalty-percent:enterprise-support": "7.5",
        "penalty-amount:enterprise-support": "100.00",
        "penalty-amount:business-hours-support": "",
    }
    draft = _draft(editor, shop, changed)
    support = {s["name"]: s for s in draft["support"]}
    assert (
        support["enterprise-support"]["penalty_percent"],
        support["enterprise-support"]["penalty_amount"],
    ) == ("7.5", "100.00")
    # both blank: no penalty (the API validates a support commitment without one)
    assert support["business-hours-support"]["penalty_amount"] is None
    shown = _refused(
        editor,
        shop,
        {**changed, "penalty-amount:business-hours-support": "250.999"},
        "penalty-amount:business-hours-support",
    )
    assert shown == [
        "money-precision: 250.999 EUR has more decimals than EUR has (2 decimal(s), "
        'ISO 4217) — write the amount in whole EUR minor units, e.g. "251.00"'
    ]


def test_long_terms_are_kept_whole_and_too_long_ones_refused(
    shop: Shop, editor: Browser, form: dict[str, str]
) -> None:
    """The form re-sends every commitment's terms; text up to the API's 10,000 characters is
    kept whole (it was cut at 4,000 characters), in any script (Japanese, 3 bytes a character
    and 9 once form-encoded: the form used to refuse more than 64 KiB), and text longer than
    that is refused beside its field, never cut."""
    (field,) = [k for k in form if k.startswith("terms:") and "support" not in k][:1]
    long = "本契約の可用性は各暦月において測定される。" * 400 + " end"  # 8,404 characters
    assert len(long) > 4_000
    assert len(long.encode()) * 3 > 64 * 1024
    assert len(long) < 10_000
    draft = _draft(editor, shop, {**_base(form, "long terms"), field: long})
    named = field.removeprefix("terms:")
    (commitment,) = [c for c in draft["availability"] if c["name"] == named]
    assert commitment["terms"] == long
    too_long = "x" * 10_001
    shown = _refused(editor, shop, {**_base(form, "too long"), field: too_long}, field)
    assert shown[0].startswith(f"invalid-input: the terms of {named} are 10,001 characters")
