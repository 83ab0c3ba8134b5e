"""Rule parts RFC 5545 §3.3.10 forbids are refused (``invalid-rrule`` naming the part), never
expanded as something else: dateutil, which expands the rules, would read each of these rules
as a different one (the comment says how) without a word."""

from __future__ import annotations

import pytest

from covenant.definitions.workspace import analyse_text


def problems_of(rule: str) -> list[tuple[str, str, str]]:
    text = (
        "apiVersion: covenant/v1\nkind: Correction\nmetadata: {name: r}\nspec:\n"
        f"  start: 2026-01-05T09:00:00\n  duration: 1h\n  rrule: '{rule}'\n"
        "  author: a@example.com\n  reason: test\n"
    )
    _, problems = analyse_text(text, file="c.yaml")
    return [(p.code, p.field or "", p.message) for p in problems]


REFUSED = {
    # every Monday: the ordinal dropped
    "FREQ=WEEKLY;BYDAY=2MO": "needs FREQ=MONTHLY or YEARLY",
    "FREQ=DAILY;BYDAY=-1FR": "needs FREQ=MONTHLY or YEARLY",
    "FREQ=HOURLY;BYDAY=1MO": "needs FREQ=MONTHLY or YEARLY",
    # never: dateutil finds no day
    "FREQ=YEARLY;BYWEEKNO=3;BYDAY=1MO": "cannot be used with BYWEEKNO",
    # the 5th of every month, whatever its weekday
    "FREQ=WEEKLY;BYMONTHDAY=5": "BYMONTHDAY cannot be used with FREQ=WEEKLY",
    "FREQ=DAILY;BYYEARDAY=10": "BYYEARDAY cannot be used with FREQ=DAILY",
    "FREQ=MONTHLY;BYYEARDAY=10": "BYYEARDAY cannot be used with FREQ=MONTHLY",
    "FREQ=MONTHLY;BYWEEKNO=3": "BYWEEKNO needs FREQ=YEARLY",
    # every day: a one-element set to pick from
    "FREQ=DAILY;BYSETPOS=1": "BYSETPOS needs another BYxxx part",
    # every day: 0 is read as no BYMONTHDAY
    "FREQ=DAILY;BYMONTHDAY=0": "BYMONTHDAY=0 is not 1 to 31 or -31 to -1",
    "FREQ=YEARLY;BYYEARDAY=367": "BYYEARDAY=367 is not 1 to 366",
    "FREQ=YEARLY;BYWEEKNO=54": "BYWEEKNO=54 is not 1 to 53",
    "FREQ=YEARLY;BYMONTH=13": "BYMONTH=13 is not 1 to 12",
    "FREQ=MONTHLY;BYDAY=54MO": "the ordinal must be 1 to 53",
    # never (RFC 5545 allows the mix; dateutil finds no day for it)
    "FREQ=MONTHLY;BYDAY=1MO,FR": "mixes numbered and plain weekdays",
    "FREQ=YEARLY;BYMONTH=3;BYDAY=-1FR,SU": "mixes numbered and plain weekdays",
    # no day (a month has at most 5 Mondays), or an IndexError in dateutil (a late month)
    "FREQ=MONTHLY;BYDAY=6MO": "a month has at most 5 of each weekday",
    "FREQ=YEARLY;BYMONTH=12;BYDAY=1MO,-20FR": "BYDAY=-20FR: a month has at most 5",
    # the last one wins
    "FREQ=DAILY;INTERVAL=2;INTERVAL=3": "INTERVAL is given twice",
    "FREQ=WEEKLY;BYDAY=MO;BYDAY=TU": "BYDAY is given twice",
    # dateutil's own extension: Easter Sunday
    "FREQ=YEARLY;BYEASTER=0": "BYEASTER is not an RFC 5545 rule part",
}


@pytest.mark.parametrize(("rule", "said"), sorted(REFUSED.items()))
def test_a_part_rfc_5545_forbids_is_refused(rule: str, said: str) -> None:
    problems = problems_of(rule)
    assert [(code, field) for code, field, _ in problems] == [("invalid-rrule", "spec.rrule")]
    assert said in problems[0][2]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=2MO,-1FR",
        "FREQ=YEARLY;BYDAY=20MO",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "FREQ=YEARLY;BYWEEKNO=2,-1;BYDAY=MO",
        "FREQ=YEARLY;BYYEARDAY=-1,100",
        "FREQ=MONTHLY;BYMONTHDAY=-31,31;BYDAY=MO",
        "FREQ=DAILY;BYMONTH=1;BYMONTHDAY=5,-5;BYDAY=MO",
        "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;BYSETPOS=-1",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;BYSETPOS=1,-1",
        "FREQ=HOURLY;BYMINUTE=0,59;BYSECOND=0",
        "freq=weekly;byday=mo",
    ],
)
def test_the_parts_rfc_5545_allows_are_kept(rule: str) -> None:
    assert [code for code, _, _ in problems_of(rule) if code != "start-not-an-occurrence"] == []
