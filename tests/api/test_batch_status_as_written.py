"""A status in an event batch (``PUT /event-batches/{key}``) is read as the JSON Lines ingest
reads it in a file, from the text the body writes (docs/ingest.md): a whole number written as
digits (``200``, and ``200.0`` as pandas writes integers) is accepted; ``2e2``, ``2E+2``,
``200.5``, ``true``, ``NaN``, ``Infinity``, ``1e400`` are rejected rows naming the row, the
``status`` field and the value as written, and the batch's other rows are stored.

Before, the body was parsed to Python values and written again: ``2e2`` became ``200.0`` and
was taken for 200, and ``NaN``, ``Infinity`` or ``1e400`` (no JSON orjson reads) refused the
whole batch as invalid JSON. The messages are those `covenant ingest events` gives for the
same line of a ``.jsonl`` file (tests/cli/test_status_as_written.py)."""

from __future__ import annotations

import pytest

from tests.api.support import Shop

V1 = "/api/v1"
GOOD = (
    b'{"timestamp": "2026-11-20T11:00:05Z", "service": "checkout", "status": 200, "latency_ms": 80}'
)


def _batch(shop: Shop, key: str, status: bytes) -> dict[str, object]:
    row = GOOD.replace(b'"status": 200', b'"status": ' + status).replace(b":05Z", b":06Z")
    answer = shop.client.request(
        "PUT",
        f"{V1}/event-batches/{key}",
        shop.tokens["editor"],
        content=b'{"events": [' + GOOD + b", " + row + b"]}",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


@pytest.mark.parametrize("status", [b"200", b"200.0", b"200.00", b'"200"'])
def test_a_status_written_as_digits_is_accepted(shop: Shop, status: bytes) -> None:
    answer = _batch(shop, f"digits-{status.hex()}", status)
    assert (answer["accepted"], answer["refused_count"], answer["refused"]) == (2, 0, [])


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (b"2e2", "2e2"),
        (b"2E+2", "2E+2"),
        (b"200.5", "200.5"),
        (b"1e400", "1e400"),
        (b"-200", "-200"),
        (b"true", "'true'"),
        (b"NaN", "'NaN'"),
        (b"Infinity", "'Infinity'"),
        (b"-Infinity", "'-Infinity'"),
    ],
)
def test_a_status_not_written_as_digits_is_a_refused_row(
    shop: Shop, status: bytes, shown: str
) -> None:
    answer = _batch(shop, f"not-digits-{status.hex()}", status)
    assert (answer["rows"], answer["accepted"], answer["refused_count"]) == (2, 1, 1)
    assert answer["refused"] == [
        {
            "row": 1,
            "code": "bad-value",
            "field": "status",
            "message": f"{shown} is not an HTTP status code",
        }
    ]
