"""The alert replay (core.replay.replay_alerts, behind `covenant backtest alerts`) against a
brute-force walk of the documented burn-rate rules (tests/core/alert_reference.py).

Hypothesis draws per-minute counts in stretches (busy, quiet, empty, bursts of errors, small
counts that meet a threshold exactly), an objective (99, 99.9, 99.95, 95.5 or 90 %, a rolling
or calendar-month window, a minimum of events or none), the default tiers or custom ones (`op:
gte` or `gt`, a burn rate or a budget share, a pending period, windows that are not whole
minutes), and a replay range that may start before the data and run past it, at a step of 1, 2
or 5 minutes. Every tier's counts and every episode's fields must equal the reference's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.core.alert_rules import burn_rate_conditions
from covenant.core.alert_state import AlertRecord, advance
from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import (
    AlertTier,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    NoDataPolicy,
    Objective,
    RollingWindow,
    Window,
    default_alert_tiers,
)
from covenant.core.replay import AlertReplay, replay_alerts
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, to_epoch
from tests.core import alert_reference as ref

MIN = 60
HOUR = 3600
DAY = 86400
TARGETS = [Fraction(99, 100), Fraction(999, 1000), Fraction(9995, 10000), Fraction(955, 1000)]
TARGETS += [Fraction(9, 10)]
# The documented defaults (docs/semantics.md, "Burn rate and alerts"), written out here.
DEFAULTS = [
    ref.RefTier("page-fast", HOUR, 5 * MIN, share=Fraction(2, 100)),
    ref.RefTier("page-slow", 6 * HOUR, 30 * MIN, share=Fraction(5, 100)),
    ref.RefTier("ticket-fast", DAY, 2 * HOUR, share=Fraction(10, 100)),
    ref.RefTier("ticket-slow", 3 * DAY, 6 * HOUR, share=Fraction(10, 100)),
]
# Where each window kind's data sits: rolling windows anywhere; calendar months around a month
# boundary (UTC July; Berlin's 743-hour March into April, its 745-hour October into November).
ANCHORS = {
    "rolling": to_epoch(datetime(2026, 6, 10, tzinfo=UTC)),
    "UTC": to_epoch(datetime(2026, 7, 1, tzinfo=UTC)),
    "Europe/Berlin": to_epoch(datetime(2026, 3, 31, 22, tzinfo=UTC)),
    "Berlin-autumn": to_epoch(datetime(2026, 10, 31, 23, tzinfo=UTC)),
}


def engine_tier(t: ref.RefTier) -> AlertTier:
    return AlertTier(
        name=t.name,
        severity="page",
        long_window_s=t.long_s,
        short_window_s=t.short_s,
        burn_rate=t.burn,
        budget_fraction=t.share,
        inclusive=not t.strict,
        for_s=t.for_s,
    )


@st.composite
def minutes(draw: st.DrawFn, start: int) -> ref.Minutes:
    good: list[int] = []
    total: list[int] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["busy", "quiet", "empty", "burst", "exact"]))
        for _ in range(draw(st.integers(1, 240))):
            if kind == "busy":
                n = draw(st.integers(200, 1000))
                bad = draw(st.sampled_from([0, 0, 1, 2, 5]))
            elif kind == "quiet":
                n = draw(st.integers(0, 3))
                bad = draw(st.integers(0, n))
            elif kind == "empty":
                n = bad = 0
            elif kind == "burst":
                n = draw(st.integers(10, 500))
                bad = draw(st.integers(n // 3, n))
            else:  # small counts whose error ratios are the tie-prone 1/2, 1/4, 1/5, 1/10
                n = draw(st.sampled_from([0, 10, 20]))
                bad = n * draw(st.sampled_from([0, 1, 2, 5, 10, 20])) // 20
            total.append(n)
            good.append(n - min(bad, n))
    return ref.Minutes(start=start, good=tuple(good), total=tuple(total))


@st.composite
def custom_tier(draw: st.DrawFn, target: Fraction, k: int) -> ref.RefTier:
    long_s = draw(st.sampled_from([5, 10, 30, 60, 90])) * MIN + draw(st.sampled_from([0, 0, 30]))
    short_s = max(MIN // 2, long_s // draw(st.sampled_from([1, 2, 5, 12])))
    if draw(st.booleans()):
        # An error ratio of r is a burn of r / (1 − T): small-count minutes meet it exactly.
        r = draw(st.sampled_from([Fraction(1, 2), Fraction(1, 4), Fraction(1, 5), Fraction(1, 10)]))
        burn, share = r / (1 - target), None
    else:
        burn, share = None, draw(st.sampled_from([Fraction(1, 100), Fraction(5, 100), Fraction(1)]))
    return ref.RefTier(
        f"t{k}",
        long_s,
        short_s,
        burn=burn,
        share=share,
        strict=draw(st.booleans()),
        for_s=draw(st.sampled_from([0, 0, 0, 60, 90, 120, 300, 600])),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[ref.RefSlo, list[ref.RefTier], ref.Minutes, int, int, int]:
    target = draw(st.sampled_from(TARGETS))
    kind = draw(st.sampled_from(["rolling", "rolling", "UTC", "Europe/Berlin", "Berlin-autumn"]))
    rolling = (
        draw(st.sampled_from([DAY, 7 * DAY, 28 * DAY, 30 * DAY])) if kind == "rolling" else None
    )
    zone = None if kind == "rolling" else ("UTC" if kind == "UTC" else "Europe/Berlin")
    method = draw(st.sampled_from(["occurrences", "occurrences", "timeslices", "ratio"]))
    slo = ref.RefSlo(
        target=target,
        minimum_events=draw(st.sampled_from([0, 0, 0, 1, 50])),
        rolling_s=rolling,
        month_zone=zone,
        method=method,
        slice_s=0 if method == "occurrences" else draw(st.sampled_from([MIN, 5 * MIN, HOUR])),
        slice_target=draw(st.sampled_from([Fraction(9, 10), Fraction(99, 100), Fraction(1, 2)])),
        policy=draw(st.sampled_from(["skip", "good", "bad"])),
    )
    start = ANCHORS[kind] - draw(st.integers(0, 600)) * MIN
    data = draw(minutes(start))
    if draw(st.booleans()):
        tiers = DEFAULTS
    else:
        tiers = [draw(custom_tier(target, k)) for k in range(draw(st.integers(1, 3)))]
    n = len(data.total) * MIN
    lo = start + draw(st.integers(-180, len(data.total) + 60)) * MIN + draw(st.sampled_from([0, 7]))
    hi = lo + draw(st.integers(0, n // MIN + 240)) * MIN + draw(st.sampled_from([0, 0, 41]))
    step = draw(st.sampled_from([MIN, MIN, 2 * MIN, 5 * MIN]))
    return slo, tiers, data, lo, max(hi, -(-lo // step) * step), step


def engine_objective(slo: ref.RefSlo, tiers: list[ref.RefTier]) -> Objective:
    window: Window
    if slo.rolling_s is not None:
        window = RollingWindow(seconds=slo.rolling_s)
    else:
        assert slo.month_zone is not None
        window = CalendarWindow(unit=CalendarUnit.MONTH, zone=slo.month_zone)
    method = {
        "occurrences": BudgetingMethod.OCCURRENCES,
        "timeslices": BudgetingMethod.TIMESLICES,
        "ratio": BudgetingMethod.RATIO_TIMESLICES,
    }[slo.method]
    return Objective(
        slo="s",
        name="",
        series="s",
        target=slo.target,
        window=window,
        method=method,
        time_slice_target=slo.slice_target if slo.method == "timeslices" else None,
        time_slice_window_s=slo.slice_s or None,
        no_data=NoDataPolicy(slo.policy),
        minimum_events=slo.minimum_events,
        alert_tiers=default_alert_tiers() if tiers is DEFAULTS else tuple(map(engine_tier, tiers)),
    )


def padded(o: Objective, data: ref.Minutes, lo: int, hi: int) -> BucketMatrix:
    """The data as the service reads it from the store: every minute the replay's windows
    reach (``required_range`` at its first instant) to its last, empty ones without events."""
    first = min(data.start, required_range([o], at=from_epoch(lo), step=MIN)[0])
    last = max(data.start + len(data.total) * MIN, hi - hi % MIN + MIN)
    before = (data.start - first) // MIN
    after = (last - data.start) // MIN - len(data.total)
    good = [0] * before + list(data.good) + [0] * after
    total = [0] * before + list(data.total) + [0] * after
    return BucketMatrix(
        keys=("s",),
        start=first,
        step=MIN,
        good=np.array([good], dtype=np.int64),
        total=np.array([total], dtype=np.int64),
    )


def engine_replay(
    slo: ref.RefSlo, tiers: list[ref.RefTier], data: ref.Minutes, lo: int, hi: int, step: int
) -> AlertReplay:
    matrix = padded(engine_objective(slo, tiers), data, lo, hi)
    return replay_alerts(
        engine_objective(slo, tiers), matrix, start=from_epoch(lo), end=from_epoch(hi), step_s=step
    )


def compare(
    slo: ref.RefSlo, tiers: list[ref.RefTier], data: ref.Minutes, lo: int, hi: int, step: int
) -> None:
    got = engine_replay(slo, tiers, data, lo, hi, step)
    want = ref.replay(slo, tiers, data, start=lo, end=hi, step=step)
    ats = ref.instants(lo, hi, step)
    assert (to_epoch(got.start), to_epoch(got.end), got.steps) == (ats[0], ats[-1], len(ats))
    for g, w in zip(got.tiers, want, strict=True):
        assert g.name == w.name
        assert g.thresholds == w.thresholds, w.name
        assert g.steps_with_data == w.steps_with_data, w.name
        assert g.firing_steps == w.firing_steps, w.name
        assert g.steps_policy_filled == w.steps_filled, w.name
        assert (g.no_data is None) == (w.steps_with_data > 0), w.name
        got_episodes = [
            ref.RefEpisode(
                start=to_epoch(e.start),
                end=to_epoch(e.end),
                ongoing=e.ongoing,
                threshold=e.threshold,
                max_long_burn=e.max_long_burn,
                max_short_burn=e.max_short_burn,
                budget_consumed_at_start=e.budget_consumed_at_start,
                long_window_budget=e.long_window_budget,
                long_filled=e.long_policy_filled,
                short_filled=e.short_policy_filled,
            )
            for e in g.episodes
        ]
        assert got_episodes == list(w.episodes), w.name
        assert g.firing_s == sum(e.end - e.start for e in w.episodes), w.name


@settings(max_examples=50, deadline=None, derandomize=True)
@given(cases())
def test_replay_matches_the_reference(
    case: tuple[ref.RefSlo, list[ref.RefTier], ref.Minutes, int, int, int],
) -> None:
    compare(*case)


def worker_walk(
    slo: ref.RefSlo, tiers: list[ref.RefTier], data: ref.Minutes, lo: int, hi: int, step: int
) -> dict[str, list[tuple[str, int]]]:
    """The worker's path: ``evaluate`` at every tick, the firing tiers' conditions, and the
    alert state's transitions; per tier, its firing and resolved notices with their instants.
    Each window's burn rate is checked against the reference's on the way."""
    o = engine_objective(slo, tiers)
    matrix = padded(o, data, lo, hi)
    records: dict[str, AlertRecord] = {}
    notices: dict[str, list[tuple[str, int]]] = {t.name: [] for t in tiers}
    by_name = {t.name: t for t in tiers}
    for at in ref.instants(lo, hi, step):
        (e,) = evaluate([o], matrix, at=from_epoch(at))
        for result in e.tiers:
            tier = by_name[result.name]
            assert result.threshold == ref.threshold(tier, slo, at), (result.name, at)
            for got, w in ((result.long.rate, tier.long_s), (result.short.rate, tier.short_s)):
                want = ref.burn(data, slo, at, w)
                assert got == want, (result.name, at)
            assert result.firing == ref.condition(tier, slo, data, at)[0], (result.name, at)
        step_result = advance(records, burn_rate_conditions([e]), now=from_epoch(at))
        records = {r.key: r for r in step_result.records}
        for n in step_result.notices:
            notices[n.labels["covenant_tier"]].append((n.state.value, at))
    return notices


@settings(max_examples=15, deadline=None, derandomize=True)
@given(cases())
def test_worker_matches_the_reference(
    case: tuple[ref.RefSlo, list[ref.RefTier], ref.Minutes, int, int, int],
) -> None:
    """The worker, ticking at the replay's instants from its first, sends a firing notice at
    each episode's start and a resolved one at its end (none for an episode still firing)."""
    slo, tiers, data, lo, hi, step = case
    got = worker_walk(slo, tiers, data, lo, hi, step)
    for w in ref.replay(slo, tiers, data, start=lo, end=hi, step=step):
        want = []
        for ep in w.episodes:
            want.append(("firing", ep.start))
            if not ep.ongoing:
                want.append(("resolved", ep.end))
        assert got[w.name] == want, w.name


# Worked by hand (docs/semantics.md, "Burn rate and alerts"; docs/definitions.md, `op`):
# a 90 % objective allows an error ratio of 1/10, so 5 bad of every 10 events (1/2) burns at
# exactly 5. Ten such minutes from T0, then twenty empty ones; nothing before T0.
T0 = to_epoch(datetime(2026, 6, 10, tzinfo=UTC))
HALF_BAD = ref.Minutes(start=T0, good=(5,) * 10 + (0,) * 20, total=(10,) * 10 + (0,) * 20)
NINETY = ref.RefSlo(target=Fraction(9, 10), rolling_s=DAY)


def exact_tier(*, strict: bool, for_s: int = 0) -> ref.RefTier:
    return ref.RefTier("exact", 10 * MIN, 5 * MIN, burn=Fraction(5), strict=strict, for_s=for_s)


def test_a_burn_at_the_threshold_fires_with_gte_and_not_with_gt() -> None:
    # At T0 + k min, 1 ≤ k ≤ 10, both windows ([T0+k−10m, …) and [T0+k−5m, …), starting before
    # the first data) hold the minutes T0 … T0+k−1: 5 bad of 10 each, burn 5 = the threshold.
    # For 11 ≤ k ≤ 14 the 5-minute window still holds 15 − k of them (burn 5); at k = 15 it is
    # empty, no data, and the tier stops. Before T0 + 1 min nothing has data.
    # Steps T0−2m … T0+20m: 23; with data in both windows: k = 1 … 14, 14 steps.
    replay = engine_replay(
        NINETY, [exact_tier(strict=False)], HALF_BAD, T0 - 2 * MIN, T0 + 20 * MIN, MIN
    )
    (tier,) = replay.tiers
    assert (replay.steps, tier.steps_with_data, tier.firing_steps) == (23, 14, 14)
    (episode,) = tier.episodes
    assert (to_epoch(episode.start), to_epoch(episode.end)) == (T0 + MIN, T0 + 15 * MIN)
    assert not episode.ongoing
    assert (episode.max_long_burn, episode.max_short_burn) == (5, 5)
    # 5 × 10 min of a 1-day window: 5 × 600 / 86 400 = 5/144 of the budget.
    assert episode.long_window_budget == Fraction(5, 144)
    # At T0 + 1 min the day holds one minute: 5 bad against an allowance of 10 × 1/10 = 1.
    assert episode.budget_consumed_at_start == 5
    (strict,) = engine_replay(
        NINETY, [exact_tier(strict=True)], HALF_BAD, T0 - 2 * MIN, T0 + 20 * MIN, MIN
    ).tiers
    assert (strict.firing_steps, strict.episodes, strict.steps_with_data) == (0, (), 14)
    assert strict.no_data is None
    for strictly in (False, True):  # the reference works the same figures
        compare(NINETY, [exact_tier(strict=strictly)], HALF_BAD, T0 - 2 * MIN, T0 + 20 * MIN, MIN)


def test_a_pending_period_counts_from_the_first_step_that_holds() -> None:
    # Every 2 minutes from T0 − 2m: the condition holds at T0+2m … T0+14m (above). With
    # alertAfter 3m it is pending from T0+2m and fires at the first step ≥ T0+5m, T0+6m; it
    # resolves at T0+16m. Firing steps: T0+6, 8, 10, 12, 14 → 5.
    tier = exact_tier(strict=False, for_s=3 * MIN)
    (got,) = engine_replay(NINETY, [tier], HALF_BAD, T0 - 2 * MIN, T0 + 20 * MIN, 2 * MIN).tiers
    (episode,) = got.episodes
    assert (to_epoch(episode.start), to_epoch(episode.end), got.firing_steps) == (
        T0 + 6 * MIN,
        T0 + 16 * MIN,
        5,
    )
    compare(NINETY, [tier], HALF_BAD, T0 - 2 * MIN, T0 + 20 * MIN, 2 * MIN)


def test_windows_without_events_never_fire_and_say_so() -> None:
    # Thirty empty minutes: no window has an event, so no step has a burn rate.
    empty = ref.Minutes(start=T0, good=(0,) * 30, total=(0,) * 30)
    (tier,) = engine_replay(NINETY, [exact_tier(strict=False)], empty, T0, T0 + 40 * MIN, MIN).tiers
    assert (tier.firing_steps, tier.steps_with_data, tier.episodes) == (0, 0, ())
    assert tier.no_data == "no stored events in the replayed range"
    # With minimumEvents 60 the 5-minute window (at most 5 × 10 = 50 events) never has data.
    fussy = ref.RefSlo(target=Fraction(9, 10), rolling_s=DAY, minimum_events=60)
    (tier,) = engine_replay(
        fussy, [exact_tier(strict=False)], HALF_BAD, T0, T0 + 40 * MIN, MIN
    ).tiers
    assert (tier.firing_steps, tier.steps_with_data) == (0, 0)
    assert tier.no_data == "no step had a burn rate in both windows (too few events or slices)"


def test_a_bad_hour_burns_in_a_short_window_over_hour_slices() -> None:
    # docs/semantics.md: an alert window of length w counts the last max(1, w // slice)
    # complete slices, "so a bad last hour followed by five quiet minutes still burns in a
    # 5-minute window over 1-hour slices". 99 % Timeslices over 1-hour slices (slice target
    # 90 %), a 1-day rolling window; the hour [T0, T0+1h) has 10 events a minute, all bad, and
    # nothing else has events. Tier: 1h / 5m at burn 50 (the cap is 1 / (1 − T) = 100).
    # Both windows count the one slice [T0, T0+1h) at T0+1h … T0+1h55m: 1 bad of 1, burn 100.
    data = ref.Minutes(start=T0, good=(0,) * 60, total=(10,) * 60)
    tier = ref.RefTier("hour", HOUR, 5 * MIN, burn=Fraction(50))
    replays = {}
    for policy in ("skip", "good", "bad"):
        slo = ref.RefSlo(
            target=Fraction(99, 100),
            rolling_s=DAY,
            method="timeslices",
            slice_s=HOUR,
            slice_target=Fraction(9, 10),
            policy=policy,
        )
        replays[policy] = engine_replay(slo, [tier], data, T0, T0 + 3 * HOUR, 5 * MIN)
        compare(slo, [tier], data, T0, T0 + 3 * HOUR, 5 * MIN)
    # skip and good: the silent slice [T0+1h, T0+2h) ends it at T0+2h (skip: no data; good: burn 0).
    # 37 steps T0 … T0+3h; 12 fire and 12 have events in both windows.
    for policy in ("skip", "good"):
        (got,) = replays[policy].tiers
        (episode,) = got.episodes
        assert (to_epoch(episode.start), to_epoch(episode.end)) == (T0 + HOUR, T0 + 2 * HOUR)
        assert (got.firing_steps, got.steps_with_data) == (12, 12)
        assert (episode.max_long_burn, episode.max_short_burn) == (100, 100)
        # Burn 100 over 1 h of a 1-day window: 100 × 3 600 / 86 400 = 25/6 of its budget.
        assert episode.long_window_budget == Fraction(25, 6)
    # skip: the day at T0+1h has 24 slices, 23 skipped: allowed 1 × 1/100, 1 bad → 100.
    assert replays["skip"].tiers[0].episodes[0].budget_consumed_at_start == 100
    # good: 24 slices counted, allowed 24/100, 1 bad → 25/6; 23 filled by the policy.
    assert replays["good"].tiers[0].episodes[0].budget_consumed_at_start == Fraction(25, 6)
    # bad: silence is bad, so it fires from T0 (the slice [T0−1h, T0) is silent) to the end,
    # every step but the 12 with the measured slice counts a slice the policy filled.
    (got,) = replays["bad"].tiers
    (episode,) = got.episodes
    assert (to_epoch(episode.start), episode.ongoing, got.firing_steps) == (T0, True, 37)
    assert (got.steps_with_data, got.steps_policy_filled) == (12, 25)
