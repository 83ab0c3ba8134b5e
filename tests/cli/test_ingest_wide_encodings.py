"""Event, ticket and incident files in UTF-16 or UTF-32 (a spreadsheet's "Unicode text",
PowerShell's `Out-File`) are named for the encoding they are in, with the iconv command that
converts them; a binary file with NUL bytes is called binary, not UTF-16.

Before, a ticket file in UTF-16 without a byte-order mark was read as text (NUL is ASCII) and
refused for lacking the columns it has ("found: i d ,  c u s t o m e r …"), a ticket file with
the mark was "not UTF-8 text (byte 0)", and random bytes given as events were "UTF-16 (or another
encoding with NUL bytes)"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.starter import refused_ingest, starter_workspace

runner = CliRunner()
EVENTS = "timestamp,sli,status\n2026-10-01T00:00:00Z,checkout-availability,200\n"
TICKETS = "id,customer,priority,created\nT-1,globex,P1,2026-10-01T00:00:00Z\n"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace, no store yet; files are written beside it."""
    return starter_workspace(tmp_path, monkeypatch)


def refused(ws: Path, kind: str, name: str, data: bytes) -> str:
    return refused_ingest(ws, kind, name, data)


@pytest.mark.parametrize(
    ("codec", "data"),
    [
        ("UTF-16LE", EVENTS.encode("utf-16-le")),
        ("UTF-16BE", EVENTS.encode("utf-16-be")),
        ("UTF-16", b"\xff\xfe" + EVENTS.encode("utf-16-le")),
        ("UTF-32LE", EVENTS.encode("utf-32-le")),
        ("UTF-32", b"\xff\xfe\x00\x00" + EVENTS.encode("utf-32-le")),
    ],
)
def test_events_in_a_wide_encoding_name_it(ws: Path, codec: str, data: bytes) -> None:
    err = refused(ws, "events", "wide.csv", data)
    assert f"wide.csv: the file is {codec} text, not UTF-8" in err, err
    assert f"iconv -f {codec} -t UTF-8 wide.csv > wide-utf8.csv" in err, err


@pytest.mark.parametrize("kind", ["tickets", "incidents"])
@pytest.mark.parametrize(
    ("codec", "data"),
    [
        ("UTF-16LE", TICKETS.encode("utf-16-le")),
        ("UTF-16", b"\xff\xfe" + TICKETS.encode("utf-16-le")),
        ("UTF-32BE", TICKETS.encode("utf-32-be")),
    ],
)
def test_records_in_a_wide_encoding_name_it(ws: Path, kind: str, codec: str, data: bytes) -> None:
    err = refused(ws, kind, "records.csv", data)
    assert f"records.csv: the file is {codec} text, not UTF-8" in err, err
    assert f"iconv -f {codec} -t UTF-8 records.csv > records-utf8.csv" in err, err


@pytest.mark.parametrize("kind", ["events", "tickets"])
def test_binary_bytes_are_binary_not_utf16(ws: Path, kind: str) -> None:
    # every byte value once from 1 to 255, then a NUL at offset 255: after the '\n' at offset 9
    data = bytes(range(1, 256)) + bytes(range(256))
    err = refused(ws, kind, "noise.csv", data)
    assert "UTF-16" not in err, err
    assert (
        "noise.csv:2: byte offset 255 is a NUL byte (0x00), which no UTF-8 text holds: "
        "the file is binary data, not text"
    ) in err, err
