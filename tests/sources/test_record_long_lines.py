"""Ticket and incident files: a line longer than 32 MiB is refused as soon as it is read.

The record reader read a whole file (and decompressed a whole ``.gz``) before it looked at it,
so a file with a 2 GB hole took 4 GB of memory to end in "straddling object straddles two
block boundaries"; a CSV record over 2 MiB got that message too. It now reads a file in
pieces and stops at the first line longer than 32 MiB (CSV and JSON Lines; a ``.json`` array
may be one line of any length) or, in a ``.json`` array, at the first NUL byte, which JSON
text never holds; a CSV record of several MiB is read. (The 2 GB CLI case is in
test_long_lines.py.)
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from covenant.errors import IngestError
from covenant.sources.recordfiles import read_record_source

MIB = 1 << 20
TICKET = {"customer": "acme", "priority": "P1", "created": "2026-10-01T09:00:00Z"}


def _refused(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_record_source(path)
    assert info.value.code == "ingest-error"
    return info.value


def test_a_gzipped_incident_line_of_33_mib_is_refused(tmp_path: Path) -> None:
    first = '{"id": "I-1", "services": ["checkout"], "start": "2026-10-01T09:00:00Z"}\n'
    path = tmp_path / "incidents.jsonl.gz"
    path.write_bytes(gzip.compress((first + "z" * (33 * MIB) + "\n").encode(), compresslevel=1))
    error = _refused(path)
    assert error.message.startswith(
        f"incidents.jsonl.gz:2: line 2 is longer than 32 MiB (no line break in the 32 MiB from "
        f"byte offset {len(first)} of the decompressed text on; it starts 'zzzz"
    )
    assert "gzip -dc incidents.jsonl.gz | head -n 1 | gzip > incidents-head.jsonl.gz" in (
        error.hint
    )


def test_a_json_array_on_one_line_of_33_mib_is_read(tmp_path: Path) -> None:
    """A ``.json`` file is one array, often written without a line break: no line limit."""
    tickets = [{"id": "T-1", **TICKET, "description": "d" * (33 * MIB)}, {"id": "T-2", **TICKET}]
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(tickets))
    source = read_record_source(path)
    assert [row["id"] for row in source.rows] == ["T-1", "T-2"]


def test_a_json_array_with_a_hole_is_refused_at_its_first_nul_byte(tmp_path: Path) -> None:
    head = "[\n" + "".join(json.dumps({"id": f"T-{i}", **TICKET}) + ",\n" for i in range(3))
    path = tmp_path / "tickets.json"
    path.write_text(head)
    os.truncate(path, 64 * MIB)  # sparse: NUL bytes after the third ticket
    error = _refused(path)
    assert error.message.startswith(
        f"tickets.json:5: the file holds NUL bytes (0x00) from byte offset {len(head)} on"
    )
