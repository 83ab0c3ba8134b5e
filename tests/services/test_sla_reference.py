"""Statements' availability figures and credits against a brute-force count of seconds
(tests/core/sla_reference.py), through ``report_statement`` — what `covenant report sla` runs.

Hypothesis (tests/services/sla_cases.py) draws an agreement in a zone with daylight saving
(Berlin, New York, Lord Howe's half hour) or none, a month or quarter around its changes; one
version, an amendment mid-period, a draft that never counts, a contract that starts (at an
instant or on a date) or ends mid-period, or a gap between two versions; sometimes a second
agreement in another zone. Commitments have random tiers (every bound kind), caps, minimums,
exclusions, `eligible`, severities, k-of-n components, and records from long ago, from inside
the period or from the first incident. Incidents overlap, touch, have no length, stay open,
cross the period's edges and the DST change, are for the customer, another or everyone, and
are flagged customer-caused, force majeure or planned maintenance; maintenance windows are
announced in time, a second late or after they start. A statement is final or in progress,
at or after now. Every figure of every commitment — period, eligible, downtime, excluded and
uncovered seconds, the evidence rows' sums, the exact level, met, the tier, fee, credit before
and after limits (the agreement's cap too), the claim deadline — and the statement's credit
totals must equal the reference's.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, Phase, given, settings

from covenant.config import sqlite_url
from covenant.core import agreements as model
from covenant.core.statement import Statement
from covenant.core.timeutil import to_epoch
from covenant.services.ingest import open_store
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.core import sla_reference as ref
from tests.services.sla_cases import CUSTOMER, Case, cases, iso, workspace_text


def engine_statement(case: Case, folder: Path) -> Statement:
    (folder / "contract.yaml").write_text(workspace_text(case))
    engine = open_store(sqlite_url(folder))
    try:
        with engine.begin() as conn:
            save_incidents(
                conn,
                at=datetime(2027, 6, 1, tzinfo=UTC),
                incidents=[
                    model.Incident(
                        id=i.id,
                        services=i.services,
                        start=datetime.fromtimestamp(i.start, UTC),
                        end=None if i.end is None else datetime.fromtimestamp(i.end, UTC),
                        severity=i.severity,
                        customer_caused=i.customer_caused,
                        force_majeure=i.force_majeure,
                        planned_maintenance=i.planned_maintenance,
                        customers=i.customers,
                    )
                    for i in case.incidents
                ],
            )
        return report_statement(
            engine,
            workspace=load_workspace(folder),
            customer=CUSTOMER,
            period=case.period,
            at=datetime.fromtimestamp(case.at, UTC),
            now=datetime.fromtimestamp(case.now, UTC),
        )
    finally:
        engine.dispose()


def reference_results(case: Case) -> list[ref.Result]:
    return ref.statement(
        case.versions,
        customer=CUSTOMER,
        year=case.year,
        month=case.month,
        at=case.at,
        now=case.now,
        incidents=case.incidents,
        windows=case.windows,
    )


def figures(st_: Statement) -> list[dict[str, object]]:
    out = []
    for a in st_.availability:
        credit = a.credit
        out.append(
            {
                "commitment": (a.agreement, a.version, a.commitment),
                "period": (to_epoch(a.period_start), to_epoch(a.period_end)),
                "eligible_s": a.eligible_s,
                "downtime_s": a.downtime_s,
                "excluded_s": a.excluded_s,
                "uncovered_s": a.uncovered_s,
                "level": a.level,
                "no_data": a.no_data is not None,
                "met": a.met,
                "percent": None if credit is None else credit.percent,
                "fee": None if credit is None else credit.fee.amount,
                "uncapped": None if credit is None else credit.uncapped.amount,
                "credit": None if credit is None else credit.amount.amount,
                "claim_deadline": None if a.claim_deadline is None else to_epoch(a.claim_deadline),
                # the evidence rows add up to the totals
                "down_rows": sum(e.seconds for e in a.down),
                "excluded_rows": sum(e.seconds for e in a.exclusions),
            }
        )
    return out


def expected(results: list[ref.Result]) -> list[dict[str, object]]:
    return [
        {
            "commitment": (r.agreement, r.version, r.commitment),
            "period": (r.period_start, r.period_end),
            "eligible_s": r.eligible_s,
            "downtime_s": r.downtime_s,
            "excluded_s": r.excluded_s,
            "uncovered_s": r.uncovered_s,
            "level": r.level,
            "no_data": r.level is None,
            "met": r.met,
            "percent": r.percent,
            "fee": r.fee,
            "uncapped": r.uncapped,
            "credit": r.credit,
            "claim_deadline": r.claim_deadline,
            "down_rows": r.downtime_s,
            "excluded_rows": r.excluded_s,
        }
        for r in results
    ]


def tier_indexes(st_: Statement, case: Case) -> list[int | None]:
    """The index of the tier each engine credit applied, in its commitment's tiers."""
    out = []
    for a in st_.availability:
        if a.credit is None or a.credit.tier is None:
            out.append(None)
            continue
        version = next(
            v for v in case.versions if (v.agreement, v.number) == (a.agreement, a.version)
        )
        commitment = next(c for c in version.commitments if c.name == a.commitment)
        tier = a.credit.tier
        found = [
            k
            for k, t in enumerate(commitment.tiers)
            if t.credit == tier.credit
            and (t.below is None) == (tier.below is None)
            and (t.below is None or Fraction(t.below) / 100 == tier.below)
            and (t.low is None or Fraction(t.low) / 100 == tier.at_least)
            and t.below_inclusive == tier.below_inclusive
            and (t.low is None or t.low_inclusive == tier.at_least_inclusive)
        ]
        out.append(found[0] if found else -1)
    return out


def totals(results: list[ref.Result], currency: str) -> list[tuple[Decimal, str]]:
    amounts = [r.credit for r in results if r.credit]
    return [(sum(amounts, Decimal(0)), currency)] if amounts else []


def describe(case: Case) -> str:
    """What a failure needs to be reproduced by hand: the workspace, incidents and instants."""
    lines = [workspace_text(case), f"period {case.period}, at {iso(case.at)}, now {iso(case.now)}"]
    lines += [
        f"{i.id} {i.services} {iso(i.start)} → {'open' if i.end is None else iso(i.end)} "
        f"{i.severity!r} cc={i.customer_caused} fm={i.force_majeure} for={i.customers}"
        for i in case.incidents
    ]
    return "\n".join(lines)


EXAMPLES = int(os.environ.get("COVENANT_SLA_REFERENCE_EXAMPLES", "30"))
"""A few seconds by default; the reference was run with 400 (set the variable to run more)."""


@settings(
    max_examples=EXAMPLES,
    phases=[Phase.explicit, Phase.generate],  # shrinking a statement takes minutes
    deadline=None,
    derandomize=True,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_statement_figures_equal_a_count_of_seconds(case: Case) -> None:
    with TemporaryDirectory() as folder:
        got = engine_statement(case, Path(folder))
    want = reference_results(case)
    assert figures(got) == expected(want), describe(case)
    assert tier_indexes(got, case) == [r.tier for r in want], describe(case)
    assert [(m.amount, m.currency) for m in got.credits] == totals(want, case.currency)
