"""A brute-force reference for an objective's figures with SLO corrections applied.

Written from docs/corrections.md ("What a correction does") and docs/semantics.md (windows,
error budget, burn rates, time to exhaustion, status), independently of
``covenant.core.corrections`` and ``covenant.core.evaluate``: plain loops over buckets and
slices, one at a time, with exact fractions. Only the period bounds of a calendar window come
from the other test reference (``tests.core.reference.bounds``, itself a walk of the clock).

The rules, as the documents state them:

- a bucket ``[b, b + step)`` is *removed* when any part of it lies inside a correction
  ``[s, e)`` that applies to the SLO (``s < b + step`` and ``e > b``): its events count neither
  as good nor as bad;
- a time slice ``[t, t + size)`` that overlaps a correction is *skipped* as a whole, whatever
  the no-data policy: not counted in any window, not a unit of the budget, and its events are
  not the window's;
- everything else is the plain definition: a window of length ``w`` at ``at`` holds the
  buckets wholly inside ``[at − w, at)``; slices are laid out from the epoch (rolling) or the
  period's local start (calendar); the SLO window counts the slices wholly inside it, an alert
  window the last ``max(1, w // size)`` complete ones; a slice without events is good, bad or
  not counted as the no-data policy says; the budget is ``(1 − T)`` × the units (events of the
  window; slices of the whole period, less the past ones skipped); the time to exhaustion is
  remaining ratio × W / the 1-hour burn rate, whole seconds down; the status is breached, else
  paging (a firing page/critical tier), else warning (any firing tier), else ok.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

from covenant.core.model import BudgetingMethod, NoDataPolicy, Objective, RollingWindow
from tests.core import reference

HOUR = 3600
LONGEST_DAYS = 999_999_999  # a time to exhaustion this long or longer has no value


@dataclass
class Window:
    bad: Fraction = Fraction(0)
    counted: int = 0
    events: int = 0
    silent: int = 0  # counted slices without events (filled in by a good/bad policy)


@dataclass
class Figures:
    no_data: bool
    sli: Fraction | None = None
    good: Fraction | None = None
    total: int | None = None
    allowed: Fraction | None = None
    consumed: Fraction | None = None
    remaining: Fraction | None = None
    burn: Fraction | None = None
    burn_events: int = 0
    tiers: list[tuple[Fraction, Fraction | None, Fraction | None, bool]] = field(
        default_factory=list
    )
    tte: timedelta | None = None
    status: str = "no_data"
    silent: int = 0


@dataclass
class Data:
    good: list[int]
    total: list[int]
    start: int
    step: int
    corrections: list[tuple[int, int]]  # [s, e) epoch seconds, those that apply to the SLO
    # A composite's slices: (t, size) → (bad units or None when not counted, events); plain
    # objectives judge a slice from its own sums (``_count_slice``).
    composite: Callable[[int, int], tuple[Fraction | None, int]] | None = None

    def removed(self, b: int) -> bool:
        return any(s < b + self.step and e > b for s, e in self.corrections)

    def hit(self, t: int, size: int) -> bool:
        return any(s < t + size and e > t for s, e in self.corrections)

    def slice_sums(self, t: int, size: int) -> tuple[int, int]:
        """The counts of the buckets wholly inside ``[t, t + size)``, one bucket at a time."""
        g = n = 0
        b = t + (self.start - t) % self.step  # the first bucket start at or after t
        while b + self.step <= t + size:
            i = (b - self.start) // self.step
            if 0 <= i < len(self.total):
                g += self.good[i]
                n += self.total[i]
            b += self.step
        return g, n


def _phase(o: Objective, at: int) -> int:
    if isinstance(o.window, RollingWindow) or not o.time_slice_window_s:
        return 0
    return reference.bounds(o, at)[2] % o.time_slice_window_s


def _count_slice(o: Objective, w: Window, g: int, n: int) -> None:
    if n == 0:
        if o.no_data is NoDataPolicy.SKIP:
            return
        w.counted += 1
        w.silent += 1
        if o.no_data is NoDataPolicy.BAD:
            w.bad += 1
        return
    w.counted += 1
    w.events += n
    if o.method is BudgetingMethod.TIMESLICES:
        assert o.time_slice_target is not None
        w.bad += 0 if Fraction(g, n) >= o.time_slice_target else 1
    else:
        w.bad += 1 - Fraction(g, n)


def window(
    o: Objective, d: Data, start: int, end: int, *, alert: bool, until: int | None = None
) -> Window:
    """The window ``[start, end)``; only what lies wholly before ``until`` (now, when the
    window reaches past it; default ``end``) is counted: a minute after now is nothing. An
    alert window is then ``[start, until)``, laid out as any alert window."""
    w = Window()
    until = end if until is None else until
    if o.method is BudgetingMethod.OCCURRENCES:
        for i in range(len(d.total)):
            b = d.start + i * d.step
            if start <= b and b + d.step <= min(end, until) and not d.removed(b):
                w.events += d.total[i]
                w.counted += d.total[i]
                w.bad += d.total[i] - d.good[i]
        return w
    size = o.time_slice_window_s
    assert size
    ph = _phase(o, end)
    last_end = end - (end - ph) % size
    if alert:
        if start >= until:  # a window that starts after now: nothing has happened
            return w
        # counted up to now, an alert window is [start, now) read as any alert window is: its
        # last max(1, length // slice) complete slices (as evaluating at now would)
        last_end = min(last_end, until - (until - ph) % size)
        t = last_end - max(1, (min(end, until) - start) // size) * size
    else:
        t = start
        while (t - ph) % size:
            t += 1
        # the SLO window's events are every bucket wholly inside it outside skipped slices
        for i in range(len(d.total)):
            b = d.start + i * d.step
            slice_start = b - (b - ph) % size
            if (
                start <= b
                and b + d.step <= end
                and slice_start + size <= until
                and not d.hit(slice_start, size)
            ):
                w.events += d.total[i]
    events = w.events
    while t + size <= last_end:
        if t + size > until or d.hit(t, size):  # after now, or corrected: not counted
            pass
        elif d.composite is not None:
            bad, n = d.composite(t, size)
            w.events += n
            if bad is not None:
                w.counted += 1
                w.bad += bad
        else:
            g, n = d.slice_sums(t, size)
            _count_slice(o, w, g, n)
        t += size
    if not alert:
        w.events = events
    return w


def _no_value(o: Objective, w: Window, composite: bool = False) -> bool:
    if composite and o.method is not BudgetingMethod.OCCURRENCES:
        return w.counted == 0  # minimumEvents does not apply to a Timeslices composite
    if o.method is not BudgetingMethod.OCCURRENCES and o.no_data is not NoDataPolicy.SKIP:
        return w.counted == 0
    return w.events == 0 or w.events < o.minimum_events or w.counted == 0


def _rate(o: Objective, w: Window, composite: bool = False) -> Fraction | None:
    return None if _no_value(o, w, composite) else w.bad / w.counted / (1 - o.target)


def _budget_units(o: Objective, d: Data, at: int, events: int, until: int) -> int:
    if o.method is BudgetingMethod.OCCURRENCES:
        return events
    size = o.time_slice_window_s
    assert size
    _, _, full_start, full_end = reference.bounds(o, at)
    ph = _phase(o, at)
    t = full_start
    while (t - ph) % size:
        t += 1
    units = 0
    while t + size <= full_end:
        if t + size <= until:  # a past slice (one before now)
            if d.hit(t, size):
                t += size
                continue
            if d.composite is not None:
                if d.composite(t, size)[0] is None:
                    t += size
                    continue
            elif o.no_data is NoDataPolicy.SKIP and d.slice_sums(t, size)[1] == 0:
                t += size
                continue
        units += 1
        t += size
    return units


def threshold(o: Objective, index: int, length: int) -> Fraction:
    return reference.threshold(o, index, window_length=length)


def figures(o: Objective, d: Data, at: int, now: int | None = None) -> Figures:
    """Every figure of ``o`` at ``at`` (aligned down to the step) over ``d``; with ``now``
    before ``at``, the windows stay where ``at`` puts them but count only up to now (aligned
    down to the step: the minute in progress has not happened either)."""
    end = at - at % d.step
    until = end if now is None else min(end, now - now % d.step)
    start, _, full_start, full_end = reference.bounds(o, end)
    length = full_end - full_start
    slo = window(o, d, start, end, alert=False, until=until)
    current = window(o, d, end - HOUR, end, alert=True, until=until)
    comp = d.composite is not None
    burn = _rate(o, current, comp)
    tiers = []
    for i, tier in enumerate(o.alert_tiers):
        long_w = window(o, d, end - tier.long_window_s, end, alert=True, until=until)
        short_w = window(o, d, end - tier.short_window_s, end, alert=True, until=until)
        long_rate, short_rate = _rate(o, long_w, comp), _rate(o, short_w, comp)
        limit = threshold(o, i, length)
        fires = all(
            r is not None and (r >= limit if tier.inclusive else r > limit)
            for r in (long_rate, short_rate)
        )
        tiers.append((limit, long_rate, short_rate, fires))
    if _no_value(o, slo, comp):
        return Figures(no_data=True, burn=burn, burn_events=current.events, tiers=tiers)
    allowed = (1 - o.target) * _budget_units(o, d, end, slo.events, until)
    remaining = allowed - slo.bad
    tte: timedelta | None
    if remaining <= 0:
        tte = timedelta(0)
    elif burn is None or burn == 0:
        tte = None
    else:
        seconds = remaining / allowed * length / burn
        tte = None if seconds >= LONGEST_DAYS * 86400 else timedelta(seconds=int(seconds))
    if remaining < 0:
        status = "breached"
    elif any(
        f and t.severity.lower() in {"page", "critical"}
        for (*_, f), t in zip(tiers, o.alert_tiers, strict=True)
    ):
        status = "paging"
    elif any(f for *_, f in tiers):
        status = "warning"
    else:
        status = "ok"
    return Figures(
        no_data=False,
        sli=1 - slo.bad / slo.counted,
        good=slo.counted - slo.bad,
        total=slo.counted,
        allowed=allowed,
        consumed=slo.bad,
        remaining=remaining,
        burn=burn,
        burn_events=current.events,
        tiers=tiers,
        tte=tte,
        status=status,
        silent=slo.silent if o.no_data is not NoDataPolicy.SKIP else 0,
    )
