"""A .gz file cut short (the copy, download or `gzip` writing it was killed) says so.

It was "cannot decompress it as gzip (Truncated compressed stream) — re-compress it with gzip,
or drop .gz from the name if it is plain": neither fix applies to a file that is simply
incomplete. The file here is a whole gzip file with its last bytes taken off by the test.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from covenant.errors import IngestError
from covenant.sources.eventfiles import read_batches
from covenant.sources.recordfiles import record_batches

EVENTS = b"timestamp,sli,status,latency_ms\n" + b"".join(
    b"2026-10-01T00:00:%02dZ,checkout-availability,%d,100\n" % (n % 60, 200 + n % 7)
    for n in range(20000)
)
TICKETS = b"id,customer,priority,created\n" + b"".join(
    b"T-%d,acme,P1,2026-10-01T09:00:00Z\n" % n for n in range(20000)
)


def _events(path: Path) -> None:
    for _ in read_batches(path, block_bytes=4096):
        pass


def _tickets(path: Path) -> None:
    for _ in record_batches(path, block_bytes=4096):
        pass


@pytest.mark.parametrize(
    ("text", "read"), [(EVENTS, _events), (TICKETS, _tickets)], ids=["events", "tickets"]
)
def test_a_gzip_file_cut_short_is_told_to_be_made_again(
    tmp_path: Path, text: bytes, read: Callable[[Path], None]
) -> None:
    whole = gzip.compress(text)
    path = tmp_path / "export.csv.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(IngestError) as info:
        read(path)
    assert info.value.message.startswith("export.csv.gz: the file is cut short"), info.value
    assert "gzip -t" in (info.value.hint or "")
