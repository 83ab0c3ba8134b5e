"""Evaluation results as a table for people, and the reasons ``evaluate --check`` failed.

The compact table (the default) fits 80 columns: the full SLO name, its status, SLI against
target, budget left and one short alert summary ("page 1h/5m"); what does not fit a column
(corrections, composites, the reason for no data) is a note below. ``wide`` shows every
column and every firing tier.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from rich.console import Console
from rich.text import Text

from covenant.core.corrections import Corrected
from covenant.core.model import Objective
from covenant.core.results import Evaluation, Status, TierResult
from covenant.render.evaluation import (
    STATUS_STYLE,
    CompositeRow,
    duration_text,
    iso,
    rate_text,
    span_text,
    target_percent,
    window_text,
)
from covenant.render.tables import Cell, Col, print_notes, print_table

PAGING_SEVERITIES = frozenset({"page", "critical"})


@dataclass(frozen=True, slots=True)
class Shown:
    """One row: the evaluation shown (corrected where a correction applies) and the raw one."""

    evaluation: Evaluation
    raw: Evaluation
    composite: bool = False

    @property
    def corrected(self) -> bool:
        return self.evaluation is not self.raw

    @property
    def name(self) -> str:
        return self.evaluation.objective.key


def shown_rows(
    evaluations: Sequence[Evaluation],
    *,
    corrected: Sequence[Corrected] = (),
    composites: Sequence[CompositeRow] = (),
) -> list[Shown]:
    """Objectives then composites, each with the figures a gate uses."""
    rows = []
    for i, raw in enumerate(evaluations):
        fix = corrected[i].evaluation if corrected else None
        rows.append(Shown(fix if fix is not None else raw, raw))
    for _, raw, k in composites:
        rows.append(Shown(k.evaluation if k.evaluation is not None else raw, raw, True))
    return rows


def pages(tier: TierResult) -> bool:
    return tier.severity.lower() in PAGING_SEVERITIES


def alert_summary(e: Evaluation) -> str:
    """The most urgent firing tier as ``page 1h/5m`` (severity, long/short windows), and how
    many more fire (``+1``); ``—`` when none does."""
    firing = e.firing
    if not firing:
        return "—"
    first = next((t for t in firing if pages(t)), firing[0])
    more = f" +{len(firing) - 1}" if len(firing) > 1 else ""
    return (
        f"{first.severity} {span_text(first.long.window_s)}/{span_text(first.short.window_s)}{more}"
    )


def floor_percent(value: Fraction | None, digits: int) -> str:
    """A ratio as a percentage cut (never rounded up) to ``digits``: 99.8996 → ``99.89 %``
    with 2 digits, so a level never looks as if it reached a target it missed."""
    if value is None:
        return "—"
    scale = 10**digits
    cut = math.floor(value * 100 * scale)
    sign = "-" if cut < 0 else ""
    whole, part = divmod(abs(cut), scale)
    return f"{sign}{whole}.{part:0{digits}d} %" if digits else f"{sign}{whole} %"


def target_text(value: Fraction) -> str:
    """A target as written: ``99.9 %``, ``99.95 %``, ``99.9999999 %`` (no trailing zeros)."""
    return target_percent(value)


def status_text(e: Evaluation) -> Text:
    """The status; "stale" for no data because the source has not answered for now (its
    figures in the row are those of the data read so far: the notes say why); a series no
    read has reached is plain "no data"."""
    label = "no data" if e.status is Status.NO_DATA else e.status.value
    if e.stale is not None and e.stale.behind:
        label = "stale"
    return Text(label, style=STATUS_STYLE[e.status])


def _notes(rows: Sequence[Shown]) -> list[str]:
    notes = []
    for r in rows:
        e = r.evaluation
        if r.composite:
            notes.append(f"{r.name}: composite SLO (its components are listed above)")
        if r.corrected:
            notes.append(f"{r.name}: figures after corrections; raw status {r.raw.status.value}")
        if e.no_data:
            shown = e.stale is not None and e.sli is not None
            figures = "; its figures are the data's read so far" if shown else ""
            notes.append(f"{r.name}: no data: {e.no_data}{figures}")
        if e.coverage_note:
            notes.append(f"{r.name}: {e.coverage_note}")
        if e.policy_note:
            notes.append(f"{r.name}: {e.policy_note}")
        notes.extend(f"{r.name}: {line}" for line in burn_policy_notes(e))
    return notes


def burn_policy_notes(e: Evaluation) -> list[str]:
    """What a good/bad no-data policy filled in the burn windows that decide something now: the
    current burn (``1h burn: …``) and the windows of each firing tier (``page-fast 5m burn: …``),
    each window once. A quiet tier's windows are in the JSON and on the SLO's page."""
    lines = []
    seen: set[int] = set()
    if e.burn is not None and e.burn.policy_note:
        seen.add(e.burn.window_s)
        lines.append(f"{span_text(e.burn.window_s)} burn: {e.burn.policy_note}")
    for t in e.firing:
        for w in (t.long, t.short):
            if w.policy_note and w.window_s not in seen:
                seen.add(w.window_s)
                lines.append(f"{t.name} {span_text(w.window_s)} burn: {w.policy_note}")
    return lines


def render_table(
    console: Console,
    at: datetime,
    evaluations: Sequence[Evaluation],
    *,
    corrected: Sequence[Corrected] = (),
    composites: Sequence[CompositeRow] = (),
    wide: bool = False,
) -> None:
    """One row per objective then per composite; corrected figures where a correction applies."""
    rows = shown_rows(evaluations, corrected=corrected, composites=composites)
    title = f"SLOs at {iso(at)}"
    if wide:
        _render_wide(console, title, rows)
        return
    cols = [
        Col("SLO", name=True),
        Col("status", wrap=False),
        Col("SLI", "right", wrap=False),
        Col("target", "right", wrap=False),
        Col("budget\nleft", "right", wrap=False),
        Col("alerts"),  # wraps at its spaces (``page 6h/30m`` over ``+2``) before blocks
    ]
    table: list[list[Cell]] = []
    for r in rows:
        e = r.evaluation
        budget = e.budget.remaining_ratio if e.budget else None
        table.append(
            [
                r.name,
                status_text(e),
                floor_percent(e.sli, 3),
                target_text(e.objective.target),
                floor_percent(budget, 0),
                alert_summary(e),
            ]
        )
    print_table(console, cols, table, title=title)
    print_notes(console, _notes(rows))
    if not rows:
        print_notes(console, ["no SLO to show"])


def _tier_line(t: TierResult) -> str:
    return f"{t.name} {rate_text(t.long.rate)}/{rate_text(t.short.rate)} ≥ {rate_text(t.threshold)}"


def _render_wide(console: Console, title: str, rows: Sequence[Shown]) -> None:
    cols = [
        Col("SLO", name=True),
        Col("SLI", name=True),
        Col("method"),
        Col("target", "right", wrap=False),
        Col("window"),
        Col("SLI value", "right", wrap=False),
        Col("budget left", "right", wrap=False),
        Col("burn 1h", "right", wrap=False),
        Col("exhausted in", "right", wrap=False),
        Col("firing", wrap=False),
        Col("status"),
    ]
    table: list[list[Cell]] = []
    for r in rows:
        e = r.evaluation
        o: Objective = e.objective
        budget = e.budget.remaining_ratio if e.budget else None
        status = status_text(e)
        if e.no_data:
            status.append(f": {e.no_data}")
        if e.coverage_note:
            status.append(f" ({e.coverage_note})")
        if e.policy_note:
            status.append(f" ({e.policy_note})")
        for line in burn_policy_notes(e):
            status.append(f" ({line})")
        if r.corrected:
            status.append(f" (corrected; raw {r.raw.status.value})")
        table.append(
            [
                o.key + (" (composite)" if r.composite else ""),
                o.sli or o.series,
                o.method.value,
                target_text(o.target),
                window_text(o),
                floor_percent(e.sli, 3),
                floor_percent(budget, 1),
                rate_text(e.burn.rate if e.burn else None),
                duration_text(e.time_to_exhaustion),
                "\n".join(_tier_line(t) for t in e.firing) or "—",
                status,
            ]
        )
    print_table(console, cols, table, title=title, wide=True)


def check_reasons(rows: Sequence[Shown]) -> list[str]:
    """One line per SLO that fails ``evaluate --check``: breached (SLI against target, budget
    left) or paging (which tier fired, with both burn rates and the threshold)."""
    out = []
    for r in rows:
        e = r.evaluation
        if e.status not in (Status.BREACHED, Status.PAGING):
            continue
        o = e.objective
        name = r.name + (" (composite)" if r.composite else "")
        after = " after corrections" if r.corrected else ""
        parts = []
        if e.status is Status.BREACHED:
            budget = e.budget.remaining_ratio if e.budget else None
            below = "below" if e.sli is not None and e.sli < o.target else "against"
            parts.append(
                f"breached{after}: SLI {floor_percent(e.sli, 3)} {below} target "
                f"{target_text(o.target)} over {window_text(o)}, error budget exhausted "
                f"({floor_percent(budget, 1)} left)"
            )
        paging = [
            f"{t.name} fired (burn {rate_text(t.long.rate)} over {span_text(t.long.window_s)} "
            f"and {rate_text(t.short.rate)} over {span_text(t.short.window_s)}, "
            f"threshold {rate_text(t.threshold)}{_filled(t)})"
            for t in e.firing
            if pages(t)
        ]
        if paging:
            parts.append(f"paging{after if not parts else ''}: " + ", ".join(paging))
        out.append(f"{name}: " + "; ".join(parts))
    return out


def _filled(t: TierResult) -> str:
    """``; 5m: <policy note>`` for each of the tier's windows a no-data policy filled."""
    return "".join(
        f"; {span_text(w.window_s)}: {w.policy_note}" for w in (t.long, t.short) if w.policy_note
    )
