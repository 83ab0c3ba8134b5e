"""Evaluate many objectives at one instant from one bucket matrix, vectorised.

Every window — the SLO window, the current burn window and both windows of every alert tier —
becomes one *request* ``(objective, start, end)``. Requests are answered together from prefix
sums (events) or from per-slice prefix sums (time slices), so the work is a handful of numpy
operations whatever the number of objectives (``core.window_answers``); Python only assembles
the results.

Everything that decides something is exact: counts are integers, a time slice is good by an
integer cross product (``good × den ≥ num × total`` on Python integers), and burn rates,
budgets and thresholds are ``Fraction`` values compared as such, never rounded floats. A
RatioTimeslices window's bad units, Σ(1 − good/total) over its slices, are summed exactly too
(``core.window_answers.ratio_sum``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from fractions import Fraction

import numpy as np

from covenant.core.budget import burn_rate, time_to_exhaustion
from covenant.core.elapsed import align_down as align_down  # noqa: PLC0414 (re-exported)
from covenant.core.elapsed import measured_end, not_begun
from covenant.core.model import (
    HOUR,
    AlertTier,
    BudgetingMethod,
    NoDataPolicy,
    Objective,
    RollingWindow,
)
from covenant.core.results import Budget, Burn, Evaluation, Status, TierResult
from covenant.core.series import BucketMatrix, EdgeCounts, unique_sorted
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.window_answers import I64, Answers, Requests, answer_requests, series_row
from covenant.core.windows import WindowBounds, window_bounds

CURRENT_BURN_WINDOW_S = HOUR
"""The window of the headline burn rate (and of time to exhaustion)."""

RELATIVE_TIE = 1e-9

LONGEST_EXHAUSTION_S = timedelta.max.days * 86400
"""A time to exhaustion this long or longer has no value (a burn of 1 bad request in a busy
hour against a loose target): ``timedelta`` cannot hold it."""

NO_EVENTS = "no events in the window"
"""The "no data" reason of a window without events (``services.threshold_hint`` explains it
further for a threshold whose series never received any)."""


def align_up(instant: int, step: int) -> int:
    return -((-instant) // step) * step


def required_range(objectives: Sequence[Objective], *, at: datetime, step: int) -> tuple[int, int]:
    """The bucket range ``[start, end)`` (epoch seconds) an evaluation at ``at`` reads."""
    end = align_down(to_epoch(at), step)
    start = end
    for window in {o.window for o in objectives}:
        start = min(start, window_bounds(window, at=end).start)
    longest = max(
        [CURRENT_BURN_WINDOW_S] + [t.long_window_s for o in objectives for t in o.alert_tiers]
    )
    start = min(start, end - longest)
    for o in objectives:
        if o.time_slice_window_s:
            size = o.time_slice_window_s
            phase = slice_phase(o, window_bounds(o.window, at=end))
            start = min(start, start - (start - phase) % size)
    return align_down(start, step), end


def slice_phase(o: Objective, b: WindowBounds) -> int:
    """Where an objective's time slices start, modulo the slice length.

    Calendar windows lay slices out from the period's local start (a 1-hour slice in
    Asia/Kolkata starts at :30 UTC); rolling windows use slices aligned to the epoch.
    """
    size = o.time_slice_window_s
    if not size or isinstance(o.window, RollingWindow):
        return 0
    return b.full_start % size


def evaluate(
    objectives: Sequence[Objective],
    data: BucketMatrix | EdgeCounts,
    *,
    at: datetime,
    now: datetime | None = None,
) -> list[Evaluation]:
    """Evaluate every objective at ``at`` (aligned down to the bucket step).

    ``now`` is the wall clock (None: ``at`` itself). The windows still end at ``at``, but
    their units are counted only up to :func:`measured_end` (``min(at, now)``): a minute after
    now has not happened, so it is neither good, bad nor "no data", and no no-data policy
    counts it. A window that starts after now has no value ("not begun"); the evaluation's
    ``window_end`` is where the counting stopped, before ``at`` when the window is only
    partly elapsed (docs/semantics.md#an-instant-after-now).

    ``data`` must hold every series the objectives name (missing keys are an error). A
    ``BucketMatrix`` must cover ``required_range``; buckets outside it count as having no
    events. ``EdgeCounts`` must hold ``required_edges``; they serve only objectives without time
    slices (Occurrences), which need nothing but the events of each window.
    """
    if not objectives:
        return []
    step = data.step
    end = align_down(to_epoch(at), step)
    until = measured_end(at=at, now=now, step=step)
    row_of = {key: i for i, key in enumerate(data.keys)}
    rows = np.array([series_row(row_of, o) for o in objectives], dtype=np.int64)
    bounds_of = {w: window_bounds(w, at=end) for w in {o.window for o in objectives}}
    bounds = [bounds_of[o.window] for o in objectives]
    req, offsets = _requests(objectives, bounds, end, until=until)
    phases = [slice_phase(o, b) for o, b in zip(objectives, bounds, strict=True)]
    if isinstance(data, BucketMatrix):
        edges = EdgeCounts.from_matrix(data, request_edges(req, step))
        answers = answer_requests(objectives, rows, data, req, phases, edges=edges)
    else:
        answers = answer_requests(objectives, rows, None, req, phases, edges=data)
    assembly = Assembly(
        objectives,
        bounds=bounds,
        offsets=offsets,
        phases=phases,
        answers=answers,
        end=end,
        until=until,
    )
    return [assembly.evaluation(i) for i in range(len(objectives))]


class Assembly:
    """The answers of many objectives' requests (laid out as :func:`evaluate` lays them out:
    per objective ``[SLO window, current burn, tier0 long, tier0 short, …]`` from
    ``offsets[i]``), and any one objective's ``Evaluation`` assembled from them on demand.

    :func:`evaluate` assembles every objective; the worker assembles only those something
    asks for (``services.worker``), from the same answers, so the values are the same.
    """

    def __init__(
        self,
        objectives: Sequence[Objective],
        *,
        bounds: Sequence[WindowBounds],
        offsets: I64,
        phases: Sequence[int],
        answers: Answers,
        end: int,
        until: int | None = None,
    ) -> None:
        self.objectives = objectives
        self.bounds = bounds
        self.offsets = offsets
        self.phases = phases
        self.answers = answers
        self.end = end
        self.until = end if until is None else until
        self._ctx: _Context | None = None

    def evaluation(self, i: int) -> Evaluation:
        """The ``Evaluation`` of objective ``i``."""
        if self._ctx is None:
            self._ctx = _Context(end=self.end, until=self.until, answers=self.answers)
        return _assemble(
            self.objectives[i],
            self.bounds[i],
            ctx=self._ctx,
            base=int(self.offsets[i]),
            phase=self.phases[i],
        )


def required_edges(
    objectives: Sequence[Objective], *, at: datetime, step: int, now: datetime | None = None
) -> list[int]:
    """The instants whose cumulative counts an evaluation at ``at`` reads (``EdgeCounts``)."""
    if not objectives:
        return []
    end = align_down(to_epoch(at), step)
    until = measured_end(at=at, now=now, step=step)
    bounds_of = {w: window_bounds(w, at=end) for w in {o.window for o in objectives}}
    req, _ = _requests(objectives, [bounds_of[o.window] for o in objectives], end, until=until)
    return [int(e) for e in request_edges(req, step)]


def _requests(
    objectives: Sequence[Objective], bounds: Sequence[WindowBounds], end: int, *, until: int
) -> tuple[Requests, I64]:
    """Every window ends at ``end``; its units are counted over ``[start, until)`` (empty for
    a window that starts at or after ``until``)."""
    # Request layout per objective: [slo window, current burn, tier0 long, tier0 short, ...]
    per_obj = [2 + 2 * len(o.alert_tiers) for o in objectives]
    offsets = np.concatenate(([0], np.cumsum(per_obj))).astype(np.int64)
    obj_idx = np.repeat(np.arange(len(objectives)), per_obj)
    starts: list[int] = []
    for o, b in zip(objectives, bounds, strict=True):
        starts.append(b.start)
        starts.append(end - CURRENT_BURN_WINDOW_S)
        for tier in o.alert_tiers:
            starts.extend((end - tier.long_window_s, end - tier.short_window_s))
    alert = np.ones(len(starts), dtype=bool)
    alert[offsets[:-1]] = False
    req = Requests(
        obj=obj_idx.astype(np.int64),
        start=np.minimum(np.array(starts, dtype=np.int64), until),
        end=np.full(len(starts), until, dtype=np.int64),
        alert=alert,
    )
    return req, offsets


def request_edges(req: Requests, step: int) -> I64:
    """Every bucket boundary a request's events start or end at (first bucket at or after)."""
    starts = -((-req.start) // step) * step
    return unique_sorted(np.concatenate((starts, req.end)))


def alert_threshold(tier: AlertTier, *, window_s: int, target: Fraction) -> Fraction:
    """The burn rate a tier compares with, kept within [1, 1 / (1 − target)].

    Below 1 a burn cannot exhaust the budget within the window, so no tier fires there (the
    budget-share formula gives 0.23 for the 3-day tier of a 7-day SLO); above 1 / (1 − target)
    no burn can reach it (a 90 % SLO burns at most 10×), so a total outage still alerts.
    """
    return min(max(tier.factor(window_s), Fraction(1)), 1 / (1 - target))


class _Context:
    """What every objective's assembly shares: the answers as Python lists (one conversion,
    not a numpy scalar per read), instants as datetimes, thresholds by tier."""

    def __init__(self, *, end: int, until: int, answers: Answers) -> None:
        self.end = end
        self.until = until
        self.answers = answers
        self.events: list[int] = answers.events.tolist()
        self.counted: list[int] = answers.counted.tolist()
        self.silent: list[int] = answers.silent.tolist()
        self.bad_int: list[int] = answers.bad_int.tolist()
        self._instants: dict[int, datetime] = {}
        self._thresholds: dict[tuple[int | None, ...], Fraction] = {}

    def instant(self, epoch: int) -> datetime:
        found = self._instants.get(epoch)
        if found is None:
            found = self._instants[epoch] = from_epoch(epoch)
        return found

    def threshold(self, tier: AlertTier, window_s: int, target: Fraction) -> Fraction:
        # Keyed by the integers the threshold depends on (hashing Fractions costs more than
        # the lookup saves).
        given, per_budget = tier.burn_rate, tier.budget_fraction
        key = (
            window_s,
            target.numerator,
            target.denominator,
            None if given is None else given.numerator,
            None if given is None else given.denominator,
            None if per_budget is None else per_budget.numerator,
            None if per_budget is None else per_budget.denominator,
            tier.long_window_s,
        )
        found = self._thresholds.get(key)
        if found is None:
            found = self._thresholds[key] = alert_threshold(tier, window_s=window_s, target=target)
        return found


def _assemble(o: Objective, b: WindowBounds, *, ctx: _Context, base: int, phase: int) -> Evaluation:
    """One objective's results from its requests' answers.

    Occurrences and Timeslices count whole units, so every value is an integer ratio built
    once (``Fraction(n, d)``) and every decision an integer cross product. RatioTimeslices sums
    its per-slice ratios exactly (``bad_at``).
    """
    ratio = o.method is BudgetingMethod.RATIO_TIMESLICES
    unit = "events" if o.method is BudgetingMethod.OCCURRENCES else "slices"
    end = ctx.end
    num, den = o.target.numerator, o.target.denominator
    slack = den - num  # 1 − target = slack / den
    one_minus_t = Fraction(slack, den)
    policy = policy_label(o)

    def bad_at(k: int) -> Fraction:
        """Bad units of request ``k`` (RatioTimeslices only), exactly."""
        return ctx.answers.exact_ratio_bad(k)

    def burn(k: int, start: int, threshold: Fraction | None = None) -> tuple[Burn, bool]:
        """The window's burn and whether it reaches ``threshold`` (False without a rate)."""
        events = ctx.events[k]
        counted = ctx.counted[k]
        reason = not_begun(start, ctx.until)
        if reason is not None:  # an alert window's last slice would be one before now
            events = counted = 0
        else:
            reason = _no_data_reason(o, events, counted)
        rate: Fraction | None = None
        hits = False
        if reason is None:
            if ratio:
                rate = burn_rate(bad=bad_at(k), counted=counted, target=o.target)
                hits = threshold is not None and rate >= threshold
            else:
                bad = ctx.bad_int[k]
                rate = Fraction(bad * den, counted * slack)
                if threshold is not None:  # rate >= threshold, on integers
                    hits = (
                        bad * den * threshold.denominator >= threshold.numerator * counted * slack
                    )
        silent = ctx.silent[k] if reason is None else 0
        window = Burn(
            window_s=end - start,
            start=ctx.instant(start),
            end=ctx.instant(max(start, ctx.until)),
            rate=rate,
            events=events,
            no_data=reason,
            counted=counted,
            policy_filled=silent,
            policy_note=policy_note(policy, o.no_data.value, silent, counted, events),
        )
        return window, hits

    slo = base
    events = ctx.events[slo]
    counted = ctx.counted[slo]
    budget_units = counted
    if o.time_slice_window_s and unit == "slices":
        # Time-based budget: every slice of the whole period counts, less those skipped so far.
        size = o.time_slice_window_s
        full = (b.full_end - phase) // size + (phase - b.full_start) // size
        until = max(ctx.until, b.start)  # slices after now are neither counted nor skipped
        elapsed = (until - phase) // size + (phase - b.start) // size
        budget_units = full - (elapsed - counted)
    reason = not_begun(b.start, ctx.until) or _no_data_reason(o, events, counted)
    current, _ = burn(base + 1, end - CURRENT_BURN_WINDOW_S)
    tiers = []
    for i, tier in enumerate(o.alert_tiers):
        threshold = ctx.threshold(tier, b.length, o.target)
        long_b, long_hit = burn(base + 2 + 2 * i, end - tier.long_window_s, threshold)
        short_b, short_hit = burn(base + 3 + 2 * i, end - tier.short_window_s, threshold)
        if tier.inclusive:
            firing = long_hit and short_hit
        else:
            firing = all(w.rate is not None and w.rate > threshold for w in (long_b, short_b))
        tiers.append(
            TierResult(
                name=tier.name,
                severity=tier.severity,
                threshold=threshold,
                long=long_b,
                short=short_b,
                firing=firing,
            )
        )

    good = 0
    total = 0
    sli: Fraction | None = None
    budget: Budget | None = None
    tte: timedelta | None = None
    note: str | None = None
    filled: str | None = None
    status = Status.NO_DATA
    if reason is None:
        filled = policy_note(policy, o.no_data.value, ctx.silent[slo], counted, events)
        if ratio:
            allowed = one_minus_t * budget_units
            bad = bad_at(slo)
            sli = 1 - bad / counted
            remaining = allowed - bad
            good = int(Fraction(counted) - bad)
            ratio_left = remaining / allowed if allowed else None
        else:
            bad_units = ctx.bad_int[slo]
            allowed = Fraction(slack * budget_units, den)
            bad = Fraction(bad_units)
            sli = Fraction(counted - bad_units, counted)
            left = slack * budget_units - den * bad_units  # remaining × den
            remaining = Fraction(left, den)
            good = counted - bad_units
            ratio_left = Fraction(left, slack * budget_units) if budget_units else None
        total = counted
        budget = Budget(
            unit=unit,
            allowed=allowed,
            consumed=bad,
            remaining=remaining,
            remaining_ratio=ratio_left,
        )
        tte, note = _time_to_exhaustion(budget, current, b.length)
        if remaining < 0:
            status = Status.BREACHED
        elif any(t.firing and _pages(t) for t in tiers):
            status = Status.PAGING
        elif any(t.firing for t in tiers):
            status = Status.WARNING
        else:
            status = Status.OK
    return Evaluation(
        objective=o,
        at=ctx.instant(end),
        window_start=ctx.instant(b.start),
        window_end=ctx.instant(max(b.start, ctx.until)),
        period_end=ctx.instant(b.full_end),
        unit=unit,
        burn=current,
        tiers=tuple(tiers),
        good=good,
        total=total,
        sli=sli,
        budget=budget,
        time_to_exhaustion=tte,
        status=status,
        no_data=reason,
        exhaustion_note=note,
        policy_note=filled,
        policy_filled=ctx.silent[slo] if filled else 0,
    )


def policy_label(o: Objective) -> str:
    """How notes name an objective's no-data policy: ``noDataPolicy: bad``."""
    return f"noDataPolicy: {o.no_data.value}"


SLICE_NO_EVENTS = "no events"
"""What a slice a no-data policy counted had (a composite's: ``a component without events``)."""


def policy_note(
    policy: str, verdict: str, silent: int, counted: int, events: int, *, had: str = SLICE_NO_EVENTS
) -> str | None:
    """What an evaluation says when ``silent`` of its ``counted`` slices had ``had`` (no events)
    and were counted ``verdict`` (good, bad) by ``policy``; None when no counted slice was."""
    if silent <= 0:
        return None
    if silent < counted:
        return f"{silent:,} of {counted:,} slices had {had} and were counted {verdict} by {policy}"
    if events == 0:
        return f"no events in the window: all {counted:,} slices counted {verdict} by {policy}"
    where = "any" if had == SLICE_NO_EVENTS else "every"
    filled = f"all {counted:,} slices counted {verdict} by {policy}"
    return f"{had} in {where} complete slice of the window: {filled}"


def _pages(tier: TierResult) -> bool:
    return tier.severity.lower() in {"page", "critical"}


def _no_data_reason(o: Objective, events: int, counted: int) -> str | None:
    """Why a window has no value, or None. With a good/bad no-data policy a time-slice SLO
    counts slices without events as the policy says, so silence still burns (or not)."""
    slices = o.method is not BudgetingMethod.OCCURRENCES
    if slices and o.no_data is not NoDataPolicy.SKIP:
        return None if counted else "no complete time slice in the window"
    if events == 0:
        return NO_EVENTS
    if events < o.minimum_events:
        return f"only {events} events in the window (minimum {o.minimum_events})"
    if counted == 0:
        return "no time slice with data in the window"
    return None


def _time_to_exhaustion(
    budget: Budget, current: Burn, window_s: int
) -> tuple[timedelta | None, str | None]:
    if budget.remaining <= 0:
        return timedelta(0), "budget exhausted"
    if current.rate is None:
        return None, f"no current burn rate: {current.no_data}"
    if current.rate == 0:
        return None, "not burning"
    assert budget.remaining_ratio is not None
    if budget.remaining_ratio * window_s >= LONGEST_EXHAUSTION_S * current.rate:
        return None, "burning too slowly to count (longer than a date can hold)"
    return time_to_exhaustion(
        remaining_ratio=budget.remaining_ratio, rate=current.rate, window_s=window_s
    ), None
