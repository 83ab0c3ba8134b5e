"""A file without any text — 0 bytes, nothing but white space, or a .gz that decompresses to
nothing — is refused, whatever it holds (events, tickets, incidents) and whatever its format:
the same answer for every form. Before, a 0-byte tickets .jsonl was ingested as an empty export
(and recorded, so every later empty file read "already ingested") while a 0-byte tickets CSV was
refused. An export without records says so and stays fine: a CSV header alone, a .json `[]`."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import refused_ingest, starter_workspace

runner = CliRunner()
EMPTY = {
    "zero": b"",
    "blank": b"\n  \n\n",
}


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return starter_workspace(tmp_path, monkeypatch)


@pytest.mark.parametrize("kind", ["tickets", "incidents"])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".csv.gz", ".jsonl.gz", ".json.gz"])
@pytest.mark.parametrize("content", ["zero", "blank"])
def test_a_record_file_without_text_is_refused_in_every_format(
    ws: Path, kind: str, suffix: str, content: str
) -> None:
    data = EMPTY[content]
    if suffix.endswith(".gz") and content == "blank":
        data = gzip.compress(data)  # a real gzip stream of white space
    err = refused_ingest(ws, kind, f"none{suffix}", data)
    what = "0 bytes" if data == b"" else "nothing but white space"
    assert f"none{suffix}: the file is empty ({what})" in err, err
    assert "ingest-error" in err


def test_a_gzip_of_nothing_is_empty_too(ws: Path) -> None:
    err = refused_ingest(ws, "tickets", "none.jsonl.gz", gzip.compress(b""))
    assert "none.jsonl.gz: the file is empty (nothing but white space)" in err


def test_an_empty_file_is_never_recorded(ws: Path) -> None:
    """Refused twice, then a real empty export is ingested: nothing took the empty bytes."""
    for kind in ("tickets", "incidents", "tickets"):
        err = refused_ingest(ws, kind, "none.jsonl", b"")
        assert "already ingested" not in err
    (ws.parent / "none.json").write_text("[]")
    done = runner.invoke(app, ["ingest", "tickets", "none.json", "-w", str(ws)])
    assert done.exit_code == 0, (done.stdout, done.stderr)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".parquet", ".csv.gz", ".jsonl.gz"])
def test_an_events_file_of_0_bytes_is_refused_in_every_format(ws: Path, suffix: str) -> None:
    err = refused_ingest(ws, "events", f"none{suffix}", b"")
    assert "the file is empty" in err or "the file holds no events" in err, err


@pytest.mark.parametrize(
    ("kind", "header", "other"),
    [
        ("tickets", "id,customer,priority,created", "id,services,start"),
        ("incidents", "id,services,start", "id,customer,priority,created"),
    ],
)
def test_an_empty_csv_is_answered_with_its_own_kinds_header(
    ws: Path, kind: str, header: str, other: str
) -> None:
    """An empty incidents CSV used to be told to start with the tickets' header."""
    for data in (b"", b"\n\n"):
        err = refused_ingest(ws, kind, "none.csv", data)
        assert header in err, err
        assert other not in err, err
