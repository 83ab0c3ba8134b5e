"""``web.multipart.multipart_form`` reads a form as its body arrives (python-multipart's
streaming parser): whatever the pieces it arrives in (one byte, a few, a delimiter split across
two), the fields are those sent and each file is written to the spool folder, never held.
A body that is not a well-formed form is refused with a message naming the problem, and no
file is left open. The bodies are encoded by httpx, as a browser's are, or written out by hand
where a browser would never send them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from covenant.errors import InputError
from covenant.web.multipart import MOST_FILES, MultipartForm, multipart_form

# text that looks like a delimiter's start, CRLFs and dashes near the part's end
TRICKY = b"id,x\r\n--\r\n-- not a boundary\r\n\r\n" + bytes(range(256)) * 40 + b"\r\n--"
KIND = "multipart/form-data; boundary=XyZ"


def encoded(fields: dict[str, str], files: Any) -> tuple[str, bytes]:
    sent = httpx.Request("POST", "http://test/", data=fields, files=files)
    return sent.headers["content-type"], sent.read()


def by_hand(*parts: tuple[bytes, bytes], end: bytes = b"--XyZ--\r\n") -> bytes:
    """A body of ``parts`` (each its header lines and its bytes) under the boundary XyZ."""
    return (
        b"".join(b"--XyZ\r\n" + head + b"\r\n\r\n" + data + b"\r\n" for head, data in parts) + end
    )


def read(
    kind: str, body: bytes, size: int, spool: Path, *, disconnect: bool = False
) -> MultipartForm:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[i : i + size], "more_body": True}
        for i in range(0, len(body), size)
    ]
    if disconnect:  # the client goes away before the body ends
        messages.append({"type": "http.disconnect"})
    else:
        messages.append({"type": "http.request", "body": b"", "more_body": False})

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", kind.encode("latin-1"))],
    }
    return asyncio.run(multipart_form(Request(scope, receive), spool=spool))


def open_in(folder: Path) -> list[str]:
    """The files under ``folder`` this process holds open."""
    held = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:  # closed since it was listed
            continue
        if target.startswith(str(folder)):
            held.append(target)
    return held


@pytest.mark.parametrize("size", [1, 2, 7, 63, 4096, 10**7])
def test_fields_and_files_are_read_whatever_the_pieces(size: int, tmp_path: Path) -> None:
    kind, body = encoded(
        {"csrf": "tok", "columns": "id=Key\nr=Ré"},
        [("file", ("t.csv", TRICKY, "text/csv")), ("file", ("u.csv", b"x,y\r\n", "text/csv"))],
    )
    form = read(kind, body, size, tmp_path)
    assert (form.get("csrf"), form.get("columns")) == ("tok", "id=Key\nr=Ré")
    assert form.every("columns") == ["id=Key\nr=Ré"]
    first, second = form.files["file"]
    assert (first.filename, first.size, first.path.parent) == ("t.csv", len(TRICKY), tmp_path)
    assert first.path.read_bytes() == TRICKY
    assert (second.filename, second.path.read_bytes()) == ("u.csv", b"x,y\r\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["upload-1", "upload-2"]
    assert open_in(tmp_path) == []


def test_an_empty_file_input_sends_no_file(tmp_path: Path) -> None:
    kind, body = encoded({"csrf": "tok"}, {"file": ("", b"", "application/octet-stream")})
    assert read(kind, body, 5, tmp_path).files == {}
    assert list(tmp_path.iterdir()) == []


def test_a_zero_byte_file_is_a_file_of_no_bytes(tmp_path: Path) -> None:
    kind, body = encoded({}, {"file": ("empty.csv", b"", "text/csv")})
    (upload,) = read(kind, body, 3, tmp_path).files["file"]
    assert (upload.filename, upload.size, upload.path.read_bytes()) == ("empty.csv", 0, b"")


def test_two_files_of_one_name_are_kept_apart(tmp_path: Path) -> None:
    kind, body = encoded(
        {}, [("file", ("a.yml", b"one", "text/yaml")), ("file", ("a.yml", b"two", "text/yaml"))]
    )
    uploads = read(kind, body, 10, tmp_path).files["file"]
    assert [(u.filename, u.path.read_bytes()) for u in uploads] == [
        ("a.yml", b"one"),
        ("a.yml", b"two"),
    ]


WHOLE = by_hand(
    (b'Content-Disposition: form-data; name="csrf"', b"tok"),
    (b'Content-Disposition: form-data; name="file"; filename="t.csv"', TRICKY),
)


@pytest.mark.parametrize(
    ("kind", "body", "said"),
    [
        ("application/x-www-form-urlencoded", b"csrf=tok", "was not sent as multipart/form-data"),
        ("multipart/form-data", WHOLE, "names no boundary"),
        ("multipart/form-data; boundary=", WHOLE, "names no boundary"),
        (KIND, b"csrf=tok", "the form's body is not multipart/form-data"),
        (KIND, b"", "the form's body is not multipart/form-data"),
        (KIND, WHOLE[:-40], "ended before its last part"),
        (KIND, WHOLE[:30], "ended before its last part"),
        (KIND, WHOLE[: WHOLE.index(b"t.csv")], "ended before its last part"),
        (
            KIND,
            by_hand((b"Content-Type: text/plain", b"x")),
            "part 1 of the form has no name",
        ),
        (
            KIND,
            by_hand((b'Content-Disposition: form-data; filename="t.csv"', b"x")),
            "part 1 of the form has no name",
        ),
        (
            KIND,
            by_hand(
                (b'Content-Disposition: form-data; name="csrf"', b"tok"),
                (b'Content-Disposition: form-data; name="file"', b"id\r\n1\r\n"),
            ),
            "the form's field file was sent without a file name",
        ),
        (
            KIND,
            by_hand((b'Content-Disposition: form-data; name="csrf"; filename="c.txt"', b"tok")),
            "the form's field csrf was sent as a file",
        ),
        (
            KIND,
            by_hand((b'Content-Disposition: form-data; name="caf\xe9"', b"x")),
            r"the name of part 1 of the form is not UTF-8 text: caf\xe9",
        ),
        (
            KIND,
            by_hand((b'Content-Disposition: form-data; name="file"; filename="\xff.csv"', b"x")),
            r"the file name of the form's field file is not UTF-8 text: \xff.csv",
        ),
        (
            KIND,
            by_hand((b'Content-Disposition: form-data; name="note"', b"caf\xe9")),
            "the form's field note is not UTF-8 text",
        ),
        (
            KIND,
            by_hand((b"Content-Disposition: form-data; name=x; a=" + b"y" * 20_000, b"x")),
            "part 1 of the form has a header line longer than 16,384 bytes",
        ),
        (
            KIND,
            by_hand((b'Content-Disposition: form-data; name="csrf"\r\nbroken', b"tok")),
            "part 1 of the form is not well-formed",
        ),
    ],
)
def test_a_body_that_is_not_a_well_formed_form_is_refused_naming_why(
    kind: str, body: bytes, said: str, tmp_path: Path
) -> None:
    for size in (3, 1 << 20):
        spool = tmp_path / str(size)
        spool.mkdir()
        with pytest.raises(InputError) as refused:
            read(kind, body, size, spool)
        assert said in refused.value.message
        assert refused.value.hint
        assert open_in(spool) == []


def test_more_files_than_a_form_takes_are_refused(tmp_path: Path) -> None:
    parts = [
        (f'Content-Disposition: form-data; name="file"; filename="{i}.yml"'.encode(), b"x")
        for i in range(MOST_FILES + 1)
    ]
    with pytest.raises(InputError, match=f"more than {MOST_FILES} files"):
        read(KIND, by_hand(*parts), 1000, tmp_path)
    assert len(list(tmp_path.iterdir())) <= MOST_FILES  # those of the pieces parsed before
    assert open_in(tmp_path) == []


def test_a_client_gone_before_the_end_leaves_no_file_open(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the connection closed before the form's body ended"):
        read(KIND, WHOLE[:-200], 50, tmp_path, disconnect=True)
    assert [p.name for p in tmp_path.iterdir()] == ["upload-1"]  # the caller deletes the folder
    assert open_in(tmp_path) == []
