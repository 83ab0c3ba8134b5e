"""A ``.json`` ticket or incident file (one array of objects), element by element, in batches.

The array is decoded from a window of text that holds the element being read and little
more: pieces of 64 KiB are decoded as UTF-8 as they arrive and text before the current element
is dropped, so memory stays bounded by the largest element whatever the file's size (an
array written on one line of any length included). Each element's line is counted from the
line breaks of the text dropped and passed over, so no copy of the text is kept to find it
(the whole-file reader kept the text four times over as UTF-32 to know line numbers). An
element has the limit of a line of CSV or JSON Lines (``eventblocks.MAX_LINE_BYTES`` of
UTF-8): a longer one is refused once that much of it is read, so the window never holds
more than one element of that size.

An element may end where the text read so far ends (a number, or an object cut in the
middle): the decoder is asked again with more text when its answer could change with it,
with at least twice the text each time, so a long element costs a few passes, not one per
piece.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path

from covenant.errors import IngestError
from covenant.sources import eventblocks, recordtext
from covenant.sources.eventblocks import size_text
from covenant.sources.recordrows import (
    TOO_DEEP,
    JsonRows,
    RecordSource,
    decode_object,
    depth_ok,
    not_utf8,
    repeated,
)
from covenant.sources.recordtext import json_pieces

__all__ = ["json_array_batches"]

_SPACE = " \t\r\n"
_CUT_MARGIN = 8  # an error this close to the text's end may be the text's end: read more


class _Window:
    """The text from the current element on (positions count from the text's start), with
    the line number of any position in it."""

    def __init__(self, path: Path, *, gz: bool) -> None:
        self.name = path.name
        self.path = path
        self.pieces = json_pieces(path, gz=gz)
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.base = 0  # the position of ``text[0]``: what was dropped before it
        self.eof = False
        self.fed = 0  # bytes decoded so far
        self.head = b""  # the file's first bytes, to name a binary file for what it is
        self.mark, self.mark_line = 0, 1  # a position in the window and its line
        self.size = max(path.stat().st_size, 1)
        self.gz = gz

    @property
    def end(self) -> int:
        """The position after the text read so far."""
        return self.base + len(self.text)

    def at(self, position: int) -> str:
        """The character at ``position`` ("" past the text read)."""
        return self.text[position - self.base : position - self.base + 1]

    def done(self) -> float:
        return 0.0 if self.gz else min(self.fed / self.size, 1.0)

    def line_of(self, position: int) -> int:
        """The line of ``position`` (counted on from the last position asked for)."""
        here, mark = position - self.base, self.mark - self.base
        if here >= mark:
            self.mark_line += self.text.count("\n", mark, here)
        else:
            self.mark_line -= self.text.count("\n", here, mark)
        self.mark = position
        return self.mark_line

    def more(self, keep: int, want: int) -> None:
        """Drop the text before ``keep`` and read until ``want`` characters follow it (or the
        file ends)."""
        self.line_of(keep)
        pieces = [self.text[keep - self.base :]]
        self.base = keep
        have = len(pieces[0])
        while have < want and not self.eof:
            piece = next(self.pieces, None)
            if piece is None:
                self.eof = True
                piece = b""
            if not self.head:
                self.head = piece[:4096]
            pending = len(self.decoder.getstate()[0])
            try:
                text = self.decoder.decode(piece, final=self.eof)
            except UnicodeDecodeError as exc:
                raise not_utf8(self.name, self.head, self.fed - pending + exc.start) from None
            self.fed += len(piece)
            pieces.append(text)
            have += len(text)
        self.text = "".join(pieces)

    def skip_space(self, position: int) -> int:
        """The first position from ``position`` on that is not white space (the end when the
        file ends in white space); text before ``position`` may be dropped."""
        while True:
            here = position - self.base
            while here < len(self.text) and self.text[here] in _SPACE:
                here += 1
            position = self.base + here
            if here < len(self.text) or self.eof:
                return position
            self.more(position, recordtext.PIECE)

    def decode(self, position: int, number: int) -> tuple[object, int, str]:
        """``(value, end, repeat)`` (``recordrows.decode_object``) of element ``number`` (from
        1), at ``position``; text before it may be dropped. An element longer than a line may
        be (``MAX_LINE_BYTES`` of UTF-8) is refused once that much of it is read."""
        limit = eventblocks.MAX_LINE_BYTES
        while True:
            try:
                value, end, repeat = decode_object(self.text, position - self.base)
            except json.JSONDecodeError as exc:
                cut = _maybe_cut(exc, len(self.text))
                if self.eof or not cut:  # cut: the element runs on to the end of the file
                    self.check_size(position, self.end if cut else self.base + exc.pos, number)
                    raise self.broken(self.base + exc.pos, f"invalid JSON: {exc.msg}") from exc
            except RecursionError:
                raise self.broken(position, f"an array element is {TOO_DEEP}") from None
            else:
                if end < len(self.text) or self.eof:
                    self.check_size(position, self.base + end, number)
                    return value, self.base + end, repeat
            self.check_size(position, self.end, number)
            self.more(position, min(max(2 * (self.end - position), recordtext.PIECE), limit + 1))

    def check_size(self, position: int, end: int, number: int) -> None:
        """Refuse element ``number`` when its text from ``position`` to ``end`` is longer than
        ``MAX_LINE_BYTES`` of UTF-8 (a character is 1 to 4 bytes: most need no counting)."""
        limit = eventblocks.MAX_LINE_BYTES
        chars = end - position
        if chars * 4 <= limit:
            return
        text = self.text[position - self.base : end - self.base]
        if chars > limit or (not text.isascii() and len(text.encode()) > limit):
            raise self.overlong(position, number)

    def overlong(self, position: int, number: int) -> IngestError:
        """The error for element ``number`` at ``position``, longer than a line may be: as
        ``eventblocks.overlong_line`` says it of a line, with the element's byte offset."""
        limit = size_text(eventblocks.MAX_LINE_BYTES)
        here = position - self.base
        pending = len(self.decoder.getstate()[0])
        after = self.text[here:]
        offset = self.fed - pending - _utf8_size(after) + self.bom()
        of = " of the decompressed text" if self.gz else ""
        shown = after[:24]
        return IngestError(
            f"{self.name}:{self.line_of(position)}: array element {number} is longer than "
            f"{limit} (no end of it in the {limit} from byte offset {offset}{of} on; it "
            f"starts {shown!r}…)",
            hint=f"a record is one array element, and none is near {limit} long: check how the "
            "file was made (a field that holds a whole document, or text that is no records)",
        )

    def bom(self) -> int:
        """The length of the file's UTF-8 byte-order mark (``json_pieces`` drops it)."""
        return len(recordtext.BOM) if recordtext.starts_with_bom(self.path, gz=self.gz) else 0

    def broken(self, position: int, what: str, *, line: int = 0) -> IngestError:
        return IngestError(
            f"{self.name}:{line or self.line_of(position)}: {what}",
            hint="a .json record file must be one JSON array of objects: [{...}, {...}]"
            " (use .jsonl for one object per line)",
        )


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def _maybe_cut(exc: json.JSONDecodeError, length: int) -> bool:
    """Whether the decoder may have failed only because the text read so far ends early."""
    return exc.pos >= length - _CUT_MARGIN or exc.msg.startswith("Unterminated string")


def json_array_batches(path: Path, *, gz: bool, block_bytes: int) -> Iterator[RecordSource]:
    """The array's objects in batches of about ``block_bytes`` characters of text and at most
    ``recordrows.BLOCK_ROWS`` elements (``JsonRows.full``); an element that is no object (or
    nests too deep) is a bad row, broken JSON an ``IngestError``."""
    window = _Window(path, gz=gz)
    found = JsonRows(path)
    size = number = 0
    last_line = 0  # the line the element before ends on
    position = window.skip_space(0)
    if window.at(position) != "[":
        raise window.broken(position, "the file does not start with a JSON array '['")
    position = window.skip_space(position + 1)
    if window.at(position) == "]":
        position += 1
    else:
        while True:
            number += 1
            value, end, repeat = window.decode(position, number)
            line = window.line_of(position)
            if line == last_line:  # on the line the element before ends on: both named
                found.shared.update((number - 1, number))
            if isinstance(value, dict) and depth_ok(value) and not repeat:
                found.add(value, line, number)
            elif repeat:
                found.bad(line, f"array element is {repeated(repeat)}", number)
            else:
                what = TOO_DEEP if isinstance(value, dict) else "not a JSON object"
                found.bad(line, f"array element is {what}", number)
            last_line = window.line_of(end)
            size += end - position
            if size >= block_bytes or found.full:
                yield found.source(window.done())
                found, size = JsonRows(path), 0
            position = window.skip_space(end)
            if window.at(position) == ",":
                position = window.skip_space(position + 1)
                continue
            if window.at(position) == "]":
                position += 1
                break
            raise window.broken(position, "expected ',' or ']' after an array element")
    after = window.line_of(position)  # the line of the closing ']' (text before may go)
    if window.skip_space(position) != window.end:
        raise window.broken(position, "text after the closing ']'", line=after)
    yield found.source(window.done())
