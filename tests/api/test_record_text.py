"""Text no store keeps, sent to the one-record writes: a NUL character (``\\u0000``, which
PostgreSQL's text cannot hold and SQLite would store) or a lone surrogate (``\\ud800``, no
UTF-8 encodes it) in a JSON string of ``POST``/``PATCH /tickets``, ``/incidents`` or a ticket's
pause/resume is answered 400 ``invalid-input`` naming the field — on SQLite and PostgreSQL
alike, never a store error or a 500 — and nothing is written (as a record file's row with it
is a bad row: ``tests/services/test_record_copy.py``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.support import Shop
from tests.api.test_postgres_api import pg_shop  # noqa: F401 - the fixture, on PostgreSQL

V1 = "/api/v1"
TICKET = {"id": "TXT-1", "customer": "globex", "priority": "P1", "created": "2026-11-20T09:00:00Z"}
INCIDENT = {"id": "INC-TXT-1", "services": ["checkout"], "start": "2026-11-20T10:00:00Z"}
NUL = ("\x00", "a NUL character (\\u0000)", "\\u0000")
LONE = ("\ud800", "a lone surrogate (\\ud800), which is not a character", "\\ud800")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Shop:
    name = "shop" if request.param == "sqlite" else "pg_shop"
    shop: Shop = request.getfixturevalue(name)
    return shop


def send(shop: Shop, method: str, path: str, body: dict[str, Any]) -> Any:
    """``body`` as JSON text with ``\\u`` escapes (the only way JSON carries these)."""
    return shop.client.request(
        method,
        f"{V1}{path}",
        shop.tokens["editor"],
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )


def put(body: dict[str, Any], where: str, value: str) -> dict[str, Any]:
    """``body`` with ``value`` at ``where`` (``services[0]``, ``status.status``)."""
    changed = json.loads(json.dumps(body))
    holder: Any = changed
    steps: list[str | int] = []
    for part in where.split("."):
        name, _, index = part.partition("[")
        steps.append(name)
        if index:
            steps.append(int(index.rstrip("]")))
    for step in steps[:-1]:
        holder = holder[step]
    holder[steps[-1]] = value
    return changed


# (method, path, body, field): the route's text fields, one at a time
CASES = [
    ("POST", "/tickets", TICKET, "id"),
    ("POST", "/tickets", TICKET, "customer"),
    ("POST", "/tickets", TICKET, "priority"),
    (
        "POST",
        "/tickets",
        {**TICKET, "history": [{"at": "2026-11-20T09:00:00Z", "status": "open"}]},
        "history[0].status",
    ),
    ("PATCH", "/tickets/GLX-0001", {"priority": "P2"}, "priority"),
    (
        "PATCH",
        "/tickets/GLX-0001",
        {"status": {"at": "2026-11-20T09:00:00Z", "status": "open"}},
        "status.status",
    ),
    ("POST", "/tickets/GLX-0001/pause", {"status": "waiting-on-customer"}, "status"),
    ("POST", "/tickets/GLX-0001/resume", {"status": "open"}, "status"),
    ("POST", "/incidents", INCIDENT, "id"),
    ("POST", "/incidents", INCIDENT, "services[0]"),
    ("POST", "/incidents", {**INCIDENT, "severity": "sev2"}, "severity"),
    ("POST", "/incidents", {**INCIDENT, "customers": ["globex"]}, "customers[0]"),
    ("PATCH", "/incidents/INC-1042", {"services": ["checkout"]}, "services[0]"),
    ("PATCH", "/incidents/INC-1042", {"severity": "sev2"}, "severity"),
    ("PATCH", "/incidents/INC-1042", {"customers": ["globex"]}, "customers[0]"),
]


@pytest.mark.parametrize("bad", [NUL, LONE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(
    ("method", "path", "body", "field"), CASES, ids=[f"{c[0]} {c[1]} {c[3]}" for c in CASES]
)
def test_text_no_store_keeps_is_a_400_naming_the_field(
    store: Shop,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    bad: tuple[str, str, str],
) -> None:
    character, what, escape = bad
    answer = send(store, method, path, put(body, field, f"ab{character}c"))
    assert answer.status_code == 400, answer.text
    said = answer.json()
    assert said["code"] == "invalid-input"
    assert said["message"] == f"{field} holds {what}"
    assert said["hint"] == f"remove {escape} from {field}"


def test_nothing_of_a_refused_record_is_written(store: Shop) -> None:
    refused = send(store, "POST", "/tickets", {**TICKET, "id": "TXT-2", "customer": "glo\x00bex"})
    assert refused.status_code == 400, refused.text
    assert store.client.get(f"{V1}/tickets/TXT-2", store.tokens["editor"]).status_code == 404
    refused = send(store, "POST", "/incidents", {**INCIDENT, "services": ["a", "b\ud800"]})
    assert refused.status_code == 400, refused.text
    missing = store.client.get(f"{V1}/incidents/INC-TXT-1", store.tokens["editor"])
    assert missing.status_code == 404
