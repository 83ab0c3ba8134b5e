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
from covenant.sources import eventblocks, recordtext
from covenant.sources.recordfiles import read_record_source

MIB = 1 << 20
LIMIT = 32 * MIB  # the longest line, and array element, every record reader takes
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
    """A ``.json`` file is one array, often written without a line break: no line limit (its
    elements have the limit of a line: two of 17 MiB)."""
    tickets = [{"id": f"T-{i}", **TICKET, "description": "d" * (17 * MIB)} for i in (1, 2)]
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(tickets))
    assert path.stat().st_size > 33 * MIB
    source = read_record_source(path)
    assert [row["id"] for row in source.rows] == ["T-1", "T-2"]


def _element(id_: str, size: int) -> str:
    """A ticket whose JSON text is ``size`` bytes of UTF-8 (its description fills it)."""
    bare = json.dumps({"id": id_, **TICKET, "description": ""})
    return json.dumps({"id": id_, **TICKET, "description": "d" * (size - len(bare))})


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_a_json_array_element_of_the_limit_is_read_and_one_byte_more_is_refused(
    tmp_path: Path, gz: bool
) -> None:
    """A ``.json`` array's element has the limit of a line of CSV or JSON Lines (32 MiB): the
    same error, naming the file, the element's line and number, its byte offset and the fix,
    refused once that much of it is read."""
    head = "[\n " + json.dumps({"id": "T-0", **TICKET}) + ",\n "
    for size, refused in ((LIMIT, False), (LIMIT + 1, True)):
        text = head + _element("T-1", size) + ",\n " + json.dumps({"id": "T-2", **TICKET}) + "\n]"
        path = tmp_path / ("tickets.json.gz" if gz else "tickets.json")
        path.write_bytes(gzip.compress(text.encode(), compresslevel=1) if gz else text.encode())
        if not refused:
            assert [row["id"] for row in read_record_source(path).rows] == ["T-0", "T-1", "T-2"]
            continue
        error = _refused(path)
        of = " of the decompressed text" if gz else ""
        assert error.message.startswith(
            f"{path.name}:3: array element 2 is longer than 32 MiB (no end of it in the 32 MiB "
            f'from byte offset {len(head)}{of} on; it starts \'{{"id": "T-1"'
        ), error.message
        assert error.hint.startswith(
            "a record is one array element, and none is near 32 MiB long: check how the file "
            "was made"
        )


@pytest.mark.parametrize("piece", [7, 64, 4096])
def test_the_element_limit_counts_bytes_wherever_the_pieces_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    """At a limit of 100 bytes: an element of 100 bytes is read, one of 101 is not, and one of
    60 characters that are 101 bytes of UTF-8 is not either (the limit is of bytes, as a
    line's); the offset is of bytes too, after a BOM."""
    monkeypatch.setattr(eventblocks, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(recordtext, "PIECE", piece)
    path = tmp_path / "t.json"
    first = '{"id": "é"}'  # 12 bytes
    for element, refused in (
        ('{"id": "' + "a" * 90 + '"}', False),  # 100 bytes
        ('{"id": "' + "a" * 91 + '"}', True),  # 101 bytes
        ('{"id": "' + "é" * 45 + "a" + '"}', True),  # 56 characters, 101 bytes
        ('{"id": "' + "a" * 92, True),  # never ends: 101 bytes with the ']' to the end
    ):
        path.write_bytes(b"\xef\xbb\xbf" + f"[{first},\n{element}]".encode())
        if not refused:
            assert len(read_record_source(path).rows) == 2
            continue
        error = _refused(path)
        assert error.message.startswith(
            "t.json:2: array element 2 is longer than 100 bytes (no end of it in the 100 bytes "
            'from byte offset 18 on; it starts \'{"id": "'
        ), error.message
    path.write_bytes(f'[{first},\n{{"id": "{"a" * 91}]'.encode())  # 100 bytes to the end
    assert _refused(path).message.startswith("t.json:2: invalid JSON: Unterminated string")


def test_a_json_array_with_a_hole_is_refused_at_its_first_nul_byte(tmp_path: Path) -> None:
    head = "[\n" + "".join(json.dumps({"id": f"T-{i}", **TICKET}) + ",\n" for i in range(3))
    path = tmp_path / "tickets.json"
    path.write_text(head)
    os.truncate(path, 64 * MIB)  # sparse: NUL bytes after the third ticket
    error = _refused(path)
    assert error.message.startswith(
        f"tickets.json:5: the file holds NUL bytes (0x00) from byte offset {len(head)} on"
    )
