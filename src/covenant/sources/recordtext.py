"""The bytes of a ``.json`` ticket or incident file, piece by piece, looked at as they arrive.

CSV and JSON Lines record files are read in blocks of whole lines by the event files' reader
(``eventblocks.text_blocks``, which refuses a line longer than ``MAX_LINE_BYTES``). A ``.json``
array is one document that may be one line of any length (each element at most
``MAX_LINE_BYTES``: ``recordarray``), so it is read here in pieces of 64 KiB, and a NUL
byte, which JSON text never holds, ends the read: a file with a 2 GB hole of NUL bytes is
refused at the hole's first piece, not after it was read and decompressed whole.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from covenant.errors import IngestError
from covenant.sources.eventblocks import PADDED, count_newlines, gzip_unreadable, nul_bytes

__all__ = ["BOM", "PIECE", "first_byte", "json_pieces", "one_object_document", "starts_with_bom"]

PIECE = 1 << 16
BOM = b"\xef\xbb\xbf"


def json_pieces(path: Path, *, gz: bool) -> Iterator[bytes]:
    """The file's bytes (decompressed when ``gz``) in pieces, without a UTF-8 byte-order mark;
    ``IngestError`` (with the fix) when it cannot be read or holds a NUL byte."""
    line, offset = 1, 0
    first = True
    for read in _pieces(path, gz=gz):
        piece = read
        if first and read.startswith(BOM):
            piece, offset = read[len(BOM) :], len(BOM)
        first = False
        nul = piece.find(b"\x00")
        if nul >= 0:
            raise IngestError(
                f"{path.name}:{line + count_newlines(piece[:nul])}: "
                f"{nul_bytes(offset + nul, gz=gz)}, which JSON text never does: no text, "
                f"but {PADDED}",
                hint="make the file again from its source",
            )
        line += count_newlines(piece)
        offset += len(piece)
        yield piece


def first_byte(path: Path, *, gz: bool) -> bytes:
    """The file's first byte that is not a byte-order mark or white space (b"" if none)."""
    first = True
    for piece in _pieces(path, gz=gz):
        text = piece.lstrip(BOM) if first else piece
        first = False
        text = text.lstrip(b" \t\r\n")
        if text:
            return text[:1]
    return b""


def starts_with_bom(path: Path, *, gz: bool) -> bool:
    """Whether the file (decompressed when ``gz``) starts with a UTF-8 byte-order mark."""
    for piece in _pieces(path, gz=gz):
        return piece.startswith(BOM)
    return False


def _pieces(path: Path, *, gz: bool) -> Iterator[bytes]:
    try:
        with gzip.open(path, "rb") if gz else path.open("rb") as handle:
            while piece := handle.read(PIECE):
                yield piece
    except (OSError, EOFError, zlib.error) as exc:
        raise unreadable(path, exc, gz=gz) from exc


def unreadable(path: Path, exc: BaseException, *, gz: bool) -> IngestError:
    """The error for a record file that cannot be read (or, named .gz, decompressed)."""
    if gz and not isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
        return gzip_unreadable(path, exc)
    return IngestError(
        f"{path}: cannot read the file ({getattr(exc, 'strerror', None) or exc})",
        hint="check the path and that you may read it",
    )


_ARRAY_KEY = re.compile(rb'"([^"\\]{1,64})"\s*:\s*\[\s*\{')


def one_object_document(path: Path, *, gz: bool) -> None:
    """Refuse a ``.json`` file that is one object written over several lines (an API's answer
    such as PagerDuty's ``{"incidents": [...], "more": false}``): it is neither an array of
    records nor JSON Lines, and read as lines each line would be a bad row. The hint names
    the first key holding an array of objects and how to take it out."""
    head = b""
    for piece in _pieces(path, gz=gz):
        head += piece
        if b"\n" in head.lstrip(BOM + b" \t\r\n") or len(head) >= PIECE:
            break
    text = head.lstrip(BOM).lstrip(b" \t\r\n")
    line = text.split(b"\n", 1)[0].strip()
    if line != b"{" and not line.endswith((b"{", b"[")):
        return
    try:
        json.loads(line)
    except ValueError:
        pass
    else:
        return
    found = _ARRAY_KEY.search(text)
    key = found.group(1).decode("utf-8", "replace") if found else "KEY"
    raise IngestError(
        f"{path.name}: the file is one JSON object written over several lines, not an array "
        "of records or one record per line (an API's answer holding the array, such as "
        '{"incidents": [...]})',
        hint=f"take the array of records out of it, e.g. jq '.{key}' {path.name} > "
        f"records.json, and ingest that (docs/records.md)",
    )
