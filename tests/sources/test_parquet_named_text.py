"""A `.parquet` file that holds text is named for the text it holds, with the name to give it.

A CSV export saved as `events.parquet` got "cannot read it as Parquet: Parquet magic bytes not
found in footer … check that the file is a complete Parquet file": no word that it is text, and
a fix (a complete Parquet file) that cannot help. Every Parquet file starts with the bytes PAR1,
so the first bytes tell.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from covenant.core.model import EventRule
from covenant.errors import IngestError
from covenant.filekinds import text_kind
from covenant.sources.events import read_events

RULE = EventRule(series="checkout-availability", sli="checkout")
CSV = b"timestamp,sli,status\n2026-01-01T00:00:00Z,checkout,200\n"
JSONL = b'{"timestamp": "2026-01-01T00:00:00Z", "sli": "checkout", "status": 200}\n'
SUFFIX = " (a name ending in .parquet is read as Parquet)"


def _refused(path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_events(path, rules=[RULE])
    return info.value


@pytest.mark.parametrize(
    ("content", "message", "hint"),
    [
        (CSV, "events.parquet: the file looks like CSV text, not Parquet", "name it events.csv"),
        (  # a byte-order mark and a semicolon-separated export are CSV too
            b"\xef\xbb\xbftimestamp;sli;status\n2026-01-01T00:00:00Z;checkout;200\n",
            "events.parquet: the file looks like CSV text, not Parquet",
            "name it events.csv",
        ),
        (
            JSONL,
            "events.parquet: the file looks like JSON Lines text (one object per line), not "
            "Parquet",
            "name it events.jsonl",
        ),
        (
            b'[\n  {"timestamp": "2026-01-01T00:00:00Z", "sli": "checkout"}\n]\n',
            "events.parquet: the file looks like JSON text, not Parquet",
            "write one event object per line and name it events.jsonl",
        ),
    ],
    ids=["csv", "csv-bom-semicolons", "jsonl", "json-array"],
)
def test_text_named_parquet_is_named_for_what_it_holds(
    tmp_path: Path, content: bytes, message: str, hint: str
) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(content)
    error = _refused(path)
    assert (error.message, error.hint) == (message, hint + SUFFIX)
    assert "magic bytes" not in str(error)


GZ = " (a file whose name ends in .gz is decompressed as it is read)"


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (CSV, "it holds CSV text: name it events.csv.gz" + GZ),
        (JSONL, "it holds JSON Lines text: name it events.jsonl.gz" + GZ),
        (
            b"\x01\x02\x03",
            "if it holds CSV or JSON Lines, name it events.csv.gz or events.jsonl.gz" + GZ,
        ),
    ],
    ids=["csv", "jsonl", "unknown"],
)
def test_a_gzip_file_named_parquet_is_told_the_name_for_what_it_holds(
    tmp_path: Path, content: bytes, hint: str
) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(gzip.compress(content, mtime=0))
    error = _refused(path)
    assert error.message == "events.parquet: the file is gzip-compressed, not Parquet"
    assert error.hint == hint


def test_a_gzipped_parquet_file_is_told_to_be_decompressed_in_place(tmp_path: Path) -> None:
    """Parquet compresses inside and is read as it is: the fix decompresses it (never with
    ``gzip -dc events.parquet > events.parquet``, which would empty it first)."""
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"timestamp": ["2026-01-01T00:00:00Z"], "sli": ["checkout"]}), whole)
    path = tmp_path / "events.parquet"
    path.write_bytes(gzip.compress(whole.read_bytes(), mtime=0))
    error = _refused(path)
    assert error.message == "events.parquet: the file is gzip-compressed Parquet"
    assert error.hint == (
        "decompress it (mv events.parquet events.parquet.gz && gzip -d events.parquet.gz): "
        "a Parquet file is read as it is, not gzipped"
    )


def test_an_empty_parquet_file_is_called_empty(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(b"")
    assert _refused(path).message == "events.parquet: the file is empty"


def test_a_cut_parquet_file_keeps_the_parquet_advice(tmp_path: Path) -> None:
    """A Parquet file that lost its end (an interrupted copy) starts with PAR1: it is one."""
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"timestamp": ["2026-01-01T00:00:00Z"], "sli": ["checkout"]}), whole)
    path = tmp_path / "events.parquet"
    path.write_bytes(whole.read_bytes()[:-20])
    error = _refused(path)
    assert error.message.startswith("events.parquet: cannot read it as Parquet: ")
    assert error.hint == "check that the file is a complete Parquet file"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (CSV, "CSV"),
        (b"a\tb\n1\t2\n", "CSV"),
        (JSONL, "JSON Lines"),
        (b'  {\n  "a": 1\n}\n', "JSON"),
        (b"hello\nworld\n", "text"),
        ("caf\u00e9,x\n".encode()[:4], "text"),  # é cut after its first byte: the head ends
        (b"", None),
        (b"PAR1\x15\x04\x00", None),
        (b"\x1f\x8b\x08\x00", None),
        (b"caf\xe9,x\n", None),  # Latin-1, not UTF-8
        (b"\x01\x02\x03\x04abc", None),
    ],
)
def test_text_kind(head: bytes, kind: str | None) -> None:
    assert text_kind(head) == kind


@pytest.mark.parametrize(
    ("encoding", "codec"),
    [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE")],
    ids=["bom", "le", "be"],
)
def test_utf16_text_named_parquet_gets_the_utf16_advice(
    tmp_path: Path, encoding: str, codec: str
) -> None:
    """As the CSV reader advises for a UTF-16 file (save it as UTF-8, with iconv), not "not
    Parquet (a Parquet file starts with the bytes PAR1)"; without a byte-order mark, iconv
    must be told the byte order (its "UTF-16" then reads big-endian)."""
    path = tmp_path / "events.parquet"
    path.write_bytes(CSV.decode().encode(encoding))
    error = _refused(path)
    assert error.message == "events.parquet: the file is UTF-16 text, not Parquet"
    assert error.hint == (
        "it holds CSV text: save it as UTF-8 named events.csv "
        f"(e.g. iconv -f {codec} -t UTF-8 events.parquet > events.csv)"
    )


def test_utf16_json_lines_named_parquet_is_told_its_name(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(JSONL.decode().encode("utf-16"))
    assert _refused(path).hint == (
        "it holds JSON Lines text: save it as UTF-8 named events.jsonl "
        "(e.g. iconv -f UTF-16 -t UTF-8 events.parquet > events.jsonl)"
    )


@pytest.mark.parametrize(
    "content",
    [
        "timestamp,sli\n".encode("utf-32"),  # UTF-32, not UTF-16
        bytes(range(256)) * 4,  # binary with NUL bytes
        b"\x00" * 64,
    ],
    ids=["utf-32", "binary", "nul"],
)
def test_no_utf16_text_keeps_the_generic_advice(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(content)
    assert _refused(path).message == (
        "events.parquet: the file is not Parquet (a Parquet file starts with the bytes PAR1)"
    )
