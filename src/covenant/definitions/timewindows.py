"""``spec.timeWindow`` → ``RollingWindow`` or ``CalendarWindow``, and the checks that guard it.

Interpretation (documented in docs/definitions.md):

* ``isRolling: true`` → a rolling window of fixed length: ``m``/``h``/``d``/``w`` units; a
  calendar unit is read as the OpenSLO Go SDK reads it (``1M`` 30 days, ``1Q`` 90, ``1y`` 365),
  with a warning (``rolling-calendar-unit``): the calendar month is a calendar window.
* otherwise (``isRolling: false`` or a ``calendar`` given) → a calendar window: ``d`` Day,
  ``w`` Week, ``M`` Month, ``Q`` Quarter, ``y``/``Y`` Year, in ``calendar.timeZone`` (default
  UTC), aligned to ``calendar.startTime`` read as a wall-clock time in that zone.
* ``1m``…``12m`` on a calendar window is almost always a month written with the wrong case: an
  error that says "did you mean 1M?". A rolling window under an hour written in minutes is
  legal but unusual for an SLO: a warning.
* No ``timeWindow`` at all (OpenSLO allows it): a rolling 28 days, with a warning.
* A calendar window needs ``calendar.startTime``; a rolling window with a calendar is one
  conflict, whether or not the calendar has a ``startTime``.
"""

from __future__ import annotations

from collections.abc import Sequence

from covenant.core.model import Window
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.durations import ROLLING_DAYS, UNIT_WORDS, Duration, parse_duration
from covenant.definitions.field_rules import DEFAULT_WINDOW, window_from
from covenant.definitions.openslo import TimeWindow
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

DEFAULT_WINDOW_TEXT = "28d"
V1_WINDOW_EXAMPLE = "{duration: 28d, isRolling: true}"
"""One window as openslo/v1 (and the v2alpha draft) write it."""
DEFAULT_START = "1970-01-01 00:00:00"
"""Where calendar periods without ``calendar`` start (UTC): the core's natural unit starts."""
DEFAULT_WEEK_START = "1970-01-05 00:00:00"  # a Monday: ISO weeks


def check_time_windows(
    doc: SourceDocument, windows: Sequence[TimeWindow] | None, path: PathKey
) -> list[Problem]:
    key, one = _as_written(doc)
    if windows is None:
        return [
            at(
                doc,
                (*path[:-1], key),
                code="missing-time-window",
                message=f"no {key} given; Covenant uses a rolling 28d window",
                fix=f"add {key}: [{one}]",
                severity=WARNING,
            )
        ]
    if not windows:
        return [
            at(
                doc,
                path,
                code="invalid-window",
                message=f"{key} holds no window",
                fix=f"add one, e.g. {key}: [{one}], or remove {key} (a rolling "
                f"{DEFAULT_WINDOW_TEXT} window is then used, with a warning)",
            )
        ]
    if len(windows) != 1:
        return [
            at(
                doc,
                path,
                code="invalid-window",
                message=f"{key} must hold exactly one window, found {len(windows)}",
                fix="keep one window; define another SLO for another window",
            )
        ]
    if doc.broken_at((*path, 0)):
        return []  # a field of the window was refused: checked once it is fixed
    return check_time_window(doc, windows[0], (*path, 0))


def _as_written(doc: SourceDocument) -> tuple[str, str]:
    """The window list's key and one window as the file's version writes them."""
    if doc.converted_from == "openslo/v1alpha":
        return "timeWindows", "{unit: Day, count: 28, isRolling: true}"
    return "timeWindow", V1_WINDOW_EXAMPLE


def check_time_window(doc: SourceDocument, window: TimeWindow, path: PathKey) -> list[Problem]:
    duration = parse_duration(window.duration)  # already validated by the model
    where = (*path, "duration")
    if window.is_rolling:
        if window.calendar is not None:
            return [
                at(
                    doc,
                    (*path, "calendar"),
                    code="conflicting-fields",
                    message="a rolling window cannot have a calendar",
                    fix="remove calendar, or set isRolling: false",
                )
            ]
        if not duration.is_fixed:
            return [rolling_calendar_unit(doc, duration, where)]
        if duration.unit == "m" and duration.count < 60:
            return [
                at(
                    doc,
                    where,
                    code="ambiguous-duration",
                    message=f"a rolling window of {duration.count} minute(s) is unusually short",
                    fix=f"did you mean {duration.count}M (months)? Rolling windows take d or w, "
                    "e.g. 28d",
                    severity=WARNING,
                )
            ]
        return []
    if window.is_rolling is None and window.calendar is None:
        return [
            at(
                doc,
                (*path, "isRolling"),
                code="missing-field",
                message="say whether the window is rolling",
                fix="add isRolling: true, or a calendar for a calendar-aligned window",
            )
        ]
    problems: list[Problem] = []
    if window.calendar is not None and window.calendar.start_time is None:
        problems.append(
            at(
                doc,
                (*path, "calendar", "startTime"),
                code="missing-field",
                message="required field 'startTime' is missing",
                fix="add startTime",
            )
        )
    return problems + _calendar_duration(doc, duration, (*path, "duration"))


def rolling_calendar_unit(doc: SourceDocument, duration: Duration, where: PathKey) -> Problem:
    """The warning that a rolling window written in months, quarters or years is read as a
    fixed number of days (``durations.ROLLING_DAYS``)."""
    word = UNIT_WORDS[duration.unit]
    return at(
        doc,
        where,
        code="rolling-calendar-unit",
        message=f"a rolling {duration} is read as {duration.rolling_text} (a rolling window has "
        f"a fixed length; a {word} is counted as {ROLLING_DAYS[duration.unit]} days, as the "
        "OpenSLO SDK does)",
        fix=f"write {duration.rolling_text} to say so, or make it a calendar window "
        f"(isRolling: false) for the calendar {word}",
        severity=WARNING,
    )


def _calendar_duration(doc: SourceDocument, duration: Duration, where: PathKey) -> list[Problem]:
    if duration.calendar_unit is None:
        if duration.unit == "m" and 1 <= duration.count <= 12:
            return [
                at(
                    doc,
                    where,
                    code="ambiguous-duration",
                    message=f"{duration} is {duration.count} minute(s), not a calendar period",
                    fix=f"did you mean {duration.count}M (month)? Calendar windows take d, w, "
                    "M, Q or y",
                )
            ]
        return [
            at(
                doc,
                where,
                code="invalid-window",
                message=f"a calendar window cannot be {duration} long",
                fix="calendar windows take d, w, M, Q or y (e.g. 1M, 1Q)",
            )
        ]
    return []


def window_of(windows: Sequence[TimeWindow] | None) -> Window:
    """The resolved window of a checked ``timeWindow`` list."""
    if not windows:
        return DEFAULT_WINDOW
    window = windows[0]
    calendar = window.calendar
    return window_from(
        window.duration,
        rolling=window.is_rolling,
        start_time=None if calendar is None else calendar.start_time,
        zone="UTC" if calendar is None else calendar.time_zone,
    )
