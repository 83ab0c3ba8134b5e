"""Exposure as a table and as JSON (``covenant.exposure/v1``, documented in docs/exposure.md).

Internal: it shows forecasts, probabilities and money at risk for the provider, not for
customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from covenant.core.alert_rules_sla import crossing_text
from covenant.core.elapsed import after_now_note
from covenant.core.forecast import (
    BAND,
    CommitmentExposure,
    TierCrossing,
)
from covenant.core.forecast_model import TOO_EARLY
from covenant.core.forecast_portfolio import CustomerExposure, Exposure
from covenant.core.forecast_support import SupportExposure
from covenant.core.money import Money
from covenant.render.evaluation import exact, iso
from covenant.render.exposure_support import (
    customer_support_json,
    portfolio_support_json,
    render_support_table,
    support_totals_text,
)
from covenant.render.sla import level_text, money_text
from covenant.render.tables import Cell, Col, line, print_notes, print_table, text

SCHEMA = "covenant.exposure/v1"
_SHOWN = 0.005  # tier probabilities below half a percent are left out of the table


def _money(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


alert_text = crossing_text  # the worker's forecast alerts say the same (core.alert_rules_sla)


def alerts(customer_name: str, c: CommitmentExposure) -> list[str]:
    return [alert_text(customer_name, c, x) for x in c.crossings]


def _crossing_json(customer_name: str, c: CommitmentExposure, x: TierCrossing) -> dict[str, Any]:
    return {
        "at": iso(x.at),
        "percent": str(x.percent),
        "credit": _money(x.credit),
        "projected": x.projected,
        "text": alert_text(customer_name, c, x),
    }


def commitment_json(customer_name: str, c: CommitmentExposure) -> dict[str, Any]:
    return {
        "agreement": c.agreement,
        "version": c.version,
        "commitment": c.commitment,
        "services": list(c.services),
        "source": c.source.value,
        "committed": exact(c.committed),
        "period_start": iso(c.period_start),
        "period_end": iso(c.period_end),
        "time_zone": c.zone,
        "eligible_so_far_seconds": c.eligible_so_far_s,
        "eligible_total_seconds": c.eligible_total_s,
        "downtime_so_far_seconds": c.downtime_so_far_s,
        "level_so_far": exact(c.level_so_far),
        "no_forecast": c.no_forecast,
        "owed_now": _money(c.owed_now),
        "owed_now_percent": None if c.owed_now_percent is None else str(c.owed_now_percent),
        "projected_downtime_seconds": c.projected_downtime_s,
        "projected_level": exact(c.projected_level),
        "band": {
            "quantiles": list(BAND),
            "low": exact(c.band_low),
            "high": exact(c.band_high),
        },
        "tiers": [
            {
                "tier": t.tier,
                "percent": str(t.percent),
                "probability": round(t.probability, 6),
                "credit": _money(t.credit),
            }
            for t in c.tiers
        ],
        "expected_credit": _money(c.expected_credit),
        "worst_case_credit": _money(c.worst_case_credit),
        "worst_case_percent": None if c.worst_case_percent is None else str(c.worst_case_percent),
        "crossings": [_crossing_json(customer_name, c, x) for x in c.crossings],
        "history_periods": c.history_periods,
        "credibility": None if c.credibility is None else round(c.credibility, 6),
        "notes": list(c.notes),
    }


def _customer_json(cu: CustomerExposure) -> dict[str, Any]:
    return {
        "customer": cu.customer,
        "customer_name": cu.customer_name,
        "commitments": [commitment_json(cu.customer_name, c) for c in cu.commitments],
        "owed_now": [_money(m) for m in cu.owed_now],
        "expected_credit": [_money(m) for m in cu.expected],
        "worst_case_credit": [_money(m) for m in cu.worst_case],
        **customer_support_json(cu),
    }


def not_yet(e: Exposure) -> str | None:
    """What an exposure at an instant after now says (None at or before now)."""
    until = e.measured_until or e.at
    return after_now_note(e.at, until, "each period so far is measured", " and forecast from there")


def exposure_json(e: Exposure) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "at": iso(e.at),
        "measured_until": iso(e.measured_until or e.at),
        "not_yet_note": not_yet(e),
        "customers": [_customer_json(cu) for cu in e.customers],
        "portfolio": {
            "owed_now": [_money(m) for m in e.owed_now],
            "expected_credit": [_money(m) for m in e.expected],
            "worst_case_credit": [_money(m) for m in e.worst_case],
            **portfolio_support_json(e),
        },
    }


def _tiers_text(c: CommitmentExposure) -> str:
    parts = [
        f"{'none' if t.tier is None else f'{t.percent} %'}: {t.probability * 100:.0f} %"
        for t in c.tiers
        if t.probability >= _SHOWN
    ]
    return "\n".join(parts)


def _projected_text(c: CommitmentExposure, *, band: bool) -> str:
    level = level_text(c.projected_level)
    if not band:
        return level
    return f"{level}\n({level_text(c.band_low)} – {level_text(c.band_high)})"


def _worst_text(c: CommitmentExposure) -> str:
    return money_text(c.worst_case_credit) + f"\n({c.worst_case_percent} %)"


def render_exposure_table(
    console: Console, e: Exposure, *, wide: bool = False, selected: bool = False
) -> None:
    """One row per commitment, each alert sentence on its own line below the table, then the
    totals per customer and for the portfolio (left out when ``selected``: the rows are a
    selection). The compact form fits 80 columns; ``wide`` adds the band, the tier chances and
    one column per name."""
    periods = "current periods"
    if not_yet(e) is not None:  # an --at after now: measured up to now, projected from there
        periods += f" measured up to {iso(e.measured_until or e.at)}"
    console.print(line(("Credit exposure", "bold"), f" as of {iso(e.at)} ({periods}, projected)"))
    band = f"({BAND[0] * 100:.0f}–{BAND[1] * 100:.0f} %)"
    if wide:
        cols = [
            Col("customer", name=True),
            Col("agreement", name=True),
            Col("commitment", name=True),
            Col("so far", "right", wrap=False),
            Col(f"projected\n{band}", "right", wrap=False),
            Col("tier chances", wrap=False),
            Col("expected", "right", wrap=False),
            Col("worst case", "right", wrap=False),
        ]
    else:
        cols = [
            Col("customer\nagreement\ncommitment", name=True),
            Col("so far", "right", wrap=False),
            Col("projected", "right", wrap=False),
            Col("expected", "right", wrap=False),
            Col("worst case", "right", wrap=False),
        ]
    if not e.customers and not selected:  # nothing measured is no verdict of "nothing owed"
        console.print(
            f"no agreement is in force at {iso(e.at)}: there is no credit to forecast — "
            "write Customer and Agreement documents (docs/agreements.md), or check --at"
        )
        return
    rows: list[list[Cell]] = []
    notes: list[str] = []
    sentences: list[str] = []
    for cu in e.customers:
        for c in cu.commitments:
            names: list[Cell] = (
                [cu.customer_name, f"{c.agreement} v{c.version}", c.commitment]
                if wide
                else [f"{cu.customer_name}\n{c.agreement} v{c.version}\n{c.commitment}"]
            )
            so_far = level_text(c.level_so_far)
            if c.no_forecast is not None:
                early = c.no_forecast.startswith(TOO_EARLY)
                figures: list[Cell] = [
                    TOO_EARLY if early else "no forecast",
                    *([""] if wide else []),
                    "—",
                    "—",
                ]
                notes.append(f"{cu.customer_name} {c.commitment}: no forecast: {c.no_forecast}")
                notes.extend(f"{cu.customer_name} {c.commitment}: {n}" for n in c.notes)
            else:
                figures = [
                    _projected_text(c, band=wide),
                    *([_tiers_text(c)] if wide else []),
                    money_text(c.expected_credit),
                    _worst_text(c),
                ]
                notes.extend(f"{cu.customer_name} {c.commitment}: {n}" for n in c.notes)
            rows.append([*names, so_far, *figures])
            sentences.extend(alerts(cu.customer_name, c))
        notes.extend(f"{cu.customer_name} {s.commitment}: {s.note}" for s in cu.support if s.note)
    if rows or not any(cu.support for cu in e.customers):
        print_table(console, cols, rows, lines_between=True, wide=wide)
    render_support_table(
        console, [(cu.customer_name, s) for cu in e.customers for s in cu.support], wide=wide
    )
    # wrapped under themselves, as every table's notes are
    print_notes(console, [line(("alert: ", "bold yellow"), s) for s in sentences])
    if selected:
        console.print(
            text("totals left out: the rows above are a selection (filters given)", "dim")
        )
    else:
        for cu in e.customers:
            console.print(
                line(
                    cu.customer_name,
                    _totals_text(
                        cu.commitments,
                        (cu.expected, cu.worst_case, cu.owed_now),
                        cu.support,
                        (cu.support_incurred, cu.support_worst_case),
                    ),
                )
            )
        console.print(
            line(
                ("portfolio", "bold"),
                _totals_text(
                    [c for cu in e.customers for c in cu.commitments],
                    (e.expected, e.worst_case, e.owed_now),
                    [s for cu in e.customers for s in cu.support],
                    (e.support_incurred, e.support_worst_case),
                ),
            )
        )
    print_notes(console, [f"note — {n}" for n in notes])


def _unforecast_text(commitments: Sequence[CommitmentExposure]) -> str:
    """Says that the expected and worst-case sums leave out commitments without a forecast."""
    n = sum(c.no_forecast is not None for c in commitments)
    if not n:
        return ""
    plural = "s" if n > 1 else ""
    return f" (expected and worst case leave out {n} commitment{plural} without a forecast)"


def _totals_text(
    commitments: Sequence[CommitmentExposure],
    credits: tuple[tuple[Money, ...], tuple[Money, ...], tuple[Money, ...]],
    support: Sequence[SupportExposure],
    penalties: tuple[Sequence[Money], Sequence[Money]],
) -> str:
    """ ": expected …, worst case …, locked in so far …; support penalties …": the credit part
    only with an availability commitment (none is no verdict, not "nothing"), the support part
    only with a support commitment."""
    expected, worst, owed = credits
    parts = []
    if commitments:
        parts.append(
            f"expected {_sum_text(expected)}, worst case {_sum_text(worst)}, "
            f"locked in so far {_sum_text(owed)}" + _unforecast_text(commitments)
        )
    if support:
        parts.append(support_totals_text(*penalties))
    return ": " + "; ".join(parts)


def _sum_text(amounts: tuple[Money, ...]) -> str:
    return ", ".join(money_text(m) for m in amounts) or "nothing"
