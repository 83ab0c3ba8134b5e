"""A brute-force reference for burn-rate alerting, written from the documents only.

Sources (not the code): docs/semantics.md ("Data", "Windows", "Error budget", "Burn rate and
alerts", minimum events), docs/definitions.md (alert tiers: `op: gte|gt`, `alertAfter`, the
threshold kept within [1, 1 / (1 − T)]) and docs/backtest.md ("Alert replay", episodes,
`steps_with_data`, `no_data`). Only Occurrences objectives on per-minute `(good, total)` counts,
rolling windows and calendar months are covered, for every budgeting method.

The rules, as the documents state them:

- a window of length `w` at the instant `at` holds the one-minute buckets wholly inside
  `[at − w, at)`; a minute without a bucket, or with `total = 0`, has no events;
- a window has a burn rate only when it holds at least one event and at least `minimumEvents`;
  the burn rate is `(bad / total) / (1 − T)` with `bad = total − good`;
- time slices (Timeslices, RatioTimeslices) of length `s` are laid out from the epoch (rolling)
  or from the period's local start (calendar); an alert window of length `w` at `at` counts the
  last `max(1, w // s)` slices complete at `at`; a slice with events is good when
  `good / total ≥ timeSliceTarget` (Timeslices) or counts `1 − good / total` bad
  (RatioTimeslices); a slice without events is good, bad or not counted as the no-data policy
  says. The burn rate is bad slices / counted slices / (1 − T). Under `skip` the window needs
  events (≥ `minimumEvents`) in the slices it counts; under `good`/`bad` it always has a rate
  but only events make it "data" (`steps_with_data`), and the slices the policy filled are
  reported per window (the most at a step of an episode) and per tier (steps with any);
- a tier's threshold is its burn rate, or its budget share × W / long window (W: the SLO
  window's length; for a calendar window the real length of the period containing the instant
  just before `at`), then raised to 1 and lowered to 1 / (1 − T);
- the condition holds at `at` when *both* windows have a burn rate and each is ≥ the threshold
  (`op: gte`) or > it (`op: gt`);
- with a pending period `for_s` (`alertAfter`) a tier fires at the first evaluated instant at
  least `for_s` after the first evaluated instant of the run in which the condition holds;
  without one it fires wherever the condition holds;
- an episode is a run of firing instants: `start` its first, `end` the first evaluated instant
  at which it no longer fires, or the replay's end when it still fires at the last instant
  (`ongoing`); its maximum long and short burn rates are taken over its firing instants;
  `long_window_budget` is `B_long(start) × long / W`, `budget_consumed_at_start` the share of
  the SLO window's budget spent at `start` (bad events / ((1 − T) × events), none when the SLO
  window has no data; time slices: bad units / ((1 − T) × (the whole window's slices − those
  skipped so far))).

Everything is a `Fraction` or an integer; each window is summed afresh from the minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

MINUTE = 60


@dataclass(frozen=True)
class Minutes:
    """Per-minute counts from ``start`` (epoch seconds, a whole minute); none elsewhere."""

    start: int
    good: tuple[int, ...]
    total: tuple[int, ...]

    def window(self, lo: int, hi: int) -> tuple[int, int]:
        """``(good, total)`` of the buckets wholly inside ``[lo, hi)``."""
        first = max(0, -(-(lo - self.start) // MINUTE))  # the first minute starting at or after lo
        last = min(len(self.total), (hi - self.start) // MINUTE)  # minutes ending at or before hi
        if last <= first:
            return 0, 0
        good, total = sum(self.good[first:last]), sum(self.total[first:last])
        return good, total


@dataclass(frozen=True)
class RefTier:
    name: str
    long_s: int
    short_s: int
    burn: Fraction | None = None  # an explicit burn-rate factor …
    share: Fraction | None = None  # … or the budget share spent in the long window
    strict: bool = False  # op: gt
    for_s: int = 0  # alertAfter


@dataclass(frozen=True)
class RefSlo:
    target: Fraction
    minimum_events: int = 0
    rolling_s: int | None = None  # a rolling window of this length …
    month_zone: str | None = None  # … or a calendar month in this zone
    method: str = "occurrences"  # or "timeslices", "ratio"
    slice_s: int = 0
    slice_target: Fraction = Fraction(0)
    policy: str = "skip"  # or "good", "bad"


@dataclass(frozen=True)
class RefEpisode:
    start: int
    end: int
    ongoing: bool
    threshold: Fraction
    max_long_burn: Fraction
    max_short_burn: Fraction
    budget_consumed_at_start: Fraction | None
    long_window_budget: Fraction
    long_filled: int = 0
    short_filled: int = 0


@dataclass(frozen=True)
class RefTierResult:
    name: str
    thresholds: tuple[Fraction, ...]
    firing_steps: int
    steps_with_data: int
    episodes: tuple[RefEpisode, ...]
    holds: tuple[bool, ...]  # the condition at each instant (before any pending period)
    steps_filled: int = 0


def month_period(zone: str, instant: int) -> tuple[int, int]:
    """The calendar month (in ``zone``) holding ``instant``: its start and end, epoch seconds."""
    tz = ZoneInfo(zone)
    local = datetime.fromtimestamp(instant, tz=UTC).astimezone(tz)
    first = datetime(local.year, local.month, 1, tzinfo=tz)
    nxt = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=tz)
    return int(first.timestamp()), int(nxt.timestamp())


def slo_window(slo: RefSlo, at: int) -> tuple[int, int, int]:
    """The SLO window at ``at``: ``(start, end, length W)``."""
    if slo.rolling_s is not None:
        return at - slo.rolling_s, at, slo.rolling_s
    assert slo.month_zone is not None
    lo, hi = month_period(slo.month_zone, at - 1)  # the period holding the instant just before
    return lo, at, hi - lo


def threshold(tier: RefTier, slo: RefSlo, at: int) -> Fraction:
    w = slo_window(slo, at)[2]
    if tier.burn is not None:
        raw = tier.burn
    else:
        assert tier.share is not None
        raw = tier.share * w / tier.long_s
    return min(max(raw, Fraction(1)), 1 / (1 - slo.target))


@dataclass(frozen=True)
class WindowFigures:
    """One window's figures: events, counted units, bad units, slices the policy filled."""

    events: int
    counted: int
    bad: Fraction
    filled: int


def slices(slo: RefSlo, data: Minutes, lo: int, hi: int) -> WindowFigures:
    """The slices starting at ``lo``, ``lo + s``, … before ``hi``, as the method counts them."""
    s = slo.slice_s
    n = (hi - lo) // s
    data_end = data.start + len(data.total) * MINUTE
    # Only slices overlapping the data are summed; the others have no events (a shortcut).
    first = min(n, max(0, (data.start - lo) // s))
    last = max(first, min(n, -(-(data_end - lo) // s)))
    silent = n - (last - first)
    events = counted = 0
    bad = Fraction(0)
    for j in range(first, last):
        good, total = data.window(lo + j * s, lo + (j + 1) * s)
        events += total
        if total == 0:
            silent += 1
            continue
        counted += 1
        if slo.method == "timeslices":
            bad += Fraction(good, total) < slo.slice_target
        else:
            bad += 1 - Fraction(good, total)
    if slo.policy == "skip":
        return WindowFigures(events, counted, bad, 0)
    return WindowFigures(events, counted + silent, bad + silent * (slo.policy == "bad"), silent)


def phase(slo: RefSlo, at: int) -> int:
    """An instant where slices start: the epoch, or the start of the calendar period."""
    if slo.month_zone is None:
        return 0
    return month_period(slo.month_zone, at - 1)[0]


def alert_window(slo: RefSlo, data: Minutes, at: int, w: int) -> WindowFigures:
    """The alert window of length ``w`` at ``at``: its buckets, or its last complete slices."""
    if slo.method == "occurrences":
        good, total = data.window(at - w, at)
        return WindowFigures(total, total, Fraction(total - good), 0)
    p = phase(slo, at)
    end = p + (at - p) // slo.slice_s * slo.slice_s  # the end of the last complete slice
    k = max(1, w // slo.slice_s)
    return slices(slo, data, end - k * slo.slice_s, end)


def has_rate(slo: RefSlo, f: WindowFigures) -> bool:
    if slo.method != "occurrences" and slo.policy != "skip":
        return f.counted > 0
    return f.events > 0 and f.events >= slo.minimum_events and f.counted > 0


def burn(data: Minutes, slo: RefSlo, at: int, w: int) -> Fraction | None:
    """The burn rate of the window of length ``w`` ending at ``at``; None: no data."""
    f = alert_window(slo, data, at, w)
    if not has_rate(slo, f):
        return None
    return f.bad / f.counted / (1 - slo.target)


def measured(data: Minutes, slo: RefSlo, at: int, w: int) -> bool:
    """The window has a burn rate from stored events (not only from the no-data policy)."""
    f = alert_window(slo, data, at, w)
    return has_rate(slo, f) and f.events > 0


def filled(data: Minutes, slo: RefSlo, at: int, w: int) -> int:
    f = alert_window(slo, data, at, w)
    return f.filled if has_rate(slo, f) else 0


def condition(tier: RefTier, slo: RefSlo, data: Minutes, at: int) -> tuple[bool, bool]:
    """Whether the tier's condition holds at ``at``, and whether both windows had data."""
    bound = threshold(tier, slo, at)
    rates = [burn(data, slo, at, tier.long_s), burn(data, slo, at, tier.short_s)]
    has = measured(data, slo, at, tier.long_s) and measured(data, slo, at, tier.short_s)
    known = [r for r in rates if r is not None]
    if len(known) < 2:
        return False, has
    ok = all((r > bound) if tier.strict else (r >= bound) for r in known)
    return ok, has


def budget_share_spent(slo: RefSlo, data: Minutes, at: int) -> Fraction | None:
    lo, hi, length = slo_window(slo, at)
    if slo.method == "occurrences":
        good, total = data.window(lo, hi)
        if total == 0 or total < slo.minimum_events:
            return None
        return Fraction(total - good) / ((1 - slo.target) * total)
    p = phase(slo, at)
    s = slo.slice_s
    first = p + -(-(lo - p) // s) * s  # the first slice wholly inside the window
    end = p + (at - p) // s * s  # the end of the last complete one
    f = slices(slo, data, first, end)
    if slo.policy == "skip" and (f.events == 0 or f.events < slo.minimum_events):
        return None
    if slo.policy != "skip" and f.counted == 0:
        return None
    whole = length // s if slo.month_zone is not None else (end - first) // s
    skipped = (end - first) // s - f.counted
    allowed = (1 - slo.target) * (whole - skipped)
    return f.bad / allowed if allowed else None


def highest(data: Minutes, slo: RefSlo, ats: list[int], w: int) -> Fraction:
    """The highest burn rate over the window of length ``w`` at ``ats`` (each has one)."""
    rates = [burn(data, slo, at, w) for at in ats]
    return max(r for r in rates if r is not None)


def instants(start: int, end: int, step: int) -> list[int]:
    """Every multiple of ``step`` in ``[start, end]``."""
    first = -(-start // step) * step
    return list(range(first, end - end % step + 1, step))


def replay(
    slo: RefSlo, tiers: list[RefTier], data: Minutes, *, start: int, end: int, step: int
) -> list[RefTierResult]:
    ats = instants(start, end, step)
    out = []
    for tier in tiers:
        holds: list[bool] = []
        with_data = steps_filled = 0
        for at in ats:
            ok, has = condition(tier, slo, data, at)
            holds.append(ok)
            with_data += has
            steps_filled += bool(
                filled(data, slo, at, tier.long_s) or filled(data, slo, at, tier.short_s)
            )
        fires: list[bool] = []
        since: int | None = None  # the first instant of the current run where it holds
        for at, ok in zip(ats, holds, strict=True):
            if not ok:
                since = None
                fires.append(False)
                continue
            if since is None:
                since = at
            fires.append(at - since >= tier.for_s)
        episodes = []
        i = 0
        while i < len(ats):
            if not fires[i]:
                i += 1
                continue
            j = i
            while j < len(ats) and fires[j]:
                j += 1
            first = ats[i]
            w = slo_window(slo, first)[2]
            long_at_start = burn(data, slo, first, tier.long_s)
            assert long_at_start is not None
            episodes.append(
                RefEpisode(
                    start=first,
                    end=end if j == len(ats) else ats[j],
                    ongoing=j == len(ats),
                    threshold=threshold(tier, slo, first),
                    max_long_burn=highest(data, slo, ats[i:j], tier.long_s),
                    max_short_burn=highest(data, slo, ats[i:j], tier.short_s),
                    budget_consumed_at_start=budget_share_spent(slo, data, first),
                    long_window_budget=long_at_start * tier.long_s / w,
                    long_filled=max(filled(data, slo, a, tier.long_s) for a in ats[i:j]),
                    short_filled=max(filled(data, slo, a, tier.short_s) for a in ats[i:j]),
                )
            )
            i = j
        out.append(
            RefTierResult(
                name=tier.name,
                thresholds=tuple(sorted({threshold(tier, slo, a) for a in ats})),
                firing_steps=sum(fires),
                steps_with_data=with_data,
                episodes=tuple(episodes),
                holds=tuple(holds),
                steps_filled=steps_filled,
            )
        )
    return out
