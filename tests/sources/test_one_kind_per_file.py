"""A file's rows are one kind, decided once for the whole file; a cell is empty only when empty.

A JSONL file mixing raw events and pre-counted rows used to be read per batch: a batch with a
pre-counted line took every line of it as pre-counted (its raw lines rejected for their
missing counts), a batch without one took its lines as raw events, so what was counted
depended on where the batches happened to fall. And the CSV reader took the text "NaN", "NA"
or "null" in a cell for an empty cell, so a latency written NaN read as a missing one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from covenant.core.model import EventRule
from covenant.errors import IngestError
from covenant.sources.events import iter_classified, read_events

AVAIL = EventRule(series="checkout-availability", sli="checkout")
FAST = EventRule(series="checkout-fast", sli="fast", latency_ms=None)


def raw(i: int) -> str:
    return json.dumps(
        {
            "timestamp": f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
            "sli": "checkout",
            "status": 200,
        }
    )


def counted(i: int) -> str:
    return json.dumps(
        {
            "timestamp": f"2026-01-01T01:{i // 60:02d}:{i % 60:02d}Z",
            "sli": "checkout-availability",
            "good": 9,
            "total": 10,
        }
    )


def test_raw_and_pre_counted_lines_in_one_batch_are_refused_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(f"{raw(0)}\n\n{counted(0)}\n{raw(1)}\n")
    with pytest.raises(IngestError) as caught:
        read_events(path, rules=[AVAIL])
    assert caught.value.message.startswith(
        "e.jsonl:1 is a raw event and e.jsonl:3 a pre-counted row (good, total): one file holds "
        "one kind of row"
    )
    assert "separate files" in caught.value.hint


@pytest.mark.parametrize("counted_first", [False, True])
def test_the_kind_is_decided_once_for_the_whole_file(tmp_path: Path, counted_first: bool) -> None:
    """300 lines of one kind, then one of the other, read in small batches (the batches before
    the last hold only the first kind): the file is refused, naming line 301 and a line of the
    first kind."""
    first, odd = (counted, raw) if counted_first else (raw, counted)
    path = tmp_path / "e.jsonl"
    path.write_text("\n".join([*(first(i) for i in range(300)), odd(0)]) + "\n")
    batches = [0]

    def read_all() -> None:
        for _ in iter_classified(path, rules=[AVAIL], block_bytes=4096):
            batches[0] += 1

    with pytest.raises(IngestError) as caught:
        read_all()
    assert batches[0] > 3  # batches of the first kind alone came before
    with pytest.raises(IngestError) as again:
        read_events(path, rules=[AVAIL], block_bytes=4096)
    assert again.value.message == caught.value.message
    found = re.match(
        r"e\.jsonl:(\d+) is a raw event and e\.jsonl:(\d+) a pre-counted row", caught.value.message
    )
    assert found is not None, caught.value.message
    raw_at, counted_at = int(found[1]), int(found[2])
    assert (counted_at if counted_first else raw_at) <= 300
    assert (raw_at if counted_first else counted_at) == 301


def test_a_later_batch_of_the_other_kind_is_refused(tmp_path: Path) -> None:
    """The first batch decides: a whole later batch of the other kind names its first line."""
    path = tmp_path / "e.jsonl"
    head = [raw(i) for i in range(100)]
    path.write_text("\n".join(head) + "\n" + "\n".join(counted(i) for i in range(100)) + "\n")
    batches = iter_classified(path, rules=[AVAIL], block_bytes=len("\n".join(head)) + 1)
    with pytest.raises(IngestError) as caught:
        list(batches)
    assert caught.value.message.startswith(
        "e.jsonl:1 is a raw event and e.jsonl:101 a pre-counted row (good, total)"
    )


def test_one_kind_in_many_batches_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text("\n".join(counted(i) for i in range(300)) + "\n")
    result = read_events(path, rules=[AVAIL], block_bytes=4096)
    assert (result.rows_read, result.rows_ingested) == (300, 300)
    assert int(result.counts.total.sum()) == 3000  # 300 rows of total 10
    assert int(result.counts.good.sum()) == 2700


def test_a_pre_counted_row_without_counts_or_outcome_stays_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    line = '{"timestamp":"2026-01-01T02:00:00Z","sli":"checkout-availability"}'
    path.write_text(counted(0) + "\n" + line + "\n")
    result = read_events(path, rules=[AVAIL])
    assert result.rows_ingested == 1
    assert [(p.where, p.field) for p in result.problems] == [("e.jsonl:2", "good")]


def test_nan_and_na_cells_are_values_not_empty_cells(tmp_path: Path) -> None:
    rule = EventRule(series="checkout-availability", sli="checkout")
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status\n"
        "2026-01-01T00:00:00Z,checkout,NaN\n"
        "2026-01-01T00:00:01Z,checkout,nan\n"
        "2026-01-01T00:00:02Z,checkout,NA\n"
        "2026-01-01T00:00:03Z,checkout,null\n"
        "2026-01-01T00:00:04Z,checkout,\n"
        "2026-01-01T00:00:05Z,checkout,200\n"
    )
    result = read_events(path, rules=[rule])
    assert result.rows_ingested == 1
    found = [(p.where, p.field, p.code, p.message) for p in result.problems]
    assert found == [
        ("e.csv:2", "status", "bad-value", "'NaN' is not an HTTP status code"),
        ("e.csv:3", "status", "bad-value", "'nan' is not an HTTP status code"),
        ("e.csv:4", "status", "bad-value", "'NA' is not an HTTP status code"),
        ("e.csv:5", "status", "bad-value", "'null' is not an HTTP status code"),
        ("e.csv:6", "outcome", "missing-value", "no outcome or status to tell good from bad"),
    ]


def test_a_column_of_only_nan_names_each_line(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status,latency_ms\n"
        "2026-01-01T00:00:00Z,checkout,200,NaN\n"
        "2026-01-01T00:00:01Z,checkout,200,NaN\n"
    )
    result = read_events(path, rules=[AVAIL])
    assert result.rows_ingested == 0
    assert [(p.where, p.field) for p in result.problems] == [
        ("e.csv:2", "latency_ms"),
        ("e.csv:3", "latency_ms"),
    ]
    assert all("not a number of milliseconds" in p.message for p in result.problems)
