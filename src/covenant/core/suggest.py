"""Target suggestions: the level an objective held in N of M windows, and targets from it.

Each window's SLI is exact (one :func:`core.evaluate.evaluate` per window, so every budgeting
method and no-data policy applies); the level *held in N of M* is the N-th best window's level.
The suggested targets are rounded down from it: the largest "nice" target (nines and half
nines) and the level floored to 0.01 %. The backing target an agreement commitment needs is its
level plus a margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction

from covenant.core.evaluate import align_down, evaluate
from covenant.core.model import BudgetingMethod, Objective, RollingWindow
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.windows import window_bounds
from covenant.errors import InputError

Span = tuple[datetime, datetime]
"""A time span ``[start, end)`` in UTC."""


def nice_targets(max_nines: int = 5) -> tuple[Fraction, ...]:
    """90 %, 95 %, 99 %, 99.5 %, 99.9 %, 99.95 %, … : nines and half nines, ascending."""
    out = []
    for k in range(1, max_nines + 1):
        out.append(1 - Fraction(1, 10**k))
        out.append(1 - Fraction(5, 10 ** (k + 1)))
    return tuple(sorted(out))


def nice_target_at_most(level: Fraction) -> Fraction | None:
    """The largest nice target (nines and half nines) ≤ ``level``; None below 90 %."""
    fitting = [t for t in nice_targets() if t <= level]
    return fitting[-1] if fitting else None


def floor_to(level: Fraction, precision: Fraction = Fraction(1, 10_000)) -> Fraction:
    """``level`` rounded down to a multiple of ``precision`` (default 0.01 %)."""
    return Fraction(int(level // precision)) * precision


def suggestion_windows(o: Objective, *, at: datetime, count: int) -> list[Span]:
    """The last ``count`` complete windows before ``at``, oldest first.

    Calendar SLOs: their last complete calendar periods. Rolling SLOs: back-to-back windows of
    the rolling length ending at ``at`` (aligned down to the minute).
    """
    if count <= 0:
        raise InputError("--windows must be positive")
    end = align_down(to_epoch(require_utc(at)), 60)
    out: list[Span] = []
    if isinstance(o.window, RollingWindow):
        w = o.window.seconds
        for k in range(count, 0, -1):
            hi = end - (k - 1) * w
            out.append((from_epoch(hi - w), from_epoch(hi)))
        return out
    b = window_bounds(o.window, at=end)
    hi = b.full_start if b.full_end > end else b.full_end  # last complete period's end
    for _ in range(count):
        prev = window_bounds(o.window, at=hi)
        out.append((from_epoch(prev.full_start), from_epoch(prev.full_end)))
        hi = prev.full_start
    out.reverse()
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowLevel:
    start: datetime
    end: datetime
    level: Fraction | None
    good: int
    total: int
    unit: str
    no_data: str | None


def window_levels(
    o: Objective, data: BucketMatrix, windows: Sequence[Span], *, history: Span | None = None
) -> list[WindowLevel]:
    """The exact SLI of ``o`` over each window (one :func:`evaluate` per window).

    With ``history`` (the span the store holds data for), a window that starts before the
    history does is *no data*: a level from a few days is not a month's level. (The end is not
    checked: data a few minutes behind ``at`` is ordinary ingestion lag.)
    """
    plain = replace(o, alert_tiers=())
    out = []
    for start, end in windows:
        if history is not None and (history[0] > start or history[1] <= start):
            out.append(
                WindowLevel(
                    start=start,
                    end=end,
                    level=None,
                    good=0,
                    total=0,
                    unit="events" if o.method is BudgetingMethod.OCCURRENCES else "slices",
                    no_data="the stored history covers only part of the window"
                    if history[1] > start and history[0] < end
                    else "no stored history in the window",
                )
            )
            continue
        if isinstance(o.window, RollingWindow):
            shaped = replace(
                plain, window=RollingWindow(seconds=int((end - start).total_seconds()))
            )
        else:
            shaped = plain
        (ev,) = evaluate([shaped], data, at=end)
        out.append(
            WindowLevel(
                start=start,
                end=end,
                level=ev.sli,
                good=ev.good,
                total=ev.total,
                unit=ev.unit,
                no_data=ev.no_data,
            )
        )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetSuggestion:
    """The target that would have held in ``hold`` of the windows, from history."""

    objective: str
    current_target: Fraction
    hold: int
    windows: tuple[WindowLevel, ...]
    held_level: Fraction | None  # the hold-th best window's level: held in ≥ hold windows
    nice: Fraction | None  # largest nines / half-nines target ≤ held_level
    precise: Fraction | None  # held_level rounded down to 0.01 %
    reason: str | None  # why there is no suggestion

    @property
    def with_data(self) -> int:
        return sum(1 for w in self.windows if w.level is not None)

    def held_in(self, target: Fraction) -> int:
        """In how many windows the level met ``target``."""
        return sum(1 for w in self.windows if w.level is not None and w.level >= target)

    @property
    def sorted_levels(self) -> tuple[Fraction, ...]:
        return tuple(sorted((w.level for w in self.windows if w.level is not None), reverse=True))


def suggest_target(
    key: str, current: Fraction, windows: Sequence[WindowLevel], *, hold: int
) -> TargetSuggestion:
    """The level met in at least ``hold`` windows, and targets rounded down from it."""
    if hold <= 0:
        raise InputError("--hold must be positive")
    if hold > len(windows):
        raise InputError(
            f"cannot hold in {hold} of {len(windows)} windows", hint="make --hold ≤ --windows"
        )
    levels = sorted((w.level for w in windows if w.level is not None), reverse=True)
    held = levels[hold - 1] if len(levels) >= hold else None
    reason = None
    if held is None:
        reason = f"only {len(levels)} of {len(windows)} windows have data; {hold} needed"
    return TargetSuggestion(
        objective=key,
        current_target=current,
        hold=hold,
        windows=tuple(windows),
        held_level=held,
        nice=None if held is None else nice_target_at_most(_below_one(held)),
        precise=None if held is None else _precise(held),
        reason=reason,
    )


def _below_one(level: Fraction) -> Fraction:
    """A perfect record still leaves a budget: cap suggestions at 99.9999 %."""
    return min(level, 1 - Fraction(1, 10**6))


def _precise(level: Fraction) -> Fraction | None:
    value = floor_to(_below_one(level))
    return value if 0 < value < 1 else None


def required_backing_target(level: Fraction, margin: Fraction) -> Fraction:
    """The backing SLO target a commitment at ``level`` needs for ``margin`` (both ratios)."""
    if margin < 0:
        raise InputError("the margin must not be negative", hint="write e.g. --margin 0.05")
    needed = level + margin
    if needed >= 1:
        raise InputError(
            f"a commitment at {float(level) * 100:g} % with a margin of "
            f"{float(margin) * 100:g} % needs a backing target of 100 % or more",
            hint="lower the margin or the committed level",
        )
    return needed


@dataclass(frozen=True, slots=True, kw_only=True)
class BackingCheck:
    """One backing objective: its target against the required one, and its history."""

    objective: str
    target: Fraction
    meets: bool
    history: TargetSuggestion
    held_required: int  # windows whose level met the required target


@dataclass(frozen=True, slots=True, kw_only=True)
class BackingSuggestion:
    agreement: str
    version: int
    commitment: str
    level: Fraction
    margin: Fraction
    required: Fraction | None  # None: level + margin reaches 100 % (see ``problem``)
    backing: tuple[BackingCheck, ...]
    missing: tuple[str, ...]  # backedBy names with no objective in the workspace
    problem: str | None = None


def backing_check(required: Fraction, history: TargetSuggestion) -> BackingCheck:
    return BackingCheck(
        objective=history.objective,
        target=history.current_target,
        meets=history.current_target >= required,
        history=history,
        held_required=history.held_in(required),
    )
