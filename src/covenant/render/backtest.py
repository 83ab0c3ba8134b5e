"""Agreement backtests as a table for people and as JSON for machines.

Schema ``covenant.backtest/v1`` (docs/backtest.md); fields are only ever added within a schema
version. Alert replays render in ``alert_backtest``, suggestions in ``suggest``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from covenant.core.backtest import AgreementBacktest, CommitmentPeriod, VersionBacktest
from covenant.core.money import Money
from covenant.render.evaluation import exact, iso
from covenant.render.sla import committed_text, level_text, money_json, money_text
from covenant.render.tables import Cell, Col, line, print_notes, print_table, text

BACKTEST_SCHEMA = "covenant.backtest/v1"


def _monies(items: Sequence[Money]) -> list[dict[str, str] | None]:
    return [money_json(m) for m in items]


def _monies_text(items: Sequence[Money]) -> str:
    """The amounts per currency; none at all (no period measured: no data, not yet started)
    is "—", never a 0 that reads as "nothing owed"."""
    return ", ".join(money_text(m) for m in items) or "—"


def _row_json(r: CommitmentPeriod) -> dict[str, Any]:
    a = r.result
    credit = None if a is None else a.credit
    return {
        "period": r.label,
        "period_start": iso(r.period_start),
        "period_end": iso(r.period_end),
        "commitment": r.commitment,
        "committed": exact(r.committed),
        "level": exact(r.level),
        "no_data": r.no_data,
        "partial": r.partial,
        "complete": None if a is None else a.complete,
        "eligible_start": None if a is None else iso(a.eligible_start),
        "eligible_end": None if a is None else iso(a.eligible_end),
        "eligible_seconds": None if a is None else a.eligible_s,
        "downtime_seconds": None if a is None else a.downtime_s,
        "excluded_seconds": None if a is None else a.excluded_s,
        "met": None if a is None else a.met,
        "tier": None if credit is None or credit.tier is None else str(credit.tier),
        "credit_percent": None if credit is None else str(credit.percent),
        "credit": None if credit is None else money_json(credit.amount),
        "notes": [] if credit is None else list(credit.notes),
    }


def _version_json(v: VersionBacktest) -> dict[str, Any]:
    return {
        "agreement": v.agreement,
        "version": v.version,
        "customer": v.customer,
        "status": v.status,
        "currency": v.currency,
        "periods": [_row_json(r) for r in v.rows],
        "credits": _monies(v.credits()),
    }


def backtest_json(bt: AgreementBacktest) -> dict[str, Any]:
    return {
        "schema": BACKTEST_SCHEMA,
        "at": iso(bt.at),
        "periods": list(bt.labels),
        "proposed": _version_json(bt.proposed),
        "current": [_version_json(v) for v in bt.current],
        "by_period": [
            {
                "period": label,
                "proposed": _monies(bt.proposed.credits(label)),
                "current": _monies(bt.current_credits(label)),
                "difference": _monies(bt.difference(label)),
            }
            for label in bt.labels
        ],
        "totals": {
            "proposed": _monies(bt.proposed.credits()),
            "current": _monies(bt.current_credits()),
            "difference": _monies(bt.difference()),
        },
        "lint": [
            {
                "code": f.code,
                "severity": f.severity,
                "commitment": f.commitment,
                "message": f.message,
                "why": f.why,
                "fix": f.fix,
            }
            for f in bt.findings
        ],
    }


def _cell(rows: Sequence[CommitmentPeriod], *, wide: bool) -> str:
    """Wide: ``level (partial) · tier · credit`` per commitment. Compact: the credit tier and
    amount only (``met``, ``25 % 600.00 USD``, ``no data``); the level has its own column."""
    if not rows:
        return "—"
    parts = []
    for r in rows:
        if r.level is None:
            parts.append(f"no data ({r.no_data})" if r.no_data and wide else "no data")
            continue
        credit = r.result.credit if r.result else None
        met = r.result is not None and r.result.met
        tier = "met" if met else (f"{credit.percent} %" if credit else "—")
        amount = money_text(credit.amount) if credit else "—"
        if wide:
            partial = " (partial)" if r.partial else ""
            parts.append(f"{level_text(r.level)}{partial} · {tier} · {amount}")
        else:
            parts.append("met" if met else f"{tier} {amount}")
    return "\n".join(parts)


def _levels(rows: Sequence[CommitmentPeriod]) -> str:
    return (
        "\n".join(
            "—" if r.level is None else level_text(r.level) + ("*" if r.partial else "")
            for r in rows
        )
        or "—"
    )


def render_backtest_table(console: Console, bt: AgreementBacktest, *, wide: bool = False) -> None:
    p = bt.proposed
    commits = ", ".join(
        f"{c} {committed_text(r.committed)}" for c, r in {r.commitment: r for r in p.rows}.items()
    )
    console.print(
        line(("Backtest of ", "bold"), (p.key, "bold"), f" ({p.status}) for ", p.customer),
        soft_wrap=True,
    )
    console.print(line("commits to ", commits))
    if bt.current:
        console.print(
            text("compared with " + ", ".join(f"{v.key} ({v.status})" for v in bt.current))
        )
    else:
        console.print(text("no signed terms in force for this customer to compare with"))
    console.print(
        text(
            "both evaluated as if in force in every period (effective dates ignored), "
            f"on history up to {iso(bt.at)}",
            "dim",
        )
    )
    current = ", ".join(v.key for v in bt.current) or "none"
    if wide:
        cols = [
            Col("period", name=True),
            Col(f"proposed {p.key}\nlevel · credit tier · credit"),
            Col(f"current {current}\nlevel · credit tier · credit"),
            Col("difference", "right", wrap=False),
        ]
    else:
        cols = [
            Col("period", name=True),
            Col("level", "right", wrap=False),
            Col("proposed", wrap=False),
            Col("current", wrap=False),
            Col("difference", "right", wrap=False),
        ]
    rows: list[list[Cell]] = []
    partial = False
    for label in bt.labels:
        mine = [r for r in p.rows if r.label == label]
        theirs = [r for v in bt.current for r in v.rows if r.label == label]
        partial = partial or any(r.partial for r in mine)
        figures = [_cell(mine, wide=wide), _cell(theirs, wide=wide)]
        rows.append(
            [
                label,
                *([] if wide else [_levels(mine)]),
                *figures,
                _monies_text(bt.difference(label)),
            ]
        )
    rows.append(
        [
            "total",
            *([] if wide else [""]),
            _monies_text(p.credits()),
            _monies_text(bt.current_credits()),
            _monies_text(bt.difference()),
        ]
    )
    styles: list[str | None] = [None] * (len(rows) - 1) + ["bold"]
    print_table(console, cols, rows, styles=styles, wide=wide)
    notes = []
    if not wide:
        notes.append("level: the proposed terms' measured level; * the period is partly on record")
        notes += [
            f"{label}: no data: {r.no_data}"
            for label in bt.labels
            for r in p.rows
            if r.label == label and r.level is None and r.no_data
        ]
    print_notes(console, notes)
    for f in bt.findings:
        console.print(
            text(
                f"{f.severity} [{f.code}] {f.commitment}: {f.message}"
                + (f" — {f.fix}" if wide else ""),
                "red" if f.severity == "error" else "yellow",
            )
        )
    if bt.findings and not wide:
        print_notes(console, ["--wide shows how to fix each finding (or run covenant lint)"])
