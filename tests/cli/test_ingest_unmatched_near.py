"""An event whose sli differs from an SLI's name only by spaces around it or by case.

`ingest events` listed such a row as `1 row with sli=checkout-availability  matches no SLI`:
the stray space invisible, no hint of the SLI it nearly names. docs/ingest.md defines the
match as exact ("its sli equals the SLI's name"), so the rows stay unmatched (not stripped nor
folded behind the user's back); the value is now shown quoted when a plain view would hide
what it holds, and the SLI it nearly is is suggested.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.sources.events import unmatched_label
from tests.cli.starter import refused_ingest, starter_workspace

runner = CliRunner()
STAMP = "2026-10-01T00:00:00Z"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace: one SLI, checkout-availability."""
    return starter_workspace(tmp_path, monkeypatch)


def test_a_trailing_space_is_shown_and_the_sli_suggested(ws: Path) -> None:
    # 1 good row + 2 rows with a trailing space + 1 row in other case: 1 ingested, 3 unmatched
    data = (
        "timestamp,sli,status\n"
        f"{STAMP},checkout-availability,200\n"
        f"{STAMP},checkout-availability ,200\n"
        f"{STAMP},checkout-availability ,500\n"
        f"{STAMP},Checkout-Availability,200\n"
    )
    (ws.parent / "e.csv").write_text(data)
    result = runner.invoke(
        app, ["ingest", "events", "e.csv", "-w", str(ws)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split(" \n"))
    assert (
        "e.csv: 2 rows with sli='checkout-availability ' "
        "(did you mean sli=checkout-availability?) match no SLI; not ingested"
    ) in out
    assert (
        "e.csv: 1 row with sli=Checkout-Availability "
        "(did you mean sli=checkout-availability?) matches no SLI; not ingested"
    ) in out


def test_the_json_report_counts_them_apart_still_unmatched(ws: Path) -> None:
    data = (
        "timestamp,sli,status\n"
        f"{STAMP},checkout-availability,200\n"
        f"{STAMP}, checkout-availability,200\n"
    )
    (ws.parent / "e.csv").write_text(data)
    result = runner.invoke(app, ["ingest", "events", "e.csv", "-w", str(ws), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    (report,) = json.loads(result.stdout)["files"]
    # exact matching (docs/ingest.md): 1 of the 2 rows ingested, the other unmatched
    assert (report["rows_ingested"], report["rows_unmatched"]) == (1, 1)
    assert report["unmatched"] == {
        "sli=' checkout-availability' (did you mean sli=checkout-availability?)": 1
    }


def test_a_file_of_only_near_misses_is_refused_with_the_suggestion(ws: Path) -> None:
    said = refused_ingest(
        ws, "events", "e.csv", f"timestamp,sli,status\n{STAMP},checkout-availability\t,200\n"
    )
    assert (
        "1 row with sli='checkout-availability\\t' (did you mean sli=checkout-availability?) "
        "matches no SLI"
    ) in said


def test_a_plain_unknown_value_is_shown_as_before() -> None:
    assert unmatched_label("sli", "search", ["checkout-availability"]) == "sli=search"
    assert unmatched_label("sli", "", ["a"]) == "sli=''"
    # two SLIs it nearly names: no guess between them
    assert unmatched_label("sli", "A", ["a", "A "]) == "sli=A"
    assert unmatched_label("service", "Checkout", ["checkout"]) == (
        "service=Checkout (did you mean service=checkout?)"
    )
