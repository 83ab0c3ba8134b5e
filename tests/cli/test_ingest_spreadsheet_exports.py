"""Files as a spreadsheet saves them: a byte-order mark, CRLF line ends, empty columns after the
last named one (the sheet's formatted but empty cells: the header ends `,,` or `;;`), numbers
with a thousands separator and dates in the sheet's local form.

Two empty column names used to be "the header names the column '' twice" (events) or
"column(s)  appear more than once" (tickets, incidents), and a `;`-separated header ending
`;;` was not recognised as `;`-separated: "no 'timestamp' column (found: timestamp;sli;…;;)".
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import refused_ingest, starter_workspace

runner = CliRunner()

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace, no store yet."""
    return starter_workspace(tmp_path, monkeypatch)


def ingested(ws: Path, kind: str, name: str, data: bytes) -> dict[str, object]:
    """`covenant ingest KIND NAME -w WS --format json` succeeds; the file's entry."""
    (ws.parent / name).write_bytes(data)
    result = runner.invoke(app, ["ingest", kind, name, "-w", str(ws), "--format", "json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    (entry,) = json.loads(result.stdout)["files"]
    assert isinstance(entry, dict)
    return entry


def test_events_with_empty_trailing_columns_are_ingested(ws: Path) -> None:
    data = BOM + (
        b"timestamp,sli,status,latency_ms,,\r\n"
        b"2026-10-01T00:00:00Z,checkout-availability,200,120,,\r\n"
        b"2026-10-01T00:00:20Z,checkout-availability,503,80,,\r\n"
        b'2026-10-01T00:00:40Z,checkout-availability,200,"95",,\r\n'
    )
    entry = ingested(ws, "events", "sheet.csv", data)
    assert (entry["rows_read"], entry["rows_ingested"], entry["rows_rejected"]) == (3, 3, 0)
    result = runner.invoke(
        app,
        ["evaluate", "-w", str(ws), "--at", "2026-10-01T00:10:00Z", "--format", "json"],
    )
    (availability,) = [
        r for r in json.loads(result.stdout)["results"] if r["sli"] == ("checkout-availability")
    ]
    assert (availability["good"], availability["total"]) == (2, 3)  # one 503 of three


def test_an_unnamed_column_between_named_ones_is_ignored_like_any_unknown_column(
    ws: Path,
) -> None:
    data = b"timestamp,,sli,,status\n2026-10-01T00:00:00Z,x,checkout-availability,,200\n"
    entry = ingested(ws, "events", "gaps.csv", data)
    assert (entry["rows_read"], entry["rows_ingested"]) == (1, 1)


def test_a_named_column_written_twice_is_still_refused(ws: Path) -> None:
    err = refused_ingest(
        ws, "events", "twice.csv", "timestamp,sli,status,sli,,\n2026-10-01T00:00:00Z,a,200,b,,\n"
    )
    assert "twice.csv:1: the header names the column 'sli' twice" in err, err


def test_tickets_with_empty_trailing_columns_are_ingested(ws: Path) -> None:
    data = BOM + (
        b"id,customer,priority,created,first_response,resolved,,\r\n"
        b"T-1,globex,P2,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,,,\r\n"
        b"T-2,globex,P1,2026-10-01T10:00:00Z,,,,\r\n"
    )
    entry = ingested(ws, "tickets", "tickets.csv", data)
    assert (entry["rows_read"], entry["inserted"], entry["rows_rejected"]) == (2, 2, 0)


def test_a_ticket_column_written_twice_is_named(ws: Path) -> None:
    err = refused_ingest(
        ws,
        "tickets",
        "twice.csv",
        "id,customer,priority,created,ID,,\nT-1,globex,P2,2026-10-01T09:00:00Z,x,,\n",
    )
    assert "twice.csv: column(s) id appear more than once" in err, err


def test_events_separated_by_semicolons_with_empty_trailing_columns(ws: Path) -> None:
    data = BOM + (
        b"timestamp;sli;status;latency_ms;;\r\n"
        b"2026-10-01T00:00:00Z;checkout-availability;200;120;;\r\n"
    )
    err = refused_ingest(ws, "events", "semi.csv", data)
    assert (
        "semi.csv:1: the header is one column, 'timestamp;sli;status;latency_ms;;': its 4 "
        "columns are separated by ';', and a CSV file's by commas"
    ) in err, err
    assert "save the file as comma-separated CSV (timestamp,sli,status,latency_ms)" in err, err


def test_tickets_separated_by_semicolons_with_empty_trailing_columns(ws: Path) -> None:
    data = b"id;customer;priority;created;;;\r\nT-1;globex;P1;2026-10-01T00:00:00Z;;;\r\n"
    err = refused_ingest(ws, "tickets", "tickets.csv", data)
    assert (
        "tickets.csv:1: the header is one column, 'id;customer;priority;created;;;': its 4 "
        "columns are separated by ';', and a CSV file's by commas"
    ) in err, err


def test_a_number_with_a_thousands_separator_is_named_as_such(ws: Path) -> None:
    data = (
        "timestamp,sli,status,latency_ms\n"
        '2026-10-01T00:00:00Z,checkout-availability,200,"1,234"\n'
        "2026-10-01T00:00:20Z,checkout-availability,200,95\n"
    )
    (ws.parent / "sep.csv").write_text(data)
    result = runner.invoke(
        app, ["ingest", "events", "sep.csv", "-w", str(ws)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "'1,234' is not a number of milliseconds" in out, out
    assert (
        "write it without the thousands separator: 1234 (format the column as a plain number "
        "before saving the CSV)"
    ) in out, out


def test_a_spreadsheet_date_is_named_as_such(ws: Path) -> None:
    err = refused_ingest(
        ws,
        "events",
        "dates.csv",
        "timestamp,sli,status\n05/12/2026 14:03,checkout-availability,200\n",
    )
    assert (
        "dates.csv:2 timestamp: '05/12/2026 14:03' is not a timestamp: it is a spreadsheet's "
        "local date, which says neither which number is the day nor the time zone — format "
        "the column as ISO-8601 with Z or an offset (2026-10-01T09:00:00Z) before saving the CSV"
    ) in err, err


def test_counts_with_a_thousands_separator_are_named_as_such(ws: Path) -> None:
    err = refused_ingest(
        ws,
        "events",
        "counts.csv",
        'timestamp,sli,good,total\n2026-10-01T00:00:00Z,checkout-availability,"1,200","1,234"\n',
    )
    assert "counts.csv:2 good: good='1,200' total='1,234' are not both whole numbers" in err, err
    assert "write them without the thousands separator: 1200 and 1234" in err, err


def test_an_incident_start_as_a_spreadsheet_date_is_named_as_such(ws: Path) -> None:
    data = (
        b"id,services,start,end,,\r\n"
        b"INC-1,checkout,2026-10-01T10:00:00Z,2026-10-01T10:45:00Z,,\r\n"
        b"INC-2,checkout,01/10/2026 10:00,,,\r\n"
    )
    (ws.parent / "incidents.csv").write_bytes(data)
    result = runner.invoke(
        app, ["ingest", "incidents", "incidents.csv", "-w", str(ws)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert (
        "'01/10/2026 10:00' is not an instant: it is a spreadsheet's local date, which says "
        "neither which number is the day nor the time zone — format the column as ISO-8601 "
        "with Z or an offset (2026-10-01T09:00:00Z) before saving the CSV, or read it as "
        "written with --time-format '%d/%m/%Y %H:%M' --time-zone ZONE"
    ) in out, out
    assert "incidents.csv 2 1 0 0 1" in out, out  # read, inserted, updated, unchanged, rejected


def test_an_excel_workbook_under_its_own_name_is_named_with_the_fix(ws: Path) -> None:
    """`covenant ingest events book.xlsx` said only "cannot tell the file format from its
    name — name event files *.csv …": renamed, it was then refused as a ZIP archive."""
    workbook = b"PK\x03\x04\x14\x00\x06\x00" + bytes(64)
    err = refused_ingest(ws, "events", "book.xlsx", workbook)
    assert (
        "book.xlsx: the file is a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook is "
        "one), not CSV or JSON Lines — export the sheet as CSV (UTF-8)"
    ) in err, err
    err = refused_ingest(ws, "tickets", "tickets.xlsx", workbook)
    assert "tickets.xlsx: the file is a ZIP archive (an Excel .xlsx" in err, err
    assert "export the sheet as CSV (UTF-8)" in err, err


def test_csv_text_under_another_name_is_told_the_name_to_give(ws: Path) -> None:
    text = "timestamp,sli,status\n2026-10-01T00:00:00Z,checkout-availability,200\n"
    err = refused_ingest(ws, "events", "export.txt", text)
    assert (
        "export.txt: cannot tell the file format from its name — it looks like CSV text: "
        "name it export.csv"
    ) in err, err


def test_tab_separated_values_are_told_to_be_saved_as_csv(ws: Path) -> None:
    text = "timestamp\tsli\tstatus\n2026-10-01T00:00:00Z\tcheckout-availability\t200\n"
    err = refused_ingest(ws, "events", "export.tsv", text)
    assert (
        "export.tsv: cannot tell the file format from its name — it looks like tab-separated "
        "text: save it as comma-separated CSV named export.csv"
    ) in err, err


def test_gzipped_csv_under_another_name_is_told_the_whole_name(ws: Path) -> None:
    text = b"timestamp,sli,status\n2026-10-01T00:00:00Z,checkout-availability,200\n"
    err = refused_ingest(ws, "events", "export.dat", gzip.compress(text))
    assert (
        "export.dat: the file is gzip-compressed, not CSV or JSON Lines — it holds CSV text: "
        "name it export.csv.gz"
    ) in err, err
