"""SLO target and backing suggestions as tables for people and as JSON for machines.

Schema ``covenant.suggestion/v1`` (docs/backtest.md); fields are only ever added within a
schema version.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from rich.console import Console
from rich.text import Text

from covenant.core.suggest import BackingSuggestion, TargetSuggestion
from covenant.render.evaluation import exact, iso, minute_text
from covenant.render.sla import committed_text, level_text
from covenant.render.tables import Cell, Col, line, print_notes, print_table, text

SUGGESTION_SCHEMA = "covenant.suggestion/v1"


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
                f"{minute_text(w.start)} → {minute_text(w.end)}",
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
                f"{minute_text(w.start)} → {minute_text(w.end)}: no data: {w.no_data}"
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
