"""A batch body that is not ``{"events": [object, …]}`` (at most 10,000) is refused whole with
``invalid-input`` (422), naming where, and nothing is written."""

from __future__ import annotations

import orjson
import pytest

from covenant.api.batch_count import first_over
from tests.api.support import Shop
from tests.api.test_writes import stored_total

V1 = "/api/v1"
ROW = {"timestamp": "2026-11-20T11:00:05Z", "service": "checkout", "status": 200, "latency_ms": 80}


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'{"events": [', "the request body is not valid JSON at line 1, column 13: "),
        (b"not json", "the request body is not valid JSON at line 1, column 1: "),
        (b"[]", "body:"),
        (b'"events"', "body:"),
        (b"{}", "body.events: Field required"),
        (b'{"event": []}', "body.events: Field required"),
        (b'{"events": {"0": {}}}', "body.events: Input should be a valid list"),
        (orjson.dumps({"events": [ROW, ROW, 7, ROW]}), "body.events.2: "),
        (orjson.dumps({"events": [ROW, None]}), "body.events.1: "),
        (
            orjson.dumps({"events": [ROW] * 10_001}),
            "body.events.10000: List should have at most 10000 items; row 10000",
        ),
    ],
)
def test_a_malformed_batch_is_refused_whole(shop: Shop, content: bytes, where: str) -> None:
    before = stored_total(shop, "checkout-availability")
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/malformed",
        shop.tokens["editor"],
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid-input"
    assert where in answer.json()["message"]
    assert stored_total(shop, "checkout-availability") == before


def test_a_body_of_millions_of_rows_is_refused_before_they_are_read(shop: Shop) -> None:
    """16 MiB of ``{}`` rows (5.6 million, within the body limit) is refused at row 10,000,
    found by its byte offset, before the rows are parsed (they took ~490 MiB to build)."""
    before = stored_total(shop, "checkout-availability")
    head = b'{"events": ['
    rows = (16 * 1024 * 1024 - len(head) - 2) // 3
    content = head + b"{}," * (rows - 1) + b"{}]}"
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/millions",
        shop.tokens["editor"],
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid-input"
    # row 10,000 starts after the head and 10,000 rows of "{},": byte 12 + 30,000
    assert (
        "body.events.10000: List should have at most 10000 items; row 10000 (0-based) starts "
        "at byte 30,012" in answer.json()["message"]
    )
    assert stored_total(shop, "checkout-availability") == before
    again = shop.client.request(
        "PUT",
        f"{V1}/event-batches/millions",
        shop.tokens["editor"],
        content=orjson.dumps({"events": [ROW]}),
    )
    assert again.status_code == 201, again.text  # the key was not recorded


def test_the_most_events_a_batch_may_hold_are_counted(shop: Shop) -> None:
    before = stored_total(shop, "checkout-availability")
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/largest",
        shop.tokens["editor"],
        content=orjson.dumps({"events": [ROW] * 10_000, "ignored": True}),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["accepted"] == 10_000, answer.text[:600]
    assert stored_total(shop, "checkout-availability") == before + 10_000


def test_the_openapi_document_describes_the_batch_body(shop: Shop) -> None:
    document = shop.client.get(f"{V1}/openapi.json").json()
    body = document["paths"][f"{V1}/event-batches/{{key}}"]["put"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True
    assert schema["required"] == ["events"]
    assert schema["properties"]["events"]["type"] == "array"
    assert schema["properties"]["events"]["maxItems"] == 10_000


def test_an_event_that_writes_a_key_twice_is_refused_as_in_a_file(shop: Shop) -> None:
    """A JSONL line that writes a key twice is a bad row (JSON readers keep the last value
    silently); the same row in a batch was counted with its last value (a 500 as a 200's
    status, or the other way round). It is refused now, naming the key; the others count."""
    before = stored_total(shop, "checkout-availability")
    twice = (
        b'{"timestamp": "2026-11-20T11:00:05Z", "service": "checkout", "status": 200, '
        b'"status" : 500, "latency_ms": 80}'
    )
    content = (
        b'{"events": [' + orjson.dumps(ROW) + b", " + twice + b", " + orjson.dumps(ROW) + b"]}"
    )
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/twice",
        shop.tokens["editor"],
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["accepted"], body["refused_count"]) == (2, 1), body
    (refused,) = body["refused"]
    assert refused["row"] == 1
    assert refused["code"] == "bad-row"
    assert refused["message"].startswith("key 'status' is written more than once"), refused
    assert stored_total(shop, "checkout-availability") == before + 2


def test_a_colon_inside_a_value_is_no_repeated_key(shop: Shop) -> None:
    row = {**ROW, "note": 'said "a": and "b" :'}
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/colons",
        shop.tokens["editor"],
        content=orjson.dumps({"events": [row]}),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["accepted"] == 1, answer.text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # 3 rows of 2 at most: row 2 starts after '{"events": [' (12 bytes) and "{}, {}, "
        (b'{"events": [{}, {}, {}]}', 20),
        (b'{"events": [{}, {}]}', None),
        # commas, brackets and an escaped quote inside strings are no rows
        (b'{"events": [{"s": "a,b,[\\",{"}, {}]}', None),
        # a list under another key, or nested deeper, is not the batch's events
        (b'{"other": [1, 2, 3], "a": {"events": [1, 2, 3]}, "events": []}', None),
        (b'[{"events": [1, 2, 3]}]', None),
    ],
)
def test_rows_are_counted_by_the_body_tokens(content: bytes, expected: int | None) -> None:
    assert first_over(content, 2) == expected


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_a_batch_not_written_in_utf8_is_refused(shop: Shop, encoding: str) -> None:
    """JSON over HTTP is UTF-8 without a byte order mark (RFC 8259, 8.1): a batch in UTF-16 or
    UTF-32, or with a BOM, is refused as invalid JSON, as orjson refuses it, and nothing is
    written — never read by the fallback for NaN/Infinity (``json`` reads every encoding)."""
    before = stored_total(shop, "checkout-availability")
    text = orjson.dumps({"events": [ROW]}).decode()
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/utf16-{encoding}",
        shop.tokens["editor"],
        content=text.encode(encoding),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid-input"
    assert "the request body is not valid JSON at line 1" in answer.json()["message"]
    assert stored_total(shop, "checkout-availability") == before
