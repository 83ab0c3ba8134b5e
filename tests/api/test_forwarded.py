"""RFC 7239 ``Forwarded`` and ``X-Forwarded-For`` as ``api.forwarded`` reads them behind trusted
proxies: the examples of RFC 7239 §4 and §7, IPv6 in brackets with a port, ``unknown`` and
obfuscated nodes, several elements and lines, and malformed values (not forwarded). The expected
clients are written by hand from the RFC's rules."""

from __future__ import annotations

import pytest

from covenant.api.forwarded import (
    Hop,
    MalformedError,
    TrustedProxies,
    client_of,
    forwarded_elements,
    forwarded_node,
)

TRUSTED = ["127.0.0.1", "10.0.0.0/8", "2001:db8:ffff::/48"]
PROXIES = TrustedProxies(TRUSTED)  # --proxy-header x-forwarded-for (the default)
FORWARDED_PROXIES = TrustedProxies(TRUSTED, "forwarded")  # --proxy-header forwarded


def scope(*headers: tuple[str, str], peer: str = "127.0.0.1") -> dict[str, object]:
    return {
        "type": "http",
        "client": (peer, 50000),
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers],
    }


def test_the_rfc_examples_parse_into_elements() -> None:
    # RFC 7239 §4 and §7.1, as written there
    assert forwarded_elements('for="_gazonk"') == [{"for": "_gazonk"}]
    assert forwarded_elements('For="[2001:db8:cafe::17]:4711"') == [
        {"for": "[2001:db8:cafe::17]:4711"}
    ]
    assert forwarded_elements("for=192.0.2.60;proto=http;by=203.0.113.43") == [
        {"for": "192.0.2.60", "proto": "http", "by": "203.0.113.43"}
    ]
    assert forwarded_elements("for=192.0.2.43, for=198.51.100.17") == [
        {"for": "192.0.2.43"},
        {"for": "198.51.100.17"},
    ]
    assert forwarded_elements('for=unknown;host="a.example";proto=HTTPS, ,') == [
        {"for": "unknown", "host": "a.example", "proto": "HTTPS"}
    ]
    assert forwarded_elements(r'for="\"quoted\\"') == [{"for": '"quoted\\'}]


@pytest.mark.parametrize(
    "text",
    [
        "for=1.2.3.4;for=5.6.7.8",  # a parameter twice in one element
        'for="1.2.3.4',  # unterminated quote
        "for=1.2.3.4:80",  # ':' is not a token character: it must be quoted
        "for",
        "=1.2.3.4",
        "for=1.2.3.4 x=1",
        "for=",
    ],
)
def test_malformed_text_is_refused(text: str) -> None:
    with pytest.raises(MalformedError):
        forwarded_elements(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.0.2.60", ("192.0.2.60", 0)),
        ("192.0.2.60:8080", ("192.0.2.60", 8080)),
        ("[2001:DB8:CAFE::17]:4711", ("2001:db8:cafe::17", 4711)),
        ("[2001:db8:0:0::1]", ("2001:db8::1", 0)),
        ("[2001:db8::1]:_port1", ("2001:db8::1", 0)),
        ("unknown", None),
        ("UNKNOWN", None),
        ("_gazonk", None),
    ],
)
def test_nodes(value: str, expected: tuple[str, int] | None) -> None:
    assert forwarded_node(value) == expected


@pytest.mark.parametrize(
    "value",
    ["2001:db8::1", "[192.0.2.1]", "[2001:db8::1", "[2001:db8::1]x", "1.2.3.4:70000", "host", ""],
)
def test_bad_nodes_are_refused(value: str) -> None:
    with pytest.raises(MalformedError):
        forwarded_node(value)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Forwarded", "for=203.0.113.7")], Hop(address="203.0.113.7", port=0)),
        (  # the client's own element in front is ignored; the trusted inner proxy is skipped
            [("Forwarded", "for=6.6.6.6, for=203.0.113.7;proto=https, for=10.1.2.3;proto=http")],
            Hop(address="203.0.113.7", port=0, scheme="https"),
        ),
        (  # several lines are one list, in order
            [("Forwarded", "for=6.6.6.6"), ("Forwarded", 'for="[2001:db8:ffff::9]:443"')],
            Hop(address="6.6.6.6", port=0),
        ),
        (  # every hop trusted: the first (the client is itself a proxy)
            [("Forwarded", "for=10.0.0.1, for=10.0.0.2")],
            Hop(address="10.0.0.1", port=0),
        ),
        (  # unknown / obfuscated / no for=: the nearest hop that named an address
            [("Forwarded", 'for=unknown;proto=https, for="_hidden", for=10.9.9.9')],
            Hop(address="10.9.9.9", port=0),
        ),
        (
            [("Forwarded", "proto=https;host=covenant.example")],
            Hop(address="127.0.0.1", port=50000, scheme="https", host="covenant.example"),
        ),
        (  # with --proxy-header forwarded, X-Forwarded-* are not read, never mixed
            [
                ("X-Forwarded-For", "203.0.113.99"),
                ("X-Forwarded-Proto", "https"),
                ("Forwarded", "for=203.0.113.8"),
            ],
            Hop(address="203.0.113.8", port=0),
        ),
        (  # a malformed Forwarded: not forwarded at all (X-Forwarded-For is not used either)
            [("Forwarded", "for=2001:db8::1"), ("X-Forwarded-For", "203.0.113.99")],
            Hop(address="127.0.0.1", port=50000),
        ),
        (
            [("Forwarded", 'for="203.0.113.8";proto="ht tp"')],
            Hop(address="127.0.0.1", port=50000),
        ),
        (
            [("Forwarded", 'for=203.0.113.8;host="a b"')],
            Hop(address="127.0.0.1", port=50000),
        ),
        (  # X-Forwarded-For alone: the same walk
            [
                ("X-Forwarded-For", "6.6.6.6, [2001:DB8::5]:80, 10.0.0.3"),
                ("X-Forwarded-Proto", "https"),
            ],
            Hop(address="2001:db8::5", port=80, scheme="https"),
        ),
        (
            [("X-Forwarded-For", "not-an-address, 10.0.0.3")],
            Hop(address="10.0.0.3", port=0),
        ),
    ],
)
def test_the_client_behind_a_trusted_peer(headers: list[tuple[str, str]], expected: Hop) -> None:
    forwarded = any(name == "Forwarded" for name, _ in headers)
    assert client_of(scope(*headers), FORWARDED_PROXIES if forwarded else PROXIES) == expected


def test_only_the_header_the_proxies_write_is_read() -> None:
    """A proxy that writes X-Forwarded-For passes the client's own Forwarded through (and one
    that writes Forwarded the client's X-Forwarded-For): the other header is never read, so
    the client cannot name its own address, host or scheme."""
    sent = (
        ("Forwarded", "for=198.51.100.7;host=evil.example;proto=https"),  # by the client
        ("X-Forwarded-For", "203.0.113.9"),  # by the proxy
    )
    assert client_of(scope(*sent), PROXIES) == Hop(address="203.0.113.9", port=0)
    sent = (
        ("X-Forwarded-For", "198.51.100.7"),  # by the client
        ("X-Forwarded-Proto", "https"),
        ("Forwarded", "for=203.0.113.9"),  # by the proxy
    )
    assert client_of(scope(*sent), FORWARDED_PROXIES) == Hop(address="203.0.113.9", port=0)
    # no header of the chosen kind: the peer itself
    only = scope(("Forwarded", "for=198.51.100.7"))
    assert client_of(only, PROXIES) == Hop(address="127.0.0.1", port=50000)


def test_an_untrusted_peer_is_not_read() -> None:
    peer = scope(("Forwarded", "for=203.0.113.7"), peer="192.0.2.1")
    assert client_of(peer, FORWARDED_PROXIES) is None
    assert client_of(scope(("Forwarded", "for=203.0.113.7")), TrustedProxies([])) is None
