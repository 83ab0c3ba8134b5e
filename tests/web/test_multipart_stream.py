"""``web.multipart.multipart_form`` reads a form as its body arrives: whatever the pieces it
arrives in (one byte, a few, a delimiter split across two), the fields and files are those
sent, and with a ``spool`` folder each file is written there rather than held. The bodies are
encoded by httpx, as a browser's are."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from covenant.errors import InputError
from covenant.web.multipart import MultipartForm, multipart_form

# text that looks like a delimiter's start, CRLFs and dashes near the part's end
TRICKY = b"id,x\r\n--\r\n-- not a boundary\r\n\r\n" + bytes(range(256)) * 40 + b"\r\n--"


def encoded(fields: dict[str, str], files: dict[str, Any]) -> tuple[str, bytes]:
    sent = httpx.Request("POST", "http://test/", data=fields, files=files)
    return sent.headers["content-type"], sent.read()


def read(kind: str, body: bytes, size: int, spool: Path | None = None) -> MultipartForm:
    messages = [
        {"type": "http.request", "body": body[i : i + size], "more_body": i + size < len(body)}
        for i in range(0, len(body), size)
    ] or [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", kind.encode())],
    }
    return asyncio.run(multipart_form(Request(scope, receive), spool=spool))


@pytest.mark.parametrize("size", [1, 2, 7, 63, 4096, 10**7])
def test_fields_and_files_are_read_whatever_the_pieces(size: int, tmp_path: Path) -> None:
    kind, body = encoded(
        {"csrf": "tok", "columns": "id=Key\nr=Ré"},
        {"file": ("t.csv", TRICKY, "text/csv")},
    )
    form = read(kind, body, size)
    assert (form.get("csrf"), form.get("columns")) == ("tok", "id=Key\nr=Ré")
    (upload,) = form.files["file"]
    assert (upload.filename, upload.data, upload.size, upload.path) == (
        "t.csv",
        TRICKY,
        len(TRICKY),
        None,
    )

    spooled = read(kind, body, size, spool=tmp_path)
    (upload,) = spooled.files["file"]
    assert upload.data == b""
    assert upload.size == len(TRICKY)
    assert upload.path is not None
    assert upload.path.parent == tmp_path
    assert upload.path.read_bytes() == TRICKY
    assert spooled.fields == form.fields


def test_an_empty_file_input_sends_no_file() -> None:
    kind, body = encoded({"csrf": "tok"}, {"file": ("", b"", "application/octet-stream")})
    assert read(kind, body, 5).files == {}


def test_a_body_cut_short_or_not_multipart_is_refused() -> None:
    kind, body = encoded({"csrf": "tok"}, {"file": ("t.csv", TRICKY, "text/csv")})
    with pytest.raises(InputError, match="ended before its last part"):
        read(kind, body[:-20], 100)
    with pytest.raises(InputError, match="is not multipart/form-data"):
        read(kind, b"csrf=tok", 100)
    with pytest.raises(InputError, match="not sent as multipart/form-data"):
        read("application/x-www-form-urlencoded", b"csrf=tok", 100)
