"""One error body everywhere, ``{code, message, hint}``, with the CLI's codes; 4xx for bad input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

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
        (f"{V1}/customers/globex/statements/2026-13", 400, "invalid-period-option"),
        (f"{V1}/customers/globex/credits", 422, "invalid-input"),
        (f"{V1}/suggestions/slo/checkout-monthly?windows=0", 422, "invalid-input"),
        (f"{V1}/backtests/alerts/checkout-monthly?step=fast", 400, "invalid-input"),
        (f"{V1}/lint?margin=lots", 400, "invalid-input"),
        (f"{V1}/no/such/route", 404, "not-found"),
        (f"{V1}/audit?action=a%00b", 400, "invalid-input"),  # PostgreSQL text holds no NUL
        (f"{V1}/slos/check%00out", 400, "invalid-input"),
    ],
)
def test_bad_input_is_a_coded_4xx(shop: Shop, url: str, status: int, code: str) -> None:
    answer = shop.client.get(url, shop.tokens["admin"])
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    assert "hint" in body


def test_a_replay_that_ends_before_it_starts_names_both_instants(shop: Shop) -> None:
    # regression: the answer was "--from is not before --to", the CLI's options, with the
    # hint "run: covenant explain invalid-input"
    answer = shop.client.get(
        f"{V1}/backtests/alerts/checkout-monthly?from=2026-11-20T00:00:00Z&to=2026-11-13T00:00:00Z",
        shop.tokens["admin"],
    )
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "invalid-input"
    assert "2026-11-20T00:00:00Z is not before its end 2026-11-13T00:00:00Z" in (body["message"])
    assert "from=" in body["hint"]


@pytest.mark.parametrize(
    ("relative", "absolute"),
    [  # the shop's clock is 2026-11-20T12:00:00Z
        ("-7d", "2026-11-13T12:00:00Z"),
        ("-36h", "2026-11-19T00:00:00Z"),
        ("-1M", "2026-10-20T12:00:00Z"),
        ("now", "2026-11-20T12:00:00Z"),
        ("+1w", "2026-11-27T12:00:00Z"),
    ],
)
def test_at_takes_the_cli_relative_forms(shop: Shop, relative: str, absolute: str) -> None:
    """The answer's ``at`` is written with ``Z``; the parameter is read with ``Z`` or with an
    offset alike (``+00:00``, or the same instant at ``+01:00``)."""
    admin = shop.tokens["admin"]
    listed = shop.client.get(f"{V1}/agreements", admin, params={"at": relative}).json()
    assert listed["at"] == absolute
    moment = datetime.fromisoformat(absolute)
    for written in (
        absolute,
        absolute.replace("Z", "+00:00"),
        moment.astimezone(timezone(timedelta(hours=1))).isoformat(),
    ):
        same = shop.client.get(f"{V1}/agreements", admin, params={"at": written}).json()
        assert listed == same, written


def test_wrong_method_and_bad_body(shop: Shop) -> None:
    admin = shop.tokens["admin"]
    wrong = shop.client.request("PUT", f"{V1}/me", admin)
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method-not-allowed")
    bad = shop.client.request("POST", f"{V1}/tokens", admin, content=b"{not json")
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid-input")
    role = shop.client.request("POST", f"{V1}/tokens", admin, json={"role": "root"})
    assert (role.status_code, role.json()["code"]) == (400, "invalid-input")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{not json", "line 1, column 2"),
        ('{\n  "role": "viewer",\n  "label": x\n}', "line 3, column 12"),
        ('{"role": "viewer"', "line 1, column 18"),
    ],
)
def test_a_body_that_is_not_json_is_said_at_its_line_and_column(
    shop: Shop, text: str, where: str
) -> None:
    bad = shop.client.request(
        "POST",
        f"{V1}/tokens",
        shop.tokens["admin"],
        content=text.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid-input")
    assert bad.json()["message"].startswith(f"the request body is not valid JSON at {where}: ")
    assert "Content-Type: application/json" in bad.json()["hint"]


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


# --- 500s found by schemathesis (tests/api/test_schemathesis.py), each fixed and kept here ---


def test_an_escaped_surrogate_pair_in_agreement_terms_is_text(shop: Shop) -> None:
    """Regression: JSON bodies of the agreement routes were read by the YAML reader, which
    split an escaped pair ("\\ud83d\\ude00", how json.dumps writes 😀) into two lone halves,
    and the store failed on them (500)."""
    body = {"name": "sla-🚀", "customer": "globex", "version": {"reason": "🚀 launch"}}
    text = json.dumps(body)  # ensure_ascii: 🚀 is written as an escaped surrogate pair
    assert "\\ud83d\\ude80" in text
    answer = shop.client.request(
        "POST", f"{V1}/agreements", shop.tokens["editor"], content=text,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert answer.status_code == 422, answer.text  # no such name, but read as text
    assert answer.json()["code"] == "invalid-definition"
    assert "sla-🚀" in answer.json()["problems"][0]["where"]


@pytest.mark.parametrize(
    ("method", "path", "text"),
    [
        ("POST", "/tickets", '{"id": "\\ud800", "customer": "globex", "priority": "P1", '
         '"created": "2026-11-20T10:00:00Z"}'),
        ("POST", "/agreements", '{"name": "\\udc00x", "customer": "globex", "version": {}}'),
        ("PUT", "/event-batches/lone", '{"events": [{"service": "\\ud83d", "status": 200}]}'),
        ("POST", "/incidents", '{"id": "A\\u0000B", "services": ["checkout"], '
         '"start": "2026-11-20T10:00:00Z"}'),
    ],
)  # fmt: skip
def test_a_body_that_is_not_text_is_a_400(shop: Shop, method: str, path: str, text: str) -> None:
    """Regression: a lone surrogate (or a NUL, which PostgreSQL refuses) in a JSON body reached
    the store and failed there (500)."""
    answer = shop.client.request(
        method, f"{V1}{path}", shop.tokens["admin"], content=text,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid-input"), answer.text


def test_an_integer_past_64_bits_refuses_its_row_not_the_batch(shop: Shop) -> None:
    """Regression: orjson could not write such a row back for the reader (TypeError, 500)."""
    events = [
        {
            "timestamp": "2026-11-20T11:00:05Z",
            "service": "checkout",
            "status": 200,
            "latency_ms": 5,
        },
        {
            "timestamp": "2026-11-20T11:00:06Z",
            "service": "checkout",
            "status": 2**70,
            "latency_ms": 5,
        },
    ]
    answer = shop.client.request(
        "PUT", f"{V1}/event-batches/big-int", shop.tokens["admin"], json={"events": events}
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["accepted"], answer.json()["refused_count"]) == (1, 1), answer.text
    assert [r["row"] for r in answer.json()["refused"]] == [1]


def test_a_nul_names_its_parameter(shop: Shop) -> None:
    answer = shop.client.get(f"{V1}/audit?limit=5&actor=x%00", shop.tokens["admin"])
    assert answer.status_code == 400
    assert answer.json()["message"] == "query parameter 'actor' holds a NUL character (U+0000)"


def test_ticket_timers_at_a_far_instant_are_measured_up_to_now(shop: Shop) -> None:
    # once a 400 ("the at parameter 8999-01-01T00:00:00Z is too far after the period…": the
    # timers ran on to 8999 and the calendar could not be compiled so far); the time after now
    # has not happened, so the timers are measured up to now, as a statement is
    far = shop.client.get(f"{V1}/tickets/GLX-0001?at=8999-01-01T00:00:00Z", shop.tokens["admin"])
    assert far.status_code == 200, far.text
    now = shop.client.get(f"{V1}/tickets/GLX-0001", shop.tokens["admin"])
    assert now.status_code == 200, now.text
    assert far.json()["timers"] == now.json()["timers"]
    assert far.json()["measured_until"] == "2026-11-20T12:00:00Z"  # the shop's clock
    assert far.json()["not_yet_note"].startswith("8999-01-01T00:00:00Z is after now")


@pytest.mark.parametrize(
    "path",
    [
        "/customers/globex/statements/2026-10?at=8999-01-01T00:00:00Z",
        "/customers/globex/credits?period=2026-10&at=8999-01-01T00:00:00Z",
    ],
)
def test_a_statement_at_a_far_instant_is_measured_up_to_now(shop: Shop, path: str) -> None:
    answer = shop.client.get(f"{V1}{path}", shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    at_now = path.replace("8999-01-01T00:00:00Z", "2026-11-20T12:00:00Z")  # the shop's clock
    now = shop.client.get(f"{V1}{at_now}", shop.tokens["admin"])
    assert now.status_code == 200, now.text
    assert answer.json()["credits"] == now.json()["credits"]
    assert answer.json()["penalties"] == now.json()["penalties"]


def test_a_bad_expiry_is_named_as_the_expires_field(shop: Shop) -> None:
    made = shop.client.request(
        "POST",
        f"{V1}/tokens",
        shop.tokens["admin"],
        json={"role": "viewer", "expires": "2020-01-01"},
    )
    assert made.status_code == 400, made.text
    assert made.json()["message"] == "the expires field '2020-01-01' is not in the future"


def test_reversed_backtest_periods_are_named_as_first_and_last(shop: Shop) -> None:
    proposal = shop.workspace.parent / "proposals" / "initech-premium.yaml"
    answer = shop.client.request(
        "POST",
        f"{V1}/backtests/agreement",
        shop.tokens["viewer"],
        params={"first": "2026-10", "last": "2026-09"},
        content=proposal.read_text(),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 400, answer.text
    assert (
        answer.json()["message"]
        == "the first parameter 2026-10 is after the last parameter 2026-09"
    )
