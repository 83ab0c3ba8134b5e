"""A period with no downtime so far has an observed rate of zero, so "at this rate" is false:
with fewer than 3 past periods the projection comes from the Jeffreys prior on the rate —
half an outage over the time with data (docs/exposure.md, "Too little history") — and the
alert says so, with what that assumption expects by the period's end.

November (30 days), Globex's 99.9 % commitment (tests/core/test_forecast.py), no past period
on record, nothing down in the first 10 days. The assumed rate: ½ an outage per 10 days of
data; the 20 days left then expect ½ × 20 / 10 = 1.0 outage — and at a 60-minute median
length an outage crosses the 43.2-minute allowance, so a credit tier is projected."""

from __future__ import annotations

from datetime import timedelta

from covenant.core.alert_rules_sla import crossing_text
from covenant.core.availability import availability
from covenant.core.forecast import commitment_exposure
from tests.core.test_forecast import NOV, commitment, version


def test_no_downtime_so_far_says_what_the_projection_assumes() -> None:
    c = commitment()
    v = version(c)
    at = NOV + timedelta(days=10)
    so_far = availability(v, c, period_start=NOV, at=at, incidents=[])
    e = commitment_exposure(v, c, so_far=so_far, at=at, history=[])
    assert e.downtime_so_far_s == 0
    assert e.no_forecast is None
    assert e.expected_credit is not None
    assert e.expected_credit.amount > 0  # the assumption projects a credit: say it is one
    projected = [x for x in e.crossings if x.projected]
    assert projected
    text = crossing_text("Globex", e, projected[0])
    expected_outages = 0.5 * 20 / 10  # ½ an outage per 10 days of data, 20 days left
    assert not text.startswith("at this rate"), text
    assert text.startswith(
        "no downtime so far and no past period on record: the forecast assumes half an outage "
        f"per 10 d of data ({expected_outages:.1f} more by the period's end, lengths around "
        "60 minutes), under which Globex's November credit would become "
    ), text
