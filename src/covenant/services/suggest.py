"""Suggestions from history: the target an SLO held (``suggest slo``), and the backing target an
agreement's commitments need with what their backing SLOs achieved (``suggest backing``).
Nothing here writes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from fractions import Fraction

from sqlalchemy import Connection, Engine

from covenant.core.agreements import AgreementVersion
from covenant.core.evaluate import align_down, align_up, required_range
from covenant.core.model import Objective
from covenant.core.series import BucketMatrix
from covenant.core.suggest import (
    BackingSuggestion,
    TargetSuggestion,
    backing_check,
    required_backing_target,
    suggest_target,
    suggestion_windows,
    window_levels,
)
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError, RangeLimitError
from covenant.services.alert_backtest import find_objectives
from covenant.services.lint import agreement_margins, workspace_margin
from covenant.services.lint import parse_margin as lint_margin
from covenant.store.buckets import read_matrix, series_extent

STEP = 60
"""The stored bucket step, in seconds."""
MAX_WINDOWS = 1000
"""The most windows a suggestion reads (``--windows``)."""


def _levels(
    conn: Connection, o: Objective, *, at: datetime, windows: int, hold: int
) -> TargetSuggestion:
    if windows > MAX_WINDOWS:
        raise RangeLimitError(
            f"--windows {windows:,} is more than {MAX_WINDOWS:,} windows",
            hint=f"ask for at most {MAX_WINDOWS:,} (the default is 12); windows before the "
            "stored data are no data anyway",
        )
    spans = suggestion_windows(o, at=at, count=windows)
    plain = replace(o, alert_tiers=())
    extent = series_extent(conn, keys=[o.series])[o.series]
    history = None if extent is None else (from_epoch(extent[0]), from_epoch(extent[1]))
    if history is None:
        history = (spans[-1][1], spans[-1][1])  # nothing stored: every window is no data
    # A window starting before the history is no data and reads nothing: read from the first
    # window that starts inside it (or the last window only, when none does).
    read = [s for s in spans if s[0] >= history[0]] or spans[-1:]
    lo, _ = required_range([plain], at=read[0][1], step=STEP)
    start = min(lo, align_down(to_epoch(read[0][0]), STEP))
    end = align_up(to_epoch(spans[-1][1]), STEP)
    data: BucketMatrix = read_matrix(conn, keys=[o.series], start=start, end=end, step=STEP)
    levels = window_levels(o, data, spans, history=history)
    return suggest_target(o.key, o.target, levels, hold=hold)


def suggest_slo(
    engine: Engine,
    *,
    workspace: Workspace,
    slo: str,
    at: datetime,
    windows: int = 12,
    hold: int = 10,
) -> list[TargetSuggestion]:
    """Per objective of ``slo``: the target that held in ``hold`` of the last ``windows``."""
    at = require_utc(at, what="--at")
    objectives = find_objectives(workspace, slo)
    with engine.connect() as conn:
        return [_levels(conn, o, at=at, windows=windows, hold=hold) for o in objectives]


def suggest_backing(
    engine: Engine,
    *,
    workspace: Workspace,
    agreement: str,
    at: datetime,
    margin: Fraction,
    version: int | None = None,
    windows: int = 12,
    hold: int = 10,
) -> tuple[AgreementVersion, list[BackingSuggestion]]:
    """For each availability commitment: the backing target ``level + margin``, whether each
    backing SLO meets it, and what the backing SLO achieved historically.

    ``margin`` is a ratio (0.05 percentage points is ``Fraction(5, 10000)``). The version is
    ``version``, else the one in force at ``at``, else the latest.
    """
    at = require_utc(at, what="--at")
    versions = sorted(
        (v for v in workspace.agreements if v.agreement == agreement), key=lambda v: v.version
    )
    if not versions:
        names = ", ".join(sorted({v.agreement for v in workspace.agreements})) or "none"
        raise NotFoundError(f"no agreement named {agreement!r}", hint=f"agreements: {names}")
    if version is not None:
        picked = [v for v in versions if v.version == version]
        if not picked:
            raise NotFoundError(f"{agreement} has no version {version}")
        chosen = picked[0]
    else:
        in_force = [v for v in versions if v.in_force(at)]
        chosen = in_force[-1] if in_force else versions[-1]
    out = []
    with engine.connect() as conn:
        for c in chosen.availability:
            try:
                required: Fraction | None = required_backing_target(c.level, margin)
                problem = None
            except InputError as exc:
                required, problem = None, str(exc)
            objectives = [o for o in workspace.objectives if o.slo in c.backing_slos]
            missing = tuple(
                n for n in c.backing_slos if not any(o.slo == n for o in workspace.objectives)
            )
            histories = [_levels(conn, o, at=at, windows=windows, hold=hold) for o in objectives]
            checks = (
                () if required is None else tuple(backing_check(required, h) for h in histories)
            )
            out.append(
                BackingSuggestion(
                    agreement=chosen.agreement,
                    version=chosen.version,
                    commitment=c.name,
                    level=c.level,
                    margin=margin,
                    required=required,
                    backing=checks,
                    missing=missing,
                    problem=problem,
                )
            )
    return chosen, out


def parse_margin(text: str) -> Fraction:
    """``0.05`` (percentage points) → ``Fraction(5, 10000)``, read as ``covenant lint`` reads it."""
    try:
        return lint_margin(text) / 100
    except ValueError as exc:
        raise InputError(str(exc), hint="write percentage points, e.g. 0.05") from None


def required_margin(workspace: Workspace, *, agreement: str, given: str | None) -> Fraction:
    """The margin for ``agreement`` as a ratio: ``--margin`` if given, else the agreement's
    ``covenant.dev/required-margin`` annotation, else lint's default (0.05 points)."""
    if given is not None:
        return parse_margin(given)
    margins, _ = agreement_margins(workspace)
    return margins.get(agreement, workspace_margin(workspace)) / 100
