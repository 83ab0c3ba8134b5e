"""A JSON body that writes a key twice is refused, never read as its last value.

JSON readers keep the last value of a repeated key silently: ``POST /incidents`` with
``"end"`` written twice, the second ``null``, stored an open incident (downtime until now, and
credits owed for it). A record file's row that does so is a bad row (``sources.recordrows``);
a request body is refused whole, before any route reads it (``api.body_keys``), 400
``invalid-input`` naming the key, where it is (a JSON path) and the fix — at any depth, and
two spellings of one name at the top level (``end`` and ``End``), which the records reader
reads as one column. An event batch's rows are a file's lines: a row that writes a key twice
is that row's refusal (``test_batch_body``); the batch's own keys are checked as any body's.
"""

from __future__ import annotations

import orjson
import pytest

from covenant.sources.repeated_keys import first_repeat
from tests.api.support import Shop
from tests.api.test_writes import stored_total

V1 = "/api/v1"
JSON = {"Content-Type": "application/json"}
ROW = {"timestamp": "2026-11-20T11:00:05Z", "service": "checkout", "status": 200, "latency_ms": 80}


def _post(shop: Shop, method: str, path: str, content: bytes) -> dict[str, str]:
    answer = shop.client.request(
        method, f"{V1}{path}", shop.tokens["editor"], content=content, headers=JSON
    )
    assert answer.status_code == 400, answer.text
    body: dict[str, str] = answer.json()
    assert body["code"] == "invalid-input", body
    return body


def test_an_incident_that_writes_end_twice_is_refused_and_not_stored(shop: Shop) -> None:
    content = (
        b'{"id": "INC-9201", "services": ["checkout"], "start": "2026-11-20T10:00:00Z", '
        b'"end": "2026-11-20T10:30:00Z", "end": null}'
    )
    body = _post(shop, "POST", "/incidents", content)
    assert body["message"] == (
        "the request body writes the key 'end' twice (at end): a JSON reader keeps only the "
        "last value, so it is not read"
    )
    assert body["hint"] == "write each key once, with the value meant"
    missing = shop.client.get(f"{V1}/incidents/INC-9201", shop.tokens["editor"])
    assert missing.status_code == 404


def test_a_key_written_twice_deeper_is_named_with_its_path(shop: Shop) -> None:
    content = (
        b'{"id": "GLX-9201", "customer": "globex", "priority": "P1", '
        b'"created": "2026-11-20T09:00:00Z", "history": ['
        b'{"at": "2026-11-20T09:00:00Z", "status": "open"}, '
        b'{"at": "2026-11-20T09:10:00Z", "status": "open", "status" : "waiting-on-customer"}]}'
    )
    body = _post(shop, "POST", "/tickets", content)
    assert "the key 'status' twice (at history[1].status)" in body["message"], body
    assert shop.client.get(f"{V1}/tickets/GLX-9201", shop.tokens["editor"]).status_code == 404


def test_two_spellings_of_one_name_at_the_top_are_refused(shop: Shop) -> None:
    content = (
        b'{"id": "INC-9202", "services": ["checkout"], "start": "2026-11-20T10:00:00Z", '
        b'"end": "2026-11-20T10:30:00Z", "End ": "2026-11-20T12:00:00Z"}'
    )
    body = _post(shop, "POST", "/incidents", content)
    assert body["message"] == (
        "the request body writes the keys 'end' and 'End ' (at End ), which name the same "
        "field: only one would be read"
    )
    assert body["hint"] == "write the key once, as 'end'"
    assert shop.client.get(f"{V1}/incidents/INC-9202", shop.tokens["editor"]).status_code == 404


def test_a_patch_is_checked_as_a_post(shop: Shop) -> None:
    made = shop.client.request(
        "POST",
        f"{V1}/incidents",
        shop.tokens["editor"],
        json={"id": "INC-9203", "services": ["checkout"], "start": "2026-11-20T10:00:00Z"},
    )
    assert made.status_code == 201, made.text
    body = _post(
        shop,
        "PATCH",
        "/incidents/INC-9203",
        b'{"end": "2026-11-20T10:30:00Z", "severity": "sev1", "severity": "sev3"}',
    )
    assert "the key 'severity' twice (at severity)" in body["message"]
    seen = shop.client.get(f"{V1}/incidents/INC-9203", shop.tokens["editor"]).json()
    assert (seen["end"], seen["severity"]) == (None, "")


def test_a_batch_that_writes_events_twice_is_refused_whole(shop: Shop) -> None:
    before = stored_total(shop, "checkout-availability")
    rows = orjson.dumps([ROW])
    content = b'{"events": ' + rows + b', "events": ' + rows + b"}"
    body = _post(shop, "PUT", "/event-batches/events-twice", content)
    assert "the key 'events' twice (at events)" in body["message"], body
    assert stored_total(shop, "checkout-availability") == before


@pytest.mark.parametrize(
    "content",
    [
        # a key-like text inside a value is no key
        b'{"id": "INC-9204", "services": ["checkout"], "start": "2026-11-20T10:00:00Z", '
        b'"severity": "said \\"end\\": twice"}',
        # the same key in two different objects is no repeat
        b'{"id": "INC-9205", "services": ["checkout"], "start": "2026-11-20T10:00:00Z", '
        b'"customers": []}',
    ],
)
def test_keys_written_once_are_taken(shop: Shop, content: bytes) -> None:
    answer = shop.client.request(
        "POST", f"{V1}/incidents", shop.tokens["editor"], content=content, headers=JSON
    )
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("raw", "rows", "expected"),
    [
        (b'{"a": {"b": 1, "b": 2}}', None, ("b", "b", "a.b")),
        (b'[{"x": 1}, {"x": 1, "y": [{"z": 0, "z"\t: 1}]}]', None, ("z", "z", "[1].y[0].z")),
        # an outer object's repeat is said before one inside it
        (b'{"p": {"q": 1, "q": 2}, "r": 1, "r": 2}', None, ("r", "r", "r")),
        (b'{"p": {"q": 1, "q": 2}, "s": {"r": 1, "r": 2}}', None, ("q", "q", "p.q")),
        # an event batch's rows are checked as a file's lines, its own keys as any body's
        (b'{"events": [{"s": 1, "s": 2}]}', "events", None),
        (b'{"events": [{"s": 1, "s": 2}]}', None, ("s", "s", "events[0].s")),
        (b'{"events": [], "events": [{}]}', "events", ("events", "events", "events")),
        # read as json reads NaN (orjson refuses it): still checked
        (b'{"v": NaN, "v": 1}', None, ("v", "v", "v")),
        # two spellings at the top level; deeper, names may differ in case (labels)
        (b'{"end": 1, " END": 2}', None, ("end", " END", " END")),
        (b'{"labels": {"Team": "a", "team": "b"}}', None, None),
        (b'{"a": "\\"a\\": 1", "b": "x"}', None, None),
        (b"not json", None, None),
    ],
)
def test_the_first_repeat_is_found_where_it_is_written(
    raw: bytes, rows: str | None, expected: tuple[str, str, str] | None
) -> None:
    found = first_repeat(raw, rows=rows)
    assert (None if found is None else (found.first, found.second, found.path)) == expected
