"""``measurement.minimumRun``: only with bad-intervals, a whole number of intervals; a clear
error at the field otherwise (docs/errors.md#invalid-minimum-run)."""

from __future__ import annotations

import pytest

from tests.definitions.helpers import errors
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, V1, agreement, line, load

OLD = "            errorRateAtLeast: 5\n"
FIELD = "spec.versions[0].availability[0].measurement.minimumRun"


def text(minimum_run: str, *, interval: str = "5m") -> str:
    body = V1.replace(OLD, OLD + f"            minimumRun: {minimum_run}\n").replace(
        "interval: 5m", f"interval: {interval}"
    )
    return "---\n".join([CUSTOMER, CALENDAR, agreement(body)])


def test_a_whole_number_of_intervals_is_read() -> None:
    workspace, problems = load(text("15m"))
    assert workspace is not None, problems
    assert workspace.agreements[0].availability[0].measurement.minimum_run_s == 900


def test_without_it_nothing_changes() -> None:
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(V1)]))
    assert workspace is not None, problems
    assert workspace.agreements[0].availability[0].measurement.minimum_run_s is None


@pytest.mark.parametrize(("run", "interval", "fix"), [("7m", "5m", "10m"), ("90m", "1h", "2h")])
def test_a_run_that_is_not_whole_intervals_is_refused(run: str, interval: str, fix: str) -> None:
    source = text(run, interval=interval)
    workspace, problems = load(source)
    assert workspace is None
    (problem,) = errors(problems)
    assert (problem.code, problem.field) == ("invalid-minimum-run", FIELD)
    assert problem.where == f"ws.yaml:{line(source, 'minimumRun')}"
    assert f"not a whole number of {interval} intervals" in problem.message
    assert f"minimumRun: {fix}" in problem.fix


def test_a_run_with_another_source_is_refused() -> None:
    old = "measurement: {source: incidents, severities: [sev1]}"
    body = V1.replace(old, "measurement: {source: incidents, minimumRun: 5m}")
    workspace, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(body)]))
    assert workspace is None
    (problem,) = errors(problems)
    assert problem.code == "invalid-minimum-run"
    assert problem.field == "spec.versions[0].availability[1].measurement.minimumRun"
    assert "source incidents" in problem.message
    assert "bad-intervals" in problem.fix
