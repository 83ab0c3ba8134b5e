"""The measurement check: does the backing SLO measure downtime the way the contract does?

Incident-measured contracts want an Occurrences SLO; interval-measured ones (bad-intervals,
mean-error-rate) want time slices of the contract's interval, of the matching kind, on the same
series, with a slice target above the contract's down threshold — also with a ``minimumRun``,
where slices of the interval count every bad one and so stay stricter than the contract.
"""

from __future__ import annotations

from collections.abc import Iterator

from covenant.core.agreements import AvailabilityCommitment, DowntimeSource
from covenant.core.lint_findings import Context, Finding, length_text, percent
from covenant.core.model import BudgetingMethod, Objective


def measurement_findings(
    ctx: Context, commitment: AvailabilityCommitment, objective: Objective
) -> Iterator[Finding]:
    m = commitment.measurement
    method = objective.method
    slo = objective.key

    def finding(message: str, why: str, fix: str) -> Finding:
        return ctx.finding(
            code="measurement-mismatch",
            severity="warning",
            commitment=commitment.name,
            slo=slo,
            message=message,
            why=why,
            fix=fix,
        )

    interval = length_text(m.interval_s)
    if m.source is DowntimeSource.INCIDENTS:
        if method is not BudgetingMethod.OCCURRENCES:
            yield finding(
                f"backing SLO {slo} judges time slices by error ratio ({method.value}), but "
                f"{commitment.name} counts downtime from incident records",
                "downtime counts for the customer when an incident is recorded, whatever its "
                "error ratio; slices that pass the SLO can be downtime in the contract, and "
                "the other way round",
                "measure the contract on the SLO's series (measurement: {source: "
                "bad-intervals, slo: ...}) or back it with an SLO that tracks the same outages",
            )
        return
    if m.series is not None and objective.series != m.series:
        yield finding(
            f"backing SLO {slo} reads series {objective.series!r}, but {commitment.name} "
            f"measures downtime on {m.series!r}",
            "the SLO watches other requests than the ones the contract is judged on: its "
            "budget says nothing about the contract's level",
            f"back {commitment.name} with the SLO whose SLI is {m.series!r}, or point "
            "measurement.slo at the backing SLO",
        )
    source = m.source.value
    wanted = (
        BudgetingMethod.TIMESLICES
        if m.source is DowntimeSource.BAD_INTERVALS
        else BudgetingMethod.RATIO_TIMESLICES
    )
    if method is BudgetingMethod.OCCURRENCES:
        yield finding(
            f"backing SLO {slo} budgets events (Occurrences), but {commitment.name} counts "
            f"{interval} intervals ({source})",
            "events and intervals weigh outages differently: a burst at peak traffic spends "
            "much SLO budget but few contract intervals, an outage in a quiet hour spends "
            "little budget but many intervals",
            f"use budgetingMethod: {wanted.value} with timeSliceWindow: {interval}"
            + (
                f" and timeSliceTarget above {percent(1 - m.threshold)}"
                if m.threshold is not None and wanted is BudgetingMethod.TIMESLICES
                else ""
            ),
        )
        return
    if objective.time_slice_window_s != m.interval_s:
        slice_s = objective.time_slice_window_s or 0
        runs = m.minimum_run_s is not None and slice_s == m.minimum_run_s
        yield finding(
            f"backing SLO {slo} uses {length_text(slice_s)} "
            f"time slices, but {commitment.name} counts {interval} intervals"
            + (f" in runs of {length_text(slice_s)} or more (minimumRun)" if runs else ""),
            "slices as long as the minimum run, aligned to the clock, cut a run that straddles "
            "two of them, so the SLO misses downtime the contract counts; slices of the "
            "interval count every bad one and stay stricter than the contract"
            if runs
            else "a slice of another length averages a failure differently: a short outage can "
            "fail a contract interval and leave a longer slice good (or the reverse)",
            f"set timeSliceWindow: {interval} on {objective.slo}",
        )
    if method is not wanted:
        yield finding(
            f"backing SLO {slo} is {method.value}, but {commitment.name} is measured as {source}",
            "bad-intervals counts a whole interval down once its error rate crosses the "
            "threshold; mean-error-rate averages the per-interval ratios. An SLO of the other "
            "kind can pass while the contract's level falls",
            f"use budgetingMethod: {wanted.value} for an SLO that backs a {source} commitment",
        )
        return
    if wanted is BudgetingMethod.TIMESLICES and m.threshold is not None:
        slice_target = objective.time_slice_target
        floor = 1 - m.threshold  # the good ratio at which the contract calls an interval down
        if slice_target is not None and (
            slice_target < floor or (slice_target == floor and m.threshold_inclusive)
        ):
            op = "≥" if m.threshold_inclusive else ">"
            yield finding(
                f"backing SLO {slo} counts a slice good at a success ratio ≥ "
                f"{percent(slice_target)}, but {commitment.name} counts an interval down at an "
                f"error rate {op} {percent(m.threshold)}",
                "intervals between the two are down for the customer and good for the SLO: "
                "the SLO does not spend budget on them",
                f"raise timeSliceTarget above {percent(floor)}",
            )
