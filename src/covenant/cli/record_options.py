"""The options of ``covenant ingest tickets|incidents`` that read a help desk's raw export as
it is (``sources.record_columns``): --column, --time-zone, --time-format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from covenant.sources.record_columns import RecordReading

__all__ = [
    "ColumnOption",
    "TimeFormatOption",
    "TimeZoneOption",
    "files_given",
    "record_reading",
]


def files_given(ctx: typer.Context, files: list[Path] | None) -> list[Path] | None:
    """The FILES of ``covenant ingest events|tickets|incidents`` (typer's ``exists`` check,
    with ``-`` told apart): ``-``, standard input to many tools, is a usage error with the fix
    — an ingest reads files, each recorded by its content so that a repeat is skipped."""
    for path in files or ():
        if str(path) == "-":
            raise typer.BadParameter(
                "'-' (standard input) is not read: an ingest reads files, each recorded by "
                "its content so that a repeat is skipped — save the input to a file first "
                f"(… > {ctx.info_name}.csv) and give its path"
            )
        if not path.exists():
            raise typer.BadParameter(f"file {str(path)!r} does not exist.")
    return files


ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        metavar="FIELD=HEADER",
        help='Read the file\'s column HEADER as FIELD (repeatable), e.g. --column id="Issue key"; '
        "a.b reads key b inside JSON key a (services=service.summary).",
    ),
]
TimeZoneOption = Annotated[
    str | None,
    typer.Option(
        "--time-zone",
        metavar="ZONE",
        help="Read instants without an offset in this IANA zone (e.g. Europe/Berlin).",
    ),
]
TimeFormatOption = Annotated[
    str | None,
    typer.Option(
        "--time-format",
        metavar="FORMAT",
        help="Read instants in this strptime format, e.g. '%d/%b/%y %I:%M %p'.",
    ),
]


def record_reading(
    columns: list[str] | None, zone: str | None, time_format: str | None, fields: Sequence[str]
) -> RecordReading:
    """The options as a validated reading; a wrong one is a usage error naming the fix."""
    from covenant.errors import InputError
    from covenant.sources.record_columns import reading

    try:
        return reading(columns or (), fields=fields, zone=zone, time_format=time_format)
    except InputError as error:
        raise typer.BadParameter(f"{error.message} ({error.hint})") from None
