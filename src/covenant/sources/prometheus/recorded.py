"""Whole UTC days of an SLI as two numbers each, witnessed by Covenant's recorded counts.

An exact first read of a month reads every sample (docs/prometheus.md). Over a UTC day in
which no counter of the SLI reset, went silent for more than the staleness lookback, appeared
or vanished, the events the engine counts from the samples (``samples.bucket_counts``: the
increases between consecutive samples, in the minute of the later one) telescope to the
counter's value at the day's end minus its value at its start — two numbers per series, read
for every midnight at once (``query_range`` of the selectors at a one-day step). What makes
that usable is a cheap witness that the day was clean, and ``covenant rules prometheus``
records one: per objective (``sloth_id``), ``covenant:sli_{good,total}:count1d`` is the sum
of the rules' minute counts (``S − S offset 1m`` per series, a reset counting the value after
it; a series new within the minute not counted) over the day ending at each evaluation.

Prometheus evaluates a group at an offset within the minute (a hash of its file and name; the
same for back-filled recordings), so the recording stamped just after midnight, at
``midnight + o``, covers ``(midnight − 1d + o, midnight + o]``. For each such shifted day the
witness compares the recorded good and total with the counters' increase between the two
recording instants (each read's selectors asked ``offset`` back to its own instants, one
query for many SLIs). A reset, a silence, a series that came or went, a minute the rules did
not evaluate (a restart; rules loaded during the day; a scrape gap with staleness markers)
make them differ. A UTC day is taken — as the midnight difference, never as a recorded
number — only when both shifted days that cover it agree, good and total, every series had a
whole value at both midnights and none decreased; any other day leaves the SLI to its samples.

What the witness cannot see: a counter silent for between 5 and 6 minutes (no staleness
marker, e.g. the server itself down) whose increase across the silence the rules count (the
lookback of ``S offset 1m`` reaches 6 minutes before the minute's end) and the samples reading
does not (a sample more than 5 minutes after the previous one is a fresh start); and a reset
whose loss the rules' minute count happens to make up exactly. Both are documented in
docs/prometheus.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from covenant.core.promql import SeriesQueries
from covenant.sources.prometheus.client import PrometheusClient, Series
from covenant.sources.prometheus.groups import Member, member, not_member, union
from covenant.sources.prometheus.samples import LabelIndex, Matchers

DAY, HOUR = 86400, 3600
GOOD_1D, TOTAL_1D = "covenant:sli_good:count1d", "covenant:sli_total:count1d"
GOOD_1H, TOTAL_1H = "covenant:sli_good:count1h", "covenant:sli_total:count1h"
WITNESS = {DAY: (GOOD_1D, TOTAL_1D), HOUR: (GOOD_1H, TOTAL_1H)}
"""The recordings that witness a day, an hour."""
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    """One SLI to read by days: its reads and the ``sloth_id`` its rules record under."""

    queries: SeriesQueries
    sloth_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DaySums:
    """An SLI's good and total on the days ``first + i·DAY``; ``ok[i]`` when checked."""

    good: Int64Array
    total: Int64Array
    ok: npt.NDArray[np.bool_]
    why: str = ""  # why some day is not ok (the first reason met)
    checked: bool = False  # the recordings were there and aligned: each day was compared


PLAIN_ID = re.compile(r"^[A-Za-z0-9_.:/ -]+$")
"""A ``sloth_id`` read by days: anything else (quotes, backslashes) is read from samples."""


def _alternation(values: Sequence[str]) -> str:
    """Plain values as an RE2 alternation inside a PromQL string (``\\.`` for a dot)."""
    return "|".join("".join("\\\\" + c if c in ".+*?()[]{}|^$" else c for c in v) for v in values)


def recorded_days(
    client: PrometheusClient,
    reads: Sequence[Recorded],
    *,
    first: int,
    n: int,
    span: int = DAY,
) -> list[DaySums]:
    """Each read's good and total on the ``n`` UTC days from ``first`` (a midnight), each day
    ok only when the recordings witness that its counters' increase is what the samples give
    (module docstring). With ``span`` ``HOUR``: the ``n`` hours from ``first`` (an hour's
    start), witnessed by the ``count1h`` recordings the same way."""
    if span not in WITNESS:
        raise ValueError("span must be a day or an hour")
    if first % span:
        raise ValueError("first must be the start of a UTC day (an hour)")
    found = [_none(n, "no recorded counts") for _ in reads]
    plans: dict[str, list[tuple[int, Member]]] = {}
    for i, r in enumerate(reads):
        joined = member(r.queries)
        if joined is None:
            found[i] = _none(n, not_member(r.queries))
        else:
            plans.setdefault(joined[0], []).append((i, joined[1]))
    for name, items in plans.items():
        selector = union(name, [m for _, m in items])
        if selector is None:
            for i, _ in items:
                found[i] = _none(
                    n, "its selectors fix no label with = (it would read the bare metric)"
                )
            continue
        # the recordings first: without them (no rules loaded) the counters are not asked for
        recorded = _recordings(
            client, [reads[i].sloth_id for i, _ in items], first=first, n=n, span=span
        )
        offsets = {i: _offset(recorded.get(reads[i].sloth_id)) for i, _ in items}
        if all(o is None for o in offsets.values()):
            for i, _ in items:
                found[i] = _none(n, NO_RECORDINGS)
            continue
        # the counters at every midnight: the day increases to store
        midnights = _Grid(
            client.query_range(selector, start=first, end=first + n * span, step=span),
            start=first,
            size=n + 1,
            span=span,
        )
        taken = _disjoint(midnights.index, items)
        for i in {i for i, _ in items} - {i for i, _ in taken}:
            found[i] = _none(
                n,
                "another SLI's query reads some of its series, so the recordings cannot witness "
                "it alone",
            )
        fixed = [(i, m, o) for i, m in taken if (o := offsets[i]) is not None]
        shifted = _Grid(
            _shifted(client, name, fixed, first=first, n=n, span=span) if fixed else [],
            start=first - span + 60,
            size=n + 2,
            span=span,
        )
        for i, m in taken:
            found[i] = _check(
                reads[i],
                m,
                midnights,
                recorded.get(reads[i].sloth_id),
                offsets[i],
                shifted,
                n=n,
                first=first,
                span=span,
            )
    return found


NO_RECORDINGS = (
    "the server has no day recordings of `covenant rules prometheus` aligned after every "
    "midnight: load the rules (back-filled over the past) for a first read by whole days "
    '(docs/prometheus.md, "A first read by days")'
)


def _none(n: int, why: str) -> DaySums:
    zeros = np.zeros(n, dtype=np.int64)
    return DaySums(good=zeros, total=zeros.copy(), ok=np.zeros(n, dtype=bool), why=why)


def _key(series: Series) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(series.labels.items()))


def _disjoint(
    answer: LabelIndex[Series], items: list[tuple[int, Member]]
) -> list[tuple[int, Member]]:
    """The reads whose series no earlier read of ``items`` also selects: each is then asked
    for at its own recording instants without another read's series in the way."""
    seen: set[tuple[tuple[str, str], ...]] = set()
    kept = []
    for i, m in items:
        mine = {_key(s) for s in [*answer.matching(m.total), *answer.matching(m.first)]}
        if mine & seen:
            continue
        seen |= mine
        kept.append((i, m))
    return kept


@dataclass(frozen=True, slots=True)
class _Recorded:
    good: npt.NDArray[np.float64]  # k = 0 … n: the day ending at first + k·DAY + offset
    total: npt.NDArray[np.float64]  # (NaN: no recording made at exactly that instant)
    offset: int  # the group's evaluation offset within the minute, in ms (0 < offset ≤ 60 s)


def _recordings(
    client: PrometheusClient, ids: Sequence[str], *, first: int, n: int, span: int = DAY
) -> dict[str, _Recorded]:
    """Per ``sloth_id``: the group's evaluation offset ``o`` (the stamp of the latest total
    recording at ``first + 60 s``, less ``first``) and the ``1d`` (``1h``) recordings made at
    exactly ``first + k·span + o`` (k = 0 … n), NaN where none was made then."""
    good_name, total_name = WITNESS[span]
    # One step: timestamp() over many steps costs Prometheus (2.42) about steps × range.
    stamps = client.query_range(
        f'timestamp({total_name}{{sloth_id=~"{_alternation(sorted(ids))}"}})',
        start=first + LATEST,
        end=first + LATEST,
        step=span,
    )
    # A sloth_id recorded by more than one series (the rules loaded twice) is left to its
    # samples: which series' values go with which offset would be a guess.
    twice = _repeated(s.labels.get("sloth_id", "") for s in stamps)
    by_offset: dict[int, list[str]] = {}
    for s in stamps:
        sid = s.labels.get("sloth_id", "")
        if sid in twice or s.values.size != 1 or not np.isfinite(s.values[0]):
            continue
        offset = round((float(s.values[0]) - first) * 1000)
        if 0 < offset <= 60_000:
            by_offset.setdefault(offset, []).append(sid)
    if not by_offset:
        return {}
    out: dict[str, dict[str, npt.NDArray[np.float64]]] = {}
    for which, name in (("good", good_name), ("total", total_name)):
        # a recording stamped exactly at the instant: a 1 ms range ending there (Prometheus 2
        # closes it at both ends, 3 at the end only; stamps are whole milliseconds)
        terms = [
            f'max_over_time({name}{{sloth_id=~"{_alternation(sorted(group))}"}}[1ms] '
            f"offset {60_000 - offset}ms)"
            for offset, group in sorted(by_offset.items())
        ]
        answer = client.query_range(
            " or ".join(terms), start=first + LATEST, end=first + n * span + LATEST, step=span
        )
        twice |= _repeated(s.labels.get("sloth_id", "") for s in answer)
        for s in answer:
            out.setdefault(s.labels.get("sloth_id", ""), {})[which] = _at(
                s, first + LATEST, n + 1, span
            )
    offset_of = {sid: offset for offset, group in by_offset.items() for sid in group}
    return {
        key: _Recorded(good=v["good"], total=v["total"], offset=offset_of[key])
        for key, v in out.items()
        if {"good", "total"} <= set(v) and key in offset_of and key not in twice
    }


def _repeated(keys: Iterable[str]) -> set[str]:
    """The keys that occur more than once."""
    seen: set[str] = set()
    again: set[str] = set()
    for key in keys:
        (again if key in seen else seen).add(key)
    return again


LATEST = 60
"""Asked at ``midnight + 60 s``: the latest minute recording is then the one stamped in
``(midnight, midnight + 60 s]``, whatever the group's offset within the minute."""


def _at(series: Series, start: float, size: int, span: int = DAY) -> npt.NDArray[np.float64]:
    """The series' values at ``start + k·span`` (NaN: no point)."""
    values: npt.NDArray[np.float64] = _Grid([series], start=start, size=size, span=span).values[0]
    return values


def _offset(rec: _Recorded | None) -> int | None:
    """The group's evaluation offset in ms when it recorded the total at that offset after
    every midnight (hour) of the range, or None. (A good count missing at an instant, e.g. an
    errors counter that did not exist yet, only leaves the days next to it unwitnessed.)"""
    if rec is None or not np.all(np.isfinite(rec.total)):
        return None
    return rec.offset


def _shifted(
    client: PrometheusClient,
    name: str,
    fixed: Sequence[tuple[int, Member, int]],
    *,
    first: int,
    n: int,
    span: int = DAY,
) -> list[Series]:
    """The counters of each read at its own recording instants ``first + k·DAY + offset``
    (k = −1 … n): one query, the union selector of the reads of each offset asked ``offset``
    back from ``… + 60 s`` (reads of one rule group share its offset)."""
    by_offset: dict[int, list[Member]] = {}
    for _, m, offset in fixed:
        by_offset.setdefault(offset, []).append(m)
    terms: list[str] = []
    for offset, members in sorted(by_offset.items()):
        selector = union(name, members) if len(members) > 1 else None
        found = (
            [selector]
            if selector is not None
            else [
                _selector(name, matchers)
                for m in members
                for matchers in dict.fromkeys((m.total, m.first))
            ]
        )
        terms.extend(f"({sel} offset {60_000 - offset}ms)" for sel in found)
    return client.query_range(
        " or ".join(terms), start=first - span + 60, end=first + n * span + 60, step=span
    )


def _selector(name: str, matchers: tuple[tuple[str, str, str], ...]) -> str:
    inner = ",".join(f'{k}{op}"{v}"' for k, op, v in matchers)
    return f"{name}{{{inner}}}"


class _Grid:
    """The series of one answer at the instants ``start + k·span`` (``size`` of them), a row
    each (NaN: no point there), placed once for every read that sums some of them."""

    def __init__(self, answer: Sequence[Series], *, start: float, size: int, span: int) -> None:
        self.index = LabelIndex(answer)
        self.row = {id(s): i for i, s in enumerate(answer)}
        self.values = np.full((len(answer), size), np.nan)
        if answer:
            rows = np.repeat(np.arange(len(answer)), [s.times.size for s in answer])
            times = np.concatenate([s.times for s in answer])
            values = np.concatenate([s.values for s in answer])
            slot = np.rint((times - start) / span).astype(np.int64)
            keep = (np.abs(times - start - slot * span) < 0.5) & (slot >= 0) & (slot < size)
            self.values[rows[keep], slot[keep]] = values[keep]

    def increase(self, matchers: Matchers) -> tuple[Int64Array, npt.NDArray[np.bool_]]:
        """The summed increase of the matching series between consecutive instants, and
        whether it is known: every such series has a whole value at both ends and did not
        decrease."""
        v = self.values[[self.row[id(s)] for s in self.index.matching(matchers)]]
        a, b = v[:, :-1], v[:, 1:]
        with np.errstate(invalid="ignore"):
            fine = np.isfinite(a) & np.isfinite(b) & (b >= a)
            fine &= (a == np.floor(a)) & (b == np.floor(b)) & (b < 2**53)
            increase = np.where(fine, b - a, 0).astype(np.int64).sum(axis=0)
        return increase, fine.all(axis=0)


def _check(
    r: Recorded,
    m: Member,
    midnights: _Grid,
    rec: _Recorded | None,
    offset: int | None,
    shifted: _Grid,
    *,
    n: int,
    first: int,
    span: int = DAY,
) -> DaySums:
    """The day increases of ``r`` at the midnights, ok where the recordings witness them."""
    if rec is None or offset is None:
        return _none(n, NO_RECORDINGS)
    is_bad = r.queries.good is None
    f_day, f_known = midnights.increase(m.first)
    t_day, t_known = midnights.increase(m.total)
    good_day = t_day - f_day if is_bad else f_day
    # the witnesses: the recorded day ending at each recording instant against the counters'
    # increase between consecutive recording instants (k = 0 … n)
    f_w, f_wk = shifted.increase(m.first)
    t_w, t_wk = shifted.increase(m.total)
    g_w = t_w - f_w if is_bad else f_w
    whole = np.isfinite(rec.good) & np.isfinite(rec.total)
    rg = np.where(whole, rec.good, -1)
    rt = np.where(whole, rec.total, -1)
    witnessed = f_wk & t_wk & whole & (rg == g_w) & (rt == t_w)
    # day k (first + k·DAY …) lies within the witnessed days k and k + 1
    ok = f_known & t_known & witnessed[:-1] & witnessed[1:] & (good_day >= 0) & (good_day <= t_day)
    why = (
        ""
        if bool(ok.all())
        else (
            "a recorded day differs from its counters' increase (a reset, a silence, a minute the "
            "rules did not evaluate) or a counter has no value at a midnight"
        )
    )
    return DaySums(good=good_day, total=t_day, ok=ok, why=why, checked=True)
