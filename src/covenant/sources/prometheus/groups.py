"""Many SLIs' counters read with one query: the samples of a union selector, sorted out here.

Two hundred SLOs that count ``http_requests_total{job="api-000"}`` …
``http_requests_total{job="api-199"}`` are one metric with one label that differs. Reading
them one query per SLI is 200 round trips (each a parse, an index lookup and an answer) for a
catch-up of two minutes. Instead their reads are *grouped*: one instant query of the union
``http_requests_total{job=~"api-000|…|api-199"}[…]`` returns the samples of every series any
of them matches, and each SLI's good and total are counted from the series its own selectors
match (``samples.matching``), exactly as its own query would have returned them.

A read joins a group only when that is certain to give the same series: both its selectors are
plain counters (``core.promql.raw_selector``) of the group's metric name with equality matchers
only (``=`` or ``!=`` on plain values), so that matching them here needs no regular
expression. The union keeps the labels every selector of the group fixes with ``=`` (one
value: ``label="v"``; several: ``label=~"v1|v2"``, the values escaped), so it matches a
superset of every selector's series; a group without such a label is not formed (the bare
metric name could be every series of a large server). Anything else is read on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from covenant.core.promql import SeriesQueries, parse_selector, raw_selector
from covenant.errors import SourceError
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.reads import Counts, combine, parts
from covenant.sources.prometheus.samples import (
    LOOKBACK_S,
    LabelIndex,
    Matchers,
    bucket_counts,
    unknown,
)

_PLAIN = re.compile(r"^[A-Za-z0-9_:./ -]*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """One read of a group: its two selectors as equality matchers."""

    queries: SeriesQueries
    first: Matchers
    total: Matchers


@lru_cache(maxsize=4096)
def _matchers(template: str) -> tuple[str, Matchers] | None:
    """``(metric name, matchers)`` of a counter template whose selector can be matched here
    (remembered: a first read groups the same templates for every range it reads)."""
    selector = raw_selector(template)
    parsed = parse_selector(selector) if selector is not None else None
    if parsed is None or not parsed.name:
        return None
    found = []
    for label, op, quoted in parsed.matchers:
        value = quoted[1:-1]
        if op not in ("=", "!=") or quoted[0] not in "\"'" or not _PLAIN.match(value):
            return None
        if label == "__name__":
            return None
        found.append((label, op, value))
    return parsed.name, tuple(sorted(found))


def member(queries: SeriesQueries) -> tuple[str, Member] | None:
    """The metric name and matchers of a read that can join a group, or None."""
    first = queries.good if queries.good is not None else queries.bad
    assert first is not None
    a, b = _matchers(first), _matchers(queries.total)
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[0], Member(queries=queries, first=a[1], total=b[1])


def not_member(queries: SeriesQueries) -> str:
    """Why ``member`` refuses a read, in words (for a first read by days)."""
    first = queries.good if queries.good is not None else queries.bad
    assert first is not None
    templates = (first, queries.total)
    if any(raw_selector(t) is None for t in templates):
        return (
            "a query that is not a counter read from its samples (a selector, or "
            "sum(increase(selector[{{.window}}])))"
        )
    # the metrics first: a histogram's bucket carries the le=~ matcher Covenant writes for
    # every spelling of the bound, which is no regular expression of the SLI's own
    names = [_metric(t) for t in templates]
    if names[0] != names[1]:
        return (
            f"its queries count two metrics ({names[0] or 'no name'}, {names[1] or 'no name'}): "
            "the first read by days takes the good (bad) and total of one metric"
        )
    return (
        "a selector with a regular expression (=~, !~), a __name__ matcher or an unusual "
        "value: the first read by days takes = and != matchers of plain values only"
    )


def _metric(template: str) -> str:
    """The metric name of a counter template's selector ('' when it names none)."""
    selector = raw_selector(template)
    parsed = parse_selector(selector) if selector is not None else None
    return parsed.name if parsed is not None and parsed.name else ""


def union(name: str, members: Sequence[Member]) -> str | None:
    """The selector matching every series any member's selectors match, or None when the
    members share no label fixed with ``=`` (the union would be the bare metric)."""
    sets = [m.first for m in members] + [m.total for m in members]
    fixed: dict[str, set[str]] | None = None
    for matchers in sets:
        equal: dict[str, set[str]] = {}
        for label, op, value in matchers:
            if op == "=":
                equal.setdefault(label, set()).add(value)
        if fixed is None:
            fixed = {k: v for k, v in equal.items() if len(v) == 1}
        else:
            fixed = {k: fixed[k] | v for k, v in equal.items() if k in fixed and len(v) == 1}
    if not fixed:
        return None
    terms = []
    for label, values in sorted(fixed.items()):
        if len(values) == 1:
            terms.append(f'{label}="{next(iter(values))}"')
        else:
            alternatives = "|".join(_escaped(v) for v in sorted(values))
            terms.append(f'{label}=~"{alternatives}"')
    return f"{name}{{{','.join(terms)}}}"


def _escaped(value: str) -> str:
    """A plain value as an RE2 literal inside a PromQL string (``\\.`` for a dot)."""
    return "".join("\\\\" + c if c in ".+*?()[]{}|^$\\" else c for c in value)


def read_group(
    client: PrometheusClient,
    selector: str,
    members: Sequence[Member],
    *,
    start: int,
    end: int,
    step: int,
    max_points: int,
) -> list[tuple[list[Counts], SourceError | None]]:
    """Each member's counts of ``[start, end)``, part by part, from one query per part of the
    union ``selector``, and its error: a failed query stops every member there (what was read
    before stays), an answer one member cannot count stops that member only."""
    found: list[tuple[list[Counts], SourceError | None]] = [([], None) for _ in members]
    for lo, hi in parts(start, end, step=step, max_points=max_points):
        n = (hi - lo) // step
        try:
            answer = client.samples(selector, start=lo - LOOKBACK_S, end=hi)
        except SourceError as exc:
            return [(done, error or exc) for done, error in found]
        index = LabelIndex(answer)
        for i, m in enumerate(members):
            done, error = found[i]
            if error is not None:
                continue
            where = f"{m.queries.source.name}, series {m.queries.series!r}"
            try:
                picked = index.matching(m.first)
                f = bucket_counts(picked, lo=lo, n=n, step=step, where=where)
                answered = index.matching(m.total)
                t = bucket_counts(answered, lo=lo, n=n, step=step, where=where)
                if not answered:  # no total to be part of (reads.read_counts)
                    f = np.zeros_like(f)
                counts = combine(
                    f.astype(np.float64),
                    t.astype(np.float64),
                    gaps=unknown(answered, lo=lo, n=n, step=step),
                    lo=lo,
                    step=step,
                    is_bad=m.queries.good is None,
                    where=where,
                )
                done.append(replace(counts, first_found=bool(picked), total_found=bool(answered)))
            except SourceError as exc:
                found[i] = (done, exc)
    return found
