"""A line longer than 32 MiB is refused at once, naming its file, line and byte offset.

An event file of 200 rows followed by a 2 GB hole (``truncate -s 2G``: NUL bytes, no line
break) gave no output in 5 minutes: the reader kept the part record after its last block
and copied it again with every block read, waiting for a line break that never came (time
quadratic in the stretch, memory without bound). A long run of a printable character did the
same. Every text reader (events and records; CSV, JSONL, gzip) now refuses a line longer than
32 MiB as soon as it has read that far, with the line, its byte offset, what the bytes are and
the way to keep the lines before it; a line of several MiB (a JSON event or a CSV cell) is read
as before. The store is unchanged.

The 2 GB files are sparse: they cost no disk, and the fixed reader reads about 36 MiB of them.
A child process's ``timeout`` only guards against a hang; nothing here is timed.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.model import EventRule
from covenant.errors import IngestError
from covenant.sources import eventblocks
from covenant.sources.eventblocks import text_blocks
from covenant.sources.events import read_events

MIB = 1 << 20
LIMIT = 32 * MIB  # the longest line every text reader takes, as docs/ingest.md states it
HANG_GUARD = 300  # seconds; the fixed reader needs a few
SLI = "checkout-availability"  # the starter workspace's SLI
RULE = EventRule(series=SLI, sli=SLI)
HEADER = "timestamp,sli,status,latency_ms\n"
ROWS = [f"2026-10-02T00:{i // 60:02d}:{i % 60:02d}Z,{SLI},200,120\n" for i in range(200)]
CSV_HEAD = HEADER + "".join(ROWS)  # 201 lines: the long line is line 202


def _jsonl_row(i: int, **more: object) -> str:
    row = {"timestamp": f"2026-10-02T00:{i // 60:02d}:{i % 60:02d}Z", "sli": SLI, "status": 200}
    return json.dumps({**row, **more}) + "\n"


def _snapshot(workspace: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table in the workspace's store, in a fixed order."""
    engine = create_engine(f"sqlite:///{workspace / '.covenant' / 'covenant.db'}")
    try:
        with engine.connect() as connection:
            return {
                table: sorted(
                    (tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
                    key=repr,
                )
                for table in inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The starter workspace with its sample events ingested: a store that holds rows."""
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    sample = ws / "events" / "sample.csv"
    done = runner.invoke(app, ["ingest", "events", str(sample), "-w", str(ws)])
    assert done.exit_code == 0, done.output
    return ws


def _covenant(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        capture_output=True,
        text=True,
        env={**environment, "COLUMNS": "400"},
        timeout=HANG_GUARD,
        check=False,
    )


def _refused_by_the_cli(workspace: Path, kind: str, path: Path) -> str:
    """Ingest ``path`` in a child process; it must exit 1, change nothing, and say why."""
    before = _snapshot(workspace)
    assert sum(map(len, before.values())) > 1  # the sample's counts, batch record and audit row
    done = _covenant("ingest", kind, str(path), "-w", str(workspace))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot(workspace) == before
    return " ".join(done.stderr.split())  # the message as one line, however it was wrapped


def test_an_event_file_with_a_2_gb_hole_is_refused_at_the_hole(
    workspace: Path, tmp_path: Path
) -> None:
    path = tmp_path / "holed.csv"
    path.write_text(CSV_HEAD)
    os.truncate(path, 2 << 30)  # sparse: NUL bytes to 2 GiB, no line break
    said = _refused_by_the_cli(workspace, "events", path)
    offset = len(CSV_HEAD.encode())
    assert f"holed.csv:202: the file holds NUL bytes (0x00) from byte offset {offset}" in said
    assert "and line 202 has no line break in its first 32 MiB" in said
    assert "head -n 201 holed.csv > holed-head.csv" in said


def test_an_event_file_with_a_line_of_33_mib_is_refused(workspace: Path, tmp_path: Path) -> None:
    """Printable bytes: a NUL check would not see them; the line's length does."""
    path = tmp_path / "wide.csv"
    with path.open("w") as out:
        out.write(CSV_HEAD)
        out.write("x" * (33 * MIB))
        out.write("\n" + "".join(ROWS[:5]))
    said = _refused_by_the_cli(workspace, "events", path)
    offset = len(CSV_HEAD.encode())
    assert (
        f"wide.csv:202: line 202 is longer than 32 MiB (no line break in the 32 MiB from byte "
        f"offset {offset} on; it starts 'xxxxxxxx" in said
    )
    assert "head -n 201 wide.csv > wide-head.csv" in said


def test_a_ticket_file_with_a_2_gb_hole_is_refused_at_the_hole(
    workspace: Path, tmp_path: Path
) -> None:
    """The record reader read the whole file first (4 GB of memory for this one) and then
    said "straddling object straddles two block boundaries"."""
    head = "id,customer,priority,created\n" + "".join(
        f"T-{i},acme,P1,2026-10-01T09:00:00Z\n" for i in range(200)
    )
    path = tmp_path / "tickets.csv"
    path.write_text(head)
    os.truncate(path, 2 << 30)
    said = _refused_by_the_cli(workspace, "tickets", path)
    offset = len(head.encode())
    assert f"tickets.csv:202: the file holds NUL bytes (0x00) from byte offset {offset}" in said
    assert "head -n 201 tickets.csv > tickets-head.csv" in said


def _refused(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_events(path, rules=[RULE])
    assert info.value.code == "ingest-error"
    return info.value


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
def test_a_hole_in_the_first_kib_is_called_a_hole_not_utf16(tmp_path: Path, gz: bool) -> None:
    """Three rows and a hole: NUL bytes in the first 4 KiB were taken for UTF-16 text, and
    the advice was iconv -f UTF-16, which cannot help."""
    head = HEADER + "".join(ROWS[:3])
    path = tmp_path / ("short.csv.gz" if gz else "short.csv")
    if gz:
        path.write_bytes(gzip.compress(head.encode() + bytes(MIB), compresslevel=1))
    else:
        path.write_text(head)
        os.truncate(path, 2 << 30)
    error = _refused(path)
    of = " of the decompressed text" if gz else ""
    assert error.message.startswith(
        f"{path.name}:5: the file holds NUL bytes (0x00) from byte offset {len(head)}{of} on: "
        "no text, but a file padded or cut short"
    )
    assert "UTF-16" not in str(error)
    keep = (
        "gzip -dc short.csv.gz | head -n 4 | gzip > short-head.csv.gz"
        if gz
        else "head -n 4 short.csv > short-head.csv"
    )
    assert (
        error.hint
        == f"make the file again from its source; to ingest the 4 lines before them: {keep}"
    )


def test_a_gzipped_jsonl_line_of_33_mib_is_refused(tmp_path: Path) -> None:
    lines = "".join(_jsonl_row(i) for i in range(3))
    path = tmp_path / "e.jsonl.gz"
    long_line = '{"note": "' + "y" * (33 * MIB) + '"}\n'
    path.write_bytes(gzip.compress((lines + long_line + _jsonl_row(9)).encode(), compresslevel=1))
    error = _refused(path)
    offset = len(lines.encode())
    assert error.message.startswith(
        f"e.jsonl.gz:4: line 4 is longer than 32 MiB (no line break in the 32 MiB from byte "
        f'offset {offset} of the decompressed text on; it starts \'{{"note": "yyyy'
    )
    assert "gzip -dc e.jsonl.gz | head -n 3 | gzip > e-head.jsonl.gz" in error.hint


def test_a_file_that_is_one_long_line_is_refused_without_a_way_to_keep_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(b"{" * (LIMIT + 1))
    error = _refused(path)
    assert error.message.startswith("e.jsonl:1: line 1 is longer than 32 MiB")
    assert "head" not in error.hint


def test_a_jsonl_event_of_5_mib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(_jsonl_row(0, note="n" * (5 * MIB)) + _jsonl_row(30))
    result = read_events(path, rules=[RULE])
    assert (result.rows_read, result.rows_ingested, result.rows_rejected) == (2, 2, 0)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("block_bytes", [7, 64, 4096])
def test_a_line_of_the_limit_is_read_and_one_byte_more_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gz: bool, block_bytes: int
) -> None:
    """At a limit of 100 bytes, whatever the blocks: lines of 100 bytes pass, 101 do not."""
    monkeypatch.setattr(eventblocks, "MAX_LINE_BYTES", 100)
    ok = b"a\n" + b"b" * 100 + b"\n" + b"c" * 100  # the last line has no line break
    too_long = b"a\n" + b"b" * 100 + b"\n" + b"c" * 101 + b"\nd\n"
    for content, refused in ((ok, False), (too_long, True)):
        path = tmp_path / ("t.txt.gz" if gz else "t.txt")
        path.write_bytes(gzip.compress(content) if gz else content)
        blocks = text_blocks(path, gz, block_bytes, lambda d: d.rfind(b"\n") + 1)
        if not refused:
            assert b"".join(block for block, _, _ in blocks) == content
            continue
        with pytest.raises(IngestError) as info:
            list(blocks)
        offset = "103 of the decompressed text" if gz else "103"
        assert info.value.message.startswith(
            f"t.txt{'.gz' if gz else ''}:3: line 3 is longer than 100 bytes (no line break in "
            f"the 100 bytes from byte offset {offset} on; it starts 'cccc"
        )
