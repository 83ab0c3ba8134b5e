"""Composite SLOs: one objective over several indicators (OpenSLO composite objectives).

Exact definitions (docs/semantics.md, "Composite SLOs"):

- **Weights** are OpenSLO ``compositeWeight`` values (default 1), exact rationals. Only their
  ratios matter, so they are scaled to the smallest integers with the same ratios
  (``0.5, 1 → 1, 2``; ``1, 1 → 1, 1``): :func:`integer_weights`.
- **Occurrences**: per bucket, good = Σ Wᵢ·goodᵢ and total = Σ Wᵢ·totalᵢ (integer weights
  Wᵢ), so the composite SLI over any window is Σ wᵢ·goodᵢ / Σ wᵢ·totalᵢ exactly. Counts, budgets
  and burn windows are in *weighted events* (equal to events when every weight is 1).
- **Timeslices** (every component has the same slice length): in each slice every component is
  good (its ratio meets *its own* ``timeSliceTarget``), bad, or without events; a component
  without events is good, bad or ignored by its own no-data policy. The composite slice is
  **bad when any component is bad** (any-bad), good when none is bad and at least one is good,
  and has no data (skipped) when every component is ignored. Weights do not change a slice.
  Burn windows report the components' events added up.
- RatioTimeslices composites are not defined here (the definitions layer warns).
- **Bounds**: reduced to integers, no weight may exceed :data:`MAX_INTEGER_WEIGHT` (weights are
  ratios to one part in a million; ``0.3333333333333, 0.6666666666667`` is refused with the
  suggestion ``1, 2``), and the weighted counts of a matrix must fit the engine's 64-bit sums —
  checked exactly on Python integers before anything is multiplied, so a composite is never
  silently wrong (:class:`CompositeRangeError`).

Everything after that — budget, burn rates, alert tiers, status — is the plain engine on the
composite's derived series (:mod:`covenant.core.corrections` ``evaluate_derived``), vectorised
over buckets and slices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from math import gcd, lcm

import numpy as np

from covenant.core.corrections import (
    I64,
    Corrected,
    CorrectionWindow,
    Derived,
    Mask,
    SliceLayout,
    bucket_mask,
    evaluate_derived,
    silent_marks,
    slice_phase,
    touching,
)
from covenant.core.evaluate import align_down
from covenant.core.model import BudgetingMethod, NoDataPolicy, Objective
from covenant.core.results import Evaluation
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import to_epoch
from covenant.errors import InputError

COMPOSITE_METHODS = (BudgetingMethod.OCCURRENCES, BudgetingMethod.TIMESLICES)

MAX_INTEGER_WEIGHT = 1_000_000
"""The largest integer weight after reduction: weights are ratios to one part in a million."""

_I64_MAX = 2**63 - 1


class CompositeRangeError(InputError):
    """Composite weights too fine (or counts too large) to be evaluated exactly."""

    code = "composite-out-of-range"


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    """One indicator of a composite: its own objective (series, slice target, no-data policy)."""

    objective: Objective
    weight: Fraction = Fraction(1)

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise InputError(
                f"{self.objective.key}: composite weight {self.weight} must be positive",
                hint="write a compositeWeight above 0 (default 1)",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class CompositeObjective:
    """A composite: ``objective`` carries the target, window, method and alert tiers."""

    objective: Objective
    components: tuple[Component, ...]

    def __post_init__(self) -> None:
        o = self.objective
        if not self.components:
            raise InputError(f"{o.key}: a composite needs at least one component")
        if o.method not in COMPOSITE_METHODS:
            raise InputError(
                f"{o.key}: {o.method} composites are not supported",
                hint="use budgetingMethod Occurrences or Timeslices for a composite SLO",
            )
        if o.method is BudgetingMethod.TIMESLICES:
            for c in self.components:
                if c.objective.time_slice_window_s != o.time_slice_window_s:
                    raise InputError(
                        f"{o.key}: component {c.objective.key} has a time slice of "
                        f"{c.objective.time_slice_window_s}s, the composite "
                        f"{o.time_slice_window_s}s",
                        hint="give every objective of a Timeslices composite the same "
                        "timeSliceWindow",
                    )
                if c.objective.time_slice_target is None:
                    raise InputError(f"{c.objective.key}: Timeslices needs a time slice target")

        weights = [c.weight for c in self.components]
        reduced = integer_weights(weights)
        if max(reduced) > MAX_INTEGER_WEIGHT:
            raise CompositeRangeError(
                f"{o.key}: composite weights {', '.join(_text(w) for w in weights)} reduce to "
                f"whole-number ratios {':'.join(str(r) for r in reduced)}, above "
                f"{MAX_INTEGER_WEIGHT:,}",
                hint=_weights_fix(weights),
            )

    @property
    def key(self) -> str:
        return self.objective.key

    @property
    def integer_weights(self) -> tuple[int, ...]:
        return integer_weights([c.weight for c in self.components])


def integer_weights(weights: Sequence[Fraction]) -> tuple[int, ...]:
    """The smallest positive integers with the same ratios as ``weights``."""
    scale = lcm(*(w.denominator for w in weights))
    scaled = [int(w * scale) for w in weights]
    common = gcd(*scaled)
    return tuple(s // common for s in scaled)


def _text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    decimal = f"{float(value):.15g}"
    return decimal if Fraction(decimal) == value else str(value)


def _weights_fix(weights: Sequence[Fraction]) -> str:
    top = max(weights)
    near = [(w / top).limit_denominator(1000) for w in weights]
    if all(n > 0 for n in near):
        suggestion = ", ".join(str(n) for n in integer_weights(near))
        return (
            "only the ratios of compositeWeight matter and they are kept to one part in a "
            f"million; write simpler weights, e.g. {suggestion}"
        )
    return (
        "only the ratios of compositeWeight matter; the smallest weight is under a millionth "
        "of the largest, so raise it or drop that objective from the composite"
    )


def _check_range(composite: CompositeObjective, total: I64) -> None:
    """Refuse (exactly, on Python integers) weighted counts the engine's int64 cannot sum."""
    weighted = sum(
        w * int(row_total)
        for w, row_total in zip(composite.integer_weights, total.sum(axis=1).tolist(), strict=True)
    )
    if weighted > _I64_MAX // 2:
        raise CompositeRangeError(
            f"{composite.key}: the weighted counts of the composite ({weighted:,} weighted "
            "events in the data read) exceed what can be evaluated exactly",
            hint="use smaller compositeWeight ratios (e.g. 1 and 2 rather than 1 and "
            "1000000), or a shorter window",
        )


def composite_derived(
    composite: CompositeObjective,
    data: BucketMatrix,
    *,
    end: int,
    mask: Mask | None = None,
) -> Derived:
    """The composite's derived series over ``data`` (buckets under ``mask`` removed)."""
    o = composite.objective
    rows = np.array([_row(data, c.objective) for c in composite.components], dtype=np.int64)
    good, total = data.good[rows], data.total[rows]
    if o.method is BudgetingMethod.OCCURRENCES:
        if mask is not None:
            good, total = good * ~mask, total * ~mask
        _check_range(composite, total)
        weights = np.array(composite.integer_weights, dtype=np.int64)[:, None]
        engine = o
        return Derived(
            engine=engine,
            report=o,
            good=(weights * good).sum(axis=0),
            total=(weights * total).sum(axis=0),
        )
    assert o.time_slice_window_s is not None
    layout = SliceLayout.of(data, slice_s=o.time_slice_window_s, phase=slice_phase(o, end=end))
    skipped = layout.any(mask) if mask is not None else np.zeros(layout.starts.size, dtype=bool)
    if mask is not None:
        bucket_skipped = layout.expand(skipped).astype(bool)
        good, total = good * ~bucket_skipped, total * ~bucket_skipped
    slice_total = layout.sums(total)
    slice_good, slice_bad = _component_states(composite, layout.sums(good), slice_total)
    bad = slice_bad.any(axis=0) & ~skipped
    counted = (slice_good | slice_bad).any(axis=0) & ~skipped
    measured_bad = (slice_bad & (slice_total > 0)).any(axis=0)
    engine = replace(
        o,
        time_slice_target=Fraction(1),
        no_data=NoDataPolicy.SKIP,
        minimum_events=0,
    )
    events = total.sum(axis=0)
    # A counted slice whose verdict a policy decided: no component had events, or it is bad
    # only because a silent component's policy counts silence bad (the others measured good).
    silent = counted & ((layout.sums(events) == 0) | (bad & ~measured_bad))
    policies = {c.objective.no_data for c in composite.components}
    return Derived(
        engine=engine,
        report=o,
        good=layout.expand((counted & ~bad).astype(np.int64)).astype(np.int64),
        total=layout.expand(counted.astype(np.int64)).astype(np.int64),
        events=events,
        silent=silent_marks(layout, silent, int(events.size)),
        policy="its components' noDataPolicy",
        verdict="bad" if NoDataPolicy.BAD in policies else "good",
        had="a component without events",
    )


def _component_states(composite: CompositeObjective, good: I64, total: I64) -> tuple[Mask, Mask]:
    """Per component and slice: (good, bad) after each component's own no-data policy."""
    comps = [c.objective for c in composite.components]
    has = total > 0
    targets = [c.time_slice_target or Fraction(1) for c in comps]
    num = np.array([t.numerator for t in targets], dtype=object)[:, None]
    den = np.array([t.denominator for t in targets], dtype=object)[:, None]
    meets = (good.astype(object) * den >= total.astype(object) * num).astype(bool)
    policy_good = np.array([c.no_data is NoDataPolicy.GOOD for c in comps])[:, None]
    policy_bad = np.array([c.no_data is NoDataPolicy.BAD for c in comps])[:, None]
    is_good = (has & meets) | (~has & policy_good)
    is_bad = (has & ~meets) | (~has & policy_bad)
    return is_good, is_bad


def _row(data: BucketMatrix, objective: Objective) -> int:
    try:
        return data.row(objective.series)
    except ValueError:
        raise InputError(
            f"{objective.key}: no data series {objective.series!r} was loaded",
            hint="load the series of every component into the bucket matrix",
        ) from None


def evaluate_composites(
    composites: Sequence[CompositeObjective],
    data: BucketMatrix,
    *,
    at: datetime,
    now: datetime | None = None,
) -> list[Evaluation]:
    """Evaluate every composite at ``at`` (one engine call for all of them)."""
    end = align_down(to_epoch(at), data.step)
    items = [composite_derived(c, data, end=end) for c in composites]
    return evaluate_derived(items, start=data.start, step=data.step, at=at, now=now)


def evaluate_composites_corrected(
    composites: Sequence[CompositeObjective],
    data: BucketMatrix,
    windows: Sequence[CorrectionWindow],
    *,
    at: datetime,
    now: datetime | None = None,
) -> list[Corrected]:
    """The corrected evaluation of each composite (None where no correction touches it).

    A correction applies to a composite when it names the composite's SLO (or every SLO); it
    removes the buckets of every component, and skips the composite's slices it overlaps.
    """
    step = data.step
    end = align_down(to_epoch(at), step)
    n = int(data.good.shape[1])
    touched = [touching(windows, c.objective, at=at, step=step) for c in composites]
    items: list[Derived] = []
    positions: list[int] = []
    for i, (c, found) in enumerate(zip(composites, touched, strict=True)):
        if found:
            mask = bucket_mask(found, start=data.start, step=step, n=n)
            items.append(composite_derived(c, data, end=end, mask=mask))
            positions.append(i)
    results = [Corrected(evaluation=None) for _ in composites]
    for i, result in zip(
        positions,
        evaluate_derived(items, start=data.start, step=step, at=at, now=now),
        strict=True,
    ):
        results[i] = Corrected(evaluation=result, windows=touched[i])
    return results
