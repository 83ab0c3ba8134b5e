"""The support penalties of exposure, as JSON and as a table (docs/exposure.md "Support"):
apart from the credits, labelled as support, and "no tickets" said as such, never as 0."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from covenant.core.forecast_portfolio import CustomerExposure, Exposure
from covenant.core.forecast_support import SupportExposure
from covenant.core.money import Money
from covenant.render.evaluation import iso
from covenant.render.sla import attainment_json, level_text, money_json, money_text
from covenant.render.tables import Cell, Col, line, print_table

STATE_TEXT = {
    "no-tickets": "no tickets",
    "undecided": "no ticket decided yet",
    "met": "met so far",
    "missed": "missed so far",
    "not-measured": "not measured",
}


def support_json(s: SupportExposure) -> dict[str, Any]:
    return {
        "agreement": s.agreement,
        "version": s.version,
        "commitment": s.commitment,
        "period_start": iso(s.period_start),
        "period_end": iso(s.period_end),
        "in_force_from": iso(s.in_force[0]),
        "in_force_until": iso(s.in_force[1]),
        "state": s.state,
        "tickets": s.tickets,
        "open_timers": s.open_timers,
        "attainment": [attainment_json(a) for a in s.attainment],
        "worst_case_attainment": [attainment_json(a) for a in s.worst_case_attainment],
        "penalty_incurred": money_json(s.incurred),
        "penalty_worst_case": money_json(s.worst_case),
        "note": s.note,
    }


def customer_support_json(cu: CustomerExposure) -> dict[str, Any]:
    return {
        "support": [support_json(s) for s in cu.support],
        "support_penalty_incurred": [money_json(m) for m in cu.support_incurred],
        "support_penalty_worst_case": [money_json(m) for m in cu.support_worst_case],
    }


def portfolio_support_json(e: Exposure) -> dict[str, Any]:
    return {
        "support_penalty_incurred": [money_json(m) for m in e.support_incurred],
        "support_penalty_worst_case": [money_json(m) for m in e.support_worst_case],
    }


def _missed(s: SupportExposure) -> str:
    """The priorities and timers below the required share so far, e.g. "P1 resolution 50 %"."""
    return ", ".join(
        f"{a.priority} {a.kind.value} {level_text(a.share, 1)}"
        for a in s.attainment
        if a.ok is False
    )


def state_text(s: SupportExposure) -> str:
    missed = _missed(s)
    return STATE_TEXT[s.state] + (f"\n({missed})" if missed else "")


def _penalty_text(m: Money | None, s: SupportExposure) -> str:
    return "no tickets" if s.state == "no-tickets" else "—" if m is None else money_text(m)


def render_support_table(
    console: Console, rows_of: Sequence[tuple[str, SupportExposure]], *, wide: bool = False
) -> None:
    """One row per support commitment and version in force in its current period: the verdict
    so far, the tickets (open timers), the penalty owed if the period ended now and the one
    owed if every open timer breached."""
    if not rows_of:
        return
    console.print(
        line(("Support penalties", "bold"), " (not credits: no cap applies; docs/exposure.md)")
    )
    names = (
        [Col("customer", name=True), Col("agreement", name=True), Col("commitment", name=True)]
        if wide
        else [Col("customer\nagreement\ncommitment", name=True)]
    )
    cols = [
        *names,
        Col("so far", wrap=False),
        Col("tickets\n(open)", "right", wrap=False),
        Col("owed if\nended now", "right", wrap=False),
        Col("worst case", "right", wrap=False),
    ]
    rows: list[list[Cell]] = []
    for customer_name, s in rows_of:
        who = [customer_name, f"{s.agreement} v{s.version}", s.commitment]
        rows.append(
            [
                *(who if wide else ["\n".join(who)]),
                state_text(s),
                f"{s.tickets}\n({s.open_timers})",
                _penalty_text(s.incurred, s),
                _penalty_text(s.worst_case, s),
            ]
        )
    print_table(console, cols, rows, lines_between=True, wide=wide)


def support_totals_text(incurred: Sequence[Money], worst: Sequence[Money]) -> str:
    def sums(amounts: Sequence[Money]) -> str:
        return ", ".join(money_text(m) for m in amounts) or "nothing"

    return f"support penalties owed if ended now {sums(incurred)}, worst case {sums(worst)}"
