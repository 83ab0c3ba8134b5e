"""A secret header value with a space or tab at either end, and a transport error that
repeats a secret (escaped), never reach a message: h11 refuses such a value with the value in
its error, and a server's malformed answer is repeated in h11's error as a bytes repr, where a
backslash in the secret is doubled. The servers are real sockets on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from covenant.core.promql import PrometheusSource
from covenant.errors import SourceCredentialsError, SourceUnreachableError
from covenant.sources.prometheus.client import PrometheusClient


@dataclass
class Echo:
    """A server that answers a malformed status line repeating the request's ``X-Key`` (or
    ``Authorization``) header, and counts the connections it accepted."""

    url: str = ""
    accepted: list[bytes] = field(default_factory=list)


@pytest.fixture
def echo() -> Iterator[Echo]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    seen = Echo(url=f"http://127.0.0.1:{server.getsockname()[1]}")

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(65536)
                seen.accepted.append(data)
                lines = data.split(b"\r\n")
                key = b""
                for line in lines:
                    name = line.split(b":", 1)[0].lower()
                    if name in (b"x-key", b"authorization"):
                        key = line.split(b": ", 1)[1]
                conn.sendall(b"HTTP/1.1 4x1 unknown key " + key + b"\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield seen
    server.close()


def _source(url: str, *, bearer: bool) -> PrometheusSource:
    if bearer:
        return PrometheusSource(name="p", url=url, bearer_token_env="K")
    return PrometheusSource(name="p", url=url, headers_env=(("X-Key", "K"),))


@pytest.mark.parametrize("bearer", [False, True], ids=["headersEnv", "bearerTokenEnv"])
@pytest.mark.parametrize("value", ["s3cret-token ", " s3cret-token", "s3cret-token\t", "s3\\c "])
def test_a_value_padded_with_a_space_or_tab_is_refused_by_its_variable_unsent(
    echo: Echo, value: str, bearer: bool
) -> None:
    with pytest.raises(SourceCredentialsError) as caught:
        PrometheusClient(_source(echo.url, bearer=bearer), env={"K": value}, attempts=1)
    said = f"{caught.value.message} {caught.value.hint}"
    assert "the environment variable K" in said
    assert "starts or ends with a space or tab" in said
    assert "s3" not in said
    assert echo.accepted == []


@pytest.mark.parametrize("bearer", [False, True], ids=["headersEnv", "bearerTokenEnv"])
@pytest.mark.parametrize("value", ["s3cret-token", "tok\\en-abc", "tok\\en-'\"abc", "a'b\\c"])
def test_a_transport_error_repeating_the_secret_hides_it_escaped_too(
    echo: Echo, value: str, bearer: bool
) -> None:
    with (
        pytest.raises(SourceUnreachableError) as caught,
        PrometheusClient(
            _source(echo.url, bearer=bearer), env={"K": value}, attempts=1, sleep=lambda _: None
        ) as c,
    ):
        c.query_range("up", start=0, end=60, step=60)
    said = str(caught.value)
    assert len(echo.accepted) == 1  # it was sent, and the server repeated it
    assert "illegal status line" in said
    assert "unknown key" in said
    for piece in ("s3cret", "tok", "abc", "a'b", "a\\'b"):
        assert piece not in said, said
    assert "***" in said
    # the hint is said once
    assert said.count("check that the server is up") == 1
