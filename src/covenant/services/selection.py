"""Which rows a table command shows: ``--slo/--service/--status`` for SLOs and
``--customer/--agreement/--status`` for agreements, statements and exposure.

A pattern is a name or a shell-style glob (``checkout-*``); a filter given several times
keeps what matches any of its values, and different filters must all match. Selection never
changes a figure: it only leaves rows out.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from covenant.core.results import Evaluation, Status
from covenant.errors import InputError
from covenant.services.evaluate import (
    EvaluationReport,
    effective,
    evaluate_objectives,
    mark_unread,
)

if TYPE_CHECKING:  # selecting SLOs never loads the agreement, statement or forecast code
    from datetime import datetime

    from sqlalchemy.engine import Engine

    from covenant.core.forecast import CommitmentExposure
    from covenant.core.forecast_portfolio import CustomerExposure, Exposure
    from covenant.core.forecast_support import SupportExposure
    from covenant.core.model import Objective
    from covenant.core.statement import Statement
    from covenant.definitions.workspace import Workspace
    from covenant.services.agreements import AgreementSummary

_WILDCARD = re.compile(r"[*?\[]")


def matches(values: Iterable[str], patterns: Sequence[str]) -> bool:
    """True when no pattern is given, or any value matches any pattern (case-sensitive)."""
    if not patterns:
        return True
    return any(fnmatchcase(v, p) for v in values if v for p in patterns)


def matcher(patterns: Sequence[str]) -> Callable[[Iterable[str]], bool]:
    """``matches(values, patterns)`` as a function of ``values``, for many values: a pattern
    without a wildcard is looked up in a set (a thousand objectives: no glob per objective)."""
    if not patterns:
        return lambda _: True
    names = frozenset(p for p in patterns if not _WILDCARD.search(p))
    globs = [re.compile(fnmatch.translate(p)).match for p in patterns if p not in names]

    def match(values: Iterable[str]) -> bool:
        return any(v in names or any(g(v) for g in globs) for v in values if v)

    return match


def unmatched(patterns: Sequence[str], names: Iterable[str]) -> list[str]:
    """The patterns that match none of ``names`` (a filter with a typo shows nothing)."""
    pool = sorted({n for n in names if n})
    return [p for p in patterns if not any(fnmatchcase(n, p) for n in pool)]


def chosen_states(given: Sequence[str], choices: Sequence[str]) -> tuple[str, ...]:
    """The ``status`` values of a request, each one of ``choices`` as the CLI's ``--status``
    reads them (any case; ``no_data`` = ``no-data``); another is an ``InputError`` naming it
    and the choices."""
    allowed = {c.replace("_", "-"): c for c in choices}
    out = []
    for value in given:
        norm = value.strip().lower().replace("_", "-")
        if norm not in allowed:
            raise InputError(
                f"status={value!r} is not a status here", hint="give one of: " + ", ".join(choices)
            )
        out.append(allowed[norm])
    return tuple(out)


def status_values(given: Sequence[str]) -> tuple[str, ...]:
    """``no-data`` and ``no_data`` are the same status."""
    return tuple(s.replace("-", "_") for s in given)


def _keep(
    e: Evaluation, slos: Sequence[str], services: Sequence[str], statuses: Sequence[str]
) -> bool:
    o = e.objective
    return (
        matches((o.slo, o.key), slos)
        and matches((o.service,), services)
        and (not statuses or e.status.value in status_values(statuses))
    )


def select_report(
    report: EvaluationReport,
    *,
    slos: Sequence[str] = (),
    services: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> EvaluationReport:
    """The report with only the objectives (and composites) that match; ``--status`` is the
    status a gate uses (after corrections)."""
    if not (slos or services or statuses):
        return report
    kept = [
        i
        for i, raw in enumerate(report.evaluations)
        if _keep(
            effective(raw, report.corrected[i] if report.corrected else None),
            slos,
            services,
            statuses,
        )
    ]
    return replace(
        report,
        evaluations=tuple(report.evaluations[i] for i in kept),
        corrected=tuple(report.corrected[i] for i in kept) if report.corrected else (),
        composites=tuple(
            c
            for c in report.composites
            if _keep(effective(c.evaluation, c.corrected), slos, services, statuses)
        ),
    )


def evaluate_selected(
    engine: Engine,
    *,
    workspace: Workspace,
    at: datetime,
    slos: Sequence[str] = (),
    services: Sequence[str] = (),
    statuses: Sequence[str] = (),
    now: datetime | None = None,
) -> EvaluationReport:
    """``select_report(evaluate_workspace(...))``, the same report, evaluating only what the
    name and service filters keep (one SLO of a thousand reads one series, not a thousand);
    the status filter, which needs the results, is applied afterwards."""

    by_name, by_service = matcher(slos), matcher(services)

    def wanted(o: Objective) -> bool:
        return by_name((o.slo, o.key)) and by_service((o.service,))

    if slos and not services and not any(_WILDCARD.search(p) for p in slos):
        plain, composite = _named(workspace)  # names only: looked up, not scanned
        objectives = [workspace.objectives[i] for i in sorted(_union(plain, slos))]
        composites = [workspace.composites[i] for i in sorted(_union(composite, slos))]
    else:
        objectives = [o for o in workspace.objectives if wanted(o)]
        composites = [c for c in workspace.composites if wanted(c.objective)]
    report = evaluate_objectives(
        engine,
        objectives=objectives,
        at=at,
        composites=composites,
        corrections=workspace.corrections,
        day_sums_stale=True,  # one series' unread days of sums: its SLOs stale, not all
        now=now,
    )
    if workspace.prometheus is not None:  # never read, or read with another query: said
        report = mark_unread(engine, report, workspace.prometheus.reads)
    return select_report(report, slos=slos, services=services, statuses=statuses)


_NAMED: list[tuple[Workspace, tuple[dict[str, list[int]], dict[str, list[int]]]]] = []


def _named(workspace: Workspace) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Positions of the objectives and of the composites by SLO name and by key, for the
    workspace last asked about (an API process serves one workspace, read again on change)."""
    if _NAMED and _NAMED[0][0] is workspace:
        return _NAMED[0][1]
    found: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
    for index, objectives in zip(
        found, (workspace.objectives, [c.objective for c in workspace.composites]), strict=True
    ):
        for i, o in enumerate(objectives):
            for name in dict.fromkeys((o.slo, o.key)):
                index.setdefault(name, []).append(i)
    _NAMED[:] = [(workspace, found)]
    return found


def _union(index: dict[str, list[int]], names: Sequence[str]) -> set[int]:
    return {i for name in names for i in index.get(name, ())}


def valid_statuses() -> tuple[str, ...]:
    return tuple(s.value for s in Status)


def select_agreements(
    summaries: Sequence[AgreementSummary],
    *,
    customers: Sequence[str] = (),
    agreements: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> list[AgreementSummary]:
    """Agreements by customer, name and the status of the version in force (``none``: no
    version in force; ``tampered``: the stored agreement disagrees with its history)."""
    return [
        s
        for s in summaries
        if matches((s.customer,), customers)
        and matches((s.name,), agreements)
        and matches((agreement_state(s),), statuses)
    ]


def agreement_state(s: AgreementSummary) -> str:
    """What ``agreements list`` shows as the status: ``tampered``, ``none`` or the status of
    the version in force."""
    if s.tampered is not None:
        return "tampered"
    return "none" if s.in_force is None else s.in_force.status.value


def exposure_state(c: CommitmentExposure) -> str:
    """``owed`` (a credit is locked in), ``at-risk`` (one may still come), ``ok`` (none
    expected even in the worst case) or ``no-forecast``."""
    if c.owed_now is not None and c.owed_now.amount > 0:
        return "owed"  # a fact, even when it is too early to project the rest
    if c.no_forecast is not None:
        return "no-forecast"
    if c.worst_case_credit is not None and c.worst_case_credit.amount > 0:
        return "at-risk"
    return "ok"


def support_exposure_state(s: SupportExposure) -> str:
    """A support penalty in the same terms: ``owed`` (owed if the period ended now),
    ``at-risk`` (owed if an open ticket timer breaches), ``ok`` or ``no-forecast`` (no
    tickets, or not measured: no verdict)."""
    if s.incurred is not None and s.incurred.amount > 0:
        return "owed"
    if s.state in ("no-tickets", "not-measured"):
        return "no-forecast"
    if s.worst_case is not None and s.worst_case.amount > 0:
        return "at-risk"
    return "ok"


def select_exposure(
    e: Exposure,
    *,
    customers: Sequence[str] = (),
    agreements: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> Exposure:
    """Only the matching customers (by id or display name) and commitments; customers left
    with no commitment are left out. Totals are not recomputed: a renderer that shows a
    selection says the totals are the whole portfolio's or leaves them out."""
    kept: list[CustomerExposure] = []
    for cu in e.customers:
        if not matches((cu.customer, cu.customer_name), customers):
            continue
        commitments = tuple(
            c
            for c in cu.commitments
            if matches((c.agreement,), agreements) and matches((exposure_state(c),), statuses)
        )
        support = tuple(
            s
            for s in cu.support
            if matches((s.agreement,), agreements)
            and matches((support_exposure_state(s),), statuses)
        )
        if commitments or support:
            kept.append(replace(cu, commitments=commitments, support=support))
    return replace(e, customers=tuple(kept))


def statement_state(met: bool | None) -> str:
    return "no-data" if met is None else ("met" if met else "missed")


def select_statement(
    st: Statement, *, agreements: Sequence[str] = (), statuses: Sequence[str] = ()
) -> Statement:
    """Only the matching commitments (availability and support) of a statement; the credit
    and penalty totals stay those of the whole statement."""
    return replace(
        st,
        availability=tuple(
            a
            for a in st.availability
            if matches((a.agreement,), agreements) and matches((statement_state(a.met),), statuses)
        ),
        support=tuple(
            s
            for s in st.support
            if matches((s.agreement,), agreements) and matches((statement_state(s.met),), statuses)
        ),
    )
