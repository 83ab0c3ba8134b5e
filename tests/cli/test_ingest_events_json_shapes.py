"""Events in JSON as other tools write them: a JSON array (`[{…}, {…}]`, as an API or
`jq -s` gives it; ticket and incident files may be one) was answered "line is not a JSON object"
for its first line, and a line that starts with a byte-order mark (files joined with `cat`, the
second one saved by a Windows tool) the same — neither said what is wrong or what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.cli.main import app
from tests.cli.starter import refused_ingest, runner, starter_workspace

EVENT = '{"timestamp": "2026-10-01T00:0%d:00Z", "sli": "checkout-availability", "status": 200}'


def test_an_events_file_holding_a_json_array_is_told_to_be_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    data = "[\n  " + (EVENT % 1) + ",\n  " + (EVENT % 2) + "\n]\n"
    said = refused_ingest(ws, "events", "events.json", data)
    assert "events.json:1: the file is one JSON array" in said, said
    assert "events are JSON Lines: one object per line" in said, said
    assert "jq -c '.[]' events.json > events.jsonl" in said, said


def test_a_line_that_starts_with_a_byte_order_mark_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    (tmp_path / "joined.jsonl").write_text(
        (EVENT % 1) + "\r\n\ufeff" + (EVENT % 2) + "\r\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["ingest", "events", "joined.jsonl", "-w", str(ws)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "joined.jsonl:2" in said, said
    assert "line starts with a byte-order mark (U+FEFF)" in said, said
