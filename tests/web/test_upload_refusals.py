"""The two upload forms (the sources page's export, the import page's files) sent bodies no
browser sends, or files nobody means to send: each is a 4xx page that names the problem —
never a 500 — nothing is stored or written, and the uploads' temporary files are gone
afterwards, whether the form was read, refused, over the body limit or cut off by the client."""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from covenant.api.app import create_app
from tests.api.support import AT, Shop
from tests.api.test_record_files_api import _store
from tests.stores import snapshot
from tests.web.pages import CSRF, Browser
from tests.web.served import add_users

PAGES = {  # the form's route → the page its token is taken from
    "/ui/sources/records": "/ui/sources",
    "/ui/import": "/ui/import",
    "/ui/import/write": "/ui/import",
}
KIND = "multipart/form-data; boundary=XyZ"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = _store(tmp_path_factory.mktemp("upload-refusals"), None)
    add_users(made)
    return made


@pytest.fixture(scope="module")
def editor(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("eve")
    return browser


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary files are made in, for this test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def by_hand(*parts: tuple[bytes, bytes], end: bytes = b"--XyZ--\r\n") -> bytes:
    return (
        b"".join(b"--XyZ\r\n" + head + b"\r\n\r\n" + data + b"\r\n" for head, data in parts) + end
    )


def field(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    return b'Content-Disposition: form-data; name="' + name + b'"', value


def a_file(filename: bytes, data: bytes, name: bytes = b"file") -> tuple[bytes, bytes]:
    head = b'Content-Disposition: form-data; name="' + name + b'"; filename="' + filename + b'"'
    return head + b"\r\nContent-Type: text/plain", data


def said(answer: httpx.Response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer.text)).split())


def workspace(shop: Shop) -> dict[str, bytes]:
    return {
        str(p.relative_to(shop.workspace)): p.read_bytes()
        for p in shop.workspace.rglob("*")
        if p.is_file() and ".covenant" not in p.parts
    }


def token(browser: Browser, route: str) -> bytes:
    found = CSRF.search(browser.get(PAGES[route]).text)
    assert found is not None
    return found.group(1).encode()


def body_of(case: str, csrf: bytes) -> tuple[str, bytes]:
    """The Content-Type and body of each case, the form's token first."""
    ok = field(b"csrf", csrf), field(b"kind", b"tickets"), field(b"tool", b"sloth")
    csv = b"id,customer,priority,created\nM-1,globex,P1,2026-11-02T08:00:00Z\n"
    whole = by_hand(*ok, a_file(b"t.csv", csv))
    return {
        "no boundary": ("multipart/form-data", whole),
        "not multipart": ("application/x-www-form-urlencoded", b"csrf=" + csrf),
        "truncated": (KIND, whole[:-30]),
        "truncated in a header": (KIND, whole[: whole.index(b"t.csv")]),
        "nameless part": (KIND, by_hand(*ok, (b"Content-Type: text/plain", b"x"))),
        "file without a file name": (KIND, by_hand(*ok, field(b"file", csv))),
        "non-UTF-8 field name": (KIND, by_hand(*ok, field(b"caf\xe9", b"x"))),
        "non-UTF-8 file name": (KIND, by_hand(*ok, a_file(b"caf\xe9.csv", csv))),
    }[case]


REFUSED = {  # the case → what the page says
    "no boundary": "the form's Content-Type multipart/form-data names no boundary",
    "not multipart": "the form was not sent as multipart/form-data",
    "truncated": "the form's body ended before its last part",
    "truncated in a header": "the form's body ended before its last part",
    "nameless part": "part 4 of the form has no name",
    "file without a file name": "the form's field file was sent without a file name",
    "non-UTF-8 field name": r"the name of part 4 of the form is not UTF-8 text: caf\xe9",
    "non-UTF-8 file name": r"the file name of the form's field file is not UTF-8 text: caf\xe9.csv",
}


@pytest.mark.parametrize("route", list(PAGES))
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_malformed_form_is_a_400_page_naming_the_problem(
    shop: Shop, editor: Browser, temp: Path, route: str, case: str
) -> None:
    kind, body = body_of(case, token(editor, route))
    before, files = snapshot(shop.settings.database_url), workspace(shop)

    answer = editor.request("POST", route, content=body, headers={"Content-Type": kind})

    assert answer.status_code == 400, answer.text[-2000:]
    assert REFUSED[case] in said(answer)
    assert "invalid-input" in said(answer)
    assert "Traceback" not in answer.text
    assert snapshot(shop.settings.database_url) == before
    assert workspace(shop) == files
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize(
    ("route", "files", "status", "words"),
    [
        (
            "/ui/sources/records",
            [("file", ("empty.csv", b"", "text/csv"))],
            400,
            "empty.csv: the file is empty (0 bytes)",
        ),
        (
            "/ui/import",
            [("file", ("empty.yml", b"", "text/yaml"))],
            400,
            "empty.yml is empty (0 bytes)",
        ),
        (
            "/ui/import/write",
            [("file", ("empty.yml", b"", "text/yaml"))],
            400,
            "empty.yml is empty (0 bytes)",
        ),
        (
            "/ui/sources/records",
            [("file", ("t.csv", b"id\n", "text/csv")), ("file", ("t.csv", b"id\n", "text/csv"))],
            400,
            "2 files chosen",
        ),
        (
            "/ui/import",
            [
                ("file", ("a.yml", b"x: 1\n", "text/yaml")),
                ("file", ("a.yml", b"y: 2\n", "text/yaml")),
            ],
            400,
            "two of the files are named a.yml",
        ),
    ],
)
def test_an_empty_file_or_two_of_one_name_are_refused_naming_them(
    shop: Shop,
    editor: Browser,
    temp: Path,
    route: str,
    files: list[tuple[str, Any]],
    status: int,
    words: str,
) -> None:
    # the form's page first: the first page a server shows records its SLOs in the audit log
    sent = {"csrf": token(editor, route).decode(), "kind": "tickets", "tool": "sloth"}
    before, kept = snapshot(shop.settings.database_url), workspace(shop)

    answer = editor.request("POST", route, data=sent, files=files)

    assert answer.status_code == status, answer.text[-2000:]
    assert words in said(answer)
    assert snapshot(shop.settings.database_url) == before
    assert workspace(shop) == kept
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("route", ["/ui/sources/records", "/ui/import"])
def test_an_upload_over_the_body_limit_leaves_no_temporary_file(
    shop: Shop, temp: Path, route: str
) -> None:
    app = create_app(shop.settings, clock=lambda: AT, max_body_bytes=64 * 1024)
    editor = Browser(app)
    editor.sign_in("eve")
    sent = {"csrf": token(editor, route).decode(), "kind": "tickets", "tool": "sloth"}
    before = snapshot(shop.settings.database_url)
    big = b"id,customer,priority,created\n" + b"M-1,globex,P1,2026-11-02T08:00:00Z\n" * 4000
    form = httpx.Request("POST", "http://test/", data=sent, files={"file": ("b.csv", big)})
    body = form.read()

    async def chunked() -> Any:  # no Content-Length: counted as it arrives
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    answer = editor.request(
        "POST", route, content=chunked(), headers={"Content-Type": form.headers["content-type"]}
    )

    assert answer.status_code == 413, answer.text[-2000:]
    assert "larger than 65,536 bytes (64 KiB)" in said(answer)
    assert snapshot(shop.settings.database_url) == before
    assert list(temp.iterdir()) == []
    app.state.covenant.close()


@pytest.mark.parametrize("route", list(PAGES))
def test_a_client_gone_mid_upload_leaves_no_temporary_file(
    shop: Shop, editor: Browser, temp: Path, route: str
) -> None:
    csrf = token(editor, route)
    before = snapshot(shop.settings.database_url)
    body = by_hand(field(b"csrf", csrf), a_file(b"t.csv", b"id,customer\n" * 50_000))
    cookie = "; ".join(f"{name}={value}" for name, value in editor.cookies.items())
    answer = asyncio.run(cut_off(shop, route, body[: len(body) // 2], cookie))
    assert answer[0]["status"] == 400  # nobody reads it; no 500 logged either
    assert snapshot(shop.settings.database_url) == before
    assert list(temp.iterdir()) == []


async def cut_off(shop: Shop, route: str, part: bytes, cookie: str) -> list[dict[str, Any]]:
    """The app's messages for a request whose client goes away after ``part`` of its body."""
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": part[i : i + 65536], "more_body": True}
        for i in range(0, len(part), 65536)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "root_path": "",
        "query_string": b"",
        "server": ("test", 80),
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"test"),
            (b"content-type", KIND.encode()),
            (b"cookie", cookie.encode()),
        ],
    }
    await shop.client.app(scope, receive, send)
    return sent


@pytest.mark.parametrize("route", ["/ui/import", "/ui/import/write"])
def test_text_no_store_keeps_escaped_in_a_file_or_a_field_is_refused_as_the_api_refuses_it(
    shop: Shop, editor: Browser, temp: Path, route: str
) -> None:
    kept = workspace(shop)
    escaped = b'version: "prometheus/v1"\nservice: "checkout"\nlabels:\n  owner: "a\\u0000b"\n'
    sent = {"csrf": token(editor, route).decode(), "tool": "sloth"}
    answer = editor.request(
        "POST", route, data=sent, files={"file": ("nul.yml", escaped, "text/yaml")}
    )
    assert answer.status_code == 400, answer.text[-2000:]
    assert r"nul.yml holds an escaped NUL character (\u0000)" in said(answer)
    pasted = {**sent, "source": 'version: "prometheus/v1"\nservice: "a\\ud800"\n'}
    answer = editor.request("POST", route, data=pasted, files={"file": ("", b"")})
    assert answer.status_code == 400, answer.text[-2000:]
    assert r"the form's field source escapes a lone UTF-16 surrogate (\ud800)" in said(answer)
    api = editor.request(  # the API's import refuses the same body whole
        "POST",
        "/api/v1/imports/sloth",
        content=escaped,
        headers={
            "Content-Type": "application/yaml",
            "Authorization": f"Bearer {shop.tokens['editor']}",
        },
    )
    assert api.status_code == 400, api.text
    assert workspace(shop) == kept
    assert list(temp.iterdir()) == []
