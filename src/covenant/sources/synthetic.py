"""Generated traffic: per-minute ``(good, total)`` counts with a diurnal and weekly rhythm.

Used by ``covenant demo`` and the benchmarks. Deterministic for a seed and a time range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from covenant.core.series import BucketMatrix


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """Extra failures between ``start`` and ``end`` (epoch seconds): ``error_ratio`` of requests."""

    start: int
    end: int
    error_ratio: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """Traffic of one series: requests per minute at the daily peak and the usual error ratio.

    Series with the same ``service`` share their request counts (one request stream measured
    by several SLIs).
    """

    service: str
    peak_per_minute: float
    error_ratio: float
    incidents: tuple[Incident, ...] = field(default_factory=tuple)
    utc_offset_hours: int = 1


def diurnal(minutes: np.ndarray, utc_offset_hours: int) -> np.ndarray:
    """Share of the peak rate at each minute: quiet nights, busy evenings, calmer weekends."""
    local = minutes + utc_offset_hours * 60
    hour = (local % 1440) / 60.0
    day = (local // 1440 + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    shape = np.where((hour >= 6) & (hour < 24), np.sin(np.pi * (hour - 6) / 18.0) ** 2, 0.0)
    weekly = np.where(day >= 5, 0.7, 1.0)
    return (0.04 + 0.96 * shape) * weekly


def generate(
    profiles: Mapping[str, Profile], *, start: int, end: int, step: int = 60, seed: int = 7
) -> BucketMatrix:
    """Counts for every series in ``profiles`` over ``[start, end)``."""
    keys = tuple(profiles)
    rng = np.random.default_rng(seed)
    n = (end - start) // step
    minutes = (start + np.arange(n, dtype=np.int64) * step) // 60
    instants = start + np.arange(n, dtype=np.int64) * step
    totals: dict[str, np.ndarray] = {}
    good = np.zeros((len(keys), n), dtype=np.int64)
    total = np.zeros((len(keys), n), dtype=np.int64)
    for i, key in enumerate(keys):
        p = profiles[key]
        if p.service not in totals:
            lam = p.peak_per_minute * step / 60.0 * diurnal(minutes, p.utc_offset_hours)
            totals[p.service] = rng.poisson(lam).astype(np.int64)
        t = totals[p.service]
        ratio = np.full(n, p.error_ratio)
        for incident in p.incidents:
            inside = (instants >= incident.start) & (instants < incident.end)
            ratio = np.where(inside, np.minimum(1.0, ratio + incident.error_ratio), ratio)
        bad = rng.binomial(t, ratio).astype(np.int64)
        good[i] = t - bad
        total[i] = t
    return BucketMatrix(keys=keys, start=start, step=step, good=good, total=total)
