"""Backtests and suggestions as tables for people and as JSON for machines.

Schemas (docs/backtest.md): ``covenant.backtest/v1`` (agreement backtest),
``covenant.alert-backtest/v1`` (alert replay) and ``covenant.suggestion/v1`` (SLO target and
backing suggestions). Fields are only ever added within a schema version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from rich.console import Console
from rich.text import Text

from covenant.core.agreements import Money
from covenant.core.backtest import AgreementBacktest, CommitmentPeriod, VersionBacktest
from covenant.core.replay import AlertReplay, TierReplay
from covenant.core.suggest import BackingSuggestion, TargetSuggestion
from covenant.render.evaluation import exact, iso, window_text
from covenant.render.sla import committed_text, level_text, money_text
from covenant.render.tables import Cell, Col, line, print_notes, print_table, text

BACKTEST_SCHEMA = "covenant.backtest/v1"
ALERT_SCHEMA = "covenant.alert-backtest/v1"
SUGGESTION_SCHEMA = "covenant.suggestion/v1"


def _money(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


def _monies(items: Sequence[Money]) -> list[dict[str, str] | None]:
    return [_money(m) for m in items]


def _monies_text(items: Sequence[Money]) -> str:
    return ", ".join(money_text(m) for m in items) or "0"


def _when(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m"


# --- agreement backtest ---------------------------------------------------------------------


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
        "credit": None if credit is None else _money(credit.amount),
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


# --- alert replay ---------------------------------------------------------------------------


def _fraction(value: Fraction | None) -> dict[str, Any]:
    return exact(value)


def alerts_json(replays: Sequence[AlertReplay]) -> dict[str, Any]:
    return {
        "schema": ALERT_SCHEMA,
        "objectives": [
            {
                "slo": r.objective.slo,
                "objective": r.objective.name,
                "target": exact(r.objective.target),
                "from": iso(r.start),
                "to": iso(r.end),
                "step_seconds": r.step_s,
                "steps": r.steps,
                "proposed_tiers": r.proposed,
                "tiers": [
                    {
                        "tier": t.name,
                        "severity": t.severity,
                        "long_window_seconds": t.long_window_s,
                        "short_window_seconds": t.short_window_s,
                        "thresholds": [exact(x) for x in t.thresholds],
                        "firing_steps": t.firing_steps,
                        "firing_seconds": t.firing_s,
                        "steps_with_data": t.steps_with_data,
                        "no_data": t.no_data,
                        "episodes": [
                            {
                                "start": iso(e.start),
                                "end": iso(e.end),
                                "ongoing": e.ongoing,
                                "duration_seconds": e.duration_s,
                                "threshold": exact(e.threshold),
                                "max_long_burn": exact(e.max_long_burn),
                                "max_short_burn": exact(e.max_short_burn),
                                "budget_consumed_at_start": _fraction(e.budget_consumed_at_start),
                                "long_window_budget": exact(e.long_window_budget),
                            }
                            for e in t.episodes
                        ],
                    }
                    for t in r.tiers
                ],
            }
            for r in replays
        ],
    }


def _coverage(r: AlertReplay, t: TierReplay) -> str | None:
    """A note when some steps had no burn rate from stored events, else None."""
    if t.no_data is not None:
        return f"no data at any of the {r.steps} steps — {t.no_data}"
    if t.steps_with_data < r.steps:
        return (
            f"a burn rate from stored data at {t.steps_with_data} of {r.steps} steps; "
            "no data at the others"
        )
    return None


def _coverage_notes(console: Console, r: AlertReplay) -> None:
    notes = {t.name: note for t in r.tiers if (note := _coverage(r, t)) is not None}
    if not notes:
        return
    if len(notes) == len(r.tiers) > 1 and len(set(notes.values())) == 1:
        notes = {"all tiers": next(iter(notes.values()))}
    for name, note in notes.items():
        missing = note.startswith("no data")
        console.print(
            f"{name}: {note}", style="yellow" if missing else "dim", markup=False, highlight=False
        )


def render_alerts_table(
    console: Console, replays: Sequence[AlertReplay], *, wide: bool = False
) -> None:
    for r in replays:
        o = r.objective
        kind = "proposed tiers" if r.proposed else "its alert tiers"
        console.print(
            line(
                (o.key, "bold"),
                f" ({level_text(o.target)}, {window_text(o)}) replayed against {kind}: "
                f"{iso(r.start)} → {iso(r.end)}, every {r.step_s // 60} min ({r.steps} steps)",
            )
        )
        cols = [
            Col("tier", name=True),
            *([Col("severity", wrap=False)] if wide else []),
            Col("start", wrap=False),
            *([Col("end", wrap=False)] if wide else []),
            Col("duration", "right", wrap=False),
            Col("max burn\nlong / short" if wide else "max burn", wrap=False),
            Col("budget\nspent", "right", wrap=False),
        ]
        rows: list[list[Cell]] = []
        styles: list[str | None] = []
        for t in r.tiers:
            severity = [t.severity] if wide else []
            if not t.episodes:
                what = "no data" if t.no_data is not None else "never fired"
                rows.append([t.name, *severity, what, *([""] if wide else []), "", "", ""])
                styles.append("yellow" if t.no_data is not None else "dim")
            for e in t.episodes:
                spent = e.budget_consumed_at_start
                burn = (
                    f"{float(e.max_long_burn):.1f}× / {float(e.max_short_burn):.1f}×"
                    if wide
                    else f"{float(e.max_long_burn):.1f}×"
                )
                end = [_when(e.end) + (" (ongoing)" if e.ongoing else "")] if wide else []
                ongoing = "+" if e.ongoing and not wide else ""
                rows.append(
                    [
                        t.name,
                        *severity,
                        _when(e.start),
                        *end,
                        _duration(e.duration_s) + ongoing,
                        burn,
                        "—" if spent is None else f"{float(spent) * 100:.1f} %",
                    ]
                )
                styles.append(None)
        print_table(console, cols, rows, styles=styles, wide=wide)
        _coverage_notes(console, r)
        console.print(
            text(
                "max burn: long window"
                + (" / short window" if wide else " (--wide: both windows, severity, end)")
                + "; budget spent: share of the SLO window's budget consumed when the tier "
                "started firing; an episode still firing ends at --to"
                + ("" if wide else " (duration marked +)"),
                "dim",
            )
        )


# --- suggestions ----------------------------------------------------------------------------


def _suggestion_json(s: TargetSuggestion) -> dict[str, Any]:
    return {
        "objective": s.objective,
        "current_target": exact(s.current_target),
        "hold": s.hold,
        "windows_with_data": s.with_data,
        "held_level": exact(s.held_level),
        "suggested": exact(s.nice),
        "suggested_precise": exact(s.precise),
        "suggested_held_in": None if s.nice is None else s.held_in(s.nice),
        "current_held_in": s.held_in(s.current_target),
        "reason": s.reason,
        "windows": [
            {
                "start": iso(w.start),
                "end": iso(w.end),
                "level": exact(w.level),
                "good": w.good,
                "total": w.total,
                "unit": w.unit,
                "no_data": w.no_data,
            }
            for w in s.windows
        ],
    }


def suggestion_json(items: Sequence[TargetSuggestion]) -> dict[str, Any]:
    return {
        "schema": SUGGESTION_SCHEMA,
        "kind": "slo",
        "suggestions": [_suggestion_json(s) for s in items],
    }


def backing_json(items: Sequence[BackingSuggestion]) -> dict[str, Any]:
    return {
        "schema": SUGGESTION_SCHEMA,
        "kind": "backing",
        "commitments": [
            {
                "agreement": b.agreement,
                "version": b.version,
                "commitment": b.commitment,
                "level": exact(b.level),
                "margin": exact(b.margin),
                "required_target": exact(b.required),
                "problem": b.problem,
                "missing_slos": list(b.missing),
                "backing": [
                    {
                        "objective": c.objective,
                        "target": exact(c.target),
                        "meets": c.meets,
                        "held_required_in": c.held_required,
                        "history": _suggestion_json(c.history),
                    }
                    for c in b.backing
                ],
            }
            for b in items
        ],
    }


def _pct(value: Fraction | None) -> str:
    return "—" if value is None else committed_text(value)


def render_suggestion_table(
    console: Console, items: Sequence[TargetSuggestion], *, wide: bool = False
) -> None:
    for s in items:
        console.print(line((s.objective, "bold"), f" — current target {_pct(s.current_target)}"))
        rows: list[list[Cell]] = [
            [
                f"{_when(w.start)} → {_when(w.end)}",
                level_text(w.level, 4) if w.level is not None else "no data",
                "—" if w.level is None else ("yes" if w.level >= s.current_target else "no"),
            ]
            for w in s.windows
        ]
        print_table(
            console,
            [
                Col("window", wrap=False),
                Col("level", "right", wrap=False),
                Col("meets\ncurrent", wrap=False),
            ],
            rows,
            wide=wide,
        )
        print_notes(
            console,
            [
                f"{_when(w.start)} → {_when(w.end)}: no data: {w.no_data}"
                for w in s.windows
                if w.level is None and w.no_data
            ],
        )
        n = len(s.windows)
        if s.held_level is None:
            console.print(text(f"no suggestion: {s.reason}"))
            continue
        console.print(
            line(
                f"level held in {s.hold} of {n} windows: {level_text(s.held_level, 4)}; "
                "suggested target ",
                (_pct(s.nice), "bold"),
                (f" (held in {s.held_in(s.nice)} of {n})" if s.nice is not None else "")
                + f", precise {_pct(s.precise)}; the current target held in "
                f"{s.held_in(s.current_target)} of {n}",
            )
        )


def render_backing_table(
    console: Console, items: Sequence[BackingSuggestion], *, wide: bool = False
) -> None:
    cols = [
        Col("commitment", name=True),
        Col("level", "right", wrap=False),
        Col("needs", "right", wrap=False),
        Col("backing SLO", name=True),
        Col("target", "right", wrap=False),
        Col("meets", wrap=False),
        *([Col("history")] if wide else []),
    ]
    rows: list[list[Cell]] = []
    notes: list[str] = []
    for b in items:
        if b.problem is not None:
            rows.append([b.commitment, _pct(b.level), "—", "—", "", Text("no", "red")])
            notes.append(f"{b.commitment}: {b.problem}")
        elif not b.backing:
            missing = ", ".join(b.missing) or "none named"
            rows.append([b.commitment, _pct(b.level), _pct(b.required), "—", "", Text("no", "red")])
            notes.append(f"{b.commitment}: no backing SLO ({missing})")
        for c in b.backing:
            h = c.history
            history = (
                f"held {level_text(h.held_level, 4)} in {h.hold} of "
                f"{len(h.windows)}; met {_pct(b.required)} in {c.held_required} of {len(h.windows)}"
            )
            rows.append(
                [
                    b.commitment,
                    _pct(b.level),
                    _pct(b.required),
                    c.objective,
                    _pct(c.target),
                    Text("yes") if c.meets else Text("no", "red"),
                ]
            )
            if wide:
                rows[-1].append(history)
            else:
                notes.append(f"{c.objective}: {history}")
    if wide:
        for row in rows:
            row.extend([""] * (len(cols) - len(row)))
    print_table(console, cols, rows, wide=wide)
    print_notes(console, notes)
