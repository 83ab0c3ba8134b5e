"""A ``multipart/form-data`` body (a form with files to upload) read as it arrives: each
field's texts, and each file's name and bytes — or, given a ``spool`` folder, each file written
there piece by piece, so an upload of any size (under the body limit) takes the memory of a
piece, never the whole file. Each part's headers are read with the standard library's MIME
parser."""

from __future__ import annotations

from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import BinaryIO

from anyio.to_thread import run_sync
from fastapi import Request

from covenant.errors import InputError

MOST_PART_HEAD = 16 * 1024  # a part's headers (its name and file name): a form's are short


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    data: bytes = b""  # the file's bytes, read without a spool folder
    path: Path | None = None  # where the file was written, with one
    size: int = 0  # its bytes, either way


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


async def multipart_form(request: Request, *, spool: Path | None = None) -> MultipartForm:
    """The request's ``multipart/form-data`` body; any other is ``invalid-input``. Its size is
    bounded by the app's body limit (``covenant serve --max-body-bytes``, and the route's own
    in ``api.body_limit.ROUTE_LIMITS``), counted as it arrives. With ``spool`` (a private
    folder the caller deletes), each file is written there as it arrives (``Upload.path``)."""
    kind = request.headers.get("content-type", "")
    head = Message()
    head["Content-Type"] = kind
    boundary = head.get_boundary() if head.get_content_type() == "multipart/form-data" else None
    if not boundary:
        raise InputError(
            "the form was not sent as multipart/form-data", hint="send the page's own form"
        )
    reader = _Reader(boundary.encode("latin-1", "replace"), spool)
    try:
        await reader.read(request.stream())
    finally:
        reader.close()
    return MultipartForm(fields=reader.fields, files=reader.files)


@dataclass(slots=True)
class _Part:
    name: str | None
    filename: str | None
    out: BinaryIO | None = None  # the spooled file being written
    path: Path | None = None
    pieces: list[bytes] = field(default_factory=list)  # the bytes, when not spooled
    size: int = 0


class _Reader:
    """The body's parts, found between ``CRLF--boundary`` delimiters as the pieces arrive: a
    part's text is passed on up to the last bytes that could begin a delimiter."""

    def __init__(self, boundary: bytes, spool: Path | None) -> None:
        self.delimiter = b"\r\n--" + boundary
        self.spool = spool
        self.buffer = b"\r\n"  # the first delimiter opens the body: no CRLF before it
        self.state = "preamble"  # preamble → head → text → (head → text)… → done
        self.part: _Part | None = None
        self.count = 0
        self.fields: dict[str, list[str]] = {}
        self.files: dict[str, list[Upload]] = {}

    async def read(self, chunks: AsyncIterable[bytes]) -> None:
        async for chunk in chunks:
            if self.state != "done":
                self.buffer += chunk
                await self._advance()
        if self.state != "done":
            raise InputError(
                "the form's body is not multipart/form-data"
                if self.state == "preamble"
                else "the form's body ended before its last part",
                hint="send the page's own form again",
            )

    async def _advance(self) -> None:
        while True:
            if self.state in ("preamble", "text"):
                found = self.buffer.find(self.delimiter)
                if found < 0:
                    keep = len(self.delimiter) - 1
                    if len(self.buffer) > keep:
                        await self._text(self.buffer[:-keep])
                        self.buffer = self.buffer[-keep:]
                    return
                await self._text(self.buffer[:found])
                self._end()
                self.buffer = self.buffer[found + len(self.delimiter) :]
                self.state = "after"
            if self.state == "after":  # "--" closes the body; CRLF opens a part's headers
                if self.buffer.startswith(b"--"):
                    self.state, self.buffer = "done", b""
                    return
                line = self.buffer.find(b"\r\n")
                if line < 0:
                    if len(self.buffer) > MOST_PART_HEAD:
                        raise InputError("the form's body is not multipart/form-data")
                    return
                self.buffer = self.buffer[line + 2 :]  # padding after a delimiter is ignored
                self.state = "head"
            if self.state == "head":  # up to the blank line (none: a part without headers)
                end = -2 if self.buffer.startswith(b"\r\n") else self.buffer.find(b"\r\n\r\n")
                if end == -1:
                    if len(self.buffer) > MOST_PART_HEAD:
                        raise InputError(
                            f"a part of the form has headers longer than {MOST_PART_HEAD:,} bytes",
                            hint="send the page's own form",
                        )
                    return
                text = b"" if end == -2 else self.buffer[:end]
                self.buffer = self.buffer[2:] if end == -2 else self.buffer[end + 4 :]
                await self._start(text)
                self.state = "text"
            if self.state == "done":
                return

    async def _start(self, head: bytes) -> None:
        part = BytesParser(policy=HTTP).parsebytes(head + b"\r\n\r\n")
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        self.part = _Part(name=name if isinstance(name, str) else None, filename=filename)
        if self.part.name is not None and filename is not None and self.spool is not None:
            self.count += 1
            self.part.path = self.spool / f"upload-{self.count}"
            path = self.part.path
            self.part.out = await run_sync(lambda: path.open("wb"))

    async def _text(self, data: bytes) -> None:
        part = self.part
        if part is None or part.name is None or not data:  # the preamble, or a nameless part
            return
        part.size += len(data)
        if part.out is not None:
            await run_sync(part.out.write, data)
        else:
            part.pieces.append(data)

    def _end(self) -> None:
        part, self.part = self.part, None
        if part is None or part.name is None:
            return
        if part.out is not None:
            part.out.close()
        data = b"".join(part.pieces)
        if part.filename is not None:
            if part.size or part.filename:  # an empty file input sends a part with no name
                upload = Upload(filename=part.filename, data=data, path=part.path, size=part.size)
                self.files.setdefault(part.name, []).append(upload)
            return
        try:
            self.fields.setdefault(part.name, []).append(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError(f"the form's field {part.name} is not UTF-8 text") from None

    def close(self) -> None:
        """Close a file left open by a body that stopped (too large, cut short)."""
        if self.part is not None and self.part.out is not None:
            self.part.out.close()
