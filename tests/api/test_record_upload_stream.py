"""A record export sent to ``POST /ingest/tickets`` is streamed to a temporary file piece by
piece, never read into memory whole: the route works with ``Request.body`` made to fail, on a
multi-MB export sent in pieces, and its counts are the ones this test derives from the rows it
wrote. A body over the server's limit, sent without a Content-Length (chunked), is refused
``413 body-too-large`` as it arrives: nothing stored, no temporary file left behind."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.requests import Request

from covenant.api.app import create_app
from tests.api.support import AT, Client, Shop
from tests.api.test_record_files_api import _store, ticket
from tests.stores import snapshot

V1 = "/api/v1"
PIECE = 64 * 1024


def export(rows: int, bad_every: int) -> tuple[bytes, int]:
    """A ticket export of ``rows`` rows (about 40 bytes each), row i bad (created "x") when i
    is a multiple of ``bad_every``; its bytes and how many rows are bad."""
    lines = ["id,customer,priority,created\n"]
    bad = 0
    for i in range(rows):
        if i % bad_every == 0:
            bad += 1
            lines.append(f"M-{i:07d},globex,P1,x\n")
        else:
            lines.append(f"M-{i:07d},globex,P1,2026-11-02T08:00:00Z\n")
    return "".join(lines).encode(), bad


async def pieces(data: bytes) -> AsyncIterator[bytes]:
    """The body in 64 KiB pieces (httpx sends it chunked: no Content-Length)."""
    for start in range(0, len(data), PIECE):
        yield data[start : start + PIECE]


@pytest.fixture
def whole_body_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read of an upload's body whole fails the test (other requests read theirs)."""
    whole = Request.body

    async def body(self: Request) -> bytes:
        if self.method == "POST" and "/ingest/" in self.url.path:
            raise AssertionError(f"{self.url.path} read its request body whole")
        return await whole(self)

    monkeypatch.setattr(Request, "body", body)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder uploads are written under, this test's own."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.usefixtures("whole_body_refused")
def test_a_multi_mb_export_is_streamed_and_ingested(tmp_path: Path, private_tmp: Path) -> None:
    shop = _store(tmp_path, None)
    data, bad = export(60_000, bad_every=997)
    assert len(data) > 2 * 1024 * 1024  # MiBs, sent in 64 KiB pieces
    assert bad == 61  # rows 0, 997, …, 59,820: 59,820 // 997 + 1

    answer = shop.client.request(
        "POST",
        f"{V1}/ingest/tickets",
        shop.tokens["editor"],
        content=pieces(data),
        params={"filename": "big.csv"},
    )

    assert answer.status_code == 201, answer.text
    (report,) = answer.json()["files"]
    assert (report["rows_read"], report["rows_rejected"]) == (60_000, bad)
    assert report["inserted"] == 60_000 - bad
    assert [p["where"] for p in report["problems"][:2]] == ["big.csv:2", "big.csv:999"]
    assert ticket(shop, "M-0000001")[0] == 200  # row 1: good
    assert ticket(shop, "M-0000997")[0] == 404  # row 997: bad
    assert list(private_tmp.iterdir()) == []  # the temporary file is gone
    shop.client.app.state.covenant.close()


def test_a_chunked_body_over_the_limit_is_refused_413_and_stores_nothing(
    tmp_path: Path, private_tmp: Path
) -> None:
    made = _store(tmp_path, None)
    most = 256 * 1024
    small = Shop(
        workspace=made.workspace,
        settings=made.settings,
        tokens=made.tokens,
        client=Client(create_app(made.settings, clock=lambda: AT, max_body_bytes=most)),
    )
    data, _ = export(20_000, bad_every=10**9)  # ~800 KB: over 256 KiB
    assert len(data) > most
    before = snapshot(made.settings.database_url)

    answer = small.client.request(
        "POST",
        f"{V1}/ingest/tickets",
        small.tokens["editor"],
        content=pieces(data),
        params={"filename": "big.csv", "strict": "true"},
    )

    assert answer.status_code == 413, answer.text
    body = answer.json()
    assert body["code"] == "body-too-large"
    assert "larger than 262,144 bytes (256 KiB)" in body["message"]
    assert "nothing of it was applied" in body["message"]
    assert "split an event batch or a record file into several" in body["hint"]
    assert snapshot(made.settings.database_url) == before
    assert ticket(made, "M-0000001")[0] == 404
    assert list(private_tmp.iterdir()) == []  # the part written is deleted
    small.client.app.state.covenant.close()
    made.client.app.state.covenant.close()
