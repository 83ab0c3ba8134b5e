"""``covenant ingest``: bring request events into the bucket store."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import typer

from covenant.cli import jsonmode
from covenant.cli.common import (
    WorkspaceOption,
    cli_actor,
    console,
    err_console,
    fail,
    now,
    settings_for,
)
from covenant.cli.ingest_prometheus import prometheus
from covenant.cli.ingest_records_render import record_report_json, render_record_reports
from covenant.cli.record_options import (
    ColumnOption,
    TimeFormatOption,
    TimeZoneOption,
    files_given,
    record_reading,
)
from covenant.cli.table_options import WideOption
from covenant.errors import CovenantError, Problem
from covenant.services.report_json import iso_or_none, problem_json, refusal_json

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from sqlalchemy import Engine

    from covenant.core.model import EventRule
    from covenant.services.ingest import IngestReport

SHOWN_PROBLEMS = 20
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="All or nothing: refuse a file with any rejected row (none of it stored, not "
        "recorded; exit 1). Default: bad rows skipped, the others stored.",
    ),
]

ingest_app = typer.Typer(
    help="Bring data into the store: events (raw or pre-counted good/total rows), prometheus, "
    "tickets, incidents.",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


ingest_app.command("prometheus")(prometheus)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(ingest_app, name="ingest")


@ingest_app.command("events")
def events(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Event files: .csv, .csv.gz, .jsonl, .jsonl.gz or .parquet.",
            dir_okay=False,
            readable=True,
            callback=files_given,
        ),
    ],
    workspace: WorkspaceOption = Path(),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table for people, json for machines.")
    ] = OutputFormat.TABLE,
    strict: StrictOption = False,
    refuse_future: Annotated[
        bool,
        typer.Option(
            "--refuse-future",
            help="Refuse a file with events dated over 5 minutes after now (default: "
            "stored, with a warning).",
        ),
    ] = False,
    wide: WideOption = False,
) -> None:
    """Classify raw request events with the workspace's SLIs and merge their counts.

    Columns: timestamp (ISO-8601 with Z or an offset, or epoch s, ms, us or ns: 10, 13, 16
    or 19 digits), sli or service, and outcome, status or latency_ms — or pre-counted good
    and total. Re-ingesting the same file changes nothing. A file of which no row is stored
    (every row rejected or matching no SLI, or none) exits 1 and is not recorded, so it is
    read again once fixed.
    """
    from covenant.services.ingest import ingest_event_files

    try:
        rules = _event_rules(workspace)
    except CovenantError as error:
        raise _refused(error, output_format) from None
    _ingest_files(
        files,
        workspace,
        output_format,
        ingest=lambda engine, path, progress: ingest_event_files(
            engine,
            files=[path],
            rules=rules,
            progress=progress,
            actor=cli_actor(None),
            now=now(),
            refuse_future=refuse_future,
            strict=strict,
        ),
        to_json=report_json,
        render=render_reports,
        wide=wide,
    )


def _refused(error: CovenantError, output_format: OutputFormat) -> typer.Exit:
    """A command refused before any file is read (an invalid workspace): with ``--format
    json`` stdout says so too (no file, the error), as for a file refused while read."""
    if output_format is OutputFormat.JSON:
        console.print_json(json.dumps({"files": [], "error": refusal_json(error, file=None)}))
        jsonmode.shown()
    return fail(error)


def _event_rules(workspace: Path) -> Sequence[EventRule]:
    """The workspace's event rules (validated: an invalid workspace ingests nothing)."""
    from covenant.services.workspace import load_workspace

    return load_workspace(workspace, applying=True).event_rules


def _progress(target: Console, *, enabled: bool) -> Progress:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=target,
        transient=True,
        disable=not enabled,
    )


def render_rejected(
    out: Console, path: Path, problems: Sequence[Problem], *, rejected: int, field: str
) -> None:
    """The first rejected rows of a file as a table, and how many more there were. The row
    text is shown literally (a cell such as ``[/bold]`` is data, not markup)."""
    from covenant.render.tables import Col, print_table, text

    if not problems:
        return
    print_table(
        out,
        [Col("where", name=True), Col(field, name=True), Col("problem")],
        [
            [p.where, p.field, p.message + (f" — {p.fix}" if p.fix else "")]
            for p in problems[:SHOWN_PROBLEMS]
        ],
        title=f"{path.name}: rejected rows",
    )
    hidden = rejected - min(len(problems), SHOWN_PROBLEMS)
    if hidden > 0:
        out.print(text(f"… and {hidden:,} more rejected row{'' if hidden == 1 else 's'}"))


def report_json(report: IngestReport) -> dict[str, Any]:
    """The stable machine form of one file's report."""
    return {
        "file": str(report.path),
        "sha256": report.sha256,
        "duplicate": report.duplicate,
        "previously_ingested_at": iso_or_none(report.duplicate_of),
        "rows_read": report.rows_read,
        "rows_ingested": report.rows_ingested,
        "rows_rejected": report.rows_rejected,
        "rows_unmatched": report.rows_unmatched,
        "unmatched": dict(report.unmatched),
        "series_touched": list(report.series_touched),
        "first_event": iso_or_none(report.first_event),
        "last_event": iso_or_none(report.last_event),
        "problems": [problem_json(p) for p in report.problems],
        "future": None
        if report.ahead is None
        else {
            "rows": report.ahead.rows,
            "first": report.ahead.first,
            "latest": iso_or_none(report.ahead.latest_instant),
            "warning": report.ahead_warning,
        },
    }


class _Fresh(Protocol):
    @property
    def duplicate(self) -> bool: ...


F = TypeVar("F", bound=_Fresh)


def fresh(reports: Sequence[F]) -> list[F]:
    """The reports of files read this time (a file already ingested gets one line instead)."""
    return [r for r in reports if not r.duplicate]


def print_duplicate(out: Console, path: Path, previously: datetime | None) -> None:
    """One line for a file whose exact content was ingested before: nothing changed."""
    when = (
        iso_or_none(previously.replace(microsecond=0))
        if previously is not None
        else "an earlier run"
    )
    out.print(
        f"{path.name}: already ingested on {when} (same content); nothing changed",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def render_reports(reports: list[IngestReport], out: Console, wide: bool = False) -> None:
    """Tables for a person: one summary row per file, then bad rows and unmatched values.
    The compact table fits 80 columns (the events' span is a note below); ``wide`` shows the
    series and span columns."""
    from covenant.render.tables import Cell, Col, print_notes, print_table

    if not reports:
        return
    cols = [
        Col("file", name=True),
        *(Col(h, "right", wrap=False) for h in ("read", "ingested", "rejected", "unmatched")),
        *([Col("series", "right", wrap=False), Col("events")] if wide else []),
    ]
    rows: list[list[Cell]] = []
    notes: list[str] = []
    for r in fresh(reports):
        span = (
            f"{iso_or_none(r.first_event)} … {iso_or_none(r.last_event)}"
            if r.first_event is not None
            else "—"
        )
        if r.duplicate:
            span = f"already ingested on {iso_or_none(r.duplicate_of)}; nothing changed"
        rows.append(
            [
                r.path.name,
                f"{r.rows_read:,}",
                f"{r.rows_ingested:,}",
                f"{r.rows_rejected:,}",
                f"{r.rows_unmatched:,}",
                *([str(len(r.series_touched)), span] if wide else []),
            ]
        )
        if not wide and not r.duplicate and r.first_event is not None:
            notes.append(
                f"{r.path.name}: events {iso_or_none(r.first_event)} … {iso_or_none(r.last_event)} "
                f"in {len(r.series_touched)} series"
            )
    if rows:
        print_table(out, cols, rows, title="Ingested events", wide=wide)
        print_notes(out, notes)
    for r in reports:
        if r.duplicate:
            print_duplicate(out, r.path, r.duplicate_of)
            continue
        for label, count in r.unmatched:
            out.print(
                f"{r.path.name}: {count:,} row{'' if count == 1 else 's'} with {label} "
                f"match{'es' if count == 1 else ''} no SLI; not ingested",
                style="yellow",
                markup=False,
                highlight=False,
            )
        render_rejected(out, r.path, r.problems, rejected=r.rows_rejected, field="column")
        if r.ahead_warning:
            err_console.print(
                f"warning: {r.ahead_warning}",
                style="yellow",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


# --- tickets and incidents ---------------------------------------------------------------------

RecordFiles = Annotated[
    list[Path],
    typer.Argument(
        help="Record files: .csv, .jsonl or .json (an array of objects), optionally .gz.",
        dir_okay=False,
        readable=True,
        callback=files_given,
    ),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json for machines.")
]
RefuseFutureOption = Annotated[
    bool,
    typer.Option(
        "--refuse-future",
        help="Refuse a file with records dated over 5 minutes after now (default: stored, "
        "with a warning).",
    ),
]


@ingest_app.command("tickets")
def tickets(
    files: RecordFiles,
    workspace: WorkspaceOption = Path(),
    output_format: FormatOption = OutputFormat.TABLE,
    strict: StrictOption = False,
    refuse_future: RefuseFutureOption = False,
    wide: WideOption = False,
    column: ColumnOption = None,
    time_zone: TimeZoneOption = None,
    time_format: TimeFormatOption = None,
) -> None:
    """Insert or update support tickets (by id) from ticket-tool exports.

    Columns: id, customer, priority, created, first_response, resolved, history
    (status@instant;… in CSV, a list of {at, status} in JSON). Instants need Z or an offset,
    or --time-zone, or are epoch numbers as events' are. A raw export is read as it is with
    --column, --time-zone and --time-format. A changed ticket replaces the stored one;
    re-ingesting the same file changes nothing.
    """
    from covenant.services.records import ingest_ticket_files
    from covenant.services.workspace import load_workspace
    from covenant.sources.records import TICKET_COLUMNS

    how = record_reading(column, time_zone, time_format, TICKET_COLUMNS)

    try:  # its customers and support priorities: tickets no agreement counts are warned about
        ws = load_workspace(workspace, applying=True)
    except CovenantError as error:
        raise _refused(error, output_format) from None
    _ingest_files(
        files,
        workspace,
        output_format,
        ingest=lambda engine, path, progress: ingest_ticket_files(
            engine,
            files=[path],
            progress=progress,
            workspace=ws,
            now=now(),
            refuse_future=refuse_future,
            reading=how,
            actor=cli_actor(None),
            strict=strict,
        ),
        to_json=record_report_json,
        render=render_record_reports,
        wide=wide,
    )


@ingest_app.command("incidents")
def incidents(
    files: RecordFiles,
    workspace: WorkspaceOption = Path(),
    output_format: FormatOption = OutputFormat.TABLE,
    strict: StrictOption = False,
    refuse_future: RefuseFutureOption = False,
    wide: WideOption = False,
    column: ColumnOption = None,
    time_zone: TimeZoneOption = None,
    time_format: TimeFormatOption = None,
) -> None:
    """Insert or update incident records (by id): downtime evidence and exclusions.

    Columns: id, services, start, end (empty: still open), severity, customer_caused,
    force_majeure, planned_maintenance (true/false, yes/no, 1/0), customers (empty: all).
    Lists are a;b in CSV, arrays in JSON. Instants as for tickets (epoch numbers too).
    --column, --time-zone and --time-format read a raw export as it is (as for tickets).
    """
    from covenant.services.records import ingest_incident_files
    from covenant.sources.records import INCIDENT_COLUMNS

    how = record_reading(column, time_zone, time_format, INCIDENT_COLUMNS)

    _ingest_files(
        files,
        workspace,
        output_format,
        ingest=lambda engine, path, progress: ingest_incident_files(
            engine,
            files=[path],
            progress=progress,
            now=now(),
            refuse_future=refuse_future,
            reading=how,
            actor=cli_actor(None),
            strict=strict,
        ),
        to_json=record_report_json,
        render=render_record_reports,
        wide=wide,
    )


class _Report(Protocol):
    @property
    def rows_rejected(self) -> int: ...

    @property
    def duplicate(self) -> bool: ...


R = TypeVar("R", bound=_Report)
ProgressCallback = Callable[[Path, str, float], None]


def _ingest_files(
    files: list[Path],
    workspace: Path,
    output_format: OutputFormat,
    *,
    ingest: Callable[[Engine, Path, ProgressCallback], Sequence[R]],
    to_json: Callable[[R], dict[str, Any]],
    render: Callable[[list[R], Console, bool], None],
    wide: bool = False,
) -> None:
    """Ingest ``files`` one by one with a progress bar, then report (table or JSON)."""
    from rich.markup import escape

    from covenant.config import batch_lock_wait
    from covenant.services.ingest import open_store

    reports: list[R] = []
    error: CovenantError | None = None
    kept: set[Path] = set()  # committed (each file is one transaction), or in the store already
    current: Path | None = None
    try:
        with batch_lock_wait("covenant ingest"):  # a batch: waits longer for another writer
            engine = open_store(settings_for(workspace).database_url)
        try:
            show = output_format is OutputFormat.TABLE and err_console.is_terminal
            with batch_lock_wait("covenant ingest"), _progress(err_console, enabled=show) as bar:
                for path in files:
                    current = path
                    task = bar.add_task(escape(path.name), total=1.0, stage="read")

                    def advance(
                        _: Path, stage: str, done: float, task: Any = task, path: Path = path
                    ) -> None:
                        bar.update(task, completed=done, stage=stage)
                        if stage == "done":  # told after the file's transaction committed
                            kept.add(path)

                    reports.extend(ingest(engine, path, advance))
                    kept.add(path)
        finally:
            engine.dispose()
    except CovenantError as exc:
        error = exc
    except KeyboardInterrupt:
        from covenant.cli.interrupt import files_kept, interrupted

        interrupted(files_kept(files, kept=kept, current=current), files=map(to_json, reports))
    if output_format is OutputFormat.JSON:
        document: dict[str, Any] = {"files": [to_json(r) for r in reports]}
        if error is not None:  # the refusal too, for a program that reads stdout (exit 1)
            document["error"] = refusal_json(error, file=None if current is None else str(current))
            jsonmode.shown()
        console.print_json(json.dumps(document))
    else:
        render(reports, console, wide)
    if error is not None:
        exit_ = fail(error)
        if len(set(files)) > 1:  # which of the files are in the store, and which are not
            from covenant.cli.interrupt import files_kept

            said = files_kept(files, kept=kept, current=current, failed=True)
            err_console.print(said, style="red", markup=False, highlight=False, soft_wrap=True)
        raise exit_
