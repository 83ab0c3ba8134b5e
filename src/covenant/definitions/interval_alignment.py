"""``interval-straddles-period``: interval-measured availability whose intervals do not line
up with the period bounds.

``bad-intervals`` and ``mean-error-rate`` cut the request data into intervals counted from the
epoch and measure only the intervals wholly inside the eligible time (``core.downtime``). When a
period starts or ends inside an interval — a month of Asia/Kathmandu (+05:45) starts at 18:15
UTC, inside an ``interval: 1h`` — the part of the period in that straddling interval is eligible
time that is never measured, so it can never be down. This check names the zone, the interval,
the minutes a period loses that way and the longest interval that lines up with every bound
(docs/sla.md, "Intervals and period bounds").
"""

from __future__ import annotations

import itertools
import math
from datetime import datetime
from zoneinfo import ZoneInfo

from covenant.definitions.agreements import MeasurementSpec, VersionSpec, parse_instant
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.durations import format_seconds, parse_duration
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

_YEAR_OF_PERIODS = 13  # month starts over a year: both sides of every DST change


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _minutes(seconds: int) -> str:
    return f"{seconds // 60}" if seconds % 60 == 0 else f"{seconds / 60:g}"


def interval_alignment(
    doc: SourceDocument, version: VersionSpec, m: MeasurementSpec, where: PathKey
) -> list[Problem]:
    """A warning when the intervals cut across the version's period bounds or its dates."""
    if m.source not in ("bad-intervals", "mean-error-rate") or m.interval is None:
        return []
    paths = [(*where, "interval"), (*where[:-3], "period")]
    if doc.broken_at(*paths, (*where[:-3], "effectiveFrom"), (*where[:-3], "effectiveTo")):
        return []
    size = parse_duration(m.interval).seconds
    zone = version.period.time_zone
    start = parse_instant(version.effective_from, zone=zone)
    local = start.astimezone(ZoneInfo(zone))
    step = 3 if version.period.unit == "quarter" else 1
    first_month = (local.month - 1) // step * step  # 0-based month of the period holding start
    bounds = []
    for k in range(0, _YEAR_OF_PERIODS + step, step):
        year, month = local.year + (first_month + k) // 12, (first_month + k) % 12 + 1
        bounds.append((year, month, _epoch(parse_instant(f"{year}-{month:02d}-01", zone=zone))))
    unit = "quarter" if step == 3 else "month"
    lost = []  # (seconds, lead, tail, label) of each whole period
    for (y, mo, lo), (_, _, hi) in itertools.pairwise(bounds):
        lead, tail = -lo % size, hi % size
        if lead or tail:
            lost.append((lead + tail, lead, tail, f"{y}-{mo:02d}"))
    dates = []
    for key, text in (
        ("effectiveFrom", version.effective_from),
        ("effectiveTo", version.effective_to),
    ):
        if text is None:
            continue
        moment = _epoch(parse_instant(text, zone=zone))
        if moment % size and moment not in {b for *_, b in bounds}:  # a bound: said above
            part = -moment % size if key == "effectiveFrom" else moment % size
            side = "first" if key == "effectiveFrom" else "last"
            dates.append((key, text, moment % size, part, side))
    if not lost and not dates:
        return []
    residues = [b % size for *_, b in bounds] + [moment for _, _, moment, _, _ in dates]
    fits = math.gcd(size, *residues)
    said = []
    if lost:
        worst = max(lost)
        total, lead, tail, label = worst
        same = all(x[:3] == worst[:3] for x in lost) and len(lost) == len(bounds) - 1
        edges = f"the first {_minutes(lead)} and the last {_minutes(tail)} minutes"
        amount = (
            f"{edges} of every {unit} lie in intervals that straddle its bounds: "
            f"{_minutes(total)} minutes a {unit}"
            if same
            else f"up to {_minutes(total)} minutes a {unit} (in {label}, {edges}) lie in "
            "intervals that straddle its bounds"
        )
        said.append(
            f"{zone}'s {unit}s start or end inside an interval {m.interval} (intervals are "
            f"counted from the epoch): {amount}, eligible time that is never measured, so "
            "never down"
        )
    for key, text, into, part, side in dates:
        said.append(
            f"{key} {text} falls {_minutes(into)} minutes into an interval {m.interval}: the "
            f"{side} {_minutes(part)} minutes of the version are never measured, so never down"
        )
    return [
        at(
            doc,
            (*where, "interval"),
            code="interval-straddles-period",
            message="; ".join(said),
            fix=f"use an interval that divides {format_seconds(fits)} (interval: "
            f"{format_seconds(fits)}), so every interval lies inside one period; keep "
            f"{m.interval} only if the contract says so, knowing those minutes never count",
            severity=WARNING,
        )
    ]
