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
from rich.table import Table

from covenant.core.agreements import Money
from covenant.core.backtest import AgreementBacktest, CommitmentPeriod, VersionBacktest
from covenant.core.replay import AlertReplay, TierReplay
from covenant.core.suggest import BackingSuggestion, TargetSuggestion
from covenant.render.evaluation import exact, iso, window_text
from covenant.render.sla import committed_text, level_text, money_text

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


def _cell(rows: Sequence[CommitmentPeriod]) -> str:
    if not rows:
        return "—"
    parts = []
    for r in rows:
        if r.level is None:
            parts.append(f"no data ({r.no_data})" if r.no_data else "no data")
            continue
        credit = r.result.credit if r.result else None
        tier = (
            "met"
            if r.result is not None and r.result.met
            else (f"{credit.percent} %" if credit else "—")
        )
        amount = money_text(credit.amount) if credit else "—"
        partial = " (partial)" if r.partial else ""
        parts.append(f"{level_text(r.level)}{partial} · {tier} · {amount}")
    return "\n".join(parts)


def render_backtest_table(console: Console, bt: AgreementBacktest) -> None:
    p = bt.proposed
    commits = ", ".join(
        f"{c} {committed_text(r.committed)}" for c, r in {r.commitment: r for r in p.rows}.items()
    )
    console.print(f"[bold]Backtest of {p.key}[/] ({p.status}) for {p.customer}: {commits}")
    if bt.current:
        console.print("compared with " + ", ".join(f"{v.key} ({v.status})" for v in bt.current))
    else:
        console.print("no signed terms in force for this customer to compare with")
    console.print(
        "both evaluated as if in force in every period (effective dates ignored), "
        f"on history up to {iso(bt.at)}",
        style="dim",
    )
    table = Table(title_justify="left")
    table.add_column("period")
    table.add_column(f"proposed {p.key}\nlevel · credit tier · credit")
    current = ", ".join(v.key for v in bt.current) or "none"
    table.add_column(f"current {current}\nlevel · credit tier · credit")
    table.add_column("difference", justify="right")
    for label in bt.labels:
        mine = [r for r in p.rows if r.label == label]
        theirs = [r for v in bt.current for r in v.rows if r.label == label]
        table.add_row(label, _cell(mine), _cell(theirs), _monies_text(bt.difference(label)))
    table.add_row(
        "total",
        _monies_text(p.credits()),
        _monies_text(bt.current_credits()),
        _monies_text(bt.difference()),
        style="bold",
    )
    console.print(table)
    for f in bt.findings:
        console.print(
            f"{f.severity} [{f.code}] {f.commitment}: {f.message} — {f.fix}",
            style="red" if f.severity == "error" else "yellow",
            markup=False,
            highlight=False,
        )


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


def render_alerts_table(console: Console, replays: Sequence[AlertReplay]) -> None:
    for r in replays:
        o = r.objective
        kind = "proposed tiers" if r.proposed else "its alert tiers"
        console.print(
            f"[bold]{o.key}[/] ({level_text(o.target)}, {window_text(o)}) replayed against "
            f"{kind}: {iso(r.start)} → {iso(r.end)}, every {r.step_s // 60} min ({r.steps} steps)"
        )
        table = Table(title_justify="left")
        for col in ("tier", "severity", "start", "end", "duration", "max burn", "budget spent"):
            table.add_column(col)
        for t in r.tiers:
            if not t.episodes:
                if t.no_data is not None:
                    table.add_row(t.name, t.severity, "no data", "", "", "", "", style="yellow")
                else:
                    table.add_row(t.name, t.severity, "never fired", "", "", "", "", style="dim")
            for e in t.episodes:
                spent = e.budget_consumed_at_start
                table.add_row(
                    t.name,
                    t.severity,
                    _when(e.start),
                    _when(e.end) + (" (ongoing)" if e.ongoing else ""),
                    _duration(e.duration_s),
                    f"{float(e.max_long_burn):.1f}× / {float(e.max_short_burn):.1f}×",
                    "—" if spent is None else f"{float(spent) * 100:.1f} %",
                )
        console.print(table)
        _coverage_notes(console, r)
        console.print(
            "max burn: long / short window; budget spent: share of the SLO window's budget "
            "consumed when the tier started firing; an episode still firing ends at --to",
            style="dim",
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


def render_suggestion_table(console: Console, items: Sequence[TargetSuggestion]) -> None:
    for s in items:
        console.print(f"[bold]{s.objective}[/] — current target {_pct(s.current_target)}")
        table = Table(title_justify="left")
        for col in ("window", "level", "meets current"):
            table.add_column(col)
        for w in s.windows:
            table.add_row(
                f"{_when(w.start)} → {_when(w.end)}",
                level_text(w.level, 4) if w.level is not None else f"no data ({w.no_data})",
                "—" if w.level is None else ("yes" if w.level >= s.current_target else "no"),
            )
        console.print(table)
        n = len(s.windows)
        if s.held_level is None:
            console.print(f"no suggestion: {s.reason}")
            continue
        console.print(
            f"level held in {s.hold} of {n} windows: {level_text(s.held_level, 4)}; "
            f"suggested target [bold]{_pct(s.nice)}[/]"
            + (f" (held in {s.held_in(s.nice)} of {n})" if s.nice is not None else "")
            + f", precise {_pct(s.precise)}; the current target held in "
            f"{s.held_in(s.current_target)} of {n}"
        )


def render_backing_table(console: Console, items: Sequence[BackingSuggestion]) -> None:
    table = Table(title_justify="left")
    for col in ("commitment", "level", "needs", "backing SLO", "target", "meets", "history"):
        table.add_column(col)
    for b in items:
        if b.problem is not None:
            table.add_row(b.commitment, _pct(b.level), "—", b.problem, "", "no", "")
        elif not b.backing:
            missing = ", ".join(b.missing) or "none named"
            table.add_row(
                b.commitment,
                _pct(b.level),
                _pct(b.required),
                f"no backing SLO ({missing})",
                "",
                "no",
                "",
            )
        for c in b.backing:
            h = c.history
            history = (
                f"held {level_text(h.held_level, 4)} in {h.hold} of "
                f"{len(h.windows)}; met {_pct(b.required)} in {c.held_required} of {len(h.windows)}"
            )
            table.add_row(
                b.commitment,
                _pct(b.level),
                _pct(b.required),
                c.objective,
                _pct(c.target),
                "yes" if c.meets else "[red]no[/]",
                history,
            )
    console.print(table)
