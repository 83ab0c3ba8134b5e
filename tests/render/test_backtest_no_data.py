"""A backtest over periods with no data (not started, before the history) shows "—" in its
difference and totals, never a bare 0 that reads as "the proposal costs nothing more"."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from fractions import Fraction

from rich.console import Console

from covenant.core.backtest import AgreementBacktest, CommitmentPeriod, VersionBacktest
from covenant.render.backtest import render_backtest_table

JAN = datetime(2027, 1, 1, tzinfo=UTC)
FEB = datetime(2027, 2, 1, tzinfo=UTC)


def version(number: int, status: str, level: Fraction) -> VersionBacktest:
    row = CommitmentPeriod(
        label="2027-01",
        period_start=JAN,
        period_end=FEB,
        commitment="uptime",
        committed=level,
        result=None,
        no_data="the period has not started",
    )
    return VersionBacktest(
        agreement="acme-sla",
        version=number,
        customer="acme",
        status=status,
        currency="USD",
        rows=(row,),
    )


def test_periods_without_data_show_no_amount_rather_than_zero() -> None:
    bt = AgreementBacktest(
        proposed=version(2, "proposed", Fraction(9995, 10000)),
        current=(version(1, "active", Fraction(999, 1000)),),
        labels=("2027-01",),
        at=datetime(2026, 12, 4, tzinfo=UTC),
    )
    out = io.StringIO()
    render_backtest_table(Console(file=out, width=80, color_system=None), bt)
    lines = out.getvalue().splitlines()
    january = next(line for line in lines if line.startswith("2027-01"))
    total = next(line for line in lines if line.startswith("total"))
    assert january.split() == ["2027-01", "—", "no", "data", "no", "data", "—"]
    assert total.split() == ["total", "—", "—", "—"]
