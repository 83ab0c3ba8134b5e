"""A CSV whose columns are separated by ';' or a tab (a spreadsheet's export in many locales) is
told so: the header is read as one column, and "no 'timestamp' column (found:
timestamp;sli;status)" left the reader to spot the semicolons."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.starter import refused_ingest, starter_workspace

runner = CliRunner()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace, no store yet."""
    return starter_workspace(tmp_path, monkeypatch)


def ingest(ws: Path, kind: str, name: str, text: str) -> str:
    return refused_ingest(ws, kind, name, text)


def test_events_separated_by_semicolons(ws: Path) -> None:
    err = ingest(
        ws,
        "events",
        "semi.csv",
        "timestamp;sli;status\n2026-10-01T00:00:00Z;checkout-availability;200\n",
    )
    assert (
        "semi.csv:1: the header is one column, 'timestamp;sli;status': its 3 columns are "
        "separated by ';', and a CSV file's by commas"
    ) in err, err
    assert "save the file as comma-separated CSV (timestamp,sli,status)" in err, err
    assert "run: covenant explain ingest-error" in err


def test_events_separated_by_tabs(ws: Path) -> None:
    err = ingest(
        ws,
        "events",
        "tabs.csv",
        "timestamp\tsli\tstatus\n2026-10-01T00:00:00Z\tcheckout-availability\t200\n",
    )
    assert (
        "tabs.csv:1: the header is one column, 'timestamp\\tsli\\tstatus': its 3 columns are "
        "separated by tabs, and a CSV file's by commas"
    ) in err, err


def test_tickets_separated_by_semicolons(ws: Path) -> None:
    err = ingest(
        ws,
        "tickets",
        "tickets.csv",
        "id;customer;priority;created\nT-1;globex;P1;2026-10-01T00:00:00Z\n",
    )
    assert (
        "tickets.csv:1: the header is one column, 'id;customer;priority;created': its 4 "
        "columns are separated by ';', and a CSV file's by commas"
    ) in err, err
    assert "save the file as comma-separated CSV (id,customer,priority,created)" in err, err


def test_a_header_with_a_semicolon_in_one_of_several_columns_is_not_misread(ws: Path) -> None:
    err = ingest(ws, "events", "odd.csv", "time;zone,sli,status\n2026-10-01,checkout,200\n")
    assert "no 'timestamp' column (found: sli, status, time;zone)" in err, err


def test_a_quoted_semicolon_header_is_told_with_its_names_unquoted(ws: Path) -> None:
    """Excel quotes every name of a `;` export (`"id";"customer";…`): the comma reader drops
    the first name's quotes only, and the fix used to give `(id,"customer","priority",…)`."""
    err = ingest(
        ws,
        "tickets",
        "excel.csv",
        '\ufeff"id";"customer";"priority";"created"\r\n"T-1";"acme";"P1";"2026-10-01T09:00:00Z"\r\n',
    )
    assert "its 4 columns are separated by ';'" in err, err
    assert "save the file as comma-separated CSV (id,customer,priority,created)" in err, err
