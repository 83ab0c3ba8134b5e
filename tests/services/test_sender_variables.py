"""A delivery target's variable set to the empty string is named as set but empty.

The senders said "environment variable X is not set" also when X was set to "" (`SLACK_URL=
covenant serve`, a CI secret that is not defined), sending the reader to look for a variable
that is there. The Prometheus client already told the two apart; both now word it alike.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from datetime import UTC, datetime

import httpx
import pytest

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.delivery import DeliveryTarget
from covenant.services.senders import send

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOTICE = AlertNotice(
    key="burn-rate/checkout-availability/page-fast",
    kind=NoticeKind.BURN_RATE,
    state=NoticeState.FIRING,
    severity="page",
    labels={"alertname": "CheckoutAvailability"},
    annotations={"title": "Checkout burns its budget"},
    starts_at=NOW,
)
URL = "http://127.0.0.1:9/hook"
TARGETS = {
    "urlEnv": DeliveryTarget(name="chat", kind="slack", url_env="COV_TEST_VAR"),
    "bearerTokenEnv": DeliveryTarget(
        name="hook", kind="webhook", url=URL, bearer_token_env="COV_TEST_VAR"
    ),
    "headersEnv": DeliveryTarget(
        name="hook", kind="webhook", url=URL, headers_env=(("X-Key", "COV_TEST_VAR"),)
    ),
    "signingSecretEnv": DeliveryTarget(
        name="hook", kind="webhook", url=URL, signing_secret_env="COV_TEST_VAR"
    ),
}


def never_sent(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing is sent without its variable: {request.url}")


@pytest.mark.parametrize("field", sorted(TARGETS))
@pytest.mark.parametrize(
    ("value", "said"), [(None, "is not set"), ("", "is set but empty")], ids=["unset", "empty"]
)
def test_an_unset_and_an_empty_variable_are_told_apart(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str | None, said: str
) -> None:
    if value is None:
        monkeypatch.delenv("COV_TEST_VAR", raising=False)
    else:
        monkeypatch.setenv("COV_TEST_VAR", value)
    with httpx.Client(transport=httpx.MockTransport(never_sent)) as client:
        result = send(client, TARGETS[field], NOTICE, now=NOW)
    assert not result.ok
    assert result.error.startswith(f"the environment variable COV_TEST_VAR {said}")
    assert "export COV_TEST_VAR=" in result.error
    assert not result.permanent  # a variable exported later lets the retry through


@pytest.mark.parametrize("field", ["bearerTokenEnv", "headersEnv"])
@pytest.mark.parametrize("value", ["s3cr3t-val\n", "s3cr3t\r\nX-Injected: 1", "s3cr3té"])
def test_a_header_value_http_cannot_carry_is_refused_unsent_and_unshown(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str
) -> None:
    """A secret read from a file often ends with a line break: h11 refused it with the value
    repeated, escaped, past the hiding of secrets, and a character outside ASCII raised out of
    ``send``. Now nothing is sent and the error names the variable, never its value."""
    monkeypatch.setenv("COV_TEST_VAR", value)
    with httpx.Client(transport=httpx.MockTransport(never_sent)) as client:
        result = send(client, TARGETS[field], NOTICE, now=NOW)
    assert not result.ok
    assert result.error.startswith("the environment variable COV_TEST_VAR holds a line break")
    assert "export COV_TEST_VAR=" in result.error
    assert "s3cr3t" not in result.error


@pytest.mark.parametrize("field", ["bearerTokenEnv", "headersEnv"])
@pytest.mark.parametrize("value", ["s3cr3t-val ", " s3cr3t-val", "s3cr3t\\val\t"])
def test_a_header_value_padded_with_a_space_or_tab_is_refused_unsent(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str
) -> None:
    """h11 refuses a value that starts or ends with a space or tab, repeating it escaped (a
    backslash doubled) where hiding the secret as written missed it."""
    monkeypatch.setenv("COV_TEST_VAR", value)
    with httpx.Client(transport=httpx.MockTransport(never_sent)) as client:
        result = send(client, TARGETS[field], NOTICE, now=NOW)
    assert not result.ok
    assert result.error.startswith(
        "the environment variable COV_TEST_VAR starts or ends with a space or tab"
    )
    assert "s3cr3t" not in result.error


@pytest.mark.parametrize("field", ["bearerTokenEnv", "headersEnv"])
@pytest.mark.parametrize("value", ["tok\\en-abc", "tok\\en-'\"abc"])
def test_a_transport_error_repeating_the_secret_escaped_hides_it(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str
) -> None:
    """A real server on loopback answers a malformed status line repeating the header it got:
    h11's error repeats it as a bytes repr (the backslash doubled), hidden all the same."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            lines = conn.recv(65536).split(b"\r\n")
            key = [ln.split(b": ", 1)[1] for ln in lines if ln.lower().startswith(b"x-key")]
            auth = [ln.split(b": ", 1)[1] for ln in lines if ln.startswith(b"Authorization")]
            conn.sendall(b"HTTP/1.1 4x1 unknown key " + (key + auth)[0] + b"\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    monkeypatch.setenv("COV_TEST_VAR", value)
    target = dataclasses.replace(TARGETS[field], url=url)
    try:
        with httpx.Client() as client:
            result = send(client, target, NOTICE, now=NOW)
    finally:
        thread.join(10)
        server.close()
    assert not result.ok
    assert "illegal status line" in result.error
    assert "unknown key" in result.error
    assert "tok" not in result.error, result.error
    assert "abc" not in result.error, result.error
    assert "***" in result.error
