"""Deeply nested ticket and incident JSON: a bad row or a coded error with file:line, never a
RecursionError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from covenant.errors import IngestError
from covenant.sources.recordfiles import MAX_DEPTH
from covenant.sources.records import read_incidents, read_tickets
from tests.sources.test_records import INCIDENTS, ticket_objects, write


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH, 1000, 100_000])
def test_a_deep_jsonl_line_is_a_bad_row_and_the_others_are_read(tmp_path: Path, depth: int) -> None:
    good = json.dumps(ticket_objects()[0])
    deep = good[:-1] + f', "extra": {nested(depth)}}}'
    path = write(tmp_path, "t.jsonl", "\n".join([good, deep, good.replace("T-1", "T-9")]) + "\n")
    parsed = read_tickets(path)
    # the record's own braces count: "extra" at depth d sits at d + 1 levels
    assert [(p.where, p.code, p.message) for p in parsed.problems] == [
        ("t.jsonl:2", "bad-row", f"line is nested more than {MAX_DEPTH} levels deep")
    ]
    assert [t.id for t in parsed.records] == ["T-1", "T-9"]


def test_a_record_at_the_depth_limit_is_read(tmp_path: Path) -> None:
    good = ticket_objects()[0]
    good["extra"] = json.loads(nested(MAX_DEPTH - 1))  # 1 (record) + 63 = 64 levels
    parsed = read_tickets(write(tmp_path, "t.jsonl", json.dumps(good) + "\n"))
    assert parsed.problems == ()
    assert [t.id for t in parsed.records] == ["T-1"]


def test_a_deep_element_of_a_json_array_is_a_bad_row(tmp_path: Path) -> None:
    deep = {**INCIDENTS[0], "id": "INC-DEEP", "notes": json.loads(nested(200))}
    text = json.dumps([INCIDENTS[0], deep], indent=1)
    path = write(tmp_path, "i.json", text)
    parsed = read_incidents(path)
    second = [n for n, line in enumerate(text.splitlines(), 1) if line == " {"][1]
    assert [(p.where, p.code) for p in parsed.problems] == [(f"i.json:{second}", "bad-row")]
    assert [i.id for i in parsed.records] == [INCIDENTS[0]["id"]]


@pytest.mark.parametrize("name", ["t.json", "t.jsonl"])
def test_nesting_past_the_parser_is_refused_with_file_and_line(tmp_path: Path, name: str) -> None:
    body = nested(100_000)
    text = f"[\n{body}\n]\n" if name == "t.json" else f"{body}\n"
    path = write(tmp_path, name, text)
    if name == "t.json":
        with pytest.raises(IngestError) as caught:
            read_tickets(path)
        assert caught.value.code == "ingest-error"
        assert caught.value.message.startswith("t.json:2: an array element is nested more than")
    else:
        (problem,) = read_tickets(path).problems
        assert (problem.where, problem.code) == ("t.jsonl:1", "bad-row")
