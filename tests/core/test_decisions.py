"""The vectorised decisions (``core.decisions``) equal the scalar engine's, case by case.

The scalar side is ``core.evaluate``: each objective's ``Evaluation`` assembled from the same
window answers, its ``status`` and every ``TierResult.firing``. Randomised objectives (targets
with awkward denominators, rolling and calendar windows, given and derived thresholds,
non-inclusive tiers, minimum events) meet randomised answers: empty windows, small counts,
counts near the int64 limit (products far beyond it), negative counts. Hand-derived cases pin
the exact boundary: a burn exactly at a threshold fires an inclusive tier and not a strict one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np
import pytest

from covenant.core.decisions import STATUSES, Layout, decide
from covenant.core.evaluate import Assembly, evaluate, required_edges, slice_phase
from covenant.core.model import (
    DAY,
    HOUR,
    AlertTier,
    CalendarUnit,
    CalendarWindow,
    Objective,
    RollingWindow,
    default_alert_tiers,
)
from covenant.core.results import Evaluation, Status
from covenant.core.series import EdgeCounts
from covenant.core.timeutil import to_epoch
from covenant.core.window_answers import Answers

AT = datetime(2026, 3, 15, 12, 34, tzinfo=UTC)
END = to_epoch(AT)
BIG = 2**62

TARGETS = [
    Fraction(999, 1000),
    Fraction(99, 100),
    Fraction(9, 10),
    Fraction(2, 3),
    Fraction(99999, 100000),
    Fraction(123456789, 123456790),
    Fraction(999999999999, 10**12),
    Fraction(10**20 - 1, 10**20),  # a denominator past int64
]
WINDOWS = [
    RollingWindow(seconds=30 * DAY),
    RollingWindow(seconds=7 * DAY),
    RollingWindow(seconds=28 * DAY),
    CalendarWindow(unit=CalendarUnit.MONTH),
    CalendarWindow(unit=CalendarUnit.MONTH, zone="Asia/Kolkata"),
]


def _tiers(rng: np.random.Generator) -> tuple[AlertTier, ...]:
    if rng.random() < 0.4:
        return default_alert_tiers()
    out = []
    for n in range(int(rng.integers(0, 4))):
        short = int(rng.choice([300, 1800, HOUR]))
        given = rng.random() < 0.5
        out.append(
            AlertTier(
                name=f"tier-{n}",
                severity=str(rng.choice(["page", "ticket", "critical", "Page", "info"])),
                long_window_s=short * int(rng.integers(1, 13)),
                short_window_s=short,
                burn_rate=Fraction(int(rng.integers(1, 400)), int(rng.integers(1, 30)))
                if given
                else None,
                budget_fraction=None
                if given
                else Fraction(int(rng.integers(1, 50)), int(rng.integers(50, 1000))),
                inclusive=bool(rng.random() < 0.7),
            )
        )
    return tuple(out)


def _objectives(rng: np.random.Generator, n: int) -> list[Objective]:
    return [
        Objective(
            slo=f"slo-{i}",
            name="",
            series=f"s-{int(rng.integers(0, max(1, n // 2)))}",
            target=TARGETS[int(rng.integers(0, len(TARGETS)))],
            window=WINDOWS[int(rng.integers(0, len(WINDOWS)))],
            minimum_events=int(rng.choice([0, 0, 1, 10, 1000])),
            alert_tiers=_tiers(rng),
        )
        for i in range(n)
    ]


def _counts(rng: np.random.Generator, size: int) -> np.ndarray:
    """Events per request: a mix of empty, small, huge and negative."""
    kind = rng.integers(0, 5, size)
    small = rng.integers(0, 40, size)
    huge = rng.integers(BIG // 2, BIG, size)
    return np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3], [0, small, huge, -small], default=small * 1000
    ).astype(np.int64)


def _scalar(layout: Layout, answers: Answers, end: int) -> list[Evaluation]:
    bounds = layout.bounds(end)
    phases = [slice_phase(o, b) for o, b in zip(layout.objectives, bounds, strict=True)]
    assembly = Assembly(
        layout.objectives,
        bounds=bounds,
        offsets=layout.offsets,
        phases=phases,
        answers=answers,
        end=end,
    )
    return [assembly.evaluation(i) for i in range(len(layout.objectives))]


def _check(layout: Layout, answers: Answers, end: int) -> list[Evaluation]:
    expected = _scalar(layout, answers, end)
    got = decide(layout, answers, layout.bounds(end))
    assert got.statuses() == [e.status for e in expected]
    firing = [t.firing for e in expected for t in e.tiers]
    assert got.firing.tolist() == firing
    rated = [
        t.long.rate is not None and t.short.rate is not None for e in expected for t in e.tiers
    ]
    assert got.rated.tolist() == rated
    return expected


@pytest.mark.parametrize("seed", range(12))
def test_random_answers_decide_as_the_engine(seed: int) -> None:
    rng = np.random.default_rng(seed)
    layout = Layout.of(_objectives(rng, 60))
    size = int(layout.obj.size)
    events = _counts(rng, size)
    share = rng.random(size)
    # Bad events: none, all, a share, or anything (negative, more than the events).
    pick = rng.integers(0, 4, size)
    bad = np.select(
        [pick == 0, pick == 1, pick == 2],
        [0, events, (events.astype(np.float64) * share * 0.02).astype(np.int64)],
        default=rng.integers(-5, 50, size),
    ).astype(np.int64)
    # The current burn window only feeds the time to exhaustion (no decision): kept ordinary,
    # as the scalar engine refuses a negative burn rate there.
    current = layout.offsets[:-1] + 1
    events[current] = rng.integers(1, 40, current.size)
    bad[current] = np.minimum(events[current], rng.integers(0, 3, current.size))
    answers = Answers(events=events, bad=bad.astype(np.float64), bad_int=bad, counted=events.copy())
    expected = _check(layout, answers, END)
    statuses = {e.status for e in expected}
    assert Status.NO_DATA in statuses  # the cases are varied
    assert len(statuses) >= 3


def _threshold_answers(layout: Layout, *, scale: int, less: int) -> Answers:
    """Every tier window burning exactly at its threshold (``less`` bad events fewer)."""
    size = int(layout.obj.size)
    events = np.full(size, 1000, dtype=np.int64)
    bad = np.zeros(size, dtype=np.int64)
    bounds = layout.bounds(END)
    for i, o in enumerate(layout.objectives):
        num, den = o.target.numerator, o.target.denominator
        for t, tier in enumerate(o.alert_tiers):
            threshold = min(max(tier.factor(bounds[i].length), Fraction(1)), 1 / (1 - o.target))
            # rate = bad × den / (counted × (den − num)) = p / q exactly:
            times = min(scale, BIG // (den * threshold.denominator))  # counts fit int64
            counted = times * den * threshold.denominator
            hit = times * threshold.numerator * (den - num)
            for k in (2 + 2 * t, 3 + 2 * t):
                events[layout.offsets[i] + k] = counted
                bad[layout.offsets[i] + k] = hit - less
    return Answers(events=events, bad=bad.astype(np.float64), bad_int=bad, counted=events.copy())


@pytest.mark.parametrize("scale", [1, 7, 2**40])
def test_a_burn_exactly_at_the_threshold(scale: int) -> None:
    tiers = (
        AlertTier(
            name="at-least",
            severity="page",
            long_window_s=HOUR,
            short_window_s=300,
            budget_fraction=Fraction(2, 100),
        ),
        AlertTier(
            name="above",
            severity="page",
            long_window_s=HOUR,
            short_window_s=300,
            budget_fraction=Fraction(2, 100),
            inclusive=False,
        ),
    )
    objectives = [
        Objective(
            slo="checkout",
            name="",
            series="s",
            target=Fraction(999, 1000),
            window=RollingWindow(seconds=30 * DAY),
            alert_tiers=tiers,
        ),
        Objective(
            slo="odd",
            name="",
            series="s",
            target=Fraction(123456789, 123456790),
            window=CalendarWindow(unit=CalendarUnit.MONTH),
            alert_tiers=tiers,
        ),
    ]
    layout = Layout.of(objectives)
    # 30 days × 2 % / 1 hour = 14.4 = 72/5; target 0.999: 72 bad in 5,000 is exactly 14.4.
    assert layout.objectives[0].alert_tiers[0].factor(30 * DAY) == Fraction(72, 5)
    exact = _threshold_answers(layout, scale=scale, less=0)
    if scale == 1:
        assert exact.events[2] == 5000
        assert exact.bad_int[2] == 72
    if scale == 2**40:  # past int64: the products are taken on Python ints
        # The odd target in March: threshold 2 % × 744 h / 1 h = 372/25, slack 1.
        k = int(layout.offsets[1]) + 2
        assert int(exact.events[k]) * 372 * 1 >= 2**63
    got = decide(layout, exact, layout.bounds(END))
    assert got.firing.tolist() == [True, False, True, False]  # >= fires, > does not
    below = decide(layout, _threshold_answers(layout, scale=scale, less=1), layout.bounds(END))
    assert below.firing.tolist() == [False, False, False, False]
    more = _threshold_answers(layout, scale=scale, less=-1)
    above = decide(layout, more, layout.bounds(END))
    assert above.firing.tolist() == [True, True, True, True]
    for answers in (exact, more):
        _check(layout, answers, END)


def test_budget_exactly_spent_is_not_breached() -> None:
    """0.999 over 1,000,000 events allows exactly 1,000 bad: 1,000 is spent, 1,001 breached."""
    o = Objective(
        slo="s", name="", series="s", target=Fraction(999, 1000), window=WINDOWS[0], alert_tiers=()
    )
    layout = Layout.of([o])
    for bad, status in ((1000, Status.OK), (1001, Status.BREACHED), (0, Status.OK)):
        events = np.array([1_000_000, 10], dtype=np.int64)
        bads = np.array([bad, 0], dtype=np.int64)
        answers = Answers(events=events, bad=bads.astype(float), bad_int=bads, counted=events)
        assert decide(layout, answers, layout.bounds(END)).statuses() == [status]
        _check(layout, answers, END)


def test_no_events_and_too_few_events_are_no_data() -> None:
    o = Objective(
        slo="s",
        name="",
        series="s",
        target=Fraction(99, 100),
        window=WINDOWS[0],
        minimum_events=10,
    )
    layout = Layout.of([o])
    size = int(layout.obj.size)
    for total, status in ((0, Status.NO_DATA), (9, Status.NO_DATA), (10, Status.BREACHED)):
        events = np.full(size, total, dtype=np.int64)  # every window all bad
        answers = Answers(events=events, bad=events.astype(float), bad_int=events, counted=events)
        got = decide(layout, answers, layout.bounds(END))
        assert got.statuses() == [status]
        assert got.firing.any() == (status is not Status.NO_DATA)
        _check(layout, answers, END)


@pytest.mark.parametrize("seed", range(6))
def test_from_edge_counts_as_evaluate(seed: int) -> None:
    """Through the whole path: the layout's requests read the edges ``required_edges`` names,
    and the decisions and assembled evaluations equal ``evaluate`` on the same counts."""
    rng = np.random.default_rng(100 + seed)
    objectives = _objectives(rng, 40)
    at = datetime(2026, 3, 1, 0, 0, tzinfo=UTC) if seed % 2 else AT  # a month boundary too
    end = to_epoch(at)
    layout = Layout.of(objectives)
    edges = np.asarray(required_edges(objectives, at=at, step=60), dtype=np.int64)
    req = layout.requests(end)
    starts = -((-req.start) // 60) * 60
    assert set(np.concatenate((starts, req.end)).tolist()) == set(edges.tolist())
    keys = tuple(dict.fromkeys(o.series for o in objectives))
    shape = (len(keys), edges.size)
    total = np.cumsum(rng.integers(0, 3000, shape), axis=1)
    bad = np.cumsum(rng.integers(0, 40, shape), axis=1)
    if seed >= 3:  # products beyond int64 (bad events scaled too: burn rates stay ordinary)
        total, bad = total * 2**40, bad * 2**40 + np.cumsum(rng.integers(0, 9, shape), axis=1)
    good = total - bad
    counts = EdgeCounts(keys=keys, step=60, edges=edges, good=good, total=total)
    expected = evaluate(objectives, counts, at=at)
    from covenant.core.window_answers import answer_requests  # noqa: PLC0415

    row_of = {k: i for i, k in enumerate(keys)}
    rows = np.asarray([row_of[o.series] for o in objectives], dtype=np.int64)
    bounds = layout.bounds(end)
    phases = [slice_phase(o, b) for o, b in zip(objectives, bounds, strict=True)]
    answers = answer_requests(objectives, rows, None, req, phases, edges=counts)
    assert _scalar(layout, answers, end) == expected
    got = decide(layout, answers, bounds)
    assert [STATUSES[s] for s in got.status.tolist()] == [e.status for e in expected]
    assert got.firing.tolist() == [t.firing for e in expected for t in e.tiers]
