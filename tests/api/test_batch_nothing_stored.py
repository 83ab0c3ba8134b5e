"""A batch of which no row is stored is refused, not recorded: the corrected batch sent again
under the same key is applied, not answered as a duplicate of the refused one.

Before, every row refused still recorded the key (201, accepted 0), so the client's fixed
resend under that key was a 200 "duplicate" that stored nothing. The CLI refuses such a file
with `nothing-ingested` and does not record it; the API now does the same, with the refused
rows in the answer. A batch with one row stored keeps the row-by-row 201 answer.
"""

from __future__ import annotations

from tests.api.support import Shop
from tests.api.test_writes import V1, stored_total

BAD = [
    {"timestamp": "yesterday", "service": "checkout", "status": 200},
    {"timestamp": "2026-11-20T11:00:06Z", "service": "checkout", "status": "fine"},
]
FIXED = [
    {"timestamp": "2026-11-20T11:00:05Z", "service": "checkout", "status": 200, "latency_ms": 80},
    {"timestamp": "2026-11-20T11:00:06Z", "service": "checkout", "status": 503, "latency_ms": 90},
]
UNMATCHED = [{"timestamp": "2026-11-20T11:00:05Z", "service": "no-such-service", "status": 200}]


def put(shop: Shop, key: str, events: list[dict[str, object]]) -> tuple[int, dict[str, object]]:
    answer = shop.client.request(
        "PUT", f"{V1}/event-batches/{key}", shop.tokens["editor"], json={"events": events}
    )
    return answer.status_code, answer.json()


def test_an_all_refused_batch_is_refused_and_its_fixed_resend_is_applied(shop: Shop) -> None:
    before = stored_total(shop, "checkout-availability")

    status, answer = put(shop, "edge-1", BAD)

    assert status == 422, answer
    assert answer["code"] == "nothing-ingested"
    assert "batch 'edge-1'" in answer["message"]
    assert "none of its 2 rows was ingested" in answer["message"]
    assert "same key" in answer["hint"]
    assert (answer["rows"], answer["accepted"], answer["refused_count"]) == (2, 0, 2)
    assert [r["row"] for r in answer["refused"]] == [0, 1]
    assert stored_total(shop, "checkout-availability") == before

    status, answer = put(shop, "edge-1", FIXED)

    assert status == 201, answer
    assert answer["duplicate_of"] is None
    assert answer["accepted"] == 2
    assert stored_total(shop, "checkout-availability") == before + 2


def test_a_batch_whose_rows_all_match_no_sli_is_refused_too(shop: Shop) -> None:
    status, answer = put(shop, "edge-2", UNMATCHED)
    assert status == 422, answer
    assert answer["code"] == "nothing-ingested"
    assert answer["unmatched"] == {"service=no-such-service": 1}
    assert answer["unmatched_count"] == 1
    status, answer = put(shop, "edge-2", FIXED)
    assert (status, answer["duplicate_of"]) == (201, None)


def test_a_partly_refused_batch_keeps_its_row_by_row_answer(shop: Shop) -> None:
    status, answer = put(shop, "edge-3", [FIXED[0], BAD[0]])
    assert status == 201, answer
    assert (answer["accepted"], answer["refused_count"]) == (1, 1)
    assert [r["row"] for r in answer["refused"]] == [1]
    status, again = put(shop, "edge-3", [FIXED[0], BAD[0]])
    assert status == 200
    assert again["duplicate_of"] is not None


def test_a_batch_refused_whole_names_the_batch_not_a_file_the_client_never_sent(
    shop: Shop,
) -> None:
    """Events without any sli or service are refused whole (`ingest-error`); the message
    began with `batch.jsonl:`, the name of the server's temporary file, which the client
    never sent. It names the batch by its key, as `nothing-ingested` does."""
    status, answer = put(shop, "edge-3", [{"timestamp": "2026-11-20T11:00:05Z", "status": 200}])
    assert status == 400, answer
    assert answer["code"] == "ingest-error"
    assert "batch.jsonl" not in answer["message"] + answer["hint"]
    assert answer["message"].startswith("batch 'edge-3': no 'sli' or 'service'"), answer
