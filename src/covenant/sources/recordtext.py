"""A ticket or incident file's text, read in pieces that are looked at as they arrive.

Record files are parsed whole (their rows are few), but a file is not taken whole before it
is looked at: a line longer than ``MAX_LINE_BYTES`` (CSV, JSON Lines) ends the read there,
as in event files, and so does a NUL byte in a ``.json`` array, which JSON text never holds
(a ``.json`` array may be one line of any length). A file with a 2 GB hole of NUL bytes is
refused after the first 32 MiB of the hole, not after it was read and decompressed whole.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from covenant.errors import IngestError
from covenant.sources.eventblocks import (
    MAX_LINE_BYTES,
    PADDED,
    count_newlines,
    first_overlong,
    nul_bytes,
    overlong_line,
)

__all__ = ["read_record_text"]

_PIECE = 1 << 20


def read_record_text(path: Path, *, gz: bool, kind: str) -> bytes:
    """The file's text (decompressed when ``gz``); ``IngestError`` (with the fix) when it
    cannot be read or holds a line no record file has. ``kind``: csv, jsonl or json."""
    watch = _Watch(path.name, gz=gz, lines=None if kind == "json" else True)
    pieces = []
    for piece in _pieces(path, gz=gz):
        watch.see(piece)
        pieces.append(piece)
    return b"".join(pieces)


def _pieces(path: Path, *, gz: bool) -> Iterator[bytes]:
    try:
        with gzip.open(path, "rb") if gz else path.open("rb") as handle:
            while piece := handle.read(_PIECE):
                yield piece
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, gzip.BadGzipFile | EOFError | zlib.error):
            raise IngestError(
                f"{path.name}: cannot decompress it as gzip ({exc})",
                hint="re-compress it with gzip, or drop .gz from the name if it is plain",
            ) from exc
        raise IngestError(
            f"{path}: cannot read the file ({getattr(exc, 'strerror', None) or exc})",
            hint="check the path and that you may read it",
        ) from exc


class _Watch:
    """Follows the lines of the pieces read so far: the line being read, where it started."""

    def __init__(self, name: str, *, gz: bool, lines: bool | None) -> None:
        self.name, self.gz = name, gz
        self.lines = lines  # True: lines are limited; False: NUL bytes refused; None: not known
        self.line, self.offset = 1, 0  # at the next piece's first byte
        self.run = 0  # bytes since the last line break
        self.window: list[bytes] = []  # pieces from the one where the current line starts
        self.window_line, self.window_start = 1, 0

    def see(self, piece: bytes) -> None:
        if self.lines is None:  # a .json file: one object per line when it starts with "{"
            first = piece.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
            self.lines = None if not first else first == b"{"
            self.window_line, self.window_start = self.line, self.offset
        if self.lines is False:
            self._refuse_nul(piece)
        elif self.lines:
            self._follow(piece)
        self.line += count_newlines(piece)
        self.offset += len(piece)

    def _follow(self, piece: bytes) -> None:
        newline = piece.rfind(b"\n")
        if newline < 0:
            self.run += len(piece)
            self.window.append(piece)
        elif self.run + piece.find(b"\n") > MAX_LINE_BYTES or (
            len(piece) > MAX_LINE_BYTES and first_overlong(piece) >= 0
        ):
            self._refuse([*self.window, piece])  # a line that ends in this piece
        else:
            self.run = len(piece) - newline - 1
            self.window = [piece]
            self.window_line, self.window_start = self.line, self.offset
        if self.run > MAX_LINE_BYTES:
            self._refuse(self.window)

    def _refuse(self, pieces: list[bytes]) -> None:
        raise overlong_line(
            self.name,
            b"".join(pieces),
            line=self.window_line,
            start=self.window_start,
            gz=self.gz,
        )

    def _refuse_nul(self, piece: bytes) -> None:
        nul = piece.find(b"\x00")
        if nul < 0:
            return
        raise IngestError(
            f"{self.name}:{self.line + count_newlines(piece[:nul])}: "
            f"{nul_bytes(self.offset + nul, gz=self.gz)}, which JSON text never does: no text, "
            f"but {PADDED}",
            hint="make the file again from its source",
        )
