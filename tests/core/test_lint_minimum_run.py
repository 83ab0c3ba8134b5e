"""The measurement lint with ``minimumRun``: the backing SLO's slices are the contract's
interval (counting every bad one, stricter than the contract), not the minimum run, whose
clock-aligned slices cut a run that straddles two of them."""

from __future__ import annotations

from fractions import Fraction

from covenant.core.agreements import DowntimeSource, Measurement
from covenant.core.model import BudgetingMethod
from tests.core.test_lint import codes, lint, only, slo, uptime, version

RUNS = Measurement(
    source=DowntimeSource.BAD_INTERVALS,
    series="api",
    interval_s=60,
    threshold=Fraction(1),
    minimum_run_s=300,
)


def test_one_minute_slices_back_five_minute_runs() -> None:
    objective = slo(
        "0.9995", method=BudgetingMethod.TIMESLICES, slice_s=60, slice_target=Fraction(1, 2)
    )
    assert codes(lint(version(uptime("0.999", measurement=RUNS)), objective)) == []


def test_slices_as_long_as_the_run_are_flagged_and_say_why() -> None:
    objective = slo(
        "0.9995", method=BudgetingMethod.TIMESLICES, slice_s=300, slice_target=Fraction(1, 2)
    )
    finding = only(
        lint(version(uptime("0.999", measurement=RUNS)), objective), "measurement-mismatch"
    )
    assert finding.message == (
        "backing SLO api-slo uses 5m time slices, but api-uptime counts 1m intervals in runs "
        "of 5m or more (minimumRun)"
    )
    assert "cut a run that straddles two of them" in finding.why
    assert finding.fix == "set timeSliceWindow: 1m on api-slo"
