"""The options of ``covenant ingest tickets|incidents`` that read a help desk's raw export as
it is (``sources.record_columns``): --column, --time-zone, --time-format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from covenant.sources.record_columns import RecordReading

__all__ = ["ColumnOption", "TimeFormatOption", "TimeZoneOption", "record_reading"]

ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        metavar="FIELD=HEADER",
        help='Read the file\'s column HEADER as FIELD (repeatable), e.g. --column id="Issue key".',
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
