"""How ``covenant ingest tickets`` and ``ingest incidents`` report a file: a table for people
(rejected rows, then warnings on stderr) and the stable JSON form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from covenant.cli.common import err_console

if TYPE_CHECKING:
    from rich.console import Console

    from covenant.services.records import RecordIngestReport


def record_report_json(report: RecordIngestReport) -> dict[str, Any]:
    """The stable machine form of one record file's report (the API answers the same:
    ``services.record_upload``)."""
    from covenant.services.record_upload import record_report_json as machine_form

    return machine_form(report)


def render_record_reports(
    reports: list[RecordIngestReport], out: Console, wide: bool = False
) -> None:
    """Tables for a person: one summary row per file, then its rejected rows."""
    from covenant.cli.ingest_cmds import fresh, print_duplicate, render_rejected
    from covenant.render.tables import Col, print_table

    if not fresh(reports):
        for r in reports:
            print_duplicate(out, r.path, r.duplicate_of)
        return
    print_table(
        out,
        [
            Col("file", name=True),
            *(
                Col(h, "right", wrap=False)
                for h in ("read", "inserted", "updated", "unchanged", "rejected")
            ),
        ],
        [
            [
                r.path.name,
                f"{r.rows_read:,}",
                f"{r.inserted:,}",
                f"{r.updated:,}",
                f"{r.unchanged:,}",
                f"{r.rows_rejected:,}",
            ]
            for r in fresh(reports)
        ],
        title=f"Ingested {reports[0].kind}",
        wide=wide,
    )
    for r in reports:
        if r.duplicate:
            print_duplicate(out, r.path, r.duplicate_of)
            continue
        render_rejected(out, r.path, r.problems, rejected=r.rows_rejected, field="field")
        for warning in r.warnings:
            err_console.print(
                f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True
            )
