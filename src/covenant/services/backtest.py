"""Agreement backtests: proposed agreement terms (a YAML file read together with the workspace)
against the terms in force, over past reporting periods (``core.backtest``).

Alert replays are in ``alert_backtest``, suggestions from history in ``suggest``. Nothing here
writes: the store and the workspace are only read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from covenant.core.agreements import AgreementVersion, PeriodUnit, is_binding
from covenant.core.backtest import AgreementBacktest, backtest_version, periods_between
from covenant.core.downtime import run_margin
from covenant.core.elapsed import up_to_now
from covenant.core.evaluate import align_down, align_up
from covenant.core.suggest import (
    Span,
)
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.wallclock import first_instant
from covenant.definitions.workspace import Workspace, analyse_sources
from covenant.definitions.yamlsource import SourceDocument, discover_files, read_file, read_text
from covenant.errors import DefinitionError, InputError, NotFoundError, RangeLimitError
from covenant.services.lint import lint_workspace
from covenant.services.recorded_definitions import with_recorded_definitions
from covenant.services.sla import parse_period
from covenant.store.buckets import list_series, read_matrix, series_extent
from covenant.store.records import load_incidents

STEP = 60
DAY = 86400

MAX_PERIODS = 1200


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


def periods_reversed(first: str, last: str) -> bool:
    """True when the period label ``first`` starts after the period ``last`` ends (``--to``
    a quarter runs to its last month: ``--from 2026-11 --to 2026-Q4`` is a range)."""
    y0, m0, _ = parse_period(first)
    y1, m1, unit = parse_period(last)
    if unit is PeriodUnit.QUARTER:  # --to 2026-Q4 means up to its last month, December
        m1 += 2
    return (y1, m1) < (y0, m0)


def _range(version: AgreementVersion, first: str, last: str) -> list[Span]:
    zone = ZoneInfo(version.zone)
    if periods_reversed(first, last):
        raise InputError.naming(
            "{first_period} {first} is after {last_period} {last}",
            hint="swap them",
            first=first,
            last=last,
        )
    y0, m0, _ = parse_period(first)
    y1, m1, unit = parse_period(last)
    if unit is PeriodUnit.QUARTER:
        m1 += 2
    lo = first_instant(datetime(y0, m0, 1), zone)  # noqa: DTZ001 - wall time in ``zone``
    hi = first_instant(datetime(y1, m1, 1), zone)  # noqa: DTZ001
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
    now: datetime | None = None,
) -> AgreementBacktest:
    """Proposed terms and the terms in force, evaluated over the periods ``first``–``last``.

    Both are evaluated *as if in force* over every period (their effective dates are ignored)
    against the stored bucket data, incidents and the workspace's maintenance windows, up to
    ``at`` — or up to ``now`` (the clock) when ``at`` is after it. Periods the history does not
    reach are "no data".
    """
    at = require_utc(at, what="--at")
    until = up_to_now(at, now)  # what has happened: the time after now is neither up nor down
    workspace, versions = load_proposal(workspace_dir, text=proposal_text, file=proposal_file)
    workspace = with_recorded_definitions(engine, workspace)  # maintenance over the API
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
        raise RangeLimitError.naming(
            "{first_period} {first} {last_period} {last} covers {most:,} reporting periods; "
            "a backtest covers at most {limit:,} ({stored})",
            hint="narrow {first_period}/{last_period} to the periods the stored data covers",
            first=first,
            last=last,
            most=most,
            limit=MAX_PERIODS,
            stored=_span_text(stored),
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
        # a run of bad intervals that crosses a period's bound is judged whole (minimumRun)
        pad = align_up(
            max((run_margin(c.measurement) for v, _ in plans for c in v.availability), default=0),
            DAY,
        )
        start, end = start - pad, end + pad
        data = read_matrix(conn, keys=series, start=start, end=end, step=STEP) if series else None
        results = []
        for (v, periods), history in zip(plans, histories, strict=True):
            incidents = load_incidents(
                conn,
                start=from_epoch(to_epoch(lo) - pad),
                end=from_epoch(to_epoch(hi) + pad),
                customer=v.customer,
            )
            results.append(
                backtest_version(
                    v,
                    periods=periods,
                    at=until,
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
