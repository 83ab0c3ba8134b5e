"""The DataSources a worker's tick got no answer from, and the worker's log of them.

A Prometheus that is down fails every read of every tick (one a minute), each series with a
line of its own in the tick's problems: those stay as they are (the worker's status, and the
series' reads, whose SLOs show "no data (stale)" with the reason). The log says it once per
DataSource and reason — one line naming its series — and again only for a reason not said
since it last answered (its queries' paths differ, a refused connection becomes a timeout,
a 502 becomes a 503); and once, when it answers again, that it does. A source that answers
every attempt with a status worth asking again (429, 502, 503, 504: ``SourceBusyError``) is
not answering either, said the same way — told apart by its HTTP status alone, as its body
may name a request id that differs in every answer. Another reason is told apart by its words
without their numbers but an HTTP status: a timeout cut to the tick's time left ("no answer
within 0.275088s"), a proxy's byte count or port, are the same reason every tick; HTTP 502 and
HTTP 503 are two. A DataSource no longer in the workspace is forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.timeutil import utc_text
from covenant.errors import SourceBusyError, SourceError, SourceUnreachableError

if TYPE_CHECKING:
    from covenant.services.prometheus import ReadReport


@dataclass(frozen=True, slots=True)
class Unheard:
    """A DataSource that did not answer a tick's queries for one reason."""

    source: str
    reason: str  # the first unanswered query's words (its error's message)
    hint: str
    series: tuple[str, ...]  # its series not read for that reason, sorted
    lines: frozenset[str]  # the tick's problem lines (``series: error``) it stands for
    kind: str  # what tells the reason apart (``_kind``): said once per kind while it lasts


@dataclass(frozen=True, slots=True)
class Hearing:
    """Which DataSources a tick's reads got no answer from, and which answered every query."""

    unheard: tuple[Unheard, ...] = ()
    answered: tuple[str, ...] = ()

    @property
    def lines(self) -> frozenset[str]:
        """The problem lines said by the DataSources' lines instead."""
        return frozenset().union(*(u.lines for u in self.unheard))


_NUMBER = re.compile(r"(?P<status>HTTP [1-5]\d\d\b)|\d+(?:\.\d+)?")


def _kind(reason: str) -> str:
    """``reason`` without its numbers but its HTTP status: the same failure whatever the
    timeout, port, byte count or tries; another for another status (502, then 503)."""
    return _NUMBER.sub(lambda m: m.group("status") or "#", reason)


def _error_kind(error: SourceError) -> str:
    """A busy source's HTTP status alone (its body may name a request id, new in every
    answer); another error's ``_kind``."""
    if isinstance(error, SourceBusyError) and error.status is not None:
        return f"busy: HTTP {error.status}"
    return _kind(error.message)


def _root(error: SourceError) -> SourceError:
    """The query that got no answer: a later one not asked says why through its cause."""
    cause = error.__cause__
    return cause if isinstance(cause, SourceUnreachableError) else error


def hearing(reports: Sequence[ReadReport]) -> Hearing:
    """What ``reports`` (one tick's reads) say of their DataSources' answers."""
    found: dict[tuple[str, str], tuple[str, str, list[str], set[str]]] = {}
    silent: set[str] = set()
    sources: set[str] = set()
    for r in reports:
        sources.add(r.source)
        if not isinstance(r.error, SourceUnreachableError | SourceBusyError):
            continue
        silent.add(r.source)
        root = _root(r.error)
        key = (r.source, _error_kind(root))  # one reason whatever its numbers
        _, _, series, lines = found.setdefault(key, (root.message, root.hint, [], set()))
        series.append(r.series)
        lines.add(f"{r.series}: {r.error}")
    unheard = tuple(
        Unheard(source, reason, hint, tuple(sorted(set(series))), frozenset(lines), kind)
        for (source, kind), (reason, hint, series, lines) in sorted(found.items())
    )
    return Hearing(unheard, tuple(sorted(sources - silent)))


class SilenceLog:
    """The worker's lines of its DataSources' silences: each reason once while it lasts."""

    def __init__(self) -> None:
        self._said: dict[str, tuple[datetime, set[str]]] = {}  # since when, reasons said

    def lines(
        self, heard: Hearing, *, at: datetime, sources: Collection[str] | None = None
    ) -> list[str]:
        """The lines to log for the tick at ``at`` (none when nothing changed); ``sources``
        (the workspace's DataSources) drops what was said of the others."""
        said: list[str] = []
        if sources is not None:
            for gone in set(self._said) - set(sources):
                del self._said[gone]
        for source in heard.answered:
            if source in self._said:
                since, _ = self._said.pop(source)
                said.append(
                    f"DataSource {source} answers again (it had not since {utc_text(since)}): "
                    "its series are read again"
                )
        for u in heard.unheard:
            _, reasons = self._said.setdefault(u.source, (at, set()))
            if u.kind in reasons:
                continue
            reasons.add(u.kind)
            count = len(u.series)
            said.append(
                f"{u.reason} — {count} series of DataSource {u.source} not read "
                f"({', '.join(u.series)}): their SLOs show no data (stale) with this reason "
                "until it answers; said once until it answers again — "
                f"{u.hint}"
            )
        return said
