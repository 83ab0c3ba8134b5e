"""Alert backtests (alert replays) as a table for people and as JSON for machines.

Schema ``covenant.alert-backtest/v1`` (docs/backtest.md); fields are only ever added within a
schema version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console

from covenant.core.evaluate import policy_label
from covenant.core.replay import AlertReplay, TierReplay
from covenant.render.evaluation import exact, iso, minute_text, window_text
from covenant.render.sla import duration_text, level_text
from covenant.render.tables import Cell, Col, line, print_table, text

ALERT_SCHEMA = "covenant.alert-backtest/v1"


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
                        "steps_no_data_policy": t.steps_policy_filled,
                        "episodes": [
                            {
                                "start": iso(e.start),
                                "end": iso(e.end),
                                "ongoing": e.ongoing,
                                "duration_seconds": e.duration_s,
                                "threshold": exact(e.threshold),
                                "max_long_burn": exact(e.max_long_burn),
                                "max_short_burn": exact(e.max_short_burn),
                                "budget_consumed_at_start": exact(e.budget_consumed_at_start),
                                "long_window_budget": exact(e.long_window_budget),
                                "long_no_data_policy_slices": e.long_policy_filled,
                                "short_no_data_policy_slices": e.short_policy_filled,
                                "no_data_policy_note": e.policy_note,
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


def policy_note(r: AlertReplay, t: TierReplay) -> str | None:
    """A note when the no-data policy filled slices of a window at some steps, else None (the
    table's and the alert backtest page's)."""
    if not t.steps_policy_filled:
        return None
    return (
        f"{policy_label(r.objective)} counted silent slices in a window at "
        f"{t.steps_policy_filled} of {r.steps} steps (not measurements)"
    )


def _coverage_notes(console: Console, r: AlertReplay) -> None:
    for note_of in (_coverage, policy_note):
        notes = {t.name: note for t in r.tiers if (note := note_of(r, t)) is not None}
        if len(notes) == len(r.tiers) > 1 and len(set(notes.values())) == 1:
            notes = {"all tiers": next(iter(notes.values()))}
        for name, note in notes.items():
            missing = note.startswith("no data")
            console.print(
                f"{name}: {note}",
                style="yellow" if missing else "dim",
                markup=False,
                highlight=False,
            )
    for t in r.tiers:
        for e in t.episodes:
            if e.policy_note is not None:
                console.print(
                    f"{t.name} from {minute_text(e.start)}, with slices the no-data policy "
                    f"filled — {e.policy_note}",
                    style="yellow",
                    markup=False,
                    highlight=False,
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
                end = [minute_text(e.end) + (" (ongoing)" if e.ongoing else "")] if wide else []
                ongoing = "+" if e.ongoing and not wide else ""
                ongoing += "*" if e.policy_note is not None else ""
                rows.append(
                    [
                        t.name,
                        *severity,
                        minute_text(e.start),
                        *end,
                        duration_text(e.duration_s) + ongoing,
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
                + ("" if wide else " (duration marked +)")
                + (
                    "; * its windows counted slices the no-data policy filled (noted above)"
                    if any(e.policy_note for t in r.tiers for e in t.episodes)
                    else ""
                ),
                "dim",
            )
        )
