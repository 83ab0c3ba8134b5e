"""A CSV record of several MiB is read, in event and in record files.

pyarrow's CSV parser, which reads a file in pieces (1 MiB here), refused a record longer than
two pieces: "cannot parse the file as CSV: straddling object straddles two block boundaries
(try to increase block size?)", no line and no fix, for an event with a 2 MiB cell or a ticket
with a long description. Such a record is now parsed as one piece.
"""

from __future__ import annotations

from pathlib import Path

from covenant.core.model import EventRule
from covenant.sources.events import read_events
from covenant.sources.recordfiles import read_record_source

MIB = 1 << 20
SLI = "checkout-availability"
RULE = EventRule(series=SLI, sli=SLI)


def test_an_event_with_a_5_mib_csv_cell_is_read(tmp_path: Path) -> None:
    """pyarrow's CSV parser refused a record longer than two of its 1 MiB blocks ("straddling
    object straddles two block boundaries"): such a record is parsed as one block."""
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status,note\n"
        f"2026-10-02T00:00:00Z,{SLI},200,{'n' * (5 * MIB)}\n"
        f"2026-10-02T00:00:30Z,{SLI},500,short\n"
    )
    result = read_events(path, rules=[RULE])
    assert (result.rows_read, result.rows_ingested, result.rows_rejected) == (2, 2, 0)
    assert int(result.counts.good.sum()) == 1
    assert int(result.counts.total.sum()) == 2


def test_a_ticket_with_a_5_mib_csv_cell_is_read(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        "id,customer,priority,created,description\n"
        f"T-1,acme,P1,2026-10-01T09:00:00Z,{'d' * (5 * MIB)}\n"
        "T-2,acme,P2,2026-10-01T10:00:00Z,short\n"
    )
    source = read_record_source(path)
    assert [row["id"] for row in source.rows] == ["T-1", "T-2"]
    assert source.lines == (2, 3)
    assert len(source.rows[0]["description"]) == 5 * MIB


def test_a_quoted_cell_of_3_mib_over_many_lines_keeps_the_lines_after_it(tmp_path: Path) -> None:
    """The record spans 1 + 3 MiB / 1 KiB lines; a bad row after it is named by its line."""
    cell = ("m" * 1023 + "\n") * (3 * MIB // 1024)
    path = tmp_path / "e.csv"
    path.write_text(
        "timestamp,sli,status,note\n"
        f'2026-10-02T00:00:00Z,{SLI},200,"{cell}"\n'
        f"2026-10-02T00:00:30Z,{SLI},500\n"  # one column short
        f"2026-10-02T00:00:40Z,{SLI},200,x\n"
    )
    result = read_events(path, rules=[RULE])
    assert (result.rows_read, result.rows_ingested, result.rows_rejected) == (3, 2, 1)
    bad_line = 2 + 3 * MIB // 1024 + 1  # the header, the record's first line, its line breaks
    assert [p.where for p in result.problems] == [f"e.csv:{bad_line}"]
