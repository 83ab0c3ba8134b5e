"""``start-not-an-occurrence``: a recurring correction whose ``start`` is not a day or time its
rule selects (RFC 5545 leaves such a DTSTART "undefined"; Covenant does not correct at it).

Worked by hand: 2026-01-05 is a Monday, so ``FREQ=WEEKLY;BYDAY=SU`` from Monday 02:00 first
fires on Sunday 2026-01-11 at 02:00 (Berlin, +01:00: 01:00 UTC); nothing is corrected on the
Monday. A start on a Sunday, or a rule without BY-parts, is its own first occurrence.
"""

from __future__ import annotations

from datetime import UTC, datetime

from covenant.definitions.workspace import analyse_text

TEXT = """\
apiVersion: covenant/v1
kind: Correction
metadata: {{name: weekly}}
spec:
  start: {start}
  duration: 1h
  rrule: {rule}
  timeZone: Europe/Berlin
  author: jane@example.com
  reason: weekly failover
"""


def read(start: str, rule: str):  # type: ignore[no-untyped-def]
    ws, problems = analyse_text(TEXT.format(start=start, rule=rule), file="c.yaml")
    return ws, [p for p in problems if p.code == "start-not-an-occurrence"]


def test_a_start_the_rule_does_not_select_is_warned_with_the_first_occurrence() -> None:
    ws, (found,) = read("2026-01-05T02:00:00", "FREQ=WEEKLY;BYDAY=SU")
    assert found.severity == "warning"
    assert found.where == "c.yaml:5"
    assert found.field == "spec.start"
    assert "2026-01-05T02:00:00 is not an occurrence of FREQ=WEEKLY;BYDAY=SU" in found.message
    assert "2026-01-11T02:00:00" in found.message
    assert "start: 2026-01-11T02:00:00" in found.fix
    # still read: the warning does not drop the correction, and the Monday is not corrected
    assert ws is not None
    (rule,) = ws.corrections
    got = rule.windows(
        start=datetime(2026, 1, 4, tzinfo=UTC), end=datetime(2026, 1, 12, tzinfo=UTC)
    )
    assert [w.start for w in got] == [datetime(2026, 1, 11, 1, tzinfo=UTC)]


def test_a_monthly_rule_from_a_day_it_skips_is_warned() -> None:
    # BYMONTHDAY=-1 (the last day of each month) from 15 January: first 31 January
    _, (found,) = read("2026-01-15T03:00:00", "FREQ=MONTHLY;BYMONTHDAY=-1")
    assert "2026-01-31T03:00:00" in found.message


def test_a_start_the_rule_selects_is_not_warned() -> None:
    assert read("2026-01-04T02:00:00", "FREQ=WEEKLY;BYDAY=SU")[1] == []
    assert read("2026-01-05T02:00:00", "FREQ=DAILY")[1] == []
    assert read("2026-01-31T02:00:00", "FREQ=MONTHLY")[1] == []  # the 31st: skips short months
