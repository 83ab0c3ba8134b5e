"""The Prometheus HTTP query API (``/api/v1/query_range``) over httpx, with retries.

Every failure becomes a coded :class:`~covenant.errors.SourceError` (adapters translate
third-party exceptions): a server that is down, refuses the connection or is too slow after
the retries is ``source-unreachable``; an HTTP error answer (a bad query, auth, an overloaded
server after the retries) is ``source-refused`` with the server's own message; an answer that
is not a complete matrix (``warnings``, ``isPartial``, not JSON, the wrong shape) is
``source-bad-answer``. A credential's environment variable that is not set or empty
(``bearerTokenEnv``, ``basicAuth``, a ``headersEnv`` header's) is ``source-credentials``:
nothing is asked then. Nothing here returns a partial result.
"""

from __future__ import annotations

import base64
import html
import os
import re
import ssl
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from covenant.core.hiding import hide_secrets
from covenant.core.http_headers import value_fault
from covenant.core.promql import PrometheusSource
from covenant.core.promql import shown as query_text
from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import (
    SourceAnswerError,
    SourceBusyError,
    SourceCredentialsError,
    SourceRefusedError,
    SourceTLSError,
    SourceUnreachableError,
    unset_variable,
)
from covenant.sources.prometheus import decode
from covenant.sources.prometheus.budget import Budget

RETRIED_STATUS = frozenset({429, 502, 503, 504})
"""Answers worth asking again (overload, a restarting server or proxy); others are final."""


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a matrix answer: its labels, its instants (epoch seconds) and its values
    (as the server wrote them, parsed: NaN and infinities kept for the reader to refuse)."""

    labels: Mapping[str, str]
    times: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RawSeries:
    """The stored samples of one series: instants in epoch *milliseconds* (scrapes are not on
    whole seconds) and values."""

    labels: Mapping[str, str]
    times_ms: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]


class PrometheusClient:
    """Queries one Prometheus-compatible server (Prometheus, VictoriaMetrics, Thanos, Mimir…).

    ``attempts`` tries per query, waiting ``backoff_s`` × 2ⁿ between them. ``transport`` and
    ``sleep`` let tests use a fake server without waiting. ``budget`` (set by the worker for
    a tick, shared by the source's clients: ``budget.Budget``) caps the time of every query;
    a query that gets no answer trips it (the source's other queries are not asked) unless
    ``trips`` is False (the optional witness of a first read by days: its SLIs are then read
    from their samples, which a slow witness query must not stop).
    """

    budget: Budget | None = None
    trips: bool = True

    def __init__(
        self,
        source: PrometheusSource,
        *,
        env: Mapping[str, str] | None = None,
        attempts: int = 3,
        backoff_s: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self._sleep = sleep
        environ = os.environ if env is None else env
        headers = dict(source.headers)
        if source.tenant:
            headers["X-Scope-OrgID"] = source.tenant
        secrets: list[str] = []
        for header, variable in source.headers_env:  # never sent empty: unset is an error
            headers[header] = _header_value(environ, variable, f"headersEnv {header}")
            secrets.append(headers[header])
        if source.bearer_token_env:
            token = _header_value(environ, source.bearer_token_env, "bearerTokenEnv")
            headers["Authorization"] = f"Bearer {token}"
            secrets.append(token)
        auth = None
        if source.username_env and source.password_env:
            user = _secret(environ, source.username_env)
            password = _secret(environ, source.password_env)
            auth = httpx.BasicAuth(user, password)
            secrets += [password, base64.b64encode(f"{user}:{password}".encode()).decode()]
        # a server or proxy may echo a credential it refused (vmauth does): never repeat it
        self._secrets = tuple(secrets)
        # plain http never uses TLS: no context (loading the CA bundle costs 0.1 s a client)
        verify: ssl.SSLContext | bool = source.tls_verify and not _plain_http(source.url)
        if verify and source.ca_file:
            try:
                verify = ssl.create_default_context(cafile=source.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise SourceCredentialsError(
                    f"DataSource {source.name!r}: cannot read caFile {source.ca_file}: {exc}",
                    hint="point caFile at a readable PEM file of the CA that signed the server",
                ) from exc
        self._http = httpx.Client(
            base_url=source.url,
            headers=headers,
            auth=auth,
            timeout=source.timeout_s,
            verify=verify,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def _hide(self, text: str) -> str:
        return hide_secrets(text, self._secrets)

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def query_range(self, query: str, *, start: int, end: int, step: int) -> list[Series]:
        """The matrix ``query`` gives at ``start, start + step, …, end`` (epoch seconds)."""
        form = {"query": query, "start": str(start), "end": str(end), "step": str(step)}
        body, arrays = self._post("/api/v1/query_range", form)
        where = self._where(query, start, end)
        return [_series(item, text, where) for item, text in _result(body, arrays, where=where)]

    def samples(self, selector: str, *, start: int, end: int) -> list[RawSeries]:
        """The samples ``selector`` holds in ``(start, end]`` (epoch seconds): the instant
        query ``selector[end − start s]`` at ``end``, whose answer is the stored samples."""
        form = {"query": f"{selector}[{end - start}s]", "time": str(end)}
        body, arrays = self._post("/api/v1/query", form)
        where = self._where(form["query"], start, end)
        return [_raw(item, text, where) for item, text in _result(body, arrays, where=where)]

    def label_sets(self, query: str, *, at: int) -> list[dict[str, str]]:
        """The labels of each series of the instant vector ``query`` gives at ``at`` (epoch
        seconds): what ``group by (…)`` answers."""
        form = {"query": query, "time": str(at)}
        body, _ = self._post("/api/v1/query", form)
        where = f"{self.source.name} ({self.source.url}), query {query_text(query)} at {_utc(at)}"
        data = _data(body, where=where)
        result = data.get("result")
        if data.get("resultType") != "vector" or not isinstance(result, list):
            raise _bad(where, "the answer is not a vector")
        found = []
        for item in result:
            labels = item.get("metric") if isinstance(item, dict) else None
            if not isinstance(labels, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
            ):
                raise _bad(where, "a series of the vector has no labels of text")
            found.append(dict(labels))
        return found

    def _where(self, query: str, start: int, end: int) -> str:
        source = f"{self.source.name} ({self.source.url})"
        return f"{source}, query {query_text(query)} from {_utc(start)} to {_utc(end)}"

    def _post(self, path: str, form: dict[str, str]) -> tuple[Any, list[bytes]]:
        what = f"{self.source.name} ({self.source.url}{path})"
        last = ""
        busy: int | None = None  # the HTTP status of ``last`` when it is one asked again
        budget = self.budget
        timeout = self.source.timeout_s
        made = 0
        for attempt in range(self.attempts):
            if attempt:
                wait = self.backoff_s * 2 ** (attempt - 1)
                if budget is not None and budget.left() <= wait:
                    break  # no time left for another attempt in this tick
                with budget.waiting() if budget is not None else nullcontext():
                    self._sleep(wait)
            if budget is not None:
                timeout = min(self.source.timeout_s, budget.check(what))
            made += 1
            try:
                with budget.waiting() if budget is not None else nullcontext():
                    answer = self._fetch(path, form, timeout)
            except httpx.TimeoutException as exc:
                last = f"no answer within {timeout:g}s ({exc.__class__.__name__})"
                continue
            except _StillArrivingError:
                last = (
                    f"the answer was still arriving after {timeout:g}s (sent a piece at a "
                    "time: a slow server or proxy)"
                )
                continue
            except httpx.TransportError as exc:
                tls = _tls_failure(exc)
                if tls is not None:  # asking again cannot help: it is this side's settings
                    raise _tls_error(what, tls) from exc
                last = self._hide(f"{exc.__class__.__name__}: {exc}")
                continue
            said = _error_text(answer, self._hide) if answer.status_code >= 400 else ""
            if answer.status_code in RETRIED_STATUS:
                last, busy = f"HTTP {answer.status_code}: {said}", answer.status_code
                continue
            if too_many_samples(answer):
                raise SourceTooManySamplesError(
                    f"{what} answered HTTP {answer.status_code}: {said}",
                    hint="the query loads more samples than the server's --query.max-samples "
                    "even for one bucket: raise the limit, or narrow the SLI's selector",
                )
            if answer.status_code >= 400:
                raise SourceRefusedError(
                    f"{what} answered HTTP {answer.status_code}: {said}",
                    hint=_refused_hint(answer.status_code, said),
                )
            try:
                return decode.loads(answer.content)
            except decode.CutShortError as exc:
                raise SourceAnswerError(
                    f"{what} answered JSON cut short after {len(answer.content):,} bytes "
                    f"(…{self._hide(answer.text)[-60:]!r})",
                    hint="the answer stopped part-way: a proxy's limit on answer size, or "
                    "the server stopped while answering; run the command again, and check the "
                    "proxy's limits and the server's log if it keeps happening",
                ) from exc
            except decode.UndecodableError as exc:
                raise SourceAnswerError(
                    f"{what} answered something that is not JSON "
                    f"({answer.headers.get('content-type', 'no content type')}): "
                    f"{self._hide(answer.text)[:120]!r}",
                    hint="check that url is the query API of a Prometheus-compatible server "
                    "(not a UI or a proxy's error page)",
                ) from exc
        if last.startswith("HTTP"):
            error = SourceBusyError(
                f"{what} still answered {last} after {made} attempts",
                hint="the server is overloaded or restarting: try again later",
            )
            error.status = busy
            raise error
        unreachable = SourceUnreachableError(
            f"{what} did not answer after {made} attempts: {last}",
            hint="check that the server is up and reachable from here, and the url and "
            "timeout of the DataSource",
        )
        if budget is not None and self.trips:
            budget.trip(unreachable)
        raise unreachable

    def _fetch(self, path: str, form: dict[str, str], timeout: float) -> httpx.Response:
        """The answer to one POST, read whole within ``timeout`` of the request: httpx's
        timeout bounds each read, so a body sent a byte at a time, each in time, would
        otherwise be waited for as long as it keeps coming. A piece is waited for at most
        ``timeout``, so an attempt ends within twice it."""
        deadline = time.monotonic() + timeout
        with self._http.stream("POST", path, data=form, timeout=timeout) as answer:
            pieces = []
            for piece in answer.iter_bytes():
                pieces.append(piece)
                if time.monotonic() > deadline:
                    raise _StillArrivingError
            # decoded already (gzip): the copy must not say it is encoded
            headers = [
                (k, v)
                for k, v in answer.headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
            ]
            return httpx.Response(
                answer.status_code,
                headers=headers,
                content=b"".join(pieces),
                request=answer.request,
            )


class _StillArrivingError(Exception):
    """An answer whose body was still coming in when its attempt's time was up."""


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error under a transport error (httpx wraps the ``ssl`` module's), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _tls_error(what: str, exc: ssl.SSLError) -> SourceTLSError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SourceTLSError(
            f"{what}: the server's TLS certificate is not trusted here ({exc.verify_message})",
            hint="set the DataSource's caFile to the PEM file of the CA that signed the "
            "server's certificate (or, for a certificate issued to another name, use that name "
            "in url); tlsVerify: false skips the check, for a network you trust",
        )
    return SourceTLSError(
        f"{what}: the TLS handshake failed ({exc.reason or exc})",
        hint="check that the server speaks TLS at that url (http:// for a server without TLS) "
        "and that its certificate and key are valid",
    )


class SourceTooManySamplesError(SourceRefusedError):
    """The server refused a query for loading more samples than its ``query.max-samples``
    (HTTP 422, ``errorType: execution``): a shorter range may pass (``reads.halving``)."""


TOO_MANY_SAMPLES = "too many samples"  # Prometheus: "…would load too many samples into memory…"


def too_many_samples(answer: httpx.Response) -> bool:
    """Whether ``answer`` is Prometheus's ``query.max-samples`` refusal."""
    return answer.status_code == 422 and TOO_MANY_SAMPLES in _error_text(answer)


def _plain_http(url: str) -> bool:
    return url.lower().startswith("http://")


def _secret(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name)
    if not value:
        raise SourceCredentialsError(
            unset_variable(name, value),
            hint=f"export {name}=… (the secret itself) before running (the DataSource names "
            "it; the secret is never written in the workspace)",
        )
    return value


def _header_value(environ: Mapping[str, str], name: str, field: str) -> str:
    """The variable ``name``'s value, sent in a header (``field`` names it): one that HTTP
    cannot carry is refused here, never shown (h11's own refusal repeats it, escaped, where
    hiding it would miss it)."""
    value = _secret(environ, name)
    fault = value_fault(value)
    if fault is not None:  # refused, not trimmed: a secret is never altered unseen
        raise SourceCredentialsError(
            f"the environment variable {name} ({field}) {fault}",
            hint=f"export {name}=… with the value alone, on one line, without spaces around "
            "it (a secret read from a file often ends with a line break)",
        )
    return value


def _error_text(answer: httpx.Response, hide: Callable[[str], str] = str) -> str:
    """What an error answer says (Prometheus's ``errorType: error``, or the start of its
    text), passed through ``hide`` before it is cut so that no part of a secret is left."""
    try:
        body = answer.json()
    except ValueError:
        return _plain(hide(answer.text))[:200].strip() or answer.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        kind = body.get("errorType")
        return hide(f"{kind}: {body['error']}" if kind else str(body["error"]))
    return hide(answer.text)[:200]


def _plain(text: str) -> str:
    """An answer's text on one line; an HTML page (a proxy's or another server's error page)
    as its title, or its text without the markup."""
    if "<" in text[:200] and re.search(r"<(!doctype|html|head|body|title|h1)\b", text, re.I):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
        shown = title.group(1) if title else re.sub(r"<[^>]*>", " ", text)
        return "an HTML page: " + " ".join(html.unescape(shown).split())
    return " ".join(text.split())


CREDENTIALS = re.compile(r"auth|token|credential|password|forbidden", re.IGNORECASE)
"""Words of a refusal about who asks (a proxy in front of the server may answer it with 400)."""


def _refused_hint(status: int, said: str = "") -> str:
    if status in (401, 403) or (status == 400 and CREDENTIALS.search(said)):
        return "check the credentials (bearerTokenEnv or basicAuth, headersEnv) and the tenant"
    if status in (400, 422):
        return "fix the SLI's query (docs/prometheus.md explains the query forms)"
    if status == 404:
        return "url must be the server's base URL (Covenant adds /api/v1/query, …)"
    return "see the server's logs"


def _bad(where: str, what: str) -> SourceAnswerError:
    return SourceAnswerError(
        f"{where}: {what}",
        hint="the server's answer cannot be counted: nothing of this range was written",
    )


def _data(body: Any, *, where: str) -> dict[str, Any]:
    """The ``data`` of a complete, successful answer (an error, warnings or a partial answer
    are refused)."""
    if not isinstance(body, dict):
        raise _bad(where, "the answer is not a JSON object")
    if body.get("status") != "success":
        raise SourceRefusedError(
            f"{where}: {body.get('errorType', 'error')}: {body.get('error', body.get('status'))}",
            hint="fix the SLI's query (docs/prometheus.md explains the query forms)",
        )
    warnings = body.get("warnings")
    if warnings:
        shown = "; ".join(str(w) for w in warnings[:3]) if isinstance(warnings, list) else warnings
        raise _bad(where, f"a partial answer (warnings: {shown})")
    if body.get("isPartial") is True:
        raise _bad(where, "a partial answer (isPartial)")
    data = body.get("data")
    if not isinstance(data, dict):
        raise _bad(where, "the answer has no data")
    return data


def _result(body: Any, arrays: list[bytes], *, where: str) -> list[tuple[Any, bytes]]:
    """Each series of a complete matrix answer with the text of its values (anything else is
    refused)."""

    def bad(what: str) -> SourceAnswerError:
        return _bad(where, what)

    data = _data(body, where=where)
    if data.get("resultType") != "matrix":
        raise bad("the answer is not a matrix")
    result = data.get("result")
    if not isinstance(result, list):
        raise bad("the matrix has no result list")
    if not all(isinstance(item, dict) for item in result):
        raise bad("a series of the matrix is not an object")
    if len(arrays) != len(result) or not all(item.get("values") == [] for item in result):
        raise bad("a series has no metric labels or values")
    return list(zip(result, arrays, strict=True))


def _points(
    item: dict[str, Any], text: bytes, where: str
) -> tuple[dict[str, str], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """A series' labels, times and values, parsed in bulk."""
    labels = item.get("metric", {})
    if not isinstance(labels, dict):
        raise _bad(where, "a series has no metric labels or values")
    try:
        times, values = decode.points(text)
    except decode.UndecodableError as exc:
        raise _bad(where, str(exc)) from exc
    return {str(k): str(v) for k, v in labels.items()}, times, values


def _series(item: dict[str, Any], text: bytes, where: str) -> Series:
    """One series of a ``query_range`` answer (a month is 43,200 points)."""
    labels, instants, parsed = _points(item, text, where)
    whole = instants.astype(np.int64)
    if np.any(whole != instants):
        raise _bad(where, "a point's time is not a whole second")
    return Series(labels=labels, times=whole, values=parsed)


def _raw(item: dict[str, Any], text: bytes, where: str) -> RawSeries:
    """One series of stored samples; instants are kept to the millisecond."""
    labels, times, parsed = _points(item, text, where)
    ms = np.rint(times * 1000).astype(np.int64)
    return RawSeries(labels=labels, times_ms=ms, values=parsed)


def _utc(seconds: int) -> str:
    """An instant of a query as messages name instants (``2026-12-02T07:17:00Z``)."""
    return utc_text(from_epoch(seconds))
