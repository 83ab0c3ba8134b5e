"""A compressed file or a workbook given where text belongs is named for what it is, with the
fix that works — not "UTF-16 … iconv -f UTF-16" or "not UTF-8 … iconv -f LATIN1", which cannot
help with a gzip file whose name lacks .gz or an .xlsx renamed .csv."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from covenant.core.model import EventRule
from covenant.definitions.workspace import analyse
from covenant.errors import IngestError
from covenant.sources.events import read_events
from covenant.sources.recordfiles import read_record_source

EVENTS = b"timestamp,sli,status\n2026-01-01T00:00:00Z,checkout,200\n"
TICKETS = b"id,customer,priority,created\nT-1,acme,P1,2026-01-01T00:00:00Z\n"
SERVICE = b"apiVersion: openslo/v1\nkind: Service\nmetadata: {name: cafe}\nspec: {}\n"
RULE = EventRule(series="checkout-availability", sli="checkout")


def workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>" * 50)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["events.csv", "events.jsonl"])
def test_gzipped_events_without_gz_in_the_name_are_told_to_be_named_gz(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(EVENTS, mtime=0))  # mtime 0: NUL bytes in its header
    with pytest.raises(IngestError) as info:
        read_events(path, rules=[RULE])
    assert info.value.message == f"{name}: the file is gzip-compressed, not text"
    assert info.value.hint == (
        f"name it {name}.gz (a file whose name ends in .gz is decompressed as it is read)"
    )


def test_a_workbook_renamed_csv_is_told_to_be_exported_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(workbook())
    with pytest.raises(IngestError) as info:
        read_events(path, rules=[RULE])
    assert info.value.message == (
        "events.csv: the file is a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook "
        "is one), not text"
    )
    assert info.value.hint == (
        "export the sheet as CSV (UTF-8), or unzip the archive and give its files"
    )


def test_a_gzipped_ticket_file_without_gz_is_told_to_be_named_gz(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(gzip.compress(TICKETS, mtime=0))
    with pytest.raises(IngestError) as info:
        read_record_source(path)
    assert info.value.message == "tickets.csv: the file is gzip-compressed, not text"
    assert info.value.hint == (
        "name it tickets.csv.gz (a file whose name ends in .gz is decompressed as it is read)"
    )


def test_a_gzipped_definition_file_is_told_to_be_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "services.yaml"
    path.write_bytes(gzip.compress(SERVICE, mtime=0))
    _, problems = analyse([path])
    (problem,) = problems
    assert problem.code == "unreadable-file"
    assert problem.message == f"{path} is gzip-compressed, not YAML text"
    assert problem.fix == "decompress it first (gzip -dc services.yaml > plain-services.yaml)"


def test_latin1_text_keeps_its_encoding_advice(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(TICKETS.replace(b"acme", b"caf\xe9"))
    with pytest.raises(IngestError) as info:
        read_record_source(path)
    assert "not UTF-8 text" in info.value.message
    assert info.value.hint == "export the file as UTF-8"
