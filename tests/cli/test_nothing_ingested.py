"""A file of which no row is stored is an error, not a success that stored nothing.

`covenant ingest events` recorded a file whose every row was rejected (or matched no SLI, or
that held only a header) as ingested and exited 0 unless --strict was given: the user saw
success while nothing was stored, and the same file run again (after fixing the workspace) was
skipped as "already ingested". Now such a file exits 1 naming the file, the count, the first
reasons with their lines and the fix, and nothing of it is recorded. A file of which some rows
are stored keeps its behaviour: the bad rows are listed, exit 0 (with --strict it is refused
whole, rows-rejected: none of it stored).
`ingest tickets` and `ingest incidents` refuse a file of rejected rows the same way; their empty
export (a header, `[]`) stays fine, as docs/records.md says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner()
HEADER = "timestamp,sli,status\n"
GOOD = "2026-10-01T00:00:00Z,checkout-availability,200\n"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The starter workspace (one SLI, checkout-availability), no store yet."""
    return starter_workspace(tmp_path, monkeypatch)


def batches(ws: Path) -> list[tuple[str, int, int]]:
    """(file name, rows read, rows ingested) of every file recorded as ingested."""
    store = ws / ".covenant" / "covenant.db"
    if not store.exists():
        return []
    engine = create_engine(f"sqlite:///{store}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT filename, rows_read, rows_ingested FROM ingest_batches")
            )
            return [(str(a), int(b), int(c)) for a, b, c in rows]
    finally:
        engine.dispose()


def ingest(kind: str, path: Path, ws: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["ingest", kind, str(path), "-w", str(ws), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_a_file_of_only_rejected_rows_is_an_error_and_is_not_recorded(
    ws: Path, tmp_path: Path
) -> None:
    path = tmp_path / "allbad.csv"
    path.write_text(
        HEADER
        + "2026-10-01T00:00:00,checkout-availability,200\n"  # line 2: no offset
        + "yesterday,checkout-availability,200\n"  # line 3: not a timestamp
        + "2026-10-01T00:00:02Z,checkout-availability,teapot\n"  # line 4: not a status
        + "2026-10-01T00:00:03,checkout-availability,200\n"  # line 5: no offset
        + "2026-10-01T00:00:04,checkout-availability,200\n"  # line 6: no offset
    )
    code, out, err = ingest("events", path, ws)
    assert code == 1, (out, err)
    assert "allbad.csv: none of its 5 rows was ingested: all 5 were rejected" in err
    for line in ("allbad.csv:2 timestamp", "allbad.csv:3 timestamp", "allbad.csv:4 status"):
        assert line in err, err
    assert "'yesterday' is not a timestamp" in err
    assert "… and 2 more rejected rows" in err
    assert "fix those rows and ingest the file again" in err
    assert "run: covenant explain nothing-ingested" in err
    assert batches(ws) == []

    again = ingest("events", path, ws)  # not taken for a duplicate: the same error again
    assert again[0] == 1
    assert "already ingested on" not in again[1] + again[2]
    assert "none of its 5 rows was ingested" in again[2]

    path.write_text(HEADER + GOOD)  # the corrected file is ingested
    fixed = ingest("events", path, ws)
    assert fixed[0] == 0, fixed
    assert batches(ws) == [("allbad.csv", 1, 1)]


def test_the_same_with_strict_and_json(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "allbad.jsonl"
    path.write_text(
        '{"timestamp": "2026-10-01T00:00:00", "sli": "checkout-availability", "status": 200}\n'
    )
    code, out, err = ingest("events", path, ws, "--strict", "--format", "json")
    assert code == 1
    shown = json.loads(out)  # the refusal on stdout too (tests/cli/test_strict_json.py)
    assert shown["files"] == []
    assert (shown["error"]["code"], shown["error"]["rows_rejected"]) == ("nothing-ingested", 1)
    assert [p["where"] for p in shown["error"]["problems"]] == ["allbad.jsonl:1"]
    assert "allbad.jsonl: none of its 1 row was ingested: it was rejected" in err
    assert "allbad.jsonl:1 timestamp" in err
    assert batches(ws) == []


def test_a_file_with_a_header_and_no_rows_is_an_error(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(HEADER)
    code, out, err = ingest("events", path, ws)
    assert code == 1, (out, err)
    assert "header.csv: holds no event rows (only its header line)" in err
    assert "nothing of header.csv was recorded" in err
    assert batches(ws) == []


def test_a_file_whose_rows_match_no_sli_is_an_error_and_can_be_run_again(
    ws: Path, tmp_path: Path
) -> None:
    """The fix is in the workspace, not the file: the same bytes must be read again after it."""
    path = tmp_path / "payments.csv"
    path.write_text(HEADER + "".join(f"2026-10-01T00:00:0{i}Z,payments,200\n" for i in range(3)))
    code, out, err = ingest("events", path, ws)
    assert code == 1, (out, err)
    assert "payments.csv: none of its 3 rows was ingested: all 3 match no SLI" in err
    assert "sli=payments" in err
    assert batches(ws) == []

    slos = ws / "slos.yaml"
    slos.write_text(slos.read_text().replace("checkout-availability", "payments"))
    fixed = ingest("events", path, ws)
    assert fixed[0] == 0, fixed
    assert batches(ws) == [("payments.csv", 3, 3)]


def test_rejected_and_unmatched_rows_together(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + "2026-10-01T00:00:00Z,payments,200\nnow,checkout-availability,200\n")
    code, _, err = ingest("events", path, ws)
    assert code == 1
    assert "mixed.csv: none of its 2 rows was ingested: 1 was rejected and 1 matches no SLI" in err
    assert "mixed.csv:3 timestamp" in err


def test_a_partly_rejected_file_is_ingested_as_before(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "part.csv"
    path.write_text(HEADER + GOOD + "2026-10-01T00:00:01,checkout-availability,200\n")
    code, out, err = ingest("events", path, ws)
    assert code == 0, (out, err)
    assert "part.csv:3" in out  # the rejected row is listed
    assert batches(ws) == [("part.csv", 2, 1)]
    other = tmp_path / "part2.csv"
    other.write_text(HEADER + GOOD.replace(":00Z", ":05Z") + "x,checkout-availability,200\n")
    assert ingest("events", other, ws, "--strict")[0] == 1
    assert len(batches(ws)) == 1  # --strict is all or nothing: its good row is not stored
    # (tests/cli/test_strict_ingest.py)


TICKETS = "id,customer,priority,created,first_response,resolved,history\n"


def test_a_ticket_file_of_only_rejected_rows_is_an_error(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS + "T-1,acme,P1,2026-10-01T09:00:00,,,\nT-2,acme,P1,soon,,,\n")
    code, out, err = ingest("tickets", path, ws)
    assert code == 1, (out, err)
    assert "tickets.csv: none of its 2 rows was ingested: all 2 were rejected" in err
    assert "tickets.csv:2 created" in err
    assert "tickets.csv:3 created" in err
    assert batches(ws) == []


def test_an_incident_file_of_only_rejected_rows_is_an_error(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    row = {"id": "i1", "services": ["checkout"], "start": "2026-10-01T00:00:00Z"}
    path.write_text(json.dumps({**row, "force_majeure": "perhaps"}) + "\n")
    code, out, err = ingest("incidents", path, ws)
    assert code == 1, (out, err)
    assert "incidents.jsonl: none of its 1 row was ingested: it was rejected" in err
    assert "incidents.jsonl:1 force_majeure" in err
    assert batches(ws) == []


def test_an_empty_record_export_stays_fine(ws: Path, tmp_path: Path) -> None:
    """docs/records.md: "An empty export (`[]`, a header without rows) is fine"."""
    path = tmp_path / "none.json"
    path.write_text("[]")
    code, out, err = ingest("incidents", path, ws)
    assert code == 0, (out, err)
