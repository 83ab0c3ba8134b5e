"""The request bodies docs/api.md shows in its curl examples are sent, as written, to the demo
shop the doc's first lines make, and answered as the doc says. The event batch's example sent
a checkout row with a status only; the demo's checkout also has a latency SLI, so the row was
refused (`422 nothing-ingested`: "no latency_ms, needed by its SLI") where the doc says `201`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.api.support import Shop

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def curl_examples() -> list[tuple[str, str, str]]:
    """Each ``curl -X METHOD … URL -d 'BODY'`` of the doc: its method, path and body."""
    text = DOC.read_text(encoding="utf-8")
    found = []
    pattern = r"curl -X (\w+) [^`]*?http://127\.0\.0\.1:8080(\S+)\s*\\\n\s*-d '([^']*)'"
    for method, path, body in re.findall(pattern, text):
        found.append((method, path, body))
    return found


def test_the_event_batch_example_is_counted(shop: Shop) -> None:
    batches = [(m, p, b) for m, p, b in curl_examples() if p.startswith("/api/v1/event-batches/")]
    assert len(batches) == 1, batches
    method, path, body = batches[0]
    assert method == "PUT"
    first = shop.client.request(
        method, path, shop.tokens["editor"], content=body.encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert first.status_code == 201, first.text
    answer = first.json()
    rows = len(json.loads(body)["events"])
    assert (answer["rows"], answer["accepted"], answer["refused_count"]) == (rows, rows, 0)
