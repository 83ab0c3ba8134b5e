"""One kind of file gets one message whichever events reader meets it.

The Parquet reader had its own check of a file's first bytes beside ``covenant.filekinds``
and worded gzip and the other compressions its own way: a bzip2 file named ``.parquet`` was
told "decompress it first" while the same file named ``.csv`` was told Covenant reads gzip; a
gzipped Parquet file was told to be named ``events.csv.gz`` (named ``.parquet``) or
``events.csv.gz`` again (named ``.csv``), and one named ``events.csv.gz`` to be named
``events.csv.parquet``. Every reader now asks ``filekinds`` and words its answer with
``NotText.sentence``: the file's kind and fix are the same whatever its name says.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from covenant.core.model import EventRule
from covenant.errors import IngestError
from covenant.sources.events import read_events
from covenant.sources.recordfiles import read_record_source

CSV = b"timestamp,sli,status\n2026-01-01T00:00:00Z,checkout,200\n"
RULE = EventRule(series="checkout-availability", sli="checkout")


def _parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"timestamp": ["2026-01-01T00:00:00Z"]}), buffer)
    return buffer.getvalue()


def _workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return buffer.getvalue()


def _read(path: Path) -> object:
    if path.name.startswith("tickets"):
        return read_record_source(path)
    return read_events(path, rules=[RULE])


def _refused(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        _read(path)
    return info.value


KINDS = {  # content → (what the file is, its fix), written out by hand
    "bzip2": (
        bz2.compress(CSV),
        "bzip2-compressed",
        "decompress it first (Covenant reads gzip: a name ending in .gz)",
    ),
    "xz": (
        lzma.compress(CSV),
        "xz-compressed",
        "decompress it first (Covenant reads gzip: a name ending in .gz)",
    ),
    "workbook": (
        _workbook(),
        "a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook is one)",
        "export the sheet as CSV (UTF-8), or unzip the archive and give its files",
    ),
    "pdf": (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        "a PDF document",
        "give the CSV or JSON Lines it holds or was made from",
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("name", ["events.csv", "events.jsonl", "events.parquet"])
def test_every_events_reader_names_a_kind_alike(tmp_path: Path, kind: str, name: str) -> None:
    content, what, fix = KINDS[kind]
    path = tmp_path / name
    path.write_bytes(content)
    error = _refused(path)
    instead = "Parquet" if name.endswith(".parquet") else "text"
    assert (error.message, error.hint) == (f"{name}: the file is {what}, not {instead}", fix)


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("events.csv", "gzip -dc events.csv > events.parquet"),
        ("events.csv.gz", "gzip -dc events.csv.gz > events.parquet"),
        ("events.jsonl", "gzip -dc events.jsonl > events.parquet"),
        ("events.parquet", "mv events.parquet events.parquet.gz && gzip -d events.parquet.gz"),
    ],
)
def test_gzipped_parquet_is_named_so_under_any_name(tmp_path: Path, name: str, fix: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(_parquet(), mtime=0))
    error = _refused(path)
    assert error.message.startswith(f"{name}: the file is gzip-compressed Parquet")
    assert error.hint == f"decompress it ({fix}): a Parquet file is read as it is, not gzipped"


def test_a_ticket_file_gets_the_same_kind_and_its_own_formats(tmp_path: Path) -> None:
    """Tickets take no Parquet: a gzipped Parquet ticket file is to be written out as text."""
    for name in ("tickets.csv", "tickets.csv.gz"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(_parquet(), mtime=0))
        error = _refused(path)
        assert error.message == f"{name}: the file is gzip-compressed Parquet, not text"
        assert error.hint == "decompress it and write its rows out as CSV or JSON"
    path = tmp_path / "tickets.csv"
    path.write_bytes(bz2.compress(CSV))
    assert _refused(path).hint == KINDS["bzip2"][2]
