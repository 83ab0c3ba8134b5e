"""Backtests and suggestions: load what the pure computations need (``core.backtest``,
``core.replay``, ``core.suggest``).

- :func:`backtest_agreement` — proposed agreement terms (a YAML file read together with the
  workspace) against the terms in force, over past reporting periods.
- :func:`backtest_alerts` — an SLO's alert tiers (or proposed ones) replayed over a range.
- :func:`suggest_slo` / :func:`suggest_backing` — targets from history.

Nothing here writes: the store and the workspace are only read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from covenant.core.agreements import AgreementVersion, PeriodUnit, is_binding
from covenant.core.backtest import AgreementBacktest, backtest_version, periods_between
from covenant.core.evaluate import align_down, align_up, required_range
from covenant.core.model import AlertTier, Objective, RollingWindow
from covenant.core.replay import AlertReplay, replay_alerts
from covenant.core.series import BucketMatrix
from covenant.core.suggest import (
    BackingSuggestion,
    Span,
    TargetSuggestion,
    backing_check,
    required_backing_target,
    suggest_target,
    suggestion_windows,
    window_levels,
)
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.windows import wall_to_utc
from covenant.definitions.durations import parse_duration
from covenant.definitions.workspace import Workspace, analyse_sources
from covenant.definitions.yamlsource import SourceDocument, discover_files, read_file, read_text
from covenant.errors import DefinitionError, InputError, NotFoundError, RangeLimitError
from covenant.services.lint import agreement_margins, lint_workspace, workspace_margin
from covenant.services.lint import parse_margin as lint_margin
from covenant.services.sla import parse_period
from covenant.store.buckets import list_series, read_matrix, series_extent
from covenant.store.records import load_incidents

STEP = 60
DAY = 86400

MAX_PERIODS = 1200
"""The most reporting periods one agreement backtest covers (100 years of months)."""
MAX_REPLAY_STEPS = 500_000
"""The most instants one alert replay evaluates (about 4.75 years at --step 5m)."""
MAX_WINDOWS = 1000
"""The most windows a suggestion reads (``--windows``)."""


def _stored(conn: Connection, keys: Sequence[str]) -> tuple[int, int] | None:
    """The span (epoch seconds) over which any of ``keys`` has stored events, else None."""
    spans = [s for s in series_extent(conn, keys=list(dict.fromkeys(keys))).values() if s]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _span_text(span: tuple[int, int] | None) -> str:
    if span is None:
        return "no events are stored for it"
    lo, hi = (from_epoch(x).strftime("%Y-%m-%d %H:%M") for x in span)
    return f"the stored data spans {lo} – {hi} UTC"


# --------------------------------------------------------------------------------------------
# Agreement backtest
# --------------------------------------------------------------------------------------------


def _agreement_name(doc: SourceDocument) -> str | None:
    data: Any = doc.data
    if not isinstance(data, dict) or data.get("kind") != "Agreement":
        return None
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else None


def load_proposal(
    workspace_dir: Path, *, text: str, file: str = "<proposal>"
) -> tuple[Workspace, list[AgreementVersion]]:
    """The workspace with the proposal's Agreement in place of its namesake, and its versions.

    ``text`` holds exactly one ``covenant/v1`` Agreement document. It is resolved together with
    the workspace's SLOs, customers and calendars, so ``backedBy`` and ``measurement.slo``
    references resolve; an agreement of the same name in the workspace is left out.
    """
    proposal, problems = read_text(text, file=file)
    names = [n for d in proposal if (n := _agreement_name(d)) is not None]
    if problems:
        raise DefinitionError(problems=problems)
    if len(names) != 1 or len(proposal) != 1:
        raise InputError(
            f"{file} must hold exactly one Agreement document (found {len(proposal)} "
            f"document(s), {len(names)} Agreement(s))",
            hint="put the proposed terms — one Agreement with its versions — in a file of its own",
        )
    name = names[0]
    files, problems = discover_files([workspace_dir])
    sources: list[SourceDocument] = []
    resolved_file = Path(file).resolve() if file != "<proposal>" else None
    for path in files:
        if resolved_file is not None and path.resolve() == resolved_file:
            continue
        found, syntax = read_file(path)
        sources += [d for d in found if _agreement_name(d) != name]
        problems += syntax
    workspace, problems = analyse_sources([*sources, *proposal], problems=problems)
    if workspace is None:
        raise DefinitionError(problems=problems)
    versions = sorted(
        (v for v in workspace.agreements if v.agreement == name), key=lambda v: v.version
    )
    return workspace, versions


def _range(version: AgreementVersion, first: str, last: str) -> list[Span]:
    zone = ZoneInfo(version.zone)
    y0, m0, _ = parse_period(first)
    y1, m1, unit = parse_period(last)
    if unit is PeriodUnit.QUARTER:  # --to 2026-Q4 means up to its last month, December
        m1 += 2
    if (y1, m1) < (y0, m0):
        raise InputError(f"--from {first} is after --to {last}", hint="swap them")
    lo = wall_to_utc(datetime(y0, m0, 1), zone)  # noqa: DTZ001 - wall time in ``zone``
    hi = wall_to_utc(datetime(y1, m1, 1), zone)  # noqa: DTZ001
    return periods_between(version, lo, hi)


def _period_count(version: AgreementVersion, first: str, last: str) -> int:
    """How many of ``version``'s reporting periods ``--from first --to last`` spans (at most
    one more than :func:`_range` gives), counted without computing them."""
    y0, m0, _ = parse_period(first)
    y1, m1, unit = parse_period(last)
    if unit is PeriodUnit.QUARTER:
        m1 += 2
    months = (y1 * 12 + m1) - (y0 * 12 + m0) + 1
    return months if version.period is PeriodUnit.MONTH else -(-months // 3) + 1


def current_versions(
    workspace: Workspace, *, proposed: AgreementVersion, at: datetime
) -> list[AgreementVersion]:
    """The terms the proposal is compared with.

    The signed version of the same agreement in force at ``at`` (else its latest signed one);
    for a new agreement, every signed agreement of the customer in force at ``at``.
    """
    binding = [v for v in workspace.agreements if is_binding(v)]
    same = [v for v in binding if v.agreement == proposed.agreement]
    if same:
        in_force = [v for v in same if v.in_force(at)]
        return [in_force[0] if in_force else max(same, key=lambda v: v.version)]
    return [v for v in binding if v.customer == proposed.customer and v.in_force(at)]


def _history(
    conn: Connection, workspace: Workspace, version: AgreementVersion
) -> dict[str, Span | None]:
    """Per commitment, the span the store holds data for (its series or its backing SLOs')."""
    out: dict[str, Span | None] = {}
    for c in version.availability:
        keys = [c.measurement.series] if c.measurement.series else []
        keys += [o.series for o in workspace.objectives if o.slo in c.backing_slos]
        if not keys:
            keys = [s.key for s in list_series(conn)]
        spans = [s for s in series_extent(conn, keys=list(dict.fromkeys(keys))).values() if s]
        out[c.name] = (
            (from_epoch(min(s[0] for s in spans)), from_epoch(max(s[1] for s in spans)))
            if spans
            else None
        )
    return out


def backtest_agreement(
    engine: Engine,
    *,
    workspace_dir: Path,
    proposal_text: str,
    proposal_file: str = "<proposal>",
    first: str,
    last: str,
    at: datetime,
    version: int | None = None,
) -> AgreementBacktest:
    """Proposed terms and the terms in force, evaluated over the periods ``first``–``last``.

    Both are evaluated *as if in force* over every period (their effective dates are ignored)
    against the stored bucket data, incidents and the workspace's maintenance windows, up to
    ``at``. Periods the history does not reach are "no data".
    """
    at = require_utc(at, what="--at")
    workspace, versions = load_proposal(workspace_dir, text=proposal_text, file=proposal_file)
    if not versions:
        raise InputError(f"{proposal_file} defines no agreement version")
    if version is None:
        chosen = versions[-1]
    else:
        matches = [v for v in versions if v.version == version]
        if not matches:
            have = ", ".join(str(v.version) for v in versions)
            raise NotFoundError(
                f"{versions[0].agreement} has no version {version}", hint=f"versions: {have}"
            )
        chosen = matches[0]
    if not chosen.availability:
        raise InputError(
            f"{chosen.key} has no availability commitment to backtest",
            hint="backtests cover availability commitments (support needs tickets per term)",
        )
    original = _original_workspace(workspace_dir, chosen.agreement, workspace)
    current = current_versions(original, proposed=chosen, at=at)
    compared = (chosen, *current)
    most = max(_period_count(v, first, last) for v in compared)
    if most > MAX_PERIODS:  # refused before a single period is computed
        with engine.connect() as conn:
            spans = [s for v in compared for s in _history(conn, workspace, v).values() if s]
        stored = (
            None
            if not spans
            else (to_epoch(min(s[0] for s in spans)), to_epoch(max(s[1] for s in spans)))
        )
        raise RangeLimitError(
            f"--from {first} --to {last} covers {most:,} reporting periods; a backtest "
            f"covers at most {MAX_PERIODS:,} ({_span_text(stored)})",
            hint="narrow --from/--to to the periods the stored data covers",
        )
    plans = [(v, _range(v, first, last)) for v in compared]
    lo = min(p[0][0] for _, p in plans)
    hi = max(p[-1][1] for _, p in plans)
    series = sorted(
        {c.measurement.series for v, _ in plans for c in v.availability if c.measurement.series}
    )
    with engine.connect() as conn:
        histories = [_history(conn, workspace, v) for v, _ in plans]
        # Only the stored history is ever read (a period outside it is "no data"): the bucket
        # matrix spans the periods' intersection with the histories, whatever --from/--to say.
        covered = [s for h in histories for s in h.values() if s is not None]
        start = align_down(to_epoch(lo), DAY)
        end = align_up(to_epoch(hi), DAY)
        if covered:
            start = max(start, align_down(to_epoch(min(s[0] for s in covered)), DAY))
            end = min(end, align_up(to_epoch(max(s[1] for s in covered)), DAY))
        end = max(end, start)
        data = read_matrix(conn, keys=series, start=start, end=end, step=STEP) if series else None
        results = []
        for (v, periods), history in zip(plans, histories, strict=True):
            incidents = load_incidents(conn, start=lo, end=hi, customer=v.customer)
            results.append(
                backtest_version(
                    v,
                    periods=periods,
                    at=at,
                    history=history,
                    incidents=incidents,
                    maintenance=workspace.maintenance,
                    data=data,
                )
            )
    labels = list(dict.fromkeys(r.label for b in results for r in b.rows))
    findings = tuple(
        f
        for f in lint_workspace(workspace)
        if f.agreement == chosen.agreement and f.version == chosen.version
    )
    return AgreementBacktest(
        proposed=results[0],
        current=tuple(results[1:]),
        labels=tuple(labels),
        at=at,
        findings=findings,
    )


def _original_workspace(workspace_dir: Path, name: str, merged: Workspace) -> Workspace:
    """The workspace as defined on disk (its own versions of ``name``), for the current terms."""
    files, problems = discover_files([workspace_dir])
    sources: list[SourceDocument] = []
    for path in files:
        found, syntax = read_file(path)
        sources += found
        problems += syntax
    workspace, _ = analyse_sources(sources, problems=problems)
    if workspace is None:  # the workspace alone is invalid: compare with nothing of its own
        return replace(
            merged, agreements=tuple(v for v in merged.agreements if v.agreement != name)
        )
    return workspace


# --------------------------------------------------------------------------------------------
# Alert replay
# --------------------------------------------------------------------------------------------

_TIER = re.compile(r"^([^:]+):([^:]+):([^:]+):([^:]+):([^:]+)$")


def parse_tier(text: str) -> AlertTier:
    """``page-fast:page:14.4:1h:5m`` → an alert tier (name, severity, burn rate, long, short).

    The burn rate may end in ``%`` to give the share of the budget spent in the long window
    instead (``page-fast:page:2%:1h:5m``, the SRE Workbook way).
    """
    m = _TIER.match(text.strip())
    if m is None:
        raise InputError(
            f"alert tier {text!r} is not name:severity:burn:long:short",
            hint="write e.g. --tier page-fast:page:14.4:1h:5m",
        )
    name, severity, burn, long_w, short_w = m.groups()
    try:
        budget = burn.endswith("%")
        number = Decimal(burn.removesuffix("%"))
        if not number.is_finite():
            raise ValueError(burn)
        value = Fraction(number)
    except (InvalidOperation, ValueError, OverflowError):
        raise InputError(f"alert tier {name}: {burn!r} is not a number") from None
    if value <= 0:
        raise InputError(f"alert tier {name}: the burn rate must be positive")
    if budget and value > 100:
        raise InputError(f"alert tier {name}: a budget share over 100 % can never fire")
    return AlertTier(
        name=name,
        severity=severity,
        long_window_s=parse_duration(long_w).seconds,
        short_window_s=parse_duration(short_w).seconds,
        burn_rate=None if budget else value,
        budget_fraction=value / 100 if budget else None,
    )


def find_objectives(workspace: Workspace, slo: str) -> list[Objective]:
    """The objectives of ``slo`` (a name) or the one objective ``slo/name``."""
    found = [o for o in workspace.objectives if slo in (o.slo, o.key)]
    if not found:
        names = ", ".join(sorted({o.slo for o in workspace.objectives})) or "none"
        raise NotFoundError(f"no SLO named {slo!r}", hint=f"SLOs in the workspace: {names}")
    return found


def backtest_alerts(
    engine: Engine,
    *,
    workspace: Workspace,
    slo: str,
    start: datetime | None,
    end: datetime,
    step_s: int = 300,
    tiers: Sequence[AlertTier] | None = None,
) -> list[AlertReplay]:
    """Replay each objective of ``slo`` over ``[start, end]`` (default: one SLO window back)."""
    end = require_utc(end, what="--to")
    objectives = find_objectives(workspace, slo)
    out = []
    with engine.connect() as conn:
        for o in objectives:
            chosen = tuple(o.alert_tiers if tiers is None else tiers)
            if start is None:
                span = o.window.seconds if isinstance(o.window, RollingWindow) else 30 * DAY
                lo_at = end - timedelta(seconds=span)
            else:
                lo_at = require_utc(start, what="--from")
            if lo_at >= end:
                raise InputError("--from is not before --to")
            shaped = replace(o, alert_tiers=chosen)
            first, last = _replay_range(conn, shaped, lo_at, end)
            steps = (to_epoch(last) - to_epoch(first)) // max(step_s, 1) + 1
            if steps > MAX_REPLAY_STEPS:
                raise RangeLimitError(
                    f"{o.key}: replaying from {first.isoformat()} to {last.isoformat()} every "
                    f"{step_s}s is {steps:,} evaluations; a replay makes at most "
                    f"{MAX_REPLAY_STEPS:,}",
                    hint="narrow --from/--to, or use a longer --step (e.g. 1h)",
                )
            lo, _ = required_range([shaped], at=first, step=STEP)
            _, hi = required_range([shaped], at=last, step=STEP)
            data = read_matrix(conn, keys=[o.series], start=lo, end=hi + STEP, step=STEP)
            out.append(replay_alerts(o, data, start=first, end=last, step_s=step_s, tiers=tiers))
    return out


def _replay_range(
    conn: Connection, o: Objective, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    """``[start, end]`` cut to where the stored data can reach a window: from the longest window
    read before the first stored event to that long after the last one (beyond, every window
    is empty). A range that misses the stored data entirely is kept as asked (every instant is
    no data, and the replay says so)."""
    stored = _stored(conn, [o.series])
    reach = max(
        [o.window.seconds if isinstance(o.window, RollingWindow) else 93 * DAY]
        + [t.long_window_s for t in o.alert_tiers]
    )
    if stored is not None:
        first = max(start, from_epoch(stored[0] - reach))
        last = min(end, from_epoch(stored[1] + reach))
        if first < last:
            return first, last
    return start, end


# --------------------------------------------------------------------------------------------
# Suggestions
# --------------------------------------------------------------------------------------------


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


def parse_step(text: str) -> int:
    """``5m`` → 300: the replay step in seconds."""
    return parse_duration(text).seconds


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


__all__ = [
    "backtest_agreement",
    "backtest_alerts",
    "current_versions",
    "load_proposal",
    "parse_margin",
    "parse_step",
    "parse_tier",
    "suggest_backing",
    "suggest_slo",
]
