"""The row filters of `covenant exposure`, `covenant agreements list` and `covenant lint`
(``--customer``, ``--agreement``, ``--status``) as query parameters of their routes: the demo
shop has two agreements, globex-enterprise (Globex) and initech-standard (Initech), both
active, both with a credit locked in this November (`exposure` shows them "owed")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.api.support import Shop

V1 = "/api/v1"


def _get(shop: Shop, path: str, params: dict[str, Any], role: str = "viewer") -> Any:
    answer = shop.client.get(f"{V1}{path}", shop.tokens[role], params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _exposed(answer: Any) -> list[tuple[str, list[str]]]:
    return [
        (c["customer"], [m["agreement"] for m in c["commitments"]]) for c in answer["customers"]
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [("globex", ["globex-enterprise"]), ("initech", ["initech-standard"])]),
        ({"customer": "initech"}, [("initech", ["initech-standard"])]),
        ({"customer": "Globex Corporation"}, [("globex", ["globex-enterprise"])]),  # its name
        ({"agreement": "glob*"}, [("globex", ["globex-enterprise"])]),
        ({"status": "owed", "customer": ["initech", "globex"]}, None),  # both: every row
        # no credit row is anything but owed; Globex's support rows (no tickets) are kept
        ({"status": ["ok", "at-risk", "no-forecast"]}, [("globex", [])]),
        ({"customer": "nobody"}, []),
    ],
)
def test_exposure_keeps_the_commitments_the_filters_match(
    shop: Shop, params: dict[str, Any], expected: list[tuple[str, list[str]]] | None
) -> None:
    every = [("globex", ["globex-enterprise"]), ("initech", ["initech-standard"])]
    answer = _get(shop, "/exposure", {"at": "2026-11-20T12:00:00Z", **params})
    assert _exposed(answer) == (every if expected is None else expected)
    # the portfolio's totals stay the whole portfolio's, as the command's JSON
    whole = _get(shop, "/exposure", {"at": "2026-11-20T12:00:00Z"})
    assert answer["portfolio"] == whole["portfolio"]


def test_exposure_route_prices_support_as_the_statement_does(shop: Shop) -> None:
    """Globex's two support commitments (docs/exposure.md "Support"): the penalty owed if the
    period ended now is the statement's penalty of the period, read at the same instant (0.00
    when met); the hand-worked cases are tests/services/test_exposure_support.py."""
    at = {"at": "2026-11-20T12:00:00Z"}
    answer = _get(shop, "/exposure", {**at, "customer": "globex"})
    (globex,) = answer["customers"]
    statement = _get(shop, "/customers/globex/statements/2026-11", at, role="admin")
    owed = {s["commitment"]: (s["met"], s["penalty"]) for s in statement["support"]}
    assert len(owed) == len(globex["support"]) == 2
    for s in globex["support"]:
        met, penalty = owed[s["commitment"]]
        assert s["state"] == {True: "met", False: "missed"}[met]
        assert s["penalty_incurred"] == (penalty or {"amount": "0.00", "currency": "EUR"})
        worst = s["penalty_worst_case"]
        assert Decimal(worst["amount"]) >= Decimal(s["penalty_incurred"]["amount"])
    assert globex["support_penalty_incurred"] == statement["penalties"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["globex-enterprise", "initech-standard"]),
        ({"customer": "globex"}, ["globex-enterprise"]),
        ({"agreement": "*-standard"}, ["initech-standard"]),
        ({"status": "active"}, ["globex-enterprise", "initech-standard"]),
        ({"status": ["draft", "none", "tampered"]}, []),
        ({"customer": "initech", "agreement": "globex-*"}, []),
    ],
)
def test_agreements_keeps_those_the_filters_match(
    shop: Shop, params: dict[str, Any], expected: list[str]
) -> None:
    answer = _get(shop, "/agreements", params)
    assert [a["agreement"] for a in answer["items"]] == expected


def test_a_customer_token_filters_only_its_own_agreements(shop: Shop) -> None:
    own = _get(shop, "/agreements", {"customer": "*"}, role="customer:globex")
    assert [a["agreement"] for a in own["items"]] == ["globex-enterprise"]
    other = _get(shop, "/agreements", {"customer": "initech"}, role="customer:globex")
    assert other["items"] == []


def test_lint_judges_only_the_agreements_named(shop: Shop) -> None:
    answer = _get(shop, "/lint", {"agreement": "initech-standard"})
    assert answer["findings"]
    assert {f["agreement"] for f in answer["findings"]} == {"initech-standard"}
    assert answer["summary"]["findings"] == len(answer["findings"])
    every = _get(shop, "/lint", {})
    assert answer["summary"]["findings"] < every["summary"]["findings"]


@pytest.mark.parametrize(
    ("path", "value", "allowed"),
    [
        ("/exposure", "late", "owed, at-risk, ok, no-forecast"),
        (
            "/agreements",
            "live",
            "draft, proposed, signed, active, superseded, expired, terminated, none, tampered",
        ),
    ],
)
def test_an_unknown_status_is_refused_naming_the_parameter_and_the_choices(
    shop: Shop, path: str, value: str, allowed: str
) -> None:
    answer = shop.client.get(f"{V1}{path}", shop.tokens["viewer"], params={"status": value})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "invalid-input"
    assert body["message"] == f"status={value!r} is not a status here"
    assert body["hint"] == f"give one of: {allowed}"
