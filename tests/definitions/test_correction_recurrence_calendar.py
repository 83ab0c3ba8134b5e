"""HOURLY, MONTHLY and YEARLY corrections (and every frequency with UNTIL or COUNT) against a
walk of local days (tests/definitions/recurrence_reference.py).

Each case is a Correction document read by the workspace reader, so ``until``/``count`` as
fields and as ``UNTIL=``/``COUNT=`` in the rule are both exercised. Zones whose clocks change by
half an hour or at odd offsets (Lord Howe, Chatham, St John's) or never (Kathmandu, +05:45);
ranges around their changes, around the ends of short months (the 31st in April, 29 February in
2026/2027 and 2028); rules started years before (or, hourly, weeks before); COUNT and UNTIL
drawn around an occurrence so the bound lands on it, a second before or after; UNTIL as a UTC
instant, a local date-time or a local date — a date includes that day's occurrences (RFC 5545:
UNTIL bounds inclusively), in the rule or in ``spec.until`` alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from covenant.definitions.corrections import CorrectionRule
from covenant.definitions.workspace import analyse_text
from tests.definitions import recurrence_reference as ref

# zone → days its clock changes (with wall times in or at the edge of the change)
ZONES = {
    "Australia/Lord_Howe": [
        (date(2026, 10, 4), ["02:00", "02:15", "02:30"]),
        (date(2026, 4, 5), ["01:30", "01:45", "02:00"]),
    ],
    "Pacific/Chatham": [
        (date(2026, 9, 27), ["02:45", "03:15", "03:45"]),
        (date(2026, 4, 5), ["02:45", "03:15", "03:45"]),
    ],
    "America/St_Johns": [
        (date(2026, 3, 8), ["02:00", "02:30", "03:00"]),
        (date(2026, 11, 1), ["01:00", "01:30", "02:00"]),
    ],
    "Asia/Kathmandu": [(date(2026, 2, 28), ["00:00", "05:45", "23:59"])],
}
# days around which month ends and leap days fall
MONTH_ENDS = [
    date(2026, 2, 28),
    date(2026, 4, 30),
    date(2026, 6, 30),
    date(2027, 2, 28),
    date(2028, 2, 29),
    date(2026, 12, 31),
]
DURATIONS = {"1m": 60, "30m": 1800, "1h": 3600, "90m": 5400, "1441m": 86460}


@st.composite
def rules(draw: st.DrawFn) -> ref.Rule:
    freq = draw(st.sampled_from(["HOURLY", "MONTHLY", "YEARLY", "DAILY", "WEEKLY"]))
    weekday = st.integers(0, 6)
    if freq == "HOURLY":
        byday = draw(st.sets(weekday, max_size=3)) if draw(st.booleans()) else set()
        return ref.Rule(freq, draw(st.integers(1, 5)), byday=tuple((0, d) for d in sorted(byday)))
    if freq in ("DAILY", "WEEKLY"):
        days = sorted(draw(st.sets(weekday, min_size=1, max_size=3))) if freq == "WEEKLY" else []
        return ref.Rule(freq, draw(st.integers(1, 3)), byday=tuple((0, d) for d in days))
    interval = draw(st.integers(1, 3) if freq == "MONTHLY" else st.integers(1, 2))
    shape = draw(st.sampled_from(["plain", "monthday", "ordinal", "weekday"]))
    bymonth: tuple[int, ...] = ()
    if freq == "YEARLY":
        if shape == "plain" and draw(st.booleans()):
            bymonth = tuple(sorted(draw(st.sets(st.integers(1, 12), min_size=1, max_size=4))))
        elif shape in ("ordinal", "weekday", "monthday"):
            bymonth = (draw(st.integers(1, 12)),)
    if shape == "monthday":
        days = draw(st.sets(st.sampled_from([1, 15, 28, 29, 30, 31, -1, -2, -3]), min_size=1))
        return ref.Rule(freq, interval, bymonthday=tuple(sorted(days)), bymonth=bymonth)
    if shape == "ordinal":
        pairs = draw(
            st.sets(st.tuples(st.sampled_from([1, 2, 3, 4, 5, -1, -2]), weekday), min_size=1)
        )
        return ref.Rule(freq, interval, byday=tuple(sorted(pairs)), bymonth=bymonth)
    if shape == "weekday":
        days = draw(st.sets(weekday, min_size=1, max_size=2))
        return ref.Rule(freq, interval, byday=tuple((0, d) for d in sorted(days)), bymonth=bymonth)
    return ref.Rule(freq, interval, bymonth=bymonth)


def first_day(draw: st.DrawFn, rule: ref.Rule, around: date) -> date:
    if rule.freq == "HOURLY":
        return around - timedelta(days=draw(st.integers(0, 60)))
    if rule.freq == "YEARLY" and draw(st.booleans()):
        return draw(st.sampled_from([date(2020, 2, 29), date(2024, 2, 29), date(2023, 1, 31)]))
    year, month = draw(st.sampled_from([(2019, 1), (2023, 7), (2025, 8), (2025, 12), (2026, 1)]))
    return date(year, month, draw(st.sampled_from([1, 15, 28, 29, 30, 31])))


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, CorrectionRule, int, int, list[int]]:
    key = draw(st.sampled_from(sorted(ZONES)))
    zone = ZoneInfo(key)
    change, wall_times = draw(st.sampled_from(ZONES[key]))
    around = draw(st.sampled_from([change, *MONTH_ENDS]))
    rule = draw(rules())
    hh, mm = map(int, draw(st.sampled_from(wall_times)).split(":"))
    first = datetime.combine(first_day(draw, rule, around), time(hh, mm))
    assume(ref.reading(ref.instant(first, zone), zone) == first)  # a start that exists
    if rule.freq == "MONTHLY" and not (rule.bymonthday or rule.byday):
        pass  # the first day's day of the month: the 29th–31st skip short months
    elif rule.freq != "HOURLY":
        # a first occurrence the rule selects (RFC 5545: DTSTART synchronised with the rule)
        found = ref.walls(
            ref.Rule(**{**rule.__dict__, "count": None}), first, first.date() + timedelta(days=800)
        )
        assume(found)
        first = found[0]
    lo = int(datetime.combine(around, time(12), tzinfo=zone).timestamp())
    lo += draw(st.integers(-2 * 86400, 2 * 86400))
    hi = lo + draw(st.integers(1, 5 * 86400))
    # COUNT or UNTIL around an occurrence near the range
    last = (ref.reading(hi, zone) + timedelta(days=2)).date()
    walls = ref.walls(rule, first, last)
    soon = (ref.reading(lo, zone) - timedelta(days=4)).date()
    near = [i for i, w in enumerate(walls) if w.date() >= soon] or [len(walls) - 1]
    walked = {i: ref.instant(walls[i], zone) for i in near if i >= 0}
    pick = draw(st.sampled_from(near)) if walked else None
    bound = draw(st.sampled_from(["none", "count", "rule-count", "until"]))
    until: int | None = None
    extra = ""
    fields = ""
    if bound in ("count", "rule-count") and pick is not None:
        count = max(1, pick + 1 + draw(st.integers(-1, 1)))
        rule = ref.Rule(**{**rule.__dict__, "count": count})
        extra, fields = (
            (f";COUNT={count}", "") if bound == "rule-count" else ("", f"  count: {count}\n")
        )
    elif bound == "until" and pick is not None:
        u = walked[pick] + draw(st.sampled_from([-1, 0, 1, 3600]))
        shape = draw(
            st.sampled_from(["rule-utc", "utc", "local", "rule-local", "date", "rule-date"])
        )
        wall = ref.reading(u, zone)
        utc = datetime.fromtimestamp(u, tz=UTC)
        if shape == "rule-utc":
            extra = f";UNTIL={utc:%Y%m%dT%H%M%SZ}"
        elif shape == "utc":
            fields = f"  until: {utc:%Y-%m-%dT%H:%M:%SZ}\n"
        elif shape in ("local", "rule-local"):
            u = ref.instant(wall, zone)
            extra, fields = (
                (f";UNTIL={wall:%Y%m%dT%H%M%S}", "")
                if shape == "rule-local"
                else ("", f"  until: {wall:%Y-%m-%dT%H:%M:%S}\n")
            )
        else:  # a local date: every occurrence starting on that day is included
            u = ref.instant(datetime.combine(wall.date(), time(23, 59, 59)), zone)
            extra, fields = (
                (f";UNTIL={wall:%Y%m%d}", "")
                if shape == "rule-date"
                else ("", f"  until: {wall:%Y-%m-%d}\n")
            )
        assume(u >= ref.instant(first, zone))
        until = u
    duration = draw(st.sampled_from(sorted(DURATIONS)))
    text = (
        "apiVersion: covenant/v1\nkind: Correction\nmetadata: {name: r}\nspec:\n"
        f"  start: {first:%Y-%m-%dT%H:%M:%S}\n  duration: {duration}\n"
        f"  rrule: {rule.text()}{extra}\n{fields}"
        f"  timeZone: {key}\n  author: a@example.com\n  reason: test\n"
    )
    ws, problems = analyse_text(text, file="c.yaml")
    assert ws is not None, [str(p) for p in problems]
    (built,) = ws.corrections
    want = ref.occurrences(
        rule, first, zone, until=until, duration=DURATIONS[duration], lo=lo, hi=hi
    )
    return text, built, lo, hi, want


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(cases())
def test_occurrences_equal_a_walk_of_local_days(
    case: tuple[str, CorrectionRule, int, int, list[int]],
) -> None:
    text, rule, lo, hi, want = case
    got = rule.windows(
        start=datetime.fromtimestamp(lo, tz=UTC), end=datetime.fromtimestamp(hi, tz=UTC)
    )
    assert [int(w.start.timestamp()) for w in got] == want, text
