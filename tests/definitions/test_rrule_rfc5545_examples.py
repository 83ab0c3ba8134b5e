"""RFC 5545 §3.8.5.3's published recurrence examples, and the rule parts RFC 5545 forbids.

Each example is a Correction document in America/New_York starting at the example's DTSTART;
the expected occurrences are the RFC's published lists (09:00 local unless the example says
otherwise), typed in here, not computed. Examples that need ``FREQ=MINUTELY`` (refused: a
correction recurs at most hourly), RDATE or EXDATE are left out; the "Friday the 13th" example
EXDATEs its DTSTART, which Covenant does not count as an occurrence anyway (docs/corrections.md).
Every example is also checked against the brute-force reference (rrule_reference.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from covenant.definitions.workspace import analyse_text
from tests.definitions import rrule_reference as ref

NY = ZoneInfo("America/New_York")


def d(year: int, month: int, *days: int, at: time = time(9)) -> list[datetime]:
    return [datetime.combine(date(year, month, day), at) for day in days]


def span(first: date, last: date) -> list[datetime]:
    return [
        datetime.combine(first + timedelta(days=i), time(9)) for i in range((last - first).days + 1)
    ]


def document(start: datetime, rule: str) -> str:
    return (
        "apiVersion: covenant/v1\nkind: Correction\nmetadata: {name: r}\nspec:\n"
        f"  start: {start:%Y-%m-%dT%H:%M:%S}\n  duration: 1m\n  rrule: {rule}\n"
        "  timeZone: America/New_York\n  author: a@example.com\n  reason: test\n"
    )


def covenant_walls(start: datetime, rule: str, first: datetime, last: datetime) -> list[datetime]:
    """The occurrences Covenant gives from ``first`` to ``last`` (New York wall times)."""
    ws, problems = analyse_text(document(start, rule), file="c.yaml")
    assert ws is not None, [str(p) for p in problems]
    assert not [p for p in problems if p.code == "start-not-an-occurrence"] or "=13" in rule
    (built,) = ws.corrections
    lo, hi = (t.replace(tzinfo=NY).astimezone(UTC) for t in (first, last))
    got = built.windows(start=lo, end=hi + timedelta(seconds=1))
    return [w.start.astimezone(NY).replace(tzinfo=None) for w in got]


S = datetime(1997, 9, 2, 9)
EXAMPLES: list[tuple[str, datetime, str, list[datetime]]] = [
    ("daily, 10", S, "FREQ=DAILY;COUNT=10", span(date(1997, 9, 2), date(1997, 9, 11))),
    (
        "daily until 24 Dec 1997",
        S,
        "FREQ=DAILY;UNTIL=19971224T000000Z",
        span(date(1997, 9, 2), date(1997, 12, 23)),
    ),
    (
        "every other day",
        S,
        "FREQ=DAILY;INTERVAL=2",
        d(1997, 9, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
        + d(1997, 10, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24),
    ),
    (
        "every 10 days, 5",
        S,
        "FREQ=DAILY;INTERVAL=10;COUNT=5",
        d(1997, 9, 2, 12, 22) + d(1997, 10, 2, 12),
    ),
    (
        "every day in January, 3 years (yearly)",
        datetime(1998, 1, 1, 9),
        "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
        span(date(1998, 1, 1), date(1998, 1, 31))
        + span(date(1999, 1, 1), date(1999, 1, 31))
        + span(date(2000, 1, 1), date(2000, 1, 31)),
    ),
    (
        "every day in January, 3 years (daily)",
        datetime(1998, 1, 1, 9),
        "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
        span(date(1998, 1, 1), date(1998, 1, 31))
        + span(date(1999, 1, 1), date(1999, 1, 31))
        + span(date(2000, 1, 1), date(2000, 1, 31)),
    ),
    (
        "weekly, 10",
        S,
        "FREQ=WEEKLY;COUNT=10",
        d(1997, 9, 2, 9, 16, 23, 30) + d(1997, 10, 7, 14, 21, 28) + d(1997, 11, 4),
    ),
    (
        "weekly until 24 Dec 1997",
        S,
        "FREQ=WEEKLY;UNTIL=19971224T000000Z",
        d(1997, 9, 2, 9, 16, 23, 30)
        + d(1997, 10, 7, 14, 21, 28)
        + d(1997, 11, 4, 11, 18, 25)
        + d(1997, 12, 2, 9, 16, 23),
    ),
    (
        "every other week",
        S,
        "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
        d(1997, 9, 2, 16, 30)
        + d(1997, 10, 14, 28)
        + d(1997, 11, 11, 25)
        + d(1997, 12, 9, 23)
        + d(1998, 1, 6, 20)
        + d(1998, 2, 3, 17),
    ),
    (
        "Tuesday and Thursday for five weeks (until)",
        S,
        "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
        d(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30) + d(1997, 10, 2),
    ),
    (
        "Tuesday and Thursday for five weeks (count)",
        S,
        "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
        d(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30) + d(1997, 10, 2),
    ),
    (
        "every other week on Monday, Wednesday, Friday until 24 Dec 1997",
        datetime(1997, 9, 1, 9),
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
        d(1997, 9, 1, 3, 5, 15, 17, 19, 29)
        + d(1997, 10, 1, 3, 13, 15, 17, 27, 29, 31)
        + d(1997, 11, 10, 12, 14, 24, 26, 28)
        + d(1997, 12, 8, 10, 12, 22),
    ),
    (
        "every other week on Tuesday and Thursday, 8",
        S,
        "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
        d(1997, 9, 2, 4, 16, 18, 30) + d(1997, 10, 2, 14, 16),
    ),
    (
        "first Friday, 10",
        datetime(1997, 9, 5, 9),
        "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
        d(1997, 9, 5)
        + d(1997, 10, 3)
        + d(1997, 11, 7)
        + d(1997, 12, 5)
        + d(1998, 1, 2)
        + d(1998, 2, 6)
        + d(1998, 3, 6)
        + d(1998, 4, 3)
        + d(1998, 5, 1)
        + d(1998, 6, 5),
    ),
    (
        "first Friday until 24 Dec 1997",
        datetime(1997, 9, 5, 9),
        "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
        d(1997, 9, 5) + d(1997, 10, 3) + d(1997, 11, 7) + d(1997, 12, 5),
    ),
    (
        "every other month, first and last Sunday, 10",
        datetime(1997, 9, 7, 9),
        "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
        d(1997, 9, 7, 28)
        + d(1997, 11, 2, 30)
        + d(1998, 1, 4, 25)
        + d(1998, 3, 1, 29)
        + d(1998, 5, 3, 31),
    ),
    (
        "second-to-last Monday, 6",
        datetime(1997, 9, 22, 9),
        "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
        d(1997, 9, 22)
        + d(1997, 10, 20)
        + d(1997, 11, 17)
        + d(1997, 12, 22)
        # 1998
        + d(1998, 1, 19)
        + d(1998, 2, 16),
    ),
    (
        "third-to-last day",
        datetime(1997, 9, 28, 9),
        "FREQ=MONTHLY;BYMONTHDAY=-3",
        d(1997, 9, 28)
        + d(1997, 10, 29)
        + d(1997, 11, 28)
        + d(1997, 12, 29)
        # 1998
        + d(1998, 1, 29)
        + d(1998, 2, 26),
    ),
    (
        "2nd and 15th, 10",
        S,
        "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
        d(1997, 9, 2, 15)
        + d(1997, 10, 2, 15)
        + d(1997, 11, 2, 15)
        + d(1997, 12, 2, 15)
        + d(1998, 1, 2, 15),
    ),
    (
        "first and last day, 10",
        datetime(1997, 9, 30, 9),
        "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
        d(1997, 9, 30)
        + d(1997, 10, 1, 31)
        + d(1997, 11, 1, 30)
        + d(1997, 12, 1, 31)
        + d(1998, 1, 1, 31)
        + d(1998, 2, 1),
    ),
    (
        "every 18 months, 10th to 15th, 10",
        datetime(1997, 9, 10, 9),
        "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
        d(1997, 9, 10, 11, 12, 13, 14, 15) + d(1999, 3, 10, 11, 12, 13),
    ),
    (
        "every Tuesday, every other month",
        S,
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
        d(1997, 9, 2, 9, 16, 23, 30)
        + d(1997, 11, 4, 11, 18, 25)
        + d(1998, 1, 6, 13, 20, 27)
        + d(1998, 3, 3, 10, 17, 24, 31),
    ),
    (
        "June and July, 10",
        datetime(1997, 6, 10, 9),
        "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
        [w for y in range(1997, 2002) for w in d(y, 6, 10) + d(y, 7, 10)],
    ),
    (
        "every other year in January to March, 10",
        datetime(1997, 3, 10, 9),
        "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
        d(1997, 3, 10)
        + [w for y in (1999, 2001, 2003) for w in d(y, 1, 10) + d(y, 2, 10) + d(y, 3, 10)],
    ),
    (
        "every third year on days 1, 100 and 200, 10",
        datetime(1997, 1, 1, 9),
        "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200",
        d(1997, 1, 1)
        + d(1997, 4, 10)
        + d(1997, 7, 19)
        + d(2000, 1, 1)
        + d(2000, 4, 9)
        + d(2000, 7, 18)
        + d(2003, 1, 1)
        + d(2003, 4, 10)
        + d(2003, 7, 19)
        + d(2006, 1, 1),
    ),
    (
        "every 20th Monday of the year",
        datetime(1997, 5, 19, 9),
        "FREQ=YEARLY;BYDAY=20MO",
        d(1997, 5, 19) + d(1998, 5, 18) + d(1999, 5, 17),
    ),
    (
        "Monday of week number 20",
        datetime(1997, 5, 12, 9),
        "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
        d(1997, 5, 12) + d(1998, 5, 11) + d(1999, 5, 17),
    ),
    (
        "every Thursday in March",
        datetime(1997, 3, 13, 9),
        "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
        d(1997, 3, 13, 20, 27) + d(1998, 3, 5, 12, 19, 26) + d(1999, 3, 4, 11, 18, 25),
    ),
    (
        "every Thursday in June, July and August",
        datetime(1997, 6, 5, 9),
        "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
        d(1997, 6, 5, 12, 19, 26)
        + d(1997, 7, 3, 10, 17, 24, 31)
        + d(1997, 8, 7, 14, 21, 28)
        + d(1998, 6, 4, 11, 18, 25)
        + d(1998, 7, 2, 9, 16, 23, 30)
        + d(1998, 8, 6, 13, 20, 27)
        + d(1999, 6, 3, 10, 17, 24)
        + d(1999, 7, 1, 8, 15, 22, 29)
        + d(1999, 8, 5, 12, 19, 26),
    ),
    (
        "every Friday the 13th (DTSTART not an occurrence: the RFC EXDATEs it)",
        S,
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
        d(1998, 2, 13) + d(1998, 3, 13) + d(1998, 11, 13) + d(1999, 8, 13) + d(2000, 10, 13),
    ),
    (
        "the first Saturday after the first Sunday",
        datetime(1997, 9, 13, 9),
        "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13",
        d(1997, 9, 13)
        + d(1997, 10, 11)
        + d(1997, 11, 8)
        + d(1997, 12, 13)
        + d(1998, 1, 10)
        + d(1998, 2, 7)
        + d(1998, 3, 7)
        + d(1998, 4, 11)
        + d(1998, 5, 9)
        + d(1998, 6, 13),
    ),
    (
        "US presidential election day",
        datetime(1996, 11, 5, 9),
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
        d(1996, 11, 5) + d(2000, 11, 7) + d(2004, 11, 2),
    ),
    (
        "the third of Tuesday to Thursday, 3 months",
        datetime(1997, 9, 4, 9),
        "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3",
        d(1997, 9, 4) + d(1997, 10, 7) + d(1997, 11, 6),
    ),
    (
        "the second-to-last weekday",
        datetime(1997, 9, 29, 9),
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
        d(1997, 9, 29)
        + d(1997, 10, 30)
        + d(1997, 11, 27)
        + d(1997, 12, 30)
        + d(1998, 1, 29)
        + d(1998, 2, 26)
        + d(1998, 3, 30),
    ),
    (
        "every 20 minutes from 9:00 to 16:40 (the daily form)",
        S,
        "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
        [datetime(1997, 9, day, h, m) for day in (2, 3) for h in range(9, 17) for m in (0, 20, 40)],
    ),
    (
        "WKST=MO: every other week on Tuesday and Sunday, 4",
        datetime(1997, 8, 5, 9),
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
        d(1997, 8, 5, 10, 19, 24),
    ),
    (
        "WKST=SU: every other week on Tuesday and Sunday, 4",
        datetime(1997, 8, 5, 9),
        "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
        d(1997, 8, 5, 17, 19, 31),
    ),
    (
        "15th and 30th, 5 (no 30 February)",
        datetime(2007, 1, 15, 9),
        "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
        d(2007, 1, 15, 30) + d(2007, 2, 15) + d(2007, 3, 15, 30),
    ),
]


def reference_rule(text: str) -> ref.Rule:
    """``text`` as a reference rule (the published examples' parts only); UNTIL (UTC) as New
    York wall time."""
    days = {name: i for i, name in enumerate(ref.DAYS)}
    fields: dict[str, object] = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        values = value.split(",")
        if name == "FREQ":
            fields["freq"] = value
        elif name in ("INTERVAL", "COUNT"):
            fields[name.lower()] = int(value)
        elif name == "UNTIL":
            utc = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            fields["until"] = utc.astimezone(NY).replace(tzinfo=None)
        elif name == "WKST":
            fields["wkst"] = days[value]
        elif name == "BYDAY":
            fields["byday"] = tuple((int(v[:-2] or 0), days[v[-2:]]) for v in values)
        else:
            fields[name.lower()] = tuple(int(v) for v in values)
    return ref.Rule(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "rule", "published"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES]
)
def test_the_published_examples(start: datetime, rule: str, published: list[datetime]) -> None:
    last = published[-1]
    assert covenant_walls(start, rule, start - timedelta(days=1), last) == published
    if "COUNT" in rule or "UNTIL" in rule:  # nothing after the last
        assert covenant_walls(start, rule, last + timedelta(minutes=1), last.replace(2030)) == []
    walked = ref.expand(reference_rule(rule), start, last)
    assert walked == published


def test_the_hourly_example_bounds_by_its_until_instant() -> None:
    # RFC 5545 publishes 09:00, 12:00 and 15:00 EDT for FREQ=HOURLY;INTERVAL=3 from 09:00 EDT
    # with UNTIL=19970902T170000Z; but 17:00Z is 13:00 EDT, and UNTIL bounds inclusively, so
    # 15:00 is past it (a slip in the published list, carried over from RFC 2445)
    rule = "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z"
    walls = covenant_walls(S, rule, S, datetime(1997, 9, 5))
    assert walls == [datetime(1997, 9, 2, 9), datetime(1997, 9, 2, 12)]
