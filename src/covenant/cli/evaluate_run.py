"""What ``covenant evaluate`` does once its options are read, without typer.

``evaluate_cmds`` declares the command for typer; ``fast`` reads the same options itself for
the common command lines and calls :func:`run_evaluate` directly, so those never import typer
(docs/benchmarks.md). Both print the same, and both end with the exit code returned here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from covenant.cli.console import console, err_console, fail, now, settings_for
from covenant.cli.filters import check_choices, warn_unmatched
from covenant.cli.when import instant_option
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from covenant.core.model import Objective
    from covenant.core.promql import SeriesQueries
    from covenant.core.results import Evaluation
    from covenant.services.evaluate import EvaluationReport

CHECK_FAILED = 3
NOTHING_CHECKED = 4
SLO_STATUSES = ("breached", "paging", "warning", "ok", "no_data")


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def run_evaluate(
    *,
    workspace: Path,
    at: str | None,
    output: Format,
    check: bool,
    wide: bool,
    slo: Sequence[str] | None,
    service: Sequence[str] | None,
    status: Sequence[str] | None,
    read: bool | None = None,
) -> int:
    """Evaluate every SLO of the workspace and print it; the exit code (0, or ``--check``'s
    3 or 4). A bad option or definition raises what ``fail``/``usage`` return.

    ``read``: None catches up the SLIs read from Prometheus before, True every Prometheus
    SLI, False none (``services.evaluate_read``)."""
    from covenant.services.evaluate import evaluate_objectives, mark_unread
    from covenant.services.selection import select_report
    from covenant.services.store import empty_store, open_existing, open_reader, store_missing
    from covenant.services.workspace import load_for_evaluation
    from covenant.store.sqlite_reader import recorded_any

    instant = instant_option(at)
    statuses = check_choices(status, SLO_STATUSES)
    try:
        ws = load_for_evaluation(workspace)
        url = settings_for(workspace).database_url
        if read is not False and ws.reads:
            _read_sources(
                url,
                ws.reads,
                ws.objectives,
                at=instant,
                every=read is True,
                by_days=not ws.corrections and not ws.composites,
            )
        # corrections are audited in the store (a write, skipped on a read-only store);
        # otherwise only bucket counts are read. No store is created: before any data every
        # SLO is no data (docs/errors.md#no-store).
        missing = store_missing(url)
        engine = (
            empty_store()
            if missing
            else (open_existing(url) if ws.corrections else open_reader(url))
        )
        corrections = ws.corrections
        if not missing and (ws.corrections or recorded_any(engine)):
            from covenant.services.recorded_definitions import recorded_corrections

            if not ws.corrections:  # audited: a write
                engine.dispose()
                engine = open_existing(url)
            corrections, held = recorded_corrections(engine, ws.corrections)
            for problem in held:
                err_console.print(
                    f"warning: {problem.message} — {problem.fix}",
                    style="yellow",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
        try:
            report = evaluate_objectives(
                engine,
                objectives=ws.objectives,
                at=instant,
                composites=ws.composites,
                corrections=corrections,
                day_sums_stale=True,  # a day whose minutes the catch-up could not read
                now=now(),  # an --at after now is counted up to now
            )
            # a Prometheus SLI no read reached is not "no events", nor one read with another
            # query measured
            report = mark_unread(engine, report, ws.reads)
        finally:
            engine.dispose()  # a server's connection is closed, not left to the collector
    except CovenantError as error:
        raise fail(error) from None
    if missing:
        err_console.print(
            f"note: no store yet at {url.removeprefix('sqlite:///')}: nothing has been "
            "ingested, so there is no data to evaluate (a command that only reads creates no "
            "store)",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if report.not_yet_note:  # an --at after now: the minutes after now are not counted
        err_console.print(
            f"note: {report.not_yet_note}",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if not ws.objectives and not ws.composites:
        err_console.print(
            f"warning: no SLO is defined in {workspace} — give -w the folder with your "
            "definitions, or run `covenant init DIR` for a starter workspace",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    objectives = [e.objective for e in report.evaluations] + [
        c.evaluation.objective for c in report.composites
    ]
    warn_unmatched("--slo", slo, [n for o in objectives for n in (o.slo, o.key)])
    warn_unmatched("--service", service, [o.service for o in objectives])
    report = select_report(report, slos=slo or (), services=service or (), statuses=statuses)
    show(report.at, report.evaluations, output, report=report, wide=wide)
    if check and report.needs_attention:
        from covenant.render.evaluation_table import check_reasons, shown_rows

        rows = shown_rows(
            report.evaluations,
            corrected=report.corrected,
            composites=[(c.composite, c.evaluation, c.corrected) for c in report.composites],
        )
        for reason in check_reasons(rows):
            err_console.print(reason, markup=False, highlight=False, soft_wrap=True)
        return CHECK_FAILED
    if check and report.checked == 0:
        err_console.print(
            "nothing was checked: no SLO "
            + ("matches the filters" if not report.effective else "has data at this instant")
            + f" (exit {NOTHING_CHECKED})",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return NOTHING_CHECKED
    return 0


def _read_sources(
    url: str,
    reads: Sequence[SeriesQueries],
    objectives: Sequence[Objective],
    *,
    at: datetime,
    every: bool,
    by_days: bool = True,
) -> None:
    """Catch up the workspace's Prometheus SLIs before evaluating; a failed read is said on
    stderr (its SLOs show no data, stale, with the reason)."""
    from covenant.services.evaluate_read import read_before_evaluating
    from covenant.store.sqlite_reader import can_write, sqlite_file

    path = sqlite_file(url)
    if path is not None and path.is_file() and not can_write(path):
        err_console.print(
            f"warning: the store {path} cannot be written: Prometheus is not read, the store "
            "is evaluated as it is",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return
    reports = read_before_evaluating(
        url, reads=reads, objectives=objectives, at=at, every=every, by_days=by_days
    )
    notes: dict[str, list[str]] = {}
    for report in reports:
        if report.note:
            notes.setdefault(report.note, []).append(report.series)
        if report.error is not None:
            err_console.print(
                f"warning: reading {report.series} from {report.source} failed: "
                f"{report.error} ({report.kept()})",
                style="yellow",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    from covenant.services.read_warnings import nothing_good, requeried, unanswered

    for line in requeried(reports) + nothing_good(reports, reads) + unanswered(reports):
        err_console.print(
            f"warning: {line}", style="yellow", markup=False, highlight=False, soft_wrap=True
        )
    for note, series in notes.items():
        err_console.print(
            f"note: {len(series):,} SLI{'s' if len(series) > 1 else ''} read from every sample "
            f"of the window, not by whole days ({series[0]}{', …' if len(series) > 1 else ''}): "
            f"{note}",
            style="dim",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def show(
    at: datetime,
    evaluations: tuple[Evaluation, ...],
    output: Format,
    *,
    report: EvaluationReport | None = None,
    wide: bool = False,
) -> None:
    corrected = report.corrected if report else ()
    composites = (
        [(c.composite, c.evaluation, c.corrected) for c in report.composites] if report else []
    )
    if output is Format.JSON:
        from covenant.render.evaluation import report_json
        from covenant.render.jsonout import write_json

        revisions = {}
        if report and report.audit:  # only corrections have revisions to name
            from covenant.services.corrections import revisions_by_hash

            revisions = revisions_by_hash(report.audit)
        write_json(
            report_json(
                at,
                evaluations,
                corrected=corrected,
                composites=composites,
                revisions=revisions,
                measured_until=report.measured_until if report else None,
            )
        )
    else:
        from covenant.render.evaluation_table import render_table  # rich loads for tables only

        render_table(
            console, at, evaluations, corrected=corrected, composites=composites, wide=wide
        )
