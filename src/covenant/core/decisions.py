"""The engine's decisions for many event-based objectives at once, as integer array arithmetic.

:func:`covenant.core.evaluate.evaluate` builds, per objective, a full ``Evaluation`` (exact
``Fraction`` values, datetimes, one ``Burn`` per window): about 150–250 µs of Python each. A
worker's minute tick needs far less to move its alerts: which tiers fire, and each objective's
status. :func:`decide` computes those for every objective at once from the same window answers,
with the same exact comparisons the engine makes — integer cross products, never floats:

- a window has a burn rate when it has events (at least ``minimum_events``);
- a tier's window reaches threshold ``p/q`` when ``bad × den × q ≥ p × counted × slack``
  (target ``num/den``, ``slack = den − num``; strictly ``>`` for a non-inclusive tier);
- the budget is overspent when ``slack × counted − den × bad < 0`` (``remaining × den``);
- status: no data, else breached, else paging (a firing page/critical tier), else warning
  (any firing tier), else ok.

Products are taken in int64 only when their bound (the largest magnitudes multiplied, on Python
integers) stays below 2**63; otherwise on Python integers (object arrays). Only Occurrences
objectives are decided here (the others need every bucket: the full engine path).

:class:`Layout` holds what does not change from one tick to the next for one list of objectives
(the request layout of ``core.evaluate``, the tiers, the targets); the worker keeps it while
the workspace's objectives stay the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from covenant.core.evaluate import CURRENT_BURN_WINDOW_S, alert_threshold
from covenant.core.model import AlertTier, BudgetingMethod, Objective, Window
from covenant.core.results import Status
from covenant.core.window_answers import I64, Answers, Requests
from covenant.core.windows import WindowBounds, window_bounds
from covenant.errors import InputError

Bools = npt.NDArray[np.bool_]

STATUSES: tuple[Status, ...] = tuple(Status)
"""``Decisions.status`` holds positions in this tuple."""

_INT64_BOUND = 2**63


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """The requests and tiers of a list of Occurrences objectives, as flat arrays.

    Request ``k`` belongs to objective ``obj[k]``; objective ``i``'s requests start at
    ``offsets[i]``: its SLO window, the current burn window, then each tier's long and short
    windows (``core.evaluate``'s layout). Tier ``f`` (flat) is tier ``f − tier_offsets[i]`` of
    objective ``tier_obj[f]``.
    """

    objectives: tuple[Objective, ...]
    windows: tuple[Window, ...]  # the distinct SLO windows
    window_of: I64  # per objective: its window's position in ``windows``
    offsets: I64  # per objective, and one past the end
    obj: I64  # per request
    back: I64  # per request: seconds before the end it starts (alert windows; 0 for the SLO's)
    slo_request: Bools  # per request: an SLO window
    den: npt.NDArray[Any]  # per objective: the target's denominator (int64, or Python ints)
    slack: npt.NDArray[Any]  # per objective: den − numerator (likewise)
    den_max: int
    slack_max: int
    minimum: I64  # per request: its objective's minimum events
    tier_offsets: I64  # per objective, and one past the end
    tier_obj: I64  # per flat tier
    tier_kind: I64  # per flat tier: its (tier, target) in ``kinds``
    kinds: tuple[tuple[AlertTier, Fraction], ...]
    tier_pair: I64  # per flat tier: its (kind, window) in ``pairs``
    pairs: tuple[tuple[int, int], ...]  # distinct (kind, window): one threshold each per tick
    inclusive: Bools  # per flat tier
    pages: Bools  # per flat tier

    @classmethod
    def of(cls, objectives: Sequence[Objective]) -> Layout:
        """The layout of ``objectives`` (each must be an Occurrences objective)."""
        windows: dict[Window, int] = {}
        # Kinds are found by their fields as plain values: hashing the dataclasses (and their
        # Fractions) for 40,000 tiers took seconds on a loaded machine.
        kind_of: dict[tuple[object, ...], int] = {}
        kinds: list[tuple[AlertTier, Fraction]] = []
        flags: list[tuple[bool, bool]] = []  # per kind: inclusive, pages
        window_of: list[int] = []
        per: list[int] = []
        back: list[int] = []
        tier_obj: list[int] = []
        tier_kind: list[int] = []
        for i, o in enumerate(objectives):
            if o.method is not BudgetingMethod.OCCURRENCES:
                raise InputError(f"{o.key}: only Occurrences objectives are decided from edges")
            window_of.append(windows.setdefault(o.window, len(windows)))
            per.append(2 + 2 * len(o.alert_tiers))
            back.extend((0, CURRENT_BURN_WINDOW_S))
            for tier in o.alert_tiers:
                back.extend((tier.long_window_s, tier.short_window_s))
                tier_obj.append(i)
                key = _kind_key(tier, o.target)
                kind = kind_of.get(key)
                if kind is None:
                    kind = kind_of[key] = len(kinds)
                    kinds.append((tier, o.target))
                    flags.append((tier.inclusive, tier.pages))
                tier_kind.append(kind)
        inclusive = [flags[k][0] for k in tier_kind]
        pages = [flags[k][1] for k in tier_kind]
        offsets = np.concatenate(([0], np.cumsum(per, dtype=np.int64))).astype(np.int64)
        obj = np.repeat(np.arange(len(objectives), dtype=np.int64), per)
        slo_request = np.zeros(len(back), dtype=bool)
        slo_request[offsets[:-1]] = True
        counts = [len(o.alert_tiers) for o in objectives]
        den, den_max = _exact_array([o.target.denominator for o in objectives])
        slack, slack_max = _exact_array(
            [o.target.denominator - o.target.numerator for o in objectives]
        )
        pairs: dict[tuple[int, int], int] = {}
        tier_pair = [
            pairs.setdefault((kind, window_of[i]), len(pairs))
            for kind, i in zip(tier_kind, tier_obj, strict=True)
        ]
        return cls(
            objectives=tuple(objectives),
            windows=tuple(windows),
            window_of=np.asarray(window_of, dtype=np.int64),
            offsets=offsets,
            obj=obj,
            back=np.asarray(back, dtype=np.int64),
            slo_request=slo_request,
            den=den,
            slack=slack,
            den_max=den_max,
            slack_max=slack_max,
            minimum=np.asarray([o.minimum_events for o in objectives], dtype=np.int64)[obj],
            tier_offsets=np.concatenate(([0], np.cumsum(counts, dtype=np.int64))).astype(np.int64),
            tier_obj=np.asarray(tier_obj, dtype=np.int64),
            tier_kind=np.asarray(tier_kind, dtype=np.int64),
            kinds=tuple(kinds),
            tier_pair=np.asarray(tier_pair, dtype=np.int64),
            pairs=tuple(pairs),
            inclusive=np.asarray(inclusive, dtype=bool),
            pages=np.asarray(pages, dtype=bool),
        )

    def bounds(self, end: int) -> list[WindowBounds]:
        """Each objective's window bounds at ``end`` (one computation per distinct window)."""
        found = [window_bounds(w, at=end) for w in self.windows]
        return [found[w] for w in self.window_of.tolist()]

    def requests(self, end: int) -> Requests:
        """Every window of every objective at ``end``: ``core.evaluate``'s requests."""
        found = [window_bounds(w, at=end) for w in self.windows]
        slo_start = np.asarray([b.start for b in found], dtype=np.int64)[self.window_of]
        start = end - self.back
        start[self.offsets[:-1]] = slo_start
        return Requests(
            obj=self.obj,
            start=start,
            end=np.full(start.size, end, dtype=np.int64),
            alert=~self.slo_request,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Decisions:
    """Per objective its status (a position in ``STATUSES``); per flat tier whether it fires."""

    status: I64
    firing: Bools
    rated: Bools  # per flat tier: both of its windows have a burn rate

    def statuses(self) -> list[Status]:
        return [STATUSES[s] for s in self.status.tolist()]


def _magnitude(values: npt.NDArray[Any]) -> int:
    if not values.size:
        return 0
    return max(abs(int(values.max())), abs(int(values.min())))


def _kind_key(tier: AlertTier, target: Fraction) -> tuple[object, ...]:
    """What a tier's decision depends on, as plain values: its threshold (given rate or budget
    share, long window, target), whether it is inclusive and whether it pages. Tiers with equal
    keys decide alike (their names and other fields do not enter the decision)."""
    given, share = tier.burn_rate, tier.budget_fraction
    return (
        tier.long_window_s,
        None if given is None else (given.numerator, given.denominator),
        None if share is None else (share.numerator, share.denominator),
        tier.inclusive,
        tier.pages,
        target.numerator,
        target.denominator,
    )


def _exact_array(values: Sequence[int]) -> tuple[npt.NDArray[Any], int]:
    """``values`` as int64 when they fit, else as Python integers; and their magnitude."""
    big = max((abs(v) for v in values), default=0)
    return np.asarray(values, dtype=np.int64 if big < _INT64_BOUND else object), big


def _times(counts: I64, factors: npt.NDArray[Any], bound: int) -> npt.NDArray[Any]:
    """``counts × factors`` element by element, exactly (``bound``: the largest magnitude of
    ``factors``): in int64 when the product's bound allows it, else on Python integers."""
    if factors.dtype.kind != "O" and _magnitude(counts) * bound < _INT64_BOUND:
        product: npt.NDArray[Any] = counts * factors
    else:
        product = counts.astype(object) * factors.astype(object)
    return product


def _wide(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    """True when either holds Python integers (an object array)."""
    return a.dtype.kind == "O" or b.dtype.kind == "O"


def _difference(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[Any]:
    if _wide(a, b) or _magnitude(a) + _magnitude(b) >= _INT64_BOUND:
        a, b = a.astype(object), b.astype(object)
    difference: npt.NDArray[Any] = a - b
    return difference


def _compare(a: npt.NDArray[Any], b: npt.NDArray[Any], *, strict: Bools) -> Bools:
    """``a > b`` where ``strict``, else ``a >= b`` (exact on Python integers when needed)."""
    if _wide(a, b):
        a, b = a.astype(object), b.astype(object)
    return np.asarray(np.where(strict, a > b, a >= b), dtype=bool)


def _thresholds(layout: Layout, bounds: Sequence[WindowBounds]) -> tuple[list[int], list[int]]:
    """The numerator and denominator of each of ``layout.pairs``' threshold at this tick (a
    calendar window's length changes with the period)."""
    length = [0] * len(layout.windows)
    for i, w in enumerate(layout.window_of.tolist()):  # the first objective of each window
        if not length[w]:
            length[w] = bounds[i].length
        if all(length):
            break
    num: list[int] = []
    den: list[int] = []
    for kind, window in layout.pairs:
        tier, target = layout.kinds[kind]
        threshold = alert_threshold(tier, window_s=length[window], target=target)
        num.append(threshold.numerator)
        den.append(threshold.denominator)
    return num, den


def decide(layout: Layout, answers: Answers, bounds: Sequence[WindowBounds]) -> Decisions:
    """The status of every objective and whether each tier fires, from ``answers`` to
    ``layout.requests(end)`` (``bounds``: ``layout.bounds(end)``). Equal to the ``status`` and
    ``TierResult.firing`` that ``core.evaluate`` assembles from the same answers."""
    n = len(layout.objectives)
    events, bad, counted = answers.events, answers.bad_int, answers.counted
    rated = (events != 0) & ~(events < layout.minimum) & (counted != 0)

    # Each tier's long and short requests: bad × den × q against p × counted × slack, the
    # threshold p/q one of a few (tier, target, window length).
    fires = np.ones(layout.tier_obj.size, dtype=bool)
    both = np.ones(layout.tier_obj.size, dtype=bool)
    if fires.size:
        p, q = _thresholds(layout, bounds)
        which = layout.tier_pair
        den, den_max = layout.den, layout.den_max
        slack, slack_max = layout.slack, layout.slack_max
        p_values, p_max = _exact_array(p)
        q_values, q_max = _exact_array(q)
        owner = layout.tier_obj
        wide = den_max * q_max >= _INT64_BOUND or p_max * slack_max >= _INT64_BOUND
        if wide:
            den, slack = den.astype(object), slack.astype(object)
            p_values, q_values = p_values.astype(object), q_values.astype(object)
        lhs_factor = den[owner] * q_values[which]
        rhs_factor = p_values[which] * slack[owner]
        tiers = np.arange(owner.size, dtype=np.int64)
        first = layout.offsets[owner] + 2 + 2 * (tiers - layout.tier_offsets[owner])
        for k in (first, first + 1):
            lhs = _times(bad[k], lhs_factor, den_max * q_max)
            rhs = _times(counted[k], rhs_factor, p_max * slack_max)
            # A rated window has events > 0 (minimum events >= 0) and counted = events here:
            # the rate's denominator is positive, so the cross product keeps its direction.
            fires &= rated[k] & _compare(lhs, rhs, strict=~layout.inclusive)
            both &= rated[k]

    slo = layout.offsets[:-1]
    left = _difference(
        _times(counted[slo], layout.slack, layout.slack_max),
        _times(bad[slo], layout.den, layout.den_max),
    )
    overspent = np.asarray(left < 0, dtype=bool)
    tier_owner = layout.tier_obj
    any_firing = np.zeros(n, dtype=bool)
    any_paging = np.zeros(n, dtype=bool)
    any_firing[tier_owner[fires]] = True
    any_paging[tier_owner[fires & layout.pages]] = True
    status = np.full(n, STATUSES.index(Status.OK), dtype=np.int64)
    status[any_firing] = STATUSES.index(Status.WARNING)
    status[any_paging] = STATUSES.index(Status.PAGING)
    status[overspent] = STATUSES.index(Status.BREACHED)
    status[~rated[slo]] = STATUSES.index(Status.NO_DATA)
    return Decisions(status=status, firing=fires, rated=both)
