"""Backtests and suggestions on constructed histories whose answers are known by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from covenant.core import backtest as facade
from covenant.core import replay as replay_module
from covenant.core import suggest as suggest_module
from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    CreditTier,
    DowntimeSource,
    Measurement,
    Remedies,
    VersionStatus,
)
from covenant.core.backtest import (
    AgreementBacktest,
    VersionBacktest,
    backtest_version,
    periods_between,
)
from covenant.core.evaluate import evaluate
from covenant.core.model import (
    AlertTier,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    NoDataPolicy,
    Objective,
    RollingWindow,
    default_alert_tiers,
)
from covenant.core.money import Money
from covenant.core.replay import AlertReplay, replay_alerts, tier_firing
from covenant.core.series import BucketMatrix
from covenant.core.suggest import (
    WindowLevel,
    floor_to,
    nice_target_at_most,
    required_backing_target,
    suggest_target,
    suggestion_windows,
    window_levels,
)
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError

MIN = 60
JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)
APR = datetime(2026, 4, 1, tzinfo=UTC)
AT = datetime(2026, 5, 1, tzinfo=UTC)


def pct(text: str) -> Fraction:
    return Fraction(Decimal(text)) / 100


def commitment(level: str, tiers: tuple[CreditTier, ...]) -> AvailabilityCommitment:
    return AvailabilityCommitment(
        name="api-uptime",
        services=("api",),
        level=pct(level),
        measurement=Measurement(
            source=DowntimeSource.BAD_INTERVALS,
            series="api",
            interval_s=60,
            threshold=Fraction(10, 100),
        ),
        remedies=Remedies(tiers=tiers),
    )


def agreement(version: int, c: AvailabilityCommitment, status: VersionStatus) -> AgreementVersion:
    return AgreementVersion(
        agreement="acme",
        version=version,
        customer="acme",
        status=status,
        effective_from=datetime(2026, 6, 1, tzinfo=UTC),  # after the history: ignored
        effective_to=None,
        currency="USD",
        fees=(("api", Decimal("1000.00")),),
        availability=(c,),
    )


CURRENT = agreement(
    1,
    commitment(
        "99.9",
        (
            CreditTier(credit=Decimal(10), below=pct("99.9"), at_least=pct("99.0")),
            CreditTier(credit=Decimal(25), below=pct("99.0")),
        ),
    ),
    VersionStatus.ACTIVE,
)
PROPOSED = agreement(
    2,
    commitment(
        "99.99",
        (
            CreditTier(credit=Decimal(10), below=pct("99.99"), at_least=pct("99.9")),
            CreditTier(credit=Decimal(25), below=pct("99.9"), at_least=pct("99.0")),
            CreditTier(credit=Decimal(50), below=pct("99.0")),
        ),
    ),
    VersionStatus.DRAFT,
)


def three_months() -> BucketMatrix:
    """10 requests a minute, January to March; January has 50 down minutes, February 5."""
    start, end = to_epoch(JAN), to_epoch(datetime(2026, 5, 1, tzinfo=UTC))
    n = (end - start) // MIN
    total = np.zeros((1, n), dtype=np.int64)
    history = (to_epoch(APR) - start) // MIN
    total[0, :history] = 10
    good = total.copy()
    jan_outage = (to_epoch(datetime(2026, 1, 20, 3, tzinfo=UTC)) - start) // MIN
    good[0, jan_outage : jan_outage + 50] = 0
    feb_outage = (to_epoch(datetime(2026, 2, 11, 9, tzinfo=UTC)) - start) // MIN
    good[0, feb_outage : feb_outage + 5] = 0
    return BucketMatrix(keys=("api",), start=start, step=MIN, good=good, total=total)


def run(version: AgreementVersion) -> list[tuple[str, Fraction | None, Decimal | None]]:
    periods = periods_between(version, JAN, APR)
    result = backtest_version(
        version,
        periods=periods,
        at=AT,
        history={"api-uptime": (JAN, APR)},
        data=three_months(),
    )
    return [(r.label, r.level, None if r.credit is None else r.credit.amount) for r in result.rows]


def test_proposed_99_99_against_current_99_9_by_hand() -> None:
    # January: 31 days = 44 640 minutes, 50 down → 44 590 / 44 640 = 99.888 %: below 99.9 %,
    # so the current terms pay their 10 % tier (100.00) and the proposal its 25 % tier (250.00).
    # February: 40 320 minutes, 5 down → 99.9876 %: meets 99.9 %, misses 99.99 % (10 % = 100.00).
    # March: no downtime. April: the history ends on April 1st → no data, never 100 %.
    jan = Fraction(44590, 44640)
    feb = Fraction(40315, 40320)
    assert jan < pct("99.9")
    assert pct("99.9") <= feb < pct("99.99")
    assert run(CURRENT) == [
        ("2026-01", jan, Decimal("100.00")),
        ("2026-02", feb, Decimal("0.00")),
        ("2026-03", Fraction(1), Decimal("0.00")),
        ("2026-04", None, None),
    ]
    assert run(PROPOSED) == [
        ("2026-01", jan, Decimal("250.00")),
        ("2026-02", feb, Decimal("100.00")),
        ("2026-03", Fraction(1), Decimal("0.00")),
        ("2026-04", None, None),
    ]


def test_side_by_side_totals_and_difference() -> None:
    def one(v: AgreementVersion) -> VersionBacktest:
        return backtest_version(
            v,
            periods=periods_between(v, JAN, APR),
            at=AT,
            history={"api-uptime": (JAN, APR)},
            data=three_months(),
        )

    bt = AgreementBacktest(
        proposed=one(PROPOSED),
        current=(one(CURRENT),),
        labels=("2026-01", "2026-02", "2026-03", "2026-04"),
        at=AT,
    )

    def usd(amount: str) -> tuple[Money, ...]:
        return (Money(amount=Decimal(amount), currency="USD"),)

    assert bt.proposed.credits() == usd("350.00")
    assert bt.current_credits() == usd("100.00")
    assert bt.difference() == usd("250.00")
    assert bt.difference("2026-02") == usd("100.00")
    april = [r for r in bt.proposed.rows if r.label == "2026-04"]
    assert [r.no_data for r in april] == ["no stored history in this period"]


def test_partial_history_clips_eligible_time_and_future_periods_are_no_data() -> None:
    periods = periods_between(CURRENT, JAN, datetime(2026, 6, 1, tzinfo=UTC))
    result = backtest_version(
        CURRENT,
        periods=periods,
        at=datetime(2026, 5, 15, tzinfo=UTC),
        history={"api-uptime": (datetime(2026, 1, 20, tzinfo=UTC), APR)},
        data=three_months(),
    )
    jan = result.rows[0]
    assert jan.partial
    assert jan.result is not None
    assert jan.result.eligible_s == 12 * 86400  # January 20th to February 1st
    assert jan.level == Fraction(12 * 1440 - 50, 12 * 1440)
    assert result.rows[-1].no_data == "the period has not started"
    assert result.rows[-2].no_data == "no stored history in this period"
    none = backtest_version(
        CURRENT, periods=periods[:4], at=AT, history={"api-uptime": None}, data=three_months()
    )
    assert {r.no_data for r in none.rows} == {"no stored history for this commitment"}
    assert none.credits() == ()


# --- alert replay ---------------------------------------------------------------------------

DAY0 = datetime(2026, 3, 1, tzinfo=UTC)
T0 = datetime(2026, 3, 4, 12, tzinfo=UTC)


def steady_with_outage() -> BucketMatrix:
    """100 requests a minute for four days, no errors, except one hour at 10 % errors."""
    start = to_epoch(DAY0)
    n = 5 * 1440
    total = np.full((1, n), 100, dtype=np.int64)
    good = total.copy()
    k = (to_epoch(T0) - start) // MIN
    good[0, k : k + 60] = 90
    return BucketMatrix(keys=("s",), start=start, step=MIN, good=good, total=total)


OBJ = Objective(
    slo="api", name="", series="s", target=pct("99.9"), window=RollingWindow(seconds=30 * 86400)
)


def test_one_hour_at_ten_percent_errors_fires_page_fast_for_a_known_span() -> None:
    # page-fast (14.4 over 1 h and 5 m): the hour needs ≥ 86.4 bad of 6 000 → 9 outage minutes,
    # the 5 minutes ≥ 7.2 bad of 500 → 1 outage minute. So it fires from T0+9m while the last
    # 5 minutes still hold an outage minute: until T0+64m included, i.e. 56 minutes.
    replay = replay_alerts(
        OBJ,
        steady_with_outage(),
        start=T0 - timedelta(hours=2),
        end=T0 + timedelta(hours=12),
        step_s=MIN,
    )
    tiers = {t.name: t for t in replay.tiers}
    (fast,) = tiers["page-fast"].episodes
    assert fast.start == T0 + timedelta(minutes=9)
    assert fast.end == T0 + timedelta(minutes=65)
    assert fast.duration_s == 56 * MIN
    assert not fast.ongoing
    assert fast.threshold == Fraction(72, 5)  # 14.4
    assert fast.max_long_burn == 100  # a full hour at 10 % against a 0.1 % budget
    assert fast.max_short_burn == 100
    # At T0+9m: 90 bad of 100 × (3.5 days + 9 min) in the 30-day window so far.
    seen = 100 * (int((T0 - DAY0).total_seconds()) // MIN + 9)
    assert fast.budget_consumed_at_start == Fraction(90) / (Fraction(1, 1000) * seen)
    assert fast.long_window_budget == Fraction(90, 6000) / Fraction(1, 1000) * 3600 / (30 * 86400)
    # page-slow (6 over 6 h and 30 m): 22 outage minutes in 6 h, 2 in the last 30 minutes.
    (slow,) = tiers["page-slow"].episodes
    assert (slow.start, slow.end) == (T0 + timedelta(minutes=22), T0 + timedelta(minutes=89))
    # ticket-fast (3 over 1 d and 2 h): 44 outage minutes in the day, 4 in the last 2 hours.
    (ticket,) = tiers["ticket-fast"].episodes
    assert (ticket.start, ticket.end) == (T0 + timedelta(minutes=44), T0 + timedelta(minutes=177))
    assert replay.steps == 14 * 60 + 1


def test_proposed_tiers_and_an_episode_still_firing_at_the_end() -> None:
    tier = AlertTier(
        name="strict",
        severity="page",
        long_window_s=3600,
        short_window_s=300,
        burn_rate=Fraction(50),
    )
    replay = replay_alerts(
        OBJ,
        steady_with_outage(),
        start=T0,
        end=T0 + timedelta(minutes=40),
        step_s=5 * MIN,
        tiers=[tier],
    )
    assert replay.proposed
    (strict,) = replay.tiers
    (episode,) = strict.episodes
    # 50 × 0.1 % = 5 % over the hour: 300 bad of 6 000 → 30 outage minutes.
    assert episode.start == T0 + timedelta(minutes=30)
    assert episode.ongoing
    # Still firing at --to: the episode is clipped there, never reported as ending after it.
    assert episode.end == T0 + timedelta(minutes=40)
    assert episode.duration_s == 10 * MIN
    assert strict.firing_s == 10 * MIN
    assert strict.firing_steps == 3  # 12:30, 12:35, 12:40


def test_an_ongoing_episode_ends_at_an_unaligned_to() -> None:
    replay = replay_alerts(
        OBJ,
        steady_with_outage(),
        start=T0,
        end=T0 + timedelta(minutes=42),
        step_s=5 * MIN,
        tiers=[
            AlertTier(
                name="s",
                severity="page",
                long_window_s=3600,
                short_window_s=300,
                burn_rate=Fraction(50),
            )
        ],
    )
    (episode,) = replay.tiers[0].episodes
    assert episode.ongoing
    assert replay.end == T0 + timedelta(minutes=40)  # the last evaluated instant
    assert episode.end == T0 + timedelta(minutes=42)  # --to, not 12:45


def test_a_range_without_data_says_no_data_not_never_fired() -> None:
    data = steady_with_outage()  # from DAY0 on
    before = replay_alerts(
        OBJ, data, start=DAY0 - timedelta(days=3), end=DAY0 - timedelta(days=1), step_s=5 * MIN
    )
    assert before.steps == 2 * 288 + 1
    for tier in before.tiers:
        assert not tier.episodes
        assert tier.steps_with_data == 0
        assert tier.no_data == "no stored events in the replayed range"
    # Half of the range has data: counted, and no "no data" reason.
    (half,) = [
        t
        for t in replay_alerts(
            OBJ, data, start=DAY0 - timedelta(hours=2), end=DAY0 + timedelta(hours=2), step_s=MIN
        ).tiers
        if t.name == "page-fast"
    ]
    # Steps from DAY0 + 1 min (the short window holds a minute of data) to DAY0 + 2 h.
    assert half.steps_with_data == 120
    assert half.no_data is None
    # Too few events for a burn rate is no data too, with its own reason.
    few = replace(OBJ, minimum_events=10**6)
    (t0, *_) = replay_alerts(few, data, start=T0, end=T0 + timedelta(hours=1), step_s=MIN).tiers
    assert t0.steps_with_data == 0
    assert t0.no_data is not None
    assert "too few events" in t0.no_data


def five_minute_slices(policy: NoDataPolicy) -> Objective:
    """OBJ as 5-minute time slices of 99 % good requests, silent slices counted by ``policy``."""
    return replace(
        OBJ,
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=pct("99"),
        time_slice_window_s=300,
        no_data=policy,
    )


def test_a_time_slice_policy_is_not_data() -> None:
    # With no-data = good, silent slices still have a burn rate (0) as `evaluate` computes it,
    # but nothing was measured: the replay says so instead of a clean record.
    o = five_minute_slices(NoDataPolicy.GOOD)
    (tier, *_) = replay_alerts(
        o, steady_with_outage(), start=DAY0 - timedelta(days=2), end=DAY0, step_s=5 * MIN
    ).tiers
    assert not tier.episodes
    assert tier.steps_with_data == 0
    assert tier.no_data is not None


def silent_slices_replay() -> tuple[AlertReplay, Objective, BucketMatrix]:
    """5-minute slices, silent slices counted bad; 40 silent minutes from T0 in steady, clean
    traffic (8 silent slices), replayed every 5 minutes from T0 − 1 h to T0 + 3 h."""
    o = five_minute_slices(NoDataPolicy.BAD)
    data = steady_with_outage()
    k = (to_epoch(T0) - data.start) // MIN
    data.good[0, k - 60 : k + 60] = 100  # no outage: only the silence below is bad
    data.total[0, k : k + 40] = 0
    data.good[0, k : k + 40] = 0
    replay = replay_alerts(
        o, data, start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=3), step_s=5 * MIN
    )
    return replay, o, data


def test_an_episode_the_no_data_policy_filled_says_how_many_slices() -> None:
    # page-fast (14.4 × 0.1 % over 1 h and 5 min) fires while the last slice is silent: one
    # bad slice of 12 in the hour is 8.3 % ≥ 1.44 %.
    replay, o, data = silent_slices_replay()
    fast = next(t for t in replay.tiers if t.name == "page-fast")
    (episode,) = fast.episodes
    assert (episode.start, episode.end) == (T0 + timedelta(minutes=5), T0 + timedelta(minutes=45))
    # At its last step (T0 + 40 min) the hour holds all 8 silent slices of its 12.
    assert (episode.long_policy_filled, episode.short_policy_filled) == (8, 1)
    assert episode.policy_note == (
        "over 1h, 8 of 12 slices had no events and were counted bad by noDataPolicy: bad; "
        "over 5m, no events in the window: all 1 slices counted bad by noDataPolicy: bad"
    )
    # A window holds a silent slice at the steps T0 + 5 min … T0 + 95 min (the hour ending
    # there reaches back to the last silent slice): 19 steps of 49, for every tier whose
    # long window is an hour; the 6-hour tiers hold one from T0 + 5 min to T0 + 6 h 35 min.
    assert replay.steps == 49
    assert fast.steps_policy_filled == 19
    slow = next(t for t in replay.tiers if t.name == "page-slow")
    assert slow.steps_policy_filled == 49 - 12 - 1  # from T0 + 5 min to the range's end
    # The same counts as evaluate's burn windows at that step.
    (ev,) = evaluate([o], data, at=T0 + timedelta(minutes=40))
    tier = next(t for t in ev.tiers if t.name == "page-fast")
    assert (tier.long.policy_filled, tier.short.policy_filled) == (8, 1)
    # A clean record is not marked.
    clean = replay_alerts(
        OBJ, steady_with_outage(), start=T0, end=T0 + timedelta(hours=2), step_s=5 * MIN
    )
    assert all(t.steps_policy_filled == 0 for t in clean.tiers)
    assert all(e.policy_note is None for t in clean.tiers for e in t.episodes)
    assert any(t.episodes for t in clean.tiers)


def test_the_backtest_module_re_exports_the_split_modules() -> None:
    assert facade.replay_alerts is replay_module.replay_alerts
    assert facade.AlertReplay is replay_module.AlertReplay
    assert facade.suggest_target is suggest_module.suggest_target
    assert facade.Span is suggest_module.Span


def noisy(seed: int, *, days: int, start: datetime, gaps: bool) -> BucketMatrix:
    rng = np.random.default_rng(seed)
    n = days * 1440
    total = rng.poisson(40, size=(1, n)).astype(np.int64)
    rate = np.full(n, 0.0008)
    for k in rng.integers(0, n - 300, size=12):  # bursts of errors of varied strength
        rate[k : k + int(rng.integers(5, 240))] = rng.uniform(0.005, 0.2)
    bad = rng.binomial(total[0], rate).astype(np.int64)
    if gaps:
        for k in rng.integers(0, n - 120, size=6):
            total[0, k : k + int(rng.integers(5, 120))] = 0
        bad = np.minimum(bad, total[0])
    good = (total[0] - bad)[None, :]
    return BucketMatrix(keys=("s",), start=to_epoch(start), step=MIN, good=good, total=total)


SAMPLED = [
    Objective(
        slo="occ", name="", series="s", target=pct("99.5"), window=RollingWindow(seconds=7 * 86400)
    ),
    Objective(
        slo="ts",
        name="",
        series="s",
        target=pct("99"),
        window=CalendarWindow(unit=CalendarUnit.MONTH, zone="Asia/Kolkata"),
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=pct("99"),
        time_slice_window_s=1800,
        no_data=NoDataPolicy.BAD,
    ),
    Objective(
        slo="rts",
        name="",
        series="s",
        target=pct("99.5"),
        window=RollingWindow(seconds=3 * 86400),
        method=BudgetingMethod.RATIO_TIMESLICES,
        time_slice_window_s=300,
        no_data=NoDataPolicy.SKIP,
        minimum_events=30,
    ),
    Objective(
        slo="ts-good",
        name="",
        series="s",
        target=pct("98"),
        window=CalendarWindow(unit=CalendarUnit.WEEK, zone="Europe/Berlin"),
        method=BudgetingMethod.TIMESLICES,
        time_slice_target=pct("99.5"),
        time_slice_window_s=300,
        no_data=NoDataPolicy.GOOD,
    ),
]


@pytest.mark.parametrize("objective", SAMPLED, ids=lambda o: o.slo)
def test_vectorised_replay_agrees_with_evaluate_at_sampled_instants(objective: Objective) -> None:
    start = datetime(2026, 3, 20, tzinfo=UTC)  # the range crosses a month and a DST change
    data = noisy(7, days=20, start=start, gaps=True)
    ends = np.arange(to_epoch(start) + 4 * 86400, data.end, 300, dtype=np.int64)
    fired = {t.name: tier_firing(objective, t, data, ends=ends)[0] for t in objective.alert_tiers}
    # Instants where some tier changes state (the hard cases) plus random ones.
    changes = sorted({i for f in fired.values() for i in np.flatnonzero(np.diff(f)).tolist()})
    rng = np.random.default_rng(3)
    picks = sorted(
        {*changes[:20], *(c + 1 for c in changes[:20]), *rng.integers(0, len(ends), 20).tolist()}
    )
    assert len(picks) >= 20
    assert any(f.any() for f in fired.values())  # the data makes some tier fire
    for i in picks:
        (ev,) = evaluate([objective], data, at=from_epoch(int(ends[i])))
        for t in ev.tiers:
            assert bool(fired[t.name][i]) == t.firing, (t.name, from_epoch(int(ends[i])))


def test_replay_episodes_match_evaluate_at_their_edges() -> None:
    data = noisy(11, days=10, start=DAY0, gaps=False)
    o = SAMPLED[0]
    replay = replay_alerts(
        o, data, start=DAY0 + timedelta(days=3), end=DAY0 + timedelta(days=9, hours=23), step_s=MIN
    )
    episodes = [e for t in replay.tiers for e in t.episodes]
    assert episodes
    for e in episodes:
        (at_start,) = evaluate([o], data, at=e.start)
        (before,) = evaluate([o], data, at=e.start - timedelta(minutes=1))
        firing = {t.name: t.firing for t in at_start.tiers}
        assert firing[e.tier]
        if e.start > replay.start:
            assert not {t.name: t.firing for t in before.tiers}[e.tier]
        if not e.ongoing:
            (after,) = evaluate([o], data, at=e.end)
            assert not {t.name: t.firing for t in after.tiers}[e.tier]
        assert e.max_long_burn >= next(t for t in at_start.tiers if t.name == e.tier).threshold


def test_replay_rejects_a_step_that_is_not_whole_buckets() -> None:
    with pytest.raises(InputError, match="multiple of the bucket step"):
        replay_alerts(OBJ, steady_with_outage(), start=T0, end=T0 + timedelta(hours=1), step_s=90)


def test_default_tiers_are_replayed_when_none_are_given() -> None:
    replay = replay_alerts(OBJ, steady_with_outage(), start=T0, end=T0, step_s=MIN)
    assert [t.name for t in replay.tiers] == [t.name for t in default_alert_tiers()]
    assert replay.steps == 1


# --- suggestions ----------------------------------------------------------------------------


def levels(*values: str | None) -> list[WindowLevel]:
    return [
        WindowLevel(
            start=JAN + timedelta(days=30 * i),
            end=JAN + timedelta(days=30 * (i + 1)),
            level=None if v is None else pct(v),
            good=0,
            total=0,
            unit="events",
            no_data=None if v is not None else "no events in the window",
        )
        for i, v in enumerate(values)
    ]


def test_target_held_in_ten_of_twelve_windows() -> None:
    windows = levels(
        "99.97",
        "99.93",
        "99.991",
        "99.96",
        "99.985",
        "99.90",
        "99.975",
        "99.962",
        "99.958",
        "99.99",
        "99.87",
        "99.981",
    )
    s = suggest_target("api", pct("99.9"), windows, hold=10)
    # Sorted down: 99.991 99.99 99.985 99.981 99.975 99.97 99.962 99.96 99.958 [99.93] 99.90 99.87
    assert s.held_level == pct("99.93")
    assert s.nice == pct("99.9")
    assert s.precise == pct("99.93")
    assert s.held_in(pct("99.93")) == 10
    assert s.held_in(s.nice) == 11
    assert s.reason is None
    assert s.sorted_levels[0] == pct("99.991")


def test_suggestion_rounds_down_and_needs_enough_windows() -> None:
    s = suggest_target("api", pct("99"), levels("99.9567", "99.98", None), hold=2)
    assert s.held_level == pct("99.9567")
    assert s.precise == pct("99.95")
    assert s.nice == pct("99.95")
    short = suggest_target("api", pct("99"), levels("99.9", None, None), hold=2)
    assert short.held_level is None
    assert short.nice is None
    assert short.reason == "only 1 of 3 windows have data; 2 needed"
    perfect = suggest_target("api", pct("99"), levels("100", "100"), hold=2)
    assert perfect.nice == pct("99.9995")
    assert perfect.precise == pct("99.99")
    with pytest.raises(InputError):
        suggest_target("api", pct("99"), levels("99"), hold=2)


def test_nice_targets_and_floor() -> None:
    assert nice_target_at_most(pct("99.949")) == pct("99.9")
    assert nice_target_at_most(pct("99.95")) == pct("99.95")
    assert nice_target_at_most(pct("89")) is None
    assert floor_to(Fraction(99999, 100000)) == pct("99.99")


def test_monthly_windows_and_their_exact_levels() -> None:
    o = Objective(
        slo="m",
        name="",
        series="api",
        target=pct("99.9"),
        window=CalendarWindow(unit=CalendarUnit.MONTH),
    )
    spans = suggestion_windows(o, at=datetime(2026, 4, 10, tzinfo=UTC), count=3)
    assert spans == [(JAN, FEB), (FEB, MAR), (MAR, APR)]
    got = window_levels(o, three_months(), spans)
    assert [w.level for w in got] == [
        Fraction(44640 * 10 - 500, 44640 * 10),
        Fraction(40320 * 10 - 50, 40320 * 10),
        Fraction(1),
    ]
    rolling = suggestion_windows(OBJ, at=datetime(2026, 4, 10, 0, 0, 30, tzinfo=UTC), count=2)
    assert rolling[-1][1] == datetime(2026, 4, 10, tzinfo=UTC)
    assert rolling[0][1] == rolling[1][0]


def test_backing_target_keeps_the_margin() -> None:
    assert required_backing_target(pct("99.9"), pct("0.05")) == pct("99.95")
    with pytest.raises(InputError, match="100 %"):
        required_backing_target(pct("99.99"), pct("0.01"))


def test_changing_effective_dates_does_not_change_the_backtest() -> None:
    moved = replace(CURRENT, effective_from=datetime(2020, 1, 1, tzinfo=UTC))
    assert run(moved) == run(CURRENT)
