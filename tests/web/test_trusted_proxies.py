"""The client address behind a reverse proxy, through a started uvicorn server with the settings
`covenant serve` gives it (``api.serving.server_config``), over real HTTP from 127.0.0.1: with no
trusted proxy (the default) or a proxy that is not this peer, a client's X-Forwarded-For is
ignored; behind a trusted proxy the client is the right-most untrusted address of the header,
so two clients behind one proxy are counted apart by the sign-in rate limit, and a name's owner
signs in while someone fails on purpose from another address. The clock is injected."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from covenant.api.app import create_app
from covenant.api.serving import server_config
from covenant.services.store import open_store
from tests.api.support import AT, Shop, make_shop
from tests.ports import free_port
from tests.web.served import PASSWORD, READY_WAIT_S, add_users
from tests.web.test_sign_in_limits import Clock

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
WRONG = "wrong password!"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("proxies"))
    add_users(made)
    return made


@contextmanager
def served(
    shop: Shop, proxies: list[str], clock: Clock, header: str = "x-forwarded-for"
) -> Iterator[str]:
    """The shop's app under uvicorn as `covenant serve --trusted-proxies` runs it; its URL."""
    engine = open_store(shop.settings.database_url)
    with engine.begin() as conn:  # each server starts with no failure counted
        conn.execute(sa.text("DELETE FROM sign_in_failures"))
    engine.dispose()
    port = free_port()
    config = server_config(
        host="127.0.0.1",
        port=port,
        shutdown_timeout=5,
        log_level="warning",
        proxies=proxies,
        proxy_header=header,
    )
    config.app = create_app(shop.settings, clock=clock)
    config.lifespan = "on"
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_WAIT_S
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def form_cookie(url: str) -> str:
    """The sign-in form's cookie, the request saying it came over https."""
    return httpx.get(
        f"{url}/ui/sign-in", headers={"X-Forwarded-Proto": "https"}, timeout=60
    ).headers["set-cookie"]


def sign_in(url: str, fields: dict[str, str], forwarded: str | None = None) -> httpx.Response:
    """One browser's sign-in (form, then post) with the X-Forwarded-For a client or proxy sent."""
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        form = client.get("/ui/sign-in")
        found = CSRF.search(form.text)
        assert found is not None
        return client.post("/ui/sign-in", data={"csrf": found.group(1), "next": "/ui/", **fields})


def counted(shop: Shop) -> dict[str, int]:
    """The rate limit's keys and their failures, as stored."""
    engine = open_store(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT key, failures FROM sign_in_failures")).all()
    finally:
        engine.dispose()
    return {str(key): int(failures) for key, failures in rows}


def password(name: str, secret: str = WRONG) -> dict[str, str]:
    return {"name": name, "password": secret}


@pytest.mark.parametrize("proxies", [[], ["10.0.0.0/8", "192.0.2.1"]])
def test_a_clients_forwarded_for_is_ignored_unless_its_peer_is_a_trusted_proxy(
    shop: Shop, proxies: list[str]
) -> None:
    with served(shop, proxies, Clock(AT)) as url:
        answer = sign_in(url, password("mallory"), forwarded="203.0.113.66")
        assert answer.status_code == 401
        assert "secure" not in form_cookie(url).lower()  # X-Forwarded-Proto ignored too
    assert counted(shop) == {
        "address:127.0.0.1": 1,
        "here:mallory@127.0.0.1": 1,
        "name:mallory": 1,
    }


def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_address(
    shop: Shop,
) -> None:
    with served(shop, ["127.0.0.1", "10.0.0.0/8"], Clock(AT)) as url:
        # a client wrote 6.6.6.6 in front; its proxy appended the client's address
        answer = sign_in(url, password("mallory"), forwarded="6.6.6.6, 203.0.113.9")
        assert answer.status_code == 401
        assert "secure" in form_cookie(url).lower()  # the proxy said https
        # two proxies: the inner one (10.1.2.3, trusted) appended the outer's client
        assert (
            sign_in(url, password("mallory"), forwarded="203.0.113.9, 10.1.2.3").status_code == 401
        )
    assert counted(shop) == {
        "address:203.0.113.9": 2,
        "here:mallory@203.0.113.9": 2,
        "name:mallory": 2,
    }


def test_two_clients_behind_a_trusted_proxy_are_counted_apart(shop: Shop) -> None:
    with served(shop, ["127.0.0.1"], Clock(AT)) as url:
        for i in range(20):  # token guesses: no name, the address only
            answer = sign_in(url, {"token": f"cvt_not-a-token-{i}"}, forwarded="203.0.113.10")
            assert answer.status_code == 401
        assert "wait 30 s before the next attempt" in answer.text  # the 20th
        refused = sign_in(url, password("eve", PASSWORD), forwarded="203.0.113.10")
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "30")
        # the other client behind the same proxy is not held back
        signed_in = sign_in(url, password("eve", PASSWORD), forwarded="203.0.113.11")
        assert signed_in.status_code == 303
        assert "covenant_session=" in signed_in.headers["set-cookie"]
    assert counted(shop) == {"address:203.0.113.10": 20}


def test_the_owner_signs_in_while_someone_fails_on_purpose_from_elsewhere(shop: Shop) -> None:
    clock = Clock(AT + timedelta(days=1))
    with served(shop, ["127.0.0.1"], clock) as url:
        waits = []
        for _ in range(8):  # the attacker's waits: 30 s doubling (it waits them out)
            answer = sign_in(url, password("vic"), forwarded="198.51.100.66")
            assert answer.status_code == 401
            found = re.search(r"wait (\d+) s before", answer.text)
            waits.append(0 if found is None else int(found.group(1)))
            clock.now += timedelta(seconds=waits[-1])
        assert waits == [0, 0, 0, 0, 30, 60, 120, 240]
        clock.now -= timedelta(seconds=240)  # the attacker is held back, the right password too
        refused = sign_in(url, password("vic", PASSWORD), forwarded="198.51.100.66")
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "240")
        # a second attacker address gets one guess, then waits the name's wait with the first
        assert sign_in(url, password("vic"), forwarded="198.51.100.67").status_code == 401
        refused = sign_in(url, password("vic"), forwarded="198.51.100.67")
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "480")  # 9th
        # vic, from its own address: signed in at once
        assert sign_in(url, password("vic", PASSWORD), forwarded="198.51.100.7").status_code == 303
        # which forgets the name's failures, not the first attacker's own (8, the last 240 s)
        refused = sign_in(url, password("vic", PASSWORD), forwarded="198.51.100.66")
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "240")
