"""A ``multipart/form-data`` body (a form with files to upload) read with the standard
library's MIME parser: each field's texts, and each file's name and bytes."""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP

from fastapi import Request

from covenant.errors import InputError


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    data: bytes


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


async def multipart_form(request: Request) -> MultipartForm:
    """The request's ``multipart/form-data`` body; any other is ``invalid-input``. Its size is
    bounded by the app's body limit (``covenant serve --max-body-bytes``, and the route's own
    in ``api.body_limit.ROUTE_LIMITS``)."""
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() != "multipart/form-data" or "boundary=" not in kind:
        raise InputError(
            "the form was not sent as multipart/form-data", hint="send the page's own form"
        )
    body = await request.body()
    head = f"Content-Type: {kind}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise InputError("the form's body is not multipart/form-data")
    fields: dict[str, list[str]] = {}
    files: dict[str, list[Upload]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if data or filename:  # an empty file input sends a part with no name
                files.setdefault(name, []).append(Upload(filename=filename, data=data))
            continue
        try:
            fields.setdefault(name, []).append(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError(f"the form's field {name} is not UTF-8 text") from None
    return MultipartForm(fields=fields, files=files)
