"""A spreadsheet's serial date in a ticket or incident file (Excel writes 46300.5 for
5 October 2026, 12:00, when a date column is saved as a number) was refused as "an epoch
number whose digits tell no unit", whose fix asked for epoch seconds of 10 digits: the user
was told about units a spreadsheet never wrote. It is named for what it is (stop 43)."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.sources.records import read_incidents, read_tickets

HEAD = "\ufeffid,customer,priority,created\r\n"


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        # days since 1899-12-30, the serial dates of Excel, LibreOffice and Google Sheets
        ("46300.5", "2026-10-05 12:00"),
        ("46300", "2026-10-05 00:00"),
        ("46023.75", "2026-01-01 18:00"),
    ],
)
def test_a_serial_date_is_named_with_the_date_it_stands_for(
    tmp_path: Path, cell: str, day: str
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes((HEAD + f"T-1,acme,P1,{cell}\r\n").encode())
    (problem,) = read_tickets(path).problems
    assert problem.where == "tickets.csv:2"
    assert problem.message == (
        f"{cell!r} is a spreadsheet's serial date ({day} in the spreadsheet's own "
        "time zone), not an instant"
    )
    assert "format the column as ISO-8601" in problem.fix
    assert "epoch" not in problem.message


def test_an_incident_end_as_a_serial_date_too(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(
        "id,services,start,end\nINC-1,checkout,2026-10-05T12:00:00Z,46300.75\n", encoding="utf-8"
    )
    (problem,) = read_incidents(path).problems
    assert "'46300.75' is a spreadsheet's serial date (2026-10-05 18:00" in problem.message


def test_other_unclear_numbers_keep_the_epoch_words(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(HEAD + "T-1,acme,P1,999999999\r\n", encoding="utf-8")
    (problem,) = read_tickets(path).problems
    assert "'999999999' is an epoch number whose digits tell no unit" in problem.message
