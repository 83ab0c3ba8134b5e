"""A JSONL line that names a key twice is a bad row, never "the last value wins".

`{"latency_ms": 5, "latency_ms": 900}` was read as a 900 ms request, silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.core.model import Comparison, EventRule, Operator
from covenant.sources.events import read_events

FAST = EventRule(
    series="checkout-latency",
    sli="checkout-latency",
    latency_ms=Comparison(op=Operator.LTE, threshold=300),
)
T = '"timestamp":"2026-01-01T00:00:0{}Z","sli":"checkout-latency"'


def ingest(tmp_path: Path, *lines: str) -> tuple[int, list[tuple[str, str]], int]:
    path = tmp_path / "e.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = read_events(path, rules=[FAST])
    good = int(result.counts.good.sum())
    return result.rows_ingested, [(p.where, p.message) for p in result.problems], good


def repeated(line: int, key: str) -> tuple[str, str]:
    return (
        f"e.jsonl:{line}",
        f"key {key!r} is written more than once on the line (the JSON reader would keep only "
        "the last) — write each key once",
    )


def test_a_repeated_key_is_a_bad_row_naming_the_line_and_key(tmp_path: Path) -> None:
    rows, problems, good = ingest(
        tmp_path,
        "{" + T.format(0) + ',"latency_ms":5,"latency_ms":900}',
        "{" + T.format(1) + ',"latency_ms":5}',
        "{" + T.format(2).replace('"sli":', '"sli" : "x", "sli":') + ',"latency_ms":null}',
    )
    assert problems == [repeated(1, "latency_ms"), repeated(3, "sli")]
    assert (rows, good) == (1, 1)  # only line 2, a fast request


@pytest.mark.parametrize(
    "line",
    [
        '"latency_ms":5,"note":"a \\"quoted\\": colon"',  # ": inside a string value
        '"latency_ms":5,"labels":{"a":1,"b":2}',  # a nested object's keys
        '"latency_ms":5,"labels":{"a":1,"a":2}',  # repeated only inside the nested object
        '"latency_ms":5,"note":null,"other":null',
    ],
)
def test_lines_that_only_look_repeated_are_read(tmp_path: Path, line: str) -> None:
    rows, problems, good = ingest(tmp_path, "{" + T.format(0) + "," + line + "}")
    assert (rows, problems, good) == (1, [], 1)


def test_a_repeated_key_on_a_line_read_slowly_is_found_too(tmp_path: Path) -> None:
    """A column of mixed types sends its lines to the line-by-line reader."""
    rows, problems, _ = ingest(
        tmp_path,
        "{" + T.format(0) + ',"latency_ms":5}',
        "{" + T.format(1) + ',"latency_ms":[1],"status":200}',
        "{" + T.format(2) + ',"latency_ms":"7","latency_ms":"900"}',
    )
    assert repeated(3, "latency_ms") in problems
    assert rows == 1


@pytest.mark.parametrize(
    "second",
    [
        '"latency_ms"  :900',  # two spaces before the colon
        '"latency_ms"\t:900',  # a tab
        '"latency_ms" \t \r:900',  # any JSON whitespace but a line break
        '"latency_ms"' + " " * 40 + ":900",  # a long run
    ],
)
def test_a_repeated_key_with_whitespace_before_its_colon_is_found(
    tmp_path: Path, second: str
) -> None:
    """JSON allows any whitespace between a key and its colon: each spelling is a key."""
    rows, problems, good = ingest(
        tmp_path,
        "{" + T.format(0) + ',"latency_ms":5,' + second + "}",
        "{" + T.format(1) + ',"latency_ms":5}',
    )
    assert problems == [repeated(1, "latency_ms")]
    assert (rows, good) == (1, 1)


def test_a_colon_after_whitespace_inside_a_value_is_no_key(tmp_path: Path) -> None:
    rows, problems, good = ingest(
        tmp_path, "{" + T.format(0) + ',"latency_ms":5,"note":"error  : timeout \\"x\\"  :"}'
    )
    assert (rows, problems, good) == (1, [], 1)
