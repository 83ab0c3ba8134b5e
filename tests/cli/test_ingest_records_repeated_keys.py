"""A ticket or incident written by another tool with a key twice in one JSON object: the JSON
reader kept the last value without a word, so `{"end": "…T00:30:00Z", …, "end": null}` stored
an incident still open — downtime up to now — and `{"id": "T-1", "id": "T-2"}` a ticket under
the second id. The events reader already refuses such a line; the record readers (JSONL and a
.json array) now refuse it too, naming the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.starter import refused_ingest, starter_workspace

INCIDENT = (
    '{"id": "INC-9", "services": ["checkout"], "start": "2026-10-08T00:00:00Z", '
    '"end": "2026-10-08T00:30:00Z", "end": null}\r\n'
)


def test_an_incident_line_with_a_key_twice_is_a_bad_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    said = refused_ingest(ws, "incidents", "incidents.jsonl", INCIDENT)
    assert "incidents.jsonl:1" in said, said
    assert "key 'end' twice" in said, said


def test_a_ticket_array_element_with_a_key_twice_is_a_bad_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    data = (
        '[\n{"id": "T-1", "customer": "acme", "priority": "P1",\n'
        ' "created": "2026-10-07T09:00:00Z", "ID": "T-2"}\n]\n'
    )
    said = refused_ingest(ws, "tickets", "tickets.json", data)
    assert "tickets.json:2" in said, said
    assert "'id' and 'ID'" in said, said
