"""An event file whose header is capitalised, as a spreadsheet or a BI export writes it
(`Timestamp,SLI,Status`), was refused with "no 'timestamp' column (found: SLI, Status,
Timestamp) — add a timestamp column", which told the user to add a column the file has.
Event column names are lower case (unlike ticket and incident files, whose names are not
case-sensitive); the fix now says which columns to rename."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.starter import refused_ingest, starter_workspace


def test_a_capitalised_header_is_told_to_rename_its_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    text = "\ufeffTimestamp,SLI,Status\r\n2026-10-01T00:00:00Z,checkout-availability,200\r\n"
    said = refused_ingest(ws, "events", "export.csv", text)
    assert said.startswith("error: export.csv: no 'timestamp' column (found: SLI, Status"), said
    assert (
        "event column names are lower case: rename 'SLI' to 'sli', 'Status' to 'status', "
        "'Timestamp' to 'timestamp'"
    ) in said
    assert "add a timestamp column" not in said
