"""RFC 7239 ``Forwarded`` behind a trusted proxy, through a started uvicorn server with the
settings `covenant serve --trusted-proxies` gives it, over real HTTP from 127.0.0.1 (forwarded
addresses IPv4 and IPv6): the client address the sign-in rate limit counts, the secure-cookie
decision by the forwarded scheme, and the same-origin check by the forwarded host. The expected
addresses are written by hand from RFC 7239's rules; a malformed header is not forwarded and
never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.support import AT, Shop, make_shop
from tests.web.served import add_users
from tests.web.test_sign_in_limits import Clock
from tests.web.test_trusted_proxies import CSRF, counted, served

PROXIES = ["127.0.0.1", "10.0.0.0/8", "2001:db8:ffff::/48"]
Headers = list[tuple[str, str | bytes]]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("forwarded"))
    add_users(made)
    return made


def token_sign_in(url: str, headers: Headers, origin: str | None = None) -> httpx.Response:
    """A sign-in with a token that does not exist (the address is counted), from behind a proxy
    that sent ``headers`` with both the form and the post."""
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        found = CSRF.search(client.get("/ui/sign-in").text)
        assert found is not None
        fields = {"csrf": found.group(1), "token": "cvt_not-a-token", "next": "/ui/"}
        extra = {} if origin is None else {"Origin": origin}
        return client.post("/ui/sign-in", data=fields, headers=extra)


def cookie_is_secure(url: str, headers: Headers) -> bool:
    answer = httpx.get(f"{url}/ui/sign-in", headers=headers, timeout=60)
    assert answer.status_code == 200
    return "secure" in answer.headers["set-cookie"].lower()


CASES: list[tuple[str, Headers, str]] = [
    ("one element", [("Forwarded", "for=203.0.113.20")], "203.0.113.20"),
    (
        "IPv6 in brackets with a port, written in upper case",
        [("Forwarded", 'for="[2001:DB8:CAFE::17]:4711"')],
        "2001:db8:cafe::17",
    ),
    (
        "two lines; the client's own element is ignored, the trusted inner proxy skipped",
        [("Forwarded", "for=6.6.6.6"), ("Forwarded", "for=203.0.113.21, for=10.1.2.3")],
        "203.0.113.21",
    ),
    (
        "a trusted IPv6 proxy in the chain",
        [("Forwarded", 'for="[2001:db8:beef::1]", for="[2001:db8:ffff::5]:443"')],
        "2001:db8:beef::1",
    ),
    (
        "--proxy-header forwarded: X-Forwarded-For is not read",
        [("Forwarded", "for=203.0.113.22"), ("X-Forwarded-For", "203.0.113.99")],
        "203.0.113.22",
    ),
    (
        "an obfuscated client: the proxy that named it",
        [("Forwarded", 'for="_hidden", for=10.9.9.9')],
        "10.9.9.9",
    ),
    ("unknown: the peer", [("Forwarded", "for=unknown")], "127.0.0.1"),
    (
        "malformed (IPv6 without brackets): not forwarded, X-Forwarded-For not used",
        [("Forwarded", "for=2001:db8::1"), ("X-Forwarded-For", "203.0.113.98")],
        "127.0.0.1",
    ),
    ("malformed (for= twice)", [("Forwarded", "for=1.2.3.4;for=5.6.7.8")], "127.0.0.1"),
    ("malformed (unterminated quote)", [("Forwarded", 'for="203.0.113.23')], "127.0.0.1"),
    ("malformed (port out of range)", [("Forwarded", 'for="203.0.113.24:70000"')], "127.0.0.1"),
    ("malformed (bytes)", [("Forwarded", b"for=\xff\xfe;;==")], "127.0.0.1"),
]


def test_the_client_a_trusted_proxys_forwarded_names(shop: Shop) -> None:
    with served(shop, PROXIES, Clock(AT), "forwarded") as url:
        for what, headers, _ in CASES:
            assert token_sign_in(url, headers).status_code == 401, what
    assert counted(shop) == {
        "address:203.0.113.20": 1,
        "address:2001:db8:cafe::17": 1,
        "address:203.0.113.21": 1,
        "address:2001:db8:beef::1": 1,
        "address:203.0.113.22": 1,
        "address:10.9.9.9": 1,
        "address:127.0.0.1": 6,
    }
    assert sorted(counted(shop)) == sorted({f"address:{a}" for *_, a in CASES})


@pytest.mark.parametrize("proxies", [[], ["10.0.0.0/8"]], ids=["none", "not-this-peer"])
def test_forwarded_from_a_peer_that_is_not_trusted_is_ignored(
    shop: Shop, proxies: list[str]
) -> None:
    headers = [("Forwarded", 'for=203.0.113.20;proto=https, for="[2001:db8::7]"')]
    with served(shop, proxies, Clock(AT), "forwarded") as url:
        assert token_sign_in(url, headers).status_code == 401
        assert not cookie_is_secure(url, headers)
    assert counted(shop) == {"address:127.0.0.1": 1}


def test_the_scheme_is_the_forwarded_proto_of_the_clients_proxy(shop: Shop) -> None:
    with served(shop, PROXIES, Clock(AT), "forwarded") as url:
        assert cookie_is_secure(url, [("Forwarded", "for=203.0.113.30;proto=https")])
        assert cookie_is_secure(url, [("Forwarded", "for=203.0.113.30;proto=HTTPS, for=10.0.0.2")])
        # the trusted inner proxy was reached over http; the client used https
        assert cookie_is_secure(
            url, [("Forwarded", "for=203.0.113.30;proto=https, for=10.0.0.2;proto=http")]
        )
        assert not cookie_is_secure(url, [("Forwarded", "for=203.0.113.30;proto=http")])
        # --proxy-header forwarded: X-Forwarded-Proto is not read, not mixed in
        both = [("Forwarded", "for=203.0.113.30"), ("X-Forwarded-Proto", "https")]
        assert not cookie_is_secure(url, both)
        # a malformed Forwarded: not forwarded, the connection's scheme
        bad = [("Forwarded", "for=203.0.113.30;proto=https;proto=https")]
        assert not cookie_is_secure(url, bad)
        assert not cookie_is_secure(url, [*bad, ("X-Forwarded-Proto", "https")])


def test_the_forwarded_host_is_the_origin_a_form_is_checked_against(shop: Shop) -> None:
    origin = "https://covenant.example"
    with served(shop, PROXIES, Clock(AT), "forwarded") as url:
        # (no proto=https here: this test's client would not send a secure cookie back over http)
        public = [("Forwarded", 'for=203.0.113.40;host="covenant.example"')]
        assert token_sign_in(url, public, origin=origin).status_code == 401  # checked, refused
        internal = [("Forwarded", "for=203.0.113.40")]
        assert token_sign_in(url, internal, origin=origin).status_code == 403  # another site
    assert counted(shop) == {"address:203.0.113.40": 1}
