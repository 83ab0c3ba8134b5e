"""The fix of a line longer than 32 MiB keeps the lines before it only when they hold a
record: a CSV whose line 2 is the long one has only its header before it, and `head -n 1`
made a file that `ingest` refuses as "holds no event rows"; "the 1 lines" read wrong too."""

from __future__ import annotations

import pytest

from covenant.sources import eventblocks


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eventblocks, "MAX_LINE_BYTES", 64)


def _fix(name: str, line: int) -> str:
    error = eventblocks.overlong_line(name, b"x" * 100, line=line, start=40, gz=False)
    return error.hint or ""


def test_a_csv_long_line_after_its_header_alone_offers_no_head() -> None:
    assert "head -n" not in _fix("e.csv", 2)
    assert "before it" not in _fix("e.csv", 2)


def test_the_lines_before_are_counted_in_words_that_fit() -> None:
    assert "; to ingest the 2 lines before it: head -n 2 e.csv > e-head.csv" in _fix("e.csv", 3)
    assert "; to ingest the line before it: head -n 1 e.jsonl > e-head.jsonl" in _fix("e.jsonl", 2)
