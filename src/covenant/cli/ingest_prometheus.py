"""``covenant ingest prometheus``: fill the bucket store from a Prometheus-compatible server.

Registered on the ``ingest`` group by ``ingest_cmds``; imports only typer at module level.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from covenant.cli.common import WorkspaceOption, console, err_console, fail, settings_for
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from rich.console import Console

    from covenant.services.prometheus import ReadReport


class ReadFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def prometheus(
    start: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="INSTANT",
            help="First instant to read: 2026-11-01T00:00:00Z, -30d, -3M… (floored to the minute).",
        ),
    ],
    end: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="INSTANT",
            help="Instant to read up to (excluded): an instant, now, -1h… (floored to the minute).",
        ),
    ] = "now",
    slo: Annotated[
        list[str] | None,
        typer.Option("--slo", metavar="NAME", help="Read only this SLO's SLIs (repeatable)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    output_format: Annotated[
        ReadFormat, typer.Option("--format", "-f", help="table for people, json for machines.")
    ] = ReadFormat.TABLE,
) -> None:
    """Read (good, total) per minute from each SLI's Prometheus DataSource into the store.

    Counters are counted from their samples (exact whatever the scrape instants), other
    {{.window}} queries read with query_range at aligned instants; good and total over the same
    minutes. A range read again replaces what was stored for it, even days (or hours) a
    first read by days stored as their exact sums: the output names each whose sums the
    minutes read do not match (every other read keeps such sums). A server that is down, slow,
    partial or answers garbage stops that SLI (what was read stays) and its SLOs show "no data
    (stale)" with the reason.
    """
    from covenant.cli.console import now
    from covenant.cli.when import instant_option

    as_json = output_format is ReadFormat.JSON

    # one now for the command: --from/--to count from it and the read stops at it
    current = now()
    lo = instant_option(start, option="--from", reference=current)
    hi = instant_option(end, option="--to", reference=current)
    from covenant.config import batch_lock_wait
    from covenant.services.prometheus import ingest_prometheus
    from covenant.services.prometheus_range import select_reads
    from covenant.services.read_report import nothing_to_read, report_json
    from covenant.services.store import open_store
    from covenant.services.workspace import load_for_evaluation, load_workspace

    try:
        # the reads come from the evaluation cache when the definitions are unchanged (no
        # YAML, no pydantic); only a named SLO that cannot be read loads them to say why
        known = load_for_evaluation(workspace, applying=True).reads
        unreadable = None
        if any(not any(name in r.slos for r in known) for name in slo or ()):
            found = load_workspace(workspace, applying=True).prometheus
            known = found.reads if found else ()
            unreadable = dict(found.unreadable) if found else None
        reads = select_reads(known, slos=slo or (), unreadable=unreadable)
        if not reads:
            found = load_workspace(workspace, applying=True).prometheus
            raise nothing_to_read(dict(found.unreadable) if found else {})
        with batch_lock_wait("covenant ingest"):  # a batch: waits longer for another writer
            engine = open_store(settings_for(workspace).database_url)
        try:
            with (
                batch_lock_wait("covenant ingest"),  # waits for another writer as a batch does
                _bar(err_console, enabled=not as_json and err_console.is_terminal) as bar,
            ):
                tasks: dict[str, Any] = {}

                def advance(series: str, done: int, size: int) -> None:
                    if series not in tasks:
                        tasks[series] = bar.add_task(series, total=size)
                    bar.update(tasks[series], completed=done)

                try:
                    reports = ingest_prometheus(
                        engine, reads=reads, start=lo, end=hi, progress=advance, now=current
                    )
                except KeyboardInterrupt:
                    from covenant.cli.interrupt import interrupted

                    interrupted(
                        "the minutes written so far are kept; run the command again to read "
                        "the range (a range read again is replaced)"
                    )
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    if as_json:
        from covenant.render.jsonout import write_json

        write_json({"series": [report_json(r) for r in reports]})
    else:
        render(reports, console)
    from covenant.services.read_warnings import no_series, nothing_good, requeried, unanswered

    warnings = requeried(reports) + no_series(reports) + nothing_good(reports, reads)
    for line in warnings + unanswered(reports):
        err_console.print(
            f"warning: {line}", style="yellow", markup=False, highlight=False, soft_wrap=True
        )
    if any(r.error is not None for r in reports):
        raise typer.Exit(code=1)


def _bar(target: Console, *, enabled: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("buckets"),
        console=target,
        transient=True,
        disable=not enabled,
    )


def render(reports: list[ReadReport], out: Console) -> None:
    """One row per series, then each error with its fix."""
    from covenant.render.tables import Col, print_table

    print_table(
        out,
        [
            Col("series", name=True),
            Col("read until", wrap=False),
            *(Col(h, "right", wrap=False) for h in ("buckets", "good", "total")),
            Col("status"),
        ],
        [
            [
                r.series,
                r.read_until.isoformat().replace("+00:00", "Z"),
                f"{r.buckets:,}",
                f"{r.good:,}",
                f"{r.total:,}",
                "ok" if r.error is None else f"error [{r.error.code}]",
            ]
            for r in reports
        ],
        title="Read from Prometheus",
    )
    from covenant.services.kept_sums import replaced_text
    from covenant.services.read_report import failed_text

    for r in reports:
        for line in replaced_text(r.series, r.replaced):
            out.print(line, style="yellow", markup=False, highlight=False, soft_wrap=True)
        if r.error is not None:
            out.print(
                failed_text(r),
                style="red",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
