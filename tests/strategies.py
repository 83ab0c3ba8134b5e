"""Hypothesis strategies shared by the test suite."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from covenant.core.model import (
    AlertTier,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    NoDataPolicy,
    Objective,
    RollingWindow,
)

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")

targets = st.sampled_from(
    [
        Fraction(9, 10),
        Fraction(99, 100),
        Fraction(999, 1000),
        Fraction(9995, 10000),
        Fraction(95, 100),
        Fraction(1, 2),
    ]
)


@st.composite
def objectives(draw: st.DrawFn, *, step: int = 60, max_window_s: int = 6 * 3600) -> Objective:
    method = draw(st.sampled_from(list(BudgetingMethod)))
    slice_s = (
        draw(st.sampled_from([step, 5 * step, 60 * step]))
        if method != BudgetingMethod.OCCURRENCES
        else None
    )
    long_s = draw(st.integers(2, 12)) * 10 * step
    tier = AlertTier(
        name="t",
        severity=draw(st.sampled_from(["page", "ticket"])),
        long_window_s=long_s,
        short_window_s=draw(st.integers(1, long_s // step)) * step,
        burn_rate=draw(
            st.sampled_from([Fraction(1), Fraction(2), Fraction(144, 10), Fraction(1, 3)])
        ),
        inclusive=draw(st.booleans()),
    )
    if draw(st.booleans()):
        window: RollingWindow | CalendarWindow = RollingWindow(
            seconds=draw(st.integers(1, max_window_s // (5 * step))) * 5 * step
        )
    else:
        window = CalendarWindow(unit=CalendarUnit.MONTH, zone=draw(st.sampled_from(ZONES)))
    return Objective(
        slo="slo",
        name="",
        series="s",
        target=draw(targets),
        window=window,
        method=method,
        time_slice_target=draw(st.sampled_from([Fraction(1, 2), Fraction(9, 10), Fraction(1)]))
        if method == BudgetingMethod.TIMESLICES
        else None,
        time_slice_window_s=slice_s,
        no_data=draw(st.sampled_from(list(NoDataPolicy))),
        minimum_events=draw(st.sampled_from([0, 0, 1, 50])),
        alert_tiers=(tier,),
    )
