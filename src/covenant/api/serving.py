"""Running the API under uvicorn with a graceful stop.

On SIGTERM or SIGINT the server stops listening, lets every request already received run to its
answer (an event batch in flight is committed and answered, not cut off), runs the app's
shutdown (which stops the background work it started), and the process exits 0. A request still
running after ``shutdown_timeout`` seconds is cancelled and answered 503 ``shutting-down`` when
it can still be answered: its transaction is never committed, so its client's retry (same key)
counts it once. A second Ctrl-C stops at once.

uvicorn's own ``run`` re-raises the signal after its graceful shutdown, so a SIGTERM'd server
ends "killed by SIGTERM" (exit status 143) although it stopped cleanly; process managers then
report a failure. This server records the stop instead and returns.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import orjson
import uvicorn

from covenant.api.forwarded import X_FORWARDED_FOR, ProxyHeaders
from covenant.errors import OptionValueError, ServeStartError

log = logging.getLogger("covenant.api")


class GracefulServer(uvicorn.Server):
    """A uvicorn server whose stop signals end it with exit status 0; one of several worker
    processes (``parent``) also stops when its supervisor is gone."""

    stop_signal: int | None = None
    parent: int | None = None
    on_listening: Callable[[int], None] | None = None  # called with the port once it listens

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_listening is not None:
            # after the app's start-up and the bind: the port accepts connections now
            self.on_listening(self.servers[0].sockets[0].getsockname()[1])

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl-C: stop without waiting
            return
        if self.stop_signal is None:
            self.stop_signal = sig
            log.info("%s: finishing the requests in flight, then stopping", _name(sig))
        self.should_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self.parent is not None and os.getppid() != self.parent and not self.should_exit:
            log.warning("the supervising process is gone: stopping")
            self.should_exit = True
        return await super().on_tick(counter)


SHUTTING_DOWN = "shutting-down"

_REFUSAL = orjson.dumps(
    {
        "code": SHUTTING_DOWN,
        "message": "the server stopped before this request finished; nothing of it was applied",
        "hint": "send it again (an event batch under the same key counts once)",
    }
)


class CancelledAnswer:
    """ASGI middleware: a request cancelled by the shutdown timeout is answered 503 with the
    error body (uvicorn would answer a bare 500), when no answer was started yet. A start-up
    that fails (the app's lifespan raised) is kept in ``startup_failure`` as one line, which
    is what uvicorn logs instead of the traceback (logged at debug level)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.startup_failure: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._watched(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except asyncio.CancelledError:
            if not started:
                await _refuse(send)
            raise

    def _watched(self, send: Any) -> Any:
        async def watched(message: Any) -> None:
            if message["type"] == "lifespan.startup.failed":
                error = sys.exc_info()[1]  # sent while the app's lifespan handles it
                log.debug("start-up failed:\n%s", message.get("message", ""))
                self.startup_failure = failure_text(error, message.get("message", ""))
                message = {**message, "message": f"cannot start: {self.startup_failure}"}
            await send(message)

        return watched


def failure_text(error: BaseException | None, traceback_text: str = "") -> str:
    """One line that says why a start failed: a coded error's message and code, else the
    exception's type and text (the traceback's last line when the exception is not known)."""
    from covenant.errors import CovenantError

    if isinstance(error, CovenantError):
        return f"{error} [{error.code}]"
    if error is not None:
        return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    lines = [line for line in traceback_text.splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


async def _refuse(send: Any) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_REFUSAL)).encode()),
        (b"retry-after", b"5"),
        (b"connection", b"close"),
    ]
    try:
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": _REFUSAL})
    except Exception:
        log.debug("could not answer a cancelled request", exc_info=True)


def _name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def trusted_proxies(text: str) -> list[str]:
    """The addresses and networks (CIDR) of ``--trusted-proxies``, comma- or space-separated;
    none (the default) trusts no proxy header. Refused (``invalid-option-value``): an entry that
    is not an IP address or network (uvicorn would take it as a literal that never matches), a
    network with host bits set (``10.0.0.1/8``: which was meant?), and ``*`` (any client could
    then name any address)."""
    entries = [e for e in text.replace(",", " ").split() if e]
    for entry in entries:
        try:
            ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)
        except ValueError:
            raise OptionValueError(
                f"--trusted-proxies {entry!r} is not an IP address or network",
                hint="write the reverse proxies' addresses or networks, e.g. --trusted-proxies "
                "127.0.0.1,10.0.0.0/8 (no '*': any client could then name any address)",
            ) from None
    return entries


def proxy_header_of(text: str) -> str:
    """``--proxy-header``'s value (``x-forwarded-for`` or ``forwarded``, any case)."""
    from covenant.api.forwarded import PROXY_HEADERS

    header = text.strip().lower()
    if header not in PROXY_HEADERS:
        raise OptionValueError(
            f"--proxy-header {text!r} is not a header Covenant reads",
            hint="write --proxy-header x-forwarded-for (X-Forwarded-For and X-Forwarded-Proto) "
            "or --proxy-header forwarded (RFC 7239), the one your proxies write",
        )
    return header


def cannot_listen(host: str, port: int) -> tuple[str, str] | None:
    """Why ``covenant serve`` cannot listen on ``host:port``, and the fix, or None: every
    address the host resolves to is bound as uvicorn's server binds them (asyncio's
    ``create_server``: ``SO_REUSEADDR``, IPv6 sockets IPv6-only, all at once) and let go, so
    a port taken is said before the banner rather than in uvicorn's log line after it."""
    import errno
    import socket
    from contextlib import ExitStack

    other = "choose another --host or --port"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        return f"the host cannot be resolved ({exc})", other
    with ExitStack() as held:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            probe = held.enter_context(socket.socket(family, kind, proto))
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    fix = (
                        "stop what listens there (another covenant serve?) or choose another --port"
                    )
                    return "the address is in use", fix
                return exc.strerror or str(exc), other
    return None


def server_config(
    *,
    host: str,
    port: int,
    shutdown_timeout: int,
    log_level: str = "info",
    proxies: list[str] | None = None,
    proxy_header: str = X_FORWARDED_FOR,
) -> uvicorn.Config:
    """uvicorn's settings for ``covenant serve`` (the app is set later, in each process).

    The client address (the sign-in rate limit's, the logs') is the TCP peer's, unless the peer
    is one of ``proxies``: then ``api.forwarded.ProxyHeaders`` reads ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` (``proxy_header`` ``forwarded``: RFC 7239 ``Forwarded`` instead),
    walking from the nearest hop back to the first address that is not a trusted proxy (what
    a client wrote in front of it is ignored). No proxies: no header is read (uvicorn's own
    middleware, which would trust 127.0.0.1 and ``FORWARDED_ALLOW_IPS``, is off)."""
    config = ServeConfig(
        None,  # type: ignore[arg-type]  # set by the caller, or in each worker process
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=shutdown_timeout,
        proxy_headers=False,
    )
    config.proxies = list(proxies or [])
    config.proxy_header = proxy_header
    return config


class ServeConfig(uvicorn.Config):
    """uvicorn's settings whose loaded app reads the trusted proxies' headers."""

    proxies: list[str] = []  # noqa: RUF012  # replaced per instance, never mutated
    proxy_header: str = X_FORWARDED_FOR

    def load(self) -> None:
        super().load()
        if self.proxies:
            self.loaded_app = ProxyHeaders(self.loaded_app, self.proxies, self.proxy_header)


def serve(
    make_app: Callable[[], Any],
    *,
    host: str,
    port: int,
    shutdown_timeout: int,
    log_level: str = "info",
    workers: int = 1,
    proxies: list[str] | None = None,
    proxy_header: str = X_FORWARDED_FOR,
    on_listening: Callable[[int], None] | None = None,
) -> bool:
    """Serve the app ``make_app()`` makes until a stop signal; False when the server could not
    listen (port taken); ``ServeStartError`` when the app's start-up failed (with ``workers`` > 1:
    when the server processes keep failing at start). With ``workers`` > 1, that many processes
    (``covenant.api.workers``). ``proxies``: the trusted reverse proxies (:func:`server_config`).
    ``on_listening(port)`` is called once the port accepts connections (the port bound: the
    free one ``port`` 0 was given)."""
    config = server_config(
        host=host,
        port=port,
        shutdown_timeout=shutdown_timeout,
        log_level=log_level,
        proxies=proxies,
        proxy_header=proxy_header,
    )
    if workers > 1:
        from covenant.api.workers import supervise

        return supervise(make_app, config, workers=workers, on_listening=on_listening)
    app = CancelledAnswer(make_app())
    config.app = app
    server = GracefulServer(config)
    server.on_listening = on_listening
    failure = run_server(server, app)
    if failure is not None:
        raise ServeStartError(
            f"the server did not start: {failure}",
            hint="fix what the message names (a setting, the store, the workspace) and start "
            "it again",
        )
    return bool(server.started)


def run_server(server: GracefulServer, app: CancelledAnswer, sockets: Any = None) -> str | None:
    """Run ``server`` until it stops; why its app did not start (None when it started, or
    could not listen: uvicorn logged that)."""
    try:
        server.run(sockets=sockets)
    except SystemExit:  # uvicorn's way out of a failed start-up (status 3)
        if app.startup_failure is None:
            raise
    return None if server.started else app.startup_failure
