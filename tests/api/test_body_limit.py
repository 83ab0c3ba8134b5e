"""Every request body is limited (``covenant serve --max-body-bytes``, default 16 MiB): a body
over the limit is answered ``413 body-too-large`` naming the limit and how to raise it, and it
is read as it comes, so no more than the limit (and one piece) of it is ever held."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from covenant.api.app import create_app
from tests.api.served import SERVICE, Served, editor_token, make_workspace, store_url
from tests.api.support import AT, Client, Shop

V1 = "/api/v1"
LIMIT = 2000  # bytes, set on the app under test
MIB16 = 16 * 1024 * 1024  # the default: 16,777,216 bytes
ROW = {"timestamp": "2026-11-20T11:00:05Z", "service": "checkout", "status": 200, "latency_ms": 80}


def batch_of_size(size: int, *, service: str = "checkout") -> bytes:
    """An event batch body of exactly ``size`` bytes: 3 rows and a top-level field the route
    ignores, padded to the length."""
    rows = [{**ROW, "service": service}] * 3
    empty = orjson.dumps({"events": rows, "pad": ""})
    body = orjson.dumps({"events": rows, "pad": "x" * (size - len(empty))})
    assert len(body) == size
    return body


@pytest.fixture(scope="module")
def small(shop: Shop) -> Client:
    """The shop's API with a body limit of ``LIMIT`` bytes."""
    return Client(create_app(shop.settings, clock=lambda: AT, max_body_bytes=LIMIT))


def test_a_batch_at_the_limit_is_counted_and_one_byte_more_is_refused(
    shop: Shop, small: Client
) -> None:
    editor = shop.tokens["editor"]
    at = small.request("PUT", f"{V1}/event-batches/at-limit", editor, content=batch_of_size(LIMIT))
    assert at.status_code == 201, at.text
    assert at.json()["accepted"] == 3
    over = small.request(
        "PUT", f"{V1}/event-batches/over-limit", editor, content=batch_of_size(LIMIT + 1)
    )
    assert over.status_code == 413, over.text
    found = over.json()
    assert found["code"] == "body-too-large"
    assert "2,000 bytes" in found["message"]
    assert "2,001" in found["message"]  # the Content-Length it declared
    assert "--max-body-bytes" in found["hint"]
    assert "COVENANT_MAX_BODY_BYTES" in found["hint"]
    again = small.request(
        "PUT", f"{V1}/event-batches/over-limit", editor, content=batch_of_size(LIMIT)
    )
    assert again.status_code == 201, again.text  # the refused key was not taken


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/event-batches/any"),
        ("POST", "/imports/sloth"),
        ("POST", "/agreements"),
        ("POST", "/tickets"),
        ("POST", "/incidents"),
        ("POST", "/corrections"),
    ],
)
def test_every_route_that_takes_a_body_is_limited(
    shop: Shop, small: Client, method: str, path: str
) -> None:
    answer = small.request(method, f"{V1}{path}", shop.tokens["admin"], content=b" " * (LIMIT + 1))
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "body-too-large"


def test_a_web_form_over_the_limit_is_refused(small: Client) -> None:
    answer = small.request(
        "POST",
        "/ui/sign-in",
        content=b"name=a&password=" + b"x" * LIMIT,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")  # a page, as under /ui
    assert "body-too-large" in answer.text


def _asgi(
    app: Any, *, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: Iterator[bytes]
) -> tuple[int, bytes, int]:
    """Call ``app`` with a body sent in ``chunks`` as they are asked for; the status, the
    answer's body and how many chunks the app asked for."""
    asked = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, asked


def test_a_version_s_terms_are_at_most_1_mib(shop: Shop) -> None:
    """Under the server's 16 MiB, the terms of an agreement version keep their own limit of
    1 MiB (1,048,576 bytes), refused alike."""
    answer = shop.client.request(
        "POST",
        f"{V1}/agreements",
        shop.tokens["admin"],
        content=b" " * (1024 * 1024 + 1),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 413, answer.text[:500]
    assert "1,048,576 bytes (1 MiB)" in answer.json()["message"]


def test_a_body_without_a_length_is_read_only_until_it_passes_the_limit(shop: Shop) -> None:
    """Sent chunked (no Content-Length) in pieces of 100 bytes, endlessly: the app asks for
    21 pieces (2,100 bytes: the first past 2,000), answers 413 and asks for no more."""
    app = create_app(shop.settings, clock=lambda: AT, max_body_bytes=LIMIT)
    endless = iter(lambda: b"x" * 100, None)
    status, body, asked = _asgi(
        app,
        method="PUT",
        path=f"{V1}/event-batches/chunked",
        headers=[(b"authorization", f"Bearer {shop.tokens['editor']}".encode())],
        chunks=endless,
    )
    assert status == 413, body
    assert orjson.loads(body)["code"] == "body-too-large"
    assert asked == 21


def test_a_declared_length_over_the_default_limit_is_refused_before_reading(shop: Shop) -> None:
    """The default limit is 16 MiB: a Content-Length of 16,777,217 is refused without reading
    a byte of the body; 16,777,216 is read."""
    app = create_app(shop.settings, clock=lambda: AT)
    status, body, asked = _asgi(
        app,
        method="PUT",
        path=f"{V1}/event-batches/declared",
        headers=[
            (b"authorization", f"Bearer {shop.tokens['editor']}".encode()),
            (b"content-length", str(MIB16 + 1).encode()),
        ],
        chunks=iter([b"{"]),
    )
    assert (status, asked) == (413, 0), body
    found = orjson.loads(body)
    assert "16,777,216 bytes (16 MiB)" in found["message"]
    assert "16,777,217" in found["message"]
    status, body, asked = _asgi(
        app,
        method="PUT",
        path=f"{V1}/event-batches/declared",
        headers=[
            (b"authorization", f"Bearer {shop.tokens['editor']}".encode()),
            (b"content-length", str(MIB16).encode()),
        ],
        chunks=iter([b"{"]),
    )
    assert status == 422, body  # read (one byte came), then refused as no JSON
    assert asked >= 1


@pytest.mark.parametrize("server_most", [None, 64 * 1024 * 1024])
def test_an_import_just_over_16_mib_is_refused_naming_the_import_s_limit(
    shop: Shop, server_most: int | None
) -> None:
    """An import (``POST /imports/{tool}``) takes at most 16 MiB, whatever the server's
    ``--max-body-bytes`` (default 16 MiB, here also 64 MiB): 16,777,217 bytes declared are
    refused before a byte is read, naming the route, and the hint is the import's (its
    5,000,000 characters), not "raise --max-body-bytes", which would not let it in."""
    more = {} if server_most is None else {"max_body_bytes": server_most}
    app = create_app(shop.settings, clock=lambda: AT, **more)
    headers = [
        (b"authorization", f"Bearer {shop.tokens['editor']}".encode()),
        (b"content-type", b"application/yaml"),
    ]
    status, body, asked = _asgi(
        app,
        method="POST",
        path=f"{V1}/imports/sloth",
        headers=[*headers, (b"content-length", str(MIB16 + 1).encode())],
        chunks=iter([b"x"]),
    )
    assert (status, asked) == (413, 0), body
    found = orjson.loads(body)
    assert found["code"] == "body-too-large"
    assert found["message"] == (
        "the request body (Content-Length 16,777,217) is larger than 16,777,216 bytes (16 MiB), "
        "the most POST /api/v1/imports/{tool} takes; nothing of it was applied"
    )
    assert found["hint"].startswith("send a file of at most 5,000,000 characters")
    assert "--max-body-bytes" not in found["hint"]
    # 16 MiB itself is read: then refused for its characters (more than 5,000,000)
    status, body, asked = _asgi(
        app,
        method="POST",
        path=f"{V1}/imports/sloth",
        headers=[*headers, (b"content-length", str(MIB16).encode())],
        chunks=iter([b"x" * MIB16]),
    )
    assert status == 400, body
    assert orjson.loads(body)["message"] == (
        "the tool's file has 16,777,216 characters; at most 5,000,000 are taken"
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    workspace = make_workspace(tmp_path)
    url = store_url(workspace, None)
    token = editor_token(url)
    server = Served(
        workspace=workspace,
        database_url=url,
        log=tmp_path / "serve.log",
        extra=("--no-worker", "--max-body-bytes", "4096"),
    )
    server.start()
    try:
        server.wait_ready()
        yield server, token
    finally:
        server.close()


def test_covenant_serve_takes_the_limit_it_was_given(served: tuple[Served, str]) -> None:
    server, token = served
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"{server.base}{V1}/event-batches"
    at = httpx.put(
        f"{url}/at", content=batch_of_size(4096, service=SERVICE), headers=headers, timeout=60
    )
    assert at.status_code == 201, at.text
    over = httpx.put(
        f"{url}/over", content=batch_of_size(4097, service=SERVICE), headers=headers, timeout=60
    )
    assert over.status_code == 413, over.text
    assert "4,096 bytes (4 KiB)" in over.json()["message"]
    body = batch_of_size(4097, service=SERVICE)
    chunked = httpx.put(
        f"{url}/chunked", content=iter([body[:3000], body[3000:]]), headers=headers, timeout=60
    )
    assert chunked.status_code == 413, chunked.text
    assert "4,096 bytes" in chunked.json()["message"]
