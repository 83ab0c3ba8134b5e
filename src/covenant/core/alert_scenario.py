"""A synthetic per-minute series that makes each of an objective's alert tiers fire and resolve.

Used to prove generated alerting rules against the engine: the same counts are replayed by
:func:`covenant.core.replay.replay_alerts` and fed to ``promtool test rules``. The series starts
with an hour of clean traffic; then, fastest tier first, each tier gets a phase burning at 1.25×
its threshold (at most a total outage) until the engine sees it fire plus a quarter of an hour
(at most its long window), followed by a clean stretch as long as the longest short window plus
an hour, so every alert that fired has resolved before the next phase. Which tiers fire when is
not assumed: the engine's replay (``core.replay``) decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import ceil

import numpy as np

from covenant.core.evaluate import alert_threshold
from covenant.core.model import DAY, HOUR, MINUTE, AlertTier, CalendarWindow, Objective
from covenant.core.replay import tier_firing
from covenant.core.series import BucketMatrix

EVENTS_PER_MINUTE = 1000
BURN_MARGIN = Fraction(5, 4)
FIRING_MINUTES = 15  # a phase goes on this long after its tier first fires


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Per-minute counts from epoch 0: bucket ``j`` is ``[60 j, 60 j + 60)``."""

    data: BucketMatrix
    phases: tuple[tuple[str, int, int, int], ...]  # (tier, first minute, minutes, bad/minute)

    @property
    def minutes(self) -> int:
        return int(self.data.total.shape[1])


def _window_seconds(o: Objective) -> int:
    """The longest SLO window length (a calendar month: 31 days) for the phase burn rates."""
    if isinstance(o.window, CalendarWindow):
        return 31 * DAY
    return o.window.seconds


def alert_scenario(o: Objective, *, per_minute: int = EVENTS_PER_MINUTE) -> Scenario:
    """Counts that exercise every tier of ``o`` (see the module docstring)."""
    tiers = sorted(o.alert_tiers, key=lambda t: (t.long_window_s, t.short_window_s))
    total = max(per_minute, o.minimum_events)
    quiet = (max((t.short_window_s for t in tiers), default=HOUR) + HOUR) // MINUTE
    bad: list[int] = [0] * (HOUR // MINUTE)
    phases = []
    for tier in tiers:
        threshold = alert_threshold(tier, window_s=_window_seconds(o), target=o.target)
        ratio = min(threshold * BURN_MARGIN * (1 - o.target), Fraction(1))
        per = min(total, ceil(ratio * total))
        length = _phase_minutes(o, tier, bad, per, total)
        phases.append((tier.name, len(bad), length, per))
        bad += [per] * length + [0] * quiet
    data = _matrix(o, bad, total)
    return Scenario(data=data, phases=tuple(phases))


def _matrix(o: Objective, bad: list[int], total: int) -> BucketMatrix:
    totals = np.full((1, len(bad)), total, dtype=np.int64)
    return BucketMatrix(
        keys=(o.series,),
        start=0,
        step=MINUTE,
        good=totals - np.array([bad], dtype=np.int64),
        total=totals,
    )


def _phase_minutes(o: Objective, tier: AlertTier, bad: list[int], per: int, total: int) -> int:
    """How long the tier's phase burns: until the engine sees the tier's condition hold, plus
    ``FIRING_MINUTES``, at most the long window; then its pending period (``alertAfter``)."""
    longest = tier.long_window_s // MINUTE
    trial = _matrix(o, [*bad, *[per] * longest], total)
    ends = np.arange(len(bad) + 1, len(bad) + longest + 1, dtype=np.int64) * MINUTE
    firing, _, _, _ = tier_firing(o, tier, trial, ends=ends)
    hits = np.flatnonzero(firing)
    pending = ceil(tier.for_s / MINUTE)
    return pending + (
        longest if hits.size == 0 else min(longest, int(hits[0]) + 1 + FIRING_MINUTES)
    )
