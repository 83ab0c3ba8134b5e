"""The client behind trusted reverse proxies: ``X-Forwarded-*``, or RFC 7239 ``Forwarded``.

Only a request whose TCP peer is a trusted proxy (``--trusted-proxies``) is read; from any other
peer every proxy header is ignored. Which header is read is the operator's choice
(``--proxy-header``): a proxy that sets one passes the other through as the client wrote it, so
reading the one the proxies do not write would let a client name its own address. Then:

- ``forwarded``: ``Forwarded`` (one line or several: they are one list) alone is read, the
  ``X-Forwarded-*`` headers never (never a mix of both). The elements are walked from the
  nearest hop (the last) back: each element was written by a hop already trusted, and its
  ``for=`` names the hop before it. The walk stops at the first ``for=`` that is not a trusted
  proxy: that address is the client. The scheme (``proto=``) and the host (``host=``) are those
  of the element the walk stopped at (the one written by the first trusted proxy the client
  reached). An element whose ``for=`` names no address (``unknown``, an obfuscated ``_name``, or
  no ``for=`` at all) also ends the walk: the client is then the nearest hop walked (the peer,
  or the last trusted ``for=``), so the client address is always an IP address.
- A ``Forwarded`` that does not parse (bad syntax, a parameter twice in one element, an IPv6
  address without brackets, a port out of range, a bad ``proto`` or ``host``) is ignored as a
  whole: the request is treated as not forwarded (client = peer, scheme as connected).
- ``x-forwarded-for`` (the default): ``X-Forwarded-For`` is walked the same way (right to
  left, stop at the first untrusted address; an entry that is not an address ends the walk as
  above) and the scheme is ``X-Forwarded-Proto``'s when it is one of http, https (ws, wss);
  ``Forwarded`` is never read.

IP addresses are kept in their canonical form (``2001:DB8:0::1`` → ``2001:db8::1``), so one
client is one key for the sign-in rate limit however its proxy wrote it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_QUOTED = re.compile(r'"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*)"')
_UNQUOTE = re.compile(r"\\(.)")
_OBFUSCATED = re.compile(r"_[A-Za-z0-9._-]+")
_PORT = re.compile(r"[0-9]{1,5}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{0,5})?")
SCHEMES = frozenset({"http", "https"})
X_FORWARDED_FOR, FORWARDED = "x-forwarded-for", "forwarded"
PROXY_HEADERS = frozenset({X_FORWARDED_FOR, FORWARDED})


class MalformedError(ValueError):
    """A proxy header that does not parse: the request is then treated as not forwarded."""


@dataclass(frozen=True, slots=True)
class Hop:
    """Where a request came from as far as the proxies tell: the client address and port (0:
    not known), the scheme and host it asked for (None: as connected)."""

    address: str
    port: int
    scheme: str | None = None
    host: str | None = None


class TrustedProxies:
    """The addresses and networks of ``--trusted-proxies`` (already checked)."""

    def __init__(self, entries: list[str], header: str = X_FORWARDED_FOR) -> None:
        if header not in PROXY_HEADERS:
            raise ValueError(f"proxy header must be one of {sorted(PROXY_HEADERS)}")
        self.header = header  # the one header read (module docstring)
        self.addresses: set[IPAddress] = set()
        self.networks: list[Network] = []
        for entry in entries:
            if "/" in entry:
                self.networks.append(ipaddress.ip_network(entry))
            else:
                self.addresses.add(ipaddress.ip_address(entry))

    def __bool__(self) -> bool:
        return bool(self.addresses or self.networks)

    def trusts(self, address: str | None) -> bool:
        if not address:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return ip in self.addresses or any(ip in net for net in self.networks)


def forwarded_elements(text: str) -> list[dict[str, str]]:
    """The elements of a ``Forwarded`` value (RFC 7239 §4), each its parameters (names in lower
    case, values unquoted); empty list elements are skipped. ``MalformedError`` when it does
    not parse."""
    elements: list[dict[str, str]] = []
    current: dict[str, str] = {}
    pos = _skip(text, 0)
    while pos < len(text):
        if text[pos] in ",;":
            if text[pos] == "," and current:
                elements.append(current)
                current = {}
            pos = _skip(text, pos + 1)
            continue
        name = _TOKEN.match(text, pos)
        if name is None or text[name.end() : name.end() + 1] != "=":
            raise MalformedError(f"expected name=value at character {pos}")
        key = name.group().lower()
        pos = name.end() + 1
        quoted = _QUOTED.match(text, pos)
        if quoted is not None:
            value = _UNQUOTE.sub(r"\1", quoted.group(1))
            pos = quoted.end()
        else:
            token = _TOKEN.match(text, pos)
            if token is None:
                raise MalformedError(f"{key}= has no token or quoted value")
            value, pos = token.group(), token.end()
        if key in current:
            raise MalformedError(f"{key}= twice in one element")
        current[key] = value
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] not in ",;":
            raise MalformedError(f"expected ';' or ',' at character {pos}")
    if current:
        elements.append(current)
    return elements


def _skip(text: str, pos: int) -> int:
    """The position after the spaces and tabs at ``pos``."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def forwarded_node(value: str) -> tuple[str, int] | None:
    """A ``for=`` node: its canonical IP address and port (0: none or obfuscated); None for
    ``unknown`` and an obfuscated identifier. ``MalformedError`` otherwise (an IPv6 address
    must be in brackets)."""
    if value.lower() == "unknown" or _OBFUSCATED.fullmatch(value):
        return None
    if value.startswith("["):
        end = value.find("]")
        text, rest = value[1:end], value[end + 1 :]
        if end < 0 or ":" not in text:
            raise MalformedError(f"for={value!r} is not a bracketed IPv6 address")
    else:
        text, _, port = value.partition(":")
        rest = f":{port}" if _ else ""
    try:
        address = str(ipaddress.ip_address(text))
    except ValueError:
        raise MalformedError(f"for={value!r} is not an IP address") from None
    return address, _port(rest, value)


def _port(rest: str, value: str) -> int:
    if not rest:
        return 0
    port = rest[1:]
    if rest[0] == ":" and _OBFUSCATED.fullmatch(port):
        return 0
    if rest[0] != ":" or not _PORT.fullmatch(port) or int(port) > 65535:
        raise MalformedError(f"for={value!r} has a bad port")
    return int(port)


def from_forwarded(text: str, peer: Hop, proxies: TrustedProxies) -> Hop:
    """The client ``Forwarded`` names behind the trusted peer ``peer``; the peer itself when
    the header is malformed (see the module's rules)."""
    try:
        elements = forwarded_elements(text)
        for element in elements:
            _check(element)
    except MalformedError:
        return peer
    client = peer
    for element in reversed(elements):  # written by ``client``, a trusted hop
        scheme = element.get("proto", "").lower() or None
        host = element.get("host")
        node = forwarded_node(element["for"]) if "for" in element else None
        if node is None:  # names no address: the client is the hop that wrote this
            return Hop(address=client.address, port=client.port, scheme=scheme, host=host)
        client = Hop(address=node[0], port=node[1], scheme=scheme, host=host)
        if not proxies.trusts(node[0]):
            break
    return client


def _check(element: dict[str, str]) -> None:
    if "for" in element:
        forwarded_node(element["for"])
    if "proto" in element and not _SCHEME.fullmatch(element["proto"]):
        raise MalformedError(f"proto={element['proto']!r} is not a URI scheme")
    if "host" in element and not _HOST.fullmatch(element["host"]):
        raise MalformedError(f"host={element['host']!r} is not a host")


def xff_node(entry: str) -> tuple[str, int] | None:
    """An ``X-Forwarded-For`` entry: a canonical IP address and port (``1.2.3.4``,
    ``1.2.3.4:80``, ``2001:db8::1``, ``[2001:db8::1]:80``); None when it is not an address."""
    host, port = entry, ""
    if entry.startswith("[") and "]" in entry:
        host, _, rest = entry[1:].partition("]")
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:]
    elif entry.count(":") == 1:
        host, _, port = entry.partition(":")
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        return None
    if port and (not _PORT.fullmatch(port) or int(port) > 65535):
        return None
    return address, int(port or 0)


def from_x_forwarded(xff: str | None, proto: str | None, peer: Hop, proxies: TrustedProxies) -> Hop:
    """The client ``X-Forwarded-For`` names behind the trusted peer, with the scheme of
    ``X-Forwarded-Proto`` (one value of http or https; else the connection's)."""
    client = peer
    if xff is not None:
        for entry in reversed(xff.split(",")):
            node = xff_node(entry.strip())
            if node is None:
                break
            client = Hop(address=node[0], port=node[1])
            if not proxies.trusts(node[0]):
                break
    scheme = None if proto is None else proto.strip().lower()
    return Hop(address=client.address, port=client.port, scheme=scheme)


def client_of(scope: dict[str, Any], proxies: TrustedProxies) -> Hop | None:
    """Who sent the request ``scope`` as its trusted proxies tell (None: not from a trusted
    proxy, or without a client)."""
    peer = scope.get("client")
    if not peer or not proxies.trusts(peer[0]):
        return None
    forwarded: list[str] = []
    xff: list[str] = []
    proto = None
    for name, value in scope["headers"]:
        if name == b"forwarded":
            forwarded.append(value.decode("latin-1"))
        elif name == b"x-forwarded-for":
            xff.append(value.decode("latin-1"))
        elif name == b"x-forwarded-proto":
            proto = value.decode("latin-1")
    hop = Hop(address=peer[0], port=peer[1])
    if proxies.header == FORWARDED:
        return from_forwarded(",".join(forwarded), hop, proxies) if forwarded else hop
    return from_x_forwarded(",".join(xff) if xff else None, proto, hop, proxies)


class ProxyHeaders:
    """ASGI middleware: the request's client, scheme and host as its trusted proxies name
    them (:func:`client_of`); with no proxies trusted it changes nothing."""

    def __init__(self, app: Any, proxies: list[str], header: str = X_FORWARDED_FOR) -> None:
        self.app = app
        self.proxies = TrustedProxies(proxies, header)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.proxies and scope["type"] in ("http", "websocket"):
            hop = client_of(scope, self.proxies)
            if hop is not None:
                scope = apply(scope, hop)
        await self.app(scope, receive, send)


def apply(scope: dict[str, Any], hop: Hop) -> dict[str, Any]:
    """``scope`` with the client, scheme and host of ``hop``."""
    changed = {**scope, "client": (hop.address, hop.port)}
    if hop.scheme in SCHEMES:
        changed["scheme"] = (
            hop.scheme.replace("http", "ws") if scope["type"] == "websocket" else hop.scheme
        )
    if hop.host is not None:
        host = hop.host.encode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
        changed["headers"] = [(b"host", host), *headers]
    return changed
