"""Reading the hours a calendar writes: ``"HH:MM-HH:MM"`` intervals, a weekday's list of them,
a date's hours, and ``YYYY-MM-DD`` dates, each problem reported at its place in the document.

``24:00`` is allowed only as an end; an interval whose end is not after its start runs overnight
(``"22:00-06:00"`` on ``mon`` is Monday 22:00–24:00 plus Tuesday 00:00–06:00; Sunday's spills
into Monday).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from covenant.definitions.calendar_spec import DAY_S, WEEKDAYS, DayHours, Interval, WeekSchedule
from covenant.definitions.diagnostics import at, did_you_mean
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

INTERVAL_HELP = 'write "HH:MM-HH:MM" in 24 h time, e.g. "08:00-17:00"; 24:00 only as an end'
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

HoursText = str | list[str]


def parse_date(
    doc: SourceDocument, value: Any, here: PathKey, problems: list[Problem]
) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(
            at(
                doc,
                here,
                code="invalid-date",
                message=f"{value!r} is not a date",
                fix="write the date as YYYY-MM-DD, e.g. 2026-12-24",
            )
        )
        return None


def read_week(
    doc: SourceDocument,
    weekly: dict[str, HoursText],
    here: PathKey,
    problems: list[Problem],
) -> WeekSchedule | None:
    days: list[list[Interval]] = [[] for _ in WEEKDAYS]
    written: list[list[Interval]] = [[] for _ in WEEKDAYS]
    origin: list[list[str]] = [[] for _ in WEEKDAYS]
    ok = True
    seen: dict[str, str] = {}
    for key, text in weekly.items():
        name = key.lower()
        first = seen.setdefault(name, key)
        if first != key:  # Mon and mon: one day written twice; both would be merged silently
            problems.append(
                at(
                    doc,
                    (*here, key),
                    code="invalid-calendar",
                    message=f"{first!r} and {key!r} are the same weekday (weekdays are read "
                    "without case)",
                    fix=f"write the day's hours once, under {name!r} (e.g. "
                    f'{name}: "08:00-12:00, 13:00-18:00")',
                )
            )
            ok = False
            continue
        if name not in WEEKDAYS:
            guess = did_you_mean(name, list(WEEKDAYS))
            problems.append(
                at(
                    doc,
                    (*here, key),
                    code="invalid-calendar",
                    message=f"{key!r} is not a weekday",
                    fix=f"did you mean {guess!r}?"
                    if guess
                    else f"use one of: {', '.join(WEEKDAYS)}",
                )
            )
            ok = False
            continue
        index = WEEKDAYS.index(name)
        for item, (start, end) in _intervals(doc, text, (*here, key), problems):
            written[index].append((start, end))
            if end > start:
                days[index].append((start, end))
                origin[index].append(item)
            else:  # overnight: the rest of the day, then the start of the next one
                following = (index + 1) % len(WEEKDAYS)
                days[index].append((start, DAY_S))
                origin[index].append(item)
                if end > 0:
                    days[following].append((0, end))
                    origin[following].append(f"{item} from {name}")
    for index, name in enumerate(WEEKDAYS):
        if not _no_overlap(
            doc,
            hours=days[index],
            labels=origin[index],
            here=(*here, name),
            problems=problems,
            day=name,
        ):
            ok = False
    if not ok:
        return None
    return WeekSchedule(
        days=tuple(tuple(sorted(d)) for d in days),
        shifts=tuple(tuple(sorted(w)) for w in written),
    )


def read_day(
    doc: SourceDocument,
    text: HoursText,
    here: PathKey,
    problems: list[Problem],
    *,
    overnight: bool,
) -> DayHours | None:
    parsed = _intervals(doc, text, here, problems)
    hours: list[Interval] = []
    labels: list[str] = []
    for item, (start, end) in parsed:
        if end <= start and not overnight:
            problems.append(
                at(
                    doc,
                    here,
                    code="invalid-interval",
                    message=f"{item!r} ends before it starts; a date's hours stay within the date",
                    fix='split it at midnight or end at 24:00, e.g. "22:00-24:00"',
                )
            )
            return None
        hours.append((start, end))
        labels.append(item)
    if not _no_overlap(
        doc, hours=hours, labels=labels, here=here, problems=problems, day="the date"
    ):
        return None
    return tuple(sorted(hours))


def _intervals(
    doc: SourceDocument, text: HoursText, here: PathKey, problems: list[Problem]
) -> list[tuple[str, Interval]]:
    """``[(as written, (start, end))]``; an interval with end <= start is overnight."""
    items = [text] if isinstance(text, str) else text
    result: list[tuple[str, Interval]] = []
    for i, item in enumerate(items):
        path = here if isinstance(text, str) else (*here, i)
        parsed = parse_interval(item)
        if parsed is None:
            problems.append(
                at(
                    doc,
                    path,
                    code="invalid-interval",
                    message=f"{item!r} is not an interval of the day",
                    fix=INTERVAL_HELP,
                )
            )
            continue
        if parsed[0] == parsed[1]:
            problems.append(
                at(
                    doc,
                    path,
                    code="invalid-interval",
                    message=f"{item!r} is empty",
                    fix='write a whole day as "00:00-24:00"; leave a closed day out',
                )
            )
            continue
        result.append((item, parsed))
    return result


def parse_interval(text: str) -> Interval | None:
    """``"08:00-17:00"`` → ``(28800, 61200)``; None unless both ends are valid times."""
    match = _INTERVAL.match(text)
    if match is None:
        return None
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        return None
    start, end = start_h * 3600 + start_m * 60, end_h * 3600 + end_m * 60
    if end == DAY_S and start == 0:
        return (0, DAY_S)
    if end == 0:
        end = DAY_S if start else 0
    return (start, end)


def _no_overlap(
    doc: SourceDocument,
    *,
    hours: Sequence[Interval],
    labels: Sequence[str],
    here: PathKey,
    problems: list[Problem],
    day: str,
) -> bool:
    order = sorted(range(len(hours)), key=lambda i: hours[i])
    for previous, current in itertools.pairwise(order):
        if hours[current][0] < hours[previous][1]:
            problems.append(
                at(
                    doc,
                    here,
                    code="invalid-interval",
                    message=f"{labels[previous]!r} and {labels[current]!r} overlap on {day}",
                    fix="merge the overlapping intervals into one",
                )
            )
            return False
    return True
