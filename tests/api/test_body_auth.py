"""Who sends a body is looked at before a byte of it is read: without a valid token (none, not
a Covenant token, unknown, revoked, expired; a role the route refuses) the API answers 401/403,
and a form sent to a page without a session gets the sign-in form, while the body was never
sent. The sign-in form and an import have their own, smaller limits.

Against a real ``covenant serve``: the requests are sent as headers only on a raw socket and
the answer is read; a server that waited for the body would never answer (the socket's
timeout fails the test)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from covenant.services.tokens import create_token, revoke_token
from tests.api.served import SERVICE, Served, make_workspace, store_url
from tests.api.support import AT
from tests.conftest import ROOT

V1 = "/api/v1"
MOST = 64 * 1024 * 1024  # the server's limit here: 67,108,864 bytes (64 MiB)
SIGN_IN_MOST = 65_536  # the sign-in form's own: 64 KiB
# an import (the API's, the import page's forms): 16 MiB, the server's default, whatever the
# server's limit (here 64 MiB) — docs/api.md "Request bodies"
IMPORT_MOST = 16 * 1024 * 1024  # 16,777,216
PAGE_IMPORT_MOST = IMPORT_MOST
SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"
ANSWER_WAIT_S = 60  # how long an answer may take on a loaded machine (a wait, no assertion)


def _token(url: str, role: str, *, at: datetime, expires: datetime) -> str:
    engine = open_store(url)
    try:
        return create_token(
            engine, role=role, customer=None, expires_at=expires, at=at, customers=[]
        ).text
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("body-auth")
    workspace = make_workspace(folder)
    url = store_url(workspace, None)
    now = datetime.now(UTC)
    later = datetime(2099, 1, 1, tzinfo=UTC)
    tokens = {
        "editor": _token(url, "editor", at=AT, expires=later),
        "viewer": _token(url, "viewer", at=AT, expires=later),
        "expired": _token(url, "editor", at=now - timedelta(days=2), expires=now - timedelta(1)),
        "revoked": _token(url, "editor", at=AT, expires=later),
    }
    engine = open_store(url)
    try:
        revoke_token(engine, token_id=tokens["revoked"], at=now)
    finally:
        engine.dispose()
    server = Served(
        workspace=workspace,
        database_url=url,
        log=folder / "serve.log",
        extra=("--no-worker", "--max-body-bytes", str(MOST)),
    )
    server.start()
    try:
        server.wait_ready()
        yield server, tokens
    finally:
        server.close()


def headers_only(
    server: Served, method: str, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """Send the request's head and none of its body; the answer's status, headers, body."""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WAIT_S) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            piece = sock.recv(65536)
            assert piece, f"the server closed without an answer: {data!r}"
            data += piece
        top, _, rest = data.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        found = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
        length = int(found.get("content-length", "0"))
        while len(rest) < length:
            piece = sock.recv(65536)
            assert piece, "the server closed in the middle of its answer"
            rest += piece
    return int(lines[0].split()[1]), found, rest


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BATCH = {"Content-Type": "application/json", "Content-Length": "1000000"}  # under the limit


@pytest.mark.parametrize(
    ("credentials", "said"),
    [
        ({}, "this route needs an API token"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "this route needs an API token"),
        (bearer("not-a-token"), "is not a Covenant token"),
        ("unknown", "the API token is not known"),
        ("revoked", " is revoked"),
        ("expired", " is expired"),
    ],
)
def test_a_body_without_a_valid_token_is_refused_before_it_is_sent(
    served: tuple[Served, dict[str, str]], credentials: Any, said: str
) -> None:
    server, tokens = served
    if credentials == "unknown":  # a Covenant token's form, its secret changed
        text = tokens["editor"]
        credentials = bearer(text[:-1] + ("A" if text[-1] != "A" else "B"))
    elif isinstance(credentials, str):
        credentials = bearer(tokens[credentials])
    status, headers, body = headers_only(
        server, "PUT", f"{V1}/event-batches/anonymous", {**credentials, **BATCH}
    )
    assert status == 401, body
    assert headers["www-authenticate"] == "Bearer"
    found = orjson.loads(body)
    assert found["code"] == "unauthenticated"
    assert said in found["message"]


def test_a_body_over_the_limit_without_a_token_is_refused_as_unauthenticated(
    served: tuple[Served, dict[str, str]],
) -> None:
    """Who sends comes first: 401, not the 413 a token's holder would get."""
    server, _ = served
    status, _, body = headers_only(
        server,
        "PUT",
        f"{V1}/event-batches/huge",
        {"Content-Type": "application/json", "Content-Length": str(MOST + 1)},
    )
    assert status == 401, body
    assert orjson.loads(body)["code"] == "unauthenticated"


def test_a_chunked_body_without_a_token_is_refused_before_a_chunk(
    served: tuple[Served, dict[str, str]],
) -> None:
    server, _ = served
    status, _, body = headers_only(
        server,
        "POST",
        f"{V1}/imports/sloth",
        {"Content-Type": "application/yaml", "Transfer-Encoding": "chunked"},
    )
    assert status == 401, body
    assert orjson.loads(body)["code"] == "unauthenticated"


def test_a_role_the_route_refuses_is_refused_before_the_body(
    served: tuple[Served, dict[str, str]],
) -> None:
    """A viewer may not write events: 403 ``forbidden``, as the route's check words it."""
    server, tokens = served
    status, _, body = headers_only(
        server, "PUT", f"{V1}/event-batches/viewer", {**bearer(tokens["viewer"]), **BATCH}
    )
    assert status == 403, body
    found = orjson.loads(body)
    assert found["code"] == "forbidden"
    assert "a viewer token may not use this route" in found["message"]


def test_a_valid_token_gets_413_past_the_limit_and_its_batch_under_it(
    served: tuple[Served, dict[str, str]],
) -> None:
    server, tokens = served
    status, _, body = headers_only(
        server,
        "PUT",
        f"{V1}/event-batches/big",
        {**bearer(tokens["editor"]), "Content-Length": str(MOST + 1)},
    )
    assert status == 413, body
    found = orjson.loads(body)
    assert found["code"] == "body-too-large"
    assert "67,108,864 bytes (64 MiB), the most this server takes" in found["message"]
    assert "67,108,865" in found["message"]
    row = {"timestamp": "2026-11-20T11:00:05Z", "service": SERVICE, "status": 200}
    answer = httpx.put(
        f"{server.base}{V1}/event-batches/small",
        json={"events": [row, row]},
        headers=bearer(tokens["editor"]),
        timeout=ANSWER_WAIT_S,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["accepted"] == 2


@pytest.mark.parametrize(
    "cookie", [None, "covenant_session=not-a-session"], ids=["no-cookie", "unknown-session"]
)
def test_a_form_sent_to_a_page_without_a_session_gets_the_sign_in_form(
    served: tuple[Served, dict[str, str]], cookie: str | None
) -> None:
    server, _ = served
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "500000"}
    if cookie is not None:
        headers["Cookie"] = cookie
    status, found, _ = headers_only(server, "POST", "/ui/tokens", headers)
    assert status == 303
    assert found["location"] == "/ui/sign-in?next=/ui/tokens"


def _sign_in_form(server: Served) -> tuple[str, str]:
    """A sign-in form's token and its cookie, as a browser gets them."""
    page = httpx.get(f"{server.base}/ui/sign-in", timeout=ANSWER_WAIT_S)
    assert page.status_code == 200, page.text[:500]
    token = page.cookies["covenant_sign_in"]
    return token, f"covenant_sign_in={token}"


def test_the_sign_in_form_takes_at_most_64_kib(served: tuple[Served, dict[str, str]]) -> None:
    server, _ = served
    status, found, body = headers_only(
        server,
        "POST",
        "/ui/sign-in",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(SIGN_IN_MOST + 1),
        },
    )
    assert status == 413, body[:500]
    assert found["content-type"].startswith("text/html")
    text = body.decode()
    assert "body-too-large" in text
    assert "65,536 bytes (64 KiB)" in text
    assert "POST /ui/sign-in" in text
    # a form of exactly 64 KiB is read: a wrong password is told on the form again (401)
    csrf, cookie = _sign_in_form(server)
    start = f"csrf={csrf}&name=nobody&password=".encode()
    form = start + b"x" * (SIGN_IN_MOST - len(start))
    assert len(form) == SIGN_IN_MOST
    answer = httpx.post(
        f"{server.base}/ui/sign-in",
        content=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        timeout=ANSWER_WAIT_S,
    )
    assert answer.status_code == 401, answer.text[:500]
    assert "body-too-large" not in answer.text


def test_an_import_takes_its_own_limit_under_the_server_s(
    served: tuple[Served, dict[str, str]],
) -> None:
    server, tokens = served
    status, _, body = headers_only(
        server,
        "POST",
        f"{V1}/imports/sloth",
        {
            **bearer(tokens["editor"]),
            "Content-Type": "application/yaml",
            "Content-Length": str(IMPORT_MOST + 1),
        },
    )
    assert status == 413, body
    found = orjson.loads(body)
    assert found["code"] == "body-too-large"
    assert (
        "16,777,216 bytes (16 MiB), the most POST /api/v1/imports/{tool} takes"
        in (found["message"])
    )
    assert "5,000,000 characters" in found["hint"]
    answer = httpx.post(
        f"{server.base}{V1}/imports/sloth",
        content=SLOTH.read_bytes(),
        headers={**bearer(tokens["editor"]), "Content-Type": "application/yaml"},
        timeout=ANSWER_WAIT_S,
    )
    assert answer.status_code == 200, answer.text


def test_the_import_page_takes_its_own_limit_for_all_its_files(
    served: tuple[Served, dict[str, str]],
) -> None:
    server, tokens = served
    csrf, cookie = _sign_in_form(server)
    signed_in = httpx.post(
        f"{server.base}/ui/sign-in",
        data={"csrf": csrf, "token": tokens["editor"], "next": "/ui/"},
        headers={"Cookie": cookie},
        timeout=ANSWER_WAIT_S,
    )
    assert signed_in.status_code == 303, signed_in.text[:500]
    session = "; ".join(f"{k}={v}" for k, v in signed_in.cookies.items())
    for path in ("/ui/import", "/ui/import/write"):
        status, _, body = headers_only(
            server,
            "POST",
            path,
            {
                "Cookie": session,
                "Content-Type": "multipart/form-data; boundary=x",
                "Content-Length": str(PAGE_IMPORT_MOST + 1),
            },
        )
        assert status == 413, body[:500]
        text = body.decode()
        assert f"16,777,216 bytes (16 MiB), the most POST {path} takes" in text
        assert "5,000,000 characters in all" in text


def test_an_import_sent_chunked_is_read_until_it_passes_its_own_limit(tmp_path: Path) -> None:
    """In pieces of 1,000,000 bytes, endlessly: the 17th passes 16,777,216 bytes; the app
    asks for no more and answers 413 naming the route's limit."""
    workspace = make_workspace(tmp_path)
    url = store_url(workspace, None)
    token = _token(url, "editor", at=AT, expires=datetime(2099, 1, 1, tzinfo=UTC))
    app = create_app(Settings(workspace=workspace, database_url=url), max_body_bytes=MOST)
    asked = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"x" * 1_000_000, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    path = f"{V1}/imports/sloth"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"test"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/yaml"),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert status == 413, body
    assert "16,777,216 bytes (16 MiB), the most POST" in orjson.loads(body)["message"]
    assert asked == 17
