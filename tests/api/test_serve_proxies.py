"""`covenant serve --trusted-proxies` as a real process (two server processes): the client
address the sign-in rate limit counts is the one the trusted proxy names; without the option a
client's X-Forwarded-For is ignored; RFC 7239 Forwarded from proxies named by
COVENANT_TRUSTED_PROXIES."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from covenant.config import sqlite_url
from covenant.services.store import open_store
from tests.api.served import Served, make_workspace

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def token_sign_in(base: str, forwarded: str) -> int:
    """A sign-in with a token that does not exist, through a proxy that saw ``forwarded``."""
    with httpx.Client(base_url=base, headers={"X-Forwarded-For": forwarded}, timeout=30) as c:
        found = CSRF.search(c.get("/ui/sign-in").text)
        assert found is not None
        fields = {"csrf": found.group(1), "token": "cvt_not-a-token", "next": "/ui/"}
        return c.post("/ui/sign-in", data=fields).status_code


def counted(url: str) -> dict[str, int]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT key, failures FROM sign_in_failures")).all()
    finally:
        engine.dispose()
    return {str(key): int(failures) for key, failures in rows}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ((), {"address:127.0.0.1": 3}),
        (
            ("--trusted-proxies", "127.0.0.1, ::1", "--workers", "2"),
            {"address:203.0.113.1": 2, "address:203.0.113.2": 1},
        ),
    ],
    ids=["no-proxy-trusted", "trusted-proxy"],
)
def test_serve_counts_the_client_a_trusted_proxy_names(
    tmp_path: Path, extra: tuple[str, ...], expected: dict[str, int]
) -> None:
    workspace = make_workspace(tmp_path)
    url = sqlite_url(workspace)
    served = Served(workspace=workspace, database_url=url, log=tmp_path / "serve.log")
    served.extra = ("--no-worker", *extra)
    served.start()
    try:
        served.wait_ready()
        for client in ("203.0.113.1", "203.0.113.2", "6.6.6.6, 203.0.113.1"):
            assert token_sign_in(served.base, client) == 401
        assert served.stop() == 0
    finally:
        served.close()
    assert counted(url) == expected


def forwarded_sign_in(base: str, forwarded: str) -> int:
    """A sign-in with a token that does not exist, through a proxy that sent ``Forwarded``."""
    with httpx.Client(base_url=base, headers={"Forwarded": forwarded}, timeout=30) as c:
        found = CSRF.search(c.get("/ui/sign-in").text)
        assert found is not None
        fields = {"csrf": found.group(1), "token": "cvt_not-a-token", "next": "/ui/"}
        return c.post("/ui/sign-in", data=fields).status_code


def test_serve_reads_forwarded_from_the_proxies_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_TRUSTED_PROXIES", "127.0.0.1 10.0.0.0/8")
    monkeypatch.setenv("COVENANT_PROXY_HEADER", "Forwarded")  # any case
    workspace = make_workspace(tmp_path)
    url = sqlite_url(workspace)
    served = Served(workspace=workspace, database_url=url, log=tmp_path / "serve.log")
    served.extra = ("--no-worker",)
    served.start()
    try:
        served.wait_ready()
        for forwarded in (
            'for="[2001:db8::42]:5000", for=10.0.0.9',  # behind two proxies
            "for=6.6.6.6, for=203.0.113.5",  # the client's own element is ignored
            "for=203.0.113.5;for=6.6.6.6",  # malformed: not forwarded
        ):
            assert forwarded_sign_in(served.base, forwarded) == 401
        assert served.stop() == 0
    finally:
        served.close()
    assert counted(url) == {
        "address:2001:db8::42": 1,
        "address:203.0.113.5": 1,
        "address:127.0.0.1": 1,
    }
