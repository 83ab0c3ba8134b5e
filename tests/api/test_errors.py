"""One error body everywhere, ``{code, message, hint}``, with the CLI's codes; 4xx for bad input."""

from __future__ import annotations

import pytest

from tests.api.support import Shop

V1 = "/api/v1"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        (f"{V1}/evaluations?at=2026-11-01", 400, "invalid-instant-option"),
        (f"{V1}/evaluations?at=2026-11-01T10:00:00", 400, "invalid-instant-option"),
        (f"{V1}/evaluations?at=yesterday", 400, "invalid-instant-option"),
        (f"{V1}/evaluations?at=-999999d", 400, "invalid-instant-option"),
        (f"{V1}/evaluations?status=purple", 400, "invalid-input"),
        (f"{V1}/evaluations/no-such-slo", 404, "not-found"),
        (f"{V1}/slos/no-such-slo", 404, "not-found"),
        (f"{V1}/agreements/no-such/versions/0", 422, "invalid-input"),
        (f"{V1}/customers/globex/statements/2026-13", 400, "invalid-input"),
        (f"{V1}/customers/globex/credits", 422, "invalid-input"),
        (f"{V1}/suggestions/slo/checkout-monthly?windows=0", 422, "invalid-input"),
        (f"{V1}/backtests/alerts/checkout-monthly?step=fast", 400, "invalid-input"),
        (f"{V1}/lint?margin=lots", 400, "invalid-input"),
        (f"{V1}/no/such/route", 404, "not-found"),
    ],
)
def test_bad_input_is_a_coded_4xx(shop: Shop, url: str, status: int, code: str) -> None:
    answer = shop.client.get(url, shop.tokens["admin"])
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    assert "hint" in body


@pytest.mark.parametrize(
    ("relative", "absolute"),
    [  # the shop's clock is 2026-11-20T12:00:00Z
        ("-7d", "2026-11-13T12:00:00+00:00"),
        ("-36h", "2026-11-19T00:00:00+00:00"),
        ("-1M", "2026-10-20T12:00:00+00:00"),
        ("now", "2026-11-20T12:00:00+00:00"),
        ("+1w", "2026-11-27T12:00:00+00:00"),
    ],
)
def test_at_takes_the_cli_relative_forms(shop: Shop, relative: str, absolute: str) -> None:
    admin = shop.tokens["admin"]
    listed = shop.client.get(f"{V1}/agreements", admin, params={"at": relative}).json()
    assert listed["at"] == absolute
    same = shop.client.get(f"{V1}/agreements", admin, params={"at": absolute}).json()
    assert listed == same


def test_wrong_method_and_bad_body(shop: Shop) -> None:
    admin = shop.tokens["admin"]
    wrong = shop.client.request("PUT", f"{V1}/me", admin)
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method-not-allowed")
    bad = shop.client.request("POST", f"{V1}/tokens", admin, content=b"{not json")
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid-input")
    role = shop.client.request("POST", f"{V1}/tokens", admin, json={"role": "root"})
    assert (role.status_code, role.json()["code"]) == (400, "invalid-input")


def test_the_openapi_document_documents_every_route(shop: Shop) -> None:
    document = shop.client.get(f"{V1}/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "ErrorBody" in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            where = f"{method.upper()} {path}"
            assert operation.get("description") or operation.get("summary"), where
            for status in ("401", "403", "404"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, where
            assert operation.get("security") == [{"HTTPBearer": []}], where
