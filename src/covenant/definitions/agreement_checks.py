"""Rules inside one ``Agreement`` document: numbering, dates, lifecycle, and field combinations.

References to other documents (customer, calendars, SLOs) are checked in ``contracts``.
Field rules of an availability commitment are in ``availability_checks``, its credit tiers in
``credit_tier_checks``.

Lifecycle rules (errors):

- versions are numbered 1..n, each once;
- a version from 2 on is an amendment and needs a ``reason``;
- a signed, active, superseded or expired version needs ``signatories`` (a ``terminated``
  version without signatories is a withdrawn draft and takes no part in the date rules);
- between signed versions, ``effectiveFrom`` increases with the version number and an explicit
  ``effectiveTo`` does not reach past the next signed version's ``effectiveFrom`` (an open
  ``effectiveTo`` ends implicitly where the next signed version starts);
- at most one ``active`` version at any instant (by their written dates);
- a ``superseded`` version has a later signed version.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from covenant.definitions.agreements import (
    AgreementDocument,
    TargetSpec,
    VersionSpec,
    parse_instant,
    wall_readings_of,
    written_wall,
)
from covenant.definitions.availability_checks import amount_problems, availability_problems
from covenant.definitions.calendar_spec import WeekSchedule
from covenant.definitions.diagnostics import at
from covenant.definitions.durations import parse_duration
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem

SIGNED_STATUSES = frozenset({"signed", "active", "superseded", "expired"})


def is_signed(version: VersionSpec) -> bool:
    """Signed at some point: its terms are binding (a terminated draft is not)."""
    return version.status in SIGNED_STATUSES or (
        version.status == "terminated" and bool(version.signatories)
    )


def effective_range(version: VersionSpec) -> tuple[datetime, datetime | None]:
    zone = version.period.time_zone
    start = parse_instant(version.effective_from, zone=zone)
    end = parse_instant(version.effective_to, zone=zone) if version.effective_to else None
    return start, end


def check_agreement(
    doc: SourceDocument,
    model: AgreementDocument,
    *,
    weeks: Mapping[str, WeekSchedule] | None = None,
) -> list[Problem]:
    """The agreement's own problems; ``weeks`` (calendar → weekly hours) words the fix of a
    target in days on a calendar."""
    versions = model.spec.versions
    # a version number, date or status the schema refused stands in (definitions.partial):
    # the versions are not numbered, dated or ordered by the stand-in
    numbers = [("spec", "versions", i, "version") for i in range(len(versions))]
    problems = [] if doc.broken_at(*numbers) else _numbering(doc, versions)
    dated: list[tuple[int, VersionSpec, datetime, datetime | None]] = []
    for i, version in enumerate(versions):
        here: PathKey = ("spec", "versions", i)
        problems += _version_fields(doc, version, here, weeks or {})
        if doc.broken_at(*((*here, key) for key in ("effectiveFrom", "effectiveTo", "status"))):
            continue
        problems += _read_twice(doc, version, here)
        start, end = effective_range(version)
        if end is not None and end <= start:
            problems.append(
                at(
                    doc,
                    (*here, "effectiveTo"),
                    code="invalid-effective-dates",
                    message=f"v{version.version}: effectiveTo {version.effective_to} is not "
                    f"after effectiveFrom {version.effective_from}",
                    fix="end the version after it starts, or leave effectiveTo out",
                )
            )
            continue
        dated.append((i, version, start, end))
    problems += _signed_order(doc, dated)
    problems += _lifecycle(doc, dated)
    return problems


def _read_twice(doc: SourceDocument, version: VersionSpec, here: PathKey) -> list[Problem]:
    """A warning for an ``effectiveFrom``/``effectiveTo`` without an offset that the zone's
    clock reads twice (clocks went back): it is read as the first, the earlier instant."""
    zone = version.period.time_zone
    problems: list[Problem] = []
    for key, text in (
        ("effectiveFrom", version.effective_from),
        ("effectiveTo", version.effective_to),
    ):
        wall = written_wall(text) if text else None
        readings = None if wall is None else wall_readings_of(wall, zone)
        if wall is None or readings is None:
            continue
        first, second = (_utc_text(r) for r in readings)
        offsets = [_offset_text(r.astimezone(ZoneInfo(zone)).utcoffset()) for r in readings]
        written = wall.isoformat()
        problems.append(
            at(
                doc,
                (*here, key),
                code="ambiguous-local-time",
                message=f"v{version.version}: {key} {written} happened twice in {zone} (clocks "
                f"went back): read as the first, {first}; the second is {second}",
                fix=f"write the offset meant: {written}{offsets[0]} (the first) or "
                f"{written}{offsets[1]} (the second)",
                severity="warning",
            )
        )
    return problems


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _offset_text(offset: timedelta | None) -> str:
    seconds = int((offset or timedelta()).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def _numbering(doc: SourceDocument, versions: Sequence[VersionSpec]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for i, version in enumerate(versions):
        if version.version in seen:
            problems.append(
                at(
                    doc,
                    ("spec", "versions", i, "version"),
                    code="duplicate-version",
                    message=f"version {version.version} is also spec.versions"
                    f"[{seen[version.version]}]",
                    fix="number versions 1, 2, 3…; an amendment is a new version",
                )
            )
        seen.setdefault(version.version, i)
    expected = set(range(1, max(seen, default=0) + 1))
    if set(seen) != expected:
        written = ", ".join(str(n) for n in sorted(seen))
        missing = sorted(expected - set(seen))
        problems.append(
            at(
                doc,
                ("spec", "versions"),
                code="version-gap",
                message=f"versions are numbered {written}"
                + (f"; {', '.join(map(str, missing))} missing" if missing else ""),
                fix="number versions 1..n without gaps (v1 is the original, v2 the first "
                "amendment…)",
            )
        )
    return problems


def _version_fields(
    doc: SourceDocument, version: VersionSpec, here: PathKey, weeks: Mapping[str, WeekSchedule]
) -> list[Problem]:
    problems: list[Problem] = []
    label = f"v{version.version}"
    if version.version >= 2 and not (version.reason or "").strip():
        problems.append(
            at(
                doc,
                (*here, "reason"),
                code="missing-field",
                message=f"{label} is an amendment and has no reason",
                fix="add reason: why the terms change (e.g. 'raise the level to 99.95 %')",
            )
        )
    if version.status in SIGNED_STATUSES and not version.signatories:
        problems.append(
            at(
                doc,
                (*here, "signatories"),
                code="unsigned-binding-version",
                message=f"{label} is {version.status} but has no signatories",
                fix="list who signed (name, role, signedAt), or keep the status draft/proposed",
            )
        )
    names: dict[str, int] = {}
    labelled = [("availability", j, a.name) for j, a in enumerate(version.availability)]
    labelled += [("support", j, s.name) for j, s in enumerate(version.support)]
    for key, j, name in labelled:
        if name in names:
            problems.append(
                at(
                    doc,
                    (*here, key, j, "name"),
                    code="duplicate-name",
                    message=f"{label}: commitment {name!r} is named twice",
                    fix="give each commitment of a version its own name",
                )
            )
        names.setdefault(name, j)
    for j, item in enumerate(version.availability):
        problems += availability_problems(doc, version, item, (*here, "availability", j))
    if version.cap is not None:
        problems += amount_problems(doc, version.cap, (*here, "cap"))
    for j, support in enumerate(version.support):
        path = (*here, "support", j)
        problems += _priority_keys(doc, path, support.name, list(support.targets), version)
        for priority, target in support.targets.items():
            if target.first_response is None and target.resolution is None:
                problems.append(
                    at(
                        doc,
                        (*path, "targets", priority),
                        code="missing-field",
                        message=f"priority {priority} has no target",
                        fix="add firstResponse: 30m and/or resolution: 4h",
                    )
                )
            elif target.first_response is not None and target.resolution is not None:
                problems += _resolution_first(doc, (*path, "targets", priority), priority, target)
            if support.calendar is not None:
                problems += _business_days(
                    doc,
                    (*path, "targets", priority),
                    target,
                    support.calendar,
                    desk=weeks.get(support.calendar),
                    signed=is_signed(version),
                )
        if support.penalty is not None:
            problems += amount_problems(doc, support.penalty, (*path, "penalty"))
    return problems


def _priority_keys(
    doc: SourceDocument, path: PathKey, name: str, keys: list[str], version: VersionSpec
) -> list[Problem]:
    """A priority key with surrounding spaces (``"P1 "``) is warned about: a ticket's priority
    is compared stripped, so it means ``P1``. Two keys that are the same priority once stripped
    would collapse into one (the later counts): an error — a warning on a signed version, which
    must keep syncing as signed (the fix is an amendment)."""
    amend = (
        "; this version is signed: make the change in an amendment (a new version n+1; "
        "editing a signed version is the error signed-version-changed)"
        if is_signed(version)
        else ""
    )
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for key in keys:
        clean = key.strip()
        if clean != key:
            problems.append(
                at(
                    doc,
                    (*path, "targets", key),
                    code="padded-priority",
                    message=f"priority {key!r} has surrounding spaces; write {clean!r} "
                    f"(tickets of priority {clean} are measured against it)",
                    fix=f"write the key as {clean}{amend}",
                    severity="warning",
                )
            )
        first = seen.setdefault(clean, key)
        if first != key:
            problems.append(
                at(
                    doc,
                    (*path, "targets", key),
                    code="duplicate-priority",
                    message=f"priorities {first!r} and {key!r} of commitment {name!r} are the "
                    f"same priority, {clean} (a ticket's priority is compared without its "
                    "surrounding spaces)",
                    fix=f"keep one target for {clean} and remove the other{amend} "
                    f"(until then the later one, {key!r}, is measured)",
                    severity="warning" if amend else "error",
                )
            )
    return problems


def _resolution_first(
    doc: SourceDocument, path: PathKey, priority: str, target: TargetSpec
) -> list[Problem]:
    """A resolution target shorter than the first-response target is almost always a slip
    (the two swapped, or a unit wrong): a ticket resolved in time may breach its response."""
    assert target.first_response is not None
    assert target.resolution is not None
    response = parse_duration(target.first_response).seconds
    resolution = parse_duration(target.resolution).seconds
    if resolution >= response:
        return []
    return [
        at(
            doc,
            (*path, "resolution"),
            code="resolution-before-response",
            message=f"priority {priority}: resolution {target.resolution} is shorter than "
            f"firstResponse {target.first_response}, so a ticket resolved in time can still "
            "breach its first response",
            fix=f"check the two targets: resolution is usually the longer "
            f"(firstResponse: {target.resolution}, resolution: {target.first_response} if they "
            "were swapped)",
            severity="warning",
        )
    ]


def _business_days(
    doc: SourceDocument,
    path: PathKey,
    target: TargetSpec,
    calendar: str,
    *,
    desk: WeekSchedule | None,
    signed: bool,
) -> list[Problem]:
    """A target in ``d`` or ``w`` on a business calendar counts 24 (168) hours of business
    time per unit, never business days: ``3d`` on a desk open 10 hours a day is 7.2 business
    days. Contracts say "3 business days" and mean the desk's days, so it is warned about —
    unless the calendar is open around the clock, where a day of it is a day. The fix counts
    the desk's own day (``desk``, its weekly hours) and, on a ``signed`` version, is written in
    an amendment."""
    lengths = [sum(end - start for start, end in day) for day in desk.days] if desk else []
    if lengths and all(length == DAY_S for length in lengths):
        return []  # open 24×7: 3d is 3 days of it
    day_s, assumed = _desk_day(lengths)
    problems: list[Problem] = []
    for key, text in (("firstResponse", target.first_response), ("resolution", target.resolution)):
        if text is None:
            continue
        try:
            duration = parse_duration(text)
        except InputError:
            continue  # an invalid duration is reported where the targets are read
        if duration.unit not in {"d", "w"}:
            continue
        if duration.unit == "d" and lengths and all(n in (0, DAY_S) for n in lengths):
            continue  # each open day is 24 hours (weekdays around the clock): 3d is 3 of them
        hours = duration.seconds // 3600
        word = "business days" if duration.unit == "d" else "business weeks"
        unit_s = day_s if duration.unit == "d" else sum(lengths) or 5 * day_s
        unit = "day" if duration.unit == "d" else "week"
        amend = (
            "; this version is signed: make the change in an amendment (a new version n+1; "
            "editing a signed version is the error signed-version-changed)"
            if signed
            else ""
        )
        problems.append(
            at(
                doc,
                (*path, key),
                code="days-of-business-time",
                message=f"{key} {text} counts {hours} business hours on calendar "
                f"{calendar!r} (a {duration.unit} of a target is {FIXED_HOURS[duration.unit]} "
                f"hours of business time), not {duration.count} {word}",
                fix=f"write the business hours the contract means ({duration.count} {word} "
                f"of this desk's {_hours(unit_s)}-hour {unit}: "
                f"{key}: {_duration(duration.count * unit_s)}{assumed})"
                f"; or {key}: {hours}h to state the {hours} business hours{amend}",
                severity="warning",
            )
        )
    return problems


def _desk_day(lengths: Sequence[int]) -> tuple[int, str]:
    """The desk's business day in seconds (8 hours when its hours are not known), and what was
    assumed when its open days differ in length: the most common of them."""
    open_days = [length for length in lengths if length > 0]
    if not open_days:
        return 8 * 3600, ""
    day = Counter(open_days).most_common(1)[0][0]
    if len(set(open_days)) == 1:
        return day, ""
    low, high = _hours(min(open_days)), _hours(max(open_days))
    return day, (
        f"; its days differ in length ({low}h to {high}h): this takes the most common, "
        f"{_hours(day)}h"
    )


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:g}"


def _duration(seconds: int) -> str:
    """A target duration for ``seconds``: whole hours in ``h``, else minutes."""
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}m"


FIXED_HOURS = {"d": 24, "w": 168}
DAY_S = 24 * 3600


def _signed_order(
    doc: SourceDocument, dated: Sequence[tuple[int, VersionSpec, datetime, datetime | None]]
) -> list[Problem]:
    signed = sorted((v.version, i, v, s, e) for i, v, s, e in dated if is_signed(v))
    problems: list[Problem] = []
    for (n1, _, v1, s1, e1), (n2, i2, v2, s2, _) in itertools.pairwise(signed):
        here: PathKey = ("spec", "versions", i2, "effectiveFrom")
        if s2 <= s1:
            problems.append(
                at(
                    doc,
                    here,
                    code="overlapping-versions",
                    message=f"v{n2} starts {v2.effective_from}, not after v{n1} "
                    f"({v1.effective_from}); signed versions follow each other in time",
                    fix=f"give v{n2} an effectiveFrom after {v1.effective_from}",
                )
            )
        elif e1 is not None and e1 > s2:
            problems.append(
                at(
                    doc,
                    here,
                    code="overlapping-versions",
                    message=f"v{n1} runs to {v1.effective_to}, past the start of v{n2} "
                    f"({v2.effective_from})",
                    fix=f"start v{n2} on or after {v1.effective_to}",
                )
            )
    return problems


def _lifecycle(
    doc: SourceDocument, dated: Sequence[tuple[int, VersionSpec, datetime, datetime | None]]
) -> list[Problem]:
    problems: list[Problem] = []
    active = sorted((s, v.version, i, e) for i, v, s, e in dated if v.status == "active")
    for (_s1, n1, _, e1), (s2, n2, i2, _) in itertools.pairwise(active):
        if e1 is None or e1 > s2:
            problems.append(
                at(
                    doc,
                    ("spec", "versions", i2, "status"),
                    code="lifecycle-conflict",
                    message=f"v{n1} and v{n2} are both active from {s2:%Y-%m-%d %H:%M} UTC; "
                    "at most one version is active at a time",
                    fix=f"mark v{min(n1, n2)} superseded (or expired) once v{max(n1, n2)} "
                    "takes over",
                )
            )
    numbers = {v.version for _, v, _, _ in dated if is_signed(v)}
    for i, version, _, _ in dated:
        if version.status == "superseded" and not any(n > version.version for n in numbers):
            problems.append(
                at(
                    doc,
                    ("spec", "versions", i, "status"),
                    code="lifecycle-conflict",
                    message=f"v{version.version} is superseded but no later signed version "
                    "supersedes it",
                    fix=f"add the signed amendment v{version.version + 1}, or keep "
                    f"v{version.version} active",
                )
            )
    return problems
