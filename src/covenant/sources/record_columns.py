"""Reading a help desk's raw export as it is: other column names, local times, other formats.

A ``RecordReading`` says how to read a ticket or incident file whose columns are not named as
``docs/records.md`` names them (``--column FIELD=HEADER``), whose instants carry no UTC offset
(``--time-zone ZONE``: stated by the user, so not a guess) or are not ISO-8601
(``--time-format FORMAT``, a ``strptime`` format). It is applied to each batch before the
batch is parsed (``mapped``), so the file is still read batch by batch and still validated
whole before anything is written.

An instant without an offset is read in the zone; one with an offset keeps it. A local time
that does not exist in the zone (the hour skipped when clocks go forward) or that exists twice
(the hour repeated when they go back) is a bad row that names both readings: Covenant does not
pick one, as no convention says which one a help desk meant.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from covenant.errors import IngestError, InputError
from covenant.sources.record_instants import ISO_NAIVE, is_epoch_number
from covenant.sources.record_paths import MISSING, TwoSpellingsError, found_paths, path_value
from covenant.sources.recordrows import RecordSource

__all__ = [
    "INSTANT_FIELDS",
    "LocalProblem",
    "RecordReading",
    "first_local_problem",
    "mapped",
    "parse_columns",
    "reading",
]

INSTANT_FIELDS = ("created", "first_response", "resolved", "history", "start", "end")
_ISO_NAIVE = re.compile(ISO_NAIVE)  # as the parser tells a time without an offset
_HAS_OFFSET = re.compile(r"([Zz]|[+-]\d{2}(:?\d{2})?)$")


@dataclass(frozen=True, slots=True)
class LocalProblem:
    """A cell that could not be read as an instant with the reading's zone or format: it
    takes the cell's place, and the row is rejected with this message and fix."""

    field: str
    message: str
    fix: str
    code: str = "bad-value"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordReading:
    """How to read a raw export: ``columns`` maps a field to the file's header (both
    lower-cased), ``zone`` reads instants without an offset, ``time_format`` non-ISO ones."""

    columns: Mapping[str, str] = field(default_factory=dict)
    zone: str | None = None
    time_format: str | None = None

    @property
    def plain(self) -> bool:
        """True when the file is read as ``docs/records.md`` says (no option given)."""
        return not self.columns and self.zone is None and self.time_format is None

    def key(self) -> str:
        """What tells two readings of the same bytes apart (the file's idempotency key)."""
        text = repr((sorted(self.columns.items()), self.zone, self.time_format))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_columns(values: Sequence[str], fields: Sequence[str]) -> dict[str, str]:
    """``FIELD=HEADER`` options as ``{field: header}`` (lower-cased); ``InputError`` naming
    the fields for an unknown field, a value without ``=`` or a field given twice."""
    known = ", ".join(fields)
    found: dict[str, str] = {}
    for value in values:
        name, equals, header = value.partition("=")
        name, header = name.strip().lower(), header.strip().lower()
        if not equals or not name or not header:
            raise InputError(
                f"--column {value!r} is not FIELD=HEADER",
                hint=f'write e.g. --column id="Issue key"; the fields are {known}',
            )
        if name not in fields:
            near = difflib.get_close_matches(name, fields, n=1)
            said = f" (did you mean {near[0]}?)" if near else ""
            raise InputError(
                f"--column {value!r}: {name!r} is not a field{said}",
                hint=f"the fields are {known}",
            )
        if name in found:
            raise InputError(
                f"--column {name}= is given twice", hint="give each field one --column"
            )
        found[name] = header
    return found


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_zone(name: str) -> str:
    """``name`` when it is an IANA zone this machine knows; ``InputError`` otherwise."""
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        near = difflib.get_close_matches(name, sorted(available_timezones()), n=3)
        said = f" (did you mean {', '.join(near)}?)" if near else ""
        raise InputError(
            f"--time-zone {name!r} is not an IANA time zone{said}",
            hint="name the help desk's zone as the tz database does, e.g. Europe/Berlin, "
            "America/New_York or UTC",
        ) from None
    return name


def check_format(text: str) -> str:
    """``text`` when it is a ``strptime`` format with at least one directive."""
    if "%" not in text:
        raise InputError(
            f"--time-format {text!r} has no % directive",
            hint="give a strptime format, e.g. '%d/%b/%y %I:%M %p' for 05/Dec/26 2:03 PM",
        )
    try:
        time.strptime("", text)
    except ValueError as exc:
        if "directive" in str(exc) or "stray %" in str(exc):
            raise InputError(
                f"--time-format {text!r}: {exc}",
                hint="use strptime codes: %Y %m %d %H %M %S %b %y %I %p %z …",
            ) from None
    return text


def reading(
    columns: Sequence[str] = (),
    *,
    fields: Sequence[str],
    zone: str | None = None,
    time_format: str | None = None,
) -> RecordReading:
    """A validated reading from the options (``InputError`` with the fix when one is wrong)."""
    return RecordReading(
        columns=parse_columns(columns, fields),
        zone=None if zone is None else check_zone(zone),
        time_format=None if time_format is None else check_format(time_format),
    )


# --- applying it to a file's batches -----------------------------------------------------------


def mapped(batches: Iterator[RecordSource], how: RecordReading) -> Iterator[RecordSource]:
    """``batches`` read as ``how`` says: columns renamed to their fields, instants written
    as UTC (or replaced by the ``LocalProblem`` that rejects their row). A header named in
    ``how.columns`` that is in no row of the file is an ``IngestError`` (for CSV at the
    first batch, for JSON once the file is read: nothing is written before)."""
    if how.plain:
        yield from batches
        return
    seen: set[str] = set()
    first = True
    path: Path | None = None
    nested = [header for header in how.columns.values() if "." in header]
    for source in batches:
        path = source.path
        seen.update(source.columns)
        if nested and not source.header:
            seen.update(found_paths(source.rows, [h for h in nested if h not in seen]))
        if source.header:
            _check_headers(source.path, source.columns, how.columns)
        if first and source.rows and how.time_format is not None:
            _check_format_first_row(source, how)
            first = False
        done = _apply(source, how)
        del source  # one copy of the batch's rows at a time
        yield done
        del done
    if path is not None:
        _check_headers(path, tuple(seen), how.columns)


def _check_headers(path: Path, columns: Sequence[str], wanted: Mapping[str, str]) -> None:
    for name, header in wanted.items():
        if header in columns:
            continue
        near = difflib.get_close_matches(header, columns, n=1, cutoff=0.5)
        said = f" (did you mean {near[0]!r}?)" if near else ""
        listed = ", ".join(repr(c) for c in columns) or "none"
        raise IngestError(
            f"{path.name}: --column {name}={header!r}: the file has no column {header!r}"
            f"{said}; its columns are {listed}",
            hint="name a column of the file (names are not case-sensitive)",
        )


def _check_format_first_row(source: RecordSource, how: RecordReading) -> None:
    """Refuse a ``--time-format`` that reads none of the first row's instants."""
    assert how.time_format is not None
    row = _renamed(source.rows[0], how.columns)
    shown: list[str] = []
    for name in INSTANT_FIELDS:
        if name == "history":
            continue
        value = row.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        shown.append(f"{name} {value.strip()!r}")
        try:
            datetime.strptime(value.strip(), how.time_format)  # noqa: DTZ007 - naive: the zone is applied later
        except ValueError:
            continue
        return
    if shown:
        raise IngestError(
            f"{source.where(0)}: --time-format {how.time_format!r} reads none of the first "
            f"row's instants ({', '.join(shown)})",
            hint="give the format the export writes, e.g. '%d/%b/%y %I:%M %p' for "
            "05/Dec/26 2:03 PM or '%Y-%m-%d %H:%M:%S' for 2026-12-05 14:03:00",
        )


def _renamed(row: dict[str, Any], columns: Mapping[str, str]) -> dict[str, Any]:
    if not columns:
        return row
    out = {k: v for k, v in row.items() if k not in columns}
    for name, header in columns.items():
        if header in row:
            out[name] = row[header]
        elif "." in header:  # a key inside an object or list (record_paths)
            try:
                value = path_value(row, header)
            except TwoSpellingsError as two:
                value = LocalProblem(
                    name,
                    f"{header}: keys {two.first!r} and {two.second!r} are both {two.path!r} "
                    "(keys are read without case): which one is the "
                    f"{name} cannot be told",
                    f"keep one of {two.first!r} and {two.second!r} in the export",
                )
            if value is not MISSING:
                out[name] = value
    return out


def _apply(source: RecordSource, how: RecordReading) -> RecordSource:
    rows = []
    for row in source.rows:
        out = _renamed(row, how.columns)
        if how.zone is not None or how.time_format is not None:
            for name in INSTANT_FIELDS:
                value = out.get(name)
                if value is not None and not isinstance(value, LocalProblem):
                    out[name] = (
                        _history(value, how) if name == "history" else _cell(name, value, how)
                    )
        rows.append(out)
    columns = tuple(dict.fromkeys(_renamed(dict.fromkeys(source.columns), how.columns)))
    return replace(source, rows=tuple(rows), columns=columns)


def _history(value: object, how: RecordReading) -> object:
    """A status history with its instants read as ``how`` says (a ``LocalProblem`` when one
    cannot be); anything that is no history is left for the parser to reject."""
    if isinstance(value, str):
        parts = []
        for part in value.split(";"):
            status, at_sign, at = part.rpartition("@")
            if not at_sign:
                return value
            read = _cell("history", at, how, label=f"entry {part.strip()!r}: ")
            if isinstance(read, LocalProblem):
                return read
            parts.append(f"{status}@{read}")
        return ";".join(parts)
    if isinstance(value, list):
        items: list[object] = []
        for item in value:
            if not isinstance(item, dict) or "at" not in item:
                return value
            label = f"entry {item.get('status')}@{item['at']}: "
            read = _cell("history", item["at"], how, label=label)
            if isinstance(read, LocalProblem):
                return read
            items.append({**item, "at": read})
        return items
    return value


def _cell(name: str, value: object, how: RecordReading, *, label: str = "") -> object:
    """One instant cell as UTC ISO text, unchanged (not text, blank, already with an offset,
    or left for the parser to reject), or the ``LocalProblem`` of its row."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return value
    moment: datetime | None = None
    if how.time_format is not None:
        try:
            moment = datetime.strptime(text, how.time_format)  # noqa: DTZ007 - read in --time-zone below
        except ValueError:
            moment = None
        if moment is None and not (
            _ISO_NAIVE.match(text.upper()) or _HAS_OFFSET.search(text) or is_epoch_number(text)
        ):
            return LocalProblem(
                name,
                f"{label}{text!r} does not match --time-format {how.time_format!r}",
                "write every instant of the column in that format (or ISO-8601, or epoch seconds)",
            )
    if moment is None:
        if not _ISO_NAIVE.match(text.upper()):  # RFC 3339's t, as the parser reads it
            return value  # with an offset, or no instant: the parser says which
        try:
            moment = datetime.fromisoformat(text.replace(",", "."))
        except ValueError:
            return value
    if moment.tzinfo is not None:
        return _utc(moment)
    if how.zone is None:
        return LocalProblem(
            name,
            f"{label}{text!r}: no UTC offset",
            "pass --time-zone with the zone the export is written in, or add %z to --time-format",
            "naive-timestamp",
        )
    return _local(name, text, moment, how.zone, label)


def _local(name: str, text: str, moment: datetime, zone: str, label: str) -> str | LocalProblem:
    """``moment`` (a wall-clock time in ``zone``) as UTC text, or the problem when the zone's
    clocks skipped it or showed it twice."""
    tz = _zone(zone)
    early = moment.replace(tzinfo=tz, fold=0)
    late = moment.replace(tzinfo=tz, fold=1)
    early_offset, late_offset = early.utcoffset(), late.utcoffset()
    if early_offset == late_offset:  # one reading (nearly always): UTC is wall time - offset
        try:
            return (moment - (early_offset or timedelta())).isoformat() + "Z"
        except OverflowError:
            return _utc(early)
    wall = moment.isoformat(sep=" ")
    if _round_trips(early, tz) or _round_trips(late, tz):  # shown twice: clocks went back
        return LocalProblem(
            name,
            f"{label}{text!r} happened twice in {zone} (clocks went back): at "
            f"{_offset(early_offset)} and again at {_offset(late_offset)}",
            f"write the offset meant: {wall}{_offset(early_offset)} (the first) or "
            f"{wall}{_offset(late_offset)} (the second)",
        )
    return LocalProblem(  # skipped: clocks went forward
        name,
        f"{label}{text!r} did not exist in {zone} (clocks went forward from "
        f"{_offset(early_offset)} to {_offset(late_offset)})",
        f"check the time; write it with the offset meant, {wall}{_offset(early_offset)} or "
        f"{wall}{_offset(late_offset)}",
    )


def _round_trips(moment: datetime, tz: ZoneInfo) -> bool:
    back = moment.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def _offset(delta: timedelta | None) -> str:
    seconds = int((delta or timedelta()).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def _utc(moment: datetime) -> str:
    try:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    except OverflowError:
        return moment.isoformat()  # out of any range: the parser says so


def first_local_problem(row: Mapping[str, Any]) -> LocalProblem | None:
    """The first cell of ``row`` that a reading could not read (``records._collect``)."""
    for value in row.values():
        if isinstance(value, LocalProblem):
            return value
    return None
