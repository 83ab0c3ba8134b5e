"""A ticket or incident file with bytes that are not UTF-8 in the middle names the line.

The error was ``tickets.csv: not UTF-8 text (byte 1234567)``: in a file of 400,000 tickets
nobody finds byte 1,234,567 with a text editor. It now says ``tickets.csv:LINE`` and the
column of the byte on that line, as the event files' rejected rows do; the line and column
here are counted by the test from the bytes it wrote, in the first block and past it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.errors import IngestError
from covenant.sources.recordfiles import record_batches

HEADER = b"id,customer,priority,created,first_response,resolved\n"
ROW = b"T-%d,globex,P1,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,2026-10-01T11:00:00Z\n"


def _read_all(path: Path, block_bytes: int) -> None:
    for _ in record_batches(path, block_bytes=block_bytes):
        pass


@pytest.mark.parametrize(
    "block_bytes", [1 << 20, 4096]
)  # the bad line in the first block, or later
@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_the_error_names_the_line_and_column(tmp_path: Path, block_bytes: int, suffix: str) -> None:
    good = 500
    if suffix == "csv":
        lines = [HEADER, *(ROW % n for n in range(good))]
        bad = b"T-x,glo\xffbex,P1,2026-10-01T09:00:00Z,,\n"
    else:
        lines = [b'{"id": "T-%d", "customer": "globex"}\n' % n for n in range(good)]
        bad = b'{"id": "T-x", "customer": "glo\xffbex"}\n'
    lines.append(bad)
    lines.extend(lines[-2:-1] * 10)  # good lines after it
    path = tmp_path / f"tickets.{suffix}"
    path.write_bytes(b"".join(lines))
    line = len(lines) - 10  # 1-based number of the bad line
    column = bad.index(b"\xff") + 1
    with pytest.raises(IngestError) as info:
        _read_all(path, block_bytes)
    message = info.value.message
    assert message.startswith(f"tickets.{suffix}:{line}: not UTF-8 text"), message
    assert f"byte 0xff at column {column}" in message, message


def test_the_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    """An editor counts "é" as one column: the bad byte after "Zürich é" is at column 17
    of ``T-1,Zürich é,P1,\\xff…`` (T - 1 , Z ü r i c h space é , P 1 , → 16 characters)."""
    bad = "T-1,Zürich é,P1,".encode() + b"\xff,,\n"
    path = tmp_path / "tickets.csv"
    path.write_bytes(HEADER + bad)
    with pytest.raises(IngestError) as info:
        _read_all(path, 1 << 20)
    assert "byte 0xff at column 17" in info.value.message, info.value.message
