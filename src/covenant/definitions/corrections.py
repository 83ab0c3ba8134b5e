"""``covenant/v1`` ``Correction``: a one-off or recurring (RFC 5545 RRULE) SLO correction.

::

    apiVersion: covenant/v1
    kind: Correction
    metadata: {name: weekly-db-maintenance}
    spec:
      slos: [checkout-availability]      # omitted: every SLO of the workspace
      start: 2026-01-04T02:00:00         # a date or date-time; without offset: in timeZone
      duration: 1h                       # or end: 2026-01-04T03:00:00 (exactly one)
      rrule: FREQ=WEEKLY;BYDAY=SU        # optional; UNTIL/COUNT here or as until/count
      until: 2026-12-31                  # optional (recurring only)
      timeZone: Europe/Berlin            # occurrences follow this wall clock (default UTC)
      author: jane@example.com           # who
      reason: weekly database failover   # why
      createdAt: 2026-01-02T10:00:00Z    # optional: when the author wrote it

The rule is expanded here (with ``python-dateutil``), never in the core: the core sees plain UTC
:class:`~covenant.core.corrections.CorrectionWindow` intervals, and only the occurrences that
overlap the range an evaluation reads (so an unbounded rule costs nothing). Occurrences are
laid out on the wall clock of ``timeZone`` (02:00 local every Sunday, across DST changes) and
each lasts ``duration`` (or ``end − start``) of real time. See docs/corrections.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from pydantic import Field

from covenant.core.corrections import CorrectionWindow
from covenant.definitions.agreements import (
    FixedDuration,
    InstantText,
    local_instant,
    parse_instant,
    written_wall,
)
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.durations import parse_duration
from covenant.definitions.fields import Spec, TimeZoneText
from covenant.definitions.openslo import Document
from covenant.definitions.rrule_bounds import HORIZON_YEARS, never_reason, plus_years, walk
from covenant.definitions.rrule_parts import rule_parts, split_rrule
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem

if TYPE_CHECKING:
    from covenant.definitions.parsed import Parsed

RRULE_HELP = (
    "write an RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=SU or "
    "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12 (the first occurrence is spec.start)"
)
_LAST_SECOND = time(23, 59, 59)
_FOLD_MARGIN = timedelta(hours=3)

MAX_EXPANSION = 200_000
"""The most occurrences one correction may expand to, from its start to the end of the range
evaluated (after skipping whole periods ahead where the rule allows it)."""

_STEP_OF = {"HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1)}


class CorrectionRangeError(InputError):
    """A recurring correction expands to more occurrences than can be evaluated."""

    code = "correction-too-frequent"


class CorrectionSpec(Spec):
    slos: list[str] | None = Field(default=None, min_length=1)
    start: InstantText
    end: InstantText | None = None
    duration: FixedDuration | None = None
    rrule: str | None = Field(default=None, min_length=1)
    until: InstantText | None = None
    count: int | None = Field(default=None, ge=1)
    time_zone: TimeZoneText = "UTC"
    author: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    created_at: InstantText | None = None


class CorrectionDocument(Document):
    spec: CorrectionSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectionRule:
    """A resolved Correction: the first occurrence, its length and the recurrence (if any)."""

    name: str
    slos: tuple[str, ...]  # empty: every SLO
    start: datetime  # UTC
    duration: timedelta
    zone: str = "UTC"
    rrule: str | None = None  # as written, without UNTIL/COUNT (kept in until/count)
    until: datetime | None = None  # UTC
    count: int | None = None
    author: str = ""
    reason: str = ""
    created_at: datetime | None = None
    origin: str = ""  # file:line of the document
    # the start's wall time as written when the zone's clock skipped it (a DST gap): ``start``
    # is the gap's end, the repeats keep the time written (None: the wall reading of start)
    wall_start: datetime | None = None

    def content(self) -> str:
        """The canonical JSON of what the correction says (audited; hashed by ``sha256``)."""
        data = {
            "name": self.name,
            "slos": sorted(self.slos),
            "start": _iso(self.start),
            "duration_seconds": int(self.duration.total_seconds()),
            "zone": self.zone,
            "rrule": self.rrule,
            "until": None if self.until is None else _iso(self.until),
            "count": self.count,
            "author": self.author,
            "reason": self.reason,
            "created_at": None if self.created_at is None else _iso(self.created_at),
        }
        if self.wall_start is not None:  # only then: every other correction's hash stays
            data["wall_start"] = self.wall_start.isoformat()
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content().encode("utf-8")).hexdigest()

    def windows(self, *, start: datetime, end: datetime) -> list[CorrectionWindow]:
        """Every occurrence that overlaps ``[start, end)``, as UTC windows."""
        revision = self.sha256
        slos = frozenset(self.slos)

        def window(first: datetime) -> CorrectionWindow:
            return CorrectionWindow(
                name=self.name,
                start=first,
                end=first + self.duration,
                slos=slos,
                author=self.author,
                reason=self.reason,
                revision=revision,
            )

        if self.rrule is None:
            first = [self.start]
        else:
            zone = ZoneInfo(self.zone)
            margin = timedelta(days=2)  # covers any UTC offset between wall clock and UTC
            lo = (start - self.duration - margin).astimezone(zone).replace(tzinfo=None)
            hi = (end + margin).astimezone(zone).replace(tzinfo=None)
            first = [local_instant(local, self.zone) for local in self._occurrences(lo, hi)]
        return [window(f) for f in first if f < end and f + self.duration > start]

    def local_start(self) -> datetime:
        """The first occurrence on the zone's wall clock (naive), as written."""
        return self.wall_start if self.wall_start is not None else _local(self.start, self.zone)

    def expand(self, *, stop: datetime, dtstart: datetime | None = None) -> Iterator[datetime]:
        """The rule's wall-clock occurrences up to ``stop`` and its until, walked from
        ``dtstart`` (default: the first occurrence) without stepping far past them (dateutil
        would walk to the year 9999 for a rule that occurs no more; rrule_bounds.walk).

        The walk goes up to three hours past the until's wall time (an occurrence in an hour a
        clock repeats can start before the until though its wall time reads later); those
        starting after the until's instant are dropped here, the one place every reader
        (validation, its warnings, windows) takes occurrences from."""
        first = self.local_start() if dtstart is None else dtstart
        until = self.until
        if until is not None:
            stop = min(stop, _local(until, self.zone) + _FOLD_MARGIN)
        parsed = build_rrule(self, dtstart=first)
        walked = walk(parsed, start=first, stop=stop, counted=self.count is not None)
        if until is None:
            return walked
        return (local for local in walked if local_instant(local, self.zone) <= until)

    def _occurrences(self, lo: datetime, hi: datetime) -> list[datetime]:
        """The rule's wall-clock occurrences in ``[lo, hi]``, expanding at most MAX_EXPANSION.

        dateutil walks from the first occurrence; for an HOURLY, DAILY or WEEKLY rule without
        a count, the walk starts instead a whole number of periods (``INTERVAL`` hours, days
        or weeks) later, just before ``lo``: on naive wall-clock times that is the same
        sequence, so a rule started years ago costs no more than one started last week.
        """
        assert self.rrule is not None
        dtstart = self.local_start()
        parts = rule_parts(self.rrule)
        period = _STEP_OF.get(parts.get("FREQ", ""))
        if period is not None and self.count is None and lo > dtstart:
            period *= int(parts.get("INTERVAL", "1"))
            dtstart += period * max((lo - dtstart) // period - 1, 0)
        found: list[datetime] = []
        for expanded, local in enumerate(self.expand(dtstart=dtstart, stop=hi), start=1):
            if expanded > MAX_EXPANSION:
                raise CorrectionRangeError(
                    f"correction {self.name!r} ({self.origin or 'workspace'}) expands to more "
                    f"than {MAX_EXPANSION:,} occurrences up to {hi.isoformat()}",
                    hint="recur less often (e.g. FREQ=DAILY instead of BYMINUTE lists), or "
                    "move spec.start closer to the period evaluated",
                )
            if local >= lo:
                found.append(local)
        return found


def _skipped(text: str, start: datetime, zone: str) -> datetime | None:
    """The wall time ``text`` states when ``zone``'s clock never read it (``start``, its first
    instant, reads later), else None."""
    wall = written_wall(text)
    return wall if wall is not None and _local(start, zone) != wall else None


def _until_instant(text: str, *, zone: str) -> datetime:
    """``spec.until`` as an instant: a date bounds inclusively (RFC 5545), so it is the last
    second of that local day, as ``UNTIL=YYYYMMDD`` in the rule; a date-time is itself."""
    if len(text.strip()) == 10:
        day = date.fromisoformat(text.strip())
        return local_instant(datetime.combine(day, _LAST_SECOND), zone)
    return parse_instant(text, zone=zone)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _local(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def build_rrule(rule: CorrectionRule, *, dtstart: datetime | None = None) -> rrule:
    """The dateutil rule, on naive wall-clock times of the rule's zone."""
    assert rule.rrule is not None
    first = rule.local_start() if dtstart is None else dtstart
    parsed = rrulestr(rule.rrule, dtstart=first)
    if not isinstance(parsed, rrule):  # pragma: no cover - rrulestr without set options
        raise ValueError("expected a single RRULE")
    if rule.until is not None:
        # the wall time of until, plus the most a clock goes back: an occurrence in a repeated
        # hour can start before until though its wall time reads later (expand() then keeps
        # those that start at or before the instant)
        parsed = parsed.replace(until=_local(rule.until, rule.zone) + _FOLD_MARGIN)
    if rule.count is not None:
        parsed = parsed.replace(count=rule.count)
    return parsed


def resolve_corrections(
    parsed: Sequence[Parsed], *, slos: set[str], build: bool
) -> tuple[tuple[CorrectionRule, ...], list[Problem]]:
    """Check every Correction (references, dates, the rule); with ``build`` also build them."""
    rules: list[CorrectionRule] = []
    problems: list[Problem] = []
    for item in parsed:
        if isinstance(item.model, CorrectionDocument):
            rule, found = _correction(item.source, item.model, slos)
            problems += found
            if rule is not None and build and not [p for p in found if p.severity != WARNING]:
                rules.append(rule)
    return tuple(rules), problems


def correction_problems(doc: SourceDocument, model: CorrectionDocument) -> list[Problem]:
    """The problems of a Correction's own fields (its dates, its rule), its SLO references
    left for when it is valid (``definitions.partial``)."""
    return _correction(doc, model, set(model.spec.slos or ()))[1]


def _correction(
    doc: SourceDocument, model: CorrectionDocument, slos: set[str]
) -> tuple[CorrectionRule | None, list[Problem]]:
    spec = model.spec
    problems: list[Problem] = []

    def problem(path: PathKey, code: str, message: str, fix: str) -> None:
        problems.append(at(doc, ("spec", *path), code=code, message=message, fix=fix))

    for i, name in enumerate(spec.slos or ()):
        if name not in slos:
            problem(
                ("slos", i),
                "missing-reference",
                f"no SLO named {name!r} in the workspace",
                f"add an SLO named {name!r}, fix the name, or omit slos to correct every SLO",
            )
    zone = spec.time_zone
    start = parse_instant(spec.start, zone=zone)
    duration: timedelta | None = None
    if spec.end is None and spec.duration is None:
        problem((), "missing-field", "the correction has no end", "add end: or duration: 1h")
    elif spec.end is not None and spec.duration is not None:
        problem(
            ("duration",),
            "conflicting-fields",
            "end and duration are both given",
            "keep one of end and duration",
        )
    elif spec.end is not None:
        duration = parse_instant(spec.end, zone=zone) - start
        # a start or end the schema refused stands in (definitions.partial): not compared
        compared = not doc.broken_at(("spec", "start"), ("spec", "end"), ("spec", "timeZone"))
        if compared and duration <= timedelta(0):
            problem(
                ("end",),
                "invalid-correction",
                f"end {spec.end} is not after start {spec.start}",
                "give an end after the start (or a duration)",
            )
    else:
        assert spec.duration is not None
        try:
            duration = timedelta(seconds=parse_duration(spec.duration).seconds)
        except InputError as exc:  # pragma: no cover - FixedDuration validated it
            problem(("duration",), "invalid-duration", exc.message, "e.g. 30m or 2h")
        if duration is not None and duration <= timedelta(0):
            problem(("duration",), "invalid-correction", "duration must be positive", "e.g. 1h")
    rule_text, until, count = None, None, None
    if spec.rrule is None:
        for key, given in (("until", spec.until), ("count", spec.count)):
            if given is not None:
                problem(
                    (key,),
                    "invalid-correction",
                    f"{key} only applies to a recurring correction",
                    f"add an rrule, or remove {key}",
                )
    else:
        try:
            wall = _skipped(spec.start, start, zone) or _local(start, zone)
            rule_text, until, count = split_rrule(spec.rrule, zone=zone, dtstart=wall)
        except ValueError as exc:
            problem(
                ("rrule",),
                "invalid-rrule",
                f"rrule {spec.rrule!r} is not a valid RFC 5545 rule: {exc}",
                RRULE_HELP,
            )
        for key, given, inside in (
            ("until", spec.until, until),
            ("count", spec.count, count),
        ):
            if given is not None and inside is not None:
                problem(
                    (key,),
                    "conflicting-fields",
                    f"{key} is given both here and in the rrule",
                    f"keep one: spec.{key} or {key.upper()}= in the rrule",
                )
        if spec.until is not None:
            until = _until_instant(spec.until, zone=zone)
        count = spec.count if spec.count is not None else count
        if until is not None and count is not None:
            problem(
                ("rrule",),
                "conflicting-fields",
                "the rule has both an until and a count (RFC 5545 allows one)",
                "keep one of until and count",
            )
        if until is not None and until < start:
            problem(
                ("until",) if spec.until is not None else ("rrule",),
                "invalid-correction",
                "the recurrence ends before its first occurrence",
                "give an until after start",
            )
    if problems or duration is None:
        return None, problems
    rule = CorrectionRule(
        name=model.metadata.name,
        slos=tuple(spec.slos or ()),
        start=start,
        duration=duration,
        zone=zone,
        rrule=rule_text,
        until=until,
        count=count,
        author=spec.author.strip(),
        reason=spec.reason.strip(),
        created_at=parse_instant(spec.created_at, zone=zone) if spec.created_at else None,
        origin=doc.where(),
        wall_start=_skipped(spec.start, start, zone),
    )
    if rule.rrule is not None:
        try:
            build_rrule(rule)
        except (ValueError, TypeError) as exc:
            problem(
                ("rrule",),
                "invalid-rrule",
                f"rrule {spec.rrule!r} cannot be used: {exc}",
                RRULE_HELP,
            )
            return None, problems
        reason = never_reason(rule_parts(rule.rrule), start=rule.local_start())
        horizon = plus_years(rule.local_start(), HORIZON_YEARS)
        first = None if reason else next(rule.expand(stop=horizon), None)
        if first is None:
            bound = (
                "its until"
                if rule.until and _local(rule.until, zone) < horizon
                else (f"{HORIZON_YEARS} years after the start")
            )
            problem(
                ("rrule",),
                "invalid-rrule",
                f"rrule {spec.rrule!r} never occurs: {reason}"
                if reason
                else f"rrule {spec.rrule!r} has no occurrence from start {spec.start} to "
                f"{bound}, so the correction would never apply",
                "fix the rule's parts (every BYxxx part must agree on some day), or start on "
                "the first occurrence",
            )
            return None, problems
        if first != rule.local_start():
            problems.append(
                at(
                    doc,
                    ("spec", "start"),
                    code="start-not-an-occurrence",
                    message=f"start {spec.start} is not an occurrence of {spec.rrule}, so "
                    f"nothing is corrected then: the first occurrence is "
                    f"{first:%Y-%m-%dT%H:%M:%S} (RFC 5545 leaves a start its rule does not "
                    "select undefined)",
                    fix=f"start on the first occurrence (start: {first:%Y-%m-%dT%H:%M:%S}), "
                    "or write a rule that selects the start's day and time",
                    severity=WARNING,
                )
            )
    return rule, problems


def correction_windows(
    rules: Sequence[CorrectionRule], *, start: datetime, end: datetime
) -> list[CorrectionWindow]:
    """Every occurrence of every rule that overlaps ``[start, end)``, by start."""
    windows = [w for rule in rules for w in rule.windows(start=start, end=end)]
    return sorted(windows, key=lambda w: (w.start, w.name))
