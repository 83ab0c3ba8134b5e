"""A ``multipart/form-data`` body (a form with files to upload) read as it arrives, by
python-multipart's streaming parser (the one Starlette's ``request.form()`` drives): each
field's texts, and each file written piece by piece to the caller's private ``spool`` folder,
so an upload of any size (under the body limit) takes the memory of one piece of the body,
never the whole file.

Not ``request.form()`` itself: it keeps a file of up to 1 MiB in memory and a larger one in an
unnamed temporary file outside the caller's folder, drops the unfinished part of a body cut
short without a word (python-multipart's ``finalize`` does not check that the body ended), and
words every malformed body "Invalid multipart data." — here a body cut short, a part without a
name, a file field sent as text (or a text field as a file), a name that is not UTF-8 and a
header too long are each refused (``invalid-input``) naming the part and the problem."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from anyio.to_thread import run_sync
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header
from starlette.requests import ClientDisconnect, Request

from covenant.errors import InputError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MOST_HEADER = 16 * 1024  # a part's header line (its name and file name): a form's are short
MOST_FILES = 100  # files of one form (an import takes 50): each is a file on disk
_AGAIN = "send the page's own form again"


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str  # as sent (some browsers send the folders too)
    path: Path  # where its bytes were written, in the spool folder
    size: int


@dataclass(frozen=True, slots=True)
class MultipartForm:
    fields: dict[str, list[str]]  # the texts of each field, in the order sent
    files: dict[str, list[Upload]]  # the files of each file field (several: ``multiple``)

    def get(self, name: str, default: str = "") -> str:
        """The first text of the field ``name``."""
        return self.fields[name][0] if self.fields.get(name) else default

    def every(self, name: str) -> list[str]:
        """Every text of the field ``name`` (a field sent several times), in order."""
        return list(self.fields.get(name, []))


@asynccontextmanager
async def uploaded_form(
    request: Request, *, files: Collection[str] = ("file",)
) -> AsyncIterator[MultipartForm]:
    """The request's form (``multipart_form``), its files written to a private temporary
    folder (only this user may read it) that is deleted with them when the block ends —
    answered, refused, over the body limit or cut off by the client."""
    with tempfile.TemporaryDirectory(prefix="covenant-upload-") as folder:
        yield await multipart_form(request, spool=Path(folder), files=files)


async def multipart_form(
    request: Request, *, spool: Path, files: Collection[str] = ("file",)
) -> MultipartForm:
    """The request's ``multipart/form-data`` body; any other is ``invalid-input``. The fields
    named in ``files`` are file inputs (each part a file, with a file name), the others text.
    Each file is written into ``spool`` (a private folder the caller deletes, whatever
    happens) as it arrives; none is left open. The body's size is bounded by the app's body
    limit (``covenant serve --max-body-bytes``, and the route's own in
    ``api.body_limit.ROUTE_LIMITS``), counted as it arrives (``BodyTooLargeError``)."""
    reader = _Reader(spool, frozenset(files))
    parser = MultipartParser(
        _boundary(request.headers.get("content-type", "")),
        reader.callbacks(),
        max_header_size=MOST_HEADER,
    )
    try:
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except MultipartParseError as error:
                raise reader.malformed(error) from None
            if reader.queue:
                await run_sync(reader.flush)
        parser.finalize()
    except ClientDisconnect:
        raise InputError(
            "the connection closed before the form's body ended", hint=_AGAIN
        ) from None
    finally:
        reader.close()
    if parser.state != MultipartState.END:
        raise InputError(
            "the form's body ended before its last part"
            if reader.count
            else "the form's body is not multipart/form-data",
            hint=_AGAIN,
        )
    return MultipartForm(fields=reader.fields, files=reader.files)


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        raise InputError(
            "the form was not sent as multipart/form-data", hint="send the page's own form"
        )
    boundary = options.get(b"boundary", b"")
    if not boundary or len(boundary) > 70:  # RFC 2046: 1 to 70 characters
        raise InputError(
            "the form's Content-Type multipart/form-data names no boundary"
            if not boundary
            else f"the form's boundary is {len(boundary)} characters long; at most 70",
            hint="send the page's own form (its Content-Type names the boundary= between parts)",
        )
    return boundary


@dataclass(slots=True)
class _Part:
    number: int  # 1 for the body's first part
    head: list[tuple[bytes, bytes]] = field(default_factory=list)  # its header lines
    name: str = ""
    filename: str | None = None
    path: Path | None = None  # a file's, in the spool folder
    out: BinaryIO | None = None  # open while its bytes are written
    text: bytearray = field(default_factory=bytearray)  # a field's bytes
    size: int = 0


class _Reader:
    """The parser's callbacks: a part's headers collected, its name and file name read when
    they end, its bytes kept (a field) or queued for its file (``flush`` writes them, off the
    event loop, after each piece of the body is parsed)."""

    def __init__(self, spool: Path, file_fields: frozenset[str]) -> None:
        self.spool = spool
        self.file_fields = file_fields
        self.count = 0  # parts begun
        self.stored = 0  # files begun
        self.part: _Part | None = None
        self.header = [bytearray(), bytearray()]  # the header line being read: name, value
        self.queue: list[tuple[_Part, bytes | None]] = []  # file bytes parsed (None: its end)
        self.open: list[_Part] = []  # files begun, not yet closed
        self.fields: dict[str, list[str]] = {}
        self.files: dict[str, list[Upload]] = {}

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self.header[0].extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.header[1].extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_end,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self.count += 1
        self.part = _Part(number=self.count)

    def _header_end(self) -> None:
        assert self.part is not None
        self.part.head.append((bytes(self.header[0]).strip().lower(), bytes(self.header[1])))
        self.header = [bytearray(), bytearray()]

    def _headers_end(self) -> None:
        part = self.part
        assert part is not None
        disposition = next((v for k, v in part.head if k == b"content-disposition"), b"")
        kind, options = parse_options_header(disposition)
        name = options.get(b"name") if kind == b"form-data" else None
        if not name:
            raise InputError(
                f"part {part.number} of the form has no name "
                '(a part begins with Content-Disposition: form-data; name="…")',
                hint="send the page's own form",
            )
        part.name = _utf8(name, f"the name of part {part.number} of the form")
        sent = options.get(b"filename")
        if part.name not in self.file_fields and sent is not None:
            raise InputError(
                f"the form's field {part.name} was sent as a file: it takes text",
                hint="type the text into the page's own form",
            )
        if sent is not None:
            part.filename = _utf8(sent, f"the file name of the form's field {part.name}")
            self.stored += 1
            if self.stored > MOST_FILES:
                raise InputError(
                    f"the form sends more than {MOST_FILES} files",
                    hint="send fewer files at once",
                )
            part.path = self.spool / f"upload-{self.stored}"  # never the name sent

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        assert part is not None
        part.size += end - start
        if part.path is None:
            part.text.extend(data[start:end])
        elif end > start:
            self.queue.append((part, data[start:end]))

    def _end(self) -> None:
        part, self.part = self.part, None
        assert part is not None
        if part.path is None and part.name in self.file_fields:  # a file's part, no file name
            if part.size:
                raise InputError(
                    f"the form's field {part.name} was sent without a file name: it takes a file",
                    hint='choose the file with the page\'s file input (its part says filename="…")',
                )
            return  # a file input left empty, as some clients send it: nothing chosen
        if part.path is None:
            try:
                text = part.text.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(
                    f"the form's field {part.name} is not UTF-8 text", hint=_AGAIN
                ) from None
            self.fields.setdefault(part.name, []).append(text)
            return
        assert part.filename is not None
        if not part.filename and not part.size:  # a file input left empty: nothing chosen
            return
        self.queue.append((part, None))  # the file closed (created, if of 0 bytes)
        upload = Upload(filename=part.filename, path=part.path, size=part.size)
        self.files.setdefault(part.name, []).append(upload)

    def flush(self) -> None:
        """Write the file bytes parsed so far, each file opened at its first and closed at
        its end (called in a worker thread)."""
        queue, self.queue = self.queue, []
        for part, data in queue:
            if part.out is None:
                assert part.path is not None
                part.out = part.path.open("xb")
                self.open.append(part)
            if data is None:
                part.out.close()
                self.open.remove(part)
            else:
                part.out.write(data)

    def close(self) -> None:
        """Close every file left open by a body that stopped (refused, too large, cut off)."""
        for part in self.open:
            assert part.out is not None
            part.out.close()
        self.open = []

    def malformed(self, error: MultipartParseError) -> InputError:
        if not self.count:
            return InputError(
                "the form's body is not multipart/form-data (it does not begin with the "
                "boundary its Content-Type names)",
                hint=_AGAIN,
            )
        if "header size" in str(error):
            return InputError(
                f"part {self.count} of the form has a header line longer than "
                f"{MOST_HEADER:,} bytes",
                hint="send the page's own form",
            )
        return InputError(
            f"part {self.count} of the form is not well-formed multipart/form-data ({error})",
            hint=_AGAIN,
        )


def _utf8(sent: bytes, what: str) -> str:
    try:
        return sent.decode("utf-8")
    except UnicodeDecodeError:
        shown = sent.decode("utf-8", "backslashreplace")
        raise InputError(
            f"{what} is not UTF-8 text: {shown}", hint="name it in UTF-8, as browsers do"
        ) from None
